//! Dropping a function or procedure, or re-creating it with other arguments.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name, ObjectKind, RoutineArg};

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP FUNCTION`, `DROP PROCEDURE` and `DROP ROUTINE` of a routine
    /// that existed before this change and is not re-created later in the file.
    ///
    /// A routine dropped with its argument types (`DROP FUNCTION f(uuid)`)
    /// and created again later in the file is flagged when no new definition
    /// accepts the old calls: the same argument types, optionally followed by
    /// arguments with defaults.
    ///
    /// ## Why it blocks a release
    /// Callers in the running release, triggers, defaults and policies that use
    /// the function fail. A function of the same name with other arguments is
    /// another function to PostgreSQL: `f(member_id)` finds no `f(uuid)` once
    /// only `f()` or `f(uuid, text)` is left.
    ///
    /// ## How to ship it safely
    /// Use `CREATE OR REPLACE FUNCTION` when the signature stays the same, or
    /// drop and re-create it in one migration. To change the arguments, add
    /// the new ones with defaults, or create the new overload beside the old
    /// one and drop the old one once nothing calls it, with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-function", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::Function, ObjectKind::Procedure],
        "use `CREATE OR REPLACE FUNCTION`, or remove callers before dropping it",
    );
    for a in cx.actions {
        let Action::RoutineArgs {
            name,
            args,
            created: false,
            ..
        } = a
        else {
            continue;
        };
        let dropped = cx.actions.iter().find_map(|a| match a {
            Action::Drop {
                kind: kind @ (ObjectKind::Function | ObjectKind::Procedure),
                names,
                cascade: false,
                ..
            } if names.contains(name) => Some(*kind),
            _ => None,
        });
        // A drop that is no replacement is flagged above.
        let Some(kind) = dropped else { continue };
        if cx.catalog.is_new(kind, name) || !cx.recreated_later(kind, name) {
            continue;
        }
        let later = created_later(cx, name);
        if later.is_empty() || later.iter().any(|new| accepts(new, args)) {
            continue;
        }
        let types: Vec<&str> = args.iter().map(|a| a.ty.text.as_str()).collect();
        out.push(Finding::new(&RULE, format!(
                "Dropping `{name}({})` and creating `{name}` with other arguments breaks the running release's calls of the old signature",
                types.join(", ")
            )).help("keep the old arguments first and give new ones defaults, or keep the old overload until nothing calls it"));
    }
}

/// The argument lists later statements of the file create `name` with.
fn created_later<'a>(cx: &'a MigrationCx, name: &Name) -> Vec<&'a [RoutineArg]> {
    cx.later
        .iter()
        .flat_map(|s| &s.actions)
        .filter_map(|a| match a {
            Action::RoutineArgs {
                name: n,
                args,
                created: true,
                ..
            } if n == name => Some(args.as_slice()),
            _ => None,
        })
        .collect()
}

/// True when every call of `old` resolves to `new`: the same argument types
/// (type modifiers are no part of a signature), then arguments with defaults.
fn accepts(new: &[RoutineArg], old: &[RoutineArg]) -> bool {
    new.len() >= old.len()
        && old
            .iter()
            .zip(new)
            .all(|(o, n)| o.ty.base == n.ty.base && o.ty.array == n.ty.array)
        && new[old.len()..].iter().all(|n| n.has_default)
}
