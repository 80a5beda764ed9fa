//! DROP DEFAULT.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER COLUMN ... DROP DEFAULT` and `ALTER COLUMN ... DROP IDENTITY`
    /// on an existing column, unless the column is nullable afterwards (the
    /// migrations show it nullable, or the same statement drops NOT NULL), or
    /// the same change gives it a value again later (`SET DEFAULT`, `ADD
    /// GENERATED ... AS IDENTITY`).
    ///
    /// Dropping the default of a nullable column is not flagged: a writer
    /// that omits the column stores NULL, a value the column already allowed
    /// and its readers already handle.
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

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::DropDefault { table, column } = a {
            if cx.column_added(table, column)
                || nullable_after(cx, table, column)
                || default_given_again(cx, table, column)
            {
                continue;
            }
            let message = if cx.catalog.column_is_not_null(table, column) {
                format!("Dropping the only default of NOT NULL column `{table}.{column}` makes the running release's INSERTs that leave it out fail")
            } else {
                format!(
                    "Dropping the default of `{table}.{column}` breaks writers of the running release that rely on it"
                )
            };
            out.push(
                Finding::new(&RULE, message)
                    .help("make every writer set the column explicitly, release, then drop the default")
                    .pointing_at(cx.column_clause(column, &["alter", "drop", "default"])),
            );
        }
    }
}

/// True when the migrations show the column, and it accepts NULL once this
/// statement has run.
fn nullable_after(cx: &MigrationCx, table: &Name, column: &str) -> bool {
    let known = cx.catalog.column_type(table, column).is_some();
    let dropped_here = cx.actions.iter().any(|a| {
        matches!(a, Action::AlterColumnOther { table: t, column: c, what }
            if t == table && c == column && what.starts_with("DROP NOT NULL"))
    });
    dropped_here || known && !cx.catalog.column_is_not_null(table, column)
}

/// True when a later action of the file gives the column a default or an
/// identity again, so that writers that omit it still get a value.
fn default_given_again(cx: &MigrationCx, table: &Name, column: &str) -> bool {
    let after_drop = cx
        .actions
        .iter()
        .skip_while(|a| !matches!(a, Action::DropDefault { table: t, column: c } if t == table && c == column))
        .skip(1);
    after_drop.chain(cx.later.iter().flat_map(|s| &s.actions)).any(|a| {
        matches!(a, Action::AlterColumnOther { table: t, column: c, what }
            if t == table && c == column && (what.starts_with("SET DEFAULT") || what.starts_with("ADD GENERATED")))
    })
}
