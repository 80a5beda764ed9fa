//! Adding a NOT NULL column without a default.
use super::{Cx, Hit};
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ADD COLUMN ... NOT NULL` without a `DEFAULT` on an existing table.
    ///
    /// ## Why it blocks a release
    /// The statement fails on any table with rows, and once applied, instances
    /// of the running release that insert without the column fail.
    ///
    /// ## How to ship it safely
    /// Add the column with a constant `DEFAULT`, or add it nullable, backfill,
    /// and set NOT NULL later (see `ban-set-not-null`).
    pub RULE = { id: "ban-add-not-null-column", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        if let Action::AddColumn { table, column } = a {
            if !column.not_null
                || column.default.is_some()
                || column.generated.is_some()
                || cx.catalog.table_is_new(table)
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
    }
}
