//! Adding a NOT NULL column without a default, at once or in steps.
use super::MigrationCx;
use crate::finding::Finding;
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

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for (i, a) in cx.actions.iter().enumerate() {
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
                out.push(Finding::new(&RULE, format!("Adding NOT NULL column `{table}.{}` without a default fails on existing rows and breaks writers of the running release", column.name)).help("add a constant DEFAULT, or add the column nullable, backfill, then set NOT NULL"));
            }
            Action::SetNotNull { table, column } | Action::DropDefault { table, column } => {
                let Some(before) = new_column_state(cx, i, table, column) else {
                    continue;
                };
                let set_not_null = matches!(a, Action::SetNotNull { .. });
                let required_before = before.not_null && !before.has_default;
                let required_after = (before.not_null || set_not_null) && !(before.has_default && set_not_null);
                if required_before || !required_after || undone_later(cx, i, table, column) {
                    continue;
                }
                let message = if set_not_null {
                    format!("Making new column `{table}.{column}` NOT NULL without a default makes the running release's INSERTs, which leave it out, fail")
                } else {
                    format!("Dropping the default of new NOT NULL column `{table}.{column}` makes the running release's INSERTs, which leave it out, fail")
                };
                out.push(Finding::new(&RULE, message).help(HELP));
            }
            _ => {}
        }
    }
}

/// A column this change adds, as it stands before action `i` of the statement.
struct NewColumn {
    not_null: bool,
    has_default: bool,
}

/// The state of `table.column` before action `i`, when this change added
/// the column (in an earlier statement or earlier in this one) to a table
/// that existed before the change.
fn new_column_state(cx: &MigrationCx, i: usize, table: &Name, column: &str) -> Option<NewColumn> {
    if cx.catalog.table_is_new(table) {
        return None;
    }
    let mut state = cx
        .catalog
        .column(table, column)
        .filter(|c| c.created_in_change)
        .map(|c| NewColumn {
            not_null: c.not_null || cx.catalog.column_is_not_null(table, column),
            has_default: c.has_default,
        });
    for a in &cx.actions[..i] {
        match a {
            Action::AddColumn { table: t, column: c } if t == table && c.name == column => {
                state = Some(NewColumn {
                    not_null: c.not_null,
                    has_default: c.default.is_some() || c.generated.is_some(),
                });
            }
            Action::SetNotNull { table: t, column: c } if t == table && c == column => {
                if let Some(s) = &mut state {
                    s.not_null = true;
                }
            }
            Action::DropDefault { table: t, column: c } if t == table && c == column => {
                if let Some(s) = &mut state {
                    s.has_default = false;
                }
            }
            Action::AlterColumnOther {
                table: t,
                column: c,
                what,
            } if t == table && c == column => {
                if let Some(s) = &mut state {
                    s.has_default |= what.starts_with("SET DEFAULT") || what.starts_with("ADD GENERATED");
                }
            }
            _ => {}
        }
    }
    state
}

/// True when an action after action `i` of the change (in this statement
/// or a later one) gives the column a value again (a default, an
/// identity), makes it nullable, or removes it.
fn undone_later(cx: &MigrationCx, i: usize, table: &Name, column: &str) -> bool {
    let rest = cx.actions[i + 1..].iter();
    rest.chain(cx.later.iter().flat_map(|s| &s.actions)).any(|a| match a {
        Action::AlterColumnOther {
            table: t,
            column: c,
            what,
        } if t == table && c == column => ["SET DEFAULT", "ADD GENERATED", "DROP NOT NULL"]
            .iter()
            .any(|w| what.starts_with(w)),
        Action::DropColumn {
            table: t, column: c, ..
        } => t == table && c == column,
        Action::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => names.contains(table),
        _ => false,
    })
}
