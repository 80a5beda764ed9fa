//! Finds migration files without configuration, by the layouts of the
//! common frameworks, and orders them the way each framework runs them.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;

use super::Execution;
use crate::config::{MigrationsConfig, TransactionMode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    Supabase,
    Prisma,
    Flyway,
    GolangMigrate,
    Sqlx,
    Diesel,
    Dbmate,
    Goose,
    Plain,
}

impl Framework {
    /// How files run under `migrations.transaction`: the framework's way, or
    /// the configured one.
    pub fn execution_under(self, mode: TransactionMode) -> Execution {
        match mode {
            TransactionMode::Auto => self.execution(),
            TransactionMode::Always => Execution::Transaction,
            TransactionMode::Never => Execution::Statements,
        }
    }

    /// Whether the framework runs each file inside a transaction of its own
    /// making (Prisma, Supabase and golang-migrate leave it to PostgreSQL's
    /// implicit transaction, see [`Framework::execution`]).
    pub fn wraps(self) -> bool {
        matches!(self.execution(), Execution::Transaction | Execution::Flyway)
    }

    /// How the framework sends a file to PostgreSQL, before the file's own
    /// directives (`-- +goose NO TRANSACTION`, `-- migrate:up
    /// transaction:false`, `-- no-transaction`) are read. The table, with its
    /// sources, is on the page of `ban-concurrently-in-transaction`.
    pub fn execution(self) -> Execution {
        match self {
            Framework::Flyway => Execution::Flyway,
            Framework::Sqlx | Framework::Diesel | Framework::Dbmate | Framework::Goose => Execution::Transaction,
            Framework::Prisma | Framework::GolangMigrate => Execution::Implicit { bookkeeping: false },
            Framework::Supabase => Execution::Implicit { bookkeeping: true },
            Framework::Plain => Execution::Statements,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Path relative to the repository root, with `/` separators.
    pub rel: String,
    pub abs: PathBuf,
    pub framework: Framework,
    /// Sort key: the version numbers in the file or folder name.
    pub version: Vec<u64>,
    /// Flyway repeatable migrations run after every versioned one.
    pub repeatable: bool,
}

impl Candidate {
    pub fn wrapped(&self, mode: TransactionMode) -> bool {
        self.framework.execution_under(mode).in_transaction(2)
    }

    /// How the file is sent to PostgreSQL under the configured mode.
    pub fn execution(&self, mode: TransactionMode) -> Execution {
        self.framework.execution_under(mode)
    }

    /// The version as text, for `migrations.since`.
    pub fn version_text(&self) -> String {
        self.version.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
    }
}

/// `migrations.since` as the version numbers it is compared by.
pub fn since_key(since: &str) -> Vec<u64> {
    since.split(['.', '_', '-']).filter_map(|n| n.parse().ok()).collect()
}

/// The `migrations.since` that grandfathers every discovered migration and
/// nothing after them: just past the newest version, in the order `since` is
/// compared (version numbers, element by element, a prefix first). A
/// framework's timestamp or sequence number is followed by the next number;
/// any other version (Flyway's and plain files' may grow a `.1`) by itself
/// with `.0` appended. With the newest candidate, or `None`
/// when no migration has a version.
pub fn since_after(candidates: &[Candidate]) -> Option<(String, &Candidate)> {
    let newest = candidates
        .iter()
        .filter(|c| !c.version.is_empty())
        .max_by(|a, b| a.version.cmp(&b.version))?;
    let dotted = matches!(newest.framework, Framework::Flyway | Framework::Plain);
    let since = match newest.version.as_slice() {
        [n] if !dotted && n.checked_add(1).is_some() => (n + 1).to_string(),
        _ => format!("{}.0", newest.version_text()),
    };
    Some((since, newest))
}

struct Layouts {
    flyway: Regex,
    leading_version: Regex,
}

fn layouts() -> &'static Layouts {
    static L: std::sync::OnceLock<Layouts> = std::sync::OnceLock::new();
    L.get_or_init(|| Layouts {
        flyway: Regex::new(r"^(?:[VU](\d+(?:[._]\d+)*)|R)__.+\.sql$").expect("valid regex"),
        leading_version: Regex::new(r"^(\d+(?:[._-]\d+)*)").expect("valid regex"),
    })
}

/// A Flyway undo migration, `U<version>__<description>.sql`: the rollback of `V<version>__*.sql`.
pub fn is_flyway_undo(file: &str) -> bool {
    file.strip_prefix('U')
        .and_then(|r| r.split_once("__"))
        .is_some_and(|(v, _)| {
            !v.is_empty()
                && v.split(['.', '_'])
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        && file.ends_with(".sql")
}

/// The version numbers leading a file or folder name (`20240101_x`, `1.2_x`,
/// Diesel's `2024-01-01-000000_x`).
pub fn version_of(name: &str) -> Vec<u64> {
    layouts()
        .leading_version
        .captures(name)
        .map(|c| c[1].split(['.', '_', '-']).filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default()
}

/// A migration of no known framework: a plain file, versioned by its name.
pub fn plain(rel: &str) -> (Framework, Vec<u64>, bool) {
    (
        Framework::Plain,
        version_of(rel.rsplit('/').next().unwrap_or(rel)),
        false,
    )
}

/// The framework layout one path (relative, `/`-separated) matches, with the
/// migration's version and whether it is repeatable; `None` when it is not a
/// migration.
pub fn match_layout(rel: &str) -> Option<(Framework, Vec<u64>, bool)> {
    let l = layouts();
    let parts: Vec<&str> = rel.split('/').collect();
    let file = *parts.last()?;
    let parent = parts.len().checked_sub(2).map(|i| parts[i]).unwrap_or("");
    let grand = parts.len().checked_sub(3).map(|i| parts[i]).unwrap_or("");
    let great = parts.len().checked_sub(4).map(|i| parts[i]).unwrap_or("");
    if !file.to_ascii_lowercase().ends_with(".sql") {
        return None;
    }
    // Down files and Flyway undo migrations (`U1__x.sql`) are rollbacks (`migration::rollback`).
    if file.ends_with(".down.sql") || file == "down.sql" || is_flyway_undo(file) {
        return None;
    }
    if parent == "migrations" && grand == "supabase" {
        return Some((Framework::Supabase, version_of(file), false));
    }
    if file == "migration.sql" && grand == "migrations" && great == "prisma" {
        return Some((Framework::Prisma, version_of(parent), false));
    }
    if let Some(c) = l.flyway.captures(file) {
        let repeatable = c.get(1).is_none();
        let version = c
            .get(1)
            .map(|m| m.as_str().split(['.', '_']).filter_map(|n| n.parse().ok()).collect())
            .unwrap_or_default();
        return Some((Framework::Flyway, version, repeatable));
    }
    if file == "up.sql" && grand == "migrations" {
        return Some((Framework::Diesel, version_of(parent), false));
    }
    if file.ends_with(".up.sql") {
        return Some((Framework::GolangMigrate, version_of(file), false));
    }
    if parent == "migrations" && grand == "db" {
        return Some((Framework::Dbmate, version_of(file), false));
    }
    if parent == "migrations" && !version_of(file).is_empty() {
        return Some((Framework::Sqlx, version_of(file), false));
    }
    None
}

fn globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

/// Every migration file under `root`, in the order the frameworks run them.
pub fn discover(root: &Path, cfg: &MigrationsConfig) -> Result<Vec<Candidate>, String> {
    let extra = globset(&cfg.paths)?;
    let exclude = globset(&cfg.exclude)?;
    // Reverse scripts (`migrations.rollback.path`) are not migrations.
    let rollbacks = globset(
        &cfg.rollback
            .path
            .iter()
            .map(|p| super::rollback::pattern_glob(p))
            .collect::<Vec<_>>(),
    )?;
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        .require_git(false)
        .filter_entry(|e| {
            !matches!(
                e.file_name().to_str(),
                Some("node_modules" | "target" | ".git" | "vendor")
            )
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => return Err(format!("cannot walk {}: {e}", root.display())),
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let abs = entry.path().to_path_buf();
        let Some(rel) = abs
            .strip_prefix(root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
        else {
            continue;
        };
        if exclude.is_match(&rel) || rollbacks.is_match(&rel) {
            continue;
        }
        let found = if cfg.discover { match_layout(&rel) } else { None };
        let found = found.or_else(|| extra.is_match(&rel).then(|| plain(&rel)));
        if let Some((framework, version, repeatable)) = found {
            // goose has no folder layout of its own: its files say `-- +goose Up`.
            let framework = match framework {
                Framework::Sqlx | Framework::Dbmate | Framework::Plain if !version.is_empty() && is_goose(&abs) => {
                    Framework::Goose
                }
                f => f,
            };
            out.push(Candidate {
                rel,
                abs,
                framework,
                version,
                repeatable,
            });
        }
    }
    sort(&mut out);
    Ok(out)
}

/// Whether the file's first 64 KiB hold goose's `-- +goose Up` marker.
fn is_goose(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    read.is_ok()
        && String::from_utf8_lossy(&head)
            .lines()
            .any(|l| l.trim().to_ascii_lowercase().starts_with("-- +goose up"))
}

/// Framework order: by folder, versioned before repeatable, then version, then name.
pub fn sort(v: &mut [Candidate]) {
    v.sort_by(|a, b| {
        let dir = |c: &Candidate| match c.framework {
            Framework::Prisma | Framework::Diesel => c.rel.rsplitn(3, '/').nth(2).unwrap_or("").to_string(),
            _ => c.rel.rsplit_once('/').map_or(String::new(), |(d, _)| d.to_string()),
        };
        (dir(a), a.repeatable, &a.version, &a.rel).cmp(&(dir(b), b.repeatable, &b.version, &b.rel))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_recognised() {
        let cases = [
            ("supabase/migrations/20240101000000_init.sql", Some(Framework::Supabase)),
            ("prisma/migrations/20240101_init/migration.sql", Some(Framework::Prisma)),
            ("src/main/resources/db/migration/V1_2__add.sql", Some(Framework::Flyway)),
            ("db/migration/R__views.sql", Some(Framework::Flyway)),
            ("migrations/000001_init.up.sql", Some(Framework::GolangMigrate)),
            ("migrations/000001_init.down.sql", None),
            ("db/migration/U1_2__add.sql", None),
            ("migrations/2024-01-01-000000_init/up.sql", Some(Framework::Diesel)),
            ("migrations/2024-01-01-000000_init/down.sql", None),
            ("db/migrations/20240101000000_init.sql", Some(Framework::Dbmate)),
            ("migrations/20240101000000_init.sql", Some(Framework::Sqlx)),
            ("docs/example.sql", None),
        ];
        for (path, want) in cases {
            assert_eq!(match_layout(path).map(|c| c.0), want, "{path}");
        }
    }

    /// The candidate of a path that [`classify`] recognises.
    fn mk(rel: &str) -> Candidate {
        let (framework, version, repeatable) = match_layout(rel).unwrap();
        Candidate {
            rel: rel.into(),
            abs: rel.into(),
            framework,
            version,
            repeatable,
        }
    }

    #[test]
    fn flyway_versions_sort_numerically() {
        let mut v = vec![
            mk("db/R__v.sql"),
            mk("db/V10__b.sql"),
            mk("db/V2__a.sql"),
            mk("db/V2_1__a.sql"),
        ];
        sort(&mut v);
        let names: Vec<_> = v.iter().map(|c| c.rel.as_str()).collect();
        assert_eq!(
            names,
            ["db/V2__a.sql", "db/V2_1__a.sql", "db/V10__b.sql", "db/R__v.sql"]
        );
    }

    /// The `since` that `init` writes grandfathers the newest migration of each
    /// layout and nothing that sorts after it, compared as `select_migrations` does.
    #[test]
    fn since_after_is_just_past_the_newest_for_every_layout() {
        let cases = [
            (
                "supabase/migrations/20240101000000_a.sql",
                "supabase/migrations/20240101000001_b.sql",
                "20240101000001",
            ),
            (
                "prisma/migrations/20240101000000_a/migration.sql",
                "prisma/migrations/20240101000001_b/migration.sql",
                "20240101000001",
            ),
            ("db/migration/V1_2__a.sql", "db/migration/V1_2_1__b.sql", "1.2.0"),
            ("db/migration/V7__a.sql", "db/migration/V7_1__b.sql", "7.0"),
            ("migrations/000005_a.up.sql", "migrations/000006_b.up.sql", "6"),
            (
                "migrations/2024-01-01-000000_a/up.sql",
                "migrations/2024-01-01-000001_b/up.sql",
                "2024.1.1.0.0",
            ),
            (
                "db/migrations/20240101000000_a.sql",
                "db/migrations/20240101000001_b.sql",
                "20240101000001",
            ),
            (
                "migrations/20240101000000_a.sql",
                "migrations/20240101000001_b.sql",
                "20240101000001",
            ),
        ];
        for (old, new, want) in cases {
            let (old, new) = (mk(old), mk(new));
            let (since, newest) = since_after(std::slice::from_ref(&old)).expect(&old.rel);
            assert_eq!(since, want, "{}", old.rel);
            assert_eq!(newest.rel, old.rel);
            let s = since_key(&since);
            assert!(old.version < s, "{} is not grandfathered by {since}", old.rel);
            assert!(new.version >= s, "{} would be grandfathered by {since}", new.rel);
        }
        assert_eq!(since_after(&[]), None);
    }
}
