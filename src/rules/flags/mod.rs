//! Flag registry rules, one per file. Each takes the `FlagCx` (the registry
//! and every reference to a flag) and pushes findings; none reads a file.

mod beta_cutover_without_dual_read;
mod beta_flag_without_ga_replacement;
mod flag_default_not_off;
mod flag_env_default_mismatch;
mod flag_missing_from_table;
mod flag_naming_convention;
mod flag_past_remove_by;
mod flag_referenced_after_ga;
mod flag_remove_by_soon;
mod flag_table_default_mismatch;
mod flag_without_owner;
mod kill_switch_removed;
mod undocumented_flag;
mod unreferenced_flag;

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::Table;
use crate::finding::Finding;
use crate::flags::changes::EnvChange;
use crate::flags::history::{Cutover, RemovedRef};
use crate::flags::registry::locate;
use crate::flags::{Column, FlagEntry, FlagRegistry, RefKind, Reference};
use crate::migration::lex::LineIndex;

pub use crate::flags::invalid_flag_registry::RULE as INVALID_FLAG_REGISTRY;
pub use kill_switch_removed::from_manifest as kill_switch_removed_from_manifest;

/// No flag.
static NONE: BTreeSet<String> = BTreeSet::new();

/// A flag rule's check.
pub type RuleFn = fn(&FlagCx<'_>, &mut Vec<Finding>);

/// Every flag rule, once, in report order.
pub static RULES: &Table<RuleFn> = super::table![
    undocumented_flag,
    unreferenced_flag,
    flag_without_owner,
    flag_default_not_off,
    flag_naming_convention,
    flag_past_remove_by,
    flag_remove_by_soon,
    flag_referenced_after_ga,
    beta_flag_without_ga_replacement,
    flag_missing_from_table,
    flag_table_default_mismatch,
    flag_env_default_mismatch,
    kill_switch_removed,
    beta_cutover_without_dual_read,
    ;
    (&INVALID_FLAG_REGISTRY, "flags/invalid_flag_registry.rs, reading the registry"),
];

/// What the flag rules see.
pub struct FlagCx<'a> {
    pub registry: &'a FlagRegistry,
    /// Every reference: code, rollout manifests, flag-table inserts.
    pub refs: &'a [Reference],
    pub today: NaiveDate,
    /// `flags.warn_days`.
    pub warn_days: i64,
    /// `flags.naming`, as written and compiled (anchored).
    pub naming: Option<(&'a str, &'a regex::Regex)>,
    /// `flags.table`.
    pub table: Option<&'a str>,
    /// `FEATURE_X=` values changed in `flags.env_files` (with `--base`).
    pub env_changes: &'a [EnvChange],
    /// Flags whose rollout manifests have no phase with users yet.
    pub unexposed: &'a BTreeSet<String>,
    /// With `--base`: `kill-switch` rows of the registry at the merge base that the change removes.
    pub removed_kill_switches: &'a [FlagEntry],
    /// With `--base`: the merge base commit.
    pub base_commit: &'a str,
    /// With `--base`: kill switches and `beta_*` flags whose last code reference the change removes.
    pub removed_last_refs: &'a [RemovedRef],
    /// The flags that rollout manifests name as their `kill_switch`.
    pub manifest_kill_switches: &'a BTreeSet<String>,
    /// With `--base`: the `beta_*` flags the change cuts over to their GA flag.
    pub cutovers: &'a [Cutover],
    by_flag: HashMap<&'a str, Vec<&'a Reference>>,
    index: LineIndex,
}

impl<'a> FlagCx<'a> {
    pub fn new(
        registry: &'a FlagRegistry,
        refs: &'a [Reference],
        today: NaiveDate,
        warn_days: i64,
        naming: Option<(&'a str, &'a regex::Regex)>,
        table: Option<&'a str>,
    ) -> Self {
        let mut by_flag: HashMap<&str, Vec<&Reference>> = HashMap::new();
        for r in refs {
            by_flag.entry(r.flag.as_str()).or_default().push(r);
        }
        FlagCx {
            registry,
            refs,
            today,
            warn_days,
            naming,
            table,
            env_changes: &[],
            unexposed: &NONE,
            removed_kill_switches: &[],
            base_commit: "",
            removed_last_refs: &[],
            manifest_kill_switches: &NONE,
            cutovers: &[],
            by_flag,
            index: LineIndex::new(&registry.text),
        }
    }

    /// Every reference to `flag`.
    pub fn refs_to(&self, flag: &str) -> &[&'a Reference] {
        self.by_flag.get(flag).map_or(&[], Vec::as_slice)
    }

    /// The last migration that inserts or deletes `flag`'s row in the flag table.
    pub fn last_row_write(&self, flag: &str) -> Option<&'a Reference> {
        self.refs_to(flag)
            .iter()
            .rev()
            .find(|r| matches!(r.kind, RefKind::MigrationInsert | RefKind::MigrationDelete))
            .copied()
    }

    /// Whether a migration deletes `flag`'s row after its last insert: the flag
    /// is retired, and its earlier inserts and updates are history.
    pub fn retired(&self, flag: &str) -> bool {
        self.last_row_write(flag)
            .is_some_and(|r| r.kind == RefKind::MigrationDelete)
    }

    /// References that keep a flag alive: code and rollout manifests.
    pub fn uses(&self, flag: &str) -> Vec<&'a Reference> {
        self.refs_to(flag)
            .iter()
            .copied()
            .filter(|r| !r.kind.is_migration())
            .collect()
    }

    /// A finding at a cell of a registry row.
    pub fn at_row(&self, f: Finding, e: &FlagEntry, col: Column) -> Finding {
        let span = e.span(col);
        let loc = locate(&self.registry.text, &self.index, &span);
        f.at(&self.registry.path, span, loc)
    }

    /// A finding at a reference.
    pub fn at_ref(&self, mut f: Finding, r: &Reference) -> Finding {
        f.file = Some(r.file.clone());
        f.location = Some(r.location);
        f.span = r.span.clone();
        f
    }
}

/// "src/a.ts:3:7" or "src/a.ts:3:7 and 4 more places".
pub fn places(refs: &[&Reference]) -> String {
    let mut sorted: Vec<&&Reference> = refs.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.location).cmp(&(&b.file, b.location)));
    match sorted.as_slice() {
        [] => String::new(),
        [one] => one.place(),
        [first, rest @ ..] => format!(
            "{} and {} more place{}",
            first.place(),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

/// Runs every flag rule.
pub fn check(m: &FlagCx<'_>) -> Vec<Finding> {
    super::run(RULES, m)
}
