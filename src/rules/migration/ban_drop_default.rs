//! DROP DEFAULT.
use super::{Cx, Hit};
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER COLUMN ... DROP DEFAULT` and `ALTER COLUMN ... DROP IDENTITY`
    /// on an existing column.
    ///
    /// ## Why it blocks a release
    /// Instances of the running release that insert without the column now
    /// write NULL, or fail on a NOT NULL column.
    ///
    /// ## How to ship it safely
    /// Make every writer set the column explicitly, release, then drop the
    /// default with `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-default", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        if let Action::DropDefault { table, column } = a {
            if cx.catalog.column_is_new(table, column) {
                continue;
            }
            out.push(Hit::new(
                &RULE,
                format!(
                    "Dropping the default of `{table}.{column}` breaks writers of the running release that rely on it"
                ),
                "make every writer set the column explicitly, release, then drop the default",
            ));
        }
    }
}
