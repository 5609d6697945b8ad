//! Evidence rendering (being written).
