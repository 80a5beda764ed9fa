#!/usr/bin/env node
// Extracts the recorded GitHub answers the fake GitHub of tests/ci.rs
// (tests/fake_github) builds its objects from, out of npm `@octokit/fixtures`
// (real api.github.com traffic, normalized), into
// tests/fixtures/github/recorded.json: a user, a collaborator, a label, a
// repository, a validation error, the headers of a list page and the `Link`
// headers of a five-page list.
//
//   npm install --prefix /tmp/octokit-fixtures @octokit/fixtures@23.1.2
//   node scripts/extract-octokit-fixtures.mjs --from /tmp/octokit-fixtures [--check]
//
// With --check it fails when the checked-in file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fromIdx = process.argv.indexOf("--from");
const base = fromIdx > 0 ? process.argv[fromIdx + 1] : join(root, "tools");
const require = createRequire(join(base, "package.json"));
const pkg = dirname(require.resolve("@octokit/fixtures/package.json"));
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;

function scenario(name) {
  return JSON.parse(readFileSync(join(pkg, "scenarios", "api.github.com", name, "normalized-fixture.json"), "utf8"));
}

/** The `index`th recorded exchange of `name`, with `pick` applied to it. */
function recorded(name, index, pick) {
  const r = scenario(name)[index];
  return {
    scenario: name,
    request: `${r.method.toUpperCase()} ${r.path}`,
    status: r.status,
    value: pick(r),
  };
}

const rateLimitHeaders = (r) =>
  Object.fromEntries(
    Object.entries(r.headers)
      .filter(([k]) => k.startsWith("x-ratelimit-") || ["content-type", "x-github-media-type", "x-github-request-id"].includes(k))
      .map(([k, v]) => [k, String(v)]),
  );

const out = {
  source: `@octokit/fixtures ${version} scenarios/api.github.com/<scenario>/normalized-fixture.json (recorded by Octokit, ids, dates and request ids normalized); regenerate with \`node scripts/extract-octokit-fixtures.mjs\``,
  // A simple-user, as every object's `user`, `actor`, `owner` has it.
  user: recorded("paginate-issues", 0, (r) => r.response[0].user),
  // A collaborator (simple-user with `permissions` and `role_name`).
  collaborator: recorded("add-and-remove-repository-collaborator", 3, (r) => r.response[1]),
  // A label as `POST /issues/{n}/labels` answers it.
  label: recorded("add-labels-to-issue", 1, (r) => r.response[0]),
  // A full repository (`head.repo` and `base.repo` of a pull request, a check suite's repository).
  repository: recorded("get-repository", 0, (r) => r.response),
  // The 422 body.
  validation_error: recorded("errors", 0, (r) => r.response),
  // The headers every REST answer carries (values normalized by the recording).
  headers: recorded("paginate-issues", 1, rateLimitHeaders),
  // `Link` on each of five pages of `per_page=3` (13 issues).
  links: scenario("paginate-issues").map((r) => ({
    request: `${r.method.toUpperCase()} ${r.path}`,
    items: r.response.length,
    link: r.headers.link,
  })),
};
const text = JSON.stringify(out, null, 1) + "\n";
const target = join(root, "tests", "fixtures", "github", "recorded.json");
if (process.argv.includes("--check")) {
  if (readFileSync(target, "utf8") !== text) {
    console.error(`${target} is stale; run node scripts/extract-octokit-fixtures.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${text.length} bytes)`);
}
