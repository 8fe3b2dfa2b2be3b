#!/usr/bin/env bash
# Every benchmark, one after the other, each on its own throwaway cluster and servers.
set -euo pipefail
cd "$(dirname "$0")"
./token-api.sh
BENCH_SKIP_BUILD=1 ./refresh.sh
BENCH_SKIP_BUILD=1 ./postgres-roundtrip.sh
BENCH_SKIP_BUILD=1 ./cli-start.sh
