#!/usr/bin/env bash
# The main job: install everything into .venv and open the tour notebook in JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh lab
as_root=()
# JupyterLab refuses to start as root without this (a fresh machine, a container).
if [ "$(id -u)" -eq 0 ]; then as_root=(--allow-root); fi
exec jupyter lab --ip=127.0.0.1 "${as_root[@]}" notebooks/00_tour.ipynb "$@"
