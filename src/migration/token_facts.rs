//! Facts some rules need from a statement's tokens rather than its actions:
//! the string literals it uses as values, and the names it writes. Read here
//! so that rules never lex.

use std::ops::Range;

use super::lex::{RawStatement, TokenKind};
use super::recognise::{string_value, toks, unquote, Tok};

/// The string literals the statement uses as values of a type, in order.
/// None for statements whose literals are text rather than values: the
/// arguments of `CREATE TRIGGER ... EXECUTE FUNCTION f('x')`, a function
/// body (not run when it is created), the labels of `CREATE TYPE ... AS
/// ENUM`, and `COMMENT ON ... IS`.
pub fn value_literals(src: &str, raw: &RawStatement) -> Vec<String> {
    let t = toks(src, &raw.tokens);
    if names_text_not_values(&t) {
        return Vec::new();
    }
    t.iter().filter_map(string_value).collect()
}

fn names_text_not_values(t: &[Tok]) -> bool {
    let words: Vec<&str> = t.iter().take(6).map(|x| x.lower.as_ref()).collect();
    match words.as_slice() {
        ["comment", ..] => true,
        ["create", rest @ ..] => {
            let rest = match rest {
                ["or", "replace", r @ ..] => r,
                r => r,
            };
            let rest = rest.strip_prefix(&["constraint"]).unwrap_or(rest);
            matches!(rest.first(), Some(&("trigger" | "function" | "procedure" | "type")))
        }
        _ => false,
    }
}

/// The first name longer than `max` bytes that a `CREATE` or `ALTER`
/// statement writes, as PostgreSQL stores it (folded or unquoted).
pub fn long_name(src: &str, raw: &RawStatement, max: usize) -> Option<String> {
    if !raw.tokens.first().is_some_and(|x| {
        let w = x.text(src);
        x.kind == TokenKind::Word && (w.eq_ignore_ascii_case("create") || w.eq_ignore_ascii_case("alter"))
    }) {
        return None;
    }
    // Folding a word to lower case keeps its length: only a long one is folded.
    raw.tokens.iter().find_map(|x| {
        let text = x.text(src);
        let name = match x.kind {
            TokenKind::Word if text.len() > max => text.to_ascii_lowercase(),
            TokenKind::QuotedIdent if text.len() > max => unquote(text),
            _ => return None,
        };
        (name.len() > max).then_some(name)
    })
}

/// One action of an `ALTER TABLE`: its byte range in the file, from its
/// first word to its last token (the comma after it left out), and its
/// words, folded or unquoted as PostgreSQL reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub span: Range<usize>,
    pub words: Vec<String>,
}

/// The actions of `ALTER TABLE [IF EXISTS] [ONLY] name [*] a, b, ...`, one
/// clause each, split at the commas outside parentheses. Empty for any
/// other statement.
pub fn alter_table_clauses(src: &str, raw: &RawStatement) -> Vec<Clause> {
    let t = &raw.tokens;
    let word = |i: usize| {
        t.get(i)
            .filter(|x| x.kind == TokenKind::Word)
            .map(|x| x.text(src).to_ascii_lowercase())
    };
    if word(0).as_deref() != Some("alter") || word(1).as_deref() != Some("table") {
        return Vec::new();
    }
    let mut i = 2;
    if word(i).as_deref() == Some("if") && word(i + 1).as_deref() == Some("exists") {
        i += 2;
    }
    if word(i).as_deref() == Some("only") {
        i += 1;
    }
    // The table's name: `name`, `schema.name`, each part a word or quoted.
    i += 1;
    while t.get(i).is_some_and(|x| x.text(src) == ".") {
        i += 2;
    }
    if t.get(i).is_some_and(|x| x.text(src) == "*") {
        i += 1;
    }
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = i;
    for (k, x) in t.iter().enumerate().skip(i) {
        match x.text(src) {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            "," | ";" if depth == 0 => {
                out.extend(clause(src, &t[start..k]));
                start = k + 1;
            }
            _ => {}
        }
    }
    out.extend(clause(src, t.get(start..).unwrap_or_default()));
    out
}

fn clause(src: &str, t: &[super::lex::Token]) -> Option<Clause> {
    let (first, last) = (t.first()?, t.last()?);
    let words = t
        .iter()
        .filter_map(|x| match x.kind {
            TokenKind::Word => Some(x.text(src).to_ascii_lowercase()),
            TokenKind::QuotedIdent => Some(unquote(x.text(src))),
            _ => None,
        })
        .collect();
    Some(Clause {
        span: first.span.start..last.span.end,
        words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::lex::lex;

    fn clauses(sql: &str) -> Vec<String> {
        let lexed = lex(sql);
        alter_table_clauses(sql, &lexed.statements[0])
            .into_iter()
            .map(|c| sql[c.span].to_string())
            .collect()
    }

    #[test]
    fn an_alter_table_splits_into_its_actions() {
        assert_eq!(
            clauses("ALTER TABLE IF EXISTS ONLY s.\"T\" ADD COLUMN a numeric(10, 2), DROP COLUMN b CASCADE;"),
            ["ADD COLUMN a numeric(10, 2)", "DROP COLUMN b CASCADE"]
        );
        assert_eq!(clauses("alter table t drop b"), ["drop b"]);
        assert!(clauses("DROP TABLE t;").is_empty());
        // Cut short: no panic, no clause.
        assert!(clauses("ALTER TABLE").is_empty());
    }
}
