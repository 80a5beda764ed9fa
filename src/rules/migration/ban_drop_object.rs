//! Dropping any other object: trigger, policy, rule, extension, role, constraint...
use super::{Cx, Hit};
use crate::migration::action::ObjectKind;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP` of objects no more specific rule covers: triggers, policies,
    /// rules, extensions, roles, constraints, composite type attributes, and the
    /// rest of PostgreSQL's catalog, when they existed before this change and are
    /// not re-created later in the same file.
    ///
    /// ## Why it blocks a release
    /// A dropped policy or trigger silently changes behaviour for the running
    /// release (rows become visible, audit stops); a dropped extension takes its
    /// types and functions with it.
    ///
    /// ## How to ship it safely
    /// Re-create the object in the same migration (`DROP POLICY ...; CREATE
    /// POLICY ...` is a replacement and passes), or approve the removal with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-object", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    super::drops(
        cx,
        out,
        &RULE,
        &[
            ObjectKind::Trigger,
            ObjectKind::Policy,
            ObjectKind::Rule,
            ObjectKind::Extension,
            ObjectKind::Role,
            ObjectKind::Constraint,
            ObjectKind::Column,
            ObjectKind::Other,
        ],
        "re-create it in the same migration, or approve the removal with `-- MIGRATION_APPROVED: <reason>`",
    );
}
