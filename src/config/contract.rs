//! The contract rules' keys of `migrations:` (issue #13): how long the code
//! must have stopped using what a migration drops or renames.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A minimum age: `14d`, `36h`, `2w`, `90m`, `3600s`, or `0` (off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(try_from = "AgeText", into = "String")]
#[schemars(with = "AgeText")]
pub struct Age {
    pub seconds: i64,
}

/// How an age is written.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum AgeText {
    /// `0`: off.
    Number(u64),
    /// A number and a unit: `s`, `m`, `h`, `d` or `w` (`14d`).
    Text(String),
}

impl Age {
    /// The default: two weeks, as the expand/contract runbook says.
    pub const TWO_WEEKS: Age = Age { seconds: 14 * 86_400 };

    pub fn parse(s: &str) -> Result<Age, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: i64 = num
            .parse()
            .map_err(|_| format!("`{s}` is not an age; write it like `14d`, `36h` or `0`"))?;
        let factor = match unit.trim() {
            "" if n == 0 => 0,
            "s" => 1,
            "m" | "min" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(format!("`{s}` has no known unit; use s, m, h, d or w (`14d`)")),
        };
        n.checked_mul(factor)
            .map(|seconds| Age { seconds })
            .ok_or_else(|| format!("`{s}` is too long"))
    }
}

impl TryFrom<AgeText> for Age {
    type Error = String;
    fn try_from(v: AgeText) -> Result<Age, String> {
        match v {
            AgeText::Number(0) => Ok(Age { seconds: 0 }),
            AgeText::Number(n) => Err(format!("`{n}` has no unit; write it like `{n}d`")),
            AgeText::Text(s) => Age::parse(&s),
        }
    }
}

impl From<Age> for String {
    fn from(a: Age) -> String {
        match a.seconds {
            0 => "0".into(),
            s if s % 86_400 == 0 => format!("{}d", s / 86_400),
            s if s % 3_600 == 0 => format!("{}h", s / 3_600),
            s => format!("{s}s"),
        }
    }
}

impl std::fmt::Display for Age {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from(*self))
    }
}

pub fn two_weeks() -> Age {
    Age::TWO_WEEKS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_have_units_and_zero_is_off() {
        assert_eq!(Age::parse("14d"), Ok(Age::TWO_WEEKS));
        assert_eq!(Age::parse("2w"), Ok(Age::TWO_WEEKS));
        assert_eq!(Age::parse("36h").unwrap().seconds, 36 * 3600);
        assert_eq!(Age::parse("0").unwrap().seconds, 0);
        assert!(Age::parse("14").is_err());
        assert!(Age::parse("d").is_err());
        assert!(Age::parse("99999999999999999w").is_err());
        let c = crate::config::parse("migrations:\n  contract_min_age: 0\n  contract_ignore: ['legacy/**']\n").unwrap();
        assert_eq!(c.migrations.contract_min_age.seconds, 0);
        assert_eq!(c.migrations.contract_ignore, ["legacy/**"]);
        assert_eq!(
            crate::config::parse("").unwrap().migrations.contract_min_age,
            Age::TWO_WEEKS
        );
        let (msg, _) = crate::config::parse("migrations:\n  contract_min_age: 2 weeks\n").unwrap_err();
        assert!(msg.contains("unit"), "{msg}");
    }
}
