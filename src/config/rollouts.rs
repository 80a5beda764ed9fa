//! `rollouts:` in shipgate.yml (read by the rollout gate and rules).

use serde::{Deserialize, Deserializer, Serialize};

use schemars::JsonSchema;

/// `rollouts:` in shipgate.yml.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct RolloutsConfig {
    /// Glob patterns (relative to the repository root, `*` does not cross `/`)
    /// of rollout manifests.
    #[serde(default = "default_paths")]
    pub paths: Vec<String>,
    /// A phase or step may expose at most this many times the previous non-zero
    /// exposure (`traffic-step-too-large`). Greater than 1.
    #[serde(default = "default_step_factor", deserialize_with = "step_factor")]
    #[schemars(extend("exclusiveMinimum" = 1))]
    pub max_step_factor: f64,
    /// The first non-zero exposure of a rollout, in percent, is at most this
    /// (`traffic-step-too-large`). From 0 (exclusive) to 100.
    #[serde(default = "default_first_percentage", deserialize_with = "first_percentage")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub max_first_percentage: f64,
    /// A manifest without `kill_switch` is an error rather than a warning
    /// (`missing-kill-switch`).
    #[serde(default)]
    pub require_kill_switch: bool,
    /// Every exposed phase must have a `bake` (`exposed-phase-without-bake`),
    /// the time it runs before the rollout may advance
    /// (`phase-advanced-before-bake`).
    #[serde(default)]
    pub require_bake: bool,
}

impl Default for RolloutsConfig {
    fn default() -> Self {
        RolloutsConfig {
            paths: default_paths(),
            max_step_factor: default_step_factor(),
            max_first_percentage: default_first_percentage(),
            require_kill_switch: false,
            require_bake: false,
        }
    }
}

fn default_paths() -> Vec<String> {
    vec!["rollouts/*.yml".into(), "rollouts/*.yaml".into()]
}

fn default_step_factor() -> f64 {
    2.0
}

fn default_first_percentage() -> f64 {
    10.0
}

fn step_factor<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v > 1.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "max_step_factor must be greater than 1 (got {v}); 2 lets each step double the exposure"
        )))
    }
}

fn first_percentage<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v > 0.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "max_first_percentage must be above 0 and at most 100 (got {v})"
        )))
    }
}
