//! Facts some rules need from a statement's tokens rather than its actions:
//! the string literals it uses as values, and the names it writes. Read here
//! so that rules never lex.

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
