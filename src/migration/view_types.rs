//! The types of a view's output columns, as far as they follow from what
//! the schema model knows: casts, literals, columns of known tables and
//! views (through aliases, joins, subqueries and `WITH`), and the result
//! types of aggregates, window functions and the routines the migrations
//! created. What cannot be shown stays unknown (`None`): a comparison of
//! types then says nothing.

use std::collections::HashMap;

use sqlparser::ast as sq;

use super::action::{Name, SqlType};
use super::statement::{expr_column_name, ident, object_name};

/// Output columns with their types, where known.
pub type Columns = Vec<(String, Option<SqlType>)>;

/// What the schema model tells about relations and routines.
pub trait Known {
    /// The columns of a table or view with their types; `None` when the
    /// model does not know them all.
    fn relation(&self, name: &Name) -> Option<Columns>;
    /// A routine's argument types and result type, by lower-case name.
    fn routine(&self, name: &str) -> Option<(Vec<SqlType>, SqlType)>;
}

/// The types of the output columns of a `CREATE VIEW` statement's query,
/// in order (`None` for a column whose type cannot be shown); `None` when
/// its columns cannot be listed.
pub fn output_types(create_view: &str, known: &dyn Known) -> Option<Vec<Option<SqlType>>> {
    let dialect = sqlparser::dialect::PostgreSqlDialect {};
    let mut stmts = sqlparser::parser::Parser::parse_sql(&dialect, create_view).ok()?;
    let sq::Statement::CreateView(v) = stmts.pop()? else {
        return None;
    };
    let cols = query(&v.query, known, &HashMap::new())?;
    Some(cols.into_iter().map(|(_, t)| t).collect())
}

type Ctes = HashMap<String, Option<Columns>>;

fn query(q: &sq::Query, known: &dyn Known, outer: &Ctes) -> Option<Columns> {
    let mut ctes = outer.clone();
    for cte in q.with.iter().flat_map(|w| &w.cte_tables) {
        let cols = query(&cte.query, known, &ctes).map(|c| renamed(c, &cte.alias));
        ctes.insert(ident(&cte.alias.name), cols.flatten());
    }
    body(&q.body, known, &ctes)
}

/// Columns renamed by an alias's column list (`AS t (a, b)`).
fn renamed(cols: Columns, alias: &sq::TableAlias) -> Option<Columns> {
    if alias.columns.is_empty() {
        return Some(cols);
    }
    (alias.columns.len() == cols.len()).then(|| {
        alias
            .columns
            .iter()
            .zip(cols)
            .map(|(a, (_, t))| (ident(&a.name), t))
            .collect()
    })
}

fn body(b: &sq::SetExpr, known: &dyn Known, ctes: &Ctes) -> Option<Columns> {
    match b {
        sq::SetExpr::Select(sel) => select(sel, known, ctes),
        sq::SetExpr::Query(q) => query(q, known, ctes),
        // Each column takes the type both sides agree on.
        sq::SetExpr::SetOperation { left, right, .. } => {
            let (l, r) = (body(left, known, ctes)?, body(right, known, ctes));
            Some(match r {
                Some(r) if r.len() == l.len() => l
                    .into_iter()
                    .zip(r)
                    .map(|((n, a), (_, b))| (n, common(&[a, b])))
                    .collect(),
                _ => l.into_iter().map(|(n, _)| (n, None)).collect(),
            })
        }
        _ => None,
    }
}

/// A FROM item of a SELECT: the name the select list uses, its columns
/// when known, and whether they are in order (a subquery's or a CTE's; the
/// model does not keep the order of a table's columns).
struct Item {
    name: String,
    columns: Option<Columns>,
    ordered: bool,
}

type Scope = Vec<Item>;

fn select(sel: &sq::Select, known: &dyn Known, ctes: &Ctes) -> Option<Columns> {
    let mut scope = Scope::new();
    for t in &sel.from {
        factor(&t.relation, known, ctes, &mut scope);
        for j in &t.joins {
            factor(&j.relation, known, ctes, &mut scope);
        }
    }
    let mut out = Columns::new();
    for item in &sel.projection {
        match item {
            sq::SelectItem::UnnamedExpr(e) => out.push((expr_column_name(e), expr(e, known, &scope))),
            sq::SelectItem::ExprWithAlias { expr: e, alias } => out.push((ident(alias), expr(e, known, &scope))),
            sq::SelectItem::Wildcard(_) => {
                for item in &scope {
                    out.extend(item.columns.clone().filter(|_| item.ordered)?);
                }
            }
            sq::SelectItem::QualifiedWildcard(sq::SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                let wanted = object_name(n).name;
                let item = scope.iter().find(|i| i.name == wanted)?;
                out.extend(item.columns.clone().filter(|_| item.ordered)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn factor(f: &sq::TableFactor, known: &dyn Known, ctes: &Ctes, scope: &mut Scope) {
    match f {
        sq::TableFactor::Table { name, alias, .. } => {
            let n = object_name(name);
            let (columns, ordered) = match ctes.get(&n.name).filter(|_| n.schema.is_none()) {
                Some(c) => (c.clone(), true),
                None => (known.relation(&n), false),
            };
            let columns = match alias {
                Some(a) if ordered => columns.and_then(|c| renamed(c, a)),
                Some(a) if !a.columns.is_empty() => None,
                _ => columns,
            };
            let name = alias.as_ref().map_or(n.name, |a| ident(&a.name));
            scope.push(Item { name, columns, ordered });
        }
        sq::TableFactor::Derived {
            subquery,
            alias: Some(a),
            ..
        } => {
            let columns = query(subquery, known, ctes).and_then(|c| renamed(c, a));
            scope.push(Item {
                name: ident(&a.name),
                columns,
                ordered: true,
            });
        }
        sq::TableFactor::NestedJoin { table_with_joins, .. } => {
            factor(&table_with_joins.relation, known, ctes, scope);
            for j in &table_with_joins.joins {
                factor(&j.relation, known, ctes, scope);
            }
        }
        // A function in FROM, VALUES ...: its columns are not known.
        other => {
            let name = match other {
                sq::TableFactor::Function { alias: Some(a), .. } | sq::TableFactor::UNNEST { alias: Some(a), .. } => {
                    ident(&a.name)
                }
                _ => String::new(),
            };
            scope.push(Item {
                name,
                columns: None,
                ordered: false,
            });
        }
    }
}

/// The column `column` of the FROM item `qualifier`, or of the one FROM
/// item that has it (`None` when an item of unknown columns might).
fn column(scope: &Scope, qualifier: Option<&str>, column: &str) -> Option<SqlType> {
    let find = |cols: &Columns| cols.iter().find(|(n, _)| n == column).map(|(_, t)| t.clone());
    if let Some(q) = qualifier {
        let item = scope.iter().find(|i| i.name == q)?;
        return find(item.columns.as_ref()?)?;
    }
    let mut hits = Vec::new();
    for item in scope {
        hits.extend(find(item.columns.as_ref()?));
    }
    match hits.as_slice() {
        [one] => one.clone(),
        _ => None,
    }
}

fn is_null(e: &sq::Expr) -> bool {
    matches!(e, sq::Expr::Value(v) if v.value == sq::Value::Null)
}

fn ty(name: &str) -> Option<SqlType> {
    Some(SqlType::parse(name))
}

/// The type of an expression, when it can be shown.
fn expr(e: &sq::Expr, known: &dyn Known, scope: &Scope) -> Option<SqlType> {
    match e {
        sq::Expr::Identifier(id) => column(scope, None, &ident(id)),
        sq::Expr::CompoundIdentifier(ids) if ids.len() >= 2 => {
            column(scope, Some(&ident(&ids[ids.len() - 2])), &ident(&ids[ids.len() - 1]))
        }
        sq::Expr::Nested(e) => expr(e, known, scope),
        sq::Expr::UnaryOp {
            op: sq::UnaryOperator::Minus | sq::UnaryOperator::Plus,
            expr: e,
        } => expr(e, known, scope),
        sq::Expr::Cast { data_type, .. } => ty(&data_type.to_string()),
        sq::Expr::Value(v) => match &v.value {
            sq::Value::Number(n, _) => {
                let n = n.to_string();
                if n.parse::<i32>().is_ok() {
                    ty("integer")
                } else if n.parse::<i64>().is_ok() {
                    ty("bigint")
                } else {
                    ty("numeric")
                }
            }
            sq::Value::Boolean(_) => ty("boolean"),
            _ => None,
        },
        sq::Expr::BinaryOp { left, op, right } => {
            use sq::BinaryOperator as B;
            match op {
                B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => {
                    let (l, r) = (expr(left, known, scope)?, expr(right, known, scope)?);
                    numeric_rank(&l)?;
                    numeric_rank(&r)?;
                    common(&[Some(l), Some(r)])
                }
                B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::And | B::Or => ty("boolean"),
                _ => None,
            }
        }
        sq::Expr::IsNull(_) | sq::Expr::IsNotNull(_) | sq::Expr::Exists { .. } => ty("boolean"),
        sq::Expr::Case {
            conditions,
            else_result,
            ..
        } => {
            let results: Vec<&sq::Expr> = conditions
                .iter()
                .map(|c| &c.result)
                .chain(else_result.as_deref())
                .collect();
            agree(&results, known, scope)
        }
        sq::Expr::Function(f) => function(f, known, scope),
        _ => None,
    }
}

/// The common type of expressions (NULL literals aside), when every one is known.
fn agree(es: &[&sq::Expr], known: &dyn Known, scope: &Scope) -> Option<SqlType> {
    let types: Vec<Option<SqlType>> = es
        .iter()
        .filter(|e| !is_null(e))
        .map(|e| expr(e, known, scope))
        .collect();
    common(&types)
}

/// Numeric types in the order PostgreSQL resolves a common type.
fn numeric_rank(t: &SqlType) -> Option<u8> {
    if t.array {
        return None;
    }
    match t.base.as_str() {
        "int2" | "smallserial" | "serial2" => Some(0),
        "int4" | "serial" | "serial4" => Some(1),
        "int8" | "bigserial" | "serial8" => Some(2),
        "numeric" => Some(3),
        "float4" => Some(4),
        "float8" => Some(5),
        _ => None,
    }
}

/// The type PostgreSQL gives a set of values (`CASE`, `COALESCE`, `UNION`):
/// the one type they share, or the widest numeric type; `None` when one is
/// unknown or the types differ otherwise.
fn common(types: &[Option<SqlType>]) -> Option<SqlType> {
    let mut out: Option<SqlType> = None;
    for t in types {
        let t = t.as_ref()?;
        out = match out {
            None => Some(t.clone()),
            Some(o) if o.base == t.base && o.mods == t.mods && o.array == t.array => Some(o),
            Some(o) => {
                let (a, b) = (numeric_rank(&o)?, numeric_rank(t)?);
                Some(if b > a { t.clone() } else { o })
            }
        };
    }
    out
}

fn function(f: &sq::Function, known: &dyn Known, scope: &Scope) -> Option<SqlType> {
    let name = object_name(&f.name).name.to_lowercase();
    let args: Vec<&sq::Expr> = match &f.args {
        sq::FunctionArguments::List(l) => l
            .args
            .iter()
            .filter_map(|a| match a {
                sq::FunctionArg::Unnamed(sq::FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let first = || expr(args.first()?, known, scope);
    match name.as_str() {
        "count" | "row_number" | "rank" | "dense_rank" => ty("bigint"),
        "ntile" => ty("integer"),
        "percent_rank" | "cume_dist" => ty("double precision"),
        "min" | "max" | "first_value" | "last_value" | "lag" | "lead" | "nth_value" | "abs" => first(),
        "sum" => {
            let t = first()?;
            match numeric_rank(&t)? {
                0 | 1 => ty("bigint"),
                2 | 3 => ty("numeric"),
                _ => Some(t),
            }
        }
        "avg" => match numeric_rank(&first()?)? {
            0..=3 => ty("numeric"),
            _ => ty("double precision"),
        },
        "coalesce" | "greatest" | "least" => agree(&args, known, scope),
        "nullif" => first(),
        "now" | "current_timestamp" => ty("timestamp with time zone"),
        _ => {
            let (params, returns) = known.routine(&name)?;
            if params.len() != args.len() {
                return None;
            }
            if !returns.base.starts_with("any") {
                return Some(returns);
            }
            // A polymorphic result takes the type of the polymorphic arguments.
            let poly: Vec<&sq::Expr> = params
                .iter()
                .zip(&args)
                .filter(|(p, _)| p.base.starts_with("any"))
                .map(|(_, a)| *a)
                .collect();
            agree(&poly, known, scope)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Known for Fake {
        fn relation(&self, name: &Name) -> Option<Columns> {
            (name.name == "metrics").then(|| {
                vec![
                    ("id".to_string(), ty("integer")),
                    ("downloads".to_string(), ty("integer")),
                    ("total".to_string(), ty("bigint")),
                ]
            })
        }
        fn routine(&self, name: &str) -> Option<(Vec<SqlType>, SqlType)> {
            let any = SqlType::parse("anyelement");
            (name == "pick").then(|| (vec![SqlType::parse("boolean"), any.clone(), any.clone()], any))
        }
    }

    fn types(sql: &str) -> Vec<String> {
        output_types(sql, &Fake)
            .unwrap()
            .into_iter()
            .map(|t| t.map_or("?".to_string(), |t| t.base))
            .collect()
    }

    #[test]
    fn types_follow_from_casts_literals_columns_and_functions() {
        assert_eq!(
            types("CREATE VIEW v AS SELECT m.id, count(*) AS n, x::int, 1 AS one, 3000000000 AS big, sum(m.downloads) AS s, 'a' AS t FROM metrics m"),
            ["int4", "int8", "int4", "int4", "int8", "int8", "?"]
        );
        // Through a CTE, a subquery, COALESCE, CASE and a polymorphic routine.
        assert_eq!(
            types("CREATE VIEW v AS WITH c AS (SELECT id, coalesce(downloads, 0) AS d FROM metrics) SELECT max(pick(true, s.d, NULL::int)) AS d, CASE WHEN true THEN s.d ELSE total END AS e, row_number() OVER () AS r FROM (SELECT * FROM c) s, metrics"),
            ["int4", "int8", "int8"]
        );
        // A column of a table the model does not know, or an ambiguous one.
        assert_eq!(
            types("CREATE VIEW v AS SELECT a.id, id FROM other a, metrics"),
            ["?", "?"]
        );
    }
}
