//! Migrations: discovery, lexing, understanding and approvals. Everything
//! here reads input; the rules that judge it live in `rules::migration`.

pub mod action;
pub mod apply_approvals;
pub mod approval;
pub mod discover;
pub mod input;
pub mod lex;
pub mod locks;
pub mod recognise;
pub mod rollback;
pub mod routines;
pub mod schema_model;
pub mod statement;
pub mod token_facts;
pub mod view_types;

use std::ops::Range;

use crate::config::SqlDialect;
use crate::finding::Location;
use approval::Approval;
use lex::{Lexed, LineIndex};
use statement::Statement;

/// Files larger than this are not read as migrations.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// One migration file, understood.
#[derive(Debug)]
pub struct MigrationFile {
    /// Path as shown to users (relative to the repository root).
    pub path: String,
    pub src: String,
    pub lines: LineIndex,
    pub lexed: Lexed,
    pub statements: Vec<Statement>,
    pub approvals: Vec<Approval>,
    /// Its statements run inside one transaction: the framework's, or the
    /// implicit one PostgreSQL gives a multi-statement query.
    pub wrapped: bool,
    /// How the framework sends the file to PostgreSQL.
    pub execution: Execution,
}

/// How a migration framework sends a file's statements to PostgreSQL: each
/// framework does one of three things (see `ban-concurrently-in-transaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// Inside a transaction the framework opens around the file.
    Transaction,
    /// As one multi-statement query (or one pipeline), which PostgreSQL runs
    /// in one implicit transaction unless it is a single statement.
    /// `bookkeeping`: the framework sends its own history `INSERT` in the same
    /// batch, so the file's statements are never alone.
    Implicit { bookkeeping: bool },
    /// One statement at a time, each committing on its own.
    Statements,
    /// Flyway: in a transaction, unless every statement is one Flyway knows
    /// PostgreSQL refuses in a transaction (then the file is read as
    /// `Statements`).
    Flyway,
}

impl From<bool> for Execution {
    fn from(wrapped: bool) -> Self {
        if wrapped {
            Execution::Transaction
        } else {
            Execution::Statements
        }
    }
}

impl Execution {
    /// Whether `count` statements sent this way share one transaction.
    pub fn in_transaction(self, count: usize) -> bool {
        match self {
            Execution::Transaction | Execution::Flyway => true,
            Execution::Implicit { bookkeeping } => bookkeeping || count > 1,
            Execution::Statements => false,
        }
    }

    /// Why a statement runs inside a transaction, for messages.
    pub fn why_in_transaction(self) -> &'static str {
        match self {
            Execution::Transaction => "this migration runs inside a transaction",
            Execution::Flyway => {
                "Flyway runs this file in a transaction: only a file made entirely of statements on Flyway's list (`CREATE`/`DROP INDEX CONCURRENTLY`, `VACUUM`, ...) runs without one, and a file that mixes them with others is refused unless `mixed` is set"
            }
            Execution::Implicit { bookkeeping: true } => {
                "the migration tool sends this file and its history entry as one batch, which PostgreSQL runs as one transaction"
            }
            Execution::Implicit { bookkeeping: false } => {
                "this migration is sent as one multi-statement query, which PostgreSQL runs as one transaction"
            }
            Execution::Statements => "it follows an explicit BEGIN",
        }
    }
}

impl MigrationFile {
    /// A leading UTF-8 byte-order mark is dropped, as psql does: offsets,
    /// lines and columns are those of the text after it.
    pub fn parse(path: impl Into<String>, src: String, dialect: SqlDialect, execution: impl Into<Execution>) -> Self {
        let src = match src.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => src,
        };
        let lexed = lex::lex(&src);
        let lines = LineIndex::new(&src);
        let statements: Vec<Statement> = lexed
            .statements
            .iter()
            .map(|s| statement::understand(&src, s, dialect))
            .collect();
        let approvals = approval::collect(&src, &lines, &lexed.comments, &statements);
        let mut execution = execution.into();
        if execution != Execution::Statements && (lexed.directives.no_transaction || has_no_transaction_directive(&src))
        {
            // goose runs the statements of a `NO TRANSACTION` file one by one;
            // dbmate's `transaction:false` and sqlx's `-- no-transaction` send
            // the file as one query.
            execution = if src.to_ascii_lowercase().contains("+goose no transaction") {
                Execution::Statements
            } else {
                Execution::Implicit { bookkeeping: false }
            };
        }
        if execution == Execution::Flyway {
            let all_outside = !lexed.statements.is_empty()
                && lexed
                    .statements
                    .iter()
                    .all(|s| flyway_non_transactional(&src[s.span.clone()]));
            if all_outside {
                execution = Execution::Statements;
            }
        }
        let wrapped = execution.in_transaction(statements.len());
        MigrationFile {
            path: path.into(),
            src,
            lines,
            lexed,
            statements,
            approvals,
            wrapped,
            execution,
        }
    }

    /// Line and column range of a byte range.
    pub fn location(&self, span: &Range<usize>) -> Location {
        let (line, column) = self.lines.position(&self.src, span.start);
        let end = span.end.max(span.start + 1) - 1;
        let (end_line, end_column) = self.lines.position(&self.src, end);
        Location {
            line,
            column,
            end_line,
            end_column: end_column + 1,
        }
    }
}

/// Whether Flyway runs the statement outside a transaction: its PostgreSQL
/// parser's list (`CREATE | DROP [UNIQUE] INDEX CONCURRENTLY`, `REINDEX
/// SCHEMA | DATABASE | SYSTEM`, `VACUUM`, `DISCARD ALL`, `ALTER SYSTEM`,
/// `CREATE | DROP DATABASE | TABLESPACE | SUBSCRIPTION`), matched on the
/// statement's words with comments removed.
fn flyway_non_transactional(text: &str) -> bool {
    let lexed = lex::lex(text);
    let Some(raw) = lexed.statements.first() else {
        return false;
    };
    let words: Vec<String> = raw
        .tokens
        .iter()
        .take(5)
        .map(|t| t.text(text).to_ascii_lowercase())
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        w.as_slice(),
        ["create" | "drop", "index", "concurrently", ..]
            | ["create" | "drop", "unique", "index", "concurrently", ..]
            | ["reindex", "schema" | "database" | "system", ..]
            | ["reindex", "verbose", "schema" | "database" | "system", ..]
            | ["vacuum", ..]
            | ["discard", "all", ..]
            | ["alter", "system", ..]
            | ["create" | "drop", "database" | "tablespace" | "subscription", ..]
    )
}

/// sqlx's `-- no-transaction` first line.
fn has_no_transaction_directive(src: &str) -> bool {
    src.lines().next().is_some_and(|l| l.trim() == "-- no-transaction")
}

/// The file's bytes as SQL text, or why they cannot be read as such.
pub fn sql_text(bytes: &[u8]) -> Result<&str, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {} MiB, larger than the {} MiB a migration may be",
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        ));
    }
    if bytes.contains(&0) {
        return Err("the file is binary (it contains NUL bytes)".into());
    }
    std::str::from_utf8(bytes).map_err(|e| format!("the file is not valid UTF-8 (byte {})", e.valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(sql: &str, execution: Execution) -> MigrationFile {
        MigrationFile::parse("m.sql", sql.to_string(), SqlDialect::Postgres, execution)
    }

    #[test]
    fn each_framework_runs_a_file_its_own_way() {
        let cic = "CREATE INDEX CONCURRENTLY i ON t (a);\n";
        let two = "ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX CONCURRENTLY i ON t (b);\n";
        // Flyway: a file of only non-transactional statements runs without a transaction.
        let f = file(
            &format!("-- Flyway\n{cic}DROP INDEX CONCURRENTLY j;\n"),
            Execution::Flyway,
        );
        assert_eq!((f.execution, f.wrapped), (Execution::Statements, false));
        let f = file(two, Execution::Flyway);
        assert_eq!((f.execution, f.wrapped), (Execution::Flyway, true));
        let f = file("REINDEX INDEX CONCURRENTLY i;\n", Execution::Flyway);
        assert!(f.wrapped, "REINDEX ... CONCURRENTLY is not on Flyway's list");
        // One query: an implicit transaction only with more than one statement.
        let prisma = Execution::Implicit { bookkeeping: false };
        assert!(!file(cic, prisma).wrapped);
        assert!(file(two, prisma).wrapped);
        // Supabase sends its history INSERT in the same batch.
        assert!(file(cic, Execution::Implicit { bookkeeping: true }).wrapped);
        // Opting out: sqlx and dbmate send the file as one query, goose runs it statement by statement.
        let f = file(&format!("-- no-transaction\n{cic}"), Execution::Transaction);
        assert_eq!(
            (f.execution, f.wrapped),
            (Execution::Implicit { bookkeeping: false }, false)
        );
        let f = file(
            &format!("-- migrate:up transaction:false\n{two}"),
            Execution::Transaction,
        );
        assert!(f.wrapped, "two statements in one query share a transaction");
        let f = file(
            &format!("-- +goose NO TRANSACTION\n-- +goose Up\n{two}"),
            Execution::Transaction,
        );
        assert_eq!((f.execution, f.wrapped), (Execution::Statements, false));
    }
}
