//! Drata client (being written).
