#!/usr/bin/env bash
# `make demo`: starts the bundled emulator on a free loopback port, runs the walkthrough against
# it, and stops it again whatever happens.
set -euo pipefail
emulator=${1:-target/release/anaplan-emulator}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
"$emulator" --port 0 --task-duration-ms 1500 --ready-file "$dir/ready.json" >"$dir/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ -s "$dir/ready.json" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$dir/ready.json" ] || { echo "the emulator did not start within 10 s" >&2; cat "$dir/emulator.log" >&2; exit 1; }
python3 examples/emulator_walkthrough.py "$dir/ready.json"
