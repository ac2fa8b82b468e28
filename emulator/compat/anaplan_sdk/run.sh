#!/usr/bin/env bash
# Runs the unmodified anaplan-sdk from PyPI against the emulator binary (see README.md beside).
# Usage: run.sh [EMULATOR_BINARY]   (default: builds and uses target/release/anaplan-emulator)
# The venv (target/compat-venv, reused while requirements.txt is unchanged) comes from venv.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# The venv (created on first use, from PyPI) is shared with `make bench`.
py=$("$here/venv.sh")

emulator="${1:-}"
if [ -z "$emulator" ]; then
  (cd "$root" && cargo build --release -p anaplan-emulator)
  emulator="${CARGO_TARGET_DIR:-$root/target}/release/anaplan-emulator"
fi
[ -x "$emulator" ] || { echo "run.sh: emulator binary $emulator not found (build it: cargo build --release -p anaplan-emulator)" >&2; exit 1; }
emulator=$(cd "$(dirname "$emulator")" && pwd)/$(basename "$emulator")

# The workflow bounds itself (--deadline); timeout is the backstop should Python itself hang.
exec timeout --kill-after=10 420 "$py" "$here/sdk_workflow.py" --emulator "$emulator" --deadline 360
