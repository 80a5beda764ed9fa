//! Walks a repository's files the way ripgrep does, for the searches over
//! code (flag references, contract references): the `ignore` crate's
//! parallel walker (`.gitignore` honoured, `.git` never entered), one reused
//! buffer per thread, binary files (a NUL in the first 8 KiB) and files over
//! [`MAX_FILE_BYTES`] skipped. What to keep from each file is the caller's.

use std::io::Read;
use std::path::Path;
use std::sync::Mutex;

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkState};

/// Larger files (bundles, dumps) are not searched.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Where to look for a NUL byte that marks a file as binary.
pub const BINARY_PROBE: usize = 8 << 10;

/// What a walk gathered.
#[derive(Debug)]
pub struct Walked<T> {
    /// What the visitor kept, in no particular order.
    pub found: Vec<T>,
    /// Files read (neither binary nor too large).
    pub searched: usize,
    /// Files and directories that could not be read.
    pub errors: Vec<String>,
}

impl<T> Default for Walked<T> {
    fn default() -> Self {
        Walked {
            found: Vec::new(),
            searched: 0,
            errors: Vec::new(),
        }
    }
}

/// One file offered to the visitor: its path, and its bytes on demand.
pub struct File<'a> {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    /// The file name.
    pub name: &'a str,
    path: &'a Path,
    buf: &'a mut Vec<u8>,
    searched: &'a mut usize,
    errors: &'a mut Vec<String>,
}

impl File<'_> {
    /// The file's bytes after any byte-order mark (offsets, lines and
    /// columns are those of the text after it, as in every gate); `None`
    /// when it is binary, too large, gone or unreadable (then recorded as
    /// an error).
    pub fn read(&mut self) -> Option<&[u8]> {
        let _reading = crate::reading::file(&self.rel);
        match read(self.path, self.buf) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                self.errors.push(format!("{}: {e}", self.rel));
                return None;
            }
        }
        *self.searched += 1;
        Some(self.buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(self.buf))
    }

    /// Records why the file could not be searched.
    pub fn error(&mut self, e: String) {
        self.errors.push(e);
    }
}

struct Shared<'s, S, T> {
    root: &'s Path,
    init: &'s (dyn Fn() -> S + Sync),
    visit: &'s (dyn Fn(&mut S, &mut File) -> Option<T> + Sync),
    out: Mutex<Walked<T>>,
    /// A visitor's panic (a bug), re-raised once the walk has stopped:
    /// left to unwind, it would leave the other threads waiting for it forever.
    panic: Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

struct Builder<'s, S, T> {
    shared: &'s Shared<'s, S, T>,
}

impl<'s, S: Send + 's, T: Send + 's> ParallelVisitorBuilder<'s> for Builder<'s, S, T> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            shared: self.shared,
            state: (self.shared.init)(),
            buf: Vec::new(),
            out: Walked::default(),
        })
    }
}

/// One walking thread: its state, buffer and results.
struct Visitor<'s, S, T> {
    shared: &'s Shared<'s, S, T>,
    state: S,
    buf: Vec<u8>,
    out: Walked<T>,
}

impl<S, T> Drop for Visitor<'_, S, T> {
    fn drop(&mut self) {
        let mut out = self.shared.out.lock().unwrap_or_else(|e| e.into_inner());
        out.found.append(&mut self.out.found);
        out.searched += self.out.searched;
        out.errors.append(&mut self.out.errors);
    }
}

impl<S: Send, T: Send> ParallelVisitor for Visitor<'_, S, T> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(e) => {
                let visited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.file(&e)));
                if let Err(panic) = visited {
                    let mut first = self.shared.panic.lock().unwrap_or_else(|e| e.into_inner());
                    first.get_or_insert(panic);
                    return WalkState::Quit;
                }
            }
            Err(e) => {
                if !is_not_found(&e) {
                    self.out.errors.push(e.to_string());
                }
            }
        }
        WalkState::Continue
    }
}

impl<S, T> Visitor<'_, S, T> {
    fn file(&mut self, entry: &DirEntry) {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return;
        }
        let name = entry.file_name().to_string_lossy();
        let mut file = File {
            rel: rel_path(self.shared.root, entry.path()),
            name: &name,
            path: entry.path(),
            buf: &mut self.buf,
            searched: &mut self.out.searched,
            errors: &mut self.out.errors,
        };
        if let Some(t) = (self.shared.visit)(&mut self.state, &mut file) {
            self.out.found.push(t);
        }
    }
}

fn is_not_found(e: &ignore::Error) -> bool {
    e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
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

/// Visits every file below `root` that `.gitignore` does not hide and whose
/// path (and every folder above it) `keep(rel, name)` keeps, on every core.
/// `init` makes each thread's state (caches); `visit` decides what to keep
/// from one file, calling [`File::read`] only when it needs the bytes.
pub fn walk<S: Send, T: Send>(
    root: &Path,
    keep: impl Fn(&str, &str) -> bool + Send + Sync + 'static,
    init: &(dyn Fn() -> S + Sync),
    visit: &(dyn Fn(&mut S, &mut File) -> Option<T> + Sync),
) -> Walked<T> {
    let shared = Shared {
        root,
        init,
        visit,
        out: Mutex::new(Walked::default()),
        panic: Mutex::new(None),
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(12);
    let filter_root = root.to_path_buf();
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
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            name != ".git" && keep(&rel_path(&filter_root, e.path()), &name)
        });
    let mut builder = Builder { shared: &shared };
    walker.build_parallel().visit(&mut builder);
    if let Some(panic) = shared.panic.into_inner().unwrap_or_else(|e| e.into_inner()) {
        std::panic::resume_unwind(panic);
    }
    let mut out = shared.out.into_inner().unwrap_or_else(|e| e.into_inner());
    out.errors.sort();
    out
}
