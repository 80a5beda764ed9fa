//! `shipgate hook run pre-push`: for every ref a push sends, the offline
//! gates on the pushed commit, with only what the push adds counted as new.
//!
//! `check --base` reads the work tree. A push sends a commit, which is not
//! the work tree when the push names another ref or the tree has edits or
//! untracked files. So the work tree is checked in place only when it *is*
//! the pushed commit (HEAD, nothing modified, nothing untracked); otherwise
//! the pushed commit is checked out, detached, in a temporary `git worktree`
//! that is removed afterwards.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{git, git_ok, ISOLATE_VARS};
use crate::app::{self, AppError, ExitStatus, Report, Verdict};
use crate::config::{self, Config};

/// One line of the hook's standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub local_ref: String,
    pub local_sha: String,
    pub remote_ref: String,
    pub remote_sha: String,
}

/// Parses `<local ref> <local sha> <remote ref> <remote sha>` lines.
pub fn parse(input: &str) -> Result<Vec<RefUpdate>, AppError> {
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [] => continue,
            [local_ref, local_sha, remote_ref, remote_sha] if is_sha(local_sha) && is_sha(remote_sha) => {
                out.push(RefUpdate {
                    local_ref: local_ref.to_string(),
                    local_sha: local_sha.to_string(),
                    remote_ref: remote_ref.to_string(),
                    remote_sha: remote_sha.to_string(),
                })
            }
            _ => {
                return Err(AppError::Usage(format!(
                    "standard input line {}: expected `<local ref> <local sha> <remote ref> <remote sha>`, as git gives a pre-push hook",
                    i + 1
                )))
            }
        }
    }
    Ok(out)
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn short(sha: &str) -> &str {
    sha.get(..10).unwrap_or(sha)
}

/// What the pushed commit was compared against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A commit: only what the push adds since it is new.
    Commit { sha: String, what: String },
    /// No common history with anything the remote has: the whole tree is checked.
    Root { why: String },
}

impl Base {
    fn rev(&self) -> Option<&str> {
        match self {
            Base::Commit { sha, .. } => Some(sha),
            Base::Root { .. } => None,
        }
    }

    /// For the user: `origin/main (1a2b3c4d5e)`.
    pub fn describe(&self) -> String {
        match self {
            Base::Commit { sha, what } => format!("{what} ({})", short(sha)),
            Base::Root { why } => format!("the root: {why}; every migration counts as new"),
        }
    }
}

/// The result for one ref.
#[derive(Debug)]
pub enum Outcome {
    /// Nothing to check (a deletion, a ref that is not a commit, nothing new).
    Skipped { remote_ref: String, why: String },
    Checked {
        remote_ref: String,
        local_sha: String,
        base: Base,
        /// Checked in a temporary worktree (the work tree was not the pushed commit).
        isolated: bool,
        report: Report,
    },
    /// The same commit against the same base as `other`, already checked.
    SameAs {
        remote_ref: String,
        other: String,
        exit_status: ExitStatus,
    },
}

impl Outcome {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Outcome::Skipped { .. } => ExitStatus::Pass,
            Outcome::Checked { report, .. } => report.exit_status(),
            Outcome::SameAs { exit_status, .. } => *exit_status,
        }
    }
}

/// What has to be checked for one ref.
struct Plan {
    remote_ref: String,
    commit: String,
    base: Base,
}

/// Checks every ref in `updates`. `top` is the top of the work tree (or the
/// git directory of a bare repository), `remote` the name git passed.
pub fn run(
    top: &Path,
    remote: Option<&str>,
    updates: &[RefUpdate],
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Outcome>, AppError> {
    let mut outcomes = Vec::new();
    let mut plans = Vec::new();
    for u in updates {
        match plan(top, remote, u)? {
            Ok(p) => plans.push(p),
            Err(why) => outcomes.push(Outcome::Skipped {
                remote_ref: u.remote_ref.clone(),
                why,
            }),
        }
    }
    if plans.is_empty() {
        return Ok(outcomes);
    }
    let in_place = work_tree_commit(top);
    // The same commit against the same base (one commit pushed to two refs) is checked once.
    let mut done: HashMap<(String, Option<String>), usize> = HashMap::new();
    for p in plans {
        let key = (p.commit.clone(), p.base.rev().map(str::to_string));
        if let Some(Outcome::Checked { remote_ref, report, .. }) = done.get(&key).and_then(|&i| outcomes.get(i)) {
            let same = Outcome::SameAs {
                remote_ref: p.remote_ref,
                other: remote_ref.clone(),
                exit_status: report.exit_status(),
            };
            outcomes.push(same);
            continue;
        }
        progress(&format!(
            "checking {} ({}) against {}",
            p.remote_ref,
            short(&p.commit),
            p.base.describe()
        ));
        let isolated = in_place.as_deref() != Some(p.commit.as_str());
        let report = if isolated {
            let wt = TempWorktree::add(top, &p.commit)?;
            let _env = EnvIsolation::begin();
            check(wt.path(), &p.base)?
        } else {
            check(top, &p.base)?
        };
        done.insert(key, outcomes.len());
        outcomes.push(Outcome::Checked {
            remote_ref: p.remote_ref,
            local_sha: p.commit,
            base: p.base,
            isolated,
            report,
        });
    }
    Ok(outcomes)
}

/// The gates on the tree at `root`, as `shipgate check [--base]` runs them there.
fn check(root: &Path, base: &Base) -> Result<Report, AppError> {
    let cfg = match config::find(root) {
        Some(p) => config::load_found(root, &p).map_err(AppError::Config)?,
        None => Config::default(),
    };
    app::check(root, &cfg, base.rev(), None)
}

/// What to check for one ref, or why there is nothing to check.
fn plan(top: &Path, remote: Option<&str>, u: &RefUpdate) -> Result<Result<Plan, String>, AppError> {
    if is_zero(&u.local_sha) {
        return Ok(Err("deleted; nothing to check".into()));
    }
    let Some(commit) = git_ok(
        top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{}^{{commit}}", u.local_sha),
        ],
    ) else {
        return Ok(Err("not a commit; nothing to check".into()));
    };
    let known_remote =
        !is_zero(&u.remote_sha) && git_ok(top, &["cat-file", "-e", &format!("{}^{{commit}}", u.remote_sha)]).is_some();
    let base = if known_remote {
        match merge_base(top, &commit, &u.remote_sha) {
            Some(sha) if sha == u.remote_sha => Base::Commit {
                sha,
                what: format!("the remote's {}", u.remote_ref),
            },
            Some(sha) => Base::Commit {
                sha,
                what: format!("the merge base with the remote's {} (a forced push)", u.remote_ref),
            },
            None => Base::Root {
                why: format!("no history in common with the remote's {}", u.remote_ref),
            },
        }
    } else {
        default_branch_base(top, remote, &commit)
    };
    if base.rev() == Some(commit.as_str()) {
        return Ok(Err(format!("{} adds no commits; nothing to check", short(&commit))));
    }
    Ok(Ok(Plan {
        remote_ref: u.remote_ref.clone(),
        commit,
        base,
    }))
}

/// A new branch (or one whose remote tip is not known here) is compared with
/// the remote's default branch: `refs/remotes/<remote>/HEAD`, then `main`
/// and `master` of that remote and of `origin`.
fn default_branch_base(top: &Path, remote: Option<&str>, commit: &str) -> Base {
    let mut candidates = Vec::new();
    let valid_name = |r: &str| !r.is_empty() && !r.contains("://") && !r.contains(':') && !r.starts_with('-');
    for r in remote.filter(|r| valid_name(r)).into_iter().chain(["origin"]) {
        for b in ["HEAD", "main", "master"] {
            let name = format!("refs/remotes/{r}/{b}");
            if !candidates.contains(&name) {
                candidates.push(name);
            }
        }
    }
    // One git call for all candidates: the ones that exist, with what they point at.
    let mut args = vec!["for-each-ref", "--format=%(refname) %(objectname)"];
    args.extend(candidates.iter().map(String::as_str));
    let existing: HashMap<String, String> = git_ok(top, &args)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(name, sha)| (name.to_string(), sha.to_string()))
        .collect();
    for name in candidates {
        let Some(tip) = existing.get(&name) else {
            continue;
        };
        let shown = name.trim_start_matches("refs/remotes/").to_string();
        return match merge_base(top, commit, tip) {
            Some(sha) => Base::Commit {
                sha,
                what: format!("the merge base with {shown}"),
            },
            None => Base::Root {
                why: format!("no history in common with {shown}"),
            },
        };
    }
    Base::Root {
        why: "a new branch and no remote default branch (origin/HEAD, origin/main, origin/master) is known".into(),
    }
}

fn merge_base(top: &Path, a: &str, b: &str) -> Option<String> {
    git_ok(top, &["merge-base", a, b]).filter(|s| !s.is_empty())
}

/// The commit the work tree holds, when it holds exactly that: HEAD with no
/// modification and no untracked file (untracked files count as added in
/// `check --base`). `None` for a bare repository or a dirty tree.
fn work_tree_commit(top: &Path) -> Option<String> {
    let out = git_ok(top, &["rev-parse", "--is-inside-work-tree", "HEAD"])?;
    let mut lines = out.lines();
    if lines.next() != Some("true") {
        return None;
    }
    let head = lines.next()?.to_string();
    let status = git(top, &["status", "--porcelain", "-z", "--untracked-files=normal"], false).ok()?;
    status.is_empty().then_some(head)
}

/// A detached checkout of one commit in the temporary directory, removed on drop.
struct TempWorktree {
    top: PathBuf,
    path: PathBuf,
}

impl TempWorktree {
    fn add(top: &Path, commit: &str) -> Result<Self, AppError> {
        let path = unique_temp_dir()?;
        let wt = TempWorktree {
            top: top.to_path_buf(),
            path,
        };
        let path_s = wt.path.to_string_lossy().into_owned();
        // No hooks (post-checkout) run for this checkout: it is ours, not the user's.
        let no_hooks = format!("core.hooksPath={}", wt.path.join(".no-hooks").to_string_lossy());
        git(
            top,
            &[
                "-c", &no_hooks, "worktree", "add", "--detach", "--quiet", &path_s, commit,
            ],
            false,
        )
        .map_err(|e| AppError::Evaluate(format!("cannot check out the pushed commit {}: {e}", short(commit))))?;
        Ok(wt)
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempWorktree {
    fn drop(&mut self) {
        let path_s = self.path.to_string_lossy().into_owned();
        if git(&self.top, &["worktree", "remove", "--force", &path_s], false).is_err() {
            let _ = std::fs::remove_dir_all(&self.path);
            let _ = git(&self.top, &["worktree", "prune"], false);
        }
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// A new, empty, private directory for the worktree (created here, so a name
/// someone else prepared in a shared temp directory is never reused).
fn unique_temp_dir() -> Result<PathBuf, AppError> {
    let tmp = std::env::temp_dir();
    let pid = std::process::id();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for n in 0..100u32 {
        let p = tmp.join(format!("shipgate-pre-push-{pid}-{nanos:x}-{n}"));
        let builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        let builder = {
            use std::os::unix::fs::DirBuilderExt;
            let mut b = builder;
            b.mode(0o700);
            b
        };
        match builder.create(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(AppError::Evaluate(format!(
                    "cannot create a directory in {}: {e}",
                    tmp.display()
                )))
            }
        }
    }
    Err(AppError::Evaluate(format!(
        "cannot create a directory in {}",
        tmp.display()
    )))
}

/// While alive, git finds the repository from the directory it runs in
/// (`app::check` runs git in the temporary worktree); restores on drop.
/// Only set while no other thread runs.
struct EnvIsolation {
    saved: Vec<(&'static str, OsString)>,
}

impl EnvIsolation {
    fn begin() -> Self {
        let mut saved = Vec::new();
        for var in ISOLATE_VARS {
            if let Some(v) = std::env::var_os(var) {
                saved.push((var, v));
                std::env::remove_var(var);
            }
        }
        EnvIsolation { saved }
    }
}

impl Drop for EnvIsolation {
    fn drop(&mut self) {
        for (var, v) in self.saved.drain(..) {
            std::env::set_var(var, v);
        }
    }
}

/// The exit status of the whole push: the worst of its refs (invalid input
/// and a block both block; the more serious is reported).
pub fn exit_status(outcomes: &[Outcome]) -> ExitStatus {
    outcomes
        .iter()
        .map(Outcome::exit_status)
        .fold(ExitStatus::Pass, ExitStatus::worst)
}

/// The closing lines for the user: what blocked, and how to proceed.
pub fn verdict_text(outcomes: &[Outcome]) -> String {
    let blocked: Vec<&str> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Checked { remote_ref, report, .. } if report.verdict() != Verdict::Pass => {
                Some(remote_ref.as_str())
            }
            Outcome::SameAs {
                remote_ref,
                exit_status,
                ..
            } if *exit_status != ExitStatus::Pass => Some(remote_ref.as_str()),
            _ => None,
        })
        .collect();
    if blocked.is_empty() {
        return String::new();
    }
    format!(
        "push blocked by shipgate: {}\n\
         fix the findings above, or approve a destructive statement with `-- MIGRATION_APPROVED: <reason>`;\n\
         to push without the gate once: SHIPGATE_SKIP=1 git push (or git push --no-verify)\n",
        blocked.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_git_lines() {
        let u = parse(&format!("refs/heads/x {A} refs/heads/x {Z}\n\n")).unwrap();
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].remote_ref, "refs/heads/x");
        assert!(is_zero(&u[0].remote_sha));
    }

    #[test]
    fn refuses_lines_git_never_writes() {
        let e = parse("refs/heads/x abc refs/heads/x\n").unwrap_err();
        assert_eq!(e.exit_status(), ExitStatus::InvalidInput);
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn sha256_repositories_are_understood() {
        let long = "a".repeat(64);
        assert_eq!(
            parse(&format!("HEAD {long} refs/heads/x {}\n", "0".repeat(64)))
                .unwrap()
                .len(),
            1
        );
    }
}
