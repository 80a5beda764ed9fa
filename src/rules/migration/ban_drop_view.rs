//! Dropping a view or materialized view.
use super::{Cx, Hit};
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP VIEW` and `DROP MATERIALIZED VIEW` of a view that existed
    /// before this change and is not re-created later in the same file.
    ///
    /// ## Why it blocks a release
    /// Queries of the running release that select from the view fail at once.
    ///
    /// ## How to ship it safely
    /// Use `CREATE OR REPLACE VIEW` to change a view, or drop and re-create it
    /// in the same migration. To remove it, stop using it first and approve the
    /// drop with `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-view", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::View, ObjectKind::MaterializedView],
        "re-create the view in the same migration, or stop using it before dropping it",
    );
}
