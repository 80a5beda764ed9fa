//! Our own SQL lexer: splits a migration file into statements with exact byte
//! spans, keeps the comments (approvals live there), and understands the
//! shapes sqlparser's tokenizer does not: psql meta-commands, `COPY ... FROM
//! stdin` data, goose/dbmate markers and template placeholders.

use std::ops::Range;

/// One lexical token. `span` is a byte range into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"quoted identifier"` (also MySQL backticks).
    QuotedIdent,
    /// `'string'`, `E'string'`, `B'..'`, `X'..'`, `N'..'`, `U&'..'`.
    String,
    /// `$tag$ body $tag$`.
    DollarString,
    Number,
    /// `:name`, `$1`, `?`: a bind parameter or psql variable.
    Parameter,
    /// `${name}` (Flyway) or `{{ ... }}` (Go templates): cannot be linted as SQL.
    Placeholder,
    /// One punctuation or operator character sequence.
    Punct,
    LineComment,
    BlockComment,
}

impl Token {
    /// The token's text; empty (never a panic) if `span` does not fit `src`.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.span.clone()).unwrap_or_default()
    }
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, TokenKind::LineComment | TokenKind::BlockComment)
    }
}

/// A statement as split from the file: its tokens (comments excluded) and
/// the comments that sit inside it.
#[derive(Debug, Clone)]
pub struct RawStatement {
    /// Byte range from the first token to the terminating `;` (inclusive) or the last token.
    pub span: Range<usize>,
    pub tokens: Vec<Token>,
    /// Comments between the first and the last token.
    pub inner_comments: Vec<Token>,
    /// Byte offset of the terminating `;`, if any.
    pub terminator: Option<usize>,
}

/// Something the lexer skipped and wants reported as a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub span: Range<usize>,
    pub what: SkipKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipKind {
    /// A psql meta-command such as `\i file` or `\set x 1`.
    MetaCommand(String),
    /// The down part of a goose or dbmate migration.
    DownSection,
    /// Inline data of `COPY ... FROM stdin`.
    CopyData,
}

/// Framework directives found in comments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// `-- +goose NO TRANSACTION` or `-- migrate:up transaction:false`.
    pub no_transaction: bool,
    /// The file has goose or dbmate up/down markers.
    pub has_markers: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Lexed {
    pub statements: Vec<RawStatement>,
    /// Every comment in the linted part of the file, in order.
    pub comments: Vec<Token>,
    pub skipped: Vec<Skipped>,
    pub directives: Directives,
    /// Set when the file ends inside a string, quoted identifier or comment.
    pub unterminated: Option<(usize, &'static str)>,
}

/// Splits `src` into statements.
pub fn lex(src: &str) -> Lexed {
    Lexer::new(src).run()
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    out: Lexed,
    cur: Vec<Token>,
    cur_comments: Vec<Token>,
    /// Inside `-- +goose StatementBegin` ... `StatementEnd`. The block is
    /// ordinary SQL and splits at its semicolons (goose uses it so that a
    /// function body's semicolons stay together, which dollar quotes already
    /// do); only a routine or trigger body written as a bare `BEGIN ... END`
    /// (MySQL, SQLite) stays one statement.
    goose_block: bool,
    /// Inside a goose/dbmate down section: nothing is linted.
    in_down: Option<usize>,
    /// Depth of `BEGIN ATOMIC ... END` / `CASE ... END` nesting in SQL-standard bodies.
    atomic_depth: usize,
}

impl<'a> Lexer<'a> {
    fn new(src: &'a str) -> Self {
        Lexer {
            src,
            b: src.as_bytes(),
            pos: 0,
            out: Lexed::default(),
            cur: Vec::new(),
            cur_comments: Vec::new(),
            goose_block: false,
            in_down: None,
            atomic_depth: 0,
        }
    }

    fn peek(&self, off: usize) -> Option<u8> {
        self.b.get(self.pos + off).copied()
    }

    fn at_line_start(&self, pos: usize) -> bool {
        self.b[..pos]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|&c| c == b' ' || c == b'\t')
    }

    fn run(mut self) -> Lexed {
        while self.pos < self.b.len() {
            let c = self.b[self.pos];
            if c.is_ascii_whitespace() {
                self.pos += 1;
                continue;
            }
            if c == b'\\' && self.at_line_start(self.pos) {
                self.meta_command();
                continue;
            }
            let start = self.pos;
            let kind = match self.token_kind() {
                Some(k) => k,
                None => break,
            };
            let tok = Token {
                kind,
                span: start..self.pos,
            };
            if tok.is_comment() {
                self.comment(tok);
                continue;
            }
            if self.in_down.is_some() {
                continue;
            }
            if kind == TokenKind::Punct && tok.text(self.src) == ";" {
                if self.atomic_depth > 0 {
                    self.cur.push(tok);
                } else {
                    self.finish(Some(tok.span.start));
                    self.after_statement();
                }
                continue;
            }
            if kind == TokenKind::Word {
                self.track_atomic(&tok);
            }
            self.cur.push(tok);
        }
        if let Some(start) = self.in_down.take() {
            self.out.skipped.push(Skipped {
                span: start..self.b.len(),
                what: SkipKind::DownSection,
            });
        }
        self.finish(None);
        self.out
    }

    /// Tracks `BEGIN ATOMIC ... END` so its inner semicolons do not split.
    fn track_atomic(&mut self, tok: &Token) {
        let w = tok.text(self.src);
        if self.atomic_depth > 0 {
            if w.eq_ignore_ascii_case("case") || w.eq_ignore_ascii_case("begin") {
                self.atomic_depth += 1;
            } else if w.eq_ignore_ascii_case("end") {
                self.atomic_depth -= 1;
            }
        } else if self.goose_block && w.eq_ignore_ascii_case("begin") && self.goose_compound_body() {
            // A compound body outside quotes: `CREATE TRIGGER ... BEGIN ...; END`.
            self.atomic_depth = 1;
        } else if w.eq_ignore_ascii_case("atomic") {
            let prev_begin = self
                .cur
                .last()
                .is_some_and(|t| t.text(self.src).eq_ignore_ascii_case("begin"));
            let in_routine = self.cur.iter().take(4).any(|t| {
                let t = t.text(self.src);
                t.eq_ignore_ascii_case("function") || t.eq_ignore_ascii_case("procedure")
            });
            if prev_begin && in_routine {
                self.atomic_depth = 1;
            }
        }
    }

    /// In a goose block, true when the current statement creates a routine,
    /// trigger or event whose body is a bare `BEGIN ... END` (MySQL, SQLite):
    /// its semicolons are the body's, as goose's block intends.
    fn goose_compound_body(&self) -> bool {
        let creates = self
            .cur
            .first()
            .is_some_and(|t| t.text(self.src).eq_ignore_ascii_case("create"));
        creates
            && self.cur.iter().take(6).any(|t| {
                let t = t.text(self.src);
                ["function", "procedure", "trigger", "event"]
                    .iter()
                    .any(|k| t.eq_ignore_ascii_case(k))
            })
    }

    /// Returns the kind of the token at `pos` and advances past it.
    fn token_kind(&mut self) -> Option<TokenKind> {
        let c = self.b[self.pos];
        let n = self.peek(1);
        match c {
            b'-' if n == Some(b'-') => {
                self.pos = memchr_nl(self.b, self.pos);
                Some(TokenKind::LineComment)
            }
            b'#' if self.at_line_start(self.pos) && n == Some(b' ') => {
                // MySQL-style comment at line start; harmless for PostgreSQL files.
                self.pos = memchr_nl(self.b, self.pos);
                Some(TokenKind::LineComment)
            }
            b'/' if n == Some(b'*') => {
                let start = self.pos;
                self.pos += 2;
                let mut depth = 1;
                while self.pos < self.b.len() && depth > 0 {
                    if self.b[self.pos] == b'/' && self.peek(1) == Some(b'*') {
                        depth += 1;
                        self.pos += 2;
                    } else if self.b[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                        depth -= 1;
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                    }
                }
                if depth > 0 {
                    self.out.unterminated.get_or_insert((start, "block comment"));
                }
                Some(TokenKind::BlockComment)
            }
            b'\'' => {
                self.quoted(b'\'', false, "string literal");
                Some(TokenKind::String)
            }
            b'"' => {
                self.quoted(b'"', false, "quoted identifier");
                Some(TokenKind::QuotedIdent)
            }
            b'`' => {
                self.quoted(b'`', false, "quoted identifier");
                Some(TokenKind::QuotedIdent)
            }
            b'$' if n == Some(b'{') => {
                self.until_closing(b"}");
                Some(TokenKind::Placeholder)
            }
            b'{' if n == Some(b'{') => {
                self.until_closing(b"}}");
                Some(TokenKind::Placeholder)
            }
            b'$' if n.is_some_and(|d| d.is_ascii_digit()) => {
                self.pos += 1;
                while self.peek(0).is_some_and(|d| d.is_ascii_digit()) {
                    self.pos += 1;
                }
                Some(TokenKind::Parameter)
            }
            b'$' => {
                if self.dollar_string() {
                    Some(TokenKind::DollarString)
                } else {
                    self.pos += 1;
                    Some(TokenKind::Punct)
                }
            }
            b'0'..=b'9' => {
                self.number();
                Some(TokenKind::Number)
            }
            b'.' if n.is_some_and(|d| d.is_ascii_digit()) => {
                self.number();
                Some(TokenKind::Number)
            }
            b':' if n.is_some_and(|d| d == b'\'' || d == b'"' || is_ident_start(d))
                && !self.b[..self.pos].ends_with(b":") =>
            {
                // psql variable interpolation `:name`, `:'name'`, `:"name"`.
                self.pos += 1;
                match self.b[self.pos] {
                    b'\'' => self.quoted(b'\'', false, "psql variable"),
                    b'"' => self.quoted(b'"', false, "psql variable"),
                    _ => self.word(),
                }
                Some(TokenKind::Parameter)
            }
            _ if is_ident_start(c) => {
                // String prefixes: E'..', B'..', X'..', N'..', U&'..'
                let up = c.to_ascii_uppercase();
                if n == Some(b'\'') && matches!(up, b'E' | b'B' | b'X' | b'N') {
                    self.pos += 1;
                    self.quoted(b'\'', up == b'E', "string literal");
                    return Some(TokenKind::String);
                }
                if up == b'U' && n == Some(b'&') && matches!(self.peek(2), Some(b'\'' | b'"')) {
                    let q = self.b[self.pos + 2];
                    self.pos += 2;
                    self.quoted(q, false, "string literal");
                    return Some(if q == b'"' {
                        TokenKind::QuotedIdent
                    } else {
                        TokenKind::String
                    });
                }
                self.word();
                Some(TokenKind::Word)
            }
            _ => {
                self.punct();
                Some(TokenKind::Punct)
            }
        }
    }

    fn word(&mut self) {
        // Advance by whole UTF-8 characters so spans stay on char boundaries.
        // As in PostgreSQL, every non-ASCII character (an em dash, a BOM
        // inside the text) continues an identifier.
        let rest = &self.src[self.pos..];
        let len = rest
            .char_indices()
            .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '_' || ch == '$' || !ch.is_ascii()))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len.max(rest.chars().next().map_or(1, char::len_utf8));
    }

    fn number(&mut self) {
        while let Some(c) = self.peek(0) {
            let exp_sign =
                matches!(c, b'+' | b'-') && matches!(self.b.get(self.pos.wrapping_sub(1)), Some(b'e' | b'E'));
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exp_sign {
                // `1..2` is not a number followed by a dot-number; stop at `..`.
                if c == b'.' && self.peek(1) == Some(b'.') {
                    break;
                }
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn punct(&mut self) {
        let c = self.b[self.pos];
        const OPS: &[u8] = b"+-*/<>=~!@#%^&|`?";
        if c == b':' && self.peek(1) == Some(b':') {
            self.pos += 2;
        } else if OPS.contains(&c) {
            while let Some(d) = self.peek(0) {
                if !OPS.contains(&d) {
                    break;
                }
                // A comment start ends the operator.
                if (d == b'-' && self.peek(1) == Some(b'-')) || (d == b'/' && self.peek(1) == Some(b'*')) {
                    break;
                }
                self.pos += 1;
            }
        } else {
            // Any other character, advanced by its whole UTF-8 length.
            let ch_len = self.src[self.pos..].chars().next().map_or(1, char::len_utf8);
            self.pos += ch_len;
        }
    }

    /// A quoted run ending at `q`, with doubled `q` as escape; backslash
    /// escapes too when `backslash` (E'' strings).
    fn quoted(&mut self, q: u8, backslash: bool, what: &'static str) {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek(0) {
                None => {
                    self.out.unterminated.get_or_insert((start, what));
                    return;
                }
                Some(b'\\') if backslash => self.pos += 2,
                Some(c) if c == q => {
                    if self.peek(1) == Some(q) {
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        // Adjacent string constants separated only by whitespace
                        // with a newline continue the literal (SQL standard).
                        return;
                    }
                }
                Some(_) => self.pos += 1,
            }
            if self.pos >= self.b.len() {
                self.pos = self.b.len();
                self.out.unterminated.get_or_insert((start, what));
                return;
            }
        }
    }

    fn until_closing(&mut self, close: &[u8]) {
        let start = self.pos;
        match find(self.b, self.pos + 2, close) {
            Some(i) => self.pos = i + close.len(),
            None => {
                self.out.unterminated.get_or_insert((start, "placeholder"));
                self.pos = self.b.len();
            }
        }
    }

    /// `$tag$ ... $tag$`. Returns false when `$` does not open a dollar quote.
    fn dollar_string(&mut self) -> bool {
        let start = self.pos;
        let mut i = self.pos + 1;
        while i < self.b.len() && (self.b[i].is_ascii_alphanumeric() || self.b[i] == b'_' || self.b[i] >= 0x80) {
            i += 1;
        }
        if i >= self.b.len() || self.b[i] != b'$' {
            return false;
        }
        // A tag cannot start with a digit.
        if i > start + 1 && self.b[start + 1].is_ascii_digit() {
            return false;
        }
        let tag = &self.b[start..=i];
        match find(self.b, i + 1, tag) {
            Some(end) => self.pos = end + tag.len(),
            None => {
                self.out.unterminated.get_or_insert((start, "dollar-quoted string"));
                self.pos = self.b.len();
            }
        }
        true
    }

    fn meta_command(&mut self) {
        let start = self.pos;
        let end = memchr_nl(self.b, self.pos);
        let line = self.src[start..end].trim_end();
        self.pos = end;
        // `\g`, `\gset`, `\gx`, `\gexec`, `\;` end the current statement like `;`.
        let cmd = line.split_whitespace().next().unwrap_or("\\");
        if cmd.starts_with("\\g") && !self.cur.is_empty() && self.in_down.is_none() {
            self.finish(Some(start));
        }
        if self.in_down.is_none() {
            self.out.skipped.push(Skipped {
                span: start..start + line.len(),
                what: SkipKind::MetaCommand(line.to_string()),
            });
        }
    }

    fn comment(&mut self, tok: Token) {
        let text = tok.text(self.src);
        let body = text.trim_start_matches('-').trim();
        let lower = body.to_ascii_lowercase();
        if tok.kind == TokenKind::LineComment {
            if let Some(rest) = lower.strip_prefix("+goose") {
                let rest = rest.trim();
                self.out.directives.has_markers = true;
                match rest {
                    "up" => self.end_down(tok.span.start),
                    "down" => self.start_down(tok.span.start),
                    "statementbegin" => {
                        self.goose_block = true;
                    }
                    "statementend" => {
                        self.goose_block = false;
                        if self.in_down.is_none() {
                            self.finish(None);
                        }
                    }
                    "no transaction" => self.out.directives.no_transaction = true,
                    _ => {}
                }
                return;
            }
            if let Some(rest) = lower.strip_prefix("migrate:") {
                self.out.directives.has_markers = true;
                if rest.starts_with("up") {
                    self.end_down(tok.span.start);
                    if rest.contains("transaction:false") {
                        self.out.directives.no_transaction = true;
                    }
                } else if rest.starts_with("down") {
                    self.start_down(tok.span.start);
                }
                return;
            }
        }
        if self.in_down.is_some() {
            return;
        }
        if !self.cur.is_empty() {
            self.cur_comments.push(tok.clone());
        }
        self.out.comments.push(tok);
    }

    fn start_down(&mut self, at: usize) {
        if self.in_down.is_none() {
            self.finish(None);
            self.in_down = Some(at);
        }
    }

    fn end_down(&mut self, at: usize) {
        if let Some(start) = self.in_down.take() {
            self.out.skipped.push(Skipped {
                span: start..at,
                what: SkipKind::DownSection,
            });
        }
    }

    fn finish(&mut self, terminator: Option<usize>) {
        self.atomic_depth = 0;
        let comments = std::mem::take(&mut self.cur_comments);
        if self.cur.is_empty() {
            return;
        }
        let tokens = std::mem::take(&mut self.cur);
        let start = tokens[0].span.start;
        let end = terminator.map_or(tokens[tokens.len() - 1].span.end, |t| t + 1);
        // Comments after the last token belong between statements, not inside.
        let last = tokens[tokens.len() - 1].span.end;
        let inner_comments = comments.into_iter().filter(|c| c.span.start < last).collect();
        self.out.statements.push(RawStatement {
            span: start..end,
            tokens,
            inner_comments,
            terminator,
        });
    }

    /// After `COPY ... FROM stdin;` the data lines up to `\.` are not SQL.
    fn after_statement(&mut self) {
        let Some(st) = self.out.statements.last() else {
            return;
        };
        let mut words = st
            .tokens
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| t.text(self.src));
        // Only `COPY ... FROM stdin` is followed by data; most statements stop at the first word.
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("copy")) {
            return;
        }
        let words: Vec<&str> = words.collect();
        let is_copy_stdin = words
            .windows(2)
            .any(|w| w[0].eq_ignore_ascii_case("from") && w[1].eq_ignore_ascii_case("stdin"));
        if !is_copy_stdin {
            return;
        }
        let data_start = memchr_nl(self.b, self.pos).min(self.b.len());
        let mut i = data_start;
        while i < self.b.len() {
            let line_start = i + 1;
            let line_end = memchr_nl(self.b, line_start.min(self.b.len()));
            if self
                .src
                .get(line_start..line_end)
                .is_some_and(|l| l.trim_end() == "\\.")
            {
                self.out.skipped.push(Skipped {
                    span: data_start..line_end,
                    what: SkipKind::CopyData,
                });
                self.pos = line_end;
                return;
            }
            i = line_end;
        }
        self.out.skipped.push(Skipped {
            span: data_start..self.b.len(),
            what: SkipKind::CopyData,
        });
        self.pos = self.b.len();
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn memchr_nl(b: &[u8], from: usize) -> usize {
    b[from.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |i| from + i)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > hay.len() || needle.is_empty() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

/// Maps byte offsets to 1-based line and column (columns count characters).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.bytes().enumerate().filter(|&(_, c)| c == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of byte `offset`.
    pub fn position(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let line_start = self.starts[line];
        let col = src
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmts(src: &str) -> Vec<String> {
        lex(src)
            .statements
            .iter()
            .map(|s| src[s.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn splits_on_semicolons_outside_quotes() {
        let src = "SELECT ';'; SELECT \"a;b\"; SELECT $x$ ; $x$;SELECT E'\\';';";
        assert_eq!(
            stmts(src),
            vec!["SELECT ';';", "SELECT \"a;b\";", "SELECT $x$ ; $x$;", "SELECT E'\\';';"]
        );
    }

    #[test]
    fn nested_block_comments_are_one_comment() {
        let l = lex("/* a /* b; */ c; */ SELECT 1;");
        assert_eq!(l.comments.len(), 1);
        assert_eq!(l.statements.len(), 1);
    }

    #[test]
    fn dollar_tags_must_match() {
        let src = "DO $body$ BEGIN EXECUTE $$DROP TABLE x;$$; END $body$;";
        assert_eq!(stmts(src).len(), 1);
    }

    #[test]
    fn meta_commands_are_skipped() {
        let l = lex("\\set ON_ERROR_STOP 1\nSELECT 1;\n\\i other.sql\n");
        assert_eq!(l.statements.len(), 1);
        assert_eq!(l.skipped.len(), 2);
    }

    #[test]
    fn goose_down_is_skipped() {
        let src = "-- +goose Up\nCREATE TABLE a(id int);\n-- +goose Down\nDROP TABLE a;\n";
        let l = lex(src);
        assert_eq!(l.statements.len(), 1);
        assert!(l.skipped.iter().any(|s| s.what == SkipKind::DownSection));
    }

    #[test]
    fn a_goose_statement_block_splits_like_any_sql() {
        let src = "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS 'select 1; select 2' LANGUAGE sql;\nCREATE FUNCTION g() RETURNS int AS $$ select 1; select 2 $$ LANGUAGE sql;\nSELECT 1;\nSELECT 2\n-- +goose StatementEnd\nSELECT 3;\n";
        let l = lex(src);
        let lines: Vec<usize> = l
            .statements
            .iter()
            .map(|s| LineIndex::new(src).line(s.span.start))
            .collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 8]);
        assert_eq!(&src[l.statements[3].span.clone()], "SELECT 2");
    }

    #[test]
    fn a_bare_begin_end_body_in_a_goose_block_stays_whole() {
        let src = "-- +goose StatementBegin\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; SET NEW.y = 2; END;\nSELECT 1;\n-- +goose StatementEnd\n";
        assert_eq!(stmts(src).len(), 2);
    }

    #[test]
    fn dbmate_markers() {
        let src =
            "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t(a);\n-- migrate:down\nDROP INDEX i;\n";
        let l = lex(src);
        assert_eq!(l.statements.len(), 1);
        assert!(l.directives.no_transaction);
    }

    #[test]
    fn copy_stdin_data_is_skipped() {
        let src = "COPY t FROM stdin;\n1\tdrop table x;\n\\.\nSELECT 1;\n";
        assert_eq!(stmts(src), vec!["COPY t FROM stdin;", "SELECT 1;"]);
    }

    #[test]
    fn begin_atomic_bodies_do_not_split() {
        let src = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END;\nSELECT 2;";
        assert_eq!(stmts(src).len(), 2);
    }

    #[test]
    fn placeholders_and_unterminated_never_panic() {
        for src in [
            "SELECT ${x};",
            "SELECT {{ .Name }};",
            "SELECT 'abc",
            "SELECT $a$ x",
            "/* x",
            "$",
            "{{",
            "U&",
            "E'\\",
        ] {
            let _ = lex(src);
        }
        assert!(lex("SELECT 'abc").unterminated.is_some());
    }

    #[test]
    fn non_ascii_after_a_literal_or_a_bom_inside_the_text_never_panics() {
        // Issue #17: `''—` and a BOM in the middle of a word panicked.
        assert_eq!(stmts("''—"), vec!["''—"]);
        let src = "SELECT a\u{feff}b, 'x'\u{feff};";
        let l = lex(src);
        let words: Vec<&str> = l.statements[0].tokens.iter().map(|t| t.text(src)).collect();
        assert_eq!(words, ["SELECT", "a\u{feff}b", ",", "'x'", "\u{feff}"]);
    }

    #[test]
    fn line_index_counts_characters() {
        let src = "é;\nab";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(src, 2), (1, 2));
        assert_eq!(idx.position(src, 5), (2, 2));
    }
}
