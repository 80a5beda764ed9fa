//! SQL inside a string literal, read with shipgate's own lexer: which
//! targets a statement names. A column counts only when the statement ties
//! it to its table (FROM, JOIN, INSERT INTO, UPDATE, DELETE FROM, with the
//! table's name or an alias as qualifier, or unqualified); a table, view,
//! function or type counts when the statement names it; an enum value, when
//! the statement has it as a string.

use std::ops::Range;

use super::{Target, TargetKind};
use crate::migration::lex::{self, Token, TokenKind};

/// Words that start a statement: a literal that begins otherwise is not SQL.
const STARTS: &[&str] = &[
    "select", "insert", "update", "delete", "with", "merge", "copy", "create", "alter", "drop", "truncate", "call",
    "refresh", "values", "table",
];

/// Words after a table name that are not its alias.
const NOT_ALIAS: &[&str] = &[
    "where",
    "on",
    "join",
    "left",
    "right",
    "inner",
    "outer",
    "full",
    "cross",
    "natural",
    "set",
    "values",
    "group",
    "order",
    "limit",
    "offset",
    "using",
    "returning",
    "union",
    "except",
    "intersect",
    "select",
    "lateral",
    "having",
    "window",
    "for",
    "default",
    "overriding",
    "as",
    "fetch",
    "from",
    "do",
    "only",
];

/// One identifier or string of a statement, folded as PostgreSQL folds it.
struct Tok {
    text: String,
    kind: TokenKind,
    span: Range<usize>,
}

/// The (target index, byte range in `sql`) of every reference in `sql`.
pub fn references(sql: &str, targets: &[Target]) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    for st in lex::lex(sql).statements {
        let toks: Vec<Tok> = st.tokens.iter().map(|t| tok(sql, t)).collect();
        let is_sql = toks
            .first()
            .is_some_and(|t| t.kind == TokenKind::Word && STARTS.contains(&t.text.as_str()));
        if !is_sql {
            continue;
        }
        let tables = tables(&toks);
        for (k, target) in targets.iter().enumerate() {
            for (i, t) in toks.iter().enumerate() {
                if names(t, target, &toks, i, &tables) {
                    out.push((k, t.span.clone()));
                }
            }
        }
    }
    out
}

fn tok(sql: &str, t: &Token) -> Tok {
    let raw = t.text(sql);
    let text = match t.kind {
        TokenKind::Word => raw.to_lowercase(),
        TokenKind::QuotedIdent | TokenKind::String => raw.get(1..raw.len().saturating_sub(1)).unwrap_or("").to_string(),
        _ => raw.to_string(),
    };
    Tok {
        text,
        kind: t.kind,
        span: t.span.clone(),
    }
}

fn is_ident(t: &Tok) -> bool {
    matches!(t.kind, TokenKind::Word | TokenKind::QuotedIdent)
}

fn is_punct(toks: &[Tok], i: usize, p: &str) -> bool {
    toks.get(i).is_some_and(|t| t.kind == TokenKind::Punct && t.text == p)
}

/// The tables a statement reads or writes, each with the names that
/// qualify its columns (its own name and its alias).
fn tables(toks: &[Tok]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let w = toks[i].text.as_str();
        let opens = toks[i].kind == TokenKind::Word && matches!(w, "from" | "join" | "into" | "update" | "table");
        i += 1;
        if !opens {
            continue;
        }
        loop {
            if toks
                .get(i)
                .is_some_and(|t| t.kind == TokenKind::Word && t.text == "only")
            {
                i += 1;
            }
            // A schema-qualified name: the last part is the table.
            let mut name = None;
            while toks.get(i).is_some_and(is_ident) {
                name = Some(toks[i].text.clone());
                i += 1;
                if is_punct(toks, i, ".") {
                    i += 1;
                } else {
                    break;
                }
            }
            let Some(name) = name else { break };
            let mut quals = vec![name.clone()];
            if toks.get(i).is_some_and(|t| t.kind == TokenKind::Word && t.text == "as") {
                i += 1;
            }
            if let Some(t) = toks
                .get(i)
                .filter(|t| is_ident(t) && !NOT_ALIAS.contains(&t.text.as_str()))
            {
                quals.push(t.text.clone());
                i += 1;
            }
            out.push((name, quals));
            if is_punct(toks, i, ",") {
                i += 1;
            } else {
                break;
            }
        }
    }
    out
}

/// Whether token `i` names `target`.
fn names(t: &Tok, target: &Target, toks: &[Tok], i: usize, tables: &[(String, Vec<String>)]) -> bool {
    if target.kind == TargetKind::EnumValue {
        return t.kind == TokenKind::String && t.text == target.name;
    }
    if !is_ident(t) || t.text != target.name {
        return false;
    }
    let qualified = i >= 2 && is_punct(toks, i - 1, ".") && is_ident(&toks[i - 2]);
    match target.kind {
        TargetKind::Column => {
            let Some(table) = &target.table else { return false };
            let quals: Vec<&String> = tables.iter().filter(|(n, _)| n == table).flat_map(|(_, q)| q).collect();
            if qualified {
                quals.contains(&&toks[i - 2].text)
            } else {
                // Not a qualifier itself, and its table is in the statement.
                !quals.is_empty() && !is_punct(toks, i + 1, ".")
            }
        }
        // `schema.name` names it; `alias.name` is a column of that name.
        _ => !qualified || !tables.iter().any(|(_, q)| q.contains(&toks[i - 2].text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(sql: &str, t: Target) -> Vec<&str> {
        references(sql, &[t]).into_iter().map(|(_, r)| &sql[r]).collect()
    }

    #[test]
    fn a_column_counts_when_the_statement_ties_it_to_its_table() {
        let t = || Target::column("members", "old_field", false);
        assert_eq!(found("SELECT id, old_field FROM members", t()), ["old_field"]);
        assert_eq!(found("select m.old_field from public.members m", t()), ["old_field"]);
        assert_eq!(
            found("SELECT o.id FROM orders o JOIN members AS m ON m.OLD_FIELD = o.x", t()),
            ["OLD_FIELD"]
        );
        assert_eq!(
            found("INSERT INTO members (id, \"old_field\") VALUES ($1, $2)", t()),
            ["\"old_field\""]
        );
        assert_eq!(found("UPDATE members SET old_field = NULL", t()), ["old_field"]);
        // Another table's column of the same name, or not SQL at all.
        assert!(found("SELECT o.old_field FROM orders o JOIN members m ON true", t()).is_empty());
        assert!(found("SELECT old_field FROM orders", t()).is_empty());
        assert!(found("old_field is gone from members", t()).is_empty());
    }

    #[test]
    fn tables_and_enum_values_count_when_named() {
        let table = Target {
            kind: TargetKind::Table,
            table: None,
            name: "members_archive".into(),
            distinctive: true,
        };
        assert_eq!(
            found("DELETE FROM members_archive WHERE id = 1", table.clone()),
            ["members_archive"]
        );
        assert!(found("SELECT m.members_archive FROM members m", table).is_empty());
        let value = Target {
            kind: TargetKind::EnumValue,
            table: Some("mood".into()),
            name: "sad".into(),
            distinctive: false,
        };
        assert_eq!(found("UPDATE people SET mood = 'sad'", value), ["'sad'"]);
    }
}
