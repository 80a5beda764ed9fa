//! Searches the repository for flag references the way ripgrep does: the
//! `ignore` crate's parallel walker (`.gitignore` honoured), files whose
//! path no pattern applies to never opened, one reused buffer per thread,
//! binary files (a NUL in the first 8 KiB) skipped, and one multi-pattern
//! regex pass per file whose literal prefilter rejects most files at memchr speed.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkState};
use regex_automata::{meta, util::captures::Captures, Input};

use super::patterns::{nth_bit, Capture, Globs, PatternSet, ENV_PREFIX};
use crate::finding::Location;

/// Larger files (bundles, dumps) are not searched.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Where to look for a NUL byte that marks a file as binary.
const BINARY_PROBE: usize = 8 << 10;

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

struct Shared<'s> {
    root: &'s Path,
    set: &'s PatternSet,
    skip: &'s [String],
    out: Mutex<Outcome>,
    /// A search thread's panic (a bug), re-raised once the walk has stopped:
    /// left to unwind, it would leave the other threads waiting for it forever.
    panic: Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

struct Builder<'s> {
    shared: &'s Shared<'s>,
}

impl<'s> ParallelVisitorBuilder<'s> for Builder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            shared: self.shared,
            buf: Vec::new(),
            regexes: HashMap::new(),
            scratch: Default::default(),
            files: Vec::new(),
            searched: 0,
            errors: Vec::new(),
        })
    }
}

/// One search thread: its buffer, regex caches and results.
struct Visitor<'s> {
    shared: &'s Shared<'s>,
    buf: Vec<u8>,
    regexes: HashMap<u128, (Arc<meta::Regex>, meta::Cache, Captures)>,
    scratch: (Vec<usize>, Vec<usize>),
    files: Vec<FileHits>,
    searched: usize,
    errors: Vec<String>,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
        out.files.append(&mut self.files);
        out.searched += self.searched;
        out.errors.append(&mut self.errors);
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(e) => {
                let searched = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.file(&e)));
                if let Err(panic) = searched {
                    let mut first = self.shared.panic.lock().unwrap_or_else(|e| e.into_inner());
                    first.get_or_insert(panic);
                    return WalkState::Quit;
                }
            }
            Err(e) => {
                if !is_not_found(&e) {
                    self.errors.push(e.to_string());
                }
            }
        }
        WalkState::Continue
    }
}

fn is_not_found(e: &ignore::Error) -> bool {
    e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
}

impl Visitor<'_> {
    fn file(&mut self, entry: &DirEntry) {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return;
        }
        let sh = self.shared;
        let path = entry.path();
        let rel = rel_path(sh.root, path);
        if sh.skip.contains(&rel) {
            return;
        }
        let name = entry.file_name().to_string_lossy();
        let mask = sh.set.mask(&rel, &name, &mut self.scratch);
        if mask == 0 {
            return;
        }
        let _reading = crate::reading::file(&rel);
        match read(path, &mut self.buf) {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                self.errors.push(format!("{rel}: {e}"));
                return;
            }
        }
        self.searched += 1;
        let (re, cache, caps) = match self.regexes.entry(mask) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => match sh.set.regex(mask) {
                Ok(re) => {
                    let cache = re.create_cache();
                    let caps = re.create_captures();
                    v.insert((re, cache, caps))
                }
                Err(e) => {
                    self.errors.push(e);
                    return;
                }
            },
        };
        let hits = scan(&sh.set.patterns, mask, re, cache, caps, &self.buf);
        if !hits.is_empty() {
            self.files.push(FileHits { rel, hits });
        }
    }
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

/// Reads a file into `buf`; `Ok(false)` when it is too large or binary.
fn read(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FILE_BYTES {
        return Ok(false);
    }
    buf.clear();
    buf.reserve(len as usize + 1);
    (&mut f).take(MAX_FILE_BYTES + 1).read_to_end(buf)?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Ok(false);
    }
    let probe = &buf[..buf.len().min(BINARY_PROBE)];
    Ok(memchr::memchr(0, probe).is_none())
}

/// `path` relative to `root`, `/`-separated.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
    let rel = rel.strip_prefix("./").unwrap_or(&rel);
    if std::path::MAIN_SEPARATOR == '/' {
        rel.to_string()
    } else {
        rel.replace(std::path::MAIN_SEPARATOR, "/")
    }
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
    let shared = Shared {
        root,
        set,
        skip,
        out: Mutex::new(Outcome::default()),
        panic: Mutex::new(None),
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(12);
    let filter_root = root.to_path_buf();
    let filter_globs = (!exclude.is_empty()).then(|| exclude.clone());
    let mut walker = ignore::WalkBuilder::new(root);
    walker
        .hidden(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(true)
        .parents(true)
        .follow_links(false)
        .threads(threads)
        .filter_entry(move |e| keep(&filter_root, filter_globs.as_ref(), e));
    let mut builder = Builder { shared: &shared };
    walker.build_parallel().visit(&mut builder);
    if let Some(panic) = shared.panic.into_inner().unwrap_or_else(|e| e.into_inner()) {
        std::panic::resume_unwind(panic);
    }
    let mut out = shared.out.into_inner().unwrap_or_else(|e| e.into_inner());
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.errors.sort();
    out
}

/// Never `.git`, never an excluded path.
fn keep(root: &Path, exclude: Option<&Globs>, e: &DirEntry) -> bool {
    if e.depth() == 0 {
        return true;
    }
    let name = e.file_name().to_string_lossy();
    if name == ".git" {
        return false;
    }
    exclude.is_none_or(|g| !g.is_match(&rel_path(root, e.path()), &name))
}
