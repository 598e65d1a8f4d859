# Sourced by start.sh and test.sh: make .venv with this package and the given extras.
# Usage: . scripts/setup_env.sh EXTRAS [PIP_ARGS...]
set -euo pipefail
extras="$1"; shift
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[${extras}]" "$@"
export PATH="$PWD/.venv/bin:$PATH"
