//! `shipgate hook install`: writes the pre-push hook, never clobbering a
//! hook someone else wrote.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::app::AppError;

/// The line that marks a hook as written by shipgate (re-installing over it is fine).
pub const MARKER: &str = "# shipgate-hook: pre-push";

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// There was no pre-push hook.
    Created(PathBuf),
    /// shipgate's own hook was rewritten (a newer version or another binary path).
    Updated(PathBuf),
    /// shipgate's hook was already there, byte for byte.
    Unchanged(PathBuf),
    /// A foreign hook was moved to `backup` (only with `--force`).
    Replaced { path: PathBuf, backup: PathBuf },
}

impl Installed {
    /// The path of the hook.
    pub fn path(&self) -> &Path {
        match self {
            Installed::Created(p) | Installed::Updated(p) | Installed::Unchanged(p) => p,
            Installed::Replaced { path, .. } => path,
        }
    }

    /// One line for the user, or two when a backup was made.
    pub fn describe(&self) -> String {
        let how = "it runs `shipgate hook run pre-push` on every push; skip once with SHIPGATE_SKIP=1 git push, or git push --no-verify";
        match self {
            Installed::Created(p) => format!("installed {} ({how})", p.display()),
            Installed::Updated(p) => format!("updated {} ({how})", p.display()),
            Installed::Unchanged(p) => format!("already installed: {} ({how})", p.display()),
            Installed::Replaced { path, backup } => format!(
                "installed {} ({how})\nthe previous hook is kept as {}",
                path.display(),
                backup.display()
            ),
        }
    }
}

/// The hook script. It prefers `shipgate` on PATH (so an upgrade takes
/// effect everywhere) and falls back to `exe`, the binary that installed it,
/// for tools that run git with a reduced PATH (IDEs, GUI clients).
pub fn script(exe: Option<&Path>) -> String {
    let fallback = exe
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| "shipgate".to_string());
    format!(
        r#"#!/bin/sh
{MARKER}
# Runs shipgate's offline release gates on what `git push` sends, and blocks
# the push when a gate is blocked. Written by `shipgate hook install`; run it
# again to update this file. Skip once: SHIPGATE_SKIP=1 git push (or
# git push --no-verify).
case "${{SHIPGATE_SKIP:-}}" in
    ''|0|false) ;;
    *) echo "shipgate: pre-push gate skipped (SHIPGATE_SKIP is set)" >&2; exit 0 ;;
esac
if command -v shipgate >/dev/null 2>&1; then
    exec shipgate hook run pre-push "$@"
fi
shipgate_installed={fallback}
if [ -x "$shipgate_installed" ]; then
    exec "$shipgate_installed" hook run pre-push "$@"
fi
echo "shipgate: the pre-push hook cannot find shipgate: it is not on PATH and not at $shipgate_installed" >&2
echo "shipgate: install it and run 'shipgate hook install' again; to push without the gate: SHIPGATE_SKIP=1 git push" >&2
exit 3
"#,
        fallback = sh_quote(&fallback)
    )
}

/// Quotes `s` for a POSIX shell: one single-quoted word.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Installs the pre-push hook for the repository containing `dir`.
pub fn install(dir: &Path, force: bool, exe: Option<&Path>) -> Result<Installed, AppError> {
    let hooks = super::hooks_dir(dir)?;
    std::fs::create_dir_all(&hooks)
        .map_err(|e| AppError::Evaluate(format!("cannot create {}: {e}", hooks.display())))?;
    let path = hooks.join("pre-push");
    let text = script(exe);
    let existing = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(AppError::Evaluate(format!("cannot read {}: {e}", path.display()))),
        // A dangling symlink or an unreadable file is someone else's hook.
        Ok(_) => Some(std::fs::read(&path).unwrap_or_default()),
    };
    let Some(existing) = existing else {
        write_hook(&path, &text)?;
        return Ok(Installed::Created(path));
    };
    if is_ours(&existing) {
        if existing == text.as_bytes() && is_executable(&path) {
            return Ok(Installed::Unchanged(path));
        }
        write_hook(&path, &text)?;
        return Ok(Installed::Updated(path));
    }
    if !force {
        return Err(AppError::Usage(format!(
            "{} exists and was not written by shipgate; it was left alone.\n\
             Run `shipgate hook install --force` to replace it (it is kept as a backup next to it), \
             or call `shipgate hook run pre-push \"$@\"` from it, passing its standard input on.",
            path.display()
        )));
    }
    let backup = free_backup_name(&path)?;
    std::fs::rename(&path, &backup)
        .map_err(|e| AppError::Evaluate(format!("cannot move {} to {}: {e}", path.display(), backup.display())))?;
    write_hook(&path, &text)?;
    Ok(Installed::Replaced { path, backup })
}

/// Whether a hook file was written by shipgate.
pub fn is_ours(text: &[u8]) -> bool {
    String::from_utf8_lossy(text).lines().any(|l| l.trim_end() == MARKER)
}

/// `pre-push.shipgate-backup`, else `.1`, `.2`, ...: the first name not taken.
fn free_backup_name(path: &Path) -> Result<PathBuf, AppError> {
    let base = format!("{}.shipgate-backup", path.display());
    for n in 0..10_000u32 {
        let candidate = if n == 0 {
            PathBuf::from(&base)
        } else {
            PathBuf::from(format!("{base}.{n}"))
        };
        // symlink_metadata: a dangling symlink still takes the name.
        if std::fs::symlink_metadata(&candidate).is_err() {
            return Ok(candidate);
        }
    }
    Err(AppError::Evaluate(format!(
        "too many backups next to {}; remove some",
        path.display()
    )))
}

/// Writes the hook through a temporary file and a rename, so a half-written
/// hook never runs, and makes it executable.
fn write_hook(path: &Path, text: &str) -> Result<(), AppError> {
    let tmp = path.with_file_name("pre-push.shipgate-tmp");
    let fail = |e: std::io::Error| AppError::Evaluate(format!("cannot write {}: {e}", path.display()));
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o755);
    }
    let mut f = opts.open(&tmp).map_err(fail)?;
    f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(fail)?;
    drop(f);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(fail)?;
    }
    // rename replaces a symlink itself, never the file it points to.
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes_and_dollars() {
        assert_eq!(sh_quote("/a b/it's $x"), r"'/a b/it'\''s $x'");
    }

    #[test]
    fn the_script_is_recognised_as_ours() {
        assert!(is_ours(script(Some(Path::new("/usr/bin/shipgate"))).as_bytes()));
        assert!(!is_ours(b"#!/bin/sh\nexec lefthook run pre-push \"$@\"\n"));
    }

    #[test]
    fn the_script_names_the_installing_binary() {
        let s = script(Some(Path::new("/opt/it's/shipgate")));
        assert!(s.contains(r"shipgate_installed='/opt/it'\''s/shipgate'"), "{s}");
    }
}
