//! A documented flag that no migration inserts into the flag table.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::{Column, RefKind};

crate::declare_rule! {
    /// ## What it does
    /// With `flags.table`, reports a documented flag that no migration inserts into the flag table,
    /// or whose row a later migration deletes (`DELETE FROM feature_flags WHERE key = 'x'`).
    ///
    /// A row whose `Status` is `removed` (or `retired`) is a record of a flag
    /// that is gone, and needs no row in the table.
    ///
    /// The flag table is where flags live in the database, such as
    /// `feature_flags`; a migration inserts a flag into it (`INSERT INTO feature_flags (key, enabled) VALUES ('x', false)`).
    /// The key and default columns are `flags.key_column` and
    /// `flags.default_column`, or found by their usual names.
    ///
    /// ## Why it blocks a release
    /// Code that reads a flag row that does not exist gets whatever the SDK or
    /// query falls back to, in every environment the migrations built. The
    /// registry's default is only true in production if a migration puts it there.
    ///
    /// ## How to ship it safely
    /// Insert the flag, with its documented default, in a migration of the same
    /// change:
    ///
    /// ```sql
    /// INSERT INTO feature_flags (key, enabled) VALUES ('new_checkout', false);
    /// ```
    ///
    /// When the flag is gone on purpose (a `beta_*` flag replaced at GA), delete
    /// its registry row too, or keep it as a record with `Status` `removed`.
    pub RULE = { id: "flag-missing-from-table", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    let Some(table) = m.table else { return };
    for e in &m.registry.entries {
        // A flag kept as a record (`Status: removed`) needs no row.
        if e.is_removed() {
            continue;
        }
        // The last insert or delete of the flag's row decides.
        let last = m.last_row_write(&e.name);
        if let Some(r) = last.filter(|r| r.kind == RefKind::MigrationDelete) {
            let f = Finding::new(
                &RULE,
                format!(
                    "This migration deletes flag `{}` from `{table}`, but the registry still documents it, so databases built from the migrations have no row for it",
                    e.name
                ),
            )
            .help(format!(
                "retire the flag in the same change (remove its code and its row in `{}`), or keep its row",
                m.registry.path
            ));
            out.push(m.at_ref(f, r));
            continue;
        }
        if last.is_some() {
            continue;
        }
        let value = if e.default_on() == Some(true) { "true" } else { "false" };
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` is documented but no migration inserts it into `{table}`, so databases built from the migrations have no row for it",
                e.name
            ),
        )
        .help(format!("add a migration: `INSERT INTO {table} (key, enabled) VALUES ('{}', {value});`", e.name));
        out.push(m.at_row(f, e, Column::Flag));
    }
}
