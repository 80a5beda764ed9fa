//! Where a migration's rollback is: the frameworks' own down files
//! (golang-migrate and sqlx `<v>_<name>.down.sql`, Diesel `down.sql`, Flyway
//! undo `U<v>__<name>.sql`), the
//! down section of the file itself (dbmate `-- migrate:down`, goose
//! `-- +goose Down`), else `migrations.rollback.path`.

use std::path::{Path, PathBuf};

use super::discover::Framework;
use super::lex::SkipKind;
use super::{Execution, MigrationFile};
use crate::config::rollback::RollbackConfig;
use crate::config::SqlDialect;

/// A migration's rollback, found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rollback {
    /// A file of its own; `rel` is relative to the repository root.
    File { rel: String, abs: PathBuf },
    /// The down section of the migration file itself.
    Section,
}

impl Rollback {
    /// Where it is, for messages: the down file, or `<migration> (down section)`.
    pub fn describe(&self, migration: &str) -> String {
        match self {
            Rollback::File { rel, .. } => rel.clone(),
            Rollback::Section => format!("{migration} (down section)"),
        }
    }

    /// The rollback as a migration file to run. A down section keeps the
    /// migration's path and its line numbers: the rest of the file is blanked.
    pub fn load(&self, migration: &MigrationFile, dialect: SqlDialect) -> Result<MigrationFile, String> {
        let execution: Execution = migration.execution;
        match self {
            Rollback::File { rel, abs } => {
                let bytes = std::fs::read(abs).map_err(|e| format!("cannot read {}: {e}", abs.display()))?;
                let text = super::sql_text(&bytes)?.to_string();
                Ok(MigrationFile::parse(rel.clone(), text, dialect, execution))
            }
            Rollback::Section => Ok(MigrationFile::parse(
                migration.path.clone(),
                down_source(migration),
                dialect,
                execution,
            )),
        }
    }
}

/// The rollback of the migration at `rel` (relative to `root`, `/`-separated).
pub fn find(root: &Path, rel: &str, file: &MigrationFile, cfg: &RollbackConfig) -> Option<Rollback> {
    if let Some(down) = beside(rel).filter(|d| has_statements(&root.join(d))) {
        return Some(Rollback::File {
            abs: root.join(&down),
            rel: down,
        });
    }
    if let Some(undo) = flyway_undo(root, rel) {
        return Some(Rollback::File {
            abs: root.join(&undo),
            rel: undo,
        });
    }
    if has_down_section(file) {
        return Some(Rollback::Section);
    }
    let down = cfg.path.as_deref().map(|p| from_pattern(p, rel))?;
    has_statements(&root.join(&down)).then(|| Rollback::File {
        abs: root.join(&down),
        rel: down,
    })
}

/// Flyway's undo migration of `V<version>__*.sql`: `U<version>__*.sql` in the same folder.
fn flyway_undo(root: &Path, rel: &str) -> Option<String> {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let version = name.strip_prefix('V')?.split_once("__")?.0;
    let prefix = format!("U{version}__");
    let mut undo: Vec<String> = std::fs::read_dir(root.join(dir))
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&prefix) && n.ends_with(".sql"))
        .map(|n| if dir.is_empty() { n } else { format!("{dir}/{n}") })
        .filter(|r| has_statements(&root.join(r)))
        .collect();
    undo.sort();
    undo.into_iter().next()
}

/// Where the rollback of the migration at `rel` would be found, for a help line.
pub fn expected(rel: &str, framework: Framework, cfg: &RollbackConfig) -> String {
    if let Some(down) = beside(rel) {
        return format!("`{down}`");
    }
    match (framework, &cfg.path) {
        (Framework::Flyway, _) if !version_and_name(rel).0.is_empty() => {
            let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
            let undo = format!("U{}", name.strip_prefix('V').unwrap_or(name));
            format!(
                "`{}` (a Flyway undo migration)",
                if dir.is_empty() { undo } else { format!("{dir}/{undo}") }
            )
        }
        (Framework::Dbmate, _) => "a `-- migrate:down` section at the end of the file".into(),
        (Framework::Goose, _) => "a `-- +goose Down` section at the end of the file".into(),
        (_, Some(p)) => format!("`{}` (`migrations.rollback.path`)", from_pattern(p, rel)),
        (_, None) => {
            "a reverse script named by `migrations.rollback.path` (e.g. `rollbacks/{version}_{name}.sql`)".into()
        }
    }
}

/// The framework down file beside a migration: `x.up.sql` → `x.down.sql`, `up.sql` → `down.sql`.
pub fn beside(rel: &str) -> Option<String> {
    let (dir, name) = rel.rsplit_once('/').map_or(("", rel), |(d, n)| (d, n));
    let down = if name == "up.sql" {
        "down.sql".to_string()
    } else {
        format!("{}.down.sql", name.strip_suffix(".up.sql")?)
    };
    Some(if dir.is_empty() { down } else { format!("{dir}/{down}") })
}

/// A file that exists and holds a statement (one that cannot be read counts:
/// reading it later reports why).
fn has_statements(path: &Path) -> bool {
    match std::fs::read(path) {
        Ok(bytes) => match super::sql_text(&bytes) {
            Ok(text) => !super::lex::lex(text).statements.is_empty(),
            Err(_) => true,
        },
        Err(_) => path.is_file(),
    }
}

/// Whether the file has a down section with at least one statement in it.
pub fn has_down_section(file: &MigrationFile) -> bool {
    file.lexed.skipped.iter().any(|s| s.what == SkipKind::DownSection)
        && !super::lex::lex(&down_source(file)).statements.is_empty()
}

/// The file with everything but its down sections blanked (spaces, newlines
/// kept), the down markers too: offsets, lines and columns stay the file's.
pub fn down_source(file: &MigrationFile) -> String {
    let src = file.src.as_bytes();
    let mut keep = vec![false; src.len()];
    for s in file.lexed.skipped.iter().filter(|s| s.what == SkipKind::DownSection) {
        // The section starts at its marker comment: leave that line out.
        let body = src[s.span.clone()]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(s.span.end, |nl| s.span.start + nl);
        keep[body..s.span.end].iter_mut().for_each(|k| *k = true);
    }
    let bytes: Vec<u8> = src
        .iter()
        .zip(&keep)
        .map(|(&c, &k)| if k || c == b'\n' { c } else { b' ' })
        .collect();
    // Whole characters are kept or blanked byte by byte: still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// `{version}` and `{name}` of a migration path: from the file name, or the
/// folder of `up.sql` / `migration.sql`. `V1_2__add_x.sql` → (`1_2`, `add_x`),
/// `000001_init.up.sql` → (`000001`, `init`).
pub fn version_and_name(rel: &str) -> (String, String) {
    let mut parts = rel.rsplit('/');
    let file = parts.next().unwrap_or(rel);
    let base = match file {
        "up.sql" | "migration.sql" => parts.next().unwrap_or(file),
        _ => file
            .strip_suffix(".up.sql")
            .or_else(|| file.strip_suffix(".sql"))
            .or_else(|| file.strip_suffix(".SQL"))
            .unwrap_or(file),
    };
    if let Some((v, name)) = base.strip_prefix(['V', 'U']).and_then(|r| r.split_once("__")) {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            return (v.to_string(), name.to_string());
        }
    }
    let digits = base
        .char_indices()
        .take_while(|(i, c)| c.is_ascii_digit() || (*i > 0 && matches!(c, '.' | '_' | '-') && next_is_digit(base, *i)))
        .count();
    let (v, rest) = base.split_at(digits);
    (v.to_string(), rest.trim_start_matches(['_', '-', '.']).to_string())
}

fn next_is_digit(s: &str, i: usize) -> bool {
    s[i + 1..].starts_with(|c: char| c.is_ascii_digit())
}

/// `migrations.rollback.path` filled in for the migration at `rel`.
pub fn from_pattern(pattern: &str, rel: &str) -> String {
    let (version, name) = version_and_name(rel);
    pattern.replace("{version}", &version).replace("{name}", &name)
}

/// `migrations.rollback.path` as a glob, so that discovery does not take
/// reverse scripts for migrations.
pub fn pattern_glob(pattern: &str) -> String {
    pattern.replace("{version}", "*").replace("{name}", "*")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(path: &str, sql: &str) -> MigrationFile {
        MigrationFile::parse(path, sql.to_string(), SqlDialect::Postgres, true)
    }

    #[test]
    fn framework_down_files_sit_beside_the_up_file() {
        assert_eq!(
            beside("migrations/000001_init.up.sql").as_deref(),
            Some("migrations/000001_init.down.sql")
        );
        assert_eq!(beside("20240101_x.up.sql").as_deref(), Some("20240101_x.down.sql"));
        assert_eq!(
            beside("migrations/2024-01-01-000000_init/up.sql").as_deref(),
            Some("migrations/2024-01-01-000000_init/down.sql")
        );
        assert_eq!(beside("db/migrations/20240101_x.sql"), None);
    }

    #[test]
    fn versions_and_names_come_from_the_framework_names() {
        let cases = [
            ("migrations/000001_init.up.sql", "000001", "init"),
            ("db/migrations/20240101000000_add_x.sql", "20240101000000", "add_x"),
            ("migrations/2024-01-01-000000_init/up.sql", "2024-01-01-000000", "init"),
            ("db/migration/V1_2__add_x.sql", "1_2", "add_x"),
            ("prisma/migrations/20240101_init/migration.sql", "20240101", "init"),
            ("sql/1.2-seed.sql", "1.2", "seed"),
            ("sql/cleanup.sql", "", "cleanup"),
        ];
        for (rel, v, n) in cases {
            assert_eq!(version_and_name(rel), (v.to_string(), n.to_string()), "{rel}");
        }
        assert_eq!(
            from_pattern(
                "rollbacks/{version}_{name}.sql",
                "db/migrations/20240101000000_add_x.sql"
            ),
            "rollbacks/20240101000000_add_x.sql"
        );
    }

    #[test]
    fn a_down_section_is_its_own_sql_at_the_same_lines() {
        for src in [
            "-- migrate:up\nCREATE TABLE a(id int);\n\n-- migrate:down\nDROP TABLE a;\n",
            "-- +goose Up\nCREATE TABLE a(id int);\n\n-- +goose Down\nDROP TABLE a;\n",
        ] {
            let f = parse("db/migrations/1_a.sql", src);
            // The up part alone is linted.
            assert_eq!(f.statements.len(), 1, "{src}");
            assert!(has_down_section(&f));
            let down = Rollback::Section.load(&f, SqlDialect::Postgres).unwrap();
            assert_eq!(down.statements.len(), 1);
            assert_eq!(&down.src[down.statements[0].span.clone()], "DROP TABLE a;");
            assert_eq!(down.location(&down.statements[0].span).line, 5);
            assert_eq!(down.src.len(), f.src.len());
        }
        let empty = parse(
            "db/migrations/1_a.sql",
            "-- migrate:up\nCREATE TABLE a(id int);\n-- migrate:down\n",
        );
        assert!(!has_down_section(&empty));
        let none = parse("db/migrations/1_a.sql", "CREATE TABLE a(id int);\n");
        assert!(!has_down_section(&none));
    }

    #[test]
    fn each_framework_finds_its_rollback() {
        let dir = std::env::temp_dir().join(format!("shipgate-rollback-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |rel: &str, text: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("migrations/000001_a.up.sql", "CREATE TABLE a(id int);");
        write("migrations/000001_a.down.sql", "DROP TABLE a;");
        write(
            "diesel/migrations/2024-01-01-000000_a/up.sql",
            "CREATE TABLE a(id int);",
        );
        write("diesel/migrations/2024-01-01-000000_a/down.sql", "DROP TABLE a;");
        write("rollbacks/20240101_b.sql", "DROP TABLE b;");
        write("db/migration/V1_2__add_x.sql", "ALTER TABLE a ADD COLUMN x int;");
        write("db/migration/U1_2__add_x.sql", "ALTER TABLE a DROP COLUMN x;");
        write("db/migration/V1_3__add_y.sql", "ALTER TABLE a ADD COLUMN y int;");
        write("migrations/000003_e.up.sql", "CREATE TABLE e(id int);");
        write("migrations/000003_e.down.sql", "-- nothing to undo\n");
        let cfg = RollbackConfig::default();
        let plain = parse("x.sql", "CREATE TABLE a(id int);");
        let found = |rel: &str, cfg: &RollbackConfig| find(&dir, rel, &plain, cfg);
        assert_eq!(
            found("migrations/000001_a.up.sql", &cfg),
            Some(Rollback::File {
                rel: "migrations/000001_a.down.sql".into(),
                abs: dir.join("migrations/000001_a.down.sql")
            })
        );
        assert!(
            matches!(found("diesel/migrations/2024-01-01-000000_a/up.sql", &cfg), Some(Rollback::File { rel, .. }) if rel.ends_with("/down.sql"))
        );
        assert_eq!(found("db/migrations/20240101_b.sql", &cfg), None);
        // Flyway undo migrations, matched by version.
        assert!(
            matches!(found("db/migration/V1_2__add_x.sql", &cfg), Some(Rollback::File { rel, .. }) if rel == "db/migration/U1_2__add_x.sql")
        );
        assert_eq!(found("db/migration/V1_3__add_y.sql", &cfg), None);
        assert_eq!(
            expected("db/migration/V1_3__add_y.sql", Framework::Flyway, &cfg),
            "`db/migration/U1_3__add_y.sql` (a Flyway undo migration)"
        );
        // A down file without a statement is no rollback.
        assert_eq!(found("migrations/000003_e.up.sql", &cfg), None);
        let configured = RollbackConfig {
            path: Some("rollbacks/{version}_{name}.sql".into()),
            ..Default::default()
        };
        assert!(
            matches!(found("db/migrations/20240101_b.sql", &configured), Some(Rollback::File { rel, .. }) if rel == "rollbacks/20240101_b.sql")
        );
        assert_eq!(found("db/migrations/20240102_c.sql", &configured), None);
        let dbmate = parse(
            "db/migrations/20240101_c.sql",
            "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
        );
        assert_eq!(
            find(&dir, "db/migrations/20240101_c.sql", &dbmate, &cfg),
            Some(Rollback::Section)
        );
        // A reverse script that a layout would take for a migration is not one.
        write("migrations/000002_b.sql", "CREATE TABLE b(id int);");
        write("migrations/000002_b.revert.sql", "DROP TABLE b;");
        let mut mcfg = crate::config::MigrationsConfig::default();
        let listed = |mcfg: &crate::config::MigrationsConfig| -> Vec<String> {
            super::super::discover::discover(&dir, mcfg)
                .unwrap()
                .into_iter()
                .map(|c| c.rel)
                .collect()
        };
        assert!(listed(&mcfg).contains(&"migrations/000002_b.revert.sql".to_string()));
        mcfg.rollback.path = Some("migrations/{version}_{name}.revert.sql".into());
        let got = listed(&mcfg);
        assert!(!got.contains(&"migrations/000002_b.revert.sql".to_string()), "{got:?}");
        assert!(got.contains(&"migrations/000002_b.sql".to_string()), "{got:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
