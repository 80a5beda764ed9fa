//! Statements that queue on a strong lock without a lock_timeout.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name, ObjectKind};
use crate::migration::locks::{self, LockMode, On};

crate::declare_rule! {
    /// ## What it does
    /// Flags the first statement of a file that takes a lock of SHARE ROW
    /// EXCLUSIVE or stronger on an existing table, index or partition when no
    /// `SET lock_timeout` came before it in the file: most `ALTER TABLE` forms,
    /// foreign keys (on both tables), `DROP TABLE`, `DROP INDEX`, `TRUNCATE`,
    /// `REINDEX`, `DETACH PARTITION`, `REFRESH MATERIALIZED VIEW`,
    /// `LOCK TABLE`, `VACUUM FULL`, `CLUSTER`, `CREATE TRIGGER`. The lock each
    /// statement takes is in the lock table (`docs/locks.md`), which the tests
    /// check against PostgreSQL. Set `migrations.assume_lock_timeout: true` when
    /// your deploy tool sets it for every migration.
    ///
    /// ## Why it blocks a release
    /// The statement queues behind any long-running query on the table, and
    /// every other query on the table queues behind it: a one-millisecond change
    /// becomes an outage.
    ///
    /// ## How to ship it safely
    /// Start the migration with `SET lock_timeout = '5s';` (and retry on timeout).
    pub RULE = { id: "require-lock-timeout", domain: Migration, default: Warning, class: Lock };
}

/// The relation an action locks on `on`, as a message names it, and whether
/// it is a table this change created (which holds no traffic yet).
fn relation(cx: &MigrationCx, a: &Action, on: On) -> Option<(String, bool)> {
    let table = |n: &Name| Some((format!("`{n}`"), cx.catalog.table_is_new(n)));
    match (a, on) {
        (Action::Truncate { tables }, On::Table) | (Action::Lock { tables, .. }, On::Table) => table(tables.first()?),
        (
            Action::Drop {
                kind: ObjectKind::Index,
                names,
                ..
            },
            On::Index,
        ) => Some((format!("index `{}`", names.first()?), false)),
        (
            Action::Drop {
                kind: ObjectKind::Index,
                ..
            },
            _,
        ) => None,
        (Action::Drop { names, on: None, .. }, On::Table) => table(names.first()?),
        (Action::Drop { on: Some(t), .. }, On::Table) => table(t),
        (Action::Rename { from, .. }, On::Table) => table(from),
        (Action::Reindex { target, .. }, On::Index) => Some((
            match target {
                Some(t) => format!("the indexes that `REINDEX` of `{t}` rebuilds"),
                None => "the indexes `REINDEX` rebuilds".to_string(),
            },
            target.as_ref().is_some_and(|t| cx.catalog.table_is_new(t)),
        )),
        (Action::Reindex { .. }, _) => None,
        (Action::RefreshMaterializedView { name, .. }, On::Table) => Some((
            name.as_ref()
                .map_or("the materialized view".into(), |n| format!("`{n}`")),
            name.as_ref()
                .is_some_and(|n| cx.catalog.is_new(ObjectKind::MaterializedView, n)),
        )),
        (Action::DetachPartition { partition, .. }, On::Partition) => Some((format!("partition `{partition}`"), false)),
        (Action::Create { on: Some(t), .. }, On::Table) => table(t),
        (_, On::Table) => table(a.table()?),
        _ => None,
    }
}

fn strong_lock(cx: &MigrationCx, a: &Action) -> Option<String> {
    // VACUUM FULL and CLUSTER without a table rewrite every table they may.
    if matches!(a, Action::Vacuum { full: true } | Action::Cluster) {
        return Some("The ACCESS EXCLUSIVE lock on the tables it rewrites".into());
    }
    let kind = locks::kind_of(a)?;
    let mut locks: Vec<(On, LockMode)> = kind.locks.to_vec();
    if let Some(mode) = locks::table_lock(a) {
        locks.retain(|(o, _)| *o != On::Table);
        locks.insert(0, (On::Table, mode));
    }
    locks.into_iter().find_map(|(on, mode)| {
        if mode < LockMode::ShareRowExclusive {
            return None;
        }
        let (what, new) = relation(cx, a, on)?;
        (!new).then(|| format!("The {} lock on {what}", mode.name()))
    })
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if cx.lock_timeout_set || cx.assume_lock_timeout || cx.in_do_block {
        return;
    }
    // The engine reports this rule at the first such statement of a file only.
    if let Some(what) = cx.actions.iter().find_map(|a| strong_lock(cx, a)) {
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "{what} is requested without a `lock_timeout`, so it can queue every query on the table behind it"
                ),
            )
            .help("start the migration with `SET lock_timeout = '5s';`"),
        );
    }
}
