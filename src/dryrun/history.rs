//! Which migrations the database has already applied, read from the
//! framework's own history table. Without `--base`, the dry run runs only
//! the others: against a copy of production, the pending ones.

use std::collections::HashSet;

use serde::Serialize;
use tokio_postgres::error::SqlState;

use super::engine::{self, EngineError};
use crate::migration::discover::{Candidate, Framework};

/// What one history table said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    /// The table read (`supabase_migrations.schema_migrations`, ...).
    pub table: String,
    /// False when the table does not exist: the database applied none.
    pub exists: bool,
    /// How many of the repository's migrations it lists as applied.
    pub applied: usize,
}

/// The candidates split by the history tables, in framework order.
pub struct Split {
    pub applied: Vec<Candidate>,
    pub pending: Vec<Candidate>,
    /// The tables read.
    pub tables: Vec<History>,
}

/// What a history table records.
enum Recorded {
    /// The names of the applied migrations (Prisma: the folder name).
    Names(HashSet<String>),
    /// The versions of the applied migrations.
    Versions(HashSet<Vec<u64>>),
    /// One current version: everything up to it is applied (golang-migrate).
    UpTo(Vec<u64>),
}

/// The framework's history table and the query listing what it applied (one text column).
fn table(f: Framework) -> Option<(&'static str, &'static str)> {
    Some(match f {
        Framework::Supabase => (
            "supabase_migrations.schema_migrations",
            "SELECT version::text FROM supabase_migrations.schema_migrations",
        ),
        Framework::Prisma => (
            "_prisma_migrations",
            "SELECT migration_name::text FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
        ),
        Framework::Flyway => (
            "flyway_schema_history",
            "SELECT version::text FROM flyway_schema_history WHERE success AND version IS NOT NULL",
        ),
        // One row: the current version, and whether a migration failed half-way.
        Framework::GolangMigrate => (
            "schema_migrations",
            "SELECT version::text || CASE WHEN dirty THEN ' dirty' ELSE '' END FROM schema_migrations",
        ),
        Framework::Sqlx => (
            "_sqlx_migrations",
            "SELECT version::text FROM _sqlx_migrations WHERE success",
        ),
        Framework::Diesel => (
            "__diesel_schema_migrations",
            "SELECT version::text FROM __diesel_schema_migrations",
        ),
        Framework::Dbmate => ("schema_migrations", "SELECT version::text FROM schema_migrations"),
        // The latest row of each version says whether it is applied.
        Framework::Goose => (
            "goose_db_version",
            "SELECT g.version_id::text FROM goose_db_version g WHERE g.is_applied \
             AND g.id = (SELECT max(h.id) FROM goose_db_version h WHERE h.version_id = g.version_id)",
        ),
        Framework::Plain => return None,
    })
}

/// Numbers of a version as written anywhere (`1.2`, `1_2`, `2024-01-01-000000`).
fn numbers(s: &str) -> Vec<u64> {
    s.split(['.', '_', '-']).filter_map(|n| n.trim().parse().ok()).collect()
}

/// A migration's version as its framework records it: Flyway the whole
/// dotted version (`V1_2__x.sql` is `1.2`), Diesel the folder's timestamp
/// without dashes (`2024-01-01-000000_x` is `20240101000000`), the others the
/// digits before the first `_` (`20240101000000_1_fix.sql` is `20240101000000`).
fn version(c: &Candidate) -> Vec<u64> {
    match c.framework {
        Framework::Flyway => c.version.clone(),
        Framework::Diesel => {
            let folder = c.rel.rsplit('/').nth(1).unwrap_or("");
            let digits: String = folder
                .split('_')
                .next()
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            digits.parse().map(|n| vec![n]).unwrap_or_default()
        }
        _ => c.version.first().map(|v| vec![*v]).unwrap_or_default(),
    }
}

fn recorded(f: Framework, rows: Vec<String>) -> Result<Recorded, String> {
    Ok(match f {
        Framework::Prisma => Recorded::Names(rows.into_iter().collect()),
        Framework::GolangMigrate => match rows.as_slice() {
            [] => Recorded::Versions(HashSet::new()),
            [row] => match row.strip_suffix(" dirty") {
                Some(v) => {
                    return Err(format!(
                        "golang-migrate marked the database dirty at version {v}: a migration failed half-way. \
                         Repair it and run `migrate force <version>` before a dry run"
                    ))
                }
                None => Recorded::UpTo(numbers(row)),
            },
            _ => return Err("golang-migrate's `schema_migrations` has more than one row".into()),
        },
        _ => Recorded::Versions(rows.iter().map(|r| numbers(r)).collect()),
    })
}

fn is_applied(c: &Candidate, r: &Recorded) -> bool {
    match r {
        Recorded::Names(names) => c.rel.rsplit('/').nth(1).is_some_and(|folder| names.contains(folder)),
        Recorded::Versions(v) => {
            let mine = version(c);
            !mine.is_empty() && v.contains(&mine)
        }
        Recorded::UpTo(top) => {
            let mine = version(c);
            !mine.is_empty() && mine <= *top
        }
    }
}

/// Splits `candidates` (in framework order) into those the database's
/// history tables list as applied and the rest, keeping the order. Flyway's
/// repeatable migrations always run (Flyway re-applies them when they
/// change), and so do plain files, which no table records.
pub async fn split(client: &tokio_postgres::Client, candidates: Vec<Candidate>) -> Result<Split, EngineError> {
    let mut frameworks: Vec<Framework> = Vec::new();
    for c in &candidates {
        if !frameworks.contains(&c.framework) {
            frameworks.push(c.framework);
        }
    }
    let mut tables: Vec<(Framework, Recorded, History)> = Vec::new();
    for f in frameworks {
        let Some((name, sql)) = table(f) else { continue };
        let (exists, rows) = match client.query(sql, &[]).await {
            Ok(rows) => (
                true,
                rows.iter()
                    .filter_map(|r| r.try_get::<_, Option<String>>(0).ok().flatten())
                    .collect(),
            ),
            Err(e)
                if matches!(
                    e.code(),
                    Some(&SqlState::UNDEFINED_TABLE) | Some(&SqlState::INVALID_SCHEMA_NAME)
                ) =>
            {
                (false, Vec::new())
            }
            Err(e) => {
                return Err(EngineError::Failed(format!(
                    "Cannot read the migration history table `{name}` ({})",
                    engine::describe(&e)
                )))
            }
        };
        let rec = recorded(f, rows).map_err(EngineError::Refused)?;
        tables.push((
            f,
            rec,
            History {
                table: name.to_string(),
                exists,
                applied: 0,
            },
        ));
    }
    let (mut applied, mut pending) = (Vec::new(), Vec::new());
    for c in candidates {
        let entry = tables.iter_mut().find(|(f, _, _)| *f == c.framework);
        match entry {
            Some((_, rec, h)) if !c.repeatable && is_applied(&c, rec) => {
                h.applied += 1;
                applied.push(c);
            }
            _ => pending.push(c),
        }
    }
    Ok(Split {
        applied,
        pending,
        tables: tables.into_iter().map(|(_, _, h)| h).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::discover::match_layout;
    use std::path::PathBuf;

    /// A candidate as discovery classifies `rel`.
    fn cand(rel: &str) -> Candidate {
        let (framework, version, repeatable) = match_layout(rel).unwrap_or_else(|| panic!("{rel} is no migration"));
        Candidate {
            rel: rel.to_string(),
            abs: PathBuf::from(rel),
            framework,
            version,
            repeatable,
        }
    }

    #[test]
    fn each_framework_reads_its_own_record() {
        let versions = |rows: &[&str], f| recorded(f, rows.iter().map(|r| r.to_string()).collect()).unwrap();
        let supa = cand("supabase/migrations/20240101000000_init.sql");
        assert!(is_applied(&supa, &versions(&["20240101000000"], Framework::Supabase)));
        assert!(!is_applied(&supa, &versions(&["20240102000000"], Framework::Supabase)));
        // Supabase records the digits before the first `_`, whatever follows.
        let fix = cand("supabase/migrations/20240101000000_1_fix.sql");
        assert_eq!(fix.framework, Framework::Supabase);
        assert!(is_applied(&fix, &versions(&["20240101000000"], Framework::Supabase)));

        let prisma = cand("prisma/migrations/20240101000000_init/migration.sql");
        assert!(is_applied(
            &prisma,
            &versions(&["20240101000000_init"], Framework::Prisma)
        ));
        assert!(!is_applied(
            &prisma,
            &versions(&["20240101000000_other"], Framework::Prisma)
        ));

        let flyway = cand("db/migration/V1_2__users.sql");
        assert!(is_applied(&flyway, &versions(&["1.2"], Framework::Flyway)));
        assert!(!is_applied(&flyway, &versions(&["1.20"], Framework::Flyway)));

        let diesel = cand("migrations/2024-01-01-000000_users/up.sql");
        assert!(is_applied(&diesel, &versions(&["20240101000000"], Framework::Diesel)));

        let golang = cand("migrations/000003_users.up.sql");
        assert!(is_applied(&golang, &versions(&["3"], Framework::GolangMigrate)));
        assert!(is_applied(&golang, &versions(&["7"], Framework::GolangMigrate)));
        assert!(!is_applied(&golang, &versions(&["2"], Framework::GolangMigrate)));
        assert!(!is_applied(&golang, &versions(&[], Framework::GolangMigrate)));
    }

    #[test]
    fn a_dirty_golang_migrate_database_is_refused_with_the_fix() {
        let e = recorded(Framework::GolangMigrate, vec!["4 dirty".into()])
            .err()
            .unwrap();
        assert!(e.contains("dirty at version 4") && e.contains("migrate force"), "{e}");
    }
}
