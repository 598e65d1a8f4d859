# Sourced by start.sh and test.sh: make .venv with this package and the given extras.
# Usage: . scripts/setup_env.sh EXTRAS [PIP_ARGS...]
set -euo pipefail
extras="$1"; shift
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv 2>/dev/null; then
    # Debian/Ubuntu ship venv (and ensurepip) as a separate package.
    rm -rf .venv
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  fi
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[${extras}]" "$@"
export PATH="$PWD/.venv/bin:$PATH"
# JupyterLab saves no widget state by default, so a saved notebook reopened
# without its kernel reads "Error displaying widget: model not found" where
# each graph was. Turn on the jupyterlab-manager's "Save Widget State
# Automatically" for this environment: a settings override (a default, which
# the user's own Settings still change) in JupyterLab's app directory.
if .venv/bin/python -c "import jupyterlab" 2>/dev/null; then
  dz_lab_dir="$(.venv/bin/python -c 'from jupyterlab.commands import get_app_dir; print(get_app_dir())')"
  mkdir -p "$dz_lab_dir/settings/overrides.d"
  printf '%s\n' '{"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": true}}' \
    > "$dz_lab_dir/settings/overrides.d/dezero-magic.json"
  unset dz_lab_dir
fi
