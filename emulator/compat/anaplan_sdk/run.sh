#!/usr/bin/env bash
# Runs the unmodified anaplan-sdk from PyPI against the emulator binary (see README.md beside).
# Usage: run.sh [EMULATOR_BINARY]   (default: builds and uses target/release/anaplan-emulator)
# The venv lives in target/compat-venv and is reused while requirements.txt is unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
venv="${COMPAT_VENV:-$root/target/compat-venv}"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null; then
  echo "run.sh: $python not found. Install Python 3.10 or later (Debian: apt-get install python3 python3-venv)." >&2
  exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "run.sh: anaplan-sdk needs Python 3.10 or later; $python is $("$python" --version 2>&1)." >&2
  exit 1
fi
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "run.sh: $python cannot create virtual environments. Debian: apt-get install python3-venv" >&2
  exit 1
fi

stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  echo "run.sh: creating $venv and installing $here/requirements.txt from PyPI"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

emulator="${1:-}"
if [ -z "$emulator" ]; then
  (cd "$root" && cargo build --release -p anaplan-emulator)
  emulator="${CARGO_TARGET_DIR:-$root/target}/release/anaplan-emulator"
fi
[ -x "$emulator" ] || { echo "run.sh: emulator binary $emulator not found (build it: cargo build --release -p anaplan-emulator)" >&2; exit 1; }
emulator=$(cd "$(dirname "$emulator")" && pwd)/$(basename "$emulator")

# The workflow bounds itself (--deadline); timeout is the backstop should Python itself hang.
exec timeout --kill-after=10 420 "$venv/bin/python" "$here/sdk_workflow.py" --emulator "$emulator" --deadline 360
