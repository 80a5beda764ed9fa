//! What a dry run observed, as plain data: the engine fills it, the dry-run
//! rules judge it, and the reporters print it (`dry_run` in the JSON report).

use serde::Serialize;

/// The whole run: where, how, and one entry per pending migration.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The database URL with its password redacted.
    pub database: String,
    pub server_version: String,
    /// Whether the connection was encrypted (`sslmode`).
    pub tls: bool,
    pub mode: Mode,
    /// The throwaway database (`--scratch-db`), dropped after the run.
    pub scratch_database: Option<String>,
    pub lock_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub exact_count_limit: i64,
    pub large_table_rows: i64,
    /// True once the run's transaction was rolled back (or, with
    /// `--scratch-db`, once the throwaway database was dropped).
    pub rolled_back: bool,
    pub duration_ms: f64,
    pub migrations: Vec<MigrationRun>,
    /// Sequences that advanced during the run: sequences are not
    /// transactional, so a rollback does not rewind them.
    pub sequences_advanced: Vec<SequenceAdvance>,
    /// Without `--base`: the migration history tables read to tell applied
    /// migrations from pending ones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<super::history::History>,
    /// `dry_run.checks`: each validation query before and after the migrations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<super::checks::CheckRun>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// One transaction on the given database, always rolled back.
    Transaction,
    /// A copy made with `CREATE DATABASE ... TEMPLATE`, dropped afterwards.
    ScratchDatabase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationStatus {
    /// Every statement ran (or was skipped with a reason).
    Applied,
    /// A statement failed; the rest of the file did not run.
    Failed,
    /// Not run: an earlier migration failed, or the file could not be read.
    NotRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationRun {
    /// Path relative to the repository root.
    pub file: String,
    pub status: MigrationStatus,
    /// Why the file did not run, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub duration_ms: f64,
    /// The catalog before the file against the catalog after it.
    pub catalog_diff: Vec<Change>,
    /// Row counts of the tables the file touched, before and after it.
    pub row_counts: Vec<RowCount>,
    pub statements: Vec<StatementRun>,
    /// `--with-rollback`: its rollback, run right after it and undone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackRun>,
}

/// `--with-rollback`: a migration's rollback, run inside a savepoint right
/// after the migration, compared with the state before the migration, then
/// undone (the next migration runs on the migrated state).
#[derive(Debug, Clone, Serialize)]
pub struct RollbackRun {
    /// The rollback's path (for a down section, the migration's own path).
    pub file: String,
    /// `applied`, or `failed` at a statement.
    pub status: MigrationStatus,
    pub statements: Vec<StatementRun>,
    /// What the rollback did not restore (empty: it restored everything
    /// shipgate compares). Not compared when a statement failed.
    pub differences: Vec<Difference>,
}

/// One way the state after a rollback differs from the state before its
/// migration. Objects are matched by kind and name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// There before the migration, not after the rollback.
    Missing {
        object: &'static str,
        name: String,
        definition: String,
    },
    /// Not there before the migration, still there after the rollback.
    Left {
        object: &'static str,
        name: String,
        definition: String,
    },
    /// On both sides, defined differently.
    Differs {
        object: &'static str,
        name: String,
        before: String,
        after: String,
    },
    /// A table's row count differs.
    Rows {
        table: String,
        before: i64,
        after: i64,
        /// Both counts are exact (not `pg_class.reltuples` estimates).
        exact: bool,
    },
    /// A column of a table with rows was dropped and re-created: its values are gone.
    ValuesLost { column: String, rows: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementStatus {
    Ran,
    Failed,
    /// Not sent to the database, with a reason (`skip`).
    Skipped,
    /// After a failed statement: never reached.
    NotRun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// BEGIN, COMMIT, ROLLBACK, ...: they would end the dry run's transaction.
    TransactionControl,
    /// CREATE INDEX CONCURRENTLY, VACUUM, ...: PostgreSQL refuses them inside a transaction.
    NonTransactional,
    /// Effects a rollback cannot undo (COPY TO a file, CHECKPOINT, ...).
    Irreversible,
    /// `COPY ... FROM STDIN` / `TO STDOUT`: the data travels through psql.
    CopyStdio,
    /// A template placeholder the framework substitutes.
    Placeholder,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skip {
    pub kind: SkipKind,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementRun {
    /// Index of the statement in its file (0-based).
    pub index: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// The statement's first line, shortened.
    pub sql: String,
    pub status: StatementStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip: Option<Skip>,
    /// True when it ran outside a transaction (`--scratch-db` only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub autocommit: bool,
    pub duration_ms: f64,
    /// Relation locks the statement took that the run did not hold before it.
    pub locks: Vec<Lock>,
    /// Locks the run already held, from an earlier statement, on relations
    /// this statement changed: a statement cannot be seen taking a lock its
    /// transaction holds. (In production a later migration file takes its
    /// locks again.)
    pub held_locks: Vec<Lock>,
    /// Tables and indexes whose storage was rewritten (relfilenode changed).
    pub rewrites: Vec<Rewrite>,
    /// Row counts of the tables whose rows the statement changed.
    pub rows: Vec<RowCount>,
    /// Catalog changes made by this statement.
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<SqlError>,
}

impl StatementRun {
    /// The statement at `loc`, with nothing observed yet.
    pub fn new(index: usize, loc: &crate::finding::Location, sql: String, status: StatementStatus) -> StatementRun {
        StatementRun {
            index,
            line: loc.line,
            column: loc.column,
            end_line: loc.end_line,
            end_column: loc.end_column,
            sql,
            status,
            skip: None,
            autocommit: false,
            duration_ms: 0.0,
            locks: Vec::new(),
            held_locks: Vec::new(),
            rewrites: Vec::new(),
            rows: Vec::new(),
            changes: Vec::new(),
            error: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Lock {
    pub relation: String,
    /// `table`, `index`, `view`, ...
    pub kind: String,
    /// PostgreSQL's name, e.g. `AccessExclusiveLock`.
    pub mode: String,
    /// The table's rows before the statement, when it is a table.
    pub rows: Option<i64>,
    /// The table has more rows than `large_table_rows`.
    pub large: bool,
    /// The relation existed before the migration (not created by it).
    pub preexisting: bool,
}

impl Lock {
    /// `ACCESS EXCLUSIVE` for `AccessExclusiveLock`.
    pub fn sql_mode(&self) -> String {
        lock_mode_sql(&self.mode)
    }
}

/// PostgreSQL's lock mode name as SQL spells it: `AccessExclusiveLock` → `ACCESS EXCLUSIVE`.
pub fn lock_mode_sql(mode: &str) -> String {
    let m = mode.strip_suffix("Lock").unwrap_or(mode);
    let mut out = String::new();
    for (i, c) in m.char_indices() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct Rewrite {
    pub relation: String,
    pub kind: String,
    /// Rows of the table (for an index: of its table) before the statement.
    pub rows: Option<i64>,
    /// Size before the rewrite, from `pg_class.relpages` (unknown until the
    /// table was first vacuumed or analysed).
    pub bytes: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowCount {
    pub table: String,
    /// `None`: the table did not exist yet.
    pub before: Option<i64>,
    /// `None`: the table was dropped.
    pub after: Option<i64>,
    /// False when a count is an estimate (`pg_class.reltuples`), for tables
    /// above `exact_count_limit` rows.
    pub exact: bool,
    pub inserted: i64,
    pub updated: i64,
    pub deleted: i64,
    /// The table existed before the change (rows lost from a table the change
    /// created are not data loss).
    #[serde(skip)]
    pub preexisting: bool,
}

impl RowCount {
    /// Rows lost: fewer after than before (a dropped table loses all).
    pub fn lost(&self) -> i64 {
        match (self.before, self.after) {
            (Some(b), Some(a)) if a < b => b - a,
            (Some(b), None) => b,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Renamed,
    Changed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// `table`, `column`, `index`, `constraint`, `enum_label`, `function`, ...
    pub object: &'static str,
    pub change: ChangeKind,
    pub name: String,
    /// What changed, e.g. `integer → bigint` or the new definition.
    pub detail: Option<String>,
    /// Destructive or breaking for code still running the previous release:
    /// dropped, renamed, retyped, newly NOT NULL, default dropped, ...
    pub breaking: bool,
    /// For a removed object: re-created under the same name later in the same file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replaced: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SqlError {
    /// SQLSTATE, e.g. `42703`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Where PostgreSQL points, in the file (1-based), when it gives a position.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// PostgreSQL's position inside the statement (1-based characters).
    pub position: Option<u32>,
    /// For an error inside a function or a DO block: the query that failed there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_position: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SequenceAdvance {
    pub sequence: String,
    pub before: Option<i64>,
    pub after: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_modes_read_as_sql() {
        assert_eq!(lock_mode_sql("AccessExclusiveLock"), "ACCESS EXCLUSIVE");
        assert_eq!(lock_mode_sql("ShareLock"), "SHARE");
        assert_eq!(lock_mode_sql("ShareRowExclusiveLock"), "SHARE ROW EXCLUSIVE");
    }

    #[test]
    fn a_dropped_table_loses_every_row() {
        let r = RowCount {
            table: "t".into(),
            before: Some(10),
            after: None,
            exact: true,
            inserted: 0,
            updated: 0,
            deleted: 0,
            preexisting: true,
        };
        assert_eq!(r.lost(), 10);
    }
}
