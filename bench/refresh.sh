#!/usr/bin/env bash
# Refresh benchmark (issues 5 and 16): 10,000 opted-in connections, all made due at once,
# refreshed by IPM's refresher against ups-sandbox; next to it, in the same run and under the
# same injected latency, the sandbox's own /refresh capacity measured by a raw client keeping
# as many refreshes in flight. Twice: without latency (the limit is the machine's CPU) and with
# BENCH_LATENCY_MS on /refresh (the limit is the refreshes in flight). Then the same 10,000
# through a real ipm-server's refresh worker, its RSS sampled. Everything on loopback.
# Settings: BENCH_CONNECTIONS (10000), BENCH_REFRESH_CONCURRENCY (32: the refresher's and the raw
# client's refreshes in flight), BENCH_LATENCY_MS (100), BENCH_DATABASE_CONNECTIONS (10, the pool).
source "$(dirname "$0")/lib.sh"
count="${BENCH_CONNECTIONS:-10000}" concurrency="${BENCH_REFRESH_CONCURRENCY:-32}"
latency="${BENCH_LATENCY_MS:-100}" pool="${BENCH_DATABASE_CONNECTIONS:-10}"

bench_build
bench_start_postgres
bench_start_sandbox

# The sandbox's latency injection (its fault API): an async sleep before /refresh answers.
sandbox_latency() {
    curl -fsS -X PUT -H 'Content-Type: application/json' \
        -d "{\"latencyMilliseconds\": $1, \"endpoints\": [\"refresh\"]}" "$IPM_UPS_BASE_URL/sandbox/faults" >/dev/null
}
sandbox_counter() { curl -fsS "$IPM_UPS_BASE_URL/sandbox/counters" | python3 -c "import json, sys; print(json.load(sys.stdin).get('$1', 0))"; }
refresh_run() {
    "$bin_dir/ipm-bench" refresh --expect "$count" --concurrency "$concurrency" --raw-concurrency "$concurrency" \
        --database-connections "$pool" --ups-user "$ups_user" --ups-password "$ups_password" \
        --sandbox-pid "$sandbox_pid" --postgres-pid "$(head -1 "$pg_data/postmaster.pid")"
}

bench_log "seeding $count companies"
seed_report="$("$bin_dir/ipm-bench" seed --companies "$count" --ups-user "$ups_user" --ups-password "$ups_password")"
bench_log "refreshing, no injected latency"
plain_report="$(refresh_run)"
sandbox_latency "$latency"
bench_log "refreshing, $latency ms latency on /refresh"
latency_report="$(refresh_run)"
sandbox_latency 0

# The same refresh through ipm-server's own refresh worker, no injected latency: its memory.
bench_log "refreshing through ipm-server's refresh worker"
IPM_REFRESH_INTERVAL=1 IPM_REFRESH_CONCURRENCY="$concurrency" IPM_DATABASE_MAX_CONNECTIONS="$pool" bench_start_server
sleep 5
idle_kb="$(bench_rss_kb "$server_pid" VmRSS)"
reuse_before="$(sandbox_counter refresh_token_reuse)" served_before="$(sandbox_counter refreshes_served)"
due_sql="SELECT count(*) FROM ups_connections WHERE status = 'authenticated' AND access_token_expires_at < now()"
bench_sql "UPDATE ups_connections SET access_token_expires_at = now() - interval '1 second' WHERE status = 'authenticated'" >/dev/null
peak_kb=0 peak_connections=0 started="" deadline=$((SECONDS + 1800))
while true; do
    rss="$(bench_rss_kb "$server_pid" VmRSS)"
    (( rss > peak_kb )) && peak_kb=$rss
    held="$(bench_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ipm'")"
    (( held > peak_connections )) && peak_connections=$held
    left="$(bench_sql "$due_sql")"
    # The clock starts at the worker's first refresh (its pass may begin up to 1.25 s after the UPDATE).
    [[ -z "$started" && "$left" -lt "$count" ]] && started="$(date +%s.%N)"
    [[ "$left" -eq 0 ]] && break
    (( SECONDS < deadline )) || bench_fail "ipm-server's worker left $left connections due (log: $work)"
    sleep 0.1
done
finished="$(date +%s.%N)"
hwm_kb="$(bench_rss_kb "$server_pid" VmHWM)"
served=$(($(sandbox_counter refreshes_served) - served_before))
[[ "$(sandbox_counter refresh_token_reuse)" -eq "$reuse_before" && "$reuse_before" -eq 0 ]] || bench_fail "the sandbox saw a refresh token presented twice"
[[ "$served" -eq "$count" ]] || bench_fail "the sandbox served $served refreshes through ipm-server, expected $count"
(( peak_connections <= pool )) || bench_fail "ipm-server held $peak_connections database connections, more than its pool of $pool"
server_rate="$(python3 -c "print(f'{$count / ($finished - $started):.1f}')")"
{
    echo "== refresh benchmark, $(date -u '+%Y-%m-%d %H:%M UTC') =="
    bench_machine
    echo "command: bench/refresh.sh  (BENCH_CONNECTIONS=$count BENCH_REFRESH_CONCURRENCY=$concurrency BENCH_LATENCY_MS=$latency BENCH_DATABASE_CONNECTIONS=$pool)"
    sed 's/^/  /' <<<"$seed_report"
    sed 's/^/  /' <<<"$plain_report"
    sed 's/^/  /' <<<"$latency_report"
    echo "  ipm-server's refresh worker (IPM_REFRESH_CONCURRENCY=$concurrency, IPM_DATABASE_MAX_CONNECTIONS=$pool, no injected latency):"
    echo "    $count connections refreshed at $server_rate refreshed/s (from its first refresh, sampled every 0.1 s); database connections at most: $peak_connections"
    echo "    ipm-server memory: VmRSS idle $((idle_kb / 1024)) MB, peak VmRSS during the refresh $((peak_kb / 1024)) MB, VmHWM $((hwm_kb / 1024)) MB"
} | bench_report refresh
