//! Rows a statement removed from a table that existed before the migration.
use super::DryRunCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement after which a table that existed before the change
    /// has fewer rows than before it, including a table dropped with its
    /// rows: row-count parity, measured on a real database.
    ///
    /// ## Why it blocks a release
    /// Release runbooks demand zero data loss: row counts per table must
    /// match after the migration. A `DELETE` whose `WHERE` matches more than
    /// intended, a `TRUNCATE`, a cascade or a function that deletes rows looks
    /// harmless in review and removes data for good; a rollback of the code
    /// cannot bring it back. Counts above `--exact-count-limit` rows are
    /// estimates from `pg_class.reltuples` corrected by the transaction's own
    /// insert and delete counters.
    ///
    /// ## How to ship it safely
    /// Fix the statement so that it keeps the rows, or, when removing them is
    /// the point (purging expired data, a backfill that moves rows), say so
    /// with `-- MIGRATION_APPROVED: <reason>` on the statement, after taking a
    /// backup.
    pub RULE = { id: "dry-run-row-loss", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &DryRunCx, out: &mut Vec<Finding>) {
    if !cx.ran() {
        return;
    }
    for r in cx.statement.rows.iter().filter(|r| r.preexisting && r.lost() > 0) {
        let about = if r.exact { "" } else { "about " };
        let message = match (r.before, r.after) {
            (Some(b), None) => format!(
                "This statement dropped table `{}` with its {about}{}, so the migration loses data",
                r.table,
                plural(b, "row", "rows")
            ),
            (Some(b), Some(a)) => format!(
                "This statement removed {about}{} of {b} from `{}` ({b} → {a}), so the migration loses data",
                plural(b - a, "row", "rows"),
                r.table
            ),
            _ => continue,
        };
        out.push(
            Finding::new(&RULE, message).help(
                "keep the rows, or approve the loss with `-- MIGRATION_APPROVED: <reason>` after taking a backup",
            ),
        );
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
