#!/usr/bin/env bash
# Runs the C tests (tests/c/*.c) under Valgrind: no invalid reads or writes, no use of
# uninitialised memory, and no definite or possible leaks beyond valgrind/anaplan.supp (Rust's
# runtime keeps some memory "still reachable" until exit; that is not a leak). It goes through the same Rust harness as
# `cargo test --test c_abi` (tests/c_abi.rs), which compiles the programs, links them to the
# library of this build, starts what they need, and runs each one under $ANAPLAN_C_TEST_RUNNER.
#
# Usage: scripts/valgrind-c-tests.sh [extra cargo test arguments, e.g. a test name]
# The profile is --release (as `make test`) unless VALGRIND_PROFILE_FLAGS says otherwise
# (VALGRIND_PROFILE_FLAGS= for the dev profile).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || {
  echo "valgrind is not installed: run scripts/install-deps.sh (apt-get install valgrind)." >&2
  exit 1
}

# Valgrind's own leak kinds (definite and possible are errors), with the suppressions the library
# ships for its users and nothing else: what passes here passes in a user's own run.
export ANAPLAN_C_TEST_RUNNER="valgrind --error-exitcode=99 --leak-check=full --track-origins=yes --suppressions=$PWD/valgrind/anaplan.supp"
# shellcheck disable=SC2086 # the profile flags are words on purpose
exec "${CARGO:-cargo}" test ${VALGRIND_PROFILE_FLAGS---release} --test c_abi -- "$@"
