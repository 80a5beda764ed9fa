//! Dropping a type or domain.
use super::{Cx, Hit};
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP TYPE` and `DROP DOMAIN` of a type that existed before this change.
    ///
    /// ## Why it blocks a release
    /// Columns, functions and casts in the running release depend on the type;
    /// with `CASCADE` the columns that use it are dropped too.
    ///
    /// ## How to ship it safely
    /// Move every column off the type first, release, then drop it with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-type", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Type, ObjectKind::Domain],
        "move every column off the type, release, then drop it",
    );
}
