//! BEGIN inside a transaction that is already open.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `BEGIN` (or `START TRANSACTION`) while a transaction is already
    /// open: the one the migration framework opened around the file (Flyway,
    /// sqlx, Diesel, dbmate, goose; see `ban-concurrently-in-transaction`), or
    /// an earlier `BEGIN` of the file that no `COMMIT` closed.
    ///
    /// ## Why it blocks a release
    /// PostgreSQL has no nested transactions: the inner `BEGIN` only warns, and
    /// the file's `COMMIT` then ends the outer transaction early. The rest of
    /// the migration runs outside it, so a failure leaves it half applied, and
    /// the framework's own `COMMIT` or `ROLLBACK` no longer covers it.
    ///
    /// ## How to ship it safely
    /// Remove the file's `BEGIN` and `COMMIT` and let the framework's
    /// transaction cover the file, or turn the framework's transaction off for
    /// this file when it must manage its own.
    pub RULE = { id: "ban-nested-transaction", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if cx.in_do_block || !cx.actions.iter().any(|a| matches!(a, Action::Begin)) {
        return;
    }
    let outer = if cx.explicit_tx {
        "an earlier `BEGIN` of this file"
    } else if cx.framework_tx {
        "the transaction the migration framework runs this file in"
    } else {
        return;
    };
    out.push(
        Finding::new(
            &RULE,
            format!("`BEGIN` inside {outer} only warns, and the next `COMMIT` ends the outer transaction early"),
        )
        .help("remove the file's BEGIN/COMMIT, or turn the framework's transaction off for this file"),
    );
}
