//! The devidence agent as a library: configuration, collection, evidence bundles, the spool,
//! delivery to Drata and the background service. The `devidence` binary (main.rs) parses
//! flags and calls [`commands`] or [`run`]; the fuzz targets, tests and benchmarks call
//! these modules directly.

pub mod acl;
pub mod atomic;
pub mod bundle;
pub mod checks;
pub mod commands;
pub mod config;
pub mod custom_records;
pub mod daemon;
pub mod deliver;
pub mod doctor;
pub mod exit;
pub mod install;
pub mod logfile;
pub mod managed;
pub mod memory;
pub mod paths;
pub mod report;
pub mod resolve;
pub mod resource_use;
pub mod run;
pub mod screenshot;
pub mod secrets;
pub mod signals;
pub mod spool;
pub mod state;
pub mod status;
