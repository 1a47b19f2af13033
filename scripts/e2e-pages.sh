#!/usr/bin/env bash
# End-to-end test of the instructor's pages: the class page and a student's feedback page written
# by `grader grade --moodle` (grader/tests/moodle.rs builds a 20-participant Moodle download,
# grades it and leaves its outputs in target/moodle-fixture/), opened from disk in Debian's
# headless Chromium driven by playwright-core (scripts/e2e/pages.js).
#
# Asserted: the charts are loaded images (naturalWidth > 0), the table has 20 rows and sorts when
# a column title is clicked (the inline script runs under the page's Content-Security-Policy), the
# feedback page shows the compiler's message at its line, the hostile participant's page opens no
# dialog, no console error, and no request leaves the page (every request is intercepted: only the
# page's own file is allowed; data: URIs never reach the network). Screenshots in target/e2e/:
# class.png, retour.png.
#
# Needs scripts/setup.sh e2e (Chromium, playwright-core in ~/.cache/apprentissage/e2e).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}
E2E_MODULES=$CACHE_DIR/e2e/node_modules
CHROMIUM=/usr/bin/chromium
FIXTURE=$REPO_ROOT/target/moodle-fixture
OUT=$REPO_ROOT/target/e2e

die() {
    echo "error: e2e-pages: $*" >&2
    exit 1
}
[[ -x $CHROMIUM ]] || die "missing $CHROMIUM (Debian package chromium); run scripts/setup.sh e2e"
[[ -f $E2E_MODULES/playwright-core/package.json ]] || die "missing playwright-core in $E2E_MODULES; run scripts/setup.sh e2e"
command -v node >/dev/null || die "missing node"

echo "e2e-pages: grading the Moodle fixture (cargo test -p grader --test moodle)"
(cd "$REPO_ROOT" && timeout 900 cargo test -q -p grader --test moodle moodle_round_trip >/dev/null) ||
    die "the Moodle fixture test failed (run: cargo test -p grader --test moodle)"
[[ -f $FIXTURE/class.html ]] || die "no $FIXTURE/class.html after the fixture test"
mkdir -p "$OUT"
E2E_MODULES=$E2E_MODULES E2E_CHROMIUM=$CHROMIUM E2E_FIXTURE=$FIXTURE E2E_OUT=$OUT \
    timeout --kill-after=10 180 node "$REPO_ROOT/scripts/e2e/pages.js"
