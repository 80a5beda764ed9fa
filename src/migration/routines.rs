//! The statements a statement runs besides itself: the body of a `DO`
//! block, SQL held in its strings (`EXECUTE 'DROP TABLE ' || t`), and the
//! body of a routine a migration created and this statement calls. Reading
//! them is input understanding; the rules judge what comes out like any
//! other statement.

use std::collections::BTreeMap;

use super::action::{Action, ObjectKind};
use super::lex::lex;
use super::recognise::{string_value, toks, DYNAMIC_SQL_STARTS, PLPGSQL_LEADS};
use super::statement::{understand, Statement};
use super::MigrationFile;
use crate::config::SqlDialect;

/// Statements statement `i` runs besides itself, in groups that run in
/// order: first its DO block's, then each called routine's. Each group comes
/// with where it runs (`inside a DO block`, ``inside `f`, called here``) and
/// whether it is a routine's body.
pub struct Embedded {
    pub place: String,
    pub statements: Vec<Statement>,
    pub in_routine: bool,
}

/// The groups of statements statement `i` of `file` runs: its DO block's,
/// then those of the routines of `routines` it calls.
pub fn embedded(
    file: &MigrationFile,
    i: usize,
    stmt: &Statement,
    routines: &BTreeMap<String, String>,
) -> Vec<Embedded> {
    let mut groups = vec![Embedded {
        place: "inside a DO block".to_string(),
        statements: do_block_statements(stmt, 0),
        in_routine: false,
    }];
    groups.extend(
        called_routines(file, i, stmt, routines)
            .into_iter()
            .map(|(name, body)| Embedded {
                place: format!("inside `{name}`, called here"),
                statements: embedded_statements(&body, 0),
                in_routine: true,
            }),
    );
    groups
}

/// The name and body of the function or procedure statement `i` creates with
/// a quoted body (`AS $$ ... $$`), its `EXECUTE` strings folded.
pub fn routine_body(file: &MigrationFile, i: usize, stmt: &Statement) -> Option<(String, String)> {
    let name = stmt.actions.iter().find_map(|a| match a {
        Action::Create {
            kind: ObjectKind::Function | ObjectKind::Procedure,
            name,
            ..
        } => Some(name.name.trim_matches('"').to_ascii_lowercase()),
        _ => None,
    })?;
    let raw = file.lexed.statements.get(i)?;
    let t = toks(&file.src, &raw.tokens);
    let at = t.iter().position(|x| x.lower == "as")?;
    let body = t[at + 1..].iter().find_map(string_value)?;
    Some((name, super::recognise::fold_dynamic_sql(&body)))
}

/// The routines of `routines` (created by this file or earlier migrations)
/// that statement `i` calls (`SELECT f()`, `CALL p()`, `PERFORM f()` in a DO
/// block, a call in DML), with the body each has when called.
fn called_routines(
    file: &MigrationFile,
    i: usize,
    stmt: &Statement,
    routines: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let Some(raw) = file.lexed.statements.get(i).filter(|_| !routines.is_empty()) else {
        return Vec::new();
    };
    let first = raw.tokens.first().map_or("", |x| x.text(&file.src));
    if ["create", "drop", "alter", "comment", "grant", "revoke"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
    {
        return Vec::new();
    }
    // Names followed by `(`, in the statement and in its DO block's body.
    let mut called: Vec<String> = called_names(&file.src, &raw.tokens);
    for a in &stmt.actions {
        if let Action::Do { body, .. } = a {
            for r in &lex(body).statements {
                called.extend(called_names(body, &r.tokens));
            }
        }
    }
    // Looked up by name (routines are keyed without quotes): a statement
    // calls a few functions, a long history creates hundreds.
    let called: std::collections::BTreeSet<&str> = called.iter().map(|w| w.trim_matches('"')).collect();
    called
        .into_iter()
        .filter_map(|w| routines.get_key_value(w))
        .map(|(name, body)| (name.clone(), body.clone()))
        .collect()
}

/// The words directly followed by `(`: function-call shapes.
fn called_names(src: &str, t: &[super::lex::Token]) -> Vec<String> {
    t.windows(2)
        .filter(|w| w[1].text(src) == "(")
        .map(|w| {
            let text = w[0].text(src);
            match w[0].kind {
                super::lex::TokenKind::Word => text.to_ascii_lowercase(),
                _ => text.to_string(),
            }
        })
        .collect()
}

/// The statements a DO block runs: its body's statements, and SQL held in
/// its string literals (`EXECUTE 'DROP TABLE ' || t`).
fn do_block_statements(stmt: &Statement, depth: usize) -> Vec<Statement> {
    let mut out = Vec::new();
    if depth > 4 {
        return out;
    }
    for a in &stmt.actions {
        if let Action::Do { body, .. } = a {
            out.extend(embedded_statements(body, depth));
        }
    }
    out
}

fn embedded_statements(body: &str, depth: usize) -> Vec<Statement> {
    let mut out = Vec::new();
    let lexed = lex(body);
    for raw in &lexed.statements {
        let t = toks(body, &raw.tokens);
        // SQL inside string literals, as passed to EXECUTE.
        for tok in &t {
            if let Some(s) = string_value(tok) {
                if s.split_whitespace()
                    .next()
                    .is_some_and(|w| DYNAMIC_SQL_STARTS.contains(&w.to_ascii_lowercase().as_str()))
                {
                    out.extend(embedded_statements(&s, depth + 1));
                }
            }
        }
        // Plain SQL statements, after PL/pgSQL's own keywords.
        for k in 0..t.len() {
            let starts = DYNAMIC_SQL_STARTS.contains(&t[k].lower.as_ref())
                && (k == 0 || PLPGSQL_LEADS.contains(&t[k - 1].lower.as_ref()) || t[k - 1].text == ";");
            if starts {
                let text = &body[t[k].start..raw.span.end];
                let sub = lex(text);
                if let Some(first) = sub.statements.first() {
                    let st = understand(text, first, SqlDialect::Postgres);
                    out.extend(do_block_statements(&st, depth + 1));
                    out.push(st);
                }
                break;
            }
        }
    }
    out
}
