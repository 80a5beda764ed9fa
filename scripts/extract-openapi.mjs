#!/usr/bin/env node
// Extracts the GitHub REST operations `shipgate ci` uses from the official
// OpenAPI description (npm `@octokit/openapi`, pinned in tools/package.json)
// into tests/fixtures/github/openapi-ops.json: method, path template,
// operationId, the documented response status codes and, for each status
// with a JSON body, its response schema. tests/ci.rs checks that every
// request the binary makes matches one of these operations, and the fake
// GitHub (tests/fake_github) validates every answer it sends against the
// schema of the operation and status.
//
//   npm install --prefix /tmp/octokit @octokit/openapi@23.0.2
//   node scripts/extract-openapi.mjs --from /tmp/octokit [--check]
//
// The schemas are JSON Schema 2020-12, as the `jsonschema` crate validates
// them: the components they reference (transitively) are copied into one
// top-level `$defs` and each `$ref` points there; OpenAPI's `nullable: true`
// becomes a `"null"` type (or an `anyOf` with `{"type": "null"}`);
// descriptions, examples, titles and `x-` extensions are dropped.
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
  "issues/list-events",
  "pulls/list-reviews",
  "checks/list-suites-for-ref",
  "repos/list-pull-requests-associated-with-commit",
  "repos/get-collaborator-permission-level",
  "teams/get-membership-for-user-in-org",
  "issues/list-comments",
  "issues/create-comment",
  "issues/update-comment",
  "users/get-authenticated",
  "issues/list-for-repo",
  "pulls/list-commits",
];

// Keywords that only document (or are OpenAPI-only) and never constrain.
const dropped = new Set([
  "description",
  "example",
  "examples",
  "title",
  "externalDocs",
  "xml",
  "deprecated",
  "readOnly",
  "writeOnly",
  "discriminator",
]);
// Keywords whose value is a map from names to schemas (the names are data, not keywords).
const schemaMaps = new Set(["properties", "patternProperties"]);
// Keywords whose value is a schema or a list of schemas.
const subschemas = new Set(["items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"]);
// Keywords copied as they are.
const kept = new Set([
  "type",
  "format",
  "enum",
  "const",
  "required",
  "default",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
]);

/** The components (`schemas/<name>`) referenced so far; their conversion fills `defs`. */
const defs = {};
const pending = [];

function ref(target) {
  const m = /^#\/components\/schemas\/(.+)$/.exec(target);
  if (!m) throw new Error(`unsupported $ref ${target}`);
  if (!(m[1] in defs)) {
    defs[m[1]] = null;
    pending.push(m[1]);
  }
  return `#/$defs/${m[1]}`;
}

/** One OpenAPI 3.0 schema object as JSON Schema 2020-12. */
function convert(schema) {
  if (typeof schema === "boolean") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (dropped.has(key) || key.startsWith("x-") || key === "nullable") continue;
    if (key === "$ref") out.$ref = ref(value);
    else if (schemaMaps.has(key))
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    else if (subschemas.has(key)) out[key] = Array.isArray(value) ? value.map(convert) : convert(value);
    else if (kept.has(key)) out[key] = value;
    else throw new Error(`unsupported schema keyword ${key}`);
  }
  if (schema.nullable !== true) return out;
  const composite = ["$ref", "allOf", "anyOf", "oneOf"].some((k) => k in out);
  if (!composite && typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  if (!composite && out.type === undefined) return out; // no type: null is valid already
  return { anyOf: [{ type: "null" }, out] };
}

/** A response object (maybe a `$ref` to `#/components/responses/...`) → its JSON body schema, if any. */
function responseSchema(response) {
  if (response.$ref) {
    const m = /^#\/components\/responses\/(.+)$/.exec(response.$ref);
    if (!m) throw new Error(`unsupported response $ref ${response.$ref}`);
    return responseSchema(spec.components.responses[m[1]]);
  }
  const schema = response.content?.["application/json"]?.schema;
  return schema ? convert(schema) : undefined;
}

const found = new Map();
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (op && wanted.includes(op.operationId)) {
      const schemas = {};
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const schema = responseSchema(response);
        if (schema) schemas[status] = schema;
      }
      found.set(op.operationId, {
        operationId: op.operationId,
        method,
        path,
        responses: Object.keys(op.responses ?? {}),
        schemas,
      });
    }
  }
}
const missing = wanted.filter((id) => !found.has(id));
if (missing.length) {
  console.error(`not in @octokit/openapi ${version}: ${missing.join(", ")}`);
  process.exit(1);
}
while (pending.length) {
  const name = pending.shift();
  defs[name] = convert(spec.components.schemas[name]);
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
  $defs: Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]])),
};
const text = JSON.stringify(out, null, 1) + "\n";
const target = join(root, "tests", "fixtures", "github", "openapi-ops.json");
if (process.argv.includes("--check")) {
  if (readFileSync(target, "utf8") !== text) {
    console.error(`${target} is stale; run node scripts/extract-openapi.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target} (${out.operations.length} operations, ${Object.keys(defs).length} schemas, ${text.length} bytes)`);
}
