//! Renaming any other object.
use super::{Cx, Hit};
use crate::migration::action::{Action, Name, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER <kind> ... RENAME TO` of views, functions, types, sequences,
    /// schemas, constraints, triggers, policies and every other object
    /// that existed before this change (tables have `ban-rename-table`).
    ///
    /// Renaming an index is not flagged: queries never name an index, and the
    /// planner finds it under any name. An index that carries a primary key or
    /// unique constraint is the exception: renaming it renames the constraint,
    /// which `INSERT ... ON CONFLICT ON CONSTRAINT <name>` and error handling
    /// that matches constraint names refer to.
    ///
    /// Renaming an enum away is not flagged when a later statement of the
    /// change gives its name to an enum with every one of its labels (tools
    /// rebuild an enum that way to drop a label): what refers to the name
    /// finds an enum that accepts every value it used.
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
            if *kind == ObjectKind::Index && !carries_constraint(cx, from) {
                continue;
            }
            if *kind == ObjectKind::Type && enum_name_reused(cx, from) {
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

/// True when `ty` is an enum whose labels the model knows, and a later
/// statement of the file gives its name to an enum with every one of them:
/// `CREATE TYPE <ty> AS ENUM (...)`, or the rename of an enum to `<ty>`.
fn enum_name_reused(cx: &Cx, ty: &Name) -> bool {
    let Some(old) = cx.catalog.enums.get(ty) else {
        return false;
    };
    let later = || cx.later.iter().flat_map(|s| &s.actions);
    let labels_of = |n: &Name| {
        later()
            .find_map(|a| match a {
                Action::EnumLabels { ty, labels } if ty == n => Some(labels.as_slice()),
                _ => None,
            })
            .or_else(|| cx.catalog.enums.get(n).map(Vec::as_slice))
    };
    let superset = |labels: Option<&[String]>| labels.is_some_and(|new| old.iter().all(|l| new.contains(l)));
    later().any(|a| match a {
        Action::EnumLabels { ty: t, labels } => t == ty && superset(Some(labels)),
        Action::Rename {
            kind: ObjectKind::Type,
            from,
            to,
            ..
        } => from.schema == ty.schema && *to == ty.name && superset(labels_of(from)),
        _ => false,
    })
}

/// True when the index `from` may carry a key constraint of the same name:
/// the model saw that constraint, or does not know the index and its name is
/// one PostgreSQL gives a constraint's index (`_pkey`, `_key`, `_excl`).
fn carries_constraint(cx: &Cx, from: &Name) -> bool {
    if let Some((table, _)) = cx.catalog.unique_index(&from.name) {
        return cx.catalog.constraint(table, &from.name).is_some();
    }
    if cx.catalog.was_created(ObjectKind::Index, from) {
        return false;
    }
    ["_pkey", "_key", "_excl"].iter().any(|s| from.name.ends_with(s))
}
