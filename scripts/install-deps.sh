#!/usr/bin/env bash
# Installs what the tests and the demo need on a fresh Debian machine (run as root, as CI does).
# Each tool is only installed when missing, so a prepared machine pays nothing.
set -euo pipefail

need=()
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
command -v cc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v valgrind >/dev/null || need+=(valgrind)
# keytool makes the test keystores (and the JDK builds the Java wrapper).
command -v keytool >/dev/null || need+=(default-jdk-headless)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${need[*]}. Install them (apt-get install ${need[*]}) or run 'make test' as root." >&2
    exit 1
  fi
  echo "Installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "cargo is missing: install the Rust toolchain (rustup)." >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
