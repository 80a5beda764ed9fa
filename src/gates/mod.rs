//! The gates: each reads its inputs, builds its model, runs its rules and
//! adds to the report. `check` runs them in order; `lint` is the migration
//! gate on explicit paths.

pub mod contract;
pub mod dryrun;
pub mod flags;
pub mod migrations;
pub mod rollouts;

use std::path::Path;

use crate::config::Config;
use crate::error::AppError;
use crate::outcome::Report;
use migrations::{check_migrations, Facts};

/// Which gates `check` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Gate {
    Migrations,
    Rollouts,
    Flags,
    /// The contract rules: drops and renames against the code and its history.
    Contract,
}

/// `shipgate check`: every offline gate on the repository at `root`.
pub fn check(root: &Path, config: &Config, base: Option<&str>, only: Option<Gate>) -> Result<Report, AppError> {
    let mut report = Report::default();
    let runs = |g: Gate| only.is_none() || only == Some(g);
    let mut facts = Facts::default();
    if runs(Gate::Migrations) {
        facts = check_migrations(root, config, base, &mut report)?;
    } else if runs(Gate::Contract) || (runs(Gate::Flags) && config.flags.table.is_some()) {
        // The flag gate reads flag-table inserts from the migrations, without judging them.
        facts = check_migrations(root, config, base, &mut Report::default())?;
    }
    if runs(Gate::Contract) {
        contract::run(root, config, base, &facts, &mut report)?;
    } else {
        contract::not_run(&facts, &mut report);
    }
    let registry = if runs(Gate::Rollouts) || runs(Gate::Flags) {
        crate::flags::load_registry(root, config, &mut report)?
    } else {
        None
    };
    let mut manifest_refs = Vec::new();
    if runs(Gate::Rollouts) {
        manifest_refs = rollouts::run(root, config, base, registry.as_ref(), &mut report)?;
    } else if runs(Gate::Flags) {
        manifest_refs = rollouts::run(root, config, base, registry.as_ref(), &mut Report::default())?;
    }
    if runs(Gate::Flags) {
        flags::run(
            root,
            config,
            base,
            registry.as_ref(),
            &manifest_refs,
            &facts,
            &mut report,
        )?;
    }
    report.finish(config);
    Ok(report)
}

/// `shipgate lint` outside a repository: the migration rules on the given
/// files and directories (no code or history to run the contract rules on).
pub fn lint(
    paths: &[std::path::PathBuf],
    stdin: Option<(String, String)>,
    config: &Config,
) -> Result<Report, AppError> {
    let mut report = Report::default();
    let facts = migrations::lint_into(paths, stdin, config, &mut report)?;
    contract::not_run(&facts, &mut report);
    report.finish(config);
    Ok(report)
}

/// `shipgate lint` inside a repository (`root`, its top): the migration
/// rules on the given paths, then the contract rules against the
/// repository's code and history (without `--base`: what the linted
/// migrations drop, against HEAD and the work tree).
pub fn lint_in_repo(
    root: &Path,
    paths: &[std::path::PathBuf],
    stdin: Option<(String, String)>,
    config: &Config,
) -> Result<Report, AppError> {
    let mut report = Report::default();
    let mut facts = migrations::lint_into(paths, stdin, config, &mut report)?;
    let cwd =
        std::env::current_dir().map_err(|e| AppError::Evaluate(format!("cannot read the current directory: {e}")))?;
    let top = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // The migrations are not code: those linted and those discovery finds.
    for p in paths {
        let abs = cwd.join(p).canonicalize().unwrap_or_else(|_| cwd.join(p));
        if let Ok(rel) = abs.strip_prefix(&top) {
            facts.migrations.push(crate::walk::rel_path(Path::new(""), rel));
        }
    }
    if let Ok(found) = crate::migration::discover::discover(root, &config.migrations) {
        facts.migrations.extend(found.into_iter().map(|c| c.rel));
    }
    contract::run(root, config, None, &facts, &mut report)?;
    report.finish(config);
    Ok(report)
}
