#!/usr/bin/env bash
# Usage: scripts/stage.sh NAME CMD [ARG…]
# Runs CMD between "==> NAME" and "<== NAME: 12.3 s", and on failure prints
# "<== NAME: FAILED (exit N) after 12.3 s" and exits with CMD's status.
# When STAGE_T0 (seconds since the epoch) is set, a failure also prints the total since then.
set -uo pipefail

if (($# < 2)); then
    echo "usage: $0 NAME CMD [ARG...]" >&2
    exit 2
fi
name=$1
shift

secs_since() {
    awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'
}

echo "==> $name"
t0=$(date +%s%N)
"$@"
status=$?
if ((status == 0)); then
    echo "<== $name: $(secs_since "$t0") s"
else
    echo "<== $name: FAILED (exit $status) after $(secs_since "$t0") s" >&2
    if [[ -n ${STAGE_T0:-} ]]; then
        echo "==== stopped at stage '$name'; total $(($(date +%s) - STAGE_T0)) s" >&2
    fi
fi
exit "$status"
