//! Reference patterns: the built-in ones for common flag SDKs and
//! `FEATURE_X` environment variables, and the user's `flags.references`,
//! compiled into one multi-pattern regex per set of patterns that apply to a
//! file (chosen by the patterns' path globs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use crate::config::flags::{Capture, ReferencePattern};
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
use regex_automata::{meta, util::syntax};

/// What an `env_var` capture follows.
pub const ENV_PREFIX: &str = "FEATURE_";

/// Source files of the languages whose SDK calls the built-in patterns know.
pub const CODE_FILES: &[&str] = &[
    "*.{js,jsx,mjs,cjs,ts,tsx,mts,cts,vue,svelte,astro}",
    "*.{py,pyi,go,rb,erb,rake,haml,slim,java,kt,kts,scala,groovy,cs,fs,php,swift,rs,ex,exs,dart,lua}",
    "*.{c,cc,cpp,cxx,h,hh,hpp,m,mm}",
    "*.{html,htm,hbs,ejs,jinja,jinja2,j2,twig,liquid}",
];

/// Files that set environment variables: dotenv, shell, containers, CI, deploy config.
pub const ENV_FILES: &[&str] = &[
    ".env",
    ".env.*",
    "*.env",
    "*.{sh,bash,zsh,fish,yml,yaml,toml,ini,properties,tf,tfvars,conf,cfg}",
    "Dockerfile",
    "Dockerfile.*",
    "*.dockerfile",
    "Containerfile",
    "Procfile",
    "Makefile",
    "*.mk",
    "Justfile",
];

/// A built-in reference pattern.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// What it catches, for docs/flags.md.
    pub what: &'static str,
    pub pattern: &'static str,
    /// Each entry is a list of globs (see `CODE_FILES`, `ENV_FILES`).
    pub paths: &'static [&'static [&'static str]],
    pub capture: Capture,
}

const GO: &[&str] = &["*.go"];
const PY: &[&str] = &["*.{py,pyi,html,jinja,jinja2,j2}"];
const RUBY: &[&str] = &["*.{rb,erb,rake,haml,slim}", "Gemfile"];

/// The built-in patterns (`flags.default_references: true`). A flag name is
/// letters, digits, `_`, `.` and `-`, in `'`, `"` or `` ` `` quotes; a name
/// built at run time (`"beta_" + x`, `` `x-${y}` ``, `f"x_{y}"`) is not a reference.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        what: "enabled checks: `isEnabled(\"x\")`, `IsEnabled(\"x\")` (Go), `is_enabled(\"x\")`, `isFeatureEnabled`, `is_feature_enabled`, `featureEnabled`, `IsEnabledAsync` (.NET), `checkGate` (Statsig), `switch_is_active` (waffle)",
        pattern: r#"\b(?:[iI]s(?:Feature|Flag)?Enabled(?:Async)?|is_(?:feature_|flag_)?enabled|[fF]eatureEnabled|feature_enabled|[cC]heckGate|switch_is_active|sample_is_active)\s*\(\s*["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*[,)]"#,
        paths: &[CODE_FILES],
        capture: Capture::Flag,
    },
    Builtin {
        what: "React hooks: `useFlag(\"x\")`, `useFeatureFlag`, `useFeatureFlagEnabled` (PostHog), `useFeatureIsOn`/`useFeatureValue` (GrowthBook), `useGate` (Statsig), `useBooleanFlagValue` (OpenFeature)",
        pattern: r#"\buse(?:Flag|FeatureFlag(?:Enabled|VariantKey|Payload)?|Feature(?:IsOn|Value)?|(?:Feature)?Gate|(?:Boolean|String|Number|Object)Flag(?:Value|Details))\s*\(\s*["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*[,)]"#,
        paths: &[CODE_FILES],
        capture: Capture::Flag,
    },
    Builtin {
        what: "LaunchDarkly variations with a fallback: `variation(\"x\", ...)`, `boolVariation`, `BoolVariation` (Go), `variation_detail`, `jsonVariation`, ...",
        pattern: r#"\b(?:[bB]ool|[sS]tring|[iI]nt|[fF]loat|[dD]ouble|[nN]umber|[jJ]son|JSON)?[vV]ariation(?:Detail|_detail)?\s*\(\s*["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*,"#,
        paths: &[CODE_FILES],
        capture: Capture::Flag,
    },
    Builtin {
        what: "OpenFeature evaluations with a default: `getBooleanValue(\"x\", ...)`, `getStringDetails`, `GetBooleanValueAsync` (.NET), `get_boolean_value` (Python), `fetch_boolean_value(flag_key: \"x\", ...)` (Ruby)",
        pattern: r#"\b(?:[gG]et(?:Boolean|String|Number|Integer|Double|Float|Object)(?:Value|Details)(?:Async)?|get_(?:boolean|string|integer|float|number|object)_(?:value|details)|fetch_(?:boolean|string|number|integer|float|object)_(?:value|details))\s*\(\s*(?:flag_key:\s*)?["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*,"#,
        paths: &[CODE_FILES],
        capture: Capture::Flag,
    },
    Builtin {
        what: "OpenFeature in Go: `client.BooleanValue(ctx, \"x\", false, ...)`",
        pattern: r#"\b(?:Boolean|String|Int|Float|Object)Value(?:Details)?\s*\(\s*[A-Za-z_][A-Za-z0-9_.]*(?:\(\))?\s*,\s*["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*,"#,
        paths: &[GO],
        capture: Capture::Flag,
    },
    Builtin {
        what: "SDK methods: `.isOn(\"x\")`, `.isOff`, `.getFeatureValue` (GrowthBook), `.getFeatureFlag`, `.get_feature_flag` (PostHog)",
        pattern: r#"\.(?:isOn|isOff|is_on|is_off|getFeatureValue|get_feature_value|evalFeature|eval_feature|getFeatureFlag|get_feature_flag|getFeatureFlagPayload|get_feature_flag_payload)\s*\(\s*["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*[,)]"#,
        paths: &[CODE_FILES],
        capture: Capture::Flag,
    },
    Builtin {
        what: "Python checks that take the request or user first: `flag_is_active(request, \"x\")` (django-waffle), `check_gate(user, \"x\")` (Statsig)",
        pattern: r#"\b(?:flag_is_active|check_gate)\s*\(\s*[A-Za-z_][A-Za-z0-9_.]*\s*,\s*["'`]([A-Za-z0-9_][A-Za-z0-9_.\-]*)["'`]\s*[,)]"#,
        paths: &[PY],
        capture: Capture::Flag,
    },
    Builtin {
        what: "Ruby: `Flipper.enabled?(:x)`, `Flipper[:x]`, `is_enabled?(\"x\")` and `is_enabled? \"x\"` (Unleash), `feature_enabled?`",
        pattern: r#"(?:\b(?:enabled\?|is_enabled\?|feature_enabled\?|Flipper\.enable|Flipper\.disable)[ \t]*\(?[ \t]*|\bFlipper[ \t]*\[[ \t]*)(?::|["'])([A-Za-z0-9_][A-Za-z0-9_.\-]*)(?:["']|[\s,)\]]|$)"#,
        paths: &[RUBY],
        capture: Capture::Flag,
    },
    Builtin {
        what: "`FEATURE_X` read from the environment: `process.env.FEATURE_X`, `import.meta.env.VITE_FEATURE_X`, `os.environ[\"FEATURE_X\"]`, `os.getenv`, `os.Getenv` (Go), `ENV[\"FEATURE_X\"]`, `ENV.fetch` (Ruby), `System.getenv` (Java), `env::var` (Rust), `env(\"FEATURE_X\")` (Laravel), `$_ENV[\"FEATURE_X\"]` (PHP), `${{ env.FEATURE_X }}` (Actions)",
        pattern: r#"(?:\benv(?:\.get\s*\(\s*|\s*\.\s*|\s*\[\s*|::var(?:_os)?\s*\(\s*|!\s*\(\s*|\s*\(\s*)|\bENV(?:\s*\[\s*|\.fetch\s*\(\s*)|\benviron(?:\.get\s*\(\s*|\s*\[\s*)|\b[gG]etenv\s*\(\s*|\bLookupEnv\s*\(\s*|\bGetEnvironmentVariable\s*\(\s*|\$_(?:ENV|SERVER)\s*\[\s*)["'`]?(?:NEXT_PUBLIC_|REACT_APP_|VITE_|EXPO_PUBLIC_|NUXT_PUBLIC_|PUBLIC_|GATSBY_)?FEATURE_([A-Z0-9]+(?:_[A-Z0-9]+)*)\b"#,
        paths: &[CODE_FILES, ENV_FILES],
        capture: Capture::EnvVar,
    },
    Builtin {
        what: "`FEATURE_X` set in dotenv, shell, Dockerfile, Compose, Kubernetes and CI files: `FEATURE_X=true`, `export FEATURE_X=1`, `ENV FEATURE_X=1`, `FEATURE_X: \"true\"`, `- name: FEATURE_X`",
        pattern: r#"(?m)^[ \t]*(?:export[ \t]+|ENV[ \t]+|ARG[ \t]+|-[ \t]+(?:name:[ \t]*)?)?["']?(?:NEXT_PUBLIC_|REACT_APP_|VITE_|EXPO_PUBLIC_|NUXT_PUBLIC_|PUBLIC_|GATSBY_)?FEATURE_([A-Z0-9]+(?:_[A-Z0-9]+)*)["']?[ \t]*(?:[=:]|\r?$)"#,
        paths: &[ENV_FILES],
        capture: Capture::EnvVar,
    },
    Builtin {
        what: "`$FEATURE_X` and `${FEATURE_X}` in shell, Dockerfile, Compose and CI files",
        pattern: r#"\$\{?(?:NEXT_PUBLIC_|REACT_APP_|VITE_|EXPO_PUBLIC_|NUXT_PUBLIC_|PUBLIC_|GATSBY_)?FEATURE_([A-Z0-9]+(?:_[A-Z0-9]+)*)\b"#,
        paths: &[ENV_FILES],
        capture: Capture::EnvVar,
    },
];

impl Builtin {
    pub fn to_pattern(&self) -> ReferencePattern {
        ReferencePattern {
            pattern: self.pattern.to_string(),
            paths: self
                .paths
                .iter()
                .flat_map(|g| g.iter().map(|s| s.to_string()))
                .collect(),
            capture: self.capture,
        }
    }
}

/// At most this many patterns (each is a bit of a mask).
pub const MAX_PATTERNS: usize = 128;

/// The syntax every reference pattern is compiled with: ASCII classes,
/// arbitrary bytes (files need not be UTF-8).
fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

/// Compiles one or more patterns into one multi-pattern regex.
fn build(patterns: &[&str]) -> Result<meta::Regex, String> {
    meta::Regex::builder()
        .syntax(syntax_config())
        .configure(meta::Config::new().utf8_empty(false))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// Splits globs into file-name globs and path globs (see `ReferencePattern::paths`).
#[derive(Debug, Clone)]
pub struct Globs {
    names: GlobSet,
    paths: GlobSet,
}

impl Globs {
    pub fn new(globs: &[(String, usize)]) -> Result<(Self, Vec<usize>, Vec<usize>), String> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        let (mut name_owner, mut path_owner) = (Vec::new(), Vec::new());
        for (g, owner) in globs {
            let g = g.trim().trim_end_matches('/');
            let (builder, owners, text) = if g.contains('/') {
                (&mut paths, &mut path_owner, g.trim_start_matches('/'))
            } else {
                (&mut names, &mut name_owner, g)
            };
            let glob = GlobBuilder::new(text)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("`{g}` is not a valid glob: {e}"))?;
            builder.add(glob);
            owners.push(*owner);
        }
        let names = names.build().map_err(|e| e.to_string())?;
        let paths = paths.build().map_err(|e| e.to_string())?;
        Ok((Globs { names, paths }, name_owner, path_owner))
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.paths.is_empty()
    }

    /// Indices (into the owners lists) of the globs matching a file.
    fn matches(&self, rel: &str, name: &str, names: &mut Vec<usize>, paths: &mut Vec<usize>) {
        names.clear();
        paths.clear();
        if !self.names.is_empty() {
            self.names.matches_candidate_into(&Candidate::new(name), names);
        }
        if !self.paths.is_empty() {
            self.paths.matches_candidate_into(&Candidate::new(rel), paths);
        }
    }

    pub fn is_match(&self, rel: &str, name: &str) -> bool {
        self.names.is_match(name) || self.paths.is_match(rel)
    }
}

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub source: String,
    pub capture: Capture,
    /// `default #3` or `flags.references[0]`, for messages.
    pub origin: String,
}

/// Every reference pattern, ready to search with.
pub struct PatternSet {
    pub patterns: Vec<Compiled>,
    globs: Globs,
    name_owner: Vec<usize>,
    path_owner: Vec<usize>,
    /// Patterns without path globs apply everywhere.
    always: u128,
    /// The regex for each set of patterns that applies to some file.
    cache: Mutex<HashMap<u128, Arc<meta::Regex>>>,
}

impl PatternSet {
    /// Compiles `patterns`; `Err` names the pattern and what is wrong with it.
    pub fn new(patterns: &[(ReferencePattern, String)]) -> Result<Self, String> {
        if patterns.len() > MAX_PATTERNS {
            return Err(format!(
                "{} reference patterns are more than the {MAX_PATTERNS} shipgate can search with",
                patterns.len()
            ));
        }
        let mut compiled = Vec::new();
        let mut globs = Vec::new();
        let mut always = 0u128;
        for (i, (p, origin)) in patterns.iter().enumerate() {
            let re = build(&[p.pattern.as_str()]).map_err(|e| format!("{origin}: invalid regex: {e}"))?;
            let groups = re.group_info().group_len(regex_automata::PatternID::ZERO);
            if groups != 2 {
                return Err(format!(
                    "{origin}: `{}` has {} capture groups; it needs exactly one, around the flag name (use `(?:...)` for the others)",
                    p.pattern,
                    groups - 1
                ));
            }
            if p.paths.is_empty() {
                always |= 1 << i;
            }
            globs.extend(p.paths.iter().map(|g| (g.clone(), i)));
            compiled.push(Compiled {
                source: p.pattern.clone(),
                capture: p.capture,
                origin: origin.clone(),
            });
        }
        let all: Vec<&str> = compiled.iter().map(|c| c.source.as_str()).collect();
        build(&all).map_err(|e| format!("the reference patterns together are too large: {e}"))?;
        let (globs, name_owner, path_owner) = Globs::new(&globs).map_err(|e| format!("reference paths: {e}"))?;
        Ok(PatternSet {
            patterns: compiled,
            globs,
            name_owner,
            path_owner,
            always,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Which patterns apply to the file at `rel` (named `name`), as a bit mask.
    pub fn mask(&self, rel: &str, name: &str, scratch: &mut (Vec<usize>, Vec<usize>)) -> u128 {
        let mut m = self.always;
        self.globs.matches(rel, name, &mut scratch.0, &mut scratch.1);
        for &i in &scratch.0 {
            m |= 1 << self.name_owner[i];
        }
        for &i in &scratch.1 {
            m |= 1 << self.path_owner[i];
        }
        m
    }

    /// The regex searching for the patterns in `mask`: pattern `k` of it is the
    /// `k`-th set bit of `mask`.
    pub fn regex(&self, mask: u128) -> Result<Arc<meta::Regex>, String> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(re) = cache.get(&mask) {
            return Ok(re.clone());
        }
        let pats: Vec<&str> = (0..self.patterns.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| self.patterns[i].source.as_str())
            .collect();
        let re = Arc::new(build(&pats).map_err(|e| format!("cannot compile the reference patterns: {e}"))?);
        cache.insert(mask, re.clone());
        Ok(re)
    }
}

/// The pattern index of the `k`-th set bit of `mask`.
pub fn nth_bit(mask: u128, k: usize) -> usize {
    let mut m = mask;
    for _ in 0..k {
        m &= m - 1;
    }
    m.trailing_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> PatternSet {
        let pats: Vec<_> = BUILTINS
            .iter()
            .enumerate()
            .map(|(i, b)| (b.to_pattern(), format!("default #{i}")))
            .collect();
        PatternSet::new(&pats).unwrap()
    }

    /// Every flag name the built-in patterns find in `text`, as if it were `file`.
    fn find(file: &str, text: &str) -> Vec<String> {
        let set = set();
        let name = file.rsplit('/').next().unwrap();
        let mask = set.mask(file, name, &mut Default::default());
        let re = set.regex(mask).unwrap();
        let mut caps = re.create_captures();
        let mut out = Vec::new();
        for m in re.find_iter(text.as_bytes()) {
            re.captures(regex_automata::Input::new(text).range(m.range()), &mut caps);
            let g = caps.get_group(1).unwrap();
            let k = caps.pattern().unwrap().as_usize();
            let idx = nth_bit(mask, k);
            let s = &text[g.range()];
            out.push(match set.patterns[idx].capture {
                Capture::Flag => s.to_string(),
                Capture::EnvVar => format!("FEATURE_{s}"),
            });
        }
        out
    }

    #[test]
    fn builtins_compile_with_one_group() {
        assert_eq!(set().patterns.len(), BUILTINS.len());
    }

    #[test]
    fn javascript_and_typescript() {
        let src = r#"
if (unleash.isEnabled("new_checkout")) {}
const a = client.isEnabled('single_quoted', ctx);
const b = useFlag(`backtick_flag`);
const c = await ldClient.variation("ld-flag", context, false);
const d = await client.getBooleanValue(
  "multi-line-flag",
  false,
);
const e = useFeatureFlagEnabled("posthog_flag");
const f = gb.isOn("growthbook.flag");
const g = process.env.FEATURE_DARK_MODE === "true";
const h = import.meta.env.VITE_FEATURE_SEARCH;
const i = ldClient.boolVariation("bool-flag", ctx, false);
const j = useBooleanFlagValue("of-hook", false);
"#;
        assert_eq!(
            find("web/src/app.tsx", src),
            [
                "new_checkout",
                "single_quoted",
                "backtick_flag",
                "ld-flag",
                "multi-line-flag",
                "posthog_flag",
                "growthbook.flag",
                "FEATURE_DARK_MODE",
                "FEATURE_SEARCH",
                "bool-flag",
                "of-hook"
            ]
        );
    }

    #[test]
    fn python_go_ruby_java() {
        let py = "if client.is_enabled(\"py_flag\"):\n    pass\nx = os.environ.get(\"FEATURE_PY_ENV\")\ny = os.getenv('FEATURE_OTHER')\nz = api.get_boolean_value(\"of_py\", False)\nif flag_is_active(request, 'waffle_flag'): pass\nv = ld.variation(\"py_ld\", ctx, False)\n";
        assert_eq!(
            find("app/views.py", py),
            [
                "py_flag",
                "FEATURE_PY_ENV",
                "FEATURE_OTHER",
                "of_py",
                "waffle_flag",
                "py_ld"
            ]
        );
        let go = "if unleash.IsEnabled(\"go_flag\", unleash.WithContext(c)) {}\nv, _ := client.BoolVariation(`go-raw`, ctx, false)\nb, _ := of.BooleanValue(context.Background(), \"of_go\", false, ec)\nx := os.Getenv(\"FEATURE_GO\")\n";
        assert_eq!(find("cmd/main.go", go), ["go_flag", "go-raw", "of_go", "FEATURE_GO"]);
        let rb = "if Flipper.enabled?(:rb_symbol, user)\nend\nUNLEASH.is_enabled?(\"rb_unleash\", ctx)\nUNLEASH.is_enabled? \"rb_bare\"\nx = ENV[\"FEATURE_RB\"]\ny = ENV.fetch(\"FEATURE_RB_FETCH\", \"false\")\nFlipper[:rb_index].enabled?\n";
        assert_eq!(
            find("app/models/x.rb", rb),
            [
                "rb_symbol",
                "rb_unleash",
                "rb_bare",
                "FEATURE_RB",
                "FEATURE_RB_FETCH",
                "rb_index"
            ]
        );
        let cs = "if (await fm.IsEnabledAsync(\"cs_flag\")) {}\nvar v = await client.GetBooleanValueAsync(\"cs_of\", false);\n";
        assert_eq!(find("src/Api/Controller.cs", cs), ["cs_flag", "cs_of"]);
        let php = "if ($_ENV['FEATURE_PHP']) {}\n$x = env('FEATURE_LARAVEL', false);\n";
        assert_eq!(find("app/Http/X.php", php), ["FEATURE_PHP", "FEATURE_LARAVEL"]);
        let java = "if (unleash.isEnabled(\"java_flag\")) {}\nboolean b = client.boolVariation(\"java_ld\", ctx, false);\nString e = System.getenv(\"FEATURE_JAVA\");\nboolean o = client.getBooleanValue(\"java_of\", false);\n";
        assert_eq!(
            find("src/main/java/A.java", java),
            ["java_flag", "java_ld", "FEATURE_JAVA", "java_of"]
        );
    }

    #[test]
    fn environment_files() {
        let env = "FEATURE_DOTENV=true\nexport FEATURE_EXPORTED=1\n# FEATURE_COMMENTED=1\nOTHER=1\n";
        assert_eq!(find(".env.production", env), ["FEATURE_DOTENV", "FEATURE_EXPORTED"]);
        let compose = "services:\n  web:\n    environment:\n      FEATURE_COMPOSE: \"true\"\n      - FEATURE_LISTED=1\n      - name: FEATURE_K8S\n        value: \"1\"\n    command: run --x=${FEATURE_EXPANDED}\n";
        assert_eq!(
            find("deploy/compose.yml", compose),
            ["FEATURE_COMPOSE", "FEATURE_LISTED", "FEATURE_K8S", "FEATURE_EXPANDED"]
        );
        let docker = "FROM x\nENV FEATURE_DOCKER=1\nRUN echo $FEATURE_SHELL\n";
        assert_eq!(find("Dockerfile", docker), ["FEATURE_DOCKER", "FEATURE_SHELL"]);
    }

    #[test]
    fn ordinary_code_is_not_a_reference() {
        let src = r#"
button.isEnabled();
if (isEnabled(flagName)) {}
if (isEnabled(`beta-${name}`)) {}
if (isEnabled("beta_" + suffix)) {}
thisEnabled("x"); analysisEnabled("y"); myUseFlag("z");
const deviation = colorVariation("primary", 2);
const FEATURE_COUNT = 3;
const FEATURES_ENABLED = process.env.FEATURES_ENABLED;
const v = map.getValue("key", fallback);
const s = settings.getBooleanValue("no-default");
document.implementation.hasFeature("HTML", "1.0");
logger.isEnabled(Level.DEBUG);
const n = process.env.FEATURE_lower;
"#;
        assert_eq!(find("src/x.ts", src), Vec::<String>::new());
        let py = "if client.is_enabled(f\"beta_{x}\"): pass\n";
        assert_eq!(find("x.py", py), Vec::<String>::new());
        let rb = "Flipper.enabled?(\"flag_#{x}\")\nuser.enabled?\n";
        assert_eq!(find("x.rb", rb), Vec::<String>::new());
        // Markdown and SQL are not searched by the built-in patterns.
        assert_eq!(find("README.md", "isEnabled(\"doc\")"), Vec::<String>::new());
    }

    #[test]
    fn bad_user_patterns_are_errors() {
        let p = |s: &str| ReferencePattern {
            pattern: s.into(),
            paths: vec![],
            capture: Capture::Flag,
        };
        let e = PatternSet::new(&[(p("flag\\(\"[a-z]+\"\\)"), "flags.references[0]".into())])
            .err()
            .unwrap();
        assert!(
            e.contains("flags.references[0]") && e.contains("0 capture groups"),
            "{e}"
        );
        assert!(PatternSet::new(&[(p("(unclosed"), "x".into())]).is_err());
    }
}
