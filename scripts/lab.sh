#!/usr/bin/env bash
# `make lab`: JupyterLab on notebooks/ with the kernel "Rust (apprentissage)", listening on
# 127.0.0.1 on a free port chosen by the system, protected by the random token Jupyter generates
# (it prints the full URL to open, with that token, only for a token it generated itself). Ctrl-C stops it at once, without Jupyter's
# "Shut down this Jupyter server (y/[n])?" question, and shuts its kernels down.
#
# Usage: scripts/lab.sh [JUPYTER LAB ARGUMENT…]
#   Arguments are passed on and replace our defaults: --no-browser, --ip=0.0.0.0,
#   --ServerApp.root_dir=DIR…
# Needs scripts/setup.sh jupyter evcxr (make setup). scripts/e2e.sh tests this script: URL,
# token, notebooks run in a headless browser, Ctrl-C through a terminal.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${APPRENTISSAGE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/apprentissage}
jupyter=$CACHE_DIR/venv/bin/jupyter
kernels=$CACHE_DIR/jupyter

if [[ ! -x $jupyter || ! -f $kernels/kernels/rust/kernel.json ]]; then
    echo "error: Jupyter or the Rust kernel is not installed ($jupyter, $kernels/kernels/rust): run make setup (scripts/setup.sh jupyter evcxr)" >&2
    exit 1
fi

# Jupyter refuses an option given twice: ours only when the arguments do not set it.
sets() {
    local a o
    for a in "${user_args[@]+"${user_args[@]}"}"; do
        for o in "$@"; do [[ $a == "$o" || $a == "$o="* ]] && return 0; done
    done
    return 1
}
user_args=("$@")
args=(lab)
sets --ServerApp.root_dir --notebook-dir --ServerApp.notebook_dir || args+=(--ServerApp.root_dir="$REPO_ROOT/notebooks")
sets --ip --ServerApp.ip || args+=(--ServerApp.ip=127.0.0.1)
sets --port --ServerApp.port || args+=(--ServerApp.port=0)
sets --y --ServerApp.answer_yes --JupyterApp.answer_yes || args+=(--ServerApp.answer_yes=True)
((EUID != 0)) || sets --allow-root --ServerApp.allow_root || args+=(--allow-root)

echo "JupyterLab sur notebooks/ avec le noyau « Rust (apprentissage) » : l'adresse à ouvrir (avec son jeton) s'affiche ci-dessous dès qu'il est prêt ; Ctrl-C pour l'arrêter."
export JUPYTER_PATH=$kernels
exec "$jupyter" "${args[@]}" "$@"
