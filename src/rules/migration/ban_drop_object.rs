//! Dropping any other object: trigger, policy, rule, extension, role, constraint...
use super::{Cx, Hit};
use crate::migration::action::{Action, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP` of objects no more specific rule covers: triggers, policies,
    /// rules, extensions, roles, constraints, composite type attributes, and the
    /// rest of PostgreSQL's catalog, when they existed before this change and are
    /// not re-created later in the same file (a `CASCADE` drop always counts);
    /// and `DROP OWNED BY`, which drops everything a role owns.
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
    let kept: Vec<Action> = cx
        .actions
        .iter()
        .filter(|a| !redundant_not_null_check(cx, a))
        .cloned()
        .collect();
    super::drops(
        &Cx { actions: &kept, ..*cx },
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

/// `DROP CONSTRAINT` of a `CHECK (col IS NOT NULL)` whose column is NOT NULL
/// (the last step of adding NOT NULL safely): the column still refuses NULLs.
fn redundant_not_null_check(cx: &Cx, a: &Action) -> bool {
    let Action::Drop {
        kind: ObjectKind::Constraint,
        names,
        on: Some(table),
        cascade: false,
        ..
    } = a
    else {
        return false;
    };
    let set_here = |column: &str| {
        cx.actions
            .iter()
            .any(|b| matches!(b, Action::SetNotNull { table: t, column: c } if t == table && c == column))
    };
    !names.is_empty()
        && names.iter().all(|n| {
            cx.catalog
                .not_null_check_column(table, &n.name)
                .is_some_and(|column| cx.catalog.column_is_not_null(table, column) || set_here(column))
        })
}
