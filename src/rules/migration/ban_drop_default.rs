//! DROP DEFAULT.
use super::{Cx, Hit};
use crate::migration::action::{Action, Name};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER COLUMN ... DROP DEFAULT` and `ALTER COLUMN ... DROP IDENTITY`
    /// on an existing column, unless a later statement of the change gives
    /// it a default again.
    ///
    /// ## Why it blocks a release
    /// Instances of the running release that insert without the column now
    /// write NULL. On a NOT NULL column nothing fills it any more: those
    /// INSERTs fail, as they would for a required column added without a
    /// default.
    ///
    /// ## How to ship it safely
    /// Make every writer set the column explicitly, release, then drop the
    /// default with `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-default", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        if let Action::DropDefault { table, column } = a {
            if cx.column_added(table, column) || default_set_later(cx, table, column) {
                continue;
            }
            let message = if cx.catalog.column_is_not_null(table, column) {
                format!("Dropping the only default of NOT NULL column `{table}.{column}` makes the running release's INSERTs that leave it out fail")
            } else {
                format!(
                    "Dropping the default of `{table}.{column}` breaks writers of the running release that rely on it"
                )
            };
            out.push(Hit::new(
                &RULE,
                message,
                "make every writer set the column explicitly, release, then drop the default",
            ));
        }
    }
}

/// True when a later statement of the change gives the column a default
/// again (`DROP DEFAULT` then `SET DEFAULT` replaces it).
fn default_set_later(cx: &Cx, table: &Name, column: &str) -> bool {
    cx.later.iter().flat_map(|s| &s.actions).any(|a| {
        matches!(a, Action::AlterColumnOther { table: t, column: c, what }
            if t == table && c == column && (what.starts_with("SET DEFAULT") || what.starts_with("ADD GENERATED")))
    })
}
