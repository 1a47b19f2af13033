#!/usr/bin/env bash
# The Jupyter kernel "rust" of apprentissage: evcxr_jupyter, started so that it reuses the
# build directory of the previous kernel instead of a fresh temporary one (which would compile
# the course crate and its dependencies again, for minutes, at every kernel start).
#
# Each kernel takes the first free slot <cache>/evcxr/kN, holding an flock on kN.lock for its
# whole life (the descriptor is inherited by evcxr), and runs with EVCXR_TMPDIR there: two
# notebooks open at once get two slots and never share a build directory. When all slots are
# taken, evcxr gets a fresh temporary directory (a cold start, but correct).
#
# scripts/setup.sh evcxr copies this file next to the kernel spec (kernel.json's argv) with
# EVCXR_JUPYTER and APPRENTISSAGE_CACHE in the spec's env.
set -euo pipefail

cache=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}
evcxr=${EVCXR_JUPYTER:-evcxr_jupyter}
slots=${APPRENTISSAGE_KERNEL_SLOTS:-8}
mkdir -p "$cache/evcxr"

# evcxr loads each cell as a shared library linked to the toolchain's libstd-*.so through a
# relative RUNPATH that rustc computes from target/…/debug/deps while evcxr loads the copy one
# directory up: the path is one `..` too long and only resolves when the build directory
# sits right under a top-level directory (the default /tmp/.tmpXXXX). Point the loader at
# the toolchain's libraries instead, so a build directory can live anywhere.
[[ -d ${CARGO_HOME:-$HOME/.cargo}/bin ]] && PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
host=$(rustc -vV | sed -n 's/^host: //p')
export LD_LIBRARY_PATH="$(rustc --print sysroot)/lib/rustlib/$host/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

for ((i = 0; i < slots; i++)); do
    exec 9>"$cache/evcxr/k$i.lock"
    if flock -n 9; then
        export EVCXR_TMPDIR="$cache/evcxr/k$i"
        mkdir -p "$EVCXR_TMPDIR"
        exec "$evcxr" "$@"
    fi
    exec 9>&-
done
echo "rust-kernel: all $slots build slots are in use; starting with a fresh build directory" >&2
exec "$evcxr" "$@"
