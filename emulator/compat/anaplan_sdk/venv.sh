#!/usr/bin/env bash
# Ensures the Python venv with the pinned anaplan-sdk (requirements.txt beside) and prints the path
# of its python on stdout. Shared by run.sh (the compatibility test) and `make bench` (the client
# comparison), so that both run exactly the same SDK.
# The venv lives in target/compat-venv (or $COMPAT_VENV) and is reused while requirements.txt is
# unchanged. Messages go to stderr; only the python path goes to stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv="${COMPAT_VENV:-$root/target/compat-venv}"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null; then
  echo "venv.sh: $python not found. Install Python 3.10 or later (Debian: apt-get install python3 python3-venv)." >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "venv.sh: anaplan-sdk needs Python 3.10 or later; $python is $("$python" --version 2>&1)." >&2
  exit 1
fi
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "venv.sh: $python cannot create virtual environments. Debian: apt-get install python3-venv" >&2
  exit 1
fi

stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  echo "venv.sh: creating $venv and installing $here/requirements.txt from PyPI" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  cp "$here/requirements.txt" "$stamp"
fi
echo "$venv/bin/python"
