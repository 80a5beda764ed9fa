//! One statement, understood: sqlparser first, our recogniser for DDL and
//! for what sqlparser rejects, and an honest `Unparsed` for the rest.

use std::ops::Range;

use sqlparser::ast as sq;
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::action::{Action, Name};
use super::lex::{RawStatement, TokenKind};
use super::recognise::{destructive_keyword, recognise, toks};
use crate::config::SqlDialect;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseStatus {
    /// sqlparser accepted it.
    Parsed,
    /// sqlparser rejected it; the keyword recogniser knows its shape.
    Recognised,
    /// Neither understood it.
    Unparsed { reason: String },
}

#[derive(Debug, Clone)]
pub struct Statement {
    pub span: Range<usize>,
    pub terminator: Option<usize>,
    pub status: ParseStatus,
    pub actions: Vec<Action>,
    /// For an unparsed statement: the destructive keyword it contains.
    pub destructive: Option<&'static str>,
}

impl Statement {
    pub fn is_unparsed(&self) -> bool {
        matches!(self.status, ParseStatus::Unparsed { .. })
    }
}

/// Understands one raw statement of `src`.
pub fn understand(src: &str, raw: &RawStatement, dialect: SqlDialect) -> Statement {
    let t = toks(src, &raw.tokens);
    let text = &src[raw.span.clone()];
    let mut st = Statement {
        span: raw.span.clone(),
        terminator: raw.terminator,
        status: ParseStatus::Parsed,
        actions: Vec::new(),
        destructive: None,
    };
    if let Some(p) = t.iter().find(|x| x.kind == TokenKind::Placeholder) {
        st.status = ParseStatus::Unparsed {
            reason: format!("it contains the template placeholder `{}`", p.text),
        };
        st.destructive = destructive_keyword(&t);
        return st;
    }
    let parsed = parse_one(text, dialect);
    let dml = parsed.as_ref().ok().and_then(|s| dml_actions(s));
    let recognised = recognise(&t);
    match (parsed, dml.or(recognised)) {
        (Ok(_), Some(actions)) => st.actions = actions,
        (Err(_), Some(actions)) => {
            st.status = ParseStatus::Recognised;
            st.actions = actions;
        }
        (Ok(stmt), None) if destructive_keyword(&t).is_none() => {
            st.actions = vec![Action::Other {
                what: statement_kind(&stmt),
            }];
        }
        (res, None) => {
            let reason = match res {
                Ok(_) => "shipgate does not know what this statement changes".to_string(),
                Err(e) => format!("sqlparser: {}", clean_parser_error(&e)),
            };
            st.status = ParseStatus::Unparsed { reason };
            st.destructive = destructive_keyword(&t);
        }
    }
    st
}

fn parse_one(text: &str, dialect: SqlDialect) -> Result<sq::Statement, String> {
    let d: Box<dyn Dialect> = match dialect {
        SqlDialect::Postgres => Box::new(PostgreSqlDialect {}),
        SqlDialect::Mysql => Box::new(MySqlDialect {}),
        SqlDialect::Sqlite => Box::new(SQLiteDialect {}),
    };
    // sqlparser must never take the process down with it.
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Parser::new(d.as_ref())
            .with_recursion_limit(64)
            .try_with_sql(text)
            .and_then(|mut p| p.parse_statements())
    }));
    match res {
        Ok(Ok(mut v)) if v.len() == 1 => Ok(v.remove(0)),
        Ok(Ok(v)) => Err(format!("expected one statement, found {}", v.len())),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the parser failed internally".to_string()),
    }
}

fn clean_parser_error(e: &str) -> String {
    e.trim_start_matches("sql parser error: ").to_string()
}

fn statement_kind(s: &sq::Statement) -> String {
    let text = s.to_string();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

pub fn object_name(n: &sq::ObjectName) -> Name {
    let mut parts: Vec<String> =
        n.0.iter()
            .map(|p| match p {
                sq::ObjectNamePart::Identifier(id) => ident(id),
                other => other.to_string(),
            })
            .collect();
    let name = parts.pop().unwrap_or_default();
    Name::new(parts.pop(), name)
}

fn ident(id: &sq::Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn table_factor_name(t: &sq::TableWithJoins) -> Option<Name> {
    match &t.relation {
        sq::TableFactor::Table { name, .. } => Some(object_name(name)),
        _ => None,
    }
}

/// DELETE, UPDATE and INSERT are read from the AST: WHERE clauses and rows
/// are expressions, which tokens describe poorly.
fn dml_actions(s: &sq::Statement) -> Option<Vec<Action>> {
    match s {
        sq::Statement::Delete(d) => {
            let from = match &d.from {
                sq::FromTable::WithFromKeyword(v) | sq::FromTable::WithoutKeyword(v) => v,
            };
            let table = from
                .first()
                .and_then(table_factor_name)
                .or_else(|| d.tables.first().map(object_name))?;
            Some(vec![Action::Delete {
                table,
                has_where: d.selection.is_some() || d.limit.is_some(),
            }])
        }
        sq::Statement::Update(u) => {
            let table = table_factor_name(&u.table)?;
            Some(vec![Action::Update {
                table,
                has_where: u.selection.is_some() || u.limit.is_some(),
            }])
        }
        sq::Statement::Insert(i) => {
            let table = match &i.table {
                sq::TableObject::TableName(n) => object_name(n),
                _ => return None,
            };
            let columns = i.columns.iter().map(|c| object_name(c).name).collect();
            let rows = match i.source.as_deref().map(|q| q.body.as_ref()) {
                Some(sq::SetExpr::Values(v)) => v.rows.iter().map(|r| r.iter().map(literal).collect()).collect(),
                _ => Vec::new(),
            };
            Some(vec![Action::Insert { table, columns, rows }])
        }
        _ => None,
    }
}

fn literal(e: &sq::Expr) -> Option<String> {
    match e {
        sq::Expr::Value(v) => match &v.value {
            sq::Value::SingleQuotedString(s) | sq::Value::EscapedStringLiteral(s) => Some(s.clone()),
            sq::Value::Number(n, _) => Some(n.to_string()),
            sq::Value::Boolean(b) => Some(b.to_string()),
            sq::Value::Null => Some("null".into()),
            _ => None,
        },
        sq::Expr::Cast { expr, .. } | sq::Expr::Nested(expr) => literal(expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::lex::lex;

    fn one(sql: &str) -> Statement {
        let l = lex(sql);
        understand(sql, &l.statements[0], SqlDialect::Postgres)
    }

    #[test]
    fn delete_where_comes_from_the_ast() {
        assert!(matches!(
            one("DELETE FROM t;").actions[0],
            Action::Delete { has_where: false, .. }
        ));
        assert!(matches!(
            one("DELETE FROM t WHERE id IN (SELECT 1);").actions[0],
            Action::Delete { has_where: true, .. }
        ));
        assert!(matches!(
            one("UPDATE t SET a = 1;").actions[0],
            Action::Update { has_where: false, .. }
        ));
    }

    #[test]
    fn recogniser_takes_over_when_sqlparser_rejects() {
        let s = one("ALTER TABLE t ALTER COLUMN c TYPE text COLLATE \"C\";");
        assert_eq!(s.status, ParseStatus::Recognised);
    }

    #[test]
    fn unknown_destructive_is_flagged() {
        let s = one("FROB x DROP y;");
        assert!(s.is_unparsed());
        assert_eq!(s.destructive, Some("DROP"));
    }

    #[test]
    fn placeholders_are_unparsed() {
        let s = one("DROP TABLE ${schema}.users;");
        assert!(s.is_unparsed());
        assert_eq!(s.destructive, Some("DROP"));
    }
}
