//! The code search over a whole repository: every file that is code (not
//! a migration, documentation, a changelog, vendored, generated, ignored by
//! git or by `migrations.contract_ignore`), on every core, and only the
//! files that contain one of the names (one literal prefilter) are parsed.

use std::collections::HashSet;
use std::path::Path;

use super::{is_generated, Reference, Scanner, Target};
use crate::walk;

/// Folders that hold no application code of the repository's own: docs,
/// vendored code, and migrations of any framework (Django's and Alembic's
/// `migrations/`, Rails' `db/migrate/`), which name what they drop.
const NOT_CODE_DIRS: &[&str] = &[
    "docs",
    "node_modules",
    "vendor",
    "third_party",
    ".git",
    "migrations",
    "migrate",
];
/// Documentation by extension.
const DOC_EXTENSIONS: &[&str] = &["md", "markdown", "mdx", "rst", "txt", "adoc", "asciidoc"];
/// Changelogs and release notes by name.
const CHANGELOGS: &[&str] = &["changelog", "changes", "history", "news", "releases"];

/// What is not code, besides `.gitignore`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `migrations.contract_ignore`.
    pub ignore: Option<globset::GlobSet>,
    /// The migrations (whatever discovery found).
    pub migration_files: HashSet<String>,
    /// The folders that hold them.
    pub migration_dirs: HashSet<String>,
}

impl Options {
    /// `migrations.contract_ignore` and the migrations discovery found.
    pub fn new(ignore: &[String], migrations: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut set = globset::GlobSetBuilder::new();
        for g in ignore {
            let glob = globset::GlobBuilder::new(g)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("`migrations.contract_ignore`: `{g}` is not a glob: {e}"))?;
            set.add(glob);
        }
        let set = set.build().map_err(|e| format!("`migrations.contract_ignore`: {e}"))?;
        let mut options = Options {
            ignore: (!ignore.is_empty()).then_some(set),
            ..Options::default()
        };
        for m in migrations {
            if let Some((dir, _)) = m.rsplit_once('/') {
                options.migration_dirs.insert(dir.to_string());
            }
            options.migration_files.insert(m);
        }
        Ok(options)
    }

    /// Whether a folder on the way (or a file) may hold code: the walk
    /// does not enter the others.
    fn keeps_dir(&self, rel: &str, name: &str) -> bool {
        !(NOT_CODE_DIRS.contains(&name.to_ascii_lowercase().as_str())
            || self.migration_dirs.contains(rel)
            || self.ignore.as_ref().is_some_and(|g| g.is_match(rel)))
    }

    /// Whether a file, by its name, may be code.
    fn keeps_file(&self, rel: &str, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        let stem = lower.split('.').next().unwrap_or("");
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        !(DOC_EXTENSIONS.contains(&ext)
            || CHANGELOGS.contains(&stem)
            || lower.ends_with(".min.js")
            || self.migration_files.contains(rel))
    }

    /// Whether a file (relative to the root) is code the search reads.
    pub fn is_code(&self, rel: &str) -> bool {
        let mut end = 0;
        let name = rel.rsplit('/').next().unwrap_or(rel);
        self.keeps_file(rel, name)
            && rel.split('/').all(|part| {
                end += part.len();
                let ok = self.keeps_dir(&rel[..end], part);
                end += 1;
                ok
            })
    }
}

/// A literal prefilter over every name a reference could contain.
pub struct Prefilter(Option<regex::bytes::Regex>);

impl Prefilter {
    pub fn new(scanner: &Scanner) -> Prefilter {
        let alternation: Vec<String> = scanner.needles().iter().map(|n| regex::escape(n)).collect();
        // Names are matched in the case written: lower case as PostgreSQL folds them, and camelCase.
        Prefilter(regex::bytes::Regex::new(&alternation.join("|")).ok())
    }

    pub fn may_match(&self, hay: &[u8]) -> bool {
        self.0.as_ref().is_none_or(|re| re.is_match(hay))
    }
}

/// What the search found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Sorted by path, line and column.
    pub references: Vec<Reference>,
    /// Files read.
    pub searched: usize,
    /// Files read that contain one of the names, and were parsed.
    pub parsed: usize,
    /// Files and folders that could not be read.
    pub errors: Vec<String>,
}

/// Searches the code below `root` for references to `targets`.
pub fn scan_tree(root: &Path, targets: &[Target], options: &Options) -> Outcome {
    if targets.is_empty() {
        return Outcome::default();
    }
    let scanner = Scanner::new(targets);
    let prefilter = Prefilter::new(&scanner);
    let keep_options = options.clone();
    let keep = move |rel: &str, name: &str| keep_options.keeps_dir(rel, name);
    let walked = walk::walk(root, keep, &|| (), &|_, file| {
        if !options.keeps_file(&file.rel, file.name) {
            return None;
        }
        let rel = file.rel.clone();
        let hay = file.read()?;
        // A file that is not UTF-8 is not source code the search can read.
        let text = std::str::from_utf8(hay).ok()?;
        // An ORM schema file may name a column without its database name.
        if !prefilter.may_match(hay) && !super::orm::is_schema_file(&rel, text) {
            return None;
        }
        Some(scanner.scan(&rel, text, is_generated(hay)))
    });
    let parsed = walked.found.len();
    let mut references: Vec<Reference> = walked.found.into_iter().flatten().collect();
    references.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Outcome {
        references,
        searched: walked.searched,
        parsed,
        errors: walked.errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_changelogs_migrations_and_ignored_globs_are_not_code() {
        let o = Options::new(&["legacy/**".into()], ["db/migrate/1_a.rb".to_string()]).unwrap();
        for rel in [
            "docs/a.ts",
            "README.md",
            "src/CHANGELOG",
            "web/app.min.js",
            "node_modules/x/a.js",
            "db/migrate/2_b.rb",
            "legacy/old.py",
            "app/migrations/0007_remove_member_old_field.py",
            "db/migrate/20260101_remove_old_field.rb",
        ] {
            assert!(!o.is_code(rel), "{rel}");
        }
        for rel in [
            "src/members.ts",
            "app/models.py",
            "db/schema.rs",
            "src/history/log.ts",
            "news/feed.py",
        ] {
            assert!(o.is_code(rel), "{rel}");
        }
        assert!(Options::new(&["[".into()], Vec::new()).is_err());
    }
}
