//! The pre-push hook end to end: a repository and a bare remote, the hook
//! installed with `shipgate hook install`, and real `git push`es.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ZERO: &str = "0000000000000000000000000000000000000000";
const CREATE: &str = "CREATE TABLE members (id bigint PRIMARY KEY, email text NOT NULL, old_field text);\n";
const DROP_FILE: &str = "supabase/migrations/20250301000000_drop_old_field.sql";
const DROP: &str = "ALTER TABLE members DROP COLUMN old_field;\n";
const DROP_APPROVED: &str =
    "ALTER TABLE members DROP COLUMN old_field; -- MIGRATION_APPROVED: copied into email by 20250201, unused since 4.2\n";

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_shipgate"))
}

/// Where git lives, without the directory of the shipgate under test.
fn base_path() -> String {
    let mut dirs = vec![];
    if let Ok(out) = Command::new("sh").args(["-c", "command -v git"]).output() {
        let git = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if let Some(d) = Path::new(&git).parent() {
            dirs.push(d.display().to_string());
        }
    }
    dirs.extend(["/usr/local/bin".to_string(), "/usr/bin".into(), "/bin".into()]);
    dirs.join(":")
}

struct Repo {
    _tmp: tempfile::TempDir,
    work: PathBuf,
    remote: PathBuf,
    home: PathBuf,
    /// PATH for git and the hook; shipgate's directory first unless removed.
    path: String,
}

impl Repo {
    /// A work repository with one migration on `main`, pushed to a bare
    /// remote before any hook exists.
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Dev\n\temail = dev@example.com\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        let bin_dir = bin().parent().unwrap().display().to_string();
        let repo = Repo {
            work: tmp.path().join("work"),
            remote: tmp.path().join("remote.git"),
            home,
            path: format!("{bin_dir}:{}", base_path()),
            _tmp: tmp,
        };
        repo.run_git(
            repo.home.as_path(),
            &["init", "--quiet", "--bare", &repo.remote.display().to_string()],
        );
        repo.run_git(
            repo.home.as_path(),
            &["init", "--quiet", &repo.work.display().to_string()],
        );
        repo.write("supabase/migrations/20250101000000_create_members.sql", CREATE);
        repo.write("README.md", "# app\n");
        repo.commit("create members");
        repo.git_ok(&["remote", "add", "origin", &repo.remote.display().to_string()]);
        repo.git_ok(&["push", "--quiet", "origin", "main"]);
        repo
    }

    fn cmd(&self, program: &Path, dir: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(dir)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LANG", "C")
            .env("NO_COLOR", "1");
        c
    }

    fn run_git(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd(Path::new("git"), dir).args(args).output().unwrap()
    }

    fn git(&self, args: &[&str]) -> Output {
        self.run_git(&self.work, args)
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn shipgate(&self, args: &[&str]) -> Output {
        self.cmd(bin(), &self.work).args(args).output().unwrap()
    }

    fn write(&self, rel: &str, body: &str) {
        let p = self.work.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }

    fn commit(&self, msg: &str) {
        self.git_ok(&["add", "-A"]);
        self.git_ok(&["commit", "--quiet", "-m", msg]);
    }

    fn push(&self, args: &[&str]) -> Output {
        let mut a = vec!["push", "--porcelain"];
        a.extend_from_slice(args);
        self.git(&a)
    }

    fn remote_has(&self, branch: &str) -> bool {
        self.run_git(
            &self.remote,
            &["rev-parse", "--verify", "--quiet", &format!("refs/heads/{branch}")],
        )
        .status
        .success()
    }

    fn install(&self) {
        let out = self.shipgate(&["hook", "install"]);
        assert!(out.status.success(), "{}", text(&out));
    }

    fn hook_path(&self) -> PathBuf {
        self.work.join(".git/hooks/pre-push")
    }

    fn worktrees(&self) -> usize {
        self.git_ok(&["worktree", "list", "--porcelain"])
            .lines()
            .filter(|l| l.starts_with("worktree "))
            .count()
    }
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_unapproved_drop_column_is_refused_and_the_approved_one_goes_through() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");

    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "the push went through: {}", text(&out));
    let err = stderr(&out);
    // The finding, readable, with the file and the statement.
    assert!(err.contains("ban-drop-column"), "{err}");
    assert!(err.contains("Dropping column `members.old_field`"), "{err}");
    assert!(err.contains(DROP_FILE), "{err}");
    assert!(err.contains("push blocked by shipgate: refs/heads/contract"), "{err}");
    assert!(err.contains("SHIPGATE_SKIP=1 git push"), "{err}");
    assert!(err.contains("against the merge base with origin/main"), "{err}");
    assert!(!r.remote_has("contract"), "the remote got the branch");

    r.write(DROP_FILE, DROP_APPROVED);
    r.commit("approve the drop");
    let out = r.push(&["origin", "contract"]);
    assert!(out.status.success(), "the approved drop was refused: {}", text(&out));
    assert!(r.remote_has("contract"));
    // Approved findings are still shown: the audit trail.
    assert!(stderr(&out).contains("approved"), "{}", text(&out));
    println!("{}", stderr(&out));
}

#[test]
fn a_branch_without_migrations_passes_quickly() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "docs"]);
    r.write("README.md", "# app\n\nHow to run it.\n");
    r.write("docs/usage.md", "Run it.\n");
    r.commit("docs");
    let sha = r.git_ok(&["rev-parse", "HEAD"]);

    // Hook time: the installed hook as git runs it (work tree root, remote
    // name and URL as arguments, the ref line on stdin), best of 5.
    let line = format!("refs/heads/docs {sha} refs/heads/docs {ZERO}\n");
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut child = r
            .cmd(&r.hook_path(), &r.work)
            .args(["origin", &r.remote.display().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(line.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        times.push(start.elapsed());
        assert!(out.status.success(), "{}", text(&out));
    }
    times.sort();

    let start = Instant::now();
    let out = r.push(&["origin", "docs"]);
    let push_time = start.elapsed();
    assert!(out.status.success(), "{}", text(&out));
    assert!(r.remote_has("docs"));
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "benchmark: pre-push hook on a branch without migrations: {:.1} ms (best of 5; median {:.1} ms; {} build of shipgate); whole `git push` to a local remote: {:.1} ms",
        ms(times[0]),
        ms(times[2]),
        if cfg!(debug_assertions) { "debug" } else { "release" },
        ms(push_time)
    );
}

#[test]
fn the_pushed_commit_is_checked_not_the_work_tree() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");
    // The fix is in the work tree but not committed: the push still sends the unapproved drop.
    r.write(DROP_FILE, DROP_APPROVED);
    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("ban-drop-column"), "{}", text(&out));
    assert_eq!(r.worktrees(), 1, "the temporary worktree was left behind");

    // Committed approval, and an unrelated untracked unapproved migration in the tree: passes.
    r.commit("approve the drop");
    r.write("supabase/migrations/20250401000000_wip.sql", "DROP TABLE members;\n");
    let out = r.push(&["origin", "contract"]);
    assert!(out.status.success(), "the untracked file was checked: {}", text(&out));
    assert_eq!(r.worktrees(), 1);
}

#[test]
fn a_ref_that_is_not_checked_out_is_checked_in_a_temporary_worktree() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");
    r.git_ok(&["switch", "--quiet", "main"]);
    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("ban-drop-column"), "{}", text(&out));
    assert_eq!(r.worktrees(), 1, "the temporary worktree was left behind");

    // Pushing main (no new migration) alongside passes for main; the push as a whole is blocked.
    r.write("README.md", "# app v2\n");
    r.commit("readme");
    let out = r.push(&["origin", "main", "contract"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("push blocked by shipgate: refs/heads/contract"), "{err}");
    assert!(!err.contains("blocked by shipgate: refs/heads/main"), "{err}");
}

#[test]
fn an_existing_branch_is_checked_against_what_the_remote_has() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP_APPROVED);
    r.commit("approved drop");
    assert!(r.push(&["origin", "contract"]).status.success());
    // A later push of the same branch only judges what it adds.
    r.write(
        "supabase/migrations/20250401000000_drop_members.sql",
        "DROP TABLE members;\n",
    );
    r.commit("drop members");
    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("ban-drop-table"), "{err}");
    assert!(err.contains("against the remote's refs/heads/contract"), "{err}");
}

#[test]
fn shipgate_skip_and_no_verify_skip_the_gate_and_deletions_are_not_checked() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");

    let out = r
        .cmd(Path::new("git"), &r.work)
        .args(["push", "origin", "contract"])
        .env("SHIPGATE_SKIP", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        stderr(&out).contains("skipped (SHIPGATE_SKIP is set)"),
        "{}",
        text(&out)
    );

    r.git_ok(&["switch", "--quiet", "-c", "contract2"]);
    let out = r.push(&["--no-verify", "origin", "contract2"]);
    assert!(out.status.success(), "{}", text(&out));

    // Deleting a branch sends nothing to check.
    let out = r.push(&["origin", "--delete", "contract2"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("deleted; nothing to check"), "{}", text(&out));
    assert!(!r.remote_has("contract2"));
}

#[test]
fn the_hook_finds_shipgate_by_its_installed_path_when_it_is_not_on_path() {
    let mut r = Repo::new();
    r.install();
    r.path = base_path();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");
    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("ban-drop-column"), "{}", text(&out));

    // And when the binary is gone, the push is blocked with a way out, not waved through.
    let hook = std::fs::read_to_string(r.hook_path()).unwrap();
    std::fs::write(
        r.hook_path(),
        hook.replace(bin().to_str().unwrap(), "/nonexistent/shipgate"),
    )
    .unwrap();
    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("cannot find shipgate"), "{}", text(&out));
}

#[test]
fn a_new_branch_with_no_remote_default_is_checked_from_the_root() {
    let r = Repo::new();
    r.install();
    // Another remote, empty, with no default branch: every migration is new.
    let other = r.remote.with_file_name("other.git");
    r.run_git(&r.home, &["init", "--quiet", "--bare", &other.display().to_string()]);
    r.git_ok(&["remote", "add", "other", &other.display().to_string()]);
    r.git_ok(&["update-ref", "-d", "refs/remotes/origin/main"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");
    let out = r.push(&["other", "main"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("against the root"), "{err}");
    assert!(err.contains("ban-drop-column"), "{err}");
}

#[test]
fn install_never_overwrites_a_foreign_hook_without_force_and_keeps_numbered_backups() {
    let r = Repo::new();
    let hook = r.hook_path();
    let foreign = "#!/bin/sh\necho other tool\n";
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, foreign).unwrap();

    let out = r.shipgate(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stderr(&out).contains("was not written by shipgate"), "{}", text(&out));
    assert!(stderr(&out).contains("--force"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    let out = r.shipgate(&["hook", "install", "--force"]);
    assert!(out.status.success(), "{}", text(&out));
    let backup = hook.with_file_name("pre-push.shipgate-backup");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), foreign);
    assert!(stderr(&out).contains("pre-push.shipgate-backup"), "{}", text(&out));
    let ours = std::fs::read_to_string(&hook).unwrap();
    assert!(ours.contains("shipgate hook run pre-push \"$@\""), "{ours}");

    // Re-installing over our own hook is fine, and changes nothing.
    let out = r.shipgate(&["hook", "install"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("already installed"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), ours);

    // A second foreign hook, forced: the first backup is kept, the new one numbered.
    let foreign2 = "#!/bin/sh\necho another tool\n";
    std::fs::write(&hook, foreign2).unwrap();
    let out = r.shipgate(&["hook", "install", "--force"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), foreign);
    assert_eq!(
        std::fs::read_to_string(hook.with_file_name("pre-push.shipgate-backup.1")).unwrap(),
        foreign2
    );
    use std::os::unix::fs::PermissionsExt;
    assert_ne!(std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111, 0);
}

#[test]
fn install_honours_core_hooks_path_and_linked_worktrees() {
    let r = Repo::new();
    r.git_ok(&["config", "core.hooksPath", "tools/githooks"]);
    std::fs::create_dir_all(r.work.join("sub")).unwrap();
    let out = r
        .cmd(bin(), &r.work.join("sub"))
        .args(["hook", "install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(r.work.join("tools/githooks/pre-push").is_file());
    assert!(!r.hook_path().exists());
    r.git_ok(&["config", "--unset", "core.hooksPath"]);

    // From a linked worktree, the hook lands in the shared hooks directory.
    let wt = r.work.with_file_name("wt");
    r.git_ok(&["worktree", "add", "--quiet", "-b", "feature", &wt.display().to_string()]);
    let out = r.cmd(bin(), &wt).args(["hook", "install"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(r.hook_path().is_file(), "{}", text(&out));

    // And a push from that worktree is gated (git exports GIT_DIR to the hook there).
    let wgit = |args: &[&str]| r.cmd(Path::new("git"), &wt).args(args).output().unwrap();
    std::fs::create_dir_all(wt.join("supabase/migrations")).unwrap();
    std::fs::write(wt.join(DROP_FILE), DROP).unwrap();
    assert!(wgit(&["add", "-A"]).status.success());
    assert!(wgit(&["commit", "--quiet", "-m", "drop"]).status.success());
    // Dirty the worktree so the check runs in a temporary worktree of its own.
    std::fs::write(wt.join("notes.txt"), "wip\n").unwrap();
    let out = wgit(&["push", "origin", "feature"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(stderr(&out).contains("ban-drop-column"), "{}", text(&out));
    assert_eq!(r.worktrees(), 2, "the temporary worktree was left behind");
}

#[test]
fn outside_a_repository_install_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["hook", "install"])
        .current_dir(tmp.path())
        .env("GIT_CEILING_DIRECTORIES", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("is not inside a git repository"),
        "{}",
        text(&out)
    );
}

#[test]
fn malformed_hook_input_is_a_usage_error() {
    let r = Repo::new();
    let mut child = r
        .cmd(bin(), &r.work)
        .args(["hook", "run", "pre-push", "origin", "x"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"garbage\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stderr(&out).contains("expected `<local ref> <local sha> <remote ref> <remote sha>`"));
}

#[test]
fn one_commit_pushed_to_two_refs_is_checked_once() {
    let r = Repo::new();
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP);
    r.commit("drop old_field");
    let out = r.push(&["origin", "contract", "contract:contract-copy"]);
    assert!(!out.status.success(), "{}", text(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("Dropping column `members.old_field`").count(), 1, "{err}");
    assert!(err.contains("the same commit as refs/heads/"), "{err}");
    assert!(
        err.contains("push blocked by shipgate: refs/heads/contract, refs/heads/contract-copy")
            || err.contains("push blocked by shipgate: refs/heads/contract-copy, refs/heads/contract"),
        "{err}"
    );
}

#[test]
fn a_drop_that_the_pushed_code_still_reads_is_refused_even_when_approved() {
    let r = Repo::new();
    r.write(
        "src/members.ts",
        "export const q = `SELECT id, old_field FROM members`;\n",
    );
    r.commit("read old_field");
    r.git_ok(&["push", "--quiet", "origin", "main"]);
    r.install();
    r.git_ok(&["switch", "--quiet", "-c", "contract"]);
    r.write(DROP_FILE, DROP_APPROVED);
    r.commit("drop old_field");
    let out = r.push(&["origin", "contract"]);
    assert!(!out.status.success(), "the push went through: {}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("contract-still-referenced"), "{err}");
    assert!(err.contains("src/members.ts:1"), "{err}");
    assert!(!r.remote_has("contract"));
}
