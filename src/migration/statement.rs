//! One statement, understood: our recogniser for the DDL it knows (sqlparser
//! is not run on it), sqlparser for data changes, view definitions and the
//! rest, the recogniser again for what sqlparser rejects, and an honest
//! `Unparsed` for what neither reads.

use std::ops::Range;

use sqlparser::ast as sq;
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::action::{Action, Name, ObjectKind};
use super::lex::{RawStatement, TokenKind};
use super::recognise::{destructive_keyword, recognise, routine_signatures, splice, toks, unreadable_dynamic_sql, Tok};
use crate::config::SqlDialect;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseStatus {
    /// sqlparser read it.
    Parsed,
    /// The keyword recogniser read it: DDL it knows (sqlparser not run), or a
    /// statement sqlparser rejected.
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
    /// For an unparsed statement: the destructive keyword it contains, or the
    /// template placeholder that could expand to one.
    pub destructive: Option<String>,
}

impl Statement {
    pub fn is_unparsed(&self) -> bool {
        matches!(self.status, ParseStatus::Unparsed { .. })
    }
}

/// Understands one raw statement of `src`.
pub fn understand(src: &str, raw: &RawStatement, dialect: SqlDialect) -> Statement {
    let t = toks(src, &raw.tokens);
    let text = src.get(raw.span.clone()).unwrap_or_default();
    let mut st = Statement {
        span: raw.span.clone(),
        terminator: raw.terminator,
        status: ParseStatus::Parsed,
        actions: Vec::new(),
        destructive: None,
    };
    // A template placeholder stands for a name wherever a name may stand; what
    // cannot be read with it in a name's place could expand to anything.
    let placeholder = t.iter().find(|x| x.kind == TokenKind::Placeholder).map(|p| p.text);
    let recognised = recognise(&t);
    // sqlparser's tree is needed for data changes, view columns and what the
    // recogniser cannot read; DDL the recogniser reads skips it.
    let parsed = if needs_parser(&t, recognised.as_deref()) {
        parse_one(&text_for_parser(text, raw.span.start, &t), dialect)
    } else {
        // Never shown: with the recogniser's actions the statement is read.
        Err("not given to sqlparser".to_string())
    };
    let dml = parsed.as_ref().ok().and_then(dml_actions);
    let view = parsed.as_ref().ok().and_then(|s| view_columns(s, text));
    match (parsed, dml.or(recognised)) {
        (Ok(_), Some(actions)) => st.actions = actions,
        (Err(_), Some(actions)) => {
            st.status = ParseStatus::Recognised;
            st.actions = actions;
        }
        (Ok(stmt), None) if destructive_keyword(&t).is_none() && placeholder.is_none() => {
            st.actions = vec![Action::Other {
                what: statement_kind(&stmt),
            }];
        }
        (res, None) => {
            let keyword = destructive_keyword(&t);
            let reason = match (placeholder, res) {
                (Some(p), _) if keyword.is_some() => format!("it contains the template placeholder `{p}`"),
                (Some(_), _) => "a template placeholder can stand for any SQL".to_string(),
                (None, Ok(_)) => "shipgate does not know what this statement changes".to_string(),
                (None, Err(e)) => format!("sqlparser: {}", clean_parser_error(&e)),
            };
            st.status = ParseStatus::Unparsed { reason };
            st.destructive = keyword.map(str::to_string).or(placeholder.map(str::to_string));
        }
    }
    // A view's output columns, when its definition could be read.
    let creates_view = |v: &Name| {
        st.actions.iter().any(|a| {
            matches!(a, Action::Create { kind: ObjectKind::View | ObjectKind::MaterializedView, name, .. } if name == v)
        })
    };
    if let Some(a @ Action::ViewColumns { view, .. }) = &view {
        if creates_view(view) {
            st.actions.push(a.clone());
        }
    }
    // The argument types of a routine created or dropped.
    if st.actions.iter().any(|a| {
        matches!(
            a,
            Action::Create {
                kind: ObjectKind::Function | ObjectKind::Procedure,
                ..
            } | Action::Drop {
                kind: ObjectKind::Function | ObjectKind::Procedure,
                ..
            }
        )
    }) {
        st.actions.extend(routine_signatures(&t));
    }
    // SQL a DO block builds at run time and that cannot be read is judged like
    // an unparsed statement: it may drop or rename something.
    let hazard = st.actions.iter().find_map(|a| match a {
        Action::Do { body, .. } => unreadable_dynamic_sql(body),
        _ => None,
    });
    if let Some((keyword, reason)) = hazard {
        st.status = ParseStatus::Unparsed { reason };
        st.destructive = Some(keyword.to_string());
    }
    st
}

/// The statement as sqlparser should see it: template placeholders as quoted
/// names (`${schema}.users` → `"${schema}".users`), and without PostgreSQL's
/// inheritance markers on DELETE and UPDATE targets (`ONLY t`, `t *`), which
/// sqlparser misreads (`DELETE FROM ONLY t` as a table `only` with alias `t`).
fn text_for_parser(text: &str, base: usize, t: &[Tok]) -> String {
    let range = |x: &Tok| x.start - base..x.start - base + x.text.len();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let target = match t
        .iter()
        .map(|x| x.lower.as_ref())
        .take(2)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["update", ..] => Some(1),
        ["delete", "from"] => Some(2),
        _ => None,
    };
    let mut inheritance = Vec::new();
    if let Some(mut k) = target {
        if t.get(k).is_some_and(|x| x.lower == "only") {
            inheritance.push(k);
            k += 1;
        }
        // The target's name, `a` or `a.b`, then an optional `*`.
        k += 1;
        while t.get(k).is_some_and(|x| x.text == ".") {
            k += 2;
        }
        if t.get(k).is_some_and(|x| x.kind == TokenKind::Punct && x.text == "*") {
            inheritance.push(k);
        }
    }
    for (k, x) in t.iter().enumerate() {
        if inheritance.contains(&k) {
            edits.push((range(x), " ".repeat(x.text.len())));
        } else if x.kind == TokenKind::Placeholder {
            edits.push((range(x), format!("\"{}\"", x.text.replace('"', "\"\""))));
        }
    }
    splice(text, &edits)
}

/// Whether understanding the statement needs sqlparser's tree: the
/// recogniser did not read it, it may change data (sqlparser's tree gives the
/// rows and keys), or it creates a view (the output columns).
fn needs_parser(t: &[Tok], recognised: Option<&[Action]>) -> bool {
    let Some(actions) = recognised else { return true };
    let first = t
        .iter()
        .find(|x| !matches!(x.kind, TokenKind::LineComment | TokenKind::BlockComment))
        .map_or("", |x| x.lower.as_ref());
    matches!(
        first,
        "insert" | "update" | "delete" | "merge" | "with" | "select" | "values" | "table" | "(" | "copy"
    ) || actions.iter().any(|a| {
        matches!(
            a,
            Action::Create {
                kind: ObjectKind::View | ObjectKind::MaterializedView,
                ..
            }
        )
    })
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

pub fn ident(id: &sq::Ident) -> String {
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
        // `WITH ... DELETE/UPDATE/INSERT`, and data-modifying CTEs of any query.
        sq::Statement::Query(q) => {
            let actions = query_dml(q);
            (!actions.is_empty()).then_some(actions)
        }
        sq::Statement::Delete(d) => {
            let from = match &d.from {
                sq::FromTable::WithFromKeyword(v) | sq::FromTable::WithoutKeyword(v) => v,
            };
            let table = from
                .first()
                .and_then(table_factor_name)
                .or_else(|| d.tables.first().map(object_name))?;
            let mut actions = vec![Action::Delete {
                table: table.clone(),
                has_where: d.selection.is_some() || d.limit.is_some(),
            }];
            if let Some(key) = d.selection.as_ref().and_then(key_filter) {
                actions.push(Action::DeleteKeys {
                    table: table.clone(),
                    key,
                });
            }
            let mut keys = Vec::new();
            if let Some(w) = &d.selection {
                conjunct_keys(w, &mut keys);
            }
            if !keys.is_empty() {
                actions.push(Action::DeleteFilter { table, keys });
            }
            Some(actions)
        }
        sq::Statement::Update(u) => {
            let table = table_factor_name(&u.table)?;
            let columns = u
                .assignments
                .iter()
                .flat_map(|a| match &a.target {
                    sq::AssignmentTarget::ColumnName(c) => vec![object_name(c).name],
                    sq::AssignmentTarget::Tuple(cs) => cs.iter().map(|c| object_name(c).name).collect(),
                })
                .collect();
            let mut actions = vec![Action::Update {
                table: table.clone(),
                has_where: u.selection.is_some() || u.limit.is_some(),
                columns,
            }];
            let set: Option<Vec<(String, Option<String>)>> = u
                .assignments
                .iter()
                .map(|a| match &a.target {
                    sq::AssignmentTarget::ColumnName(c) => Some((object_name(c).name, literal(&a.value))),
                    sq::AssignmentTarget::Tuple(_) => None,
                })
                .collect();
            if let (Some(set), Some(key)) = (set, u.selection.as_ref().and_then(key_filter)) {
                actions.push(Action::UpdateValues { table, set, key });
            }
            Some(actions)
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

/// `CREATE [MATERIALIZED] VIEW`: the view's output columns, from its column
/// list or its query's select list.
fn view_columns(s: &sq::Statement, text: &str) -> Option<Action> {
    let sq::Statement::CreateView(v) = s else { return None };
    let columns = if v.columns.is_empty() {
        query_columns(&v.query, &Scope::new())
    } else {
        Some(v.columns.iter().map(|c| ident(&c.name)).collect())
    };
    Some(Action::ViewColumns {
        view: object_name(&v.name),
        columns,
        query: Some(text.to_string()),
    })
}

/// Output columns of the queries a `WITH` names, for `*` over them.
type Scope = std::collections::HashMap<String, Option<Vec<String>>>;

/// The names of a query's output columns as PostgreSQL gives them: an
/// alias, a column's own name, a function's name, else `?column?`. A `*`
/// over the query's own CTEs and subqueries is expanded; `None` for a `*`
/// over tables, whose columns the statement does not show.
fn query_columns(q: &sq::Query, outer: &Scope) -> Option<Vec<String>> {
    let mut scope = outer.clone();
    for cte in q.with.iter().flat_map(|w| &w.cte_tables) {
        let columns = alias_columns(&cte.alias).or_else(|| query_columns(&cte.query, &scope));
        scope.insert(ident(&cte.alias.name), columns);
    }
    output_columns(&q.body, &scope)
}

fn output_columns(body: &sq::SetExpr, scope: &Scope) -> Option<Vec<String>> {
    match body {
        sq::SetExpr::Select(sel) => {
            let factors: Vec<&sq::TableFactor> = sel
                .from
                .iter()
                .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
                .collect();
            let mut out = Vec::new();
            for item in &sel.projection {
                match item {
                    sq::SelectItem::UnnamedExpr(e) => out.push(expr_column_name(e)),
                    sq::SelectItem::ExprWithAlias { alias, .. } => out.push(ident(alias)),
                    sq::SelectItem::Wildcard(_) => {
                        for f in &factors {
                            out.extend(factor_columns(f, scope)?);
                        }
                    }
                    sq::SelectItem::QualifiedWildcard(sq::SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                        let wanted = object_name(n).name;
                        let f = factors
                            .iter()
                            .find(|f| factor_name(f).as_deref() == Some(wanted.as_str()))?;
                        out.extend(factor_columns(f, scope)?);
                    }
                    _ => return None,
                }
            }
            Some(out)
        }
        sq::SetExpr::Query(q) => query_columns(q, scope),
        sq::SetExpr::SetOperation { left, .. } => output_columns(left, scope),
        _ => None,
    }
}

fn alias_columns(a: &sq::TableAlias) -> Option<Vec<String>> {
    (!a.columns.is_empty()).then(|| a.columns.iter().map(|c| ident(&c.name)).collect())
}

/// The name a FROM item is known by in the select list.
fn factor_name(f: &sq::TableFactor) -> Option<String> {
    match f {
        sq::TableFactor::Table { alias: Some(a), .. } | sq::TableFactor::Derived { alias: Some(a), .. } => {
            Some(ident(&a.name))
        }
        sq::TableFactor::Table { name, .. } => Some(object_name(name).name),
        _ => None,
    }
}

/// The columns a FROM item brings, when the statement shows them.
fn factor_columns(f: &sq::TableFactor, scope: &Scope) -> Option<Vec<String>> {
    match f {
        sq::TableFactor::Table { name, alias, .. } => {
            if let Some(columns) = alias.as_ref().and_then(alias_columns) {
                return Some(columns);
            }
            let n = object_name(name);
            if n.schema.is_some() {
                return None;
            }
            scope.get(&n.name).cloned().flatten()
        }
        sq::TableFactor::Derived { subquery, alias, .. } => alias
            .as_ref()
            .and_then(alias_columns)
            .or_else(|| query_columns(subquery, scope)),
        _ => None,
    }
}

pub fn expr_column_name(e: &sq::Expr) -> String {
    match e {
        sq::Expr::Identifier(id) => ident(id),
        sq::Expr::CompoundIdentifier(ids) => ids.last().map(ident).unwrap_or_default(),
        sq::Expr::Function(f) => object_name(&f.name).name,
        sq::Expr::Cast { expr, .. } => expr_column_name(expr),
        sq::Expr::Case { .. } => "case".to_string(),
        _ => "?column?".to_string(),
    }
}

/// The writes a query makes: its data-modifying CTEs and its body.
fn query_dml(q: &sq::Query) -> Vec<Action> {
    let mut out = Vec::new();
    for cte in q.with.iter().flat_map(|w| &w.cte_tables) {
        out.extend(query_dml(&cte.query));
    }
    out.extend(set_expr_dml(&q.body));
    out
}

fn set_expr_dml(e: &sq::SetExpr) -> Vec<Action> {
    match e {
        sq::SetExpr::Insert(s) | sq::SetExpr::Update(s) | sq::SetExpr::Delete(s) => dml_actions(s).unwrap_or_default(),
        sq::SetExpr::Query(q) => query_dml(q),
        // `SELECT ... INTO t` creates the table `t`.
        sq::SetExpr::Select(sel) => sel
            .into
            .iter()
            .flat_map(|into| &into.targets)
            .filter_map(|target| match target {
                sq::Expr::Identifier(id) => Some(sq::ObjectName::from(id.clone())),
                sq::Expr::CompoundIdentifier(ids) => Some(sq::ObjectName::from(ids.clone())),
                _ => None,
            })
            .map(|table| Action::CreateTable {
                table: object_name(&table),
                columns: Vec::new(),
                constraints: Vec::new(),
                unlogged: sel.into.as_ref().is_some_and(|i| i.unlogged),
                temporary: sel.into.as_ref().is_some_and(|i| i.temporary),
                if_not_exists: false,
                columns_known: false,
            })
            .collect(),
        sq::SetExpr::SetOperation { left, right, .. } => {
            let mut out = set_expr_dml(left);
            out.extend(set_expr_dml(right));
            out
        }
        _ => Vec::new(),
    }
}

/// The key filters among the terms of `a AND b AND ...`.
fn conjunct_keys(e: &sq::Expr, out: &mut Vec<(String, Vec<String>)>) {
    match e {
        sq::Expr::Nested(inner) => conjunct_keys(inner, out),
        sq::Expr::BinaryOp {
            left,
            op: sq::BinaryOperator::And,
            right,
        } => {
            conjunct_keys(left, out);
            conjunct_keys(right, out);
        }
        _ => out.extend(key_filter(e)),
    }
}

/// `k = <literal>` or `k IN (<literal>, ...)`: the column and the values.
fn key_filter(e: &sq::Expr) -> Option<(String, Vec<String>)> {
    let column = |e: &sq::Expr| match e {
        sq::Expr::Identifier(id) => Some(id.value.clone()),
        sq::Expr::CompoundIdentifier(ids) => ids.last().map(|i| i.value.clone()),
        _ => None,
    };
    match e {
        sq::Expr::Nested(inner) => key_filter(inner),
        sq::Expr::BinaryOp {
            left,
            op: sq::BinaryOperator::Eq,
            right,
        } => match (column(left), literal(right)) {
            (Some(c), Some(v)) => Some((c, vec![v])),
            _ => Some((column(right)?, vec![literal(left)?])),
        },
        sq::Expr::InList {
            expr,
            list,
            negated: false,
        } => Some((column(expr)?, list.iter().map(literal).collect::<Option<Vec<_>>>()?)),
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
    fn an_update_by_key_says_what_it_sets_on_which_rows() {
        let a = one("UPDATE feature_flags SET enabled = true, note = lower(x) WHERE key IN ('a', 'b');").actions;
        assert!(matches!(a[0], Action::Update { has_where: true, .. }), "{a:?}");
        let Action::UpdateValues { set, key, .. } = &a[1] else {
            panic!("{a:?}")
        };
        assert_eq!(
            set,
            &[
                ("enabled".to_string(), Some("true".to_string())),
                ("note".to_string(), None)
            ]
        );
        assert_eq!(key, &("key".to_string(), vec!["a".to_string(), "b".to_string()]));
        let a = one("UPDATE f SET on_ = false WHERE 'x' = f.key;").actions;
        assert!(
            matches!(&a[1], Action::UpdateValues { key, .. } if key.0 == "key" && key.1 == ["x"]),
            "{a:?}"
        );
        let a = one("DELETE FROM feature_flags WHERE key = 'old';").actions;
        assert!(
            matches!(&a[1], Action::DeleteKeys { key, .. } if key.1 == ["old"]),
            "{a:?}"
        );
        // A WHERE that is no key filter says nothing about the rows.
        assert_eq!(one("UPDATE f SET a = 1 WHERE id > 3;").actions.len(), 1);
        assert_eq!(one("UPDATE f SET a = 1;").actions.len(), 1);
    }

    fn view_columns_of(sql: &str) -> Option<Vec<String>> {
        one(sql).actions.into_iter().find_map(|a| match a {
            Action::ViewColumns { columns, .. } => Some(columns),
            _ => None,
        })?
    }

    #[test]
    fn a_view_knows_its_output_columns() {
        let cols = |sql| view_columns_of(sql).map(|c| c.join(","));
        assert_eq!(
            cols("CREATE VIEW v AS SELECT m.id, m.\"Email\", lower(name), x::int, 1 AS one FROM members m;").as_deref(),
            Some("id,Email,lower,x,one")
        );
        assert_eq!(
            cols("CREATE VIEW v (a, b) AS SELECT * FROM members;").as_deref(),
            Some("a,b")
        );
        assert_eq!(
            cols("CREATE MATERIALIZED VIEW v AS WITH c AS (SELECT id, email FROM members) SELECT *, 2 AS two FROM c;")
                .as_deref(),
            Some("id,email,two")
        );
        assert_eq!(
            cols("CREATE VIEW v AS SELECT s.* FROM (SELECT id FROM a UNION SELECT id FROM b) s;").as_deref(),
            Some("id")
        );
        // A `*` over a table: the statement does not show its columns.
        assert_eq!(cols("CREATE VIEW v AS SELECT * FROM members;"), None);
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
        assert_eq!(s.destructive.as_deref(), Some("DROP"));
    }

    #[test]
    fn placeholders_stand_for_names() {
        let s = one("DROP TABLE ${schema}.users;");
        assert!(!s.is_unparsed());
        assert!(matches!(&s.actions[0], Action::Drop { names, .. } if names[0].to_string() == "${schema}.users"));
        let s = one("DELETE FROM {{ .Schema }}.users WHERE id = ${id};");
        assert!(matches!(&s.actions[0], Action::Delete { has_where: true, .. }));
    }

    #[test]
    fn a_placeholder_that_cannot_be_read_could_be_anything() {
        let s = one("ALTER TABLE users {{ .Change }};");
        assert!(s.is_unparsed());
        assert_eq!(s.destructive.as_deref(), Some("{{ .Change }}"));
        let s = one("ALTER TABLE ${schema}.t ALTER c TYPE int;");
        assert!(matches!(&s.actions[0], Action::AlterColumnType { .. }), "{s:?}");
    }

    #[test]
    fn only_and_star_do_not_hide_the_target() {
        for sql in [
            "DELETE FROM ONLY users;",
            "DELETE FROM users *;",
            "UPDATE ONLY public.users AS u SET a = 1;",
        ] {
            let s = one(sql);
            assert!(
                matches!(&s.actions[0], Action::Delete { table, has_where: false } | Action::Update { table, has_where: false, .. } if table.name == "users"),
                "{sql}: {s:?}"
            );
        }
    }

    #[test]
    fn data_modifying_ctes_are_writes() {
        let s = one("WITH d AS (DELETE FROM users RETURNING id) SELECT count(*) FROM d;");
        assert!(
            matches!(&s.actions[0], Action::Delete { has_where: false, .. }),
            "{s:?}"
        );
        let s = one("WITH x AS (SELECT 1) UPDATE users SET a = 1;");
        assert!(
            matches!(&s.actions[0], Action::Update { has_where: false, .. }),
            "{s:?}"
        );
        let s = one("WITH x AS (SELECT 1) SELECT * FROM x;");
        assert!(matches!(&s.actions[0], Action::Other { .. }), "{s:?}");
        let s = one("SELECT id, email INTO TEMP members_copy FROM members;");
        assert!(
            matches!(&s.actions[0], Action::CreateTable { table, temporary: true, .. } if table.name == "members_copy"),
            "{s:?}"
        );
    }

    #[test]
    fn unreadable_dynamic_sql_in_a_do_block_is_unparsed() {
        let s = one("DO $$ BEGIN EXECUTE prefix || ' RENAME COLUMN a TO b'; END $$;");
        assert!(s.is_unparsed(), "{s:?}");
        assert_eq!(s.destructive.as_deref(), Some("RENAME"));
        let s = one("DO $$ BEGIN EXECUTE 'ALTER TABLE ' || quote_ident(t) || ' RENAME COLUMN a TO b'; END $$;");
        assert!(!s.is_unparsed(), "readable: the engine checks it: {s:?}");
    }
}
