#!/usr/bin/env bash
# Installs shipgate for the GitHub Action (action.yml, step "Install shipgate").
#
# Downloads the release binary for the runner's OS and architecture, verifies
# its SHA-256 against the release's SHA256SUMS, and refuses it on any
# mismatch. Only when the release has no binary for this runner does it fall
# back to `cargo install --locked` from the tagged source.
#
# Environment (all optional except where the runner always sets them):
#   SHIPGATE_VERSION            the action's `version` input: X.Y.Z or vX.Y.Z,
#                               `latest`, `source` (build this action's own
#                               source), or empty: the version in this
#                               action's Cargo.toml, i.e. the release that
#                               matches the action's ref (a tag or a SHA).
#   SHIPGATE_ACTION_REPOSITORY  owner/repo of the action (github.action_repository;
#                               GITHUB_ACTION_REPOSITORY, then GITHUB_REPOSITORY
#                               for `uses: ./`).
#   SHIPGATE_RELEASE_BASE_URL   where the release assets are; default
#                               $GITHUB_SERVER_URL/<owner>/<repo>/releases/download/<tag>
#                               (tests point it at a local server).
#   SHIPGATE_INSTALL_DIR        default $RUNNER_TEMP/shipgate/bin
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_ACTION_PATH, GITHUB_OUTPUT,
#   GITHUB_PATH, GITHUB_SERVER_URL  as GitHub Actions sets them.
#
# Outputs (GITHUB_OUTPUT): path (the binary), source (release|cargo), tag.
# Exit status: 0 installed; 1 refused or failed (never a silent fallback
# after a checksum mismatch); 2 bad input.
set -euo pipefail

log() { printf 'shipgate-action: %s\n' "$*" >&2; }

# A workflow command carries user-controlled text: escape it so it cannot
# end the command or start another one.
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
    log "error: $*"
    exit "$code"
}

output() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
action_path=${GITHUB_ACTION_PATH:-$(dirname "$script_dir")}
server=${GITHUB_SERVER_URL:-https://github.com}
server=${server%/}
repo=${SHIPGATE_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-${GITHUB_REPOSITORY:-}}}
version=${SHIPGATE_VERSION:-}
temp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
install_dir=${SHIPGATE_INSTALL_DIR:-$temp/shipgate/bin}

# The package version of the action's own source (the first `version =` of Cargo.toml is [package]'s).
source_version=""
if [ -f "$action_path/Cargo.toml" ]; then
    source_version=$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$action_path/Cargo.toml" | head -n 1)
fi

semver='^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$'
mode=release
case "$version" in
    source) mode=source ;;
    latest) tag=latest ;;
    "")
        [ -n "$source_version" ] || die 2 "cannot tell which shipgate to install: no \`version\` input and no Cargo.toml in $action_path"
        tag="v$source_version"
        ;;
    *)
        [[ $version =~ $semver ]] || die 2 "input \`version\` must be X.Y.Z, vX.Y.Z, latest or source, not '$version'"
        tag="v${version#v}"
        ;;
esac

if [ "$mode" = release ]; then
    if [ -n "${SHIPGATE_RELEASE_BASE_URL:-}" ]; then
        base=${SHIPGATE_RELEASE_BASE_URL%/}
    else
        [[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die 2 "cannot tell which repository publishes shipgate (got '$repo'); set SHIPGATE_ACTION_REPOSITORY"
        if [ "$tag" = latest ]; then
            base="$server/$repo/releases/latest/download"
        else
            base="$server/$repo/releases/download/$tag"
        fi
    fi
fi

# The release asset for this runner; empty when no binary is published for it.
target=""
exe=""
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64) target=aarch64-unknown-linux-musl ;;
    macOS/X64) target=x86_64-apple-darwin ;;
    macOS/ARM64) target=aarch64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc exe=.exe ;;
    Windows/*) exe=.exe ;;
esac
case "${RUNNER_OS:-}" in Windows) exe=.exe ;; esac

work=$(mktemp -d "$temp/shipgate-install.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fetch URL FILE: 0 downloaded, 4 not found (HTTP 404), 1 any other failure.
fetch() {
    local url=$1 dest=$2 code
    local -a proto=(--proto '=https' --proto-redir '=https')
    case "$url" in
        https://*) ;;
        *) proto=(--proto '=http,https' --proto-redir '=http,https') ;;
    esac
    if ! code=$(curl --silent --show-error --location "${proto[@]}" \
        --retry 3 --retry-delay 2 --connect-timeout 20 --max-time 600 \
        --output "$dest" --write-out '%{http_code}' --url "$url"); then
        log "cannot download $url"
        return 1
    fi
    case "$code" in
        200) return 0 ;;
        404) rm -f "$dest"; return 4 ;;
        *) rm -f "$dest"; log "HTTP $code from $url"; return 1 ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1"
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1"
    else
        openssl dgst -sha256 -r "$1"
    fi | awk '{ print tolower($1) }'
}

bin="$install_dir/shipgate$exe"

install_binary() {
    mkdir -p "$install_dir"
    mv -f "$1" "$bin"
    chmod 755 "$bin"
}

# Sets `published` to 0 when the release has no binary for this runner (the
# only case that falls back to building); refuses everything else. Never
# called in a `||` list, so `set -e` holds inside it.
published=1
from_release() {
    local sums="$work/SHA256SUMS" asset="shipgate-$target$exe" rc=0
    fetch "$base/SHA256SUMS" "$sums" || rc=$?
    case $rc in
        0) ;;
        4)
            log "no SHA256SUMS at $base: shipgate $tag has no published binaries"
            published=0
            return 0
            ;;
        *) die 1 "cannot download $base/SHA256SUMS" ;;
    esac
    if [ -z "$target" ]; then
        log "no shipgate binary is published for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
        published=0
        return 0
    fi
    local expected
    expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print tolower($1); exit }' "$sums")
    if [ -z "$expected" ]; then
        log "SHA256SUMS of $tag lists no $asset"
        published=0
        return 0
    fi
    [[ $expected =~ ^[0-9a-f]{64}$ ]] || die 1 "SHA256SUMS of $tag has a malformed entry for $asset; refusing to install it"
    rc=0
    fetch "$base/$asset" "$work/$asset" || rc=$?
    case $rc in
        0) ;;
        4) die 1 "SHA256SUMS of $tag lists $asset but $base/$asset does not exist; refusing to guess" ;;
        *) die 1 "cannot download $base/$asset" ;;
    esac
    local actual
    actual=$(sha256 "$work/$asset")
    if [ "$actual" != "$expected" ]; then
        rm -f "$work/$asset"
        die 1 "checksum mismatch for $asset of $tag: SHA256SUMS says $expected, the download is $actual; refusing to install it"
    fi
    log "verified $asset ($actual)"
    install_binary "$work/$asset"
    output source release
}

from_source() {
    command -v cargo >/dev/null 2>&1 ||
        die 1 "no shipgate binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?} in $tag, and cargo is not installed to build it (add a Rust toolchain step before this action)"
    local root="$work/cargo"
    if [ "$mode" = source ] || { [ -n "$source_version" ] && [ "$tag" = "v$source_version" ] && [ -f "$action_path/Cargo.lock" ]; }; then
        log "building shipgate from $action_path with cargo install --locked"
        cargo install --locked --quiet --bin shipgate --root "$root" --path "$action_path"
    else
        [[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die 2 "cannot tell which repository to build shipgate from (got '$repo')"
        [ "$tag" != latest ] || die 1 "no binary for this runner in the latest release; set \`version\` to a release to build it from source"
        log "building shipgate $tag from $server/$repo with cargo install --locked"
        cargo install --locked --quiet --bin shipgate --root "$root" --git "$server/$repo" --tag "$tag" shipgate
    fi
    install_binary "$root/bin/shipgate$exe"
    output source cargo
}

if [ "$mode" = source ]; then
    tag=source
    from_source
else
    from_release
    if [ "$published" -eq 0 ]; then
        from_source
    fi
fi

version_line=$("$bin" --version 2>&1) || die 1 "the installed shipgate does not run on this runner: $version_line"
log "installed $version_line at $bin"
output path "$bin"
output tag "$tag"
if [ -n "${GITHUB_PATH:-}" ]; then
    printf '%s\n' "$install_dir" >>"$GITHUB_PATH"
fi
