# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
# Where cargo puts its builds: CARGO_TARGET_DIR when set, as cargo itself does.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
EMULATOR := $(TARGET_DIR)/release/anaplan-emulator
COMPARISON := $(TARGET_DIR)/release/client-comparison
# The venv of the pinned anaplan-sdk, shared by the compatibility run and the bench.
export COMPAT_VENV ?= $(abspath $(TARGET_DIR))/compat-venv
# Prints the python of that venv, creating it on first use.
SDK_PYTHON := emulator/compat/anaplan_sdk/venv.sh
BENCH_OUT := $(TARGET_DIR)/bench

# `make install`: the library with its SONAME and symlinks, the header, anaplan.pc and the
# Valgrind suppressions, under $(DESTDIR)$(PREFIX).
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
ABI := $(shell sed -n 's/^pub const ANAPLAN_ABI_VERSION: i32 = \([0-9]*\);/\1/p' src/ffi/version.rs)
LIBDIR := $(DESTDIR)$(PREFIX)/lib

.PHONY: all deps build emulator demo test test-rust test-valgrind test-compat test-install install bench lint fmt header clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release --workspace

## Run the emulator in the foreground on port 8080 (Ctrl-C stops it).
emulator: build
	$(EMULATOR) --port 8080

## The main job: the full Anaplan workflow against the bundled emulator.
demo: build
	@scripts/demo.sh

## Every test: formatting, lints, the Rust suites with the C tests (release build: the 1 GiB file
## test needs it), the C tests again under Valgrind, and the unmodified anaplan-sdk from PyPI
## against the emulator binary (and a smoke run of the client comparison).
test: deps lint test-rust test-valgrind test-compat test-install

lint: deps
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --release -- -D warnings

test-rust:
	$(CARGO) test --workspace --release

test-valgrind: deps
	scripts/valgrind-c-tests.sh

# The client comparison at a tiny size, so that it does not rot: it fails if either client fails
# or a download differs from the upload. No timing is checked.
test-compat: build
	emulator/compat/anaplan_sdk/run.sh $(EMULATOR)
	@py=$$($(SDK_PYTHON)) && timeout --kill-after=10 180 $(COMPARISON) --python "$$py" \
		--mb 3 --repeat 1 --task-ms 300 --task-repeat 1 --out $(BENCH_OUT)/clients-smoke.md

install: build
	install -d $(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/anaplan
	install -m 0755 $(TARGET_DIR)/release/libanaplan.so $(LIBDIR)/libanaplan.so.$(VERSION)
	ln -sf libanaplan.so.$(VERSION) $(LIBDIR)/libanaplan.so.$(ABI)
	ln -sf libanaplan.so.$(ABI) $(LIBDIR)/libanaplan.so
	install -m 0644 include/anaplan.h $(DESTDIR)$(PREFIX)/include/anaplan.h
	install -m 0644 valgrind/anaplan.supp $(DESTDIR)$(PREFIX)/share/anaplan/anaplan.supp
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' scripts/anaplan.pc.in > $(LIBDIR)/pkgconfig/anaplan.pc

# Installs into a temporary prefix, builds a program with `pkg-config --cflags --libs anaplan`
# only, and runs it against the emulator.
test-install: build
	scripts/install-test.sh

## Our library and the PyPI anaplan-sdk side by side on the emulator (README "Clients side by
## side"); the table is printed and written to $(TARGET_DIR)/bench/clients.md. Options go in BENCH_ARGS,
## e.g. make bench BENCH_ARGS="--mb 500 --repeat 5".
bench: deps
	$(CARGO) build --release -p anaplan-bench
	@py=$$($(SDK_PYTHON)) && timeout --kill-after=10 3600 $(COMPARISON) --python "$$py" \
		--out $(BENCH_OUT)/clients.md $(BENCH_ARGS)

fmt:
	$(CARGO) fmt --all

## Regenerate include/anaplan.h from the sources (the header test fails when it is stale).
header:
	ANAPLAN_UPDATE_HEADER=1 $(CARGO) test -p anaplan --test header

clean:
	$(CARGO) clean
