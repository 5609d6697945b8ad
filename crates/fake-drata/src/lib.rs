//! Fake Drata (being written).
