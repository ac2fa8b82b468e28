#!/usr/bin/env bash
# `make demo`: builds the C workflow example against include/anaplan.h and the release library,
# starts the bundled emulator on a free loopback port, runs the example against it, and stops the
# emulator again whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where `make build` put them: CARGO_TARGET_DIR when set, as cargo does.
lib_dir=${CARGO_TARGET_DIR:-target}/release
emulator=$lib_dir/anaplan-emulator
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

cc -std=c11 -Wall -Wextra -Werror -Iinclude examples/workflow.c -L"$lib_dir" -lanaplan -o "$dir/workflow"
# The program needs the library by its SONAME (libanaplan.so.<ABI>), as an installed one is found
# (`make install` makes the link); here a link of that name stands beside the program.
abi=$(sed -n 's/^pub const ANAPLAN_ABI_VERSION: i32 = \([0-9]*\);/\1/p' src/ffi/version.rs)
ln -s "$(realpath "$lib_dir/libanaplan.so")" "$dir/libanaplan.so.$abi"

# The data to upload: the shipped sample (with its bad rows) and 60 000 generated employees,
# a few megabytes, so the upload goes in several chunks.
python3 - "$dir/employees.csv" <<'PY'
import sys
departments = ["Finance", "Sales", "Engineering", "HR", "Operations"]
with open("emulator/seed/employees.csv") as f:
    lines = f.read().splitlines()
with open(sys.argv[1], "w") as out:
    out.write("\n".join(lines) + "\n")
    for n in range(60000):
        out.write(f"Employee {n:05d},G{n:05d},{departments[n % 5]},employee{n:05d}@example.com,2020-01-{n % 28 + 1:02d},\n")
PY

"$emulator" --port 0 --task-duration-ms 1500 --ready-file "$dir/ready.json" >"$dir/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  [ -s "$dir/ready.json" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$dir/ready.json" ] || { echo "the emulator did not start within 10 s" >&2; cat "$dir/emulator.log" >&2; exit 1; }
read -r auth_url api_url < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["authUrl"], r["apiUrl"])' "$dir/ready.json")

echo "Emulator running at $api_url (seeded demo tenant)"
ANAPLAN_USER=integration.user@example.com ANAPLAN_PASSWORD=Integration-Pass-1 \
  LD_LIBRARY_PATH="$dir:$lib_dir" "$dir/workflow" "$auth_url" "$api_url" "$dir/employees.csv" "$dir/export.csv"
