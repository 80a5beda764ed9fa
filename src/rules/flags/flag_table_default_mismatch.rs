//! A flag inserted with a default that contradicts the registry.
use super::Model;
use crate::finding::Finding;
use crate::flags::{switch_state, Column, RefKind};

crate::declare_rule! {
    /// ## What it does
    /// With `flags.table`, reports a migration that inserts a flag with a default that contradicts the registry.
    ///
    /// It compares the default a migration inserts for a
    /// flag (the `flags.default_column`, or `enabled`, `default`, `value`, ...) with
    /// the registry's `Default`, and reports the insert when one is on and the
    /// other off. When a flag is inserted more than once, the last insert counts.
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

pub fn check(m: &Model<'_>, out: &mut Vec<Finding>) {
    let Some(table) = m.table else { return };
    for e in &m.registry.entries {
        let Some(documented) = e.default_on() else { continue };
        let Some(last) = m.refs_to(&e.name).iter().rev().find(|r| r.kind == RefKind::Migration) else {
            continue;
        };
        let Some((column, Some(value))) = &last.inserted_default else {
            continue;
        };
        let Some(inserted) = switch_state(value) else { continue };
        if inserted == documented {
            continue;
        }
        let doc = e.text(Column::Default).unwrap_or_default();
        let consequence = if inserted {
            "so production starts with the flag on"
        } else {
            "so production starts with the flag off"
        };
        let f = Finding::new(
            &RULE,
            format!(
                "This migration inserts flag `{}` into `{table}` with `{column}` = `{value}`, but the registry documents its default as `{doc}`, {consequence}",
                e.name
            ),
        )
        .help(format!(
            "insert `{}` as the registry says, or correct the registry's `Default` with the owner's review",
            if documented { "true" } else { "false" }
        ));
        out.push(m.at_ref(f, last));
    }
}
