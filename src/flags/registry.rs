//! Reads the flag registry: the Markdown tables of `docs/flags.md`. Real
//! Markdown is accepted (optional outer pipes, alignment colons, escaped
//! pipes, extra columns, several tables, prose and code blocks around them);
//! whatever cannot be read is a finding at its line, never a panic.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::NaiveDate;

use super::invalid_flag_registry::RULE as INVALID_FLAG_REGISTRY;
use super::{FlagEntry, FlagType};
use crate::finding::{Finding, Location};
use crate::migration::lex::LineIndex;

/// A registry column shipgate understands. Other columns are kept out of the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Flag,
    Owner,
    Default,
    Type,
    Status,
    RemoveBy,
    ReplacedBy,
}

impl Column {
    pub const ALL: [Column; 7] = [
        Column::Flag,
        Column::Owner,
        Column::Default,
        Column::Type,
        Column::Status,
        Column::RemoveBy,
        Column::ReplacedBy,
    ];

    /// The header as `docs/contract.md` writes it.
    pub fn title(self) -> &'static str {
        match self {
            Column::Flag => "Flag",
            Column::Owner => "Owner",
            Column::Default => "Default",
            Column::Type => "Type",
            Column::Status => "Status",
            Column::RemoveBy => "Remove by",
            Column::ReplacedBy => "Replaced by",
        }
    }

    /// The field name in JSON change records.
    pub fn key(self) -> &'static str {
        match self {
            Column::Flag => "flag",
            Column::Owner => "owner",
            Column::Default => "default",
            Column::Type => "type",
            Column::Status => "status",
            Column::RemoveBy => "remove_by",
            Column::ReplacedBy => "replaced_by",
        }
    }

    /// Which column a header cell names, with a rank (0 is the exact
    /// `docs/contract.md` name; higher ranks are synonyms, used when the exact name is absent).
    fn from_header(h: &str) -> Option<(Column, u8)> {
        let mut n: String = h
            .chars()
            .filter(|c| !matches!(c, '`' | '*'))
            .map(|c| match c {
                '_' | '-' => ' ',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        // `Remove by (YYYY-MM-DD)`, `Default (prod)`: the parenthesis qualifies.
        if let Some(i) = n.find('(') {
            n.truncate(i);
        }
        let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = n.trim_end_matches([':', '?']).trim();
        Some(match n {
            "flag" => (Column::Flag, 0),
            "flag name" | "flag key" | "feature flag" | "toggle" => (Column::Flag, 1),
            "key" | "name" => (Column::Flag, 2),
            "owner" => (Column::Owner, 0),
            "owners" | "owner team" | "owning team" | "flag owner" => (Column::Owner, 1),
            "team" => (Column::Owner, 2),
            "default" => (Column::Default, 0),
            "default value" | "default state" | "production default" | "prod default" | "default in production" => {
                (Column::Default, 1)
            }
            "type" => (Column::Type, 0),
            "kind" | "flag type" => (Column::Type, 1),
            "status" => (Column::Status, 0),
            "state" | "stage" | "lifecycle" => (Column::Status, 1),
            "remove by" => (Column::RemoveBy, 0),
            "remove after" | "removal date" | "remove on" | "removal" | "remove by date" | "expires" | "expiry"
            | "expiry date" | "expiration" | "expiration date" | "sunset" => (Column::RemoveBy, 1),
            "replaced by" => (Column::ReplacedBy, 0),
            "replacement" | "superseded by" | "replace with" | "successor" => (Column::ReplacedBy, 1),
            _ => return None,
        })
    }
}

/// One cell: its cleaned text and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// The text without Markdown decoration (code spans, emphasis, links, escaped pipes).
    pub text: String,
    /// Byte range of the cell's content in the registry (the space between its pipes when empty).
    pub span: Range<usize>,
}

/// What parsing a registry gives.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<FlagEntry>,
    pub problems: Vec<Finding>,
}

struct Line<'a> {
    start: usize,
    text: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    // A byte-order mark is not part of the first line.
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    for piece in text[start..].split_inclusive('\n') {
        let body = piece.strip_suffix('\n').unwrap_or(piece);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push(Line { start, text: body });
        start += piece.len();
    }
    out
}

/// True when byte `i` of `s` is preceded by an odd number of backslashes.
fn escaped(s: &[u8], i: usize) -> bool {
    s[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

fn has_pipe(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| c == b'|' && !escaped(b, i))
}

/// Splits a table row into cell ranges (relative to the line), honouring
/// optional outer pipes and `\|`.
fn split_cells(s: &str) -> Vec<Range<usize>> {
    let b = s.as_bytes();
    let mut start = s.len() - s.trim_start().len();
    let mut end = s.trim_end().len();
    if start >= end {
        return Vec::new();
    }
    if b[start] == b'|' {
        start += 1;
    }
    if end > start && b[end - 1] == b'|' && !escaped(b, end - 1) {
        end -= 1;
    }
    let mut cells = Vec::new();
    let mut from = start;
    for i in start..end {
        if b[i] == b'|' && !escaped(b, i) {
            cells.push(from..i);
            from = i + 1;
        }
    }
    cells.push(from..end);
    cells
}

fn is_separator(s: &str) -> bool {
    if !has_pipe(s) && !s.contains('-') {
        return false;
    }
    let cells = split_cells(s);
    !cells.is_empty()
        && has_pipe(s)
        && cells.iter().all(|r| {
            let c = s[r.clone()].trim();
            let c = c.strip_prefix(':').unwrap_or(c);
            let c = c.strip_suffix(':').unwrap_or(c);
            !c.is_empty() && c.bytes().all(|b| b == b'-')
        })
}

/// Whether `t` (without its indentation) starts a list item: `- `, `* `, `+ `, `1. `, `1) `.
fn list_item(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &t[digits..];
    let marker = if digits > 0 {
        rest.strip_prefix(['.', ')'])
    } else {
        rest.strip_prefix(['-', '*', '+'])
    };
    marker.is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
}

/// A fence opener or closer: the fence character and its length.
fn fence(t: &str) -> Option<(char, usize)> {
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// A cell's text without decoration, as GitHub shows it: backslash escapes
/// and character references resolved outside code spans
/// (`tests/flag_tables.rs` compares it with pulldown-cmark's GFM tables).
pub fn clean(raw: &str) -> String {
    let mut s = raw.trim().replace("\\|", "|");
    let mut code = false;
    loop {
        let t = s.trim();
        let wrapper = ["**", "__", "*", "_", "`", "~~"]
            .into_iter()
            .find(|m| t.len() > 2 * m.len() && t.starts_with(m) && t.ends_with(m));
        code |= wrapper == Some("`");
        let inner = wrapper.map(|m| t[m.len()..t.len() - m.len()].to_string());
        // `[text](url)` as the whole cell is its text.
        let inner = inner.or_else(|| {
            let rest = t.strip_prefix('[')?;
            let close = rest.find("](")?;
            t.ends_with(')').then(|| rest[..close].to_string())
        });
        match inner {
            Some(i) if i.trim() != t => s = i.trim().to_string(),
            _ if code => return t.to_string(),
            _ => return unescape(t),
        }
    }
}

/// Inline text with its backslash escapes and character references resolved;
/// code spans stay as written.
fn unescape(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(c) = rest.chars().next() {
        let taken = match c {
            '`' => {
                let ticks = rest.bytes().take_while(|&b| b == b'`').count();
                let closer = "`".repeat(ticks);
                let n = rest[ticks..].find(&closer).map_or(ticks, |end| 2 * ticks + end);
                out.push_str(&rest[..n]);
                n
            }
            '\\' if rest[1..].starts_with(|n: char| n.is_ascii_punctuation()) => {
                out.push_str(&rest[1..2]);
                2
            }
            '&' if entity(rest).is_some() => {
                let (ch, n) = entity(rest).unwrap_or(('&', 1));
                out.push(ch);
                n
            }
            c => {
                out.push(c);
                c.len_utf8()
            }
        };
        rest = &rest[taken..];
    }
    out
}

/// The character reference at the start of `s` (`&amp;`, `&#124;`, `&#x7c;`)
/// and its length. Named ones: the few a registry is likely to hold.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.find(';').filter(|&e| e <= 33)?;
    let name = &s[1..end];
    let ch = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0').unwrap_or('\u{fffd}')
        }
    };
    Some((ch, end + 1))
}

/// A flag cell names one flag: the first code span when there is one
/// (`` `ga_workspaces` (new) ``), else the cleaned text.
pub fn flag_name(raw: &str) -> String {
    let raw = raw.replace("\\|", "|");
    if let Some(open) = raw.find('`') {
        let ticks = raw[open..].chars().take_while(|&c| c == '`').count();
        let body = &raw[open + ticks..];
        let closer = "`".repeat(ticks);
        if let Some(close) = body.find(&closer) {
            let name = body[..close].trim();
            if !name.is_empty() {
                return name.to_string();
            }
        }
    }
    clean(&raw)
}

/// Empty, or a placeholder meaning "none".
pub fn is_blank(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "" | "-" | "--" | "—" | "–" | "n/a" | "na" | "none" | "never"
    )
}

/// Parses `YYYY-MM-DD`; `Err` says why not.
pub fn parse_date(text: &str) -> Result<NaiveDate, &'static str> {
    let t = text.trim();
    let shaped = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err("not a YYYY-MM-DD date");
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| "not a day of the calendar")
}

/// 1-based location of a byte range, columns counted in characters.
pub fn locate(text: &str, index: &LineIndex, span: &Range<usize>) -> Location {
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    let (line, column) = index.position(text, start);
    let (end_line, end_column) = index.position(text, if end > start { end - 1 } else { start });
    Location {
        line,
        column,
        end_line,
        end_column: end_column + 1,
    }
}

struct Ctx<'a> {
    path: &'a str,
    text: &'a str,
    index: LineIndex,
    problems: Vec<Finding>,
}

impl Ctx<'_> {
    fn problem(&mut self, span: Range<usize>, message: String, help: &str) {
        let start = span.start.min(self.text.len());
        let span = start..span.end.clamp(start, self.text.len());
        let loc = locate(self.text, &self.index, &span);
        self.problems.push(
            Finding::new(&INVALID_FLAG_REGISTRY, message)
                .help(help)
                .at(self.path, span, loc),
        );
    }
}

/// Parses the registry at `path` (for findings) whose text is `text`.
pub fn parse(path: &str, text: &str) -> Parsed {
    let lines = lines(text);
    let mut cx = Ctx {
        path,
        text,
        index: LineIndex::new(text),
        problems: Vec::new(),
    };
    let mut entries: Vec<FlagEntry> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut flag_tables = 0;
    let mut open_fence: Option<(char, usize)> = None;
    let mut in_comment = false;
    // An indented code block (four spaces after a blank line, outside a
    // list) is code, not a table: GitHub shows it as written.
    let mut in_code = false;
    let mut after_blank = true;
    let mut in_list = false;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].text;
        let indent = l.len() - l.trim_start().len();
        let t = l.trim_start();
        if in_comment {
            in_comment = !l.contains("-->");
            i += 1;
            continue;
        }
        let blank = t.is_empty();
        in_code = if blank {
            in_code
        } else {
            indent >= 4 && (in_code || (after_blank && !in_list)) && open_fence.is_none()
        };
        if !blank && indent < 4 {
            in_list = indent > 0 || list_item(t);
        }
        after_blank = blank;
        if in_code {
            i += 1;
            continue;
        }
        if let Some((c, n)) = if indent <= 3 { fence(t) } else { None } {
            match open_fence {
                None => open_fence = Some((c, n)),
                Some((oc, on)) if oc == c && n >= on && t.trim_start_matches(c).trim().is_empty() => open_fence = None,
                Some(_) => {}
            }
            i += 1;
            continue;
        }
        if open_fence.is_some() {
            i += 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("<!--") {
            in_comment = !rest.contains("-->");
            i += 1;
            continue;
        }
        if has_pipe(l) && i + 1 < lines.len() && is_separator(lines[i + 1].text) {
            let (next, is_flag_table) = table(&mut cx, &lines, i, &mut entries, &mut seen);
            flag_tables += usize::from(is_flag_table);
            i = next;
            continue;
        }
        i += 1;
    }
    if flag_tables == 0 {
        // The first line, after a byte-order mark.
        let first = lines.first().map_or(0..0, |l| l.start..l.start + l.text.len());
        cx.problem(
            first,
            format!("`{path}` holds no flag table, so no flag counts as documented"),
            "add a Markdown table whose header has `Flag`, `Owner` and `Default`: `| Flag | Owner | Default | Type | Status | Remove by | Replaced by |`",
        );
    }
    Parsed {
        entries,
        problems: cx.problems,
    }
}

/// Reads the table whose header is line `h`; returns the line after it and
/// whether it was a flag table.
fn table(
    cx: &mut Ctx<'_>,
    lines: &[Line<'_>],
    h: usize,
    entries: &mut Vec<FlagEntry>,
    seen: &mut HashMap<String, usize>,
) -> (usize, bool) {
    let header = &lines[h];
    let header_cells = split_cells(header.text);
    let columns = header_columns(header, &header_cells);
    let mut end = h + 2;
    while end < lines.len() && !lines[end].text.trim().is_empty() && has_pipe(lines[end].text) {
        end += 1;
    }
    let flag_rank = columns.get(&Column::Flag).map(|&(r, _)| r);
    let has = |c: Column| columns.contains_key(&c);
    let is_flag_table = matches!(flag_rank, Some(0 | 1))
        || (flag_rank.is_some() && (has(Column::Owner) || has(Column::Default)))
        || (has(Column::Owner) && has(Column::Default));
    if !is_flag_table {
        return (end, false);
    }
    check_header(cx, &columns, header, header_cells.len(), &lines[h + 1]);
    if !has(Column::Flag) {
        return (end, true);
    }
    for line in &lines[h + 2..end] {
        if is_separator(line.text) {
            continue;
        }
        if let Some(entry) = row(cx, line, &columns, header_cells.len(), seen) {
            entries.push(entry);
        }
    }
    (end, true)
}

/// The known columns of a header row: each column's rank (how surely its
/// title names it) and its cell index; the surest title wins.
fn header_columns(header: &Line<'_>, header_cells: &[Range<usize>]) -> BTreeMap<Column, (u8, usize)> {
    let mut columns: BTreeMap<Column, (u8, usize)> = BTreeMap::new();
    for (idx, r) in header_cells.iter().enumerate() {
        if let Some((col, rank)) = Column::from_header(&header.text[r.clone()]) {
            let better = columns.get(&col).is_none_or(|&(have, _)| rank < have);
            if better {
                columns.insert(col, (rank, idx));
            }
        }
    }
    columns
}

/// A flag table's header problems: required columns it lacks, a separator
/// row of another width.
fn check_header(
    cx: &mut Ctx<'_>,
    columns: &BTreeMap<Column, (u8, usize)>,
    header: &Line<'_>,
    header_len: usize,
    sep: &Line<'_>,
) {
    let has = |c: Column| columns.contains_key(&c);
    let header_span = {
        let s = header.text.len() - header.text.trim_start().len();
        header.start + s..header.start + header.text.trim_end().len()
    };
    let missing: Vec<String> = [Column::Flag, Column::Owner, Column::Default]
        .into_iter()
        .filter(|c| !has(*c))
        .map(|c| format!("`{}`", c.title()))
        .collect();
    if !missing.is_empty() {
        let (what, them) = if missing.len() == 1 {
            ("column", "it")
        } else {
            ("columns", "them")
        };
        cx.problem(
            header_span.clone(),
            format!(
                "This flag table lacks the required {what} {}, so its flags cannot be fully checked",
                join_and(&missing)
            ),
            &format!("add {them} to the header and to every row: `| Flag | Owner | Default | Type | Status | Remove by | Replaced by |`"),
        );
    }
    let sep_cells = split_cells(sep.text).len();
    if sep_cells != header_len {
        let s = sep.text.len() - sep.text.trim_start().len();
        cx.problem(
            sep.start + s..sep.start + sep.text.trim_end().len(),
            format!(
                "The separator row has {sep_cells} cells but the header has {}, so Markdown renderers do not show this table",
                header_len
            ),
            "give the separator row one `---` cell per header column",
        );
    }
}

/// One row of a flag table: its entry, or `None` (with a problem) when it
/// documents no usable flag.
fn row(
    cx: &mut Ctx<'_>,
    line: &Line<'_>,
    columns: &BTreeMap<Column, (u8, usize)>,
    header_len: usize,
    seen: &mut HashMap<String, usize>,
) -> Option<FlagEntry> {
    let flag_idx = columns.get(&Column::Flag)?.1;
    let cells = split_cells(line.text);
    let lead = line.text.len() - line.text.trim_start().len();
    let row_span = line.start + lead..line.start + line.text.trim_end().len();
    let cell = |idx: usize| -> Option<Cell> {
        let r = cells.get(idx)?;
        let raw = &line.text[r.clone()];
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        let span = if trimmed.is_empty() {
            // An empty cell: point at the gap between its pipes.
            let s = line.start + r.start;
            s..(line.start + r.end).max(s + 1).min(row_span.end.max(s + 1))
        } else {
            line.start + r.start + lead..line.start + r.start + lead + trimmed.len()
        };
        Some(Cell { text: clean(raw), span })
    };
    let name = cells
        .get(flag_idx)
        .map(|r| flag_name(&line.text[r.clone()]))
        .unwrap_or_default();
    let flag_cell = cell(flag_idx).unwrap_or(Cell {
        text: String::new(),
        span: row_span.clone(),
    });
    let shown = if name.is_empty() {
        "this row".to_string()
    } else {
        format!("the row of flag `{name}`")
    };
    if cells.len() != header_len {
        let mut s = shown.clone();
        s[..1].make_ascii_uppercase();
        cx.problem(
            row_span.clone(),
            format!(
                "{s} has {} cells but its table header has {}, so its columns may be misread",
                cells.len(),
                header_len
            ),
            "give every row one cell per header column (write `\\|` for a pipe inside a cell)",
        );
    }
    if is_blank(&name) {
        cx.problem(
            flag_cell.span.clone(),
            "This row's `Flag` cell is empty, so the row documents no flag".to_string(),
            "write the flag's name in the `Flag` cell, or delete the row",
        );
        return None;
    }
    if name.chars().any(char::is_whitespace) {
        cx.problem(
            flag_cell.span.clone(),
            format!("`{name}` is not a flag name because it contains whitespace, so no reference can match it"),
            "write the flag's key exactly as code uses it, in backticks: `new_checkout`",
        );
        return None;
    }
    let line_no = cx.index.line(line.start);
    if let Some(&first) = seen.get(&name) {
        cx.problem(
            flag_cell.span.clone(),
            format!("Flag `{name}` is already documented at line {first}, so this row is ignored"),
            "keep one row per flag: merge the two rows",
        );
        return None;
    }
    seen.insert(name.clone(), line_no);
    let mut entry = FlagEntry {
        name: name.clone(),
        line: line_no,
        row: row_span.clone(),
        ..FlagEntry::default()
    };
    for (&col, &(_, idx)) in columns {
        let c = if col == Column::Flag {
            Some(Cell {
                text: name.clone(),
                span: flag_cell.span.clone(),
            })
        } else {
            cell(idx)
        };
        if let Some(c) = c {
            entry.cells.insert(col, c);
        }
    }
    typed_cells(cx, &mut entry);
    Some(entry)
}

/// The `Type` and `Remove by` of a row, read into its entry; a value that
/// cannot be read is a problem.
fn typed_cells(cx: &mut Ctx<'_>, entry: &mut FlagEntry) {
    let name = &entry.name;
    if let Some(c) = entry.cells.get(&Column::Type).filter(|c| !is_blank(&c.text)) {
        match FlagType::parse(&c.text) {
            Some(t) => entry.kind = Some(t),
            None => {
                let span = c.span.clone();
                cx.problem(
                    span,
                    format!(
                        "Type `{}` of flag `{name}` is not a known flag type, so its default cannot be judged",
                        c.text
                    ),
                    "use one of `release`, `experiment`, `ops`, `kill-switch`, `permission`",
                );
            }
        }
    }
    if let Some(c) = entry.cells.get(&Column::RemoveBy).filter(|c| !is_blank(&c.text)) {
        match parse_date(&c.text) {
            Ok(d) => entry.remove_by = Some(d),
            Err(why) => {
                let span = c.span.clone();
                cx.problem(
                    span,
                    format!(
                        "`Remove by` of flag `{name}` is `{}`, {why}, so its removal deadline cannot be checked",
                        c.text
                    ),
                    "write the date as YYYY-MM-DD (e.g. 2026-03-01), or leave the cell empty",
                );
            }
        }
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        parse("docs/flags.md", text)
            .entries
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    #[test]
    fn contract_example_parses_without_problems() {
        let text = "# Flags\n\n| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|------|-------|---------|------|--------|-----------|-------------|\n| `ingestion_v2_enabled` | @data-platform | off | release | rollout | 2026-03-01 | |\n| `ingestion_enabled` | @sre | on | kill-switch | permanent | | |\n| `beta_workspaces` | @crm | off | release | ga | 2026-01-15 | `ga_workspaces` |\n";
        let p = parse("docs/flags.md", text);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.entries.len(), 3);
        let b = &p.entries[2];
        assert_eq!(b.name, "beta_workspaces");
        assert_eq!(b.line, 7);
        assert_eq!(b.text(Column::ReplacedBy), Some("ga_workspaces"));
        assert_eq!(b.remove_by, NaiveDate::from_ymd_opt(2026, 1, 15));
        assert_eq!(p.entries[1].kind, Some(FlagType::KillSwitch));
    }

    #[test]
    fn real_markdown_shapes() {
        let text = "Intro text.\n\nflag | OWNER | default value | Notes\n:--- | :---: | ---: | ---\n**`a_flag`** | [@x](https://x) | `false` | a \\| b\nb_flag | @y | off | see `x|y`\n\nMore prose | with a pipe\n";
        let p = parse("f.md", text);
        assert_eq!(names(text), ["a_flag", "b_flag"]);
        let a = &p.entries[0];
        assert_eq!(a.text(Column::Owner), Some("@x"));
        assert_eq!(a.text(Column::Default), Some("false"));
        // `x|y` splits the row (as GitHub renders it): a finding, not a crash.
        assert_eq!(p.problems.len(), 1, "{:?}", p.problems);
        assert_eq!(p.problems[0].location.unwrap().line, 6);
    }

    #[test]
    fn code_blocks_and_comments_are_not_tables() {
        let text = "```\n| Flag | Owner | Default |\n|---|---|---|\n| `x` | @a | off |\n```\n<!--\n| Flag | Owner | Default |\n|---|---|---|\n| `y` | @a | off |\n-->\n| Flag | Owner | Default |\n|---|---|---|\n| `z` | @a | off |\n";
        assert_eq!(names(text), ["z"]);
    }

    #[test]
    fn bad_tables_are_findings_at_their_lines() {
        let text = "| Flag | Default |\n|---|---|\n| `a` | off |\n| `a` | on |\n\n| Flag | Owner | Default | Remove by |\n|---|---|---|---|\n| `b` | @x | off | 2026-02-30 |\n| `c` | @x | off | soon |\n| `d` | @x |\n";
        let p = parse("f.md", text);
        let lines: Vec<(usize, String)> = p
            .problems
            .iter()
            .map(|f| (f.location.unwrap().line, f.message.clone()))
            .collect();
        assert_eq!(lines.len(), 5, "{lines:#?}");
        assert_eq!(lines[0].0, 1);
        assert!(lines[0].1.contains("`Owner`"));
        assert_eq!(lines[1].0, 4);
        assert!(lines[1].1.contains("already documented at line 3"));
        assert_eq!(lines[2].0, 8);
        assert!(lines[2].1.contains("calendar"));
        assert_eq!(lines[3].0, 9);
        assert!(lines[3].1.contains("YYYY-MM-DD"));
        assert_eq!(lines[4].0, 10);
        assert!(lines[4].1.contains("2 cells"));
    }

    #[test]
    fn unrelated_tables_are_ignored_and_no_table_is_a_finding() {
        let text = "| Type | Default | Meaning |\n|---|---|---|\n| kill-switch | on | stops |\n";
        let p = parse("f.md", text);
        assert!(p.entries.is_empty());
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].message.contains("no flag table"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "",
            "|",
            "||\n||",
            "|\n|-|\n|",
            "| Flag |\n|---|\n| `",
            "| Flag | Owner | Default |\n|---|---|---|\n| é | ü |",
            "| Flag | Owner | Default |\n| --- | --- | --- |\n|||||||\n| \\| | \\ | `` ` `` |\n",
            "\u{feff}| Flag | Owner | Default |\r\n|---|---|---|\r\n| `x` | @a | off |\r\n",
        ] {
            let p = parse("f.md", text);
            for f in &p.problems {
                let span = f.span.clone().unwrap();
                assert!(
                    span.start <= span.end && span.end <= text.len().max(1),
                    "{text:?} {f:?}"
                );
            }
        }
    }
}
