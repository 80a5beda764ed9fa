//! Renaming any other object.
use super::{Cx, Hit};
use crate::migration::action::{Action, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER <kind> ... RENAME TO` of views, functions, types, sequences,
    /// schemas, indexes, constraints, triggers, policies and every other object
    /// that existed before this change (tables have `ban-rename-table`).
    ///
    /// ## Why it blocks a release
    /// Whatever refers to the object by name in the running release (queries,
    /// `nextval('...')`, `ON CONFLICT ON CONSTRAINT ...`, tooling) stops working.
    ///
    /// ## How to ship it safely
    /// Create the object under the new name beside the old one, move users over,
    /// then drop the old name later; or approve with `-- MIGRATION_APPROVED: <reason>`
    /// when nothing refers to it by name.
    pub RULE = { id: "ban-rename-object", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        if let Action::Rename { kind, from, to, .. } = a {
            if *kind == ObjectKind::Table || cx.catalog.is_new(*kind, from) {
                continue;
            }
            out.push(Hit::new(
                &RULE,
                format!(
                    "Renaming {} `{from}` to `{to}` breaks what still refers to `{from}`",
                    kind.label()
                ),
                "create it under the new name beside the old one, move users over, then drop the old name",
            ));
        }
    }
}
