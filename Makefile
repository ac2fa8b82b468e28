# The two commands a newcomer needs: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
CARGO ?= cargo
EMULATOR := target/release/anaplan-emulator

.PHONY: all deps build emulator demo test test-rust test-valgrind test-compat lint fmt header clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release --workspace

$(EMULATOR): build

## Run the emulator in the foreground on port 8080 (Ctrl-C stops it).
emulator: build
	$(EMULATOR) --port 8080

## The main job: the full Anaplan workflow against the bundled emulator.
demo: build
	@scripts/demo.sh

## Every test: formatting, lints, the Rust suites with the C tests (release build: the 1 GiB file
## test needs it), the C tests again under Valgrind, and the unmodified anaplan-sdk from PyPI
## against the emulator binary.
test: deps lint test-rust test-valgrind test-compat

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --release -- -D warnings

test-rust:
	$(CARGO) test --workspace --release

test-valgrind: deps
	scripts/valgrind-c-tests.sh

test-compat: build
	emulator/compat/anaplan_sdk/run.sh $(EMULATOR)

fmt:
	$(CARGO) fmt --all

## Regenerate include/anaplan.h from the sources (the header test fails when it is stale).
header:
	ANAPLAN_UPDATE_HEADER=1 $(CARGO) test -p anaplan --test header

clean:
	$(CARGO) clean
