//! Dynamic SQL in PL/pgSQL bodies: `EXECUTE` strings folded into
//! literals (`||`, `format()`, `quote_ident()`) so that the statements they run
//! can be read like any other.

use super::*;

/// Replaces byte ranges of `text`; `edits` are in order and do not overlap.
pub fn splice(text: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, with) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Folds the SQL a PL/pgSQL body builds at run time into one string literal
/// per expression, so it reads like any other SQL: `'DROP TABLE ' || t`
/// becomes `'DROP TABLE ${t}'` and `format('ALTER TABLE %I', 'users')`
/// becomes `'ALTER TABLE users'`. What is only known at run time becomes a
/// template placeholder, which the recogniser reads as a name.
pub fn fold_dynamic_sql(body: &str) -> String {
    let mut edits = Vec::new();
    for raw in &lex(body).statements {
        let t = toks(body, &raw.tokens);
        let mut k = 0;
        while k < t.len() {
            match fold_at(&t, k) {
                Some((end, sql)) => {
                    edits.push((
                        t[k].start..t[end - 1].start + t[end - 1].text.len(),
                        quote_literal(&sql),
                    ));
                    k = end;
                }
                None => k += 1,
            }
        }
    }
    splice(body, &edits)
}

/// Words that begin the statements the engine reads out of a DO block's strings.
pub const DYNAMIC_SQL_STARTS: &[&str] = &[
    "alter", "drop", "truncate", "delete", "update", "create", "insert", "grant", "revoke", "comment", "vacuum",
    "cluster", "reindex", "do", "with", "merge",
];

/// PL/pgSQL words after which a SQL statement can begin.
pub const PLPGSQL_LEADS: &[&str] = &[
    "begin",
    "then",
    "else",
    "loop",
    "declare",
    "exception",
    "execute",
    "immediate",
    "perform",
];

/// In a folded DO body: SQL that the engine cannot read yet holds a
/// destructive keyword — SQL built at run time that does not begin with a
/// statement (`prefix || ' DROP COLUMN x'`), or a `WITH` or `MERGE` statement.
/// Returns the keyword and why the SQL cannot be read.
pub fn unreadable_dynamic_sql(body: &str) -> Option<(&'static str, String)> {
    for raw in &lex(body).statements {
        let t = toks(body, &raw.tokens);
        let start = (0..t.len()).find(|&k| {
            t[k].kind == TokenKind::Word
                && matches!(t[k].lower.as_ref(), "with" | "merge")
                && (k == 0 || PLPGSQL_LEADS.contains(&t[k - 1].lower.as_ref()))
        });
        if let Some(kw) = start.and_then(|k| destructive_keyword(&t[k..])) {
            let sql = join(&t[start.unwrap_or(0)..]);
            return Some((
                kw,
                format!("its DO block runs `{sql}`, which shipgate does not read inside DO blocks"),
            ));
        }
        for tok in t {
            let Some(sql) = string_value(&tok).filter(|s| s.contains("${")) else {
                continue;
            };
            let inner = lex(&sql);
            let Some(first) = inner.statements.first() else {
                continue;
            };
            let t = toks(&sql, &first.tokens);
            if t.first()
                .is_some_and(|w| w.kind == TokenKind::Word && DYNAMIC_SQL_STARTS.contains(&w.lower.as_ref()))
            {
                continue;
            }
            if let Some(kw) = destructive_keyword(&t) {
                return Some((kw, format!("its DO block runs `{sql}`, built at run time")));
            }
        }
    }
    None
}

/// One operand of a `||` chain: SQL text known now, or an expression known at run time.
pub(super) enum Piece {
    Sql(String),
    Runtime(String),
}

impl Piece {
    fn sql(&self) -> String {
        match self {
            Piece::Sql(s) => s.clone(),
            Piece::Runtime(expr) => placeholder(expr),
        }
    }
}

/// `${expr}`: a value only known at run time, as a template placeholder.
pub(super) fn placeholder(expr: &str) -> String {
    let expr: String = expr.split_whitespace().collect::<Vec<_>>().join(" ").replace('}', "");
    format!("${{{expr}}}")
}

pub(super) fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `quote_ident`: bare when PostgreSQL would read it back unchanged.
pub(super) fn quote_ident(s: &str) -> String {
    let bare = s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if bare {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// The SQL folded from the expression at `k`, if it builds SQL: a `||` chain
/// with a string literal in it, or a `format(...)` call. Returns where it ends.
pub(super) fn fold_at(t: &[Tok], k: usize) -> Option<(usize, String)> {
    let (end, pieces) = chain(t, k)?;
    let builds_sql = match pieces.as_slice() {
        [Piece::Sql(_)] => !matches!(t[k].kind, TokenKind::String | TokenKind::DollarString),
        [_] => false,
        many => many.iter().any(|p| matches!(p, Piece::Sql(_))),
    };
    builds_sql.then(|| (end, pieces.iter().map(Piece::sql).collect()))
}

/// `primary (|| primary)*` from `k`.
pub(super) fn chain(t: &[Tok], k: usize) -> Option<(usize, Vec<Piece>)> {
    let (mut end, first) = primary(t, k)?;
    let mut pieces = vec![first];
    while t.get(end).is_some_and(|x| x.kind == TokenKind::Punct && x.text == "||") {
        let Some((next, piece)) = primary(t, end + 1) else {
            break;
        };
        pieces.push(piece);
        end = next;
    }
    Some((end, pieces))
}

/// The index of the bracket that closes the one at `open`.
pub(super) fn closing_paren(t: &[Tok], open: usize) -> Option<usize> {
    let mut depth = 0;
    for (k, tok) in t.iter().enumerate().skip(open) {
        match tok.text {
            "(" | "[" => depth += 1,
            ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// A literal, a name, a call, a parenthesised expression or a parameter, with any `::type` casts.
pub(super) fn primary(t: &[Tok], k: usize) -> Option<(usize, Piece)> {
    let tok = t.get(k)?;
    let is_name = |x: &Tok| matches!(x.kind, TokenKind::Word | TokenKind::QuotedIdent);
    let (mut end, piece) = match tok.kind {
        TokenKind::String | TokenKind::DollarString => (k + 1, Piece::Sql(string_value(tok)?)),
        TokenKind::Word | TokenKind::QuotedIdent => {
            let mut e = k + 1;
            while t.get(e).is_some_and(|x| x.text == ".") && t.get(e + 1).is_some_and(is_name) {
                e += 2;
            }
            if t.get(e).is_some_and(|x| x.text == "(") {
                let close = closing_paren(t, e)?;
                let piece = match t[e - 1].lower.as_ref() {
                    "format" => format_call(&t[e + 1..close]),
                    _ => None,
                };
                (close + 1, piece.unwrap_or_else(|| Piece::Runtime(join(&t[k..=close]))))
            } else {
                (e, Piece::Runtime(join(&t[k..e])))
            }
        }
        TokenKind::Parameter | TokenKind::Number | TokenKind::Placeholder => (k + 1, Piece::Runtime(tok.text.into())),
        TokenKind::Punct if tok.text == "(" => {
            let close = closing_paren(t, k)?;
            let inner = &t[k + 1..close];
            let piece = match chain(inner, 0) {
                Some((end, pieces)) if end == inner.len() && pieces.iter().any(|p| matches!(p, Piece::Sql(_))) => {
                    Piece::Sql(pieces.iter().map(Piece::sql).collect())
                }
                _ => Piece::Runtime(join(&t[k..=close])),
            };
            (close + 1, piece)
        }
        _ => return None,
    };
    // `::text`, `::varchar(100)`, `::pg_catalog.text`
    while t.get(end).is_some_and(|x| x.text == "::") && t.get(end + 1).is_some_and(is_name) {
        end += 2;
        while t.get(end).is_some_and(|x| x.text == ".") && t.get(end + 1).is_some_and(is_name) {
            end += 2;
        }
        if t.get(end).is_some_and(|x| x.text == "(") {
            end = closing_paren(t, end)? + 1;
        }
    }
    Some((end, piece))
}

/// `format(fmt, args...)` with a known format string, as PostgreSQL expands it.
pub(super) fn format_call(args: &[Tok]) -> Option<Piece> {
    let groups = split_top(args, ",");
    let fmt = match chain(groups.first()?, 0)? {
        (end, pieces) if end == groups[0].len() && pieces.iter().all(|p| matches!(p, Piece::Sql(_))) => {
            pieces.iter().map(Piece::sql).collect::<String>()
        }
        _ => return None,
    };
    let values: Vec<Piece> = groups[1..]
        .iter()
        .map(|g| match g {
            [one] if matches!(one.kind, TokenKind::String | TokenKind::DollarString) => {
                string_value(one).map_or_else(|| Piece::Runtime(one.text.into()), Piece::Sql)
            }
            _ => Piece::Runtime(join(g)),
        })
        .collect();
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut next = 0;
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        // %[position$][flags][width]type
        let mut spec = String::new();
        while let Some(&c) = chars
            .peek()
            .filter(|c| c.is_ascii_digit() || matches!(c, '$' | '-' | '*'))
        {
            spec.push(c);
            chars.next();
        }
        let Some(ty) = chars.next() else { break };
        if ty == '%' {
            out.push('%');
            continue;
        }
        let index = match spec.split_once('$') {
            Some((n, _)) => n.parse::<usize>().ok().and_then(|n| n.checked_sub(1)),
            None => Some(next),
        };
        next = index.map_or(next, |i| i + 1);
        match (ty, index.and_then(|i| values.get(i))) {
            ('I', Some(Piece::Sql(v))) => out.push_str(&quote_ident(v)),
            ('L', Some(Piece::Sql(v))) => out.push_str(&quote_literal(v)),
            (_, Some(piece)) => out.push_str(&piece.sql()),
            (_, None) => out.push_str(&placeholder("?")),
        }
    }
    Some(Piece::Sql(out))
}
