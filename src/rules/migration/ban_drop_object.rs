//! Dropping any other object: trigger, policy, rule, extension, role, constraint...
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind, Name, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP` of objects no more specific rule covers: triggers, rules,
    /// extensions, roles, composite type attributes, and the rest of
    /// PostgreSQL's catalog, when they existed before this change and are not
    /// re-created later in the same file (a `CASCADE` drop always counts);
    /// `DROP OWNED BY`, which drops everything a role owns; and a primary key
    /// or unique constraint dropped for good.
    ///
    /// A foreign key, `CHECK` or `NOT NULL` constraint dropped is not flagged:
    /// it only loosens what the database accepts, and every write of the
    /// running release still succeeds. (A foreign key with `ON DELETE CASCADE`
    /// also stops deleting children: re-create it if the release relies on that.)
    /// The kind of a constraint comes from the migrations that created it, or
    /// else from PostgreSQL's naming (`_fkey`, `_check`, `_pkey`, `_key`).
    ///
    /// `DROP CONSTRAINT IF EXISTS` of a constraint the migrations never
    /// created on a table they created (or dropped it since) is a no-op and is
    /// not flagged. A constraint added outside the migrations is not seen.
    ///
    /// A primary key or unique constraint is not flagged when the same change
    /// keeps its columns unique: it re-creates it, adds a primary key, unique
    /// constraint or unique index on the same columns, or one already exists.
    ///
    /// `DROP POLICY` is not flagged here: a policy decides who sees which
    /// rows, so removing one is a permission change, reviewed through the
    /// `permission-change` sign-off, not a schema break. (Under row-level
    /// security a dropped permissive policy denies what it allowed, and a
    /// dropped restrictive one allows what it denied.)
    ///
    /// ## Why it blocks a release
    /// A dropped trigger silently changes behaviour for the running release
    /// (audit stops, derived columns go stale); a dropped extension takes its
    /// types and functions with it. A dropped primary key or unique constraint
    /// lets duplicates in, and the running release's `INSERT ... ON CONFLICT
    /// (columns)` fails: no unique index matches its target any more.
    ///
    /// ## How to ship it safely
    /// Re-create the object in the same migration (`DROP TRIGGER ...; CREATE
    /// TRIGGER ...` is a replacement and passes), or approve the removal with
    /// `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-drop-object", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    // Most statements drop nothing: no copy of their actions to judge.
    if !cx.actions.iter().any(|a| matches!(a, Action::Drop { .. })) {
        return;
    }
    let kept: Vec<Action> = cx
        .actions
        .iter()
        .filter(|a| !redundant_not_null_check(cx, a))
        .filter(|a| {
            !matches!(
                a,
                Action::Drop {
                    kind: ObjectKind::Constraint,
                    on: Some(_),
                    ..
                }
            )
        })
        .cloned()
        .collect();
    super::drops(
        &MigrationCx { actions: &kept, ..*cx },
        out,
        &RULE,
        &[
            ObjectKind::Trigger,
            ObjectKind::Rule,
            ObjectKind::Extension,
            ObjectKind::Role,
            ObjectKind::Column,
            ObjectKind::Other,
        ],
        "re-create it in the same migration, or approve the removal with `-- MIGRATION_APPROVED: <reason>`",
    );
    for (i, a) in cx.actions.iter().enumerate() {
        let Action::Drop {
            kind: ObjectKind::Constraint,
            names,
            on: Some(table),
            if_exists,
            ..
        } = a
        else {
            continue;
        };
        if redundant_not_null_check(cx, a) {
            continue;
        }
        for n in names {
            if cx.catalog.is_new(ObjectKind::Constraint, n) || *if_exists && never_there(cx, table, &n.name) {
                continue;
            }
            let Some(what) = key_lost(cx, &cx.actions[i + 1..], table, &n.name) else {
                continue;
            };
            let consequence = if what == "constraint" {
                "may let duplicates in and break `ON CONFLICT` of the running release (the migrations do not show what it is)"
            } else {
                "lets duplicates in and breaks `ON CONFLICT` of the running release that relies on it"
            };
            out.push(Finding::new(&RULE, format!("Dropping {what} `{n}` on `{table}` {consequence}")).help("keep the columns unique (re-create the key, or add a unique index on them in the same migration), or approve the removal with `-- MIGRATION_APPROVED: <reason>`"));
        }
    }
}

/// True when the migrations created `table` and, since, never a constraint
/// `name` that is still there: `DROP CONSTRAINT IF EXISTS` is a no-op. (A
/// name PostgreSQL gives an unnamed constraint is judged by its kind instead:
/// the model does not compute every such name.)
fn never_there(cx: &MigrationCx, table: &Name, name: &str) -> bool {
    cx.catalog
        .table(table)
        .is_some_and(|t| t.defined && !t.constraints.contains_key(name))
        && constraint_kind(cx, table, name).is_none()
}

/// The kind of the constraint `name` on `table`: as the model saw it
/// created, or by PostgreSQL's naming of unnamed constraints.
fn constraint_kind(cx: &MigrationCx, table: &Name, name: &str) -> Option<ConstraintKind> {
    if let Some(c) = cx.catalog.constraint(table, name) {
        return Some(c.kind);
    }
    [
        ("_fkey", ConstraintKind::ForeignKey),
        ("_check", ConstraintKind::Check),
        ("_not_null", ConstraintKind::NotNull),
        ("_pkey", ConstraintKind::PrimaryKey),
        ("_key", ConstraintKind::Unique),
        ("_excl", ConstraintKind::Exclude),
    ]
    .into_iter()
    .find(|(suffix, _)| name.ends_with(suffix))
    .map(|(_, k)| k)
}

/// What dropping constraint `name` on `table` loses that the running release
/// may rely on (`"primary key"`, `"unique constraint"`, `"constraint"`), or
/// `None` when it only loosens the schema or the change keeps its columns
/// unique. `rest` are the actions after the drop in its statement.
fn key_lost(cx: &MigrationCx, rest: &[Action], table: &Name, name: &str) -> Option<&'static str> {
    let kind = constraint_kind(cx, table, name);
    let what = match kind {
        Some(ConstraintKind::ForeignKey | ConstraintKind::Check | ConstraintKind::NotNull) => return None,
        Some(ConstraintKind::PrimaryKey) => "primary key",
        Some(ConstraintKind::Unique) => "unique constraint",
        Some(ConstraintKind::Exclude) => "exclusion constraint",
        None => "constraint",
    };
    let old: &[String] = cx.catalog.constraint(table, name).map_or(&[], |c| c.columns.as_slice());
    let same = |cols: &[String]| {
        let mut cols = cols.to_vec();
        cols.sort();
        !old.is_empty() && cols == old
    };
    // Another unique index on the same columns stays.
    if let Some(t) = cx.catalog.table(table) {
        if t.unique_indexes.iter().any(|(n, cols)| n != name && same(cols)) {
            return None;
        }
    }
    let later = rest.iter().chain(cx.later.iter().flat_map(|s| &s.actions));
    for a in later {
        match a {
            // Re-created under its name: the same key unless the model knows it moved.
            Action::AddConstraint { table: t, constraint } if t == table => {
                let key = matches!(constraint.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique);
                let named = constraint.name.as_deref() == Some(name);
                if key && (same(&constraint.columns) || named && (old.is_empty() || constraint.columns.is_empty())) {
                    return None;
                }
                if named && !key && kind.is_none() {
                    return None;
                }
            }
            Action::CreateIndex {
                table: t,
                unique: true,
                columns,
                ..
            } if t == table && same(columns) => return None,
            _ => {}
        }
    }
    Some(what)
}

/// `DROP CONSTRAINT` of a `CHECK (col IS NOT NULL)` whose column is NOT NULL
/// (the last step of adding NOT NULL safely): the column still refuses NULLs.
fn redundant_not_null_check(cx: &MigrationCx, a: &Action) -> bool {
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
