//! One small tokenizer for the ORM schema languages: identifiers, string
//! literals and single punctuation characters, with comments skipped the way
//! each language writes them. The ORM parsers read tokens, never raw text, so
//! a commented-out field or a name inside another string is never a field.
//!
//! Linear in the input and total: an unterminated string or comment ends at
//! the end of the file (or of its line, for one-line strings), and every
//! token boundary falls on an ASCII byte, so slicing never splits a character.

/// The comment and string syntax to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Prisma: `//` comments, `"` strings.
    Prisma,
    /// Rust: nested `/* */`, raw strings, char literals and lifetimes.
    Rust,
    /// TypeScript and JavaScript: `'`, `"` and template strings, regex literals.
    Js,
    /// Python: `#` comments, prefixed and triple-quoted strings.
    Python,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ident,
    /// A string literal; the token's span is its content, inside the quotes.
    Str,
    Num,
    /// One ASCII punctuation character.
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// The first token of a line outside any bracket (Python's logical lines).
    pub line_start: bool,
    /// For the first token of a line: the characters before it on the line
    /// (0 for the other tokens).
    pub indent: usize,
}

/// The tokens of `src`.
pub fn tokens(src: &str, lang: Lang) -> Vec<Tok> {
    let mut lx = Lexer {
        b: src.as_bytes(),
        i: 0,
        lang,
        out: Vec::new(),
        depth: 0,
        line_begin: 0,
        line_open: true,
        continued: false,
        head: (false, 0),
    };
    lx.run();
    lx.out
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    lang: Lang,
    out: Vec<Tok>,
    /// Bracket depth, for `line_start`.
    depth: usize,
    /// Byte offset where the current line begins.
    line_begin: usize,
    /// No token yet on the current line.
    line_open: bool,
    /// The previous line ended with a backslash (Python continuation).
    continued: bool,
    /// `line_start` and `indent` of the token being read, taken where it begins.
    head: (bool, usize),
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    /// Takes `line_start` and `indent` at the current byte, where a token begins.
    fn begin(&mut self) {
        let line_start = self.line_open && self.depth == 0 && !self.continued;
        // Counted for the first token of a line only: a long line stays linear.
        let indent = if self.line_open {
            std::str::from_utf8(&self.b[self.line_begin..self.i]).map_or(0, |s| s.chars().count())
        } else {
            0
        };
        self.head = (line_start, indent);
        self.line_open = false;
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        let (line_start, indent) = self.head;
        self.out.push(Tok {
            kind,
            start,
            end,
            line_start,
            indent,
        });
    }

    fn newline(&mut self) {
        self.continued = self.lang == Lang::Python && self.i > 0 && self.b[self.i - 1] == b'\\';
        self.i += 1;
        self.line_begin = self.i;
        self.line_open = true;
    }

    /// Skips to the end of the line (not past the newline).
    fn skip_line(&mut self) {
        self.i = memchr::memchr(b'\n', &self.b[self.i..]).map_or(self.b.len(), |k| self.i + k);
    }

    /// Skips a block comment at `/*` (nested in Rust), counting its newlines.
    fn skip_block_comment(&mut self) {
        let nested = self.lang == Lang::Rust;
        let mut level = 0usize;
        while self.i < self.b.len() {
            if self.at(0) == b'/' && self.at(1) == b'*' && (nested || level == 0) {
                level += 1;
                self.i += 2;
            } else if self.at(0) == b'*' && self.at(1) == b'/' {
                self.i += 2;
                level -= 1;
                if level == 0 {
                    return;
                }
            } else if self.at(0) == b'\n' {
                self.mark_line();
            } else {
                self.i += 1;
            }
        }
    }

    /// A newline inside a token or comment: the next line begins, but the
    /// token that spans it keeps its own line.
    fn mark_line(&mut self) {
        self.i += 1;
        self.line_begin = self.i;
    }

    /// A string whose opening quote (`len` bytes of `q`) is at `self.i`;
    /// `raw` strings have no escapes; `multiline` strings may span lines.
    fn string(&mut self, q: u8, len: usize, raw: bool, multiline: bool) {
        let content = self.i + len;
        self.i = content;
        let end = loop {
            if self.i >= self.b.len() {
                break self.b.len();
            }
            let c = self.b[self.i];
            if c == b'\\' && !raw && self.i + 1 < self.b.len() {
                if self.b[self.i + 1] == b'\n' {
                    self.i += 1;
                    self.mark_line();
                } else {
                    self.i += 2;
                }
                continue;
            }
            if c == b'\n' {
                if !multiline {
                    break self.i;
                }
                self.mark_line();
                continue;
            }
            if c == q && (0..len).all(|k| self.at(k) == q) {
                let end = self.i;
                self.i += len;
                break end;
            }
            self.i += 1;
        };
        let end = end.min(self.b.len());
        self.push(Kind::Str, content.min(end), end);
    }

    /// A Rust raw string at `r` (after an optional `b`): `r#*"…"#*`.
    fn rust_raw(&mut self) -> bool {
        let mut k = 1;
        while self.at(k) == b'#' {
            k += 1;
        }
        if self.at(k) != b'"' {
            return false;
        }
        let hashes = k - 1;
        let content = self.i + k + 1;
        self.i = content;
        let end = loop {
            if self.i >= self.b.len() {
                break self.b.len();
            }
            if self.b[self.i] == b'"' && (1..=hashes).all(|h| self.at(h) == b'#') {
                let end = self.i;
                self.i += 1 + hashes;
                break end;
            }
            if self.b[self.i] == b'\n' {
                self.mark_line();
            } else {
                self.i += 1;
            }
        };
        self.push(Kind::Str, content.min(end), end);
        true
    }

    /// A Rust `'`: a char literal (skipped) or a lifetime (punctuation).
    fn rust_quote(&mut self) {
        if self.at(1) == b'\\' {
            let from = self.i + 2;
            let close = self.b[from.min(self.b.len())..]
                .iter()
                .take(12)
                .position(|&c| c == b'\'');
            self.i = close.map_or(self.i + 1, |k| from + k + 1);
            return;
        }
        let ch = std::str::from_utf8(&self.b[self.i + 1..])
            .ok()
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8);
        if self.b.get(self.i + 1 + ch) == Some(&b'\'') {
            self.i += 2 + ch;
        } else {
            self.push(Kind::Punct, self.i, self.i + 1);
            self.i += 1;
        }
    }

    /// Whether a `/` in JavaScript starts a regex literal: after an operator,
    /// an opening bracket, or nothing.
    fn js_regex_allowed(&self) -> bool {
        match self.out.last() {
            None => true,
            Some(t) if t.kind == Kind::Punct => {
                matches!(
                    self.b[t.start],
                    b'(' | b',' | b'=' | b':' | b'[' | b'!' | b'&' | b'|' | b'?' | b'{' | b'}' | b';'
                )
            }
            Some(t) if t.kind == Kind::Ident => {
                matches!(&self.b[t.start..t.end], b"return" | b"typeof" | b"case" | b"in" | b"of")
            }
            _ => false,
        }
    }

    fn skip_js_regex(&mut self) {
        let mut class = false;
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' => self.i += 1,
                b'\n' => return,
                b'[' => class = true,
                b']' => class = false,
                b'/' if !class => {
                    self.i += 1;
                    while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
                        self.i += 1;
                    }
                    return;
                }
                _ => {}
            }
            self.i += 1;
        }
        self.i = self.i.min(self.b.len());
    }

    fn ident(&mut self) {
        let start = self.i;
        while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
            self.i += 1;
        }
        let word = &self.b[start..self.i];
        let q = self.at(0);
        match self.lang {
            Lang::Python
                if (q == b'"' || q == b'\'') && word.len() <= 2 && word.iter().all(|c| b"rRbBuUfF".contains(c)) =>
            {
                let raw = word.iter().any(|c| *c == b'r' || *c == b'R');
                self.python_string(raw);
                return;
            }
            Lang::Rust if word == b"r" || word == b"br" => {
                let after = self.i;
                self.i -= 1;
                if self.rust_raw() {
                    return;
                }
                self.i = after;
                if word == b"r" && q == b'#' && is_ident_byte(self.at(1)) {
                    // A raw identifier, `r#type`: one token.
                    self.i += 1;
                    while self.i < self.b.len() && is_ident_byte(self.b[self.i]) {
                        self.i += 1;
                    }
                }
            }
            Lang::Rust if word == b"b" && q == b'"' => {
                self.string(b'"', 1, false, true);
                return;
            }
            _ => {}
        }
        self.push(Kind::Ident, start, self.i);
    }

    fn python_string(&mut self, raw: bool) {
        let q = self.at(0);
        if self.at(1) == q && self.at(2) == q {
            self.string(q, 3, raw, true);
        } else {
            self.string(q, 1, raw, false);
        }
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let python = self.lang == Lang::Python;
            match c {
                b'\n' => {
                    self.newline();
                    continue;
                }
                b' ' | b'\t' | b'\r' | 0x0c => {
                    self.i += 1;
                    continue;
                }
                b'#' if python => {
                    self.skip_line();
                    continue;
                }
                b'/' if !python && self.at(1) == b'/' => {
                    self.skip_line();
                    continue;
                }
                b'/' if !python && self.at(1) == b'*' => {
                    self.skip_block_comment();
                    continue;
                }
                b'/' if self.lang == Lang::Js && self.js_regex_allowed() => {
                    self.skip_js_regex();
                    continue;
                }
                b'\\' if python && self.at(1) == b'\n' => {
                    self.i += 1;
                    continue;
                }
                _ => {}
            }
            self.begin();
            match c {
                b'"' | b'\'' if python => self.python_string(false),
                b'"' => self.string(b'"', 1, false, self.lang != Lang::Prisma),
                b'\'' if self.lang == Lang::Js => self.string(b'\'', 1, false, false),
                b'`' if self.lang == Lang::Js => self.string(b'`', 1, false, true),
                b'\'' if self.lang == Lang::Rust => self.rust_quote(),
                c if c.is_ascii_digit() => {
                    let start = self.i;
                    while self.i < self.b.len() && (is_ident_byte(self.b[self.i]) || self.b[self.i] == b'.') {
                        self.i += 1;
                    }
                    self.push(Kind::Num, start, self.i);
                }
                c if is_ident_byte(c) => self.ident(),
                _ => {
                    match c {
                        b'(' | b'[' | b'{' => self.depth += 1,
                        b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                        _ => {}
                    }
                    self.push(Kind::Punct, self.i, self.i + 1);
                    self.i += 1;
                }
            }
        }
    }
}

/// A file's tokens with the text they came from and each bracket's partner.
pub struct Toks<'a> {
    pub src: &'a str,
    pub t: Vec<Tok>,
    /// For an opening bracket: the index of its closing one (or `t.len()`).
    close: Vec<usize>,
}

impl<'a> Toks<'a> {
    pub fn new(src: &'a str, lang: Lang) -> Self {
        let t = tokens(src, lang);
        let mut close = vec![0; t.len()];
        let mut stack: Vec<usize> = Vec::new();
        for (i, tok) in t.iter().enumerate() {
            if tok.kind != Kind::Punct {
                continue;
            }
            match src.as_bytes()[tok.start] {
                b'(' | b'[' | b'{' => stack.push(i),
                b')' | b']' | b'}' => {
                    if let Some(open) = stack.pop() {
                        close[open] = i;
                    }
                }
                _ => {}
            }
        }
        for open in stack {
            close[open] = t.len();
        }
        Toks { src, t, close }
    }

    pub fn len(&self) -> usize {
        self.t.len()
    }

    pub fn text(&self, i: usize) -> &'a str {
        self.t.get(i).map_or("", |t| &self.src[t.start..t.end])
    }

    pub fn start(&self, i: usize) -> usize {
        self.t.get(i).map_or(self.src.len(), |t| t.start)
    }

    pub fn is(&self, i: usize, kind: Kind) -> bool {
        self.t.get(i).is_some_and(|t| t.kind == kind)
    }

    pub fn punct(&self, i: usize, c: u8) -> bool {
        self.is(i, Kind::Punct) && self.src.as_bytes()[self.t[i].start] == c
    }

    pub fn ident(&self, i: usize, word: &str) -> bool {
        self.is(i, Kind::Ident) && self.text(i) == word
    }

    /// The content of the string literal at `i`.
    pub fn string(&self, i: usize) -> Option<&'a str> {
        self.is(i, Kind::Str).then(|| self.text(i))
    }

    /// For an opening bracket at `i`: the index of its closing bracket
    /// (`len()` when it is never closed). Otherwise `i`.
    pub fn close(&self, i: usize) -> usize {
        if self.punct(i, b'(') || self.punct(i, b'[') || self.punct(i, b'{') {
            self.close[i]
        } else {
            i
        }
    }

    /// The index of the next `,` at this bracket depth from `i`, or of the
    /// closing bracket that ends the list, or `end`.
    pub fn next_comma(&self, mut i: usize, end: usize) -> usize {
        while i < end {
            if self.punct(i, b',') {
                return i;
            }
            let c = self.close(i);
            i = if c > i { c + 1 } else { i + 1 };
        }
        end.min(self.len())
    }

    /// The items of the list between the brackets at `open` and its partner:
    /// the token range of each comma-separated item, empty items left out.
    pub fn items(&self, open: usize) -> Vec<(usize, usize)> {
        let end = self.close(open).min(self.len());
        let mut out = Vec::new();
        let mut i = open + 1;
        while i < end {
            let stop = self.next_comma(i, end);
            if stop > i {
                out.push((i, stop));
            }
            i = stop + 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str, lang: Lang) -> Vec<String> {
        let t = Toks::new(src, lang);
        (0..t.len())
            .filter(|&i| !t.is(i, Kind::Punct))
            .map(|i| t.text(i).to_string())
            .collect()
    }

    #[test]
    fn comments_are_skipped_per_language() {
        assert_eq!(words("a // b\n/* c */ d", Lang::Prisma), ["a", "d"]);
        assert_eq!(words("a /* /* b */ c */ d", Lang::Rust), ["a", "d"]);
        assert_eq!(words("a /* /* b */ c */ d", Lang::Js), ["a", "c", "d"]);
        assert_eq!(words("a # b\nc '#' d", Lang::Python), ["a", "c", "#", "d"]);
    }

    #[test]
    fn strings_hold_what_would_otherwise_be_code() {
        assert_eq!(words(r#"x = "a // b" 'c'"#, Lang::Js), ["x", "a // b", "c"]);
        assert_eq!(
            words(r#"x = """a # b""" f'c' rb"d""#, Lang::Python),
            ["x", "a # b", "c", "d"]
        );
        assert_eq!(
            words(r####"r#"a " b"# b"c" 'd' 'e: &'f str r#type"####, Lang::Rust),
            ["a \" b", "c", "e", "f", "str", "r#type"]
        );
        assert_eq!(words("x = /ab\"c/g; y", Lang::Js), ["x", "y"]);
        assert_eq!(words("a / b / c", Lang::Js), ["a", "b", "c"]);
    }

    #[test]
    fn logical_lines_in_python() {
        let src = "class A(B,\n        C):\n    x = f(\n  1)\n    y = 2 \\\n  + 3\n";
        let t = Toks::new(src, Lang::Python);
        let starts: Vec<(&str, usize)> = (0..t.len())
            .filter(|&i| t.t[i].line_start)
            .map(|i| (t.text(i), t.t[i].indent))
            .collect();
        assert_eq!(starts, [("class", 0), ("x", 4), ("y", 4)]);
    }

    #[test]
    fn brackets_find_their_partner_and_lists_split_on_commas() {
        let t = Toks::new("f(a, g(b, c), [d, e],)", Lang::Js);
        assert_eq!(t.close(1), t.len() - 1);
        let items: Vec<&str> = t.items(1).iter().map(|&(a, _)| t.text(a)).collect();
        assert_eq!(items, ["a", "g", "["]);
    }
}
