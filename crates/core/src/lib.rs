//! Shared vocabulary of devidence.
//!
//! Every other crate speaks in these types: a [`Control`] is checked by a probe, which talks to
//! the machine only through a [`Host`] (real or replayed), records every command and file it
//! looked at as an [`Observation`], and returns a [`Finding`] with a [`Verdict`].
//!
//! This crate knows nothing of rendering, Drata or the command line.

mod conclusion;
mod control;
mod finding;
pub mod fixture;
pub mod host;
pub mod identity;
pub mod macos;
mod policy;
pub mod probe;
pub mod redact;
pub mod users;
pub mod windows;

pub use conclusion::Conclusion;
pub use control::{Control, Os};
pub use finding::{Finding, Observation, Outcome, SourceKind, Verdict};
pub use host::{CommandSpec, Host, RealHost, RegistryRead, ReplayHost, UserContext, WmiQuery};
pub use identity::DeviceIdentity;
pub use policy::Policy;
pub use probe::ProbeRun;
