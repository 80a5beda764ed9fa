//! Migrations: discovery, lexing, understanding and approvals. Everything
//! here reads input; the rules that judge it live in `rules::migration`.

pub mod action;
pub mod approval;
pub mod discover;
pub mod lex;
pub mod recognise;
pub mod schema_model;
pub mod statement;

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
    /// The framework runs the file inside one transaction.
    pub wrapped: bool,
}

impl MigrationFile {
    /// A leading UTF-8 byte-order mark is dropped, as psql does: offsets,
    /// lines and columns are those of the text after it.
    pub fn parse(path: impl Into<String>, src: String, dialect: SqlDialect, wrapped: bool) -> Self {
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
        let wrapped = wrapped && !lexed.directives.no_transaction && !has_no_transaction_directive(&src);
        MigrationFile {
            path: path.into(),
            src,
            lines,
            lexed,
            statements,
            approvals,
            wrapped,
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

/// sqlx's `-- no-transaction` first line.
fn has_no_transaction_directive(src: &str) -> bool {
    src.lines().next().is_some_and(|l| l.trim() == "-- no-transaction")
}

/// Why a file could not be read as SQL text.
pub fn check_bytes(bytes: &[u8]) -> Result<&str, String> {
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
