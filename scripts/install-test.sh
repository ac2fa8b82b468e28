#!/usr/bin/env bash
# The install, as a C developer uses it: `make install` into a temporary prefix, then a program
# built with `pkg-config --cflags --libs anaplan` only, run against the emulator. Checks the
# SONAME and its symlinks too. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}
for tool in pkg-config readelf cc; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d)
emulator_pid=
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
prefix="$work/prefix"
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

make --no-print-directory install PREFIX="$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
abi=$(sed -n 's/^pub const ANAPLAN_ABI_VERSION: i32 = \([0-9]*\);/\1/p' src/ffi/version.rs)
check "the header is installed" test -f "$prefix/include/anaplan.h"
check "libanaplan.so -> libanaplan.so.$abi" test "$(readlink "$prefix/lib/libanaplan.so")" = "libanaplan.so.$abi"
check "the SONAME is libanaplan.so.$abi" grep -q "SONAME.*\[libanaplan.so.$abi\]" <(readelf -d "$prefix/lib/libanaplan.so.$abi")
check "the Valgrind suppressions are installed" test -f "$prefix/share/anaplan/anaplan.supp"

cat >"$work/program.c" <<'C'
#include <stdio.h>
#include <anaplan.h>
int main(int argc, char **argv) {
    if (argc != 3) return 2;
    if (anaplan_abi_version() != ANAPLAN_ABI_VERSION) return 3;
    anaplan_config *config = NULL;
    anaplan_client *client = NULL;
    anaplan_list *list = NULL;
    size_t count = 0;
    if (anaplan_config_new(&config) != ANAPLAN_STATUS_OK) return 4;
    anaplan_config_set_api_url(config, argv[1]);
    anaplan_config_set_auth_url(config, argv[2]);
    anaplan_status st = anaplan_client_connect_basic(config, "integration.user@example.com",
                                                     "Integration-Pass-1", &client);
    anaplan_config_free(config);
    if (st != ANAPLAN_STATUS_OK) return 5;
    if (anaplan_client_list_workspaces(client, &list) == ANAPLAN_STATUS_OK)
        anaplan_list_count(list, &count);
    printf("workspaces: %zu\n", count);
    anaplan_list_free(list);
    anaplan_client_free(client);
    return count > 0 ? 0 : 6;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
check "the program builds with pkg-config alone" \
  cc -std=c11 -Werror -o "$work/program" "$work/program.c" $(pkg-config --cflags --libs anaplan)
check "it needs the library by its SONAME" grep -q "libanaplan.so.$abi" <(readelf -d "$work/program")

"$target_dir/release/anaplan-emulator" --port 0 --ready-file "$work/ready.json" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
api=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apiUrl"])' "$work/ready.json")
auth=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["authUrl"])' "$work/ready.json")
check "it runs against the emulator" env LD_LIBRARY_PATH="$prefix/lib" "$work/program" "$api" "$auth"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
