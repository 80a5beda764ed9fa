//! ACCESS EXCLUSIVE statements without a lock_timeout.
use super::{Cx, Hit};
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags the first statement of a file that takes an ACCESS EXCLUSIVE lock on
    /// an existing table (most `ALTER TABLE` forms, `DROP`, `TRUNCATE`,
    /// `VACUUM FULL`, `CLUSTER`) when no `SET lock_timeout` came before it in the
    /// file. Set `migrations.assume_lock_timeout: true` when your deploy tool
    /// sets it for every migration.
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

fn takes_access_exclusive(cx: &Cx, a: &Action) -> Option<String> {
    let existing = |t| !cx.catalog.table_is_new(t);
    let table = match a {
        Action::AddColumn { table, .. }
        | Action::DropColumn { table, .. }
        | Action::AlterColumnType { table, .. }
        | Action::SetNotNull { table, .. }
        | Action::DropDefault { table, .. }
        | Action::RenameColumn { table, .. }
        | Action::SetUnlogged { table } => table,
        Action::AddConstraint { table, constraint } if !constraint.not_valid => table,
        Action::Rename {
            from,
            kind: crate::migration::action::ObjectKind::Table,
            ..
        } => from,
        Action::Truncate { tables } => tables.first()?,
        Action::Vacuum { full: true } | Action::Cluster => return Some("the tables it rewrites".into()),
        _ => return None,
    };
    existing(table).then(|| format!("`{table}`"))
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    if cx.lock_timeout_set || cx.assume_lock_timeout || cx.in_do_block {
        return;
    }
    // The engine reports this rule at the first such statement of a file only.
    if let Some(what) = cx.actions.iter().find_map(|a| takes_access_exclusive(cx, a)) {
        out.push(Hit::new(
            &RULE,
            format!("The ACCESS EXCLUSIVE lock on {what} is requested without a `lock_timeout`, so it can queue every query on the table behind it"),
            "start the migration with `SET lock_timeout = '5s';`",
        ));
    }
}
