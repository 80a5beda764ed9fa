//! Dropping a view or materialized view, or re-creating it with less.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Name, ObjectKind};
use crate::migration::schema_model::ViewShape;
use crate::migration::view_types::output_types;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP VIEW` and `DROP MATERIALIZED VIEW` of a view that existed
    /// before this change and is not re-created later in the same file.
    ///
    /// A view that is dropped and re-created later in the file is flagged
    /// when the new definition lacks one of the old output columns, or when a
    /// view comes back as a materialized view (or the reverse). Columns are
    /// read from the view's column list or its select list; when the old
    /// view's columns are known and the new ones are not (`SELECT *`, or SQL
    /// that shipgate cannot read), the re-creation is flagged too, because
    /// nothing shows that the old columns are still there. When the old
    /// view's columns are unknown (it was created outside the migrations
    /// shipgate sees, or as `SELECT *` over tables), there is nothing to
    /// compare, and a re-creation of the same kind counts as a replacement.
    ///
    /// A column that keeps its name but changes to a type its old values do
    /// not all convert to (`bigint` to `integer`, `text` to `jsonb`) is
    /// flagged too. Types are read from casts, literals, the columns of
    /// tables and views the migrations created, aggregates such as `count`
    /// and `sum`, window functions, and the functions the migrations created;
    /// a column whose type cannot be shown is not compared.
    ///
    /// `DROP VIEW IF EXISTS` of a view that the migrations never created (or
    /// dropped since) is a no-op and is not flagged.
    ///
    /// ## Why it blocks a release
    /// Queries of the running release that select from the view fail at once,
    /// and so do queries that select a column the new definition lacks. A
    /// client that decodes a column by its type (most drivers and ORMs do)
    /// fails on a narrower one, or reads numbers that no longer fit. A
    /// materialized view serves the rows of its last `REFRESH`, not live rows,
    /// and rejects writes that an updatable view accepted; a plain view
    /// rejects the running release's `REFRESH MATERIALIZED VIEW`.
    ///
    /// ## How to ship it safely
    /// Use `CREATE OR REPLACE VIEW` to change a view (it can only add
    /// columns), or drop and re-create it in the same migration with every
    /// column it had. To remove a column or the view, or to materialize it,
    /// stop using what goes first and approve the change with
    /// `-- MIGRATION_APPROVED: <reason>`; or create a view under a new name.
    pub RULE = { id: "ban-drop-view", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    narrowed_type(cx, out);
    super::drops(
        cx,
        out,
        &RULE,
        &[ObjectKind::View, ObjectKind::MaterializedView],
        "re-create the view in the same migration, or stop using it before dropping it",
    );
    for a in cx.actions {
        let Action::Drop {
            kind: kind @ (ObjectKind::View | ObjectKind::MaterializedView),
            names,
            cascade: false,
            ..
        } = a
        else {
            continue;
        };
        for name in names {
            // A drop that is no replacement is flagged above.
            if cx.catalog.is_new(*kind, name) || !cx.recreated_later(*kind, name) {
                continue;
            }
            let (Some(old), Some(new)) = (cx.catalog.views.get(name), recreated_as(cx, name)) else {
                continue;
            };
            if let Some(message) = narrower(name, old, &new) {
                out.push(
                    Finding::new(&RULE, message).help(
                        "re-create the view with every column it had, or stop using what goes before dropping it",
                    ),
                );
            }
        }
    }
}

/// The first definition a later statement of the file gives the view.
fn recreated_as(cx: &MigrationCx, name: &Name) -> Option<ViewShape> {
    let mut actions = cx.later.iter().flat_map(|s| &s.actions);
    let kind = actions.by_ref().find_map(|a| match a {
        Action::Create {
            kind: k @ (ObjectKind::View | ObjectKind::MaterializedView),
            name: n,
            ..
        } if n == name => Some(*k),
        _ => None,
    })?;
    // Its columns come right after the `Create`, in the same statement.
    let columns = match actions.next() {
        Some(Action::ViewColumns { view, columns, .. }) if view == name => columns.clone(),
        _ => None,
    };
    Some(ViewShape {
        materialized: kind == ObjectKind::MaterializedView,
        columns,
        query: None,
    })
}

/// At the statement that re-creates a view this change dropped: a column
/// that keeps its name but takes a type its old values do not all convert
/// to. (The types are read here, where the schema is the one the new
/// definition is created over.)
fn narrowed_type(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        let Action::ViewColumns {
            view,
            columns: Some(columns),
            query: Some(query),
        } = a
        else {
            continue;
        };
        let Some(old) = cx
            .catalog
            .dropped_view(view)
            .filter(|v| v.types.iter().any(Option::is_some))
        else {
            continue;
        };
        let Some(types) = output_types(query, cx.catalog).filter(|t| t.len() == columns.len()) else {
            continue;
        };
        let narrowed = columns.iter().zip(&types).find_map(|(c, to)| {
            let (from, to) = (old.column_type(c)?, to.as_ref()?);
            (!from.widens_to(to) && !from.widens_with_rewrite(to)).then_some((c, from, to))
        });
        if let Some((c, from, to)) = narrowed {
            out.push(Finding::new(&RULE, format!(
                    "Re-creating {} `{view}` turns column `{c}` from {} into {}: the running release decodes it as the old type, and values that do not fit fail",
                    if old.shape.materialized { "materialized view" } else { "view" },
                    from.text.to_lowercase(),
                    to.text.to_lowercase()
                )).help("keep the column's type (cast it back), or stop using the column before changing it"));
        }
    }
}

/// Why the re-created view offers less than the old one, if it does.
fn narrower(name: &Name, old: &ViewShape, new: &ViewShape) -> Option<String> {
    let label = |m: bool| if m { "materialized view" } else { "view" };
    match (old.materialized, new.materialized) {
        (false, true) => {
            return Some(format!(
                "Re-creating view `{name}` as a materialized view gives the running release rows as of the last REFRESH, not live rows, and rejects its writes"
            ))
        }
        (true, false) => {
            return Some(format!(
                "Re-creating materialized view `{name}` as a plain view breaks the running release's `REFRESH MATERIALIZED VIEW`"
            ))
        }
        _ => {}
    }
    let old_columns = old.columns.as_ref()?;
    let Some(new_columns) = &new.columns else {
        return Some(format!(
            "Re-creating {} `{name}` with columns shipgate cannot read may drop some of `{}`, which the running release selects",
            label(old.materialized),
            old_columns.join("`, `")
        ));
    };
    let lost: Vec<&str> = old_columns
        .iter()
        .filter(|c| !new_columns.contains(c))
        .map(String::as_str)
        .collect();
    (!lost.is_empty()).then(|| {
        format!(
            "Re-creating {} `{name}` without {} `{}` breaks the running release's queries that select it",
            label(old.materialized),
            if lost.len() == 1 { "column" } else { "columns" },
            lost.join("`, `")
        )
    })
}
