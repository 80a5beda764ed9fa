//! The flag registry reads what GitHub renders: each table, generated or
//! tricky, goes both to shipgate's registry reader and to pulldown-cmark with
//! GitHub's table extension, and the cell texts must agree.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use shipgate::flags::{Column, FlagRegistry};

/// The rows of every table as GitHub renders them: the visible text of each cell.
fn rendered(md: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Option<Vec<String>> = None;
    let mut cell: Option<String> = None;
    let mut in_head = false;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableHead) => {
                in_head = true;
                row = Some(Vec::new());
            }
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => row = Some(Vec::new()),
            Event::End(TagEnd::TableRow) => rows.extend(row.take()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                    if !in_head {
                        r.push(c.trim().to_string());
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    rows.into_iter().filter(|r| !r.is_empty()).collect()
}

/// The rows as shipgate reads them: Flag, Owner and Default ("" where a cell is missing).
fn read(md: &str) -> Vec<Vec<String>> {
    let reg = FlagRegistry::parse("docs/flags.md", md);
    reg.entries
        .iter()
        .map(|e| {
            [Column::Flag, Column::Owner, Column::Default]
                .map(|c| e.cells.get(&c).map(|cell| cell.text.clone()).unwrap_or_default())
                .to_vec()
        })
        .collect()
}

/// Where shipgate and GitHub disagree on `md` (GitHub's rows cut to the
/// three columns these tables have), or `None`. The flag a row documents is
/// the rendered text of its cell.
fn disagreement(name: &str, md: &str) -> Option<String> {
    let github: Vec<Vec<String>> = rendered(md)
        .into_iter()
        .map(|r| r.into_iter().take(3).collect())
        .collect();
    let shipgate = read(md);
    let names: Vec<String> = FlagRegistry::parse("docs/flags.md", md)
        .entries
        .into_iter()
        .map(|e| e.name)
        .collect();
    let github_names: Vec<String> = github.iter().map(|r| r[0].clone()).collect();
    (shipgate != github || names != github_names)
        .then(|| format!("{name}: shipgate reads {shipgate:?} (flags {names:?}), GitHub renders {github:?}"))
}

fn agree(cases: &[(String, String)]) {
    let wrong: Vec<String> = cases.iter().filter_map(|(name, md)| disagreement(name, md)).collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn generated_tables_read_as_rendered() {
    let names = ["new_checkout", "beta.search", "ops-kill-switch", "x", "ga_2026_q1"];
    let owners = ["@payments", "@search-team", "@ops", "@a, @b"];
    let defaults = ["off", "on", "`off`", "**on**"];
    let mut cases = Vec::new();
    for outer in [true, false] {
        for align in ["---", ":---", "---:", ":---:"] {
            let row = |cells: [&str; 3]| {
                let inner = cells.join(" | ");
                if outer {
                    format!("| {inner} |\n")
                } else {
                    format!("{inner}\n")
                }
            };
            let mut md = String::from("# Flags\n\n");
            md += &row(["Flag", "Owner", "Default"]);
            md += &row([align, align, align]);
            for (i, n) in names.iter().enumerate() {
                let flag = if i % 2 == 0 { format!("`{n}`") } else { n.to_string() };
                md += &row([&flag, owners[i % owners.len()], defaults[i % defaults.len()]]);
            }
            cases.push((format!("outer pipes {outer}, alignment {align}"), md));
        }
    }
    agree(&cases);
}

#[test]
fn tricky_tables_read_as_rendered() {
    let cases = [
        (
            "escaped pipe",
            "| Flag | Owner | Default |\n|---|---|---|\n| `a` | @x \\| @y | off |\n",
        ),
        (
            "escaped pipe in a code span",
            "| Flag | Owner | Default |\n|---|---|---|\n| `a\\|b` | @x | off |\n",
        ),
        (
            "alignment row",
            "| Flag | Owner | Default |\n|:---|:---:|---:|\n| `a` | @x | off |\n",
        ),
        (
            "no outer pipes",
            "Flag | Owner | Default\n--- | --- | ---\n`a` | @x | on\n",
        ),
        (
            "only a leading pipe",
            "| Flag | Owner | Default\n| --- | --- | ---\n| `a` | @x | on\n",
        ),
        (
            "more cells than the header",
            "| Flag | Owner | Default |\n|---|---|---|\n| `a` | @x | off | extra |\n",
        ),
        (
            "whole-cell emphasis and links",
            "| Flag | Owner | Default |\n|---|---|---|\n| **a** | [@x](https://github.com/x) | _off_ |\n",
        ),
        (
            "HTML entities",
            "| Flag | Owner | Default |\n|---|---|---|\n| `a` | @x &amp; @y | off |\n",
        ),
        (
            "backslash escapes",
            "| Flag | Owner | Default |\n|---|---|---|\n| new\\_checkout | @x | off |\n",
        ),
        (
            "a table in an indented code block",
            "Example:\n\n    | Flag | Owner | Default |\n    |---|---|---|\n    | `example` | @x | off |\n\n| Flag | Owner | Default |\n|---|---|---|\n| `a` | @x | off |\n",
        ),
        (
            "a table in a list item",
            "- The flags:\n\n    | Flag | Owner | Default |\n    |---|---|---|\n    | `b` | @x | off |\n",
        ),
        (
            "a table after prose and a code block",
            "Intro.\n\n```\n| Flag | Owner | Default |\n|---|---|---|\n| `fenced` | @x | off |\n```\n\n| Flag | Owner | Default |\n|---|---|---|\n| `a` | @x | off |\n",
        ),
    ];
    agree(&cases.map(|(n, md)| (n.to_string(), md.to_string())));
}

#[test]
fn ragged_rows_are_findings_where_github_pads() {
    // GitHub pads a short row with empty cells; shipgate reads the same and says so.
    let md = "| Flag | Owner | Default |\n|---|---|---|\n| `a` | @x |\n";
    agree(&[("fewer cells than the header".into(), md.into())]);
    let reg = FlagRegistry::parse("docs/flags.md", md);
    assert!(
        reg.problems.iter().any(|f| f.rule == "invalid-flag-registry"),
        "{:?}",
        reg.problems
    );
}
