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
