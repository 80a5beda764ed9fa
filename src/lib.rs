//! shipgate: a release gate for database migrations, rollout manifests,
//! feature flags and sign-offs. The library does not print; `cli` does.

pub mod app;
pub mod cli;
pub mod config;
pub mod dryrun;
pub mod finding;
pub mod flags;
#[doc(hidden)]
pub mod fuzz;
pub mod git;
pub mod github;
pub mod hook;
pub mod manifest;
pub mod migration;
pub mod parallel;
pub mod reading;
pub mod registry;
pub mod report;
pub mod rules;
pub mod signoff;
pub mod suggest;
pub mod yaml;
