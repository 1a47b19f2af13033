#!/usr/bin/env bash
# End-to-end test of the student's path: JupyterLab (started by scripts/lab.sh, the script behind
# `make lab`) driven in Debian's headless Chromium by playwright-core (scripts/e2e/run.js).
#
# For each notebook: open it in JupyterLab, check the kernel "Rust (apprentissage)" is selected,
# Run > Run All Cells, wait until the kernel is idle, then assert that no cell shows an error or a
# `panicked at` message (except the graded stubs' `todo!()`, whose message contains « à vous
# d'écrire cette partie »), that every code cell ran, and that a chart is displayed. Notebooks:
#   - notebooks/ch1.ipynb, or notebooks/demo.ipynb while ch1 is missing (the demo has no chart:
#     the test adds one trial cell drawing a Chart, as a student may, and never saves it);
#   - solutions/ch7.ipynb when it exists, which must also display an animated GIF.
# The time from kernel start to the first chart visible is printed (the student's first
# impression). A screenshot per notebook is saved on every run, pass or fail, in target/e2e/
# (ch1.png or demo.png, ch7.png): the CI artefact path. On failure the notebook's outputs are
# printed. At the end, Ctrl-C is typed into JupyterLab's terminal (a pty, as in `make lab`): it
# must stop at once and shut its kernel down. JupyterLab must save nothing (autosave is off in the
# test's own JupyterLab settings; the test never saves): its log is checked for saves.
#
# Bounded: every wait has a timeout; JupyterLab (with its kernels) and Chromium run in their own
# sessions and are killed by pid on every exit path.
#
# Usage: scripts/e2e.sh [NOTEBOOK…]   (default: the notebooks above; given notebooks, e.g.
#   notebooks/ch3.ipynb, get the same checks, but a missing chart is only reported)
# Needs scripts/setup.sh jupyter evcxr e2e. Environment:
#   E2E_NOTEBOOK_TIMEOUT   seconds for one notebook, from opening to idle (default 1200: a cold
#                          kernel build directory compiles the course crate first)
#   APPRENTISSAGE_CACHE    as in scripts/setup.sh (default ~/.cache/apprentissage)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}
E2E_MODULES=$CACHE_DIR/e2e/node_modules
CHROMIUM=/usr/bin/chromium
OUT=$REPO_ROOT/target/e2e
NOTEBOOK_TIMEOUT=${E2E_NOTEBOOK_TIMEOUT:-1200}

die() {
    echo "error: e2e: $*" >&2
    exit 1
}
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# ------------------------------------------------------------------ preconditions
missing=()
[[ -x $CHROMIUM ]] || missing+=("$CHROMIUM (Debian package chromium)")
[[ -f $E2E_MODULES/playwright-core/package.json ]] || missing+=("playwright-core in $E2E_MODULES")
[[ -x $CACHE_DIR/venv/bin/jupyter-lab ]] || missing+=("JupyterLab in $CACHE_DIR/venv")
[[ -f $CACHE_DIR/jupyter/kernels/rust/kernel.json ]] || missing+=("the kernel spec rust in $CACHE_DIR/jupyter")
command -v node >/dev/null || missing+=("node")
command -v script >/dev/null || missing+=("script (util-linux)")
((${#missing[@]} == 0)) || die "missing: ${missing[*]}; run scripts/setup.sh jupyter evcxr e2e"

# ------------------------------------------------------------------ which notebooks
jobs=()
if (($# > 0)); then
    # Explicit notebooks (paths under the repository): the same checks, a chart only reported.
    declare -A taken=()
    for nb in "$@"; do
        nb=${nb#./}
        [[ -f $REPO_ROOT/$nb && $nb == *.ipynb && $nb != *' '* ]] || die "no notebook $nb under $REPO_ROOT"
        name=$(basename "$nb" .ipynb)
        [[ -z ${taken[$name]:-} ]] || name=$(dirname "$nb" | tr '/' '-')-$name
        taken[$name]=1
        flags=chart-optional
        [[ $(basename "$nb") != ch7.ipynb ]] || flags+=,gif
        jobs+=("$nb $name $flags")
        echo "e2e: will run $nb"
    done
elif [[ -f $REPO_ROOT/notebooks/ch1.ipynb ]]; then
    jobs+=("notebooks/ch1.ipynb ch1 chart")
    echo "e2e: will run notebooks/ch1.ipynb"
else
    jobs+=("notebooks/demo.ipynb demo chart,add-chart")
    echo "e2e: notebooks/ch1.ipynb does not exist yet: running notebooks/demo.ipynb instead (plus one trial cell with a chart)"
fi
if (($# > 0)); then
    :
elif [[ -f $REPO_ROOT/solutions/ch7.ipynb ]]; then
    jobs+=("solutions/ch7.ipynb ch7 chart,gif")
    echo "e2e: will run solutions/ch7.ipynb (animated GIF expected)"
else
    echo "e2e: SKIPPED solutions/ch7.ipynb: it does not exist yet"
fi

# ------------------------------------------------------------------ clean-up on every exit path
RUN=$(mktemp -d "${TMPDIR:-/tmp}/apprentissage-e2e.XXXXXX")
LAB_PID='' CHROME_PID='' NODE_PID=''
declare -A CHECKPOINTS_BEFORE=()
for d in notebooks solutions; do
    [[ -e $REPO_ROOT/$d/.ipynb_checkpoints ]] && CHECKPOINTS_BEFORE[$d]=1
done

# descendants PID…: every live descendant of the given processes (children first found, by ppid).
descendants() {
    local queue=("$@") p c
    while ((${#queue[@]} > 0)); do
        p=${queue[0]}
        queue=("${queue[@]:1}")
        for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do
            echo "$c"
            queue+=("$c")
        done
    done
}
alive() { kill -0 "$1" 2>/dev/null; }
# wait_gone SECONDS PID…: true when all are gone before the deadline.
wait_gone() {
    local deadline=$(($(date +%s) + $1)) p left
    shift
    while :; do
        left=0
        for p in "$@"; do alive "$p" && left=1; done
        ((left == 0)) && return 0
        (($(date +%s) < deadline)) || return 1
        sleep 0.2
    done
}

cleanup() {
    local status=$? pids p
    trap - EXIT INT TERM
    if [[ -n $NODE_PID ]] && alive "$NODE_PID"; then
        kill -TERM "$NODE_PID" 2>/dev/null || true
        wait_gone 5 "$NODE_PID" || kill -KILL "$NODE_PID" 2>/dev/null || true
    fi
    if [[ -n $CHROME_PID ]] && alive "$CHROME_PID"; then
        # Chromium leads its own process group (setsid): its renderers and helpers go with it.
        kill -TERM -- "-$CHROME_PID" 2>/dev/null || true
        wait_gone 5 "$CHROME_PID" || kill -KILL -- "-$CHROME_PID" 2>/dev/null || true
    fi
    if [[ -n $LAB_PID ]] && alive "$LAB_PID"; then
        # JupyterLab's kernels run in sessions of their own: collect them all first. SIGTERM lets
        # the server shut its kernels down; whatever is left after 20 s is killed.
        mapfile -t pids < <(descendants "$LAB_PID")
        for p in "${pids[@]}"; do
            [[ $(ps -o comm= -p "$p" 2>/dev/null) == jupyter* ]] && kill -TERM "$p" 2>/dev/null
        done
        wait_gone 20 "${pids[@]}" || true
        for p in "$LAB_PID" "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    fi
    exec 7>&- 2>/dev/null || true
    for d in notebooks solutions; do
        [[ -n ${CHECKPOINTS_BEFORE[$d]:-} ]] || rm -rf -- "$REPO_ROOT/$d/.ipynb_checkpoints"
    done
    rm -rf -- "$RUN"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "e2e: interrupted: stopping Chromium and JupyterLab" >&2; exit 130' INT
trap 'echo "e2e: terminated: stopping Chromium and JupyterLab" >&2; exit 143' TERM

mkdir -p "$OUT" "$RUN/runtime" "$RUN/config" "$RUN/workspaces" "$RUN/chromium" "$RUN/tmp"
rm -f -- "$OUT"/*.png

# The notebooks must be left as they were: checksums before, compared at the end.
declare -A SUM_BEFORE=()
for job in "${jobs[@]}"; do
    read -r path _ <<<"$job"
    SUM_BEFORE[$path]=$(sha256sum -- "$REPO_ROOT/$path" | cut -d' ' -f1)
done

# JupyterLab settings of this run only: no autosave (the test never writes a notebook), no news.
settings=$RUN/settings/@jupyterlab
mkdir -p "$settings/docmanager-extension" "$settings/apputils-extension"
echo '{"autosave": false}' >"$settings/docmanager-extension/plugin.jupyterlab-settings"
echo '{"fetchNews": "false", "checkForUpdates": false}' >"$settings/apputils-extension/notification.jupyterlab-settings"

# ------------------------------------------------------------------ JupyterLab, through a pty
T0=$(now_ns)
mkfifo "$RUN/tty-in"
exec 7<>"$RUN/tty-in" # the keyboard: Ctrl-C is written here at the end
# `script` gives scripts/lab.sh a terminal, as in `make lab` (Jupyter only handles Ctrl-C when its
# stdin is a terminal); setsid puts it all in a session of its own. Our arguments replace lab.sh's
# defaults: the repository as root (solutions/ too), the app exposed to the test.
lab_cmd=$(printf '%q ' "$REPO_ROOT/scripts/lab.sh" --no-browser --ServerApp.root_dir="$REPO_ROOT" \
    --LabApp.expose_app_in_browser=True)
JUPYTER_RUNTIME_DIR=$RUN/runtime JUPYTER_CONFIG_DIR=$RUN/config \
    JUPYTERLAB_SETTINGS_DIR=$RUN/settings JUPYTERLAB_WORKSPACES_DIR=$RUN/workspaces \
    setsid script -qefc "exec $lab_cmd" /dev/null <"$RUN/tty-in" >"$RUN/lab.log" 2>&1 &
LAB_PID=$!

# Ready when the server info file exists and the URL with its token is printed (just after).
server_json='' LAB_PORT='' TOKEN=''
deadline=$(($(date +%s) + 180))
while :; do
    [[ -n $server_json ]] || server_json=$(find "$RUN/runtime" -name 'jpserver-*.json' -print -quit)
    if [[ -n $server_json && -z $TOKEN ]]; then
        read -r LAB_PORT TOKEN < <(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(j.port, j.token)' "$server_json" 2>/dev/null) || true
    fi
    if [[ -n $TOKEN ]] && tr -d '\r' <"$RUN/lab.log" | grep -qF "http://127.0.0.1:$LAB_PORT/lab?token=$TOKEN"; then
        break
    fi
    if ! alive "$LAB_PID"; then
        tr -d '\r' <"$RUN/lab.log" | tail -n 30 >&2
        die "JupyterLab exited before it was ready (log above)"
    fi
    if (($(date +%s) >= deadline)); then
        tr -d '\r' <"$RUN/lab.log" | tail -n 30 >&2
        die "JupyterLab did not print its URL with a token within 180 s (log above)"
    fi
    sleep 0.3
done
[[ ${#TOKEN} -ge 32 ]] || die "JupyterLab's token is too short: '$TOKEN'"
LAB_URL=http://127.0.0.1:$LAB_PORT
echo "e2e: JupyterLab ready on $LAB_URL after $(secs "$T0") s (scripts/lab.sh printed the URL with its token)"

# ------------------------------------------------------------------ Chromium
# Debian's launcher script execs the browser: $! is Chromium itself, leader of its own group.
setsid "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$RUN/chromium" --remote-debugging-address=127.0.0.1 --remote-debugging-port=0 \
    --window-size=1440,960 about:blank >"$RUN/chromium.log" 2>&1 &
CHROME_PID=$!
deadline=$(($(date +%s) + 60))
until [[ -s $RUN/chromium/DevToolsActivePort ]]; do
    alive "$CHROME_PID" || { tail -n 20 "$RUN/chromium.log" >&2; die "Chromium exited at start (log above)"; }
    (($(date +%s) < deadline)) || { tail -n 20 "$RUN/chromium.log" >&2; die "Chromium gave no DevTools port after 60 s"; }
    sleep 0.2
done
CDP_PORT=$(head -n 1 "$RUN/chromium/DevToolsActivePort")
echo "e2e: Chromium $("$CHROMIUM" --version 2>/dev/null | awk '{ print $2 }') headless on DevTools port $CDP_PORT"

# ------------------------------------------------------------------ the notebooks
job_json=$(for job in "${jobs[@]}"; do
    read -r path name flags <<<"$job"
    printf '{"path":"%s","name":"%s","flags":"%s"}\n' "$path" "$name" "$flags"
done | node -e 'console.log(JSON.stringify(require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse)))')
node_limit=$(((NOTEBOOK_TIMEOUT + 240) * ${#jobs[@]}))
E2E_MODULES=$E2E_MODULES E2E_LAB_URL=$LAB_URL E2E_TOKEN=$TOKEN E2E_CDP_URL=http://127.0.0.1:$CDP_PORT \
    E2E_OUT=$OUT E2E_JOBS=$job_json E2E_NOTEBOOK_TIMEOUT=$NOTEBOOK_TIMEOUT E2E_REPO=$REPO_ROOT \
    timeout --kill-after=10 "$node_limit" node "$REPO_ROOT/scripts/e2e/run.js" &
NODE_PID=$!
set +e
wait "$NODE_PID"
node_status=$?
set -e
NODE_PID=
failed=0
if ((node_status != 0)); then
    ((node_status != 124)) || echo "error: e2e: the browser run took more than $node_limit s and was stopped" >&2
    failed=1
fi

# ------------------------------------------------------------------ notebooks unchanged
# JupyterLab logs every save ("Saving file at /path"): there must be none. A notebook changed on
# disk without a save in the log was rewritten by something else (grader generate…): a warning.
if saves=$(tr -d '\r' <"$RUN/lab.log" | grep -o 'Saving file at .*'); then
    echo "error: e2e: JupyterLab saved files during the test (autosave must be off, the test never saves):" >&2
    printf '    %s\n' "$saves" >&2
    failed=1
fi
for path in "${!SUM_BEFORE[@]}"; do
    if [[ $(sha256sum -- "$REPO_ROOT/$path" | cut -d' ' -f1) != "${SUM_BEFORE[$path]}" && -z ${saves:-} ]]; then
        echo "warning: e2e: $path changed on disk during the test, not through JupyterLab (no save in its log)" >&2
    fi
done

shots() { (cd "$REPO_ROOT" && find target/e2e -maxdepth 1 -name '*.png' | sort | tr '\n' ' '); }

# ------------------------------------------------------------------ Ctrl-C, as in `make lab`
kill -TERM -- "-$CHROME_PID" 2>/dev/null || true
wait_gone 5 "$CHROME_PID" || kill -KILL -- "-$CHROME_PID" 2>/dev/null || true
CHROME_PID=
mapfile -t lab_procs < <(descendants "$LAB_PID")
kernels=0
for p in "${lab_procs[@]}"; do [[ $(ps -o comm= -p "$p" 2>/dev/null) == evcxr* ]] && kernels=$((kernels + 1)); done
t_int=$(now_ns)
printf '\003' >&7
if wait_gone 30 "$LAB_PID" "${lab_procs[@]}"; then
    echo "e2e: Ctrl-C stopped JupyterLab and its $kernels kernel process(es) in $(secs "$t_int") s"
    LAB_PID=
else
    echo "error: e2e: JupyterLab or its kernel still running 30 s after Ctrl-C" >&2
    ps -o pid=,comm= -p "$(
        IFS=,
        echo "${LAB_PID},${lab_procs[*]}"
    )" >&2 || true
    failed=1
fi
if ((failed)); then
    echo "e2e: JupyterLab's log (last 40 lines):" >&2
    tr -d '\r' <"$RUN/lab.log" | tail -n 40 >&2
    echo "error: e2e: FAILED after $(secs "$T0") s; screenshots: $(shots)" >&2
    exit 1
fi
echo "e2e: passed in $(secs "$T0") s; screenshots: $(shots)"
