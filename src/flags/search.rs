//! Searches the repository for flag references the way ripgrep does: the
//! parallel walker of `walk` (`.gitignore` honoured), files whose
//! path no pattern applies to never opened, one reused buffer per thread,
//! binary files (a NUL in the first 8 KiB) skipped, and one multi-pattern
//! regex pass per file whose literal prefilter rejects most files at memchr speed.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use regex_automata::{meta, util::captures::Captures, Input};

use super::patterns::{nth_bit, Capture, Globs, PatternSet, ENV_PREFIX};
use crate::finding::Location;
use crate::walk::{self, File, BINARY_PROBE, MAX_FILE_BYTES};

/// One match of a reference pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Index of the pattern in the set.
    pub pattern: usize,
    /// The captured text.
    pub name: String,
    /// Byte range of the capture in the file (with `FEATURE_` before an environment variable's capture).
    pub span: Range<usize>,
    pub location: Location,
}

/// The hits in one file.
#[derive(Debug, Clone)]
pub struct FileHits {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    pub hits: Vec<Hit>,
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files with at least one hit, sorted by path.
    pub files: Vec<FileHits>,
    /// Files read and searched.
    pub searched: usize,
    /// Files and directories that could not be read.
    pub errors: Vec<String>,
}

/// One search thread's regex caches.
#[derive(Default)]
struct Caches {
    regexes: HashMap<u128, (Arc<meta::Regex>, meta::Cache, Captures)>,
    scratch: (Vec<usize>, Vec<usize>),
}

/// The hits in one file, when a pattern applies to its path.
fn search_file(set: &PatternSet, skip: &[String], c: &mut Caches, file: &mut File) -> Option<FileHits> {
    if skip.contains(&file.rel) {
        return None;
    }
    let mask = set.mask(&file.rel, file.name, &mut c.scratch);
    if mask == 0 {
        return None;
    }
    let (re, cache, caps) = match c.regexes.entry(mask) {
        std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
        std::collections::hash_map::Entry::Vacant(v) => match set.regex(mask) {
            Ok(re) => {
                let cache = re.create_cache();
                let caps = re.create_captures();
                v.insert((re, cache, caps))
            }
            Err(e) => {
                file.error(e);
                return None;
            }
        },
    };
    let rel = file.rel.clone();
    let hay = file.read()?;
    let hits = scan(&set.patterns, mask, re, cache, caps, hay);
    (!hits.is_empty()).then_some(FileHits { rel, hits })
}

/// The hits of the patterns in `mask` (which `re` searches for) in a file's bytes.
fn scan(
    patterns: &[super::patterns::Compiled],
    mask: u128,
    re: &meta::Regex,
    cache: &mut meta::Cache,
    caps: &mut Captures,
    buf: &[u8],
) -> Vec<Hit> {
    // Offsets, lines and columns are those of the text after a byte-order mark, as in every gate.
    let hay = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(buf);
    let mut hits = Vec::new();
    let mut input = Input::new(hay);
    let mut lines = Lines::default();
    loop {
        re.search_captures_with(cache, &input, caps);
        let Some(m) = caps.get_match() else { break };
        if let Some(g) = caps.get_group(1) {
            let pattern = nth_bit(mask, m.pattern().as_usize());
            let name = String::from_utf8_lossy(&hay[g.range()]).into_owned();
            let mut span = g.range();
            // An environment variable is shown whole: `FEATURE_` and the capture.
            if patterns[pattern].capture == Capture::EnvVar && hay[..span.start].ends_with(ENV_PREFIX.as_bytes()) {
                span.start -= ENV_PREFIX.len();
            }
            hits.push(Hit {
                pattern,
                name,
                location: lines.locate(hay, &span),
                span,
            });
        }
        let next = if m.end() > m.start() { m.end() } else { m.end() + 1 };
        if next > hay.len() {
            break;
        }
        input.set_start(next);
    }
    hits
}

/// The hits in `text`, a file at `rel` that is not in the work tree (a file
/// at another revision): the same patterns as the search, for its path, and
/// none in a file the search skips (too large, or binary).
pub fn scan_text(set: &PatternSet, rel: &str, text: &[u8]) -> Result<Vec<Hit>, String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let mask = set.mask(rel, name, &mut Default::default());
    let binary = memchr::memchr(0, &text[..text.len().min(BINARY_PROBE)]).is_some();
    if mask == 0 || binary || text.len() as u64 > MAX_FILE_BYTES {
        return Ok(Vec::new());
    }
    let re = set.regex(mask)?;
    let (mut cache, mut caps) = (re.create_cache(), re.create_captures());
    Ok(scan(&set.patterns, mask, &re, &mut cache, &mut caps, text))
}

/// Incremental line counting over increasing offsets of one file.
#[derive(Default)]
struct Lines {
    /// Offset up to which newlines were counted.
    pos: usize,
    /// Line (0-based) at `pos`.
    line: usize,
}

impl Lines {
    /// 0-based line of `off` (`off` never decreases between calls).
    fn line_of(&mut self, hay: &[u8], off: usize) -> usize {
        if off < self.pos {
            self.pos = 0;
            self.line = 0;
        }
        self.line += memchr::memchr_iter(b'\n', &hay[self.pos..off]).count();
        self.pos = off;
        self.line
    }

    fn column(hay: &[u8], off: usize) -> usize {
        let start = memchr::memrchr(b'\n', &hay[..off]).map_or(0, |i| i + 1);
        let prefix = &hay[start..off];
        match std::str::from_utf8(prefix) {
            Ok(s) => s.chars().count() + 1,
            Err(_) => prefix.len() + 1,
        }
    }

    fn locate(&mut self, hay: &[u8], span: &Range<usize>) -> Location {
        let line = self.line_of(hay, span.start) + 1;
        let column = Self::column(hay, span.start);
        let last = if span.end > span.start {
            span.end - 1
        } else {
            span.start
        };
        let end_line = line + memchr::memchr_iter(b'\n', &hay[span.start..last]).count();
        let end_column = Self::column(hay, last) + 1;
        Location {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Searches every file below `root` that `.gitignore` and `exclude` do not
/// hide, except the `skip` paths, in parallel.
pub fn search(root: &Path, set: &PatternSet, exclude: &Globs, skip: &[String]) -> Outcome {
    let globs = (!exclude.is_empty()).then(|| exclude.clone());
    let keep = move |rel: &str, name: &str| globs.as_ref().is_none_or(|g| !g.is_match(rel, name));
    let walked = walk::walk(root, keep, &Caches::default, &|c, file| search_file(set, skip, c, file));
    let mut files = walked.found;
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Outcome {
        files,
        searched: walked.searched,
        errors: walked.errors,
    }
}
