//! When the phase a change leaves was entered, from the manifest's git
//! history, for `phase-advanced-before-bake`: the gate reads it, the rule
//! compares it with the phase's `bake`.

use std::path::Path;

use super::{load, Content};
use crate::error::AppError;
use crate::git;

/// The commit that set `current_phase` to `phase`, and when the change leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseEntry {
    pub phase: String,
    /// The commit that set `current_phase` to `phase`.
    pub commit: String,
    /// Its committer time, in seconds since the Unix epoch.
    pub entered: i64,
    /// When the change leaves the phase: the committer time of HEAD, or the
    /// current time when the change is not committed yet.
    pub left: i64,
}

/// `current_phase` of the manifest text, when it can be read.
fn current_phase(path: &str, text: String) -> Option<String> {
    let m = load(path, &Content::Bytes(text.into_bytes())).ok()?;
    m.current_phase.map(|c| c.value)
}

/// The oldest commit of the latest unbroken run, in the history of `path`
/// up to `rev` (newest first), whose manifest has `current_phase: <phase>`:
/// the commit that entered the phase. `None` when the manifest at the newest
/// commit that changed it is not in `phase`. `left` is [`PhaseEntry::left`].
pub fn phase_entry(root: &Path, rev: &str, path: &str, phase: &str, left: i64) -> Result<Option<PhaseEntry>, AppError> {
    let mut entry = None;
    let mut blobs = git::Blobs::open(root)?;
    for (commit, time) in git::path_history(root, rev, path)? {
        let Some(git::Blob { text, .. }) = blobs.read(&commit, path)? else {
            break;
        };
        if current_phase(path, text).as_deref() != Some(phase) {
            break;
        }
        entry = Some((commit, time));
    }
    Ok(entry.map(|(commit, entered)| PhaseEntry {
        phase: phase.to_string(),
        commit,
        entered,
        left,
    }))
}
