//! When the code last stopped using each target, from git: a reference at
//! the change's base (or in HEAD, when the work tree removed it) means the
//! change itself removes it; otherwise the newest commit within the minimum
//! age whose diff touches one of the names (`git log -G`, bounded by
//! `--since`) and whose parent still had a reference removed it.

use std::collections::HashSet;
use std::path::Path;

use super::tree::Options;
use super::{Scanner, Target};
use crate::git::{self, Blob, GitError};

/// The removal of a target's last reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The commit that removed it; `None` when the change itself does.
    pub commit: Option<String>,
    /// Its committer time (the head's when the change itself removes it).
    pub time: i64,
    /// Where the last reference was, before it was removed.
    pub path: String,
    pub line: usize,
}

/// What the history search found.
#[derive(Debug, Default)]
pub struct History {
    /// Per target: its last removal within the window, if any.
    pub removals: Vec<Option<Removal>>,
    /// Commits whose files were read.
    pub commits_read: usize,
}

/// The part of history searched.
#[derive(Debug, Clone)]
pub struct Window {
    /// The head commit (`HEAD`).
    pub head: String,
    /// Where a reference means the change itself removes it: the merge base
    /// (with `--base`), else HEAD (the work tree's own changes).
    pub bases: Vec<String>,
    /// The head commit's time, seconds since the epoch.
    pub head_time: i64,
    /// Commits older than this are not read.
    pub since: i64,
}

/// Finds, for each target with `wanted[k]`, the removal of its last
/// reference within the window: first at its bases (the change removes
/// it), then in the commits from its head, newest first.
pub fn last_removals(
    root: &Path,
    targets: &[Target],
    wanted: &[bool],
    options: &Options,
    window: &Window,
) -> Result<History, GitError> {
    let Window {
        head,
        bases,
        head_time,
        since,
    } = window;
    let (head_time, since) = (*head_time, *since);
    let scanner = Scanner::new(targets);
    let needles = scanner.needles();
    let mut history = History {
        removals: vec![None; targets.len()],
        commits_read: 0,
    };
    let open = |h: &History| (0..targets.len()).any(|k| wanted[k] && h.removals[k].is_none());
    let mut blobs = git::Blobs::open(root)?;
    // A content scanned once has given all it can: every reference it holds
    // was recorded then, or had been already (the same file is often the
    // same at many parents).
    let mut scanned = HashSet::new();
    let mut record =
        |h: &mut History, rev: &str, paths: &[String], commit: Option<&str>, time: i64| -> Result<(), GitError> {
            for path in paths.iter().filter(|p| options.is_code(p)) {
                let Some(Blob { oid, text }) = blobs.read(rev, path)? else {
                    continue;
                };
                if !scanned.insert((oid, path.clone())) {
                    continue;
                }
                for r in scanner.scan(path, &text, super::is_generated(text.as_bytes())) {
                    if wanted[r.target] && h.removals[r.target].is_none() {
                        h.removals[r.target] = Some(Removal {
                            commit: commit.map(str::to_string),
                            time,
                            path: r.path.clone(),
                            line: r.line,
                        });
                    }
                }
            }
            Ok(())
        };
    // A file the work tree has as it was at a base holds no reference
    // (the targets looked for have none at the head): only the files
    // changed since the base are read there.
    let prefix = git::prefix(root)?;
    for base in bases {
        if !open(&history) {
            return Ok(history);
        }
        let paths: Vec<String> = git::changes_since(root, base)?
            .into_iter()
            .filter_map(|(change, path)| match change {
                git::Change::Added => None,
                git::Change::Renamed { from } => Some(from),
                _ => Some(path),
            })
            .filter_map(|p| p.strip_prefix(&prefix).map(str::to_string))
            .collect();
        record(&mut history, base, &paths, None, head_time)?;
    }
    if !open(&history) {
        return Ok(history);
    }
    let regex = needles.iter().map(|n| escape_ere(n)).collect::<Vec<_>>().join("|");
    for touch in git::pickaxe(root, head, &regex, since)? {
        if !open(&history) {
            break;
        }
        history.commits_read += 1;
        let parent = format!("{}^", touch.commit);
        let short: String = touch.commit.chars().take(10).collect();
        record(&mut history, &parent, &touch.paths, Some(&short), touch.time)?;
    }
    Ok(history)
}

/// `name` as a POSIX extended regex that matches it literally.
fn escape_ere(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "\\.[]()*+?{}|^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
