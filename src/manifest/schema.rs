//! The JSON Schema of rollout manifests (`schemas/rollout.schema.json`) and
//! its violations as findings at the YAML line and column of the node.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::input::ROLLOUT_SCHEMA_VIOLATION;
use super::model::Manifest;
use crate::finding::Finding;
use crate::yaml::escape_pointer;

/// The schema as checked in, printed by `shipgate schema rollout`.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/rollout.schema.json");

static SCHEMA: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(SCHEMA_TEXT).expect("schemas/rollout.schema.json is JSON"));

static VALIDATOR: LazyLock<jsonschema::Validator> =
    LazyLock::new(|| jsonschema::draft202012::new(&SCHEMA).expect("schemas/rollout.schema.json is a valid schema"));

/// The schema as a JSON value.
pub fn json_schema() -> &'static Value {
    &SCHEMA
}

/// `/phases/1/exit/0/max` → `phases[1].exit[0].max`.
pub fn display_path(ptr: &str) -> String {
    let mut out = String::new();
    for seg in ptr.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// What the node at `ptr` is, for messages: `` `phases[1].bake` `` or "the manifest".
fn subject(ptr: &str) -> String {
    if ptr.is_empty() {
        "the manifest".to_string()
    } else {
        format!("`{}`", display_path(ptr))
    }
}

/// `the manifest is ...` → `The manifest is ...`.
fn capitalized(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => s,
    }
}

/// The schema node at a JSON pointer.
fn schema_at(ptr: &str) -> Option<&'static Value> {
    SCHEMA.pointer(ptr)
}

/// The `errorMessage` (ajv-errors style) the schema gives for `keyword` at `parent`.
fn custom_message(parent: &str, keyword: &str) -> Option<&'static str> {
    schema_at(parent)?.get("errorMessage")?.get(keyword)?.as_str()
}

/// The schema node at an evaluation path (`/properties/phases/items/$ref/...`),
/// following each `$ref` on the way.
fn resolve(path: &str) -> Option<&'static Value> {
    let mut node: &'static Value = &SCHEMA;
    for seg in path.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        node = if seg == "$ref" {
            let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
            SCHEMA.pointer(target)?
        } else {
            match node {
                Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => node.get(&seg)?,
            }
        };
    }
    Some(node)
}

fn description_of(node: &Value) -> Option<&str> {
    node.get("description")?.as_str()
}

/// What the node whose keyword failed is for: the description of the
/// property that refers to a definition, else of the definition itself.
fn description(evaluation_path: &str) -> Option<&'static str> {
    let parent = evaluation_path.rsplit_once('/').map_or("", |(p, _)| p);
    if let Some(referrer) = parent.strip_suffix("/$ref") {
        if let Some(d) = resolve(referrer).and_then(description_of) {
            return Some(d);
        }
    }
    resolve(parent).and_then(description_of)
}

/// The description of property `name` of the object schema at `parent` (a schema pointer).
fn property_description(parent: &str, name: &str) -> Option<&'static str> {
    let prop = schema_at(&format!("{parent}/properties/{}", escape_pointer(name)))?;
    description_of(prop).or_else(|| {
        let target = prop.get("$ref")?.as_str()?.strip_prefix('#')?;
        SCHEMA.pointer(target).and_then(description_of)
    })
}

/// Known keys of the object schema at `parent`, for "did you mean".
fn known_keys(parent: &str) -> Vec<&'static str> {
    schema_at(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Validates the manifest against the schema; each violation is a finding at its node.
pub fn validate(m: &Manifest) -> Vec<Finding> {
    let value = &m.doc.value;
    if value.is_null() {
        return vec![m.finding(
            &ROLLOUT_SCHEMA_VIOLATION,
            "",
            "The rollout manifest is empty, so there is no rollout to check",
            "start from `shipgate init` or docs/rollouts.md: `version: 1`, `feature`, `owner`, `flag`, `current_phase` and `phases`",
        )];
    }
    let mut out: Vec<Finding> = Vec::new();
    for e in VALIDATOR.iter_errors(value) {
        let ptr = e.instance_path().as_str().to_string();
        let schema_path = e.schema_path().as_str();
        let (parent, keyword) = schema_path.rsplit_once('/').unwrap_or(("", schema_path));
        let help_default = description(e.evaluation_path().as_str())
            .map(str::to_string)
            .unwrap_or_else(|| "see `shipgate schema rollout` and docs/rollouts.md".to_string());
        let custom = custom_message(parent, keyword);
        let mut f = match e.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let key_ptr = format!("{ptr}/{}", escape_pointer(key));
                    let known = known_keys(parent);
                    let help = match crate::suggest::closest(key, &known) {
                        Some(s) => format!("did you mean `{s}`? Known keys here: {}", known.join(", ")),
                        None => format!("known keys here: {} (or an `x-` key of your own)", known.join(", ")),
                    };
                    let where_ = if ptr.is_empty() {
                        "of a rollout manifest".to_string()
                    } else {
                        format!("of {}", subject(&ptr))
                    };
                    out.push(m.finding_at_key(
                        &ROLLOUT_SCHEMA_VIOLATION,
                        &key_ptr,
                        format!("`{key}` is not a key {where_}, so what it says would be ignored"),
                        help,
                    ));
                }
                continue;
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let help = match property_description(parent, name) {
                    Some(d) => format!("add `{name}:` ({d})"),
                    None => format!("add `{name}:`"),
                };
                let f = if ptr.is_empty() {
                    // The manifest itself: point at its first key rather than at nothing.
                    let first = m
                        .doc
                        .keys
                        .iter()
                        .filter(|(k, _)| k.matches('/').count() == 1)
                        .min_by_key(|(_, p)| p.offset)
                        .map_or(String::new(), |(k, _)| k.clone());
                    m.finding_at_key(
                        &ROLLOUT_SCHEMA_VIOLATION,
                        &first,
                        format!("The manifest lacks the required key `{name}`, so the rollout cannot be checked"),
                        help,
                    )
                } else {
                    m.finding(
                        &ROLLOUT_SCHEMA_VIOLATION,
                        &ptr,
                        format!(
                            "{} lacks the required key `{name}`, so the rollout cannot be checked",
                            subject(&ptr)
                        ),
                        help,
                    )
                };
                out.push(f);
                continue;
            }
            ValidationErrorKind::Type { .. } => {
                let what = custom.map_or_else(
                    || format!("has the wrong type ({})", json_type(e.instance())),
                    |c| format!("is {}, but {c}", json_type(e.instance())),
                );
                m.finding(
                    &ROLLOUT_SCHEMA_VIOLATION,
                    &ptr,
                    format!("{} {what}", subject(&ptr)),
                    help_default,
                )
            }
            ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. } => m.finding(
                &ROLLOUT_SCHEMA_VIOLATION,
                &ptr,
                format!(
                    "{} is `{}`, but {}",
                    subject(&ptr),
                    e.instance(),
                    custom.unwrap_or("that value is not allowed here")
                ),
                help_default,
            ),
            ValidationErrorKind::Pattern { .. } => {
                let shown = match e.instance().as_ref() {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                m.finding(
                    &ROLLOUT_SCHEMA_VIOLATION,
                    &ptr,
                    format!(
                        "{} is `{shown}`, which {}",
                        subject(&ptr),
                        custom.unwrap_or("does not have the expected form")
                    ),
                    help_default,
                )
            }
            _ => m.finding(
                &ROLLOUT_SCHEMA_VIOLATION,
                &ptr,
                match custom {
                    Some(c) => format!("{} {c}", subject(&ptr)),
                    None => format!("{}: {}", subject(&ptr), e.masked()),
                },
                help_default,
            ),
        };
        f.message = capitalized(f.message);
        out.push(f);
    }
    out.dedup_by(|a, b| a.location == b.location && a.message == b.message);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_yaml() {
        assert_eq!(display_path("/phases/1/exit/0/max"), "phases[1].exit[0].max");
        assert_eq!(display_path("/a~1b"), "a/b");
    }

    fn findings(src: &str) -> Vec<Finding> {
        let m = Manifest::new("m.yml".into(), src.into(), crate::yaml::parse(src).unwrap());
        validate(&m)
    }

    #[test]
    fn a_manifest_that_is_not_a_mapping_says_what_it_should_be() {
        let f = findings("- version: 1\n");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message
                .starts_with("The manifest is a list, but must be a mapping"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].location.unwrap().line, 1);
    }

    #[test]
    fn a_missing_top_level_key_points_at_the_first_key() {
        let f = findings(
            "# c\nversion: 1\nfeature: x\nowner: o\nflag: f\nphases: [{name: a, audience: {percentage: 1}}]\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("`current_phase`"), "{}", f[0].message);
        assert_eq!(f[0].location.unwrap().line, 2);
    }
}
