#!/usr/bin/env bash
# Runs `shipgate ci` for the GitHub Action (action.yml, step "Run shipgate ci").
#
# Every input arrives as an environment variable and reaches shipgate as one
# argument (`--name=value`, so a value starting with `-` stays a value):
# never through eval, an unquoted expansion or a `${{ }}` in the script.
#
#   SHIPGATE_BIN             the binary the install step put in place
#   INPUT_GITHUB_TOKEN       passed to shipgate as GITHUB_TOKEN (never on the command line)
#   INPUT_CONFIG             --config=FILE when not empty
#   INPUT_COMMENT            --comment=true|false
#   INPUT_FAIL_ON            --fail-on=error|warning
#   INPUT_SARIF_FILE         --sarif-file=FILE when not empty
#   INPUT_WORKING_DIRECTORY  where shipgate runs
#
# `shipgate ci` itself writes verdict, errors, warnings and report to
# GITHUB_OUTPUT; its exit status is the step's (0 pass, 1 blocked, 2 usage
# or configuration error, 3 not evaluated).
set -euo pipefail

annotate_error() {
    local msg=$1
    msg=${msg//'%'/'%25'}
    msg=${msg//$'\r'/'%0D'}
    msg=${msg//$'\n'/'%0A'}
    printf '::error title=shipgate::%s\n' "$msg"
}

die() {
    local code=$1
    shift
    annotate_error "$*"
    printf 'shipgate-action: error: %s\n' "$*" >&2
    exit "$code"
}

bin=${SHIPGATE_BIN:-shipgate}
comment=${INPUT_COMMENT:-true}
fail_on=${INPUT_FAIL_ON:-error}
dir=${INPUT_WORKING_DIRECTORY:-.}

case "$comment" in
    true | false) ;;
    *) die 2 "input \`comment\` must be true or false, not '$comment'" ;;
esac
case "$fail_on" in
    error | warning) ;;
    *) die 2 "input \`fail-on\` must be error or warning, not '$fail_on'" ;;
esac
[ -d "$dir" ] || die 2 "input \`working-directory\`: '$dir' is not a directory"
cd -- "$dir"

args=(ci "--comment=$comment" "--fail-on=$fail_on")
if [ -n "${INPUT_CONFIG:-}" ]; then
    args+=("--config=$INPUT_CONFIG")
fi
if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    args+=("--sarif-file=$INPUT_SARIF_FILE")
fi

# A shipgate without the `ci` command must fail loudly, never pass.
if ! "$bin" ci --help >/dev/null 2>&1; then
    die 3 "$("$bin" --version 2>&1 || echo shipgate) has no \`ci\` command; the gate was not evaluated"
fi

GITHUB_TOKEN=${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}
export GITHUB_TOKEN
exec "$bin" "${args[@]}"
