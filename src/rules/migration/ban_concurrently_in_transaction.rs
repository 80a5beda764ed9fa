//! CONCURRENTLY inside a transaction.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`,
    /// `REINDEX ... CONCURRENTLY` and `DETACH PARTITION ... CONCURRENTLY` that
    /// run inside a transaction block: after an explicit `BEGIN`, in a file the
    /// migration framework wraps in a transaction, or in a file sent as one
    /// multi-statement query (PostgreSQL runs such a query as one implicit
    /// transaction unless it holds a single statement). Inside a `DO` block
    /// they always fail: a `DO` block is itself one transaction.
    ///
    /// Each framework runs a file in one of three ways, and shipgate follows it:
    ///
    /// | framework | how a file runs | a lone `CREATE INDEX CONCURRENTLY` file | source |
    /// |---|---|---|---|
    /// | Flyway | in a transaction, unless every statement is one Flyway's PostgreSQL parser knows must run outside one (`CREATE`/`DROP INDEX CONCURRENTLY`, `VACUUM`, `REINDEX SCHEMA`/`DATABASE`/`SYSTEM`, `ALTER SYSTEM`, `CREATE`/`DROP DATABASE`, ...): then statement by statement. A file mixing both is refused unless `mixed` is set | passes (`REINDEX`/`DETACH ... CONCURRENTLY` are not on Flyway's list and fail) | Flyway `PostgreSQLParser.detectCanExecuteInTransaction`, the `mixed` setting |
    /// | Prisma | the whole file as one query (`simple_query`): an implicit transaction | passes | prisma-engines `apply_migration_script` for PostgreSQL; Prisma discussion #3774 (migrations are not wrapped in a transaction) |
    /// | Supabase CLI | the statements and the history `INSERT` in one pipeline (`ExecBatch`, "implicitly transactional") | fails | supabase/cli `pkg/migration/file.go` |
    /// | golang-migrate | the whole file in one `Exec`: an implicit transaction (`x-multi-statement` splits it) | passes | golang-migrate `database/postgres/README.md`, "Multi-statement mode" |
    /// | sqlx | in a transaction; `-- no-transaction` first line: the file as one query | passes with `-- no-transaction` | sqlx `sqlx-postgres/src/migrate.rs` (`no_tx`) |
    /// | Diesel | in a transaction; `run_in_transaction = false` in `metadata.toml`: one batch | set `migrations.transaction: never` | Diesel migration docs |
    /// | dbmate | in a transaction; `-- migrate:up transaction:false`: the section as one query | passes with `transaction:false` | dbmate README, "transaction:false" |
    /// | goose | in a transaction, statement by statement; `-- +goose NO TRANSACTION`: statement by statement without one | passes with `NO TRANSACTION` | goose README, "NO TRANSACTION" |
    /// | plain folder | statement by statement (as `psql -f`) | passes | |
    ///
    /// `migrations.transaction: always | never` overrides the framework.
    ///
    /// ## Why it blocks a release
    /// PostgreSQL refuses these statements inside a transaction block: the
    /// migration fails in production.
    ///
    /// ## How to ship it safely
    /// Put the statement alone in a migration of its own and turn the
    /// framework's transaction off for it (`-- +goose NO TRANSACTION`,
    /// `-- migrate:up transaction:false`, sqlx `-- no-transaction`, Diesel
    /// `run_in_transaction = false`), or set `migrations.transaction: never` if
    /// your deploy runs files without one.
    pub RULE = { id: "ban-concurrently-in-transaction", domain: Migration, default: Error, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
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
            Action::Reindex { concurrently: true, .. } => "REINDEX CONCURRENTLY",
            Action::DetachPartition { concurrently: true, .. } => "DETACH PARTITION CONCURRENTLY",
            _ => continue,
        };
        let why = if cx.in_do_block {
            "the statements of a DO block run in one transaction"
        } else if cx.explicit_tx {
            "it follows an explicit BEGIN"
        } else {
            cx.file.execution.why_in_transaction()
        };
        out.push(
            Finding::new(&RULE, format!("`{what}` fails because {why}"))
                .help("move it to a migration of its own that runs without a transaction"),
        );
    }
}
