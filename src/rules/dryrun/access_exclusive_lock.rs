//! An ACCESS EXCLUSIVE lock on a large table that existed before the migration.
use super::DryRunCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Warns when a statement took an `ACCESS EXCLUSIVE` lock on a table with
    /// more rows than `--large-table-rows` (default 100000), as observed in
    /// `pg_locks`, and says when the table was rewritten too.
    ///
    /// ## Why it blocks a release
    /// It does not block. While the lock is held every read and write of the
    /// table waits, and in a migration that runs in a transaction it is held
    /// until the commit. On a large table, and above all with a rewrite, that
    /// is an outage.
    ///
    /// ## How to ship it safely
    /// Use the forms that take weaker locks: `CREATE INDEX CONCURRENTLY`,
    /// `ADD CONSTRAINT ... NOT VALID` then `VALIDATE CONSTRAINT`, a new column
    /// and a backfill instead of `ALTER COLUMN ... TYPE`. Set `lock_timeout`.
    /// If the lock is acceptable (a maintenance window), approve it by name:
    /// `-- MIGRATION_APPROVED(dry-run-access-exclusive-lock): <reason>`.
    pub RULE = { id: "dry-run-access-exclusive-lock", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &DryRunCx, out: &mut Vec<Finding>) {
    if !cx.ran() {
        return;
    }
    let s = cx.statement;
    // A rewrite needs ACCESS EXCLUSIVE: when the run already held it, the rewrite still tells.
    let held_and_rewritten = s.held_locks.iter().filter(|l| {
        s.rewrites.iter().any(|r| r.relation == l.relation && r.kind == "table")
            && !s.locks.iter().any(|n| n.relation == l.relation && n.mode == l.mode)
    });
    let mut warned: Vec<&str> = Vec::new();
    for l in s
        .locks
        .iter()
        .chain(held_and_rewritten)
        .filter(|l| l.mode == "AccessExclusiveLock" && l.large && l.preexisting && l.kind == "table")
    {
        if warned.contains(&l.relation.as_str()) {
            continue;
        }
        warned.push(&l.relation);
        let rewritten = s.rewrites.iter().any(|r| r.relation == l.relation);
        let rows = l.rows.unwrap_or(0);
        let hold = if cx.file.wrapped {
            "until the migration commits"
        } else {
            "while it runs"
        };
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "This statement {}takes an ACCESS EXCLUSIVE lock on `{}` ({} rows, more than {}) and holds it {hold}, so every read and write of the table waits",
                    if rewritten { "rewrites the table and " } else { "" },
                    l.relation,
                    rows,
                    cx.opts.large_table_rows
                ),
            )
            .help("use a form that takes a weaker lock (CONCURRENTLY, NOT VALID then VALIDATE), set `lock_timeout`, or run it in a maintenance window"),
        );
    }
}
