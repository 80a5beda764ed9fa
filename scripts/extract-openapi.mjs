#!/usr/bin/env node
// Extracts the GitHub REST operations `shipgate ci` uses from the official
// OpenAPI description (npm `@octokit/openapi`, pinned in tools/package.json)
// into tests/fixtures/github/openapi-ops.json: method, path template,
// operationId and the documented response status codes. tests/ci.rs checks
// that every request the binary makes matches one of these operations.
//
//   npm install --prefix /tmp/octokit @octokit/openapi@23.0.2
//   node scripts/extract-openapi.mjs --from /tmp/octokit [--check]
//
// Without --from the package is resolved from tools/ (not pinned there yet:
// it is 385 MB, too heavy for every `.ci/run`).
// With --check it fails when the checked-in file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fromIdx = process.argv.indexOf("--from");
const base = fromIdx > 0 ? process.argv[fromIdx + 1] : join(root, "tools");
const require = createRequire(join(base, "package.json"));
const specPath = require.resolve("@octokit/openapi/generated/api.github.com.json");
const spec = JSON.parse(readFileSync(specPath, "utf8"));
const version = JSON.parse(readFileSync(require.resolve("@octokit/openapi/package.json"), "utf8")).version;

// The operations shipgate's GitHub client calls (src/github/client.rs).
const wanted = [
  "pulls/get",
  "issues/list-events-for-timeline",
  "pulls/list-reviews",
  "checks/list-suites-for-ref",
  "repos/list-pull-requests-associated-with-commit",
  "repos/get-collaborator-permission-level",
  "teams/get-membership-for-user-in-org",
  "issues/list-comments",
  "issues/create-comment",
  "issues/update-comment",
];

const found = new Map();
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (op && wanted.includes(op.operationId)) {
      found.set(op.operationId, {
        operationId: op.operationId,
        method,
        path,
        responses: Object.keys(op.responses ?? {}),
      });
    }
  }
}
const missing = wanted.filter((id) => !found.has(id));
if (missing.length) {
  console.error(`not in @octokit/openapi ${version}: ${missing.join(", ")}`);
  process.exit(1);
}
const out = {
  source: `@octokit/openapi ${version} generated/api.github.com.json; regenerate with \`node scripts/extract-openapi.mjs\``,
  operations: [
    ...wanted.map((id) => found.get(id)),
    {
      operationId: "graphql",
      method: "post",
      path: "/graphql",
      note: "the GraphQL endpoint (viewer { login }); not part of the REST description",
    },
  ],
};
const text = JSON.stringify(out, null, 2) + "\n";
const target = join(root, "tests", "fixtures", "github", "openapi-ops.json");
if (process.argv.includes("--check")) {
  if (readFileSync(target, "utf8") !== text) {
    console.error(`${target} is stale; run node scripts/extract-openapi.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${out.operations.length} operations)`);
}
