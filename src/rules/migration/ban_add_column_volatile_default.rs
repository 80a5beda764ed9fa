//! Adding a column whose default must be computed per row.
use super::{Cx, Hit};
use crate::migration::action::{Action, Generated};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ADD COLUMN` on an existing table with a volatile default
    /// (`gen_random_uuid()`, `random()`, `clock_timestamp()`, `nextval(...)`,
    /// `serial` types, any function shipgate does not know to be stable), an
    /// identity column, or a stored generated column (virtual generated columns
    /// are computed on read and are not flagged).
    ///
    /// ## Why it blocks a release
    /// Since PostgreSQL 11 a constant default is free, but a volatile one is
    /// computed for every existing row: the table is rewritten under an ACCESS
    /// EXCLUSIVE lock, blocking reads and writes for the duration.
    ///
    /// ## How to ship it safely
    /// Add the column without a default (or with a constant one), set the
    /// default in a second statement, and backfill existing rows in batches.
    pub RULE = { id: "ban-add-column-volatile-default", domain: Migration, default: Warning, class: Lock };
}

/// Functions that are stable or immutable, so a default using them is evaluated once.
const STABLE: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "statement_timestamp",
    "current_user",
    "session_user",
    "current_schema",
    "lower",
    "upper",
    "coalesce",
    "array",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "timezone",
    "make_interval",
    "interval",
    "date_trunc",
    "concat",
    "char_length",
    "length",
    "abs",
    "round",
    "nullif",
    "greatest",
    "least",
    "current_setting",
    "row",
    "cast",
];

const VOLATILE_TYPES: &[&str] = &["serial", "bigserial", "smallserial", "serial2"];

fn volatile(default: &str) -> bool {
    let lower = default.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('(') {
        let before = rest[..i].trim_end();
        let name = before
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if !name.is_empty() && !STABLE.contains(&name) {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    for a in cx.actions {
        if let Action::AddColumn { table, column } = a {
            if cx.catalog.table_is_new(table) {
                continue;
            }
            let why = if VOLATILE_TYPES.contains(&column.ty.base.as_str()) {
                Some(format!("type `{}` fills every row from a sequence", column.ty.text))
            } else if column.generated == Some(Generated::Identity) {
                Some("identity fills every row from a sequence".to_string())
            } else if column.generated == Some(Generated::Stored) {
                Some("generated value is computed and stored for every row".to_string())
            } else {
                column
                    .default
                    .as_deref()
                    .filter(|d| volatile(d))
                    .map(|d| format!("default `{d}` is computed for every row"))
            };
            if let Some(why) = why {
                out.push(Hit::new(
                    &RULE,
                    format!(
                        "Adding column `{table}.{}` rewrites the table under an exclusive lock: its {why}",
                        column.name
                    ),
                    "add the column without a default, then set the default and backfill existing rows in batches",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn volatility() {
        assert!(super::volatile("gen_random_uuid()"));
        assert!(super::volatile("nextval('s'::regclass)"));
        assert!(!super::volatile("now()"));
        assert!(!super::volatile("'x'::text"));
        assert!(!super::volatile("0"));
    }
}
