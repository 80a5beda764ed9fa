//! A flag inserted with a default that contradicts the registry.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::{switch_state, Column, RefKind};

crate::declare_rule! {
    /// ## What it does
    /// With `flags.table`, reports a migration that inserts a flag with a default that contradicts the registry.
    ///
    /// It compares the default a migration inserts for a
    /// flag (the `flags.default_column`, or `enabled`, `default`, `value`, ...) with
    /// the registry's `Default`, and reports the insert when one is on and the
    /// other off. An `UPDATE ... SET enabled = ... WHERE key = '...'` (or
    /// `key IN (...)`) counts as writing that default too. When a flag is
    /// written more than once, the last write counts.
    ///
    /// ## Why it blocks a release
    /// The registry says what production should start with; the migration is what
    /// production actually gets. A flag documented `off` and inserted `true` is
    /// live for everyone as soon as the migration runs, which is exactly what
    /// "default OFF in production" forbids.
    ///
    /// ## How to ship it safely
    /// Insert the documented default, or correct the registry if it is wrong (and
    /// have the flag's owner review it):
    ///
    /// ```sql
    /// INSERT INTO feature_flags (key, enabled) VALUES ('new_checkout', false);
    /// ```
    pub RULE = { id: "flag-table-default-mismatch", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    let Some(table) = m.table else { return };
    for e in &m.registry.entries {
        let Some(documented) = e.default_on() else { continue };
        // The last write counts; a deleted row has no default (flag-missing-from-table says so).
        let Some(last) = m
            .refs_to(&e.name)
            .iter()
            .rev()
            .find(|r| r.kind.is_migration())
            .filter(|r| r.kind != RefKind::MigrationDelete)
        else {
            continue;
        };
        let Some((column, Some(value))) = &last.written_default else {
            continue;
        };
        let Some(inserted) = switch_state(value) else { continue };
        if inserted == documented {
            continue;
        }
        let doc = e.text(Column::Default).unwrap_or_default();
        let update = last.kind == RefKind::MigrationUpdate;
        let state = if inserted { "on" } else { "off" };
        let consequence = if update {
            format!("so the flag is {state} in production once it runs")
        } else {
            format!("so production starts with the flag {state}")
        };
        let (verb, prep) = if update { ("sets", "in") } else { ("inserts", "into") };
        let f = Finding::new(
            &RULE,
            format!(
                "This migration {verb} flag `{}` {prep} `{table}` with `{column}` = `{value}`, but the registry documents its default as `{doc}`, {consequence}",
                e.name
            ),
        )
        .help(format!(
            "{} `{}` as the registry says, or correct the registry's `Default` with the owner's review",
            if update { "set" } else { "insert" },
            if documented { "true" } else { "false" }
        ));
        out.push(m.at_ref(f, last));
    }
}
