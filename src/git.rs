//! Git, through the `git` command: the merge base, what a change adds or
//! modifies, and a file as it was at a revision.

use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
    /// Moved from `from` (git's rename detection: mostly the same content).
    Renamed {
        from: String,
    },
}

#[derive(Debug)]
pub enum GitError {
    /// The revision does not exist: a usage error.
    UnknownRevision(String),
    /// git failed or is missing: the gate cannot be evaluated.
    Failed(String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::UnknownRevision(m) | GitError::Failed(m) => f.write_str(m),
        }
    }
}

/// `git -C root args...`, taking no optional locks (a read never blocks a user's git).
fn command(root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(root).args(args).env("GIT_OPTIONAL_LOCKS", "0");
    c
}

fn cannot_run(e: std::io::Error) -> GitError {
    GitError::Failed(format!("cannot run git: {e}"))
}

/// `git -C root args...`: its standard output, or why it failed.
pub fn git(root: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = command(root, args).output().map_err(cannot_run)?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(GitError::Failed(format!("`git {}` failed: {err}", args.join(" "))));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The top of the work tree containing `dir`.
pub fn toplevel(dir: &Path) -> Option<std::path::PathBuf> {
    git(dir, &["rev-parse", "--show-toplevel"])
        .ok()
        .map(|s| s.trim().into())
}

/// The merge base of HEAD with `rev`.
pub fn merge_base(root: &Path, rev: &str) -> Result<String, GitError> {
    match git(
        root,
        &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")],
    ) {
        Err(GitError::Failed(m)) if m.starts_with("cannot run git") => return Err(GitError::Failed(m)),
        Err(_) => {
            let msg = format!("`{rev}` is not a commit of a git repository at {}", root.display());
            return Err(GitError::UnknownRevision(msg));
        }
        Ok(_) => {}
    }
    Ok(git(root, &["merge-base", "HEAD", rev])?.trim().to_string())
}

/// Paths (relative to the repository top) changed since `base`, in the work tree.
pub fn changes_since(root: &Path, base: &str) -> Result<Vec<(Change, String)>, GitError> {
    let mut out = Vec::new();
    let diff = git(
        root,
        &["diff", "--name-status", "--find-renames", "-z", base, "--", "."],
    )?;
    let mut it = diff.split('\0').filter(|s| !s.is_empty());
    while let (Some(status), Some(path)) = (it.next(), it.next()) {
        let change = match status.chars().next() {
            Some('A') => Change::Added,
            Some('D') => Change::Deleted,
            // `R<score>` and `C<score>` name the old path, then the new one.
            Some('R') | Some('C') => {
                let Some(new) = it.next() else { break };
                let change = if status.starts_with('R') {
                    Change::Renamed { from: path.to_string() }
                } else {
                    Change::Added
                };
                out.push((change, new.to_string()));
                continue;
            }
            _ => Change::Modified,
        };
        out.push((change, path.to_string()));
    }
    let untracked = git(root, &["ls-files", "--others", "--exclude-standard", "-z", "--", "."])?;
    out.extend(
        untracked
            .split('\0')
            .filter(|s| !s.is_empty())
            .map(|p| (Change::Added, p.to_string())),
    );
    Ok(out)
}

/// The text of `path` (relative to `root`) at `rev`; `None` when it did not exist there.
pub fn show(root: &Path, rev: &str, path: &str) -> Result<Option<String>, GitError> {
    Ok(Blobs::open(root)?.read(rev, path)?.map(|b| b.text))
}

/// A file's content at a revision, read by [`Blobs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Git's object id: equal ids, equal content.
    pub oid: String,
    pub text: String,
}

/// Files at revisions through one `git cat-file --batch` process, for the
/// loops over history that read hundreds of them (a process each was most
/// of the time of the contract gate's history search).
pub struct Blobs {
    root: std::path::PathBuf,
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Blobs {
    pub fn open(root: &Path) -> Result<Self, GitError> {
        use std::process::Stdio;
        // git writes to stderr only when it stops (say, not a repository):
        // read then, for the message.
        let mut child = command(root, &["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(cannot_run)?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(GitError::Failed("cannot talk to `git cat-file --batch`".into()));
        };
        Ok(Blobs {
            root: root.to_path_buf(),
            child,
            stdin: Some(stdin),
            stdout: std::io::BufReader::new(stdout),
        })
    }

    /// `path` (relative to the root it was opened at) at `rev`; `None` when
    /// it did not exist there or is not a file.
    pub fn read(&mut self, rev: &str, path: &str) -> Result<Option<Blob>, GitError> {
        use std::io::{BufRead, Read, Write};
        // The batch reads one name a line: such a name is read on its own.
        if path.contains(['\n', '\r']) {
            return read_alone(&self.root, rev, path);
        }
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(self.failed("its input is closed".into()));
        };
        if let Err(e) = writeln!(stdin, "{rev}:./{path}").and_then(|()| stdin.flush()) {
            return Err(self.failed(e.to_string()));
        }
        let mut header = String::new();
        match self.stdout.read_line(&mut header) {
            Ok(0) => return Err(self.failed("it ended".into())),
            Err(e) => return Err(self.failed(e.to_string())),
            Ok(_) => {}
        }
        let header = header.trim_end_matches('\n');
        // `<name> missing` or `<name> ambiguous`: no content follows.
        if header.ends_with(" missing") || header.ends_with(" ambiguous") {
            return Ok(None);
        }
        // `<oid> <type> <size>`, then the content and a newline. Anything
        // else leaves the batch out of step: an error, never a missing file.
        let mut words = header.rsplitn(3, ' ');
        let (Some(size), Some(kind), Some(oid)) = (words.next(), words.next(), words.next()) else {
            return Err(self.failed(format!("it answered `{header}`")));
        };
        let Ok(size) = size.parse::<usize>() else {
            return Err(self.failed(format!("it answered `{header}`")));
        };
        let mut content = vec![0; size + 1];
        if let Err(e) = self.stdout.read_exact(&mut content) {
            return Err(self.failed(e.to_string()));
        }
        content.pop();
        if kind != "blob" {
            return Ok(None);
        }
        Ok(Some(Blob {
            oid: oid.to_string(),
            text: String::from_utf8(content).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }))
    }

    /// The error for a batch that failed: `why`, and what git said, if it stopped.
    fn failed(&mut self, why: String) -> GitError {
        use std::io::Read;
        drop(self.stdin.take());
        // A git still running may be blocked writing an answer nobody reads:
        // stop it, so that its stderr ends.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let mut said = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut said);
        }
        let said = said.trim();
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(": {said}")
        };
        GitError::Failed(format!(
            "`git cat-file --batch` in {} failed ({why}){said}",
            self.root.display()
        ))
    }
}

/// A file at a revision in two `git` processes, for a name the batch cannot take.
fn read_alone(root: &Path, rev: &str, path: &str) -> Result<Option<Blob>, GitError> {
    let spec = format!("{rev}:./{path}");
    let Ok(oid) = git(root, &["rev-parse", "--verify", "--quiet", &spec]) else {
        return Ok(None);
    };
    if git(root, &["cat-file", "-t", &spec])?.trim() != "blob" {
        return Ok(None);
    }
    let text = git(root, &["cat-file", "blob", &spec])?;
    Ok(Some(Blob {
        oid: oid.trim().to_string(),
        text,
    }))
}

impl Drop for Blobs {
    fn drop(&mut self) {
        // End of input ends the batch.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// Whether commit `a` is an ancestor of (or is) `b`; false when either is unknown.
pub fn is_ancestor(root: &Path, a: &str, b: &str) -> Result<bool, GitError> {
    let status = command(root, &["merge-base", "--is-ancestor", a, b])
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(cannot_run)?;
    Ok(status.success())
}

/// The repository-relative path prefix of `dir` (empty at the top).
pub fn prefix(dir: &Path) -> Result<String, GitError> {
    Ok(git(dir, &["rev-parse", "--show-prefix"])?.trim().to_string())
}

/// What a rule that reads history says in a shallow clone, where that
/// history is cut: such a rule is never evaluated there, and never passes.
pub const SHALLOW_HINT: &str = "this clone's history is shallow; fetch it in full \
(`fetch-depth: 0` in actions/checkout, or `git fetch --unshallow`)";

/// Whether the repository is a shallow clone.
pub fn is_shallow(root: &Path) -> Result<bool, GitError> {
    Ok(git(root, &["rev-parse", "--is-shallow-repository"])?.trim() == "true")
}

/// The committer time of `rev`, in seconds since the Unix epoch.
pub fn commit_time(root: &Path, rev: &str) -> Result<i64, GitError> {
    let out = git(root, &["show", "-s", "--format=%ct", rev])?;
    out.trim()
        .parse()
        .map_err(|_| GitError::Failed(format!("`git show -s --format=%ct {rev}` gave `{}`", out.trim())))
}

/// The commits that changed `path` up to `rev`, newest first: each hash and
/// committer time (seconds since the Unix epoch).
pub fn path_history(root: &Path, rev: &str, path: &str) -> Result<Vec<(String, i64)>, GitError> {
    let out = git(
        root,
        &["log", "--format=%H %ct", rev, "--", &format!(":(literal){path}")],
    )?;
    Ok(out
        .lines()
        .filter_map(|l| {
            let (hash, time) = l.split_once(' ')?;
            Some((hash.to_string(), time.trim().parse().ok()?))
        })
        .collect())
}

/// The files at `rev` (relative to `root`, below it) that contain one of
/// `needles` (fixed strings, ASCII case ignored), among `paths` when given.
pub fn grep_files(
    root: &Path,
    rev: &str,
    needles: &[String],
    paths: Option<&[String]>,
) -> Result<Vec<String>, GitError> {
    let mut found = Vec::new();
    if needles.is_empty() {
        return Ok(found);
    }
    let mut args: Vec<String> = ["grep", "-z", "-l", "-I", "-i", "-F"].map(String::from).to_vec();
    for n in needles {
        args.extend(["-e".to_string(), n.clone()]);
    }
    args.extend([rev.to_string(), "--".to_string()]);
    let specs: Vec<String> = paths
        .unwrap_or_default()
        .iter()
        .map(|p| format!(":(literal){p}"))
        .collect();
    let chunks: Vec<&[String]> = if paths.is_some() {
        specs.chunks(500).collect()
    } else {
        vec![&[]]
    };
    for chunk in chunks {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend(chunk.iter().map(String::as_str));
        let out = command(root, &a).output().map_err(cannot_run)?;
        // 1: no file matches.
        if !out.status.success() && out.status.code() != Some(1) {
            let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(GitError::Failed(format!("`git grep` at {rev} failed: {err}")));
        }
        let prefix = format!("{rev}:");
        found.extend(
            String::from_utf8_lossy(&out.stdout)
                .split('\0')
                .filter_map(|p| p.strip_prefix(&prefix))
                .map(str::to_string),
        );
    }
    Ok(found)
}

/// The newest tag matching `glob` reachable from HEAD (`git describe`);
/// `None` when there is none.
pub fn latest_tag(root: &Path, glob: &str) -> Result<Option<String>, GitError> {
    let out = command(root, &["describe", "--tags", "--abbrev=0", "--match", glob, "HEAD"])
        .output()
        .map_err(cannot_run)?;
    let tag = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok((out.status.success() && !tag.is_empty()).then_some(tag))
}

#[cfg(test)]
mod history_tests {
    use super::*;

    /// `git args` in `dir`, committing as `t` on 2026-01-03; panics on failure.
    fn run(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@e"])
            .args(args)
            .env("GIT_COMMITTER_DATE", "2026-01-03T00:00:00Z")
            .env("GIT_AUTHOR_DATE", "2026-01-03T00:00:00Z")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn a_fresh_repository_is_not_shallow_and_its_commit_has_the_time_given() {
        let d = tempfile::tempdir().unwrap();
        run(d.path(), &["init", "-q"]);
        run(d.path(), &["commit", "-q", "--allow-empty", "-m", "one"]);
        assert!(!is_shallow(d.path()).unwrap());
        assert_eq!(commit_time(d.path(), "HEAD").unwrap(), 1_767_398_400);
        assert!(commit_time(d.path(), "no-such-rev").is_err());
    }

    #[test]
    fn blobs_read_many_files_through_one_process_and_say_none_for_what_is_not_a_file() {
        let d = tempfile::tempdir().unwrap();
        run(d.path(), &["init", "-q"]);
        std::fs::create_dir(d.path().join("src")).unwrap();
        std::fs::write(d.path().join("src/a.sql"), "SELECT old_field\nFROM members;\n").unwrap();
        std::fs::write(d.path().join("src/latin1.txt"), b"caf\xe9").unwrap();
        std::fs::write(d.path().join("src/new\nline.ts"), "const q = 'x';").unwrap();
        run(d.path(), &["add", "."]);
        run(d.path(), &["commit", "-q", "-m", "one"]);
        std::fs::write(d.path().join("src/a.sql"), "SELECT 1;\n").unwrap();
        run(d.path(), &["commit", "-q", "-am", "two"]);

        let oid = |spec: &str| git(d.path(), &["rev-parse", spec]).unwrap().trim().to_string();
        let mut blobs = Blobs::open(d.path()).unwrap();
        let old = blobs.read("HEAD^", "src/a.sql").unwrap().unwrap();
        assert_eq!(old.text, "SELECT old_field\nFROM members;\n");
        assert_eq!(old.oid, oid("HEAD^:src/a.sql"));
        let latin1 = blobs.read("HEAD", "src/latin1.txt").unwrap().unwrap();
        assert_eq!(latin1.text, "caf\u{fffd}", "not UTF-8: read lossily");
        assert_eq!(blobs.read("HEAD", "src/none.sql").unwrap(), None, "missing");
        assert_eq!(blobs.read("HEAD", "src").unwrap(), None, "a folder");
        assert_eq!(
            blobs.read("no-such-rev", "src/a.sql").unwrap(),
            None,
            "unknown revision"
        );
        // A missing name whose answer looks like `<oid> <type> <size>` from the left.
        assert_eq!(blobs.read("HEAD", "x blob 5").unwrap(), None, "missing, with spaces");
        let odd = blobs.read("HEAD", "src/new\nline.ts").unwrap().unwrap();
        assert_eq!(odd.text, "const q = 'x';", "a name with a newline is read on its own");
        // The batch is still in step after all of that.
        let now = blobs.read("HEAD", "src/a.sql").unwrap().unwrap();
        assert_eq!((now.text.as_str(), now.oid), ("SELECT 1;\n", oid("HEAD:src/a.sql")));
        assert_eq!(show(d.path(), "HEAD^", "src/a.sql").unwrap(), Some(old.text));

        // Outside a repository git stops: an error that says why, not a missing file.
        let elsewhere = tempfile::tempdir().unwrap();
        let err = Blobs::open(elsewhere.path())
            .and_then(|mut b| b.read("HEAD", "a.sql"))
            .expect_err("no repository");
        assert!(err.to_string().contains("not a git repository"), "{err}");
    }
}

/// A commit that the pickaxe search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub commit: String,
    /// Committer time, seconds since the Unix epoch.
    pub time: i64,
    /// The files it changed, relative to `root`.
    pub paths: Vec<String>,
}

/// The commits reachable from `rev`, newest first, committed at or after
/// `since` (seconds since the epoch), whose diff adds or removes a line
/// matching the extended regex `regex` (`git log -G`), below `root` only.
/// `--since` stops the walk at the first older commits, so the search reads
/// only the window.
pub fn pickaxe(root: &Path, rev: &str, regex: &str, since: i64) -> Result<Vec<Touch>, GitError> {
    let g = format!("-G{regex}");
    let since = format!("--since=@{since}");
    let out = git(
        root,
        &[
            "log",
            &g,
            &since,
            "--format=%x01%H %ct",
            "--name-only",
            "--relative",
            "--no-renames",
            rev,
            "--",
            ".",
        ],
    )?;
    let mut touches = Vec::new();
    for block in out.split('\u{1}').filter(|b| !b.trim().is_empty()) {
        let mut lines = block.lines();
        let Some((commit, time)) = lines.next().and_then(|l| l.split_once(' ')) else {
            continue;
        };
        touches.push(Touch {
            commit: commit.to_string(),
            time: time.trim().parse().unwrap_or(0),
            paths: lines.filter(|l| !l.is_empty()).map(str::to_string).collect(),
        });
    }
    Ok(touches)
}
