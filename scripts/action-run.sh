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
#   INPUT_SARIF_FILE         --sarif-file=FILE (or --sarif=FILE) when not empty
#   INPUT_WORKING_DIRECTORY  where shipgate runs
#
# The options are passed when `shipgate ci --help` lists them. A shipgate
# whose `ci` has no --fail-on still honours `fail-on: warning` (this script
# fails the step when the `warnings` output is not 0); one without
# --comment takes `ci.comment` from shipgate.yml, and `comment: false`
# warns that it cannot be honoured.
#
# `shipgate ci` writes verdict, errors, warnings and report to GITHUB_OUTPUT;
# its exit status is the step's (0 pass, 1 blocked, 2 usage or configuration
# error, 3 not evaluated). A shipgate without `ci` fails with 3, never passes.
set -euo pipefail

annotate() {
    local level=$1 msg=$2
    msg=${msg//'%'/'%25'}
    msg=${msg//$'\r'/'%0D'}
    msg=${msg//$'\n'/'%0A'}
    printf '::%s title=shipgate::%s\n' "$level" "$msg"
}

die() {
    local code=$1
    shift
    annotate error "$*"
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

# What this shipgate's `ci` accepts.
if ! help=$("$bin" ci --help 2>&1); then
    die 3 "$("$bin" --version 2>&1 || echo shipgate) has no \`ci\` command; the gate was not evaluated"
fi
supports() {
    printf '%s\n' "$help" | grep -Eq -- "(^|[[:space:],])$1([[:space:]=<,]|\$)"
}

args=(ci)
if supports --comment; then
    args+=("--comment=$comment")
elif [ "$comment" = false ]; then
    annotate warning "this shipgate's \`ci\` has no --comment option, so \`comment: false\` cannot be honoured; set \`ci.comment: false\` in shipgate.yml"
fi
if [ -n "${INPUT_CONFIG:-}" ]; then
    args+=("--config=$INPUT_CONFIG")
fi
if [ -n "${INPUT_SARIF_FILE:-}" ]; then
    if supports --sarif-file; then
        args+=("--sarif-file=$INPUT_SARIF_FILE")
    elif supports --sarif; then
        args+=("--sarif=$INPUT_SARIF_FILE")
    else
        die 2 "this shipgate's \`ci\` cannot write SARIF (no --sarif-file or --sarif option)"
    fi
fi
check_warnings=false
if supports --fail-on; then
    args+=("--fail-on=$fail_on")
elif [ "$fail_on" = warning ]; then
    check_warnings=true
fi

GITHUB_TOKEN=${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}
export GITHUB_TOKEN

if [ "$check_warnings" = false ]; then
    exec "$bin" "${args[@]}"
fi

status=0
"$bin" "${args[@]}" || status=$?
[ "$status" -eq 0 ] || exit "$status"

# `warnings` as shipgate wrote it to GITHUB_OUTPUT: `name=value` or `name<<DELIM`.
warnings=""
if [ -n "${GITHUB_OUTPUT:-}" ] && [ -f "$GITHUB_OUTPUT" ]; then
    warnings=$(awk '
        index($0, "warnings<<") == 1 { getline v; w = v; next }
        index($0, "warnings=") == 1 { w = substr($0, 10) }
        END { print w }' "$GITHUB_OUTPUT")
fi
[[ $warnings =~ ^[0-9]+$ ]] || die 3 "fail-on is warning but shipgate reported no warnings count; the gate was not evaluated"
if [ "$warnings" -gt 0 ]; then
    die 1 "$warnings unapproved warning(s), and fail-on is warning"
fi
