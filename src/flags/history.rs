//! Flag references at other revisions, for the rules on what a change
//! removes: the flags whose last code reference a change deletes
//! (`kill-switch-removed`, `beta-cutover-without-dual-read`), and the flags
//! that the code at the latest release tag reads.
//!
//! Both are cheap: `git grep` at the revision picks the files that contain a
//! flag's name at all, and only those are read and searched with the reference
//! patterns.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::patterns::{Capture, Globs, PatternSet};
use super::search::{scan_text, Hit};
use super::{env_flag, fold, FlagRegistry};
use crate::error::AppError;
use crate::git::{self, Change};

/// A flag's last code reference that a change removes: where it was at the merge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedRef {
    pub flag: String,
    pub file: String,
    pub line: usize,
}

/// A change that removes the last code reference to a `beta_*` flag whose GA
/// equivalent is known, and what the latest release read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cutover {
    pub removed: RemovedRef,
    /// The `ga_*` flag: the registry's `Replaced by`, or `ga_<rest>` that the code reads.
    pub ga: String,
    pub release: Release,
}

/// The latest release (`flags.release_tags`) and whether its code reads the GA flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Release {
    Tag {
        tag: String,
        reads_ga: bool,
    },
    /// No tag matching the glob is reachable from HEAD.
    NoTag {
        glob: String,
    },
}

/// Reads flag references from files at a revision, as the search reads the work tree.
pub struct Reader<'a> {
    pub root: &'a Path,
    pub set: &'a PatternSet,
    /// `flags.exclude`.
    pub exclude: &'a Globs,
    /// Paths never searched (the registry, shipgate.yml).
    pub skip: &'a [String],
    pub registry: &'a FlagRegistry,
    pub norm: &'a HashMap<String, String>,
}

impl Reader<'_> {
    /// The flag a hit refers to (`None`: an environment variable that names no flag).
    pub fn flag_of(&self, hit: &Hit) -> Option<String> {
        match self.set.patterns[hit.pattern].capture {
            Capture::Flag => Some(hit.name.clone()),
            Capture::EnvVar => env_flag(&hit.name, self.registry, self.norm),
        }
    }

    fn searched(&self, rel: &str) -> bool {
        if self.skip.iter().any(|s| s == rel) {
            return false;
        }
        // Like the walk: no excluded directory on the way, and not the file itself.
        let mut at = 0;
        for part in rel.split('/') {
            at += part.len();
            if part == ".git" || self.exclude.is_match(&rel[..at], part) {
                return false;
            }
            at += 1;
        }
        true
    }

    /// Each of `flags` that the files at `rev` refer to (among `paths`, when
    /// given): the first place, file and line.
    pub fn refs_at(
        &self,
        rev: &str,
        flags: &BTreeSet<String>,
        paths: Option<&[String]>,
    ) -> Result<BTreeMap<String, RemovedRef>, AppError> {
        let mut needles: Vec<String> = flags.iter().flat_map(|f| [f.clone(), fold(f)]).collect();
        needles.sort();
        needles.dedup();
        let mut out = BTreeMap::new();
        let mut blobs = git::Blobs::open(self.root)?;
        for rel in git::grep_files(self.root, rev, &needles, paths)? {
            if !self.searched(&rel) {
                continue;
            }
            let Some(git::Blob { text, .. }) = blobs.read(rev, &rel)? else {
                continue;
            };
            let hits = scan_text(self.set, &rel, text.as_bytes()).map_err(AppError::Evaluate)?;
            for hit in hits {
                let Some(flag) = self.flag_of(&hit).filter(|f| flags.contains(f)) else {
                    continue;
                };
                out.entry(flag.clone()).or_insert(RemovedRef {
                    flag,
                    file: rel.clone(),
                    line: hit.location.line,
                });
            }
        }
        Ok(out)
    }

    /// Of `flags` (none referenced by the code now), those that the files this
    /// change modifies, deletes or renames referred to at the merge base `mb`:
    /// the change removed their last code reference. Unchanged files refer to
    /// the same flags at the base and now, so they need no reading.
    pub fn removed_last_refs(&self, mb: &str, flags: &BTreeSet<String>) -> Result<Vec<RemovedRef>, AppError> {
        if flags.is_empty() {
            return Ok(Vec::new());
        }
        let prefix = git::prefix(self.root)?;
        let mut paths = Vec::new();
        for (change, path) in git::changes_since(self.root, mb)? {
            let at_base = match change {
                Change::Added => continue,
                Change::Modified | Change::Deleted => path,
                Change::Renamed { from } => from,
            };
            if let Some(rel) = at_base.strip_prefix(&prefix) {
                paths.push(rel.to_string());
            }
        }
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self.refs_at(mb, flags, Some(&paths))?.into_values().collect())
    }
}
