//! The git pre-push hook, so a developer's `git push` gets the same verdict
//! as CI: `shipgate hook install` writes the hook, `shipgate hook run
//! pre-push` checks what the push sends. Offline gates only, never the
//! network. The library does not print: the CLI renders what these return.

pub mod install;
pub mod pre_push;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::app::AppError;

/// `shipgate hook ...`
#[derive(clap::Subcommand, Debug)]
pub enum HookCommand {
    /// Install the git pre-push hook (honours core.hooksPath and worktrees).
    Install {
        /// Replace a pre-push hook that shipgate did not write; the old one is kept as `pre-push.shipgate-backup`.
        #[arg(long)]
        force: bool,
        /// A directory inside the repository.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Run a hook; the installed hook calls this with git's arguments and standard input.
    Run {
        #[command(subcommand)]
        hook: HookName,
    },
}

/// The hooks shipgate runs.
#[derive(clap::Subcommand, Debug)]
pub enum HookName {
    /// Check every ref being pushed (`<local ref> <local sha> <remote ref> <remote sha>` lines on standard input).
    PrePush {
        /// The remote's name (its URL when the push names no remote), as git passes it.
        remote: Option<String>,
        /// The remote's URL, as git passes it.
        url: Option<String>,
    },
}

/// `SHIPGATE_SKIP` set to anything but empty, `0` or `false` skips the hook.
pub fn skip_requested() -> bool {
    std::env::var_os("SHIPGATE_SKIP").is_some_and(|v| !matches!(v.to_str(), Some("" | "0" | "false")))
}

/// Runs git in `dir` and returns its standard output. With `isolated`, the
/// repository is found from `dir` alone: git exports `GIT_DIR` to hooks run
/// in a linked worktree, and it must not leak into a temporary worktree.
fn git(dir: &Path, args: &[&str], isolated: bool) -> Result<String, AppError> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args).env("GIT_OPTIONAL_LOCKS", "0");
    if isolated {
        for var in ISOLATE_VARS {
            cmd.env_remove(var);
        }
    }
    let out = cmd
        .output()
        .map_err(|e| AppError::Evaluate(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(AppError::Evaluate(format!("`git {}` failed: {err}", args.join(" "))));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Like [`git`], but a failure is an answer (`None`), not an error.
fn git_ok(dir: &Path, args: &[&str]) -> Option<String> {
    git(dir, args, false).ok().map(|s| s.trim().to_string())
}

/// Variables that tie git to one repository or work tree.
const ISOLATE_VARS: [&str; 4] = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR"];

/// The hooks directory of the repository containing `dir`: honours
/// `core.hooksPath`, and a linked worktree shares its main repository's hooks.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf, AppError> {
    let out = git(dir, &["rev-parse", "--git-path", "hooks"], false).map_err(|e| match e {
        AppError::Evaluate(m) if !m.starts_with("cannot run git") => {
            AppError::Usage(format!("{} is not inside a git repository", dir.display()))
        }
        e => e,
    })?;
    let p = PathBuf::from(out.trim_end_matches(['\n', '\r']));
    Ok(if p.is_absolute() || dir == Path::new(".") {
        p
    } else {
        dir.join(p)
    })
}
