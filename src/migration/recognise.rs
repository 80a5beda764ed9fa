//! The keyword-level recogniser: reads PostgreSQL DDL from our own tokens.
//! DDL is keyword-driven, so the same reading serves statements sqlparser
//! parsed and the ones it rejected; `None` means the shape is unknown.

use super::action::*;
use super::lex::{Token, TokenKind};

/// A token with its text, words folded to lower case.
#[derive(Debug, Clone)]
pub struct Tok<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    pub lower: String,
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
                lower: if t.kind == TokenKind::Word {
                    text.to_ascii_lowercase()
                } else {
                    text.to_string()
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
            .map_or("", |t| t.lower.as_str())
    }
    fn word_at(&self, off: usize) -> &str {
        self.t
            .get(self.i + off)
            .filter(|t| t.kind == TokenKind::Word)
            .map_or("", |t| t.lower.as_str())
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
    fn ident(&mut self) -> Option<String> {
        let t = self.peek()?;
        let v = match t.kind {
            TokenKind::Word => t.lower.clone(),
            TokenKind::QuotedIdent => unquote(t.text),
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
        if !self.peek().is_some_and(|t| t.text == "(") {
            return false;
        }
        let mut depth = 0;
        while let Some(t) = self.peek() {
            self.i += 1;
            match t.text {
                "(" | "[" => depth += 1,
                ")" | "]" => {
                    depth -= 1;
                    if depth == 0 {
                        return true;
                    }
                }
                _ => {}
            }
        }
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
            let full = c.eat(&["full"]) || { c.skip_parens_has(&["full"]) };
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
            if matches!(first.as_str(), "delete" | "update" | "merge") {
                return None;
            }
            other(&first.to_uppercase())
        }
        _ => None,
    }
}

impl Cur<'_, '_> {
    fn skip_parens_has(&mut self, words: &[&str]) -> bool {
        let start = self.i;
        if !self.skip_parens() {
            return false;
        }
        self.t[start..self.i].iter().any(|t| words.contains(&t.lower.as_str()))
    }
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

fn do_block(c: &Cur) -> Option<Vec<Action>> {
    let body = c
        .rest()
        .iter()
        .find(|t| matches!(t.kind, TokenKind::String | TokenKind::DollarString))?;
    let value = string_value(body)?;
    let offset = body.start + body.text.find(value.as_str()).unwrap_or(0);
    Some(vec![Action::Do {
        body: value,
        body_offset: offset,
    }])
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
            c.eat(&["if", "not", "exists"]);
            let table = c.name()?;
            let (columns, constraints) = if c.peek().is_some_and(|t| t.text == "(") {
                table_elements(c)
            } else {
                (Vec::new(), Vec::new())
            };
            if temporary {
                return Some(vec![Action::Other {
                    what: "CREATE TEMPORARY TABLE".into(),
                }]);
            }
            Some(vec![Action::CreateTable {
                table,
                columns,
                constraints,
                unlogged,
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
            c.eat(&["if", "not", "exists"]);
            let name = c.name()?;
            let on = c.rest().iter().position(|t| t.lower == "on").and_then(|k| {
                let mut oc = Cur::new(&c.rest()[k + 1..]);
                oc.name()
            });
            Some(vec![Action::Create {
                kind,
                name,
                or_replace,
                on,
            }])
        }
        _ => {
            c.eat(&["if", "not", "exists"]);
            if kind == ObjectKind::Schema && c.eat(&["authorization"]) {
                let name = c.name()?;
                return Some(vec![Action::Create {
                    kind,
                    name,
                    or_replace,
                    on: None,
                }]);
            }
            let name = c.name().unwrap_or_else(|| Name::new(None, "?"));
            Some(vec![Action::Create {
                kind,
                name,
                or_replace,
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
        if t.kind == TokenKind::Word && COLUMN_CONSTRAINT_START.contains(&t.lower.as_str()) {
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
        generated: false,
        primary_key: false,
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
            "generated" => col.generated = true,
            "default" => {
                let s = c.i;
                while let Some(t) = c.peek() {
                    if t.kind == TokenKind::Word && COLUMN_CONSTRAINT_START.contains(&t.lower.as_str()) {
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
                TokenKind::Word => Some(col.lower.clone()),
                TokenKind::QuotedIdent => Some(unquote(col.text)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn drop(c: &mut Cur) -> Option<Vec<Action>> {
    if c.eat(&["owned", "by"]) {
        return Some(vec![Action::Permission {
            what: "DROP OWNED".into(),
        }]);
    }
    let kind = object_kind(c)?;
    let concurrently = c.eat(&["concurrently"]);
    let if_exists = c.eat(&["if", "exists"]);
    let mut names = Vec::new();
    let mut on = None;
    let rest = c.rest();
    let body: Vec<&[Tok]> = split_top(rest, ",");
    for (k, g) in body.iter().enumerate() {
        let mut gc = Cur::new(g);
        if let Some(n) = gc.name() {
            names.push(n);
        }
        gc.skip_parens();
        if gc.eat(&["on"]) {
            on = gc.name();
        }
        if k == 0 && kind == ObjectKind::Other && names.is_empty() {
            break;
        }
    }
    Some(vec![Action::Drop {
        kind,
        names,
        on,
        concurrently,
        if_exists,
    }])
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
    let kind = object_kind(c)?;
    if matches!(kind, ObjectKind::Role) {
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
    let name = c.name()?;
    c.eat_punct("*");
    // Function signatures.
    c.skip_parens();
    let on = if matches!(kind, ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule) && c.eat(&["on"]) {
        c.name()
    } else {
        None
    };
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
        ObjectKind::Type if c.eat(&["alter", "attribute"]) || c.eat(&["drop", "attribute"]) => {
            Some(vec![Action::Drop {
                kind: ObjectKind::Column,
                names: vec![name],
                on: None,
                concurrently: false,
                if_exists: false,
            }])
        }
        ObjectKind::Domain if c.eat(&["add"]) => {
            let mut rest = Cur::new(c.rest());
            let con = table_constraint(&mut rest)?;
            Some(vec![Action::AddConstraint {
                table: name,
                constraint: con,
            }])
        }
        ObjectKind::Domain if c.eat(&["drop", "constraint"]) => {
            c.eat(&["if", "exists"]);
            let con = c.ident()?;
            Some(vec![Action::Drop {
                kind: ObjectKind::Constraint,
                names: vec![Name::new(None, con)],
                on: Some(name),
                concurrently: false,
                if_exists: false,
            }])
        }
        _ => {
            let what = format!("ALTER {} {}", kind.label().to_uppercase(), join(c.rest()));
            if c.rest().iter().any(|t| t.lower == "owner") || kind == ObjectKind::Function {
                return Some(vec![Action::Permission { what }]);
            }
            Some(vec![Action::Other { what }])
        }
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
        out.push(table_subcommand(&mut Cur::new(g), &table)?);
    }
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
        "rename" => match rename(c, ObjectKind::Table, table, None)?.pop()? {
            a => Some(a),
        },
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
            Some(Action::Permission {
                what: format!("{} ROW LEVEL SECURITY", join(&c.t[..c.i + 1]).to_uppercase()),
            })
        }
        "owner" => Some(Action::Permission {
            what: "OWNER TO".into(),
        }),
        "enable" | "disable" | "reset" | "cluster" | "replica" | "inherit" | "no" | "of" | "not" | "attach"
        | "detach" => other(&format!("{} {}", w.to_uppercase(), join(c.rest())), false),
        _ => None,
    }
}

fn alter_column(c: &mut Cur, table: Name, column: String) -> Option<Action> {
    let is_type = c.eat(&["type"]) || c.eat(&["set", "data", "type"]);
    if is_type {
        let s = c.i;
        while let Some(t) = c.peek() {
            if t.kind == TokenKind::Word && matches!(t.lower.as_str(), "using" | "collate") {
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
    if c.eat(&["drop", "default"]) {
        return Some(Action::DropDefault { table, column });
    }
    let what = join(c.rest()).to_uppercase();
    let known = ["SET", "DROP", "ADD", "RESET", "RESTART"];
    if known.iter().any(|k| what.starts_with(k)) {
        return Some(Action::AlterColumnOther { table, column, what });
    }
    None
}

/// Words that make an unparsed statement dangerous to pass.
pub fn destructive_keyword(t: &[Tok]) -> Option<&'static str> {
    let words: Vec<&str> = t
        .iter()
        .filter(|x| x.kind == TokenKind::Word)
        .map(|x| x.lower.as_str())
        .collect();
    for (k, w) in words.iter().enumerate() {
        let found = match *w {
            "drop" => Some("DROP"),
            "truncate" => Some("TRUNCATE"),
            "rename" => Some("RENAME"),
            "delete" => Some("DELETE"),
            "type" if k > 0 && words[..k].contains(&"alter") && words[..k].contains(&"column") => {
                Some("ALTER COLUMN TYPE")
            }
            "update" if k == 0 || words[k - 1] != "for" && words[k - 1] != "on" => Some("UPDATE"),
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
}
