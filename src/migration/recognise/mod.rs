//! The keyword-level recogniser: reads PostgreSQL DDL from our own tokens.
//! DDL is keyword-driven, so the same reading serves statements sqlparser
//! parsed and the ones it rejected; `None` means the shape is unknown.

use std::ops::Range;

use super::action::*;
use super::lex::{lex, Token, TokenKind};
use super::locks::LockMode;

mod alter;
mod create;
mod drop;
mod dynamic;
mod signature;

use alter::*;
use create::*;
use drop::*;
use dynamic::closing_paren;
pub use dynamic::{fold_dynamic_sql, splice, unreadable_dynamic_sql, DYNAMIC_SQL_STARTS, PLPGSQL_LEADS};
pub use signature::routine_signatures;

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
    /// A parenthesised list of plain column names (`(a, "B" DESC)`), if one
    /// comes next; `None` when an element is an expression or not a column.
    fn column_list(&mut self) -> Option<Vec<String>> {
        if self.peek().is_none_or(|t| t.text != "(") {
            return None;
        }
        let close = closing_paren(self.t, self.i)?;
        let inner = &self.t[self.i + 1..close];
        self.i = close + 1;
        split_top(inner, ",")
            .into_iter()
            .map(|g| {
                let mut gc = Cur::new(g);
                let col = gc.ident()?;
                let _ = gc.eat(&["asc"]) || gc.eat(&["desc"]);
                let _ = gc.eat(&["nulls", "first"]) || gc.eat(&["nulls", "last"]);
                gc.at_end().then_some(col)
            })
            .collect()
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
            // `$tag$body$tag$`; an unterminated one (`DO $$` at the end of a file) is all body.
            let (tag, rest) = t.text.split_at(t.text.get(1..)?.find('$')? + 2);
            Some(rest.strip_suffix(tag).unwrap_or(rest).to_string())
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
            let full = c.eat(&["full"]) || utility_option(&mut c, "full");
            Some(vec![Action::Vacuum { full }])
        }
        "cluster" => Some(vec![Action::Cluster]),
        "reindex" => Some(vec![reindex(&mut c)]),
        "refresh" => {
            c.eat(&["materialized", "view"]);
            let concurrently = c.eat(&["concurrently"]);
            Some(vec![Action::RefreshMaterializedView {
                concurrently,
                name: c.name(),
            }])
        }
        "lock" => lock(&mut c),
        "do" => do_block(&c),
        "select" | "with" | "insert" | "update" | "delete" | "values" | "table" | "copy" | "call" | "notify"
        | "listen" | "unlisten" | "discard" | "explain" | "prepare" | "execute" | "deallocate" | "checkpoint"
        | "load" | "fetch" | "declare" | "close" | "move" | "analyze" | "analyse" | "savepoint" | "release"
        | "rollback" | "abort" | "import" | "merge" | "show" => {
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
        Action::Update {
            table,
            has_where,
            columns: Vec::new(),
        }
    }])
}

/// Whether the parenthesised option list that comes next (`VACUUM (FULL)`,
/// `REINDEX (CONCURRENTLY true)`) turns `option` on. PostgreSQL reads a
/// boolean option's value as `false`, `off` or `0` (a keyword, a string
/// `'false'` or a quoted name `"off"`) for off, anything else for on.
fn utility_option(c: &mut Cur, option: &str) -> bool {
    let start = c.i + 1;
    if !c.skip_parens() {
        return false;
    }
    let inner = &c.t[start..c.i.saturating_sub(1).max(start)];
    split_top(inner, ",").iter().any(|opt| match opt {
        [name, value @ ..] if name.lower == option => !value.first().is_some_and(|v| {
            let text = match v.kind {
                TokenKind::String => string_value(v).unwrap_or_default(),
                TokenKind::QuotedIdent => unquote(v.text),
                _ => v.lower.to_string(),
            };
            matches!(text.to_ascii_lowercase().as_str(), "false" | "off" | "0")
        }),
        _ => false,
    })
}

/// `REINDEX [(options)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] name`.
fn reindex(c: &mut Cur) -> Action {
    let mut concurrently = utility_option(c, "concurrently");
    let what = c.peek_word().to_string();
    c.i += 1;
    concurrently |= c.eat(&["concurrently"]);
    let target = matches!(what.as_str(), "index" | "table").then(|| c.name()).flatten();
    Action::Reindex { concurrently, target }
}

/// `LOCK [TABLE] [ONLY] t [*], ... [IN <mode> MODE] [NOWAIT]`.
fn lock(c: &mut Cur) -> Option<Vec<Action>> {
    c.eat(&["table"]);
    let rest = c.rest();
    let end = rest.iter().position(|t| t.lower == "in").unwrap_or(rest.len());
    let mut tables = Vec::new();
    for g in split_top(&rest[..end], ",") {
        let mut gc = Cur::new(g);
        gc.eat(&["only"]);
        tables.push(gc.name()?);
    }
    let mode = if end < rest.len() {
        let words: Vec<&str> = rest[end + 1..]
            .iter()
            .take_while(|t| t.lower != "mode")
            .map(|t| t.lower.as_ref())
            .collect();
        LockMode::from_words(&words)?
    } else {
        LockMode::AccessExclusive
    };
    Some(vec![Action::Lock { tables, mode }])
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
    fn drop_column_keeps_if_exists() {
        let a = actions("ALTER TABLE members DROP COLUMN IF EXISTS nickname, DROP legacy;").unwrap();
        assert!(matches!(&a[0], Action::DropColumn { column, if_exists: true, .. } if column == "nickname"));
        assert!(matches!(&a[1], Action::DropColumn { column, if_exists: false, .. } if column == "legacy"));
    }

    #[test]
    fn enum_labels_are_read() {
        let a = actions("CREATE TYPE public.\"Mood\" AS ENUM ('happy', 'it''s ok');").unwrap();
        assert!(
            matches!(&a[1], Action::EnumLabels { ty, labels } if ty.name == "Mood" && labels == &["happy", "it's ok"])
        );
        assert_eq!(actions("CREATE TYPE pair AS (a int, b int);").unwrap().len(), 1);
    }

    #[test]
    fn tables_whose_columns_are_all_written_out() {
        let known = |sql: &str| match &actions(sql).unwrap()[0] {
            Action::CreateTable { columns_known, .. } => *columns_known,
            a => panic!("{a:?}"),
        };
        assert!(known(
            "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, n text CHECK (n LIKE 'a%'));"
        ));
        assert!(!known("CREATE TABLE t (LIKE s INCLUDING ALL);"));
        assert!(!known("CREATE TABLE t (id int) INHERITS (s);"));
        assert!(!known("CREATE TABLE t AS SELECT * FROM s;"));
        assert!(!known("CREATE TABLE t PARTITION OF s FOR VALUES IN (1);"));
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
    fn lossless_widenings_and_which_rewrite() {
        let t = SqlType::parse;
        let in_place = [
            ("timestamp(3)", "timestamp"),
            ("timestamptz(0)", "timestamp(6) with time zone"),
            ("serial", "integer"),
            ("numeric(8,2)", "numeric"),
        ];
        for (a, b) in in_place {
            assert!(t(a).widens_to(&t(b)), "{a} -> {b}");
            assert!(!t(a).widens_with_rewrite(&t(b)), "{a} -> {b}");
        }
        let rewritten = [
            ("int", "bigint"),
            ("smallint", "integer"),
            ("SERIAL", "BIGINT"),
            ("integer", "numeric(10)"),
            ("bigint", "numeric(21,2)"),
            ("integer", "double precision"),
            ("real", "float8"),
            ("numeric(8,2)", "numeric(12,4)"),
            ("char(4)", "varchar(10)"),
            ("integer[]", "bigint[]"),
        ];
        for (a, b) in rewritten {
            assert!(!t(a).widens_to(&t(b)), "{a} -> {b}");
            assert!(t(a).widens_with_rewrite(&t(b)), "{a} -> {b}");
        }
        let lossy = [
            ("bigint", "integer"),
            ("bigint", "double precision"),
            ("integer", "real"),
            ("integer", "numeric(9)"),
            ("numeric(8,2)", "numeric(8,4)"),
            ("timestamp", "timestamp(3)"),
            ("timestamp", "timestamptz"),
            ("integer[]", "bigint"),
            ("char(10)", "varchar(4)"),
        ];
        for (a, b) in lossy {
            assert!(!t(a).widens_to(&t(b)) && !t(a).widens_with_rewrite(&t(b)), "{a} -> {b}");
        }
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
            matches!(&a[0], Action::DropColumn { table, column, .. } if table.schema.as_deref() == Some("${schema}") && column == "{{ .Column }}")
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
        // PostgreSQL reads a string or a quoted name as the boolean it spells.
        for off in [
            "VACUUM (FULL 'false') t;",
            "VACUUM (FULL off) t;",
            "VACUUM (FULL \"OFF\") t;",
            "VACUUM (FULL 'Off') t;",
        ] {
            assert!(
                matches!(actions(off).unwrap()[0], Action::Vacuum { full: false }),
                "{off}"
            );
        }
        assert!(matches!(
            actions("VACUUM (FULL 'on') t;").unwrap()[0],
            Action::Vacuum { full: true }
        ));
    }

    #[test]
    fn reindex_refresh_lock_and_detach_say_what_they_lock() {
        let reindex = |sql: &str| match &actions(sql).unwrap()[0] {
            Action::Reindex { concurrently, target } => (*concurrently, target.as_ref().map(|t| t.to_string())),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            reindex("REINDEX INDEX members_email_idx;"),
            (false, Some("members_email_idx".into()))
        );
        assert_eq!(
            reindex("REINDEX TABLE CONCURRENTLY app.members;"),
            (true, Some("app.members".into()))
        );
        assert_eq!(
            reindex("REINDEX (CONCURRENTLY false) TABLE members;"),
            (false, Some("members".into()))
        );
        assert_eq!(
            reindex("REINDEX (VERBOSE, CONCURRENTLY) INDEX i;"),
            (true, Some("i".into()))
        );
        assert_eq!(reindex("REINDEX DATABASE app;"), (false, None));
        assert!(matches!(
            &actions("REFRESH MATERIALIZED VIEW CONCURRENTLY stats WITH DATA;").unwrap()[0],
            Action::RefreshMaterializedView { concurrently: true, name: Some(n) } if n.name == "stats"
        ));
        assert!(matches!(
            &actions("LOCK TABLE ONLY a, b IN SHARE ROW EXCLUSIVE MODE NOWAIT;").unwrap()[0],
            Action::Lock { tables, mode: LockMode::ShareRowExclusive } if tables.len() == 2
        ));
        assert!(matches!(
            &actions("LOCK members;").unwrap()[0],
            Action::Lock {
                mode: LockMode::AccessExclusive,
                ..
            }
        ));
        assert!(matches!(
            &actions("ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;").unwrap()[0],
            Action::DetachPartition { concurrently: true, partition, .. } if partition.name == "events_2023"
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
