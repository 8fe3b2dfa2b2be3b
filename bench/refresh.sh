#!/usr/bin/env bash
# Refresh benchmark (issue 5): 10,000 opted-in connections, all made due at once, refreshed
# by IPM's refresher against ups-sandbox; next to it, in the same run, the sandbox's own
# /refresh capacity measured with a raw client. Everything on loopback.
# Settings: BENCH_CONNECTIONS (10000), BENCH_RAW_CONCURRENCY (16).
source "$(dirname "$0")/lib.sh"
count="${BENCH_CONNECTIONS:-10000}" raw_concurrency="${BENCH_RAW_CONCURRENCY:-16}"

bench_build
bench_start_postgres
bench_start_sandbox

bench_log "seeding $count companies"
seed_report="$("$bin_dir/ipm-bench" seed --companies "$count" --ups-user "$ups_user" --ups-password "$ups_password")"
bench_log "refreshing"
refresh_report="$("$bin_dir/ipm-bench" refresh --expect "$count" --raw-concurrency "$raw_concurrency" \
    --ups-user "$ups_user" --ups-password "$ups_password")"
{
    echo "== refresh benchmark, $(date -u '+%Y-%m-%d %H:%M UTC') =="
    bench_machine
    echo "command: bench/refresh.sh  (BENCH_CONNECTIONS=$count BENCH_RAW_CONCURRENCY=$raw_concurrency)"
    sed 's/^/  /' <<<"$seed_report"
    sed 's/^/  /' <<<"$refresh_report"
} | bench_report refresh
