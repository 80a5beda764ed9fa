//! Adding a NOT NULL column without a default, at once or in steps.
use super::{Cx, Hit};
use crate::migration::action::{Action, Name, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags a column that this change adds to an existing table and leaves
    /// NOT NULL without a default:
    ///
    /// - `ADD COLUMN ... NOT NULL` without a `DEFAULT`;
    /// - `ADD COLUMN` nullable, a backfill, then `SET NOT NULL`;
    /// - `ADD COLUMN ... NOT NULL DEFAULT v`, then `DROP DEFAULT`.
    ///
    /// The column is judged by its state at the end of the change, and the
    /// finding points at the statement that makes it required. A column that
    /// a later statement of the change gives a default again, makes nullable
    /// again or drops is not flagged.
    ///
    /// ## Why it blocks a release
    /// Instances of the running release do not know the column: their
    /// INSERTs leave it out, and PostgreSQL rejects every such row once the
    /// column is NOT NULL with nothing to fill it. The one-statement form also
    /// fails on any table with rows. A backfill or a temporary default gets
    /// the existing rows through the migration, not the old writers.
    ///
    /// ## How to ship it safely
    /// Add the column with a constant `DEFAULT` and keep it until every
    /// writer sets the column, or add it nullable and make it NOT NULL in a
    /// later release, once the release that writes it is everywhere.
    pub RULE = { id: "ban-add-not-null-column", domain: Migration, default: Error, class: Contract };
}

const HELP: &str = "keep a constant DEFAULT until every writer sets the column, or set NOT NULL in a later release";

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        match a {
            Action::AddColumn { table, column } => {
                if !column.not_null
                    || column.default.is_some()
                    || column.generated.is_some()
                    || cx.catalog.table_is_new(table)
                    || (column.if_not_exists && cx.catalog.column(table, &column.name).is_some())
                {
                    continue;
                }
                if matches!(column.ty.base.as_str(), "serial" | "bigserial" | "smallserial") {
                    continue;
                }
                out.push(Hit::new(
                    &RULE,
                    format!("Adding NOT NULL column `{table}.{}` without a default fails on existing rows and breaks writers of the running release", column.name),
                    "add a constant DEFAULT, or add the column nullable, backfill, then set NOT NULL",
                ));
            }
            Action::SetNotNull { table, column } if added_to_existing_table(cx, table, column) => {
                let has_default = cx.catalog.column(table, column).is_some_and(|c| c.has_default);
                if has_default || undone_later(cx, table, column) {
                    continue;
                }
                out.push(Hit::new(
                    &RULE,
                    format!("Making new column `{table}.{column}` NOT NULL without a default makes the running release's INSERTs, which leave it out, fail"),
                    HELP,
                ));
            }
            Action::DropDefault { table, column } if added_to_existing_table(cx, table, column) => {
                let not_null = cx.catalog.column_is_not_null(table, column);
                if !not_null || undone_later(cx, table, column) {
                    continue;
                }
                out.push(Hit::new(
                    &RULE,
                    format!("Dropping the default of new NOT NULL column `{table}.{column}` makes the running release's INSERTs, which leave it out, fail"),
                    HELP,
                ));
            }
            _ => {}
        }
    }
}

/// True when this change added the column to a table that existed before it.
fn added_to_existing_table(cx: &Cx, table: &Name, column: &str) -> bool {
    !cx.catalog.table_is_new(table) && cx.catalog.column(table, column).is_some_and(|c| c.created_in_change)
}

/// True when a later statement of the change gives the column a value again
/// (a default, an identity), makes it nullable, or removes it.
fn undone_later(cx: &Cx, table: &Name, column: &str) -> bool {
    cx.later.iter().flat_map(|s| &s.actions).any(|a| match a {
        Action::AlterColumnOther {
            table: t,
            column: c,
            what,
        } if t == table && c == column => ["SET DEFAULT", "ADD GENERATED", "DROP NOT NULL"]
            .iter()
            .any(|w| what.starts_with(w)),
        Action::DropColumn { table: t, column: c } => t == table && c == column,
        Action::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => names.contains(table),
        _ => false,
    })
}
