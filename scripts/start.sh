#!/usr/bin/env bash
# The main job: install everything into .venv and open the tour notebook in JupyterLab.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup_env.sh lab
exec jupyter lab --ip=127.0.0.1 notebooks/00_tour.ipynb "$@"
