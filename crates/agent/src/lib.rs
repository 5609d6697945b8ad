//! The devidence agent as a library: configuration, collection, evidence bundles, the spool,
//! delivery to Drata and the background service. The `devidence` binary (main.rs) parses
//! flags and calls into these modules; the fuzz targets and benchmarks call them directly.

pub mod acl;
pub mod atomic;
pub mod bundle;
pub mod checks;
pub mod config;
pub mod custom_records;
pub mod daemon;
pub mod deliver;
pub mod doctor;
pub mod install;
pub mod logfile;
pub mod managed;
pub mod paths;
pub mod report;
pub mod resolve;
pub mod resource_use;
pub mod screenshot;
pub mod secrets;
pub mod spool;
pub mod state;
pub mod status;
