//! Which statements a dry run must not send inside its transaction: those
//! that would end it, those PostgreSQL refuses in a transaction block, and
//! those whose effects a rollback cannot undo.

use crate::migration::lex::TokenKind;
use crate::migration::recognise::{toks, Tok};
use crate::migration::MigrationFile;

use super::model::{Skip, SkipKind};

/// Why statement `i` of `file` is not run in the transaction, or `None` to run it.
pub fn skip_reason(file: &MigrationFile, i: usize) -> Option<Skip> {
    let raw = file.lexed.statements.get(i)?;
    let t = toks(&file.src, &raw.tokens);
    classify(&t)
}

fn words<'a>(t: &'a [Tok]) -> Vec<&'a str> {
    t.iter()
        .filter(|x| x.kind == TokenKind::Word)
        .map(|x| x.lower.as_ref())
        .collect()
}

fn skip(kind: SkipKind, message: impl Into<String>) -> Option<Skip> {
    Some(Skip {
        kind,
        message: message.into(),
    })
}

/// Classifies one statement's tokens (comments excluded).
pub fn classify(t: &[Tok]) -> Option<Skip> {
    if let Some(p) = t.iter().find(|x| x.kind == TokenKind::Placeholder) {
        return skip(
            SkipKind::Placeholder,
            format!(
                "it contains the template placeholder `{}`, which the migration framework substitutes",
                p.text
            ),
        );
    }
    let first = t.first().filter(|x| x.kind == TokenKind::Word)?;
    let w = words(t);
    let has = |word: &str| w.contains(&word);
    let second = w.get(1).copied().unwrap_or("");
    let tx = |what: &str| {
        skip(
            SkipKind::TransactionControl,
            format!("`{what}` would end the dry run's transaction"),
        )
    };
    let non_tx = |what: &str| {
        skip(
            SkipKind::NonTransactional,
            format!("PostgreSQL cannot run `{what}` inside a transaction block"),
        )
    };
    match first.lower.as_ref() {
        "begin" | "start" => tx(&first.text.to_uppercase()),
        "commit" | "end" | "abort" => tx(&first.text.to_uppercase()),
        // `ROLLBACK TO SAVEPOINT x` stays inside the transaction; plain ROLLBACK ends it.
        "rollback" if second != "to" => tx("ROLLBACK"),
        "prepare" if second == "transaction" => tx("PREPARE TRANSACTION"),
        "set" if second == "transaction" => skip(
            SkipKind::TransactionControl,
            "`SET TRANSACTION` must come first in a transaction, and the dry run's transaction has begun",
        ),
        "vacuum" => non_tx("VACUUM"),
        "create" | "drop" if has("concurrently") && has("index") => {
            non_tx(&format!("{} INDEX CONCURRENTLY", first.lower.to_uppercase()))
        }
        "reindex" if has("concurrently") => non_tx("REINDEX CONCURRENTLY"),
        "reindex" if matches!(second, "database" | "system" | "schema") => {
            non_tx(&format!("REINDEX {}", second.to_uppercase()))
        }
        "alter" if second == "table" && has("detach") && has("concurrently") => {
            non_tx("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY")
        }
        "create" | "drop" if second == "database" => non_tx(&format!("{} DATABASE", first.lower.to_uppercase())),
        "alter" if second == "database" && has("tablespace") && !has("owner") => {
            non_tx("ALTER DATABASE ... SET TABLESPACE")
        }
        "create" | "drop" if second == "tablespace" => non_tx(&format!("{} TABLESPACE", first.lower.to_uppercase())),
        "alter" if second == "system" => non_tx("ALTER SYSTEM"),
        "cluster" if w.len() == 1 || (w.len() == 2 && second == "verbose") => non_tx("CLUSTER"),
        "discard" if second == "all" => non_tx("DISCARD ALL"),
        "create" | "alter" | "drop" if second == "subscription" => skip(
            SkipKind::Irreversible,
            format!(
                "`{} SUBSCRIPTION` can create or drop a replication slot on another server",
                first.lower.to_uppercase()
            ),
        ),
        "checkpoint" => skip(
            SkipKind::Irreversible,
            "`CHECKPOINT` acts on the whole server, outside any transaction",
        ),
        "copy" => copy(t, &w),
        _ => None,
    }
}

fn copy(t: &[Tok], w: &[&str]) -> Option<Skip> {
    // `COPY (query) TO ...` or `COPY t [(cols)] FROM|TO target`: find the direction
    // at parenthesis depth 0.
    let mut depth = 0i32;
    let mut dir = None;
    let mut target = None;
    for (k, x) in t.iter().enumerate() {
        match x.text {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ => {}
        }
        if depth == 0 && x.kind == TokenKind::Word && matches!(x.lower.as_ref(), "from" | "to") && dir.is_none() {
            dir = Some(x.lower.to_string());
            target = t.get(k + 1).map(|n| n.lower.to_string());
        }
    }
    let target = target.unwrap_or_default();
    if matches!(target.as_str(), "stdin" | "stdout") {
        return skip(
            SkipKind::CopyStdio,
            format!(
                "`COPY ... {}` exchanges its data with psql, which the dry run does not replay",
                target.to_uppercase()
            ),
        );
    }
    if target == "program" {
        return skip(
            SkipKind::Irreversible,
            "`COPY ... PROGRAM` runs a program on the database server, which a rollback cannot undo",
        );
    }
    if dir.as_deref() == Some("to") && !w.is_empty() {
        return skip(
            SkipKind::Irreversible,
            "`COPY ... TO` a file writes on the database server, which a rollback cannot undo",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::lex::lex;

    fn kind(sql: &str) -> Option<SkipKind> {
        let l = lex(sql);
        let t = toks(sql, &l.statements[0].tokens);
        classify(&t).map(|s| s.kind)
    }

    #[test]
    fn transaction_control_is_recognised() {
        for sql in [
            "BEGIN;",
            "begin transaction isolation level serializable;",
            "START TRANSACTION;",
            "COMMIT;",
            "END;",
            "ROLLBACK;",
            "ABORT;",
            "PREPARE TRANSACTION 'x';",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;",
        ] {
            assert_eq!(kind(sql), Some(SkipKind::TransactionControl), "{sql}");
        }
        assert_eq!(kind("ROLLBACK TO SAVEPOINT a;"), None);
        assert_eq!(kind("SAVEPOINT a;"), None);
        assert_eq!(kind("RELEASE SAVEPOINT a;"), None);
    }

    #[test]
    fn statements_postgres_refuses_in_a_transaction() {
        for sql in [
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            "create unique index concurrently if not exists i on t (a);",
            "DROP INDEX CONCURRENTLY i;",
            "REINDEX INDEX CONCURRENTLY i;",
            "REINDEX DATABASE app;",
            "VACUUM (ANALYZE) t;",
            "VACUUM FULL t;",
            "CREATE DATABASE x;",
            "DROP DATABASE x;",
            "ALTER SYSTEM SET work_mem = '1MB';",
            "CLUSTER;",
            "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
        ] {
            assert_eq!(kind(sql), Some(SkipKind::NonTransactional), "{sql}");
        }
        for sql in [
            "CREATE INDEX i ON t (a);",
            "CLUSTER t USING i;",
            "ALTER TYPE e ADD VALUE 'x';",
            "REFRESH MATERIALIZED VIEW CONCURRENTLY v;",
            "ALTER TABLE p DETACH PARTITION c;",
        ] {
            assert_eq!(kind(sql), None, "{sql}");
        }
    }

    #[test]
    fn copy_through_psql_or_to_files_is_skipped() {
        assert_eq!(kind("COPY t (a) FROM stdin;"), Some(SkipKind::CopyStdio));
        assert_eq!(kind("COPY (SELECT 1) TO STDOUT;"), Some(SkipKind::CopyStdio));
        assert_eq!(kind("COPY t TO '/tmp/x';"), Some(SkipKind::Irreversible));
        assert_eq!(kind("COPY t FROM PROGRAM 'curl x';"), Some(SkipKind::Irreversible));
        assert_eq!(kind("COPY t FROM '/srv/data.csv' WITH (FORMAT csv);"), None);
    }

    #[test]
    fn placeholders_are_not_sent() {
        assert_eq!(kind("DROP TABLE ${schema}.t;"), Some(SkipKind::Placeholder));
    }
}
