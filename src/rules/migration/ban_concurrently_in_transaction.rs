//! CONCURRENTLY inside a transaction.
use super::{Cx, Hit};
use crate::migration::action::{Action, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`,
    /// `REINDEX ... CONCURRENTLY` and `DETACH PARTITION ... CONCURRENTLY` that
    /// run inside a transaction: an explicit `BEGIN`, or a file the migration
    /// framework wraps in one (Flyway, Prisma, Supabase, sqlx, Diesel, dbmate,
    /// goose; golang-migrate and plain folders do not wrap). Inside a `DO` block
    /// they always fail: a `DO` block is itself one transaction.
    ///
    /// ## Why it blocks a release
    /// PostgreSQL refuses these statements inside a transaction block: the
    /// migration fails in production.
    ///
    /// ## How to ship it safely
    /// Put the statement in a migration of its own and turn the framework's
    /// transaction off for it (`-- +goose NO TRANSACTION`,
    /// `-- migrate:up transaction:false`, sqlx `-- no-transaction`, Diesel
    /// `run_in_transaction = false`), or set `migrations.transaction: never` if
    /// your deploy runs files without one.
    pub RULE = { id: "ban-concurrently-in-transaction", domain: Migration, default: Error, class: Lock };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    // A DO block always runs its statements inside a transaction.
    if !cx.in_transaction && !cx.in_do_block {
        return;
    }
    for a in cx.actions {
        let what = match a {
            Action::CreateIndex { concurrently: true, .. } => "CREATE INDEX CONCURRENTLY",
            Action::Drop {
                kind: ObjectKind::Index,
                concurrently: true,
                ..
            } => "DROP INDEX CONCURRENTLY",
            Action::Reindex { concurrently: true } => "REINDEX CONCURRENTLY",
            Action::AlterTableOther { what, .. } if what.starts_with("DETACH") && what.contains("CONCURRENTLY") => {
                "DETACH PARTITION CONCURRENTLY"
            }
            _ => continue,
        };
        let why = if cx.in_do_block {
            "the statements of a DO block run in one transaction"
        } else if cx.file.wrapped {
            "this migration runs inside a transaction"
        } else {
            "it follows an explicit BEGIN"
        };
        out.push(Hit::new(
            &RULE,
            format!("`{what}` fails because {why}"),
            "move it to a migration of its own that runs without a transaction",
        ));
    }
}
