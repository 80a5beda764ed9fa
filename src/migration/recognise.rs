//! The keyword-level recogniser: reads PostgreSQL DDL from our own tokens.
//! DDL is keyword-driven, so the same reading serves statements sqlparser
//! parsed and the ones it rejected; `None` means the shape is unknown.

use std::ops::Range;

use super::action::*;
use super::lex::{lex, Token, TokenKind};

/// A token with its text, words folded to lower case.
#[derive(Debug, Clone)]
pub struct Tok<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    /// Words folded to lower case; other tokens as written.
    pub lower: std::borrow::Cow<'a, str>,
    pub start: usize,
}

pub fn toks<'a>(src: &'a str, tokens: &[Token]) -> Vec<Tok<'a>> {
    tokens
        .iter()
        .map(|t| {
            let text = t.text(src);
            Tok {
                kind: t.kind,
                text,
                lower: if t.kind == TokenKind::Word && text.bytes().any(|b| b.is_ascii_uppercase()) {
                    std::borrow::Cow::Owned(text.to_ascii_lowercase())
                } else {
                    std::borrow::Cow::Borrowed(text)
                },
                start: t.span.start,
            }
        })
        .collect()
}

/// A cursor over a statement's tokens.
pub struct Cur<'t, 'a> {
    t: &'t [Tok<'a>],
    pub i: usize,
}

impl<'t, 'a> Cur<'t, 'a> {
    pub fn new(t: &'t [Tok<'a>]) -> Self {
        Cur { t, i: 0 }
    }
    fn peek(&self) -> Option<&'t Tok<'a>> {
        self.t.get(self.i)
    }
    fn peek_word(&self) -> &str {
        self.peek()
            .filter(|t| t.kind == TokenKind::Word)
            .map_or("", |t| t.lower.as_ref())
    }
    fn word_at(&self, off: usize) -> &str {
        self.t
            .get(self.i + off)
            .filter(|t| t.kind == TokenKind::Word)
            .map_or("", |t| t.lower.as_ref())
    }
    fn at_end(&self) -> bool {
        self.i >= self.t.len()
    }
    /// Consumes the words `seq` if they all come next.
    fn eat(&mut self, seq: &[&str]) -> bool {
        if seq.iter().enumerate().all(|(k, w)| self.word_at(k) == *w) {
            self.i += seq.len();
            true
        } else {
            false
        }
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        if self.peek().is_some_and(|t| t.kind == TokenKind::Punct && t.text == p) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// An identifier. A template placeholder (`${schema}`, `{{ .Table }}`) in
    /// an identifier's place names an object too: the same placeholder names
    /// the same object throughout the file.
    fn ident(&mut self) -> Option<String> {
        let t = self.peek()?;
        let v = match t.kind {
            TokenKind::Word => t.lower.to_string(),
            TokenKind::QuotedIdent => unquote(t.text),
            TokenKind::Placeholder => t.text.to_string(),
            _ => return None,
        };
        self.i += 1;
        Some(v)
    }
    /// A qualified name `a.b.c`; keeps the last two parts.
    fn name(&mut self) -> Option<Name> {
        let mut parts = vec![self.ident()?];
        while self.eat_punct(".") {
            parts.push(self.ident()?);
        }
        let name = parts.pop()?;
        Some(Name::new(parts.pop(), name))
    }
    /// Skips a balanced parenthesised group if one comes next.
    fn skip_parens(&mut self) -> bool {
        if self.peek().is_none_or(|t| t.text != "(") {
            return false;
        }
        self.i = closing_paren(self.t, self.i).map_or(self.t.len(), |close| close + 1);
        true
    }
    /// The rest, split on top-level commas.
    fn comma_groups(&self) -> Vec<&'t [Tok<'a>]> {
        split_top(&self.t[self.i..], ",")
    }
    fn rest(&self) -> &'t [Tok<'a>] {
        &self.t[self.i.min(self.t.len())..]
    }
}

/// Splits tokens on a top-level punctuation token.
pub fn split_top<'t, 'a>(t: &'t [Tok<'a>], sep: &str) -> Vec<&'t [Tok<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (k, tok) in t.iter().enumerate() {
        if tok.kind != TokenKind::Punct {
            continue;
        }
        match tok.text {
            "(" | "[" => depth += 1,
            ")" | "]" => depth -= 1,
            s if s == sep && depth == 0 => {
                out.push(&t[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&t[start..]);
    out
}

pub fn unquote(s: &str) -> String {
    let inner = s.strip_prefix("U&").unwrap_or(s);
    let q = inner.chars().next().unwrap_or('"');
    let body = inner.strip_prefix(q).and_then(|b| b.strip_suffix(q)).unwrap_or(inner);
    body.replace(&format!("{q}{q}"), &q.to_string())
}

/// The value of a string literal token, if it is one.
pub fn string_value(t: &Tok) -> Option<String> {
    match t.kind {
        TokenKind::String => {
            let s = t.text;
            let s = s.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '&');
            Some(unquote(s))
        }
        TokenKind::DollarString => {
            let tag_end = t.text[1..].find('$')? + 2;
            Some(t.text[tag_end..t.text.len() - tag_end].to_string())
        }
        _ => None,
    }
}

fn join(t: &[Tok]) -> String {
    let mut s = String::new();
    for (k, tok) in t.iter().enumerate() {
        let glue = k > 0
            && !matches!(tok.text, "(" | ")" | "," | "." | "[" | "]" | "::")
            && !matches!(t[k - 1].text, "(" | "." | "[" | "::");
        if glue {
            s.push(' ');
        }
        s.push_str(tok.text);
    }
    s
}

/// Object kinds by the words that name them after CREATE/ALTER/DROP.
const KINDS: &[(&[&str], ObjectKind)] = &[
    (&["table"], ObjectKind::Table),
    (&["foreign", "table"], ObjectKind::Table),
    (&["materialized", "view"], ObjectKind::MaterializedView),
    (&["view"], ObjectKind::View),
    (&["index"], ObjectKind::Index),
    (&["sequence"], ObjectKind::Sequence),
    (&["function"], ObjectKind::Function),
    (&["procedure"], ObjectKind::Procedure),
    (&["routine"], ObjectKind::Function),
    (&["aggregate"], ObjectKind::Function),
    (&["type"], ObjectKind::Type),
    (&["domain"], ObjectKind::Domain),
    (&["schema"], ObjectKind::Schema),
    (&["database"], ObjectKind::Database),
    (&["event", "trigger"], ObjectKind::Trigger),
    (&["trigger"], ObjectKind::Trigger),
    (&["policy"], ObjectKind::Policy),
    (&["rule"], ObjectKind::Rule),
    (&["extension"], ObjectKind::Extension),
    (&["role"], ObjectKind::Role),
    (&["user", "mapping"], ObjectKind::Other),
    (&["user"], ObjectKind::Role),
    (&["group"], ObjectKind::Role),
    (&["collation"], ObjectKind::Other),
    (&["conversion"], ObjectKind::Other),
    (&["publication"], ObjectKind::Other),
    (&["subscription"], ObjectKind::Other),
    (&["server"], ObjectKind::Other),
    (&["foreign", "data", "wrapper"], ObjectKind::Other),
    (&["text", "search", "configuration"], ObjectKind::Other),
    (&["text", "search", "dictionary"], ObjectKind::Other),
    (&["text", "search", "parser"], ObjectKind::Other),
    (&["text", "search", "template"], ObjectKind::Other),
    (&["operator", "class"], ObjectKind::Other),
    (&["operator", "family"], ObjectKind::Other),
    (&["operator"], ObjectKind::Other),
    (&["cast"], ObjectKind::Other),
    (&["language"], ObjectKind::Other),
    (&["procedural", "language"], ObjectKind::Other),
    (&["tablespace"], ObjectKind::Other),
    (&["statistics"], ObjectKind::Other),
    (&["access", "method"], ObjectKind::Other),
    (&["transform"], ObjectKind::Other),
    (&["large", "object"], ObjectKind::Other),
];

fn object_kind(c: &mut Cur) -> Option<ObjectKind> {
    for (words, kind) in KINDS {
        if c.eat(words) {
            return Some(*kind);
        }
    }
    None
}

/// Reads a statement's actions, or `None` when its shape is unknown.
pub fn recognise(t: &[Tok]) -> Option<Vec<Action>> {
    let mut c = Cur::new(t);
    let first = c.peek_word().to_string();
    c.i += 1;
    let other = |what: &str| Some(vec![Action::Other { what: what.to_string() }]);
    match first.as_str() {
        "alter" => alter(&mut c),
        "create" => create(&mut c),
        "drop" => drop(&mut c),
        "truncate" => {
            c.eat(&["table"]);
            let mut tables = Vec::new();
            for g in c.comma_groups() {
                let mut gc = Cur::new(g);
                gc.eat(&["only"]);
                if let Some(n) = gc.name() {
                    tables.push(n);
                }
            }
            Some(vec![Action::Truncate { tables }])
        }
        "grant" | "revoke" => Some(vec![Action::Permission {
            what: first.to_uppercase(),
        }]),
        "reassign" => Some(vec![Action::Permission {
            what: "REASSIGN OWNED".into(),
        }]),
        "comment" | "security" => other("COMMENT"),
        "set" | "reset" => Some(vec![set(&mut c, &first)]),
        "begin" | "start" => Some(vec![Action::Begin]),
        "commit" | "end" => Some(vec![Action::Commit]),
        "rollback" | "abort" if !t.iter().any(|x| x.lower == "to") => Some(vec![Action::Commit]),
        "vacuum" => {
            let full = c.eat(&["full"]) || vacuum_option_full(&mut c);
            Some(vec![Action::Vacuum { full }])
        }
        "cluster" => Some(vec![Action::Cluster]),
        "reindex" => Some(vec![Action::Reindex {
            concurrently: t.iter().any(|x| x.lower == "concurrently"),
        }]),
        "refresh" => Some(vec![Action::RefreshMaterializedView {
            concurrently: t.iter().any(|x| x.lower == "concurrently"),
        }]),
        "do" => do_block(&c),
        "select" | "with" | "insert" | "update" | "delete" | "values" | "table" | "copy" | "call" | "notify"
        | "listen" | "unlisten" | "discard" | "explain" | "prepare" | "execute" | "deallocate" | "checkpoint"
        | "load" | "fetch" | "declare" | "close" | "move" | "lock" | "analyze" | "analyse" | "savepoint"
        | "release" | "rollback" | "abort" | "import" | "merge" | "show" => {
            // DML is read from sqlparser's AST when it parses; here only its shape is known.
            if matches!(first.as_str(), "delete" | "update") {
                return dml_from_tokens(&mut c, &first);
            }
            if let Some(timeout) = set_config_timeout(t) {
                return Some(vec![timeout]);
            }
            other(&first.to_uppercase())
        }
        _ => None,
    }
}

/// `DELETE` and `UPDATE` that sqlparser rejected (array subscripts in SET,
/// `WHERE CURRENT OF`, ...): the target and whether a top-level WHERE exists.
fn dml_from_tokens(c: &mut Cur, first: &str) -> Option<Vec<Action>> {
    if first == "delete" && !c.eat(&["from"]) {
        return None;
    }
    c.eat(&["only"]);
    let table = c.name()?;
    let mut depth = 0i32;
    let mut has_where = false;
    for t in c.rest() {
        match t.text {
            "(" | "[" => depth += 1,
            ")" | "]" => depth -= 1,
            _ if depth == 0 && t.kind == TokenKind::Word && t.lower == "where" => has_where = true,
            _ => {}
        }
    }
    Some(vec![if first == "delete" {
        Action::Delete { table, has_where }
    } else {
        Action::Update { table, has_where }
    }])
}

/// `VACUUM (FULL)`, `(FULL true)`, `(VERBOSE, FULL 1)`; not `(FULL false)`.
fn vacuum_option_full(c: &mut Cur) -> bool {
    let start = c.i + 1;
    if !c.skip_parens() {
        return false;
    }
    let inner = &c.t[start..c.i.saturating_sub(1).max(start)];
    split_top(inner, ",").iter().any(|opt| match opt {
        [name, value @ ..] if name.lower == "full" => !value
            .first()
            .is_some_and(|v| matches!(v.lower.as_ref(), "false" | "off" | "0")),
        _ => false,
    })
}

fn set(c: &mut Cur, first: &str) -> Action {
    let _ = c.eat(&["local"]) || c.eat(&["session"]);
    let var = c.peek_word().to_string();
    if first == "set" && (var == "lock_timeout" || var == "statement_timeout") {
        c.i += 1;
        let _ = c.eat(&["to"]) || c.eat_punct("=");
        let value = c
            .rest()
            .iter()
            .map(|t| string_value(t).unwrap_or_else(|| t.text.to_string()))
            .collect::<String>();
        return Action::SetTimeout {
            lock: var == "lock_timeout",
            value,
        };
    }
    Action::Other {
        what: first.to_uppercase(),
    }
}

/// `SELECT set_config('lock_timeout', '5s', false)`, the function form of `SET`.
fn set_config_timeout(t: &[Tok]) -> Option<Action> {
    let k = t.iter().position(|x| x.lower == "set_config")?;
    if t.get(k + 1)?.text != "(" {
        return None;
    }
    let args = &t[k + 2..];
    let args = split_top(&args[..args.iter().position(|x| x.text == ")")?], ",");
    let var = string_value(args.first()?.first()?)?;
    let value = args.get(1).and_then(|v| v.first()).and_then(string_value)?;
    match var.to_ascii_lowercase().as_str() {
        v @ ("lock_timeout" | "statement_timeout") => Some(Action::SetTimeout {
            lock: v == "lock_timeout",
            value,
        }),
        _ => None,
    }
}

fn do_block(c: &Cur) -> Option<Vec<Action>> {
    let body = c
        .rest()
        .iter()
        .find(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))?;
    let value = string_value(body)?;
    let offset = body.start + body.text.find(value.as_str()).unwrap_or(0);
    Some(vec![Action::Do {
        body: fold_dynamic_sql(&value),
        body_offset: offset,
    }])
}

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
enum Piece {
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
fn placeholder(expr: &str) -> String {
    let expr: String = expr.split_whitespace().collect::<Vec<_>>().join(" ").replace('}', "");
    format!("${{{expr}}}")
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// `quote_ident`: bare when PostgreSQL would read it back unchanged.
fn quote_ident(s: &str) -> String {
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
fn fold_at(t: &[Tok], k: usize) -> Option<(usize, String)> {
    let (end, pieces) = chain(t, k)?;
    let builds_sql = match pieces.as_slice() {
        [Piece::Sql(_)] => !matches!(t[k].kind, TokenKind::String | TokenKind::DollarString),
        [_] => false,
        many => many.iter().any(|p| matches!(p, Piece::Sql(_))),
    };
    builds_sql.then(|| (end, pieces.iter().map(Piece::sql).collect()))
}

/// `primary (|| primary)*` from `k`.
fn chain(t: &[Tok], k: usize) -> Option<(usize, Vec<Piece>)> {
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
fn closing_paren(t: &[Tok], open: usize) -> Option<usize> {
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
fn primary(t: &[Tok], k: usize) -> Option<(usize, Piece)> {
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
fn format_call(args: &[Tok]) -> Option<Piece> {
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

fn create(c: &mut Cur) -> Option<Vec<Action>> {
    let or_replace = c.eat(&["or", "replace"]);
    // Modifiers before the object kind.
    let mut unique = false;
    let mut unlogged = false;
    loop {
        match c.peek_word() {
            "unique" => unique = true,
            "unlogged" => unlogged = true,
            "temp" | "temporary" | "global" | "local" | "trusted" | "constraint" | "recursive" | "default" => {}
            _ => break,
        }
        c.i += 1;
    }
    let kind = object_kind(c)?;
    match kind {
        ObjectKind::Table => {
            let temporary = c.t.iter().take(4).any(|t| t.lower == "temp" || t.lower == "temporary");
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            let table = c.name()?;
            let (columns, constraints) = if c.peek().is_some_and(|t| t.text == "(") {
                table_elements(c)
            } else {
                (Vec::new(), Vec::new())
            };
            Some(vec![Action::CreateTable {
                table,
                columns,
                constraints,
                unlogged,
                temporary,
                if_not_exists,
            }])
        }
        ObjectKind::Index => {
            let concurrently = c.eat(&["concurrently"]);
            c.eat(&["if", "not", "exists"]);
            let name = if c.peek_word() == "on" { None } else { c.name() };
            if !c.eat(&["on"]) {
                return None;
            }
            c.eat(&["only"]);
            let table = c.name()?;
            Some(vec![Action::CreateIndex {
                name,
                table,
                concurrently,
                unique,
            }])
        }
        ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule => {
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            let name = c.name()?;
            let on = c.rest().iter().position(|t| t.lower == "on").and_then(|k| {
                let mut oc = Cur::new(&c.rest()[k + 1..]);
                oc.name()
            });
            Some(vec![Action::Create {
                kind,
                name,
                or_replace,
                if_not_exists,
                on,
            }])
        }
        _ => {
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            if kind == ObjectKind::Schema && c.eat(&["authorization"]) {
                let name = c.name()?;
                return Some(vec![Action::Create {
                    kind,
                    name,
                    or_replace,
                    if_not_exists,
                    on: None,
                }]);
            }
            let name = c.name().unwrap_or_else(|| Name::new(None, "?"));
            Some(vec![Action::Create {
                kind,
                name,
                or_replace,
                if_not_exists,
                on: None,
            }])
        }
    }
}

/// The column definitions and table constraints of `( ... )`.
fn table_elements(c: &mut Cur) -> (Vec<ColumnDef>, Vec<ConstraintDef>) {
    let start = c.i + 1;
    c.skip_parens();
    let inner = &c.t[start..c.i.saturating_sub(1).max(start)];
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    for g in split_top(inner, ",") {
        let mut gc = Cur::new(g);
        if let Some(con) = table_constraint(&mut gc) {
            constraints.push(con);
        } else if !matches!(gc.peek_word(), "like" | "exclude") {
            if let Some(col) = column_def(&mut gc) {
                columns.push(col);
            }
        }
    }
    (columns, constraints)
}

const COLUMN_CONSTRAINT_START: &[&str] = &[
    "constraint",
    "not",
    "null",
    "default",
    "primary",
    "unique",
    "check",
    "references",
    "generated",
    "collate",
    "deferrable",
    "initially",
    "compression",
    "storage",
];

fn column_def(c: &mut Cur) -> Option<ColumnDef> {
    let name = c.ident()?;
    let ty_start = c.i;
    while let Some(t) = c.peek() {
        if t.kind == TokenKind::Word && COLUMN_CONSTRAINT_START.contains(&t.lower.as_ref()) {
            // `double precision`, `character varying` etc. never reach here; `not`
            // only starts a constraint.
            break;
        }
        if t.text == "(" {
            c.skip_parens();
        } else {
            c.i += 1;
        }
    }
    let ty = SqlType::parse(&join(&c.t[ty_start..c.i]));
    let mut col = ColumnDef {
        name,
        ty,
        not_null: false,
        default: None,
        generated: None,
        primary_key: false,
        unique: false,
        references: false,
    };
    while !c.at_end() {
        let w = c.peek_word().to_string();
        c.i += 1;
        match w.as_str() {
            "not" if c.eat(&["null"]) => col.not_null = true,
            "primary" => {
                c.eat(&["key"]);
                col.primary_key = true;
                col.not_null = true;
            }
            "references" => col.references = true,
            "unique" => col.unique = true,
            "generated" => {
                let _ = c.eat(&["always"]) || c.eat(&["by", "default"]);
                c.eat(&["as"]);
                col.generated = Some(if c.eat(&["identity"]) {
                    c.skip_parens();
                    Generated::Identity
                } else {
                    c.skip_parens();
                    if c.eat(&["stored"]) {
                        Generated::Stored
                    } else {
                        c.eat(&["virtual"]);
                        Generated::Virtual
                    }
                });
            }
            "default" => {
                let s = c.i;
                while let Some(t) = c.peek() {
                    if t.kind == TokenKind::Word && COLUMN_CONSTRAINT_START.contains(&t.lower.as_ref()) {
                        break;
                    }
                    if t.text == "(" {
                        c.skip_parens();
                    } else {
                        c.i += 1;
                    }
                }
                col.default = Some(join(&c.t[s..c.i]));
            }
            _ => {
                c.skip_parens();
            }
        }
    }
    Some(col)
}

/// A table constraint (`[CONSTRAINT name] CHECK (...) | UNIQUE ... | ...`), if one comes next.
fn table_constraint(c: &mut Cur) -> Option<ConstraintDef> {
    let save = c.i;
    let name = if c.eat(&["constraint"]) { c.ident() } else { None };
    let kind = match c.peek_word() {
        "check" => ConstraintKind::Check,
        "foreign" => ConstraintKind::ForeignKey,
        "unique" => ConstraintKind::Unique,
        "primary" => ConstraintKind::PrimaryKey,
        "exclude" => ConstraintKind::Exclude,
        "not" if c.word_at(1) == "null" => ConstraintKind::NotNull,
        _ => {
            c.i = save;
            return None;
        }
    };
    let rest = &c.t[c.i..];
    let not_valid = rest.windows(2).any(|w| w[0].lower == "not" && w[1].lower == "valid");
    let using_index =
        rest.windows(2).any(|w| w[0].lower == "using" && w[1].lower == "index") && !rest.iter().any(|t| t.text == "(");
    let not_null_column = if kind == ConstraintKind::Check {
        check_not_null_column(rest)
    } else {
        None
    };
    c.i = c.t.len();
    Some(ConstraintDef {
        name,
        kind,
        not_valid,
        using_index,
        not_null_column,
    })
}

/// `CHECK (col IS NOT NULL)` → `col`.
fn check_not_null_column(t: &[Tok]) -> Option<String> {
    let words: Vec<&Tok> = t.iter().filter(|x| !matches!(x.text, "(" | ")")).collect();
    match words.as_slice() {
        [chk, col, is, not, null, rest @ ..]
            if chk.lower == "check"
                && is.lower == "is"
                && not.lower == "not"
                && null.lower == "null"
                && rest
                    .iter()
                    .all(|x| x.lower == "not" || x.lower == "valid" || x.lower == "no" || x.lower == "inherit") =>
        {
            match col.kind {
                TokenKind::Word => Some(col.lower.to_string()),
                TokenKind::QuotedIdent => Some(unquote(col.text)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn drop(c: &mut Cur) -> Option<Vec<Action>> {
    if c.eat(&["owned", "by"]) {
        // Drops everything the roles own in the database.
        let names = split_top(c.rest(), ",")
            .into_iter()
            .filter_map(|g| Cur::new(g).name())
            .map(|role| Name::new(None, format!("OWNED BY {role}")))
            .collect();
        return Some(vec![Action::Drop {
            kind: ObjectKind::Other,
            names,
            on: None,
            concurrently: false,
            if_exists: false,
            cascade: c.t.last().is_some_and(|t| t.lower == "cascade"),
        }]);
    }
    let start = c.i;
    let kind = object_kind(c)?;
    let kind_words = &c.t[start..c.i];
    let concurrently = c.eat(&["concurrently"]);
    let if_exists = c.eat(&["if", "exists"]);
    let cascade = c.t.last().is_some_and(|t| t.lower == "cascade");
    let mut names = Vec::new();
    let mut on = None;
    for g in split_top(c.rest(), ",") {
        let mut gc = Cur::new(g);
        match kind_words
            .iter()
            .map(|t| t.lower.as_ref())
            .collect::<Vec<_>>()
            .as_slice()
        {
            // DROP CAST (source AS target)
            ["cast"] => {
                let s = gc.i + 1;
                if gc.skip_parens() {
                    names.push(Name::new(None, format!("({})", join(&g[s..gc.i - 1]))));
                }
                continue;
            }
            // DROP USER MAPPING FOR role SERVER server, DROP TRANSFORM FOR type LANGUAGE lang
            ["user", "mapping"] | ["transform"] => {
                gc.eat(&["for"]);
                names.extend(gc.name());
                let _ = gc.eat(&["server"]) || gc.eat(&["language"]);
                on = gc.name();
                continue;
            }
            // DROP OPERATOR [schema.]=== (left, right)
            ["operator"] => {
                if let Some(n) = operator_name(&mut gc) {
                    names.push(n);
                }
                continue;
            }
            _ => {}
        }
        if let Some(n) = gc.name() {
            names.push(n);
        }
        gc.skip_parens();
        if gc.eat(&["on"]) {
            on = gc.name();
        }
    }
    Some(vec![Action::Drop {
        kind,
        names,
        on,
        concurrently,
        if_exists,
        cascade,
    }])
}

/// An operator's name: `===`, `myschema.===`.
fn operator_name(c: &mut Cur) -> Option<Name> {
    let schema = if !c.word_at(0).is_empty() && c.t.get(c.i + 1).is_some_and(|t| t.text == ".") {
        let s = c.ident();
        c.i += 1;
        s
    } else {
        None
    };
    let mut op = String::new();
    while let Some(t) = c.peek().filter(|t| t.kind == TokenKind::Punct && t.text != "(") {
        op.push_str(t.text);
        c.i += 1;
    }
    (!op.is_empty()).then(|| Name::new(schema, op))
}

fn alter(c: &mut Cur) -> Option<Vec<Action>> {
    if c.eat(&["default", "privileges"]) {
        return Some(vec![Action::Permission {
            what: "ALTER DEFAULT PRIVILEGES".into(),
        }]);
    }
    if c.eat(&["system"]) {
        return Some(vec![Action::Other {
            what: "ALTER SYSTEM".into(),
        }]);
    }
    let start = c.i;
    let kind = object_kind(c)?;
    if matches!(kind, ObjectKind::Role) {
        // Logins and grants name the role: renaming it breaks them.
        if let (Some(from), true) = (c.name(), c.eat(&["rename", "to"])) {
            let to = c.ident()?;
            return Some(vec![Action::Rename {
                kind,
                from,
                to,
                on: None,
            }]);
        }
        return Some(vec![Action::Permission {
            what: "ALTER ROLE".into(),
        }]);
    }
    c.eat(&["if", "exists"]);
    if kind == ObjectKind::Table && c.eat(&["all", "in", "tablespace"]) {
        return Some(vec![Action::Other {
            what: "ALTER TABLE ALL IN TABLESPACE".into(),
        }]);
    }
    if kind == ObjectKind::Index && c.eat(&["all", "in", "tablespace"]) {
        return Some(vec![Action::Other {
            what: "ALTER INDEX ALL IN TABLESPACE".into(),
        }]);
    }
    c.eat(&["only"]);
    let name = if c.t[start..c.i].iter().map(|t| t.lower.as_ref()).eq(["operator"]) {
        operator_name(c)?
    } else {
        match c.name() {
            Some(n) => n,
            // `ALTER LARGE OBJECT 42 OWNER TO ...` and the like: no name to
            // track, and nothing renamed or moved.
            None if kind == ObjectKind::Other
                && !c.rest().iter().any(|t| matches!(t.lower.as_ref(), "rename" | "schema")) =>
            {
                return Some(vec![Action::Other {
                    what: format!("ALTER {}", join(&c.t[start..c.i]).to_uppercase()),
                }]);
            }
            None => return None,
        }
    };
    c.eat_punct("*");
    // Function signatures.
    c.skip_parens();
    let on = if matches!(kind, ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule) && c.eat(&["on"]) {
        c.name()
    } else {
        None
    };
    // Clauses between the name and the action (`ALTER OPERATOR CLASS c USING btree RENAME TO d`).
    if kind != ObjectKind::Table {
        let rest = c.rest();
        if let Some(k) = rest
            .iter()
            .position(|t| t.kind == TokenKind::Word && (t.lower == "rename" || t.lower == "set"))
        {
            let at_action = rest[k].lower == "rename" || rest.get(k + 1).is_some_and(|n| n.lower == "schema");
            if at_action && split_top(&rest[..k], ",").len() == 1 && !rest[..k].iter().any(|t| t.text == "(") {
                c.i += k;
            }
        }
    }
    if c.eat(&["rename"]) {
        return rename(c, kind, name, on);
    }
    if c.eat(&["set", "schema"]) {
        let schema = c.ident()?;
        return Some(vec![Action::SetSchema { kind, name, schema }]);
    }
    match kind {
        ObjectKind::Table => alter_table(c, name),
        ObjectKind::Type if c.eat(&["add", "value"]) => {
            c.eat(&["if", "not", "exists"]);
            let value = c.peek().and_then(string_value)?;
            Some(vec![Action::AddEnumValue { ty: name, value }])
        }
        ObjectKind::Type if matches!(c.word_at(1), "attribute") => c
            .comma_groups()
            .into_iter()
            .map(|g| type_attribute_subcommand(&mut Cur::new(g), &name))
            .collect(),
        ObjectKind::Domain if c.eat(&["add"]) => {
            let mut rest = Cur::new(c.rest());
            let con = table_constraint(&mut rest)?;
            Some(vec![Action::AddConstraint {
                table: name,
                constraint: con,
            }])
        }
        ObjectKind::Domain if c.eat(&["drop", "constraint"]) => {
            let if_exists = c.eat(&["if", "exists"]);
            let con = c.ident()?;
            Some(vec![Action::Drop {
                kind: ObjectKind::Constraint,
                names: vec![Name::new(None, con)],
                on: Some(name),
                concurrently: false,
                if_exists,
                cascade: c.eat(&["cascade"]),
            }])
        }
        _ => {
            let what = format!("ALTER {} {}", kind.label().to_uppercase(), join(c.rest()));
            if c.rest().iter().any(|t| t.lower == "owner") || matches!(kind, ObjectKind::Function | ObjectKind::Policy)
            {
                return Some(vec![Action::Permission { what }]);
            }
            Some(vec![Action::Other { what }])
        }
    }
}

/// One `ADD | DROP | ALTER ATTRIBUTE` action of `ALTER TYPE` on a composite type.
fn type_attribute_subcommand(c: &mut Cur, ty: &Name) -> Option<Action> {
    let verb = c.peek_word().to_string();
    c.i += 1;
    if !c.eat(&["attribute"]) {
        return None;
    }
    match verb.as_str() {
        "add" => Some(Action::Other {
            what: format!("ALTER TYPE {ty} ADD ATTRIBUTE"),
        }),
        "drop" => {
            let if_exists = c.eat(&["if", "exists"]);
            let attribute = c.ident()?;
            Some(Action::Drop {
                kind: ObjectKind::Column,
                names: vec![Name::new(None, attribute)],
                on: Some(ty.clone()),
                concurrently: false,
                if_exists,
                cascade: c.eat(&["cascade"]),
            })
        }
        "alter" => {
            let column = c.ident()?;
            match alter_column(c, ty.clone(), column)? {
                a @ Action::AlterColumnType { .. } => Some(a),
                _ => None,
            }
        }
        _ => None,
    }
}

fn rename(c: &mut Cur, kind: ObjectKind, name: Name, on: Option<Name>) -> Option<Vec<Action>> {
    if c.eat(&["to"]) {
        let to = c.ident()?;
        return Some(vec![Action::Rename {
            kind,
            from: name,
            to,
            on,
        }]);
    }
    if c.eat(&["value"]) {
        let from = c.peek().and_then(string_value)?;
        c.i += 1;
        c.eat(&["to"]);
        let to = c.peek().and_then(string_value)?;
        return Some(vec![Action::RenameEnumValue { ty: name, from, to }]);
    }
    if c.eat(&["constraint"]) {
        let from = c.ident()?;
        c.eat(&["to"]);
        let to = c.ident()?;
        return Some(vec![Action::Rename {
            kind: ObjectKind::Constraint,
            from: Name::new(None, from),
            to,
            on: Some(name),
        }]);
    }
    let _ = c.eat(&["column"]) || c.eat(&["attribute"]);
    let from = c.ident()?;
    c.eat(&["to"]);
    let to = c.ident()?;
    Some(vec![Action::RenameColumn { table: name, from, to }])
}

fn alter_table(c: &mut Cur, table: Name) -> Option<Vec<Action>> {
    let mut out = Vec::new();
    for g in c.comma_groups() {
        let mut gc = Cur::new(g);
        match gc.peek_word() {
            "modify" | "change" => out.extend(mysql_column_change(&mut gc, &table)?),
            _ => out.push(table_subcommand(&mut gc, &table)?),
        }
    }
    Some(out)
}

/// MySQL's `MODIFY [COLUMN] c type ...` and `CHANGE [COLUMN] old new type ...`:
/// a retype, and for CHANGE a rename too.
fn mysql_column_change(c: &mut Cur, table: &Name) -> Option<Vec<Action>> {
    let change = c.peek_word() == "change";
    c.i += 1;
    c.eat(&["column"]);
    let from = if change { Some(c.ident()?) } else { None };
    let new = column_def(c)?;
    let mut out = Vec::new();
    if let Some(from) = from.filter(|f| *f != new.name) {
        out.push(Action::RenameColumn {
            table: table.clone(),
            from,
            to: new.name.clone(),
        });
    }
    out.push(Action::AlterColumnType {
        table: table.clone(),
        column: new.name,
        ty: new.ty,
        using: false,
    });
    Some(out)
}

fn table_subcommand(c: &mut Cur, table: &Name) -> Option<Action> {
    let table = table.clone();
    let other = |what: &str, rewrites: bool| {
        Some(Action::AlterTableOther {
            table: table.clone(),
            what: what.into(),
            rewrites,
        })
    };
    let w = c.peek_word().to_string();
    c.i += 1;
    match w.as_str() {
        "add" => {
            if let Some(constraint) = table_constraint(c) {
                return Some(Action::AddConstraint { table, constraint });
            }
            c.eat(&["column"]);
            c.eat(&["if", "not", "exists"]);
            let column = column_def(c)?;
            Some(Action::AddColumn { table, column })
        }
        "drop" => {
            if c.eat(&["constraint"]) {
                let if_exists = c.eat(&["if", "exists"]);
                let name = c.ident()?;
                return Some(Action::Drop {
                    kind: ObjectKind::Constraint,
                    names: vec![Name::new(None, name)],
                    on: Some(table),
                    concurrently: false,
                    if_exists,
                    cascade: c.eat(&["cascade"]),
                });
            }
            c.eat(&["column"]);
            c.eat(&["if", "exists"]);
            let column = c.ident()?;
            Some(Action::DropColumn { table, column })
        }
        "alter" if c.peek_word() == "constraint" => other("ALTER CONSTRAINT", false),
        "alter" => {
            c.eat(&["column"]);
            let column = c.ident()?;
            alter_column(c, table, column)
        }
        "validate" => {
            c.eat(&["constraint"]);
            let name = c.ident()?;
            Some(Action::ValidateConstraint { table, name })
        }
        "rename" => rename(c, ObjectKind::Table, table, None)?.pop(),
        "set" => match c.peek_word() {
            "unlogged" => Some(Action::SetUnlogged { table }),
            "logged" => other("SET LOGGED", true),
            "tablespace" => other("SET TABLESPACE", true),
            "access" => other("SET ACCESS METHOD", true),
            "schema" => {
                c.i += 1;
                let schema = c.ident()?;
                Some(Action::SetSchema {
                    kind: ObjectKind::Table,
                    name: table,
                    schema,
                })
            }
            "without" | "with" | "(" => other("SET storage options", false),
            _ if c.peek().is_some_and(|t| t.text == "(") => other("SET storage options", false),
            _ => None,
        },
        "enable" | "disable" | "force" | "no" if c.rest().iter().any(|t| t.lower == "security") => {
            // `ENABLE`, `DISABLE`, `FORCE` or `NO FORCE`, through `SECURITY`.
            let end =
                c.t.iter()
                    .position(|t| t.lower == "security")
                    .map_or(c.t.len(), |p| p + 1);
            Some(Action::Permission {
                what: join(&c.t[..end]).to_uppercase(),
            })
        }
        "owner" => Some(Action::Permission {
            what: "OWNER TO".into(),
        }),
        "enable" | "disable" | "reset" | "cluster" | "replica" | "inherit" | "no" | "of" | "not" | "attach"
        | "options" | "detach" => other(&format!("{} {}", w.to_uppercase(), join(c.rest())), false),
        // PostgreSQL 17: both rewrite the partitions they touch.
        "split" | "merge" => other(&format!("{} {}", w.to_uppercase(), join(c.rest())), true),
        _ => None,
    }
}

fn alter_column(c: &mut Cur, table: Name, column: String) -> Option<Action> {
    let is_type = c.eat(&["type"]) || c.eat(&["set", "data", "type"]);
    if is_type {
        let s = c.i;
        while let Some(t) = c.peek() {
            if t.kind == TokenKind::Word && matches!(t.lower.as_ref(), "using" | "collate" | "cascade" | "restrict") {
                break;
            }
            if t.text == "(" {
                c.skip_parens();
            } else {
                c.i += 1;
            }
        }
        let ty = SqlType::parse(&join(&c.t[s..c.i]));
        let using = c.rest().iter().any(|t| t.lower == "using");
        return Some(Action::AlterColumnType {
            table,
            column,
            ty,
            using,
        });
    }
    if c.eat(&["set", "not", "null"]) {
        return Some(Action::SetNotNull { table, column });
    }
    if c.eat(&["drop", "default"]) || c.eat(&["drop", "identity"]) {
        return Some(Action::DropDefault { table, column });
    }
    let what = join(c.rest()).to_uppercase();
    let known = ["SET", "DROP", "ADD", "RESET", "RESTART", "OPTIONS"];
    if known.iter().any(|k| what.starts_with(k)) {
        return Some(Action::AlterColumnOther { table, column, what });
    }
    None
}

/// Words that make an unparsed statement dangerous to pass: it may drop,
/// rename, retype, move or empty something.
pub fn destructive_keyword(t: &[Tok]) -> Option<&'static str> {
    let words: Vec<&str> = t
        .iter()
        .filter(|x| x.kind == TokenKind::Word)
        .map(|x| x.lower.as_ref())
        .collect();
    let at = |k: usize| words.get(k).copied().unwrap_or("");
    for (k, w) in words.iter().enumerate() {
        let prev = if k == 0 { "" } else { words[k - 1] };
        // `ON DELETE CASCADE`, `FOR UPDATE`, `BEFORE UPDATE OR DELETE`, `INSTEAD OF UPDATE`:
        // clauses naming an event, not commands.
        let event = matches!(prev, "on" | "for" | "or" | "before" | "after" | "of");
        let found = match *w {
            "drop" if !(at(k + 1) == "not" && at(k + 2) == "null") => Some("DROP"),
            "truncate" => Some("TRUNCATE"),
            "rename" => Some("RENAME"),
            "delete" if !event => Some("DELETE"),
            "update" if !event => Some("UPDATE"),
            // `ALTER [COLUMN] c [SET DATA] TYPE t`, `ALTER ATTRIBUTE a TYPE t`: an
            // ALTER after the statement's own, or SET DATA TYPE.
            "type" if prev != "column" && (words[1.min(k)..k].contains(&"alter") || prev == "data") => {
                Some("ALTER COLUMN TYPE")
            }
            "set" if at(k + 1) == "schema" => Some("SET SCHEMA"),
            "set" if at(k + 1) == "unlogged" => Some("SET UNLOGGED"),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::lex::lex;

    fn actions(sql: &str) -> Option<Vec<Action>> {
        let l = lex(sql);
        let t = toks(sql, &l.statements[0].tokens);
        recognise(&t)
    }

    #[test]
    fn alter_table_subcommands() {
        let a = actions(
            "ALTER TABLE public.members DROP COLUMN old_field, ALTER COLUMN name TYPE varchar(100) COLLATE \"C\";",
        )
        .unwrap();
        assert!(matches!(&a[0], Action::DropColumn { column, .. } if column == "old_field"));
        assert!(matches!(&a[1], Action::AlterColumnType { ty, .. } if ty.base == "varchar" && ty.mods == vec![100]));
    }

    #[test]
    fn check_not_null_is_detected() {
        let a = actions("ALTER TABLE t ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;").unwrap();
        match &a[0] {
            Action::AddConstraint { constraint, .. } => {
                assert_eq!(constraint.not_null_column.as_deref(), Some("email"));
                assert!(constraint.not_valid);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_shapes_are_none() {
        assert!(actions("FROBNICATE TABLE x;").is_none());
        assert!(actions("ALTER TABLE x FROB y;").is_none());
    }

    #[test]
    fn varchar_widening() {
        let a = SqlType::parse("varchar(10)");
        assert!(a.widens_to(&SqlType::parse("character varying(20)")));
        assert!(a.widens_to(&SqlType::parse("TEXT")));
        assert!(!a.widens_to(&SqlType::parse("varchar(5)")));
        assert!(!SqlType::parse("int").widens_to(&SqlType::parse("bigint")));
        assert!(SqlType::parse("numeric(10,2)").widens_to(&SqlType::parse("numeric(12,2)")));
        assert!(!SqlType::parse("numeric(10,2)").widens_to(&SqlType::parse("numeric(12,3)")));
    }

    #[test]
    fn dynamic_sql_is_folded_into_literals() {
        let body = "BEGIN EXECUTE 'ALTER TABLE ' || quote_ident(t) || ' RENAME COLUMN a TO b'; \
                    EXECUTE format('ALTER TABLE %I DROP COLUMN %I', 'Members', col); \
                    EXECUTE format('DELETE FROM %2$I WHERE id = %1$L', 7, 'users'); \
                    EXECUTE ('TRUNCATE ' || t)::text; RAISE NOTICE 'done %', t; END";
        let folded = fold_dynamic_sql(body);
        assert!(
            folded.contains("'ALTER TABLE ${quote_ident(t)} RENAME COLUMN a TO b'"),
            "{folded}"
        );
        assert!(
            folded.contains(r#"'ALTER TABLE "Members" DROP COLUMN ${col}'"#),
            "{folded}"
        );
        assert!(folded.contains("'DELETE FROM users WHERE id = ${7}'"), "{folded}");
        assert!(folded.contains("'TRUNCATE ${t}'"), "{folded}");
        assert!(folded.contains("RAISE NOTICE 'done %', t"), "{folded}");
    }

    #[test]
    fn dynamic_sql_that_does_not_begin_with_a_statement_is_unreadable() {
        let folded = fold_dynamic_sql("BEGIN EXECUTE prefix || ' DROP COLUMN x'; END");
        assert_eq!(unreadable_dynamic_sql(&folded).map(|h| h.0), Some("DROP"));
        let folded = fold_dynamic_sql("BEGIN EXECUTE 'ALTER TABLE ' || t || ' DROP COLUMN x'; END");
        assert_eq!(unreadable_dynamic_sql(&folded), None);
    }

    #[test]
    fn placeholders_are_names() {
        let a = actions("ALTER TABLE ${schema}.members DROP COLUMN {{ .Column }};").unwrap();
        assert!(
            matches!(&a[0], Action::DropColumn { table, column } if table.schema.as_deref() == Some("${schema}") && column == "{{ .Column }}")
        );
        assert!(actions("ALTER TABLE members {{ .Change }};").is_none());
    }

    #[test]
    fn vacuum_full_can_be_switched_off() {
        assert!(matches!(
            actions("VACUUM (FULL) t;").unwrap()[0],
            Action::Vacuum { full: true }
        ));
        assert!(matches!(
            actions("VACUUM (VERBOSE, FULL true) t;").unwrap()[0],
            Action::Vacuum { full: true }
        ));
        assert!(matches!(
            actions("VACUUM (FULL false) t;").unwrap()[0],
            Action::Vacuum { full: false }
        ));
        assert!(matches!(
            actions("VACUUM (FULL 0, ANALYZE) t;").unwrap()[0],
            Action::Vacuum { full: false }
        ));
    }

    fn drop_names(sql: &str) -> Vec<String> {
        match &actions(sql).unwrap()[0] {
            Action::Drop { names, on, .. } => names
                .iter()
                .map(|n| format!("{n}{}", on.as_ref().map(|o| format!(" on {o}")).unwrap_or_default()))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn drops_name_what_they_drop() {
        assert_eq!(
            drop_names("DROP CAST IF EXISTS (text AS money) CASCADE;"),
            ["(text AS money)"]
        );
        assert_eq!(
            drop_names("DROP OPERATOR s.=== (int, int), <<< (int, NONE);"),
            ["s.===", "<<<"]
        );
        assert_eq!(
            drop_names("DROP USER MAPPING IF EXISTS FOR app SERVER remote;"),
            ["app on remote"]
        );
        assert_eq!(
            drop_names("DROP TRANSFORM FOR hstore LANGUAGE plpython3u;"),
            ["hstore on plpython3u"]
        );
        assert_eq!(drop_names("DROP POLICY p ON public.t;"), ["p on t"]);
        assert!(matches!(
            actions("DROP VIEW v CASCADE;").unwrap()[0],
            Action::Drop { cascade: true, .. }
        ));
        assert!(matches!(
            actions("DROP VIEW v;").unwrap()[0],
            Action::Drop { cascade: false, .. }
        ));
    }

    #[test]
    fn composite_type_attributes() {
        let a = actions(
            "ALTER TYPE address DROP ATTRIBUTE IF EXISTS zip, ALTER ATTRIBUTE city TYPE text, ADD ATTRIBUTE c int;",
        )
        .unwrap();
        assert!(
            matches!(&a[0], Action::Drop { kind: ObjectKind::Column, names, on: Some(t), .. } if names[0].name == "zip" && t.name == "address")
        );
        assert!(matches!(&a[1], Action::AlterColumnType { column, .. } if column == "city"));
        assert!(matches!(&a[2], Action::Other { .. }));
        let a = actions("ALTER TYPE address ALTER ATTRIBUTE city TYPE varchar CASCADE;").unwrap();
        assert!(matches!(&a[0], Action::AlterColumnType { ty, .. } if ty.text == "varchar"));
    }

    #[test]
    fn renaming_a_role_is_a_rename() {
        assert!(matches!(
            &actions("ALTER ROLE app RENAME TO app2;").unwrap()[0],
            Action::Rename {
                kind: ObjectKind::Role,
                ..
            }
        ));
        assert!(matches!(
            &actions("ALTER ROLE app WITH LOGIN;").unwrap()[0],
            Action::Permission { .. }
        ));
    }

    #[test]
    fn set_config_sets_a_timeout() {
        assert!(matches!(
            &actions("SELECT pg_catalog.set_config('lock_timeout', '5s', false);").unwrap()[0],
            Action::SetTimeout { lock: true, value } if value == "5s"
        ));
        assert!(matches!(
            &actions("SELECT set_config('search_path', 'app', false);").unwrap()[0],
            Action::Other { .. }
        ));
    }

    #[test]
    fn drop_identity_drops_the_default() {
        assert!(matches!(
            &actions("ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS;").unwrap()[0],
            Action::DropDefault { .. }
        ));
    }

    #[test]
    fn mysql_column_changes_are_retypes() {
        let a =
            actions("ALTER TABLE t MODIFY COLUMN c bigint NOT NULL, CHANGE old_name new_name varchar(10);").unwrap();
        assert!(matches!(&a[0], Action::AlterColumnType { column, .. } if column == "c"));
        assert!(matches!(&a[1], Action::RenameColumn { from, to, .. } if from == "old_name" && to == "new_name"));
        assert!(matches!(&a[2], Action::AlterColumnType { column, .. } if column == "new_name"));
    }

    #[test]
    fn temporary_and_if_not_exists_tables() {
        assert!(matches!(
            &actions("CREATE TEMP TABLE s (id int);").unwrap()[0],
            Action::CreateTable {
                temporary: true,
                if_not_exists: false,
                ..
            }
        ));
        assert!(matches!(
            &actions("CREATE TABLE IF NOT EXISTS s (id int);").unwrap()[0],
            Action::CreateTable {
                temporary: false,
                if_not_exists: true,
                ..
            }
        ));
    }

    fn keyword(sql: &str) -> Option<&'static str> {
        let l = lex(sql);
        destructive_keyword(&toks(sql, &l.statements[0].tokens))
    }

    #[test]
    fn destructive_keywords_in_unreadable_statements() {
        assert_eq!(keyword("ALTER TABLE ${t} ALTER c TYPE int;"), Some("ALTER COLUMN TYPE"));
        assert_eq!(
            keyword("ALTER TABLE t ALTER COLUMN c SET DATA TYPE int;"),
            Some("ALTER COLUMN TYPE")
        );
        assert_eq!(keyword("ALTER TABLE t ALTER COLUMN type SET DEFAULT 1;"), None);
        assert_eq!(keyword("ALTER TYPE mood ADD VALUE 'x';"), None);
        assert_eq!(keyword("ALTER TABLE t SET SCHEMA archive;"), Some("SET SCHEMA"));
        assert_eq!(keyword("ALTER TABLE t SET UNLOGGED;"), Some("SET UNLOGGED"));
        assert_eq!(
            keyword("CREATE TABLE t (a int REFERENCES u ON DELETE CASCADE ON UPDATE CASCADE);"),
            None
        );
        assert_eq!(
            keyword("CREATE TRIGGER x BEFORE UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION f();"),
            None
        );
        assert_eq!(keyword("ALTER TABLE t ALTER COLUMN c DROP NOT NULL;"), None);
        assert_eq!(keyword("WITH d AS (DELETE FROM t) SELECT 1;"), Some("DELETE"));
    }
}

#[cfg(test)]
mod dml_fallback_tests {
    use super::*;
    use crate::migration::lex::lex;

    fn actions(sql: &str) -> Option<Vec<Action>> {
        let l = lex(sql);
        recognise(&toks(sql, &l.statements[0].tokens))
    }

    #[test]
    fn update_and_delete_that_sqlparser_rejects_keep_their_where() {
        let a = actions("UPDATE arrtest SET e[0] = '1.1';").unwrap();
        assert!(matches!(&a[0], Action::Update { has_where: false, .. }), "{a:?}");
        let a = actions("UPDATE uctest SET f1 = 8 WHERE CURRENT OF c1;").unwrap();
        assert!(matches!(&a[0], Action::Update { has_where: true, .. }), "{a:?}");
        let a = actions("DELETE FROM ONLY t USING (SELECT 1 WHERE true) s;").unwrap();
        assert!(matches!(&a[0], Action::Delete { has_where: false, .. }), "{a:?}");
    }

    #[test]
    fn alter_of_unnamed_objects_is_recognised() {
        assert!(actions("ALTER LARGE OBJECT 42 OWNER TO someone;").is_some());
        assert!(actions("ALTER FOREIGN TABLE ft1 OPTIONS (DROP delimiter);").is_some());
    }
}
