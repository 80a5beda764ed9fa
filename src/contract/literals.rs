//! A small scanner per language family that finds the string literals and
//! comments of a source file, so that SQL is read only inside strings and
//! bare identifiers are never counted inside comments. It does not parse the
//! language: it knows its quotes, raw strings, text blocks, template
//! literals, heredocs and comment markers, which is all the search needs.

use std::ops::Range;

/// How a language writes strings and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// JavaScript and TypeScript: `'…'`, `"…"`, `` `…${x}…` ``, `//`, `/* */`.
    Js,
    /// Python: `'…'`, `"…"`, `'''…'''`, `"""…"""`, `#`.
    Python,
    /// Go: `"…"`, `` `raw` ``, `'c'`, `//`, `/* */`.
    Go,
    /// Rust: `"…"`, `r#"…"#`, `'c'` and lifetimes, `//`, `/* */`.
    Rust,
    /// Ruby: `'…'`, `"…"`, `<<~SQL … SQL` heredocs, `#`.
    Ruby,
    /// Java, Kotlin, Scala, C#: `"…"`, `"""…"""` text blocks, `'c'`, `//`, `/* */`.
    Jvm,
    /// PHP: `'…'`, `"…"`, `//`, `#`, `/* */`.
    Php,
    /// A `.sql` file outside the migrations (queries run by the code): all SQL.
    Sql,
}

impl Lang {
    /// The language of a file, by its extension; `None` for what is not code.
    pub fn of(path: &str) -> Option<Lang> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "vue" | "svelte" => Lang::Js,
            "py" | "pyi" => Lang::Python,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "rb" | "rake" | "erb" => Lang::Ruby,
            "java" | "kt" | "kts" | "scala" | "cs" | "groovy" => Lang::Jvm,
            "php" => Lang::Php,
            "sql" => Lang::Sql,
            _ => return None,
        })
    }
}

/// A string literal: the byte range of its contents (without the quotes),
/// and the parts of it that are code (`${…}` in a template literal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    pub span: Range<usize>,
    pub holes: Vec<Range<usize>>,
    /// Backslash escapes apply (not a raw string, heredoc with quotes, ...).
    pub escapes: bool,
}

/// The literals and comments of one file, in order.
#[derive(Debug, Default)]
pub struct Scanned {
    pub literals: Vec<Literal>,
    pub comments: Vec<Range<usize>>,
}

/// Scans `src` as `lang`. Never fails: an unterminated literal or comment
/// runs to the end of the file.
pub fn scan(src: &[u8], lang: Lang) -> Scanned {
    let mut out = Scanned::default();
    if lang == Lang::Sql {
        out.literals.push(Literal {
            span: 0..src.len(),
            holes: Vec::new(),
            escapes: false,
        });
        return out;
    }
    let hash_comments = matches!(lang, Lang::Python | Lang::Ruby | Lang::Php);
    let slash_comments = !matches!(lang, Lang::Python | Lang::Ruby);
    let at = |i: usize, s: &[u8]| src.get(i..).is_some_and(|r| r.starts_with(s));
    let mut i = 0;
    // Ruby heredoc bodies still to skip: (where their line ends, where the body ends).
    let mut heredoc: Option<(usize, usize)> = None;
    while i < src.len() {
        let c = src[i];
        if let Some((eol, end)) = heredoc {
            if i >= eol {
                heredoc = None;
                i = end;
                continue;
            }
        }
        if (slash_comments && at(i, b"//")) || (hash_comments && c == b'#') {
            let end = memchr::memchr(b'\n', &src[i..]).map_or(src.len(), |n| i + n);
            out.comments.push(i..end);
            i = end;
        } else if slash_comments && at(i, b"/*") {
            let end = memchr::memmem::find(&src[i + 2..], b"*/").map_or(src.len(), |n| i + 2 + n + 2);
            out.comments.push(i..end);
            i = end;
        } else if lang == Lang::Rust && (c == b'r' || (c == b'b' && at(i + 1, b"r"))) && !ident_before(src, i) {
            let start = if c == b'b' { i + 2 } else { i + 1 };
            let hashes = src[start..].iter().take_while(|&&b| b == b'#').count();
            if src.get(start + hashes) == Some(&b'"') {
                let open = start + hashes + 1;
                let mut close = b"\"".to_vec();
                close.extend(std::iter::repeat_n(b'#', hashes));
                let end = memchr::memmem::find(&src[open..], &close).map_or(src.len(), |n| open + n);
                out.literals.push(lit(open..end, false));
                i = (end + close.len()).min(src.len());
            } else {
                i += 1;
            }
        } else if (lang == Lang::Python && (at(i, b"\"\"\"") || at(i, b"'''")))
            || (lang == Lang::Jvm && at(i, b"\"\"\""))
        {
            let quote = &src[i..i + 3];
            let open = i + 3;
            let end = find_close(src, open, quote, true, true);
            out.literals.push(lit(open..end, true));
            i = (end + 3).min(src.len());
        } else if c == b'"' || (c == b'\'' && matches!(lang, Lang::Js | Lang::Python | Lang::Ruby | Lang::Php)) {
            let multiline = matches!(lang, Lang::Rust | Lang::Ruby | Lang::Php);
            let end = find_close(src, i + 1, &[c], true, multiline);
            out.literals.push(lit(i + 1..end, true));
            i = (end + 1).min(src.len());
        } else if c == b'\'' {
            i = char_literal_end(src, i);
        } else if c == b'`' && lang == Lang::Go {
            let end = memchr::memchr(b'`', &src[i + 1..]).map_or(src.len(), |n| i + 1 + n);
            out.literals.push(lit(i + 1..end, false));
            i = (end + 1).min(src.len());
        } else if c == b'`' && lang == Lang::Js {
            let (literal, end) = template(src, i + 1);
            out.literals.push(literal);
            i = (end + 1).min(src.len());
        } else if lang == Lang::Ruby && at(i, b"<<") {
            match heredoc_at(src, i + 2) {
                Some((body, next, eol)) => {
                    out.literals.push(body);
                    heredoc = Some((eol, next));
                    i += 2;
                }
                None => i += 2,
            }
        } else {
            i += 1;
        }
    }
    out
}

fn lit(span: Range<usize>, escapes: bool) -> Literal {
    Literal {
        span,
        holes: Vec::new(),
        escapes,
    }
}

fn ident_before(src: &[u8], i: usize) -> bool {
    i > 0 && (src[i - 1].is_ascii_alphanumeric() || src[i - 1] == b'_')
}

/// Where the literal opened at `from` closes with `quote` (the offset of the
/// quote, or where it stops being a literal: the end, or a newline when
/// strings cannot span lines).
fn find_close(src: &[u8], from: usize, quote: &[u8], escapes: bool, multiline: bool) -> usize {
    let mut j = from;
    while j < src.len() {
        if escapes && src[j] == b'\\' {
            j += 2;
            continue;
        }
        if src[j..].starts_with(quote) {
            return j;
        }
        if !multiline && src[j] == b'\n' {
            return j;
        }
        j += 1;
    }
    src.len()
}

/// After a `'` that is not a string quote: a character literal (`'a'`,
/// `'\n'`, `'é'`) is skipped whole; a Rust lifetime (`'a`) only its quote.
fn char_literal_end(src: &[u8], i: usize) -> usize {
    if src.get(i + 1) == Some(&b'\\') {
        return memchr::memchr(b'\'', &src[(i + 2).min(src.len())..]).map_or(src.len(), |n| i + 2 + n + 1);
    }
    let width = src.get(i + 1).map_or(1, |b| utf8_width(*b));
    if src.get(i + 1 + width) == Some(&b'\'') {
        i + 2 + width
    } else {
        i + 1
    }
}

fn utf8_width(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// A template literal from `from` (after the backtick): its `${…}` holes,
/// and the offset of the closing backtick.
fn template(src: &[u8], from: usize) -> (Literal, usize) {
    let mut holes = Vec::new();
    let mut j = from;
    while j < src.len() {
        match src[j] {
            b'\\' => j += 2,
            b'`' => break,
            b'$' if src.get(j + 1) == Some(&b'{') => {
                let start = j;
                let mut depth = 0usize;
                while j < src.len() {
                    match src[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                j = (j + 1).min(src.len());
                holes.push(start..j);
            }
            _ => j += 1,
        }
    }
    let end = j.min(src.len());
    (
        Literal {
            span: from..end,
            holes,
            escapes: true,
        },
        end,
    )
}

/// A Ruby heredoc opener after `<<` at `from` (`~ID`, `-ID`, `ID`, quoted or
/// not, `ID` in capitals): its body, where the body ends (after its closing
/// line) and where the opener's line ends.
fn heredoc_at(src: &[u8], from: usize) -> Option<(Literal, usize, usize)> {
    let mut j = from;
    if matches!(src.get(j), Some(b'~' | b'-')) {
        j += 1;
    }
    let quote = src.get(j).copied().filter(|q| *q == b'\'' || *q == b'"');
    if quote.is_some() {
        j += 1;
    }
    let start = j;
    while src
        .get(j)
        .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
    {
        j += 1;
    }
    let id = &src[start..j];
    if id.is_empty() || !id[0].is_ascii_uppercase() {
        return None;
    }
    let eol = memchr::memchr(b'\n', &src[j..]).map_or(src.len(), |n| j + n);
    let body_start = (eol + 1).min(src.len());
    let mut line = body_start;
    while line < src.len() {
        let end = memchr::memchr(b'\n', &src[line..]).map_or(src.len(), |n| line + n);
        if src[line..end].trim_ascii() == id {
            let literal = lit(body_start..line, quote != Some(b'\''));
            return Some((literal, (end + 1).min(src.len()), eol));
        }
        line = end + 1;
    }
    Some((lit(body_start..src.len(), true), src.len(), eol))
}

/// The literal's text as SQL: its holes and backslash escapes blanked with
/// spaces (an escaped quote keeps its quote), so that every byte offset in
/// it is the same offset in the file. `None` when it is not UTF-8.
pub fn sql_text(src: &[u8], literal: &Literal) -> Option<String> {
    let mut bytes = src.get(literal.span.clone())?.to_vec();
    let base = literal.span.start;
    for h in &literal.holes {
        for b in &mut bytes[h.start - base..h.end.min(literal.span.end) - base] {
            *b = b' ';
        }
    }
    if literal.escapes {
        let mut j = 0;
        while j + 1 < bytes.len() {
            if bytes[j] == b'\\' {
                bytes[j] = b' ';
                if matches!(bytes[j + 1], b'n' | b't' | b'r' | b'\\') {
                    bytes[j + 1] = b' ';
                }
                j += 2;
            } else {
                j += 1;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, lang: Lang) -> Vec<String> {
        let s = scan(src.as_bytes(), lang);
        s.literals
            .iter()
            .map(|l| sql_text(src.as_bytes(), l).unwrap().trim().to_string())
            .collect()
    }

    #[test]
    fn each_language_has_its_strings() {
        assert_eq!(
            texts("const q = `SELECT a FROM ${t} x`; // 'no'\n'b'", Lang::Js),
            ["SELECT a FROM      x", "b"]
        );
        assert_eq!(
            texts("q = \"\"\"SELECT \"x\" FROM t\"\"\"  # 'no'\nr'y'", Lang::Python),
            ["SELECT \"x\" FROM t", "y"]
        );
        assert_eq!(
            texts("q := `SELECT a\nFROM t` + \"b\\\"c\" + 'x'", Lang::Go),
            ["SELECT a\nFROM t", "b \"c"]
        );
        assert_eq!(
            texts(
                "fn f<'a>(c: char) { let q = r#\"SELECT \"a\" FROM t\"#; let c = 'x'; }",
                Lang::Rust
            ),
            ["SELECT \"a\" FROM t"]
        );
        assert_eq!(
            texts("q = <<~SQL\n  SELECT a FROM t\nSQL\nx = 'b' # 'c'", Lang::Ruby),
            ["SELECT a FROM t", "b"]
        );
        assert_eq!(
            texts(
                "String q = \"\"\"\n  SELECT a FROM t\n  \"\"\"; char c = '\"';",
                Lang::Jvm
            ),
            ["SELECT a FROM t"]
        );
    }

    #[test]
    fn comments_are_found_and_broken_input_never_panics() {
        let s = scan(b"a /* x */ b // y\n", Lang::Js);
        assert_eq!(s.comments, [2..9, 12..16]);
        for src in ["\"", "`${", "r#\"", "'''", "<<~A\n", "'\\", "/*", "`${{}"] {
            for lang in [
                Lang::Js,
                Lang::Python,
                Lang::Go,
                Lang::Rust,
                Lang::Ruby,
                Lang::Jvm,
                Lang::Php,
            ] {
                let s = scan(src.as_bytes(), lang);
                for l in &s.literals {
                    let _ = sql_text(src.as_bytes(), l);
                }
            }
        }
    }
}
