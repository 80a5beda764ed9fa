//! shipgate: a release gate for database migrations, rollout manifests,
//! feature flags and sign-offs. The library does not print; `cli` does.

/// The library's front door for callers outside it (the CLI, `ci`, the hook,
/// reporters, tests): the report and errors (bottom) and the gates.
/// `docs/architecture.md` has the layers.
pub mod app {
    pub use crate::error::AppError;
    pub use crate::exit::ExitStatus;
    pub use crate::gates::migrations::{select_migrations, Facts, Selected, TableWrite, Write};
    pub use crate::gates::{check, lint, lint_in_repo, Gate};
    pub use crate::outcome::{Change, EnvFields, FromTo, PhaseChange, Report, Stats, Verdict};
}
pub mod cli;
pub mod config;
pub mod contract;
pub mod dryrun;
pub mod error;
pub mod exit;
pub mod finding;
pub mod flags;
#[doc(hidden)]
pub mod fuzz;
pub mod gates;
pub mod git;
pub mod github;
pub mod hook;
pub mod manifest;
pub mod migration;
pub mod outcome;
pub mod parallel;
pub mod reading;
pub mod registry;
pub mod report;
pub mod rule;
pub mod rules;
pub mod signoff;
pub mod suggest;
pub mod walk;
pub mod yaml;
