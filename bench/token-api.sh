#!/usr/bin/env bash
# Token API benchmark (issue 5): wrk against GET /api/v1/companies/{id}/ups/access-token
# for 1,000 opted-in companies with fresh tokens, next to /healthz of the same server and
# to pgbench running the route's fast-path SELECT on the same database with the same
# client count; the same load without the service-token cache and without the token cache
# (IPM_TOKEN_CACHE=0, issue 16); how long a change committed on one instance takes to reach
# another's token cache; ipm-server's RSS idle and under the load. Everything on loopback.
# Settings: BENCH_COMPANIES (1000), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_DURATION (20s),
# BENCH_INVALIDATION_SAMPLES (50 per kind of change).
source "$(dirname "$0")/lib.sh"
companies="${BENCH_COMPANIES:-1000}" connections="${BENCH_CONNECTIONS:-32}"
threads="${BENCH_THREADS:-2}" duration="${BENCH_DURATION:-20s}" samples="${BENCH_INVALIDATION_SAMPLES:-50}"
command -v wrk >/dev/null || bench_fail "wrk is missing (scripts/install-deps.sh --bench installs it)"

bench_build
bench_start_postgres
bench_start_sandbox
bench_start_server
sleep 2
idle_rss="$(bench_rss_kb "$server_pid" VmRSS)" idle_hwm="$(bench_rss_kb "$server_pid" VmHWM)"

bench_log "seeding $companies companies"
seed_report="$("$bin_dir/ipm-bench" seed --companies "$companies" --ids-file "$work/ids" --ups-user "$ups_user" --ups-password "$ups_password")"
token="$("$bin_dir/ipm" service-token create bench-load --scope access-token 2>/dev/null)"
[[ "$token" == ipm_svc_* ]] || bench_fail "ipm service-token create printed no ipm_svc_ token"

# One request by hand first: the route must exist and hand out a token.
first_id="$(head -1 "$work/ids")"
status="$(curl -s -o "$work/first.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    "$IPM_PUBLIC_URL/api/v1/companies/$first_id/ups/access-token")"
[[ "$status" == 200 ]] || bench_fail "GET …/access-token answered HTTP $status: $(head -c 300 "$work/first.json")"
seeded_rss="$(bench_rss_kb "$server_pid" VmRSS)"

# One wrk run: its BENCH line (see wrk/spread.lua); fails on any non-2xx or socket error.
run_wrk() {
    local mode="$1" url="$2" line
    line="$(BENCH_MODE="$mode" BENCH_IDS_FILE="$work/ids" BENCH_SERVICE_TOKEN="$token" \
        wrk -t "$threads" -c "$connections" -d "$duration" --timeout 10s -s "$bench_dir/wrk/spread.lua" "$url" | grep '^BENCH ')"
    [[ "$line" =~ non2xx=0\ connect=0\ read=0\ write=0\ timeout=0 ]] || bench_fail "wrk $mode saw errors: $line"
    echo "$line"
}
field() { sed -E "s/.* $2=([0-9.]+).*/\1/" <<<"$1"; }

bench_log "wrk /healthz: $threads threads, $connections connections, $duration"
healthz="$(run_wrk healthz "$IPM_PUBLIC_URL")"

bench_sql "SELECT pg_stat_statements_reset()" >/dev/null
bench_log "wrk access-token: $threads threads, $connections connections, $duration"
( peak=0; while kill -0 "$server_pid" 2>/dev/null; do
      rss="$(bench_rss_kb "$server_pid" VmRSS)"; ((rss > peak)) && peak=$rss; echo "$peak" > "$work/load-rss"; sleep 0.5
  done ) &
sampler=$!
bench_pids+=("$sampler")
access="$(run_wrk access-token "$IPM_PUBLIC_URL")"
kill "$sampler" 2>/dev/null || true
load_rss="$(cat "$work/load-rss")" load_hwm="$(bench_rss_kb "$server_pid" VmHWM)"
# What each access-token request cost the database: statements per request, by calls.
profile="$(bench_sql "SELECT round(calls::numeric / $(field "$access" requests), 2) || ' × ' || regexp_replace(left(query, 90), '\s+', ' ', 'g')
    FROM pg_stat_statements WHERE calls >= $(field "$access" requests) / 10 ORDER BY calls DESC LIMIT 6")"
[[ -n "$profile" ]] || profile="none: fewer than 0.1 statements per request (the token cache answers)"


# The same load on a second server of the same build that looks the service token up on
# every request (IPM_SERVICE_TOKEN_CACHE=0): what the cache is worth, measured side by side.
# The first server is stopped so the two runs have the machine to themselves in turn.
kill -INT "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
# A second ipm-server of the same build with one setting changed (NAME=VALUE), its log in
# $work/LOG: the access-token load against it goes into the variable RESULT.
load_with_setting() {  # NAME=VALUE LOG RESULT
    local port; port="$(bench_free_port)"
    env "$1" IPM_HTTP_PORT="$port" IPM_PUBLIC_URL="http://127.0.0.1:$port" "$bin_dir/ipm-server" >"$work/$2" 2>&1 &
    bench_pids+=("$!")
    bench_wait_http "http://127.0.0.1:$port/readyz" "ipm-server ($1)"
    bench_log "wrk access-token, $1: $threads threads, $connections connections, $duration"
    printf -v "$3" '%s' "$(run_wrk access-token "http://127.0.0.1:$port")"
}
load_with_setting IPM_SERVICE_TOKEN_CACHE=0 ipm-server-uncached.log uncached
kill -INT "${bench_pids[-1]}" 2>/dev/null; wait "${bench_pids[-1]}" 2>/dev/null || true

# And on one without the token cache (IPM_TOKEN_CACHE=0): every request reads and opens the
# stored pair, as before issue 16 — what the token cache (decision 66) is worth.
load_with_setting IPM_TOKEN_CACHE=0 ipm-server-nocache.log nocache

# Without the cache, the route's fast path reads the connection (PostgresUPSConnectionRepository.snapshot):
# the statement is taken as ipm-server sent it, from the last query of one of its pool's
# backends (pg_stat_activity keeps the text; pg_stat_statements would have normalised the
# constants). pgbench runs it by the extended protocol, as libpq's PQexecParams does; pgbench
# takes at most 128 scripts, so 100 of the ids, one script each, equally weighted.
fast_path="$(bench_sql "SELECT query FROM pg_stat_activity WHERE datname = 'ipm' AND pid <> pg_backend_pid()
    AND query LIKE '%token_generation%FROM ups_connections u WHERE u.company_id = \$1' LIMIT 1" | tr '\n' ' ')"
[[ -n "$fast_path" ]] || bench_fail "no ipm-server backend's last statement was the snapshot SELECT of ups_connections"

scripts=()
mkdir -p "$work/pgbench"
head -100 "$work/ids" | while read -r id; do
    echo "${fast_path//\$1/\'$id\'};" > "$work/pgbench/$id.sql"
done
for file in "$work"/pgbench/*.sql; do scripts+=(-f "$file"); done
bench_log "pgbench: $connections clients, $threads threads, ${duration%s} s"
(cd "$work/pgbench" && "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -M extended -c "$connections" -j "$threads" \
    -T "${duration%s}" -l --log-prefix=tx "${scripts[@]}" ipm > "$work/pgbench.out" 2>&1) \
    || bench_fail "pgbench failed: $(tail -5 "$work/pgbench.out")"
grep -q '^number of failed transactions: 0 ' "$work/pgbench.out" || ! grep -q 'failed transactions' "$work/pgbench.out" \
    || bench_fail "pgbench saw failed transactions: $(grep failed "$work/pgbench.out")"
pg_tps="$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$work/pgbench.out" | awk '{printf "%.1f", $1}')"
cat "$work"/pgbench/tx.* | awk '{print $3}' | sort -n > "$work/pg-latencies"
pg_count="$(wc -l < "$work/pg-latencies")"
pg_p50="$(sed -n "$(( (pg_count + 1) / 2 ))p" "$work/pg-latencies")"
pg_p99="$(sed -n "$(( (pg_count * 99 + 99) / 100 ))p" "$work/pg-latencies")"
kill -INT "${bench_pids[-1]}" 2>/dev/null; wait "${bench_pids[-1]}" 2>/dev/null || true

# Invalidation across instances: two servers with the cache on; changes on the writer, the
# reader asked until it no longer hands out the old token (ipm-bench invalidation). Last:
# the opt-outs take their companies' tokens away.
writer_port="$(bench_free_port)" reader_port="$(bench_free_port)"
for port in "$writer_port" "$reader_port"; do
    IPM_HTTP_PORT="$port" IPM_PUBLIC_URL="http://127.0.0.1:$port" "$bin_dir/ipm-server" >"$work/ipm-server-$port.log" 2>&1 &
    bench_pids+=("$!")
    bench_wait_http "http://127.0.0.1:$port/readyz" "ipm-server on port $port"
done
for port in "$writer_port" "$reader_port"; do
    for _ in $(seq 1 100); do
        metrics="$(curl -fsS "http://127.0.0.1:$port/metrics" || true)"
        [[ $'\n'"$metrics" == *$'\n'"ipm_token_cache_listening 1"* ]] && break
        sleep 0.1
    done
done
bench_log "invalidation: $samples samples per kind of change, writer :$writer_port, reader :$reader_port"
invalidation="$("$bin_dir/ipm-bench" invalidation --writer "http://127.0.0.1:$writer_port" --reader "http://127.0.0.1:$reader_port" \
    --service-token "$token" --ids-file "$work/ids" --samples "$samples")" || bench_fail "ipm-bench invalidation failed"

ms() { awk -v us="$1" 'BEGIN {printf "%.2f ms", us / 1000}'; }
mb() { awk -v kb="$1" 'BEGIN {printf "%.1f MB", kb / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
a_rps="$(field "$access" rps)" h_rps="$(field "$healthz" rps)"
{
    echo "== token API benchmark, $(date -u '+%Y-%m-%d %H:%M UTC') =="
    bench_machine
    echo "command: bench/token-api.sh  (BENCH_COMPANIES=$companies BENCH_CONNECTIONS=$connections BENCH_THREADS=$threads BENCH_DURATION=$duration)"
    echo "ipm-server: IPM_DATABASE_MAX_CONNECTIONS=${IPM_DATABASE_MAX_CONNECTIONS:-10 (default)}, IPM_SERVICE_TOKEN_CACHE=${IPM_SERVICE_TOKEN_CACHE:-5 (default)}, IPM_TOKEN_CACHE=${IPM_TOKEN_CACHE:-1 (default)}, IPM_LOG_LEVEL=$IPM_LOG_LEVEL"
    sed 's/^/  /' <<<"$seed_report"
    printf '%-44s %10s %10s %10s\n' "target ($connections connections)" "req/s" "p50" "p99"
    printf '%-44s %10s %10s %10s\n' "GET …/ups/access-token (wrk, $companies ids)" "$a_rps" "$(ms "$(field "$access" p50_us)")" "$(ms "$(field "$access" p99_us)")"
    printf '%-44s %10s %10s %10s\n' "  same, IPM_SERVICE_TOKEN_CACHE=0" "$(field "$uncached" rps)" "$(ms "$(field "$uncached" p50_us)")" "$(ms "$(field "$uncached" p99_us)")"
    printf '%-44s %10s %10s %10s\n' "  same, IPM_TOKEN_CACHE=0" "$(field "$nocache" rps)" "$(ms "$(field "$nocache" p50_us)")" "$(ms "$(field "$nocache" p99_us)")"
    printf '%-44s %10s %10s %10s\n' "GET /healthz (wrk)" "$h_rps" "$(ms "$(field "$healthz" p50_us)")" "$(ms "$(field "$healthz" p99_us)")"
    printf '%-44s %10s %10s %10s\n' "pgbench, the fast path's SELECT" "$pg_tps" "$(ms "$pg_p50")" "$(ms "$pg_p99")"
    echo "ratio access-token / healthz:  $(ratio "$a_rps" "$h_rps")"
    echo "ratio access-token / pgbench:  $(ratio "$a_rps" "$pg_tps")"
    echo "ratio access-token with / without the service-token cache:  $(ratio "$a_rps" "$(field "$uncached" rps)")"
    echo "ratio access-token with / without the token cache:  $(ratio "$a_rps" "$(field "$nocache" rps)")"
    echo "targets (issue 16): access-token/healthz >= 0.8, access-token/pgbench >= 1.0, access-token p99 <= 5 ms, peak VmRSS <= 120 MB"
    echo "ipm-server memory: idle VmRSS $(mb "$idle_rss") (VmHWM $(mb "$idle_hwm")); after seeding VmRSS $(mb "$seeded_rss");"
    echo "                   under the access-token load peak VmRSS $(mb "$load_rss"), VmHWM $(mb "$load_hwm")"
    echo "statements per access-token request (pg_stat_statements during its load):"
    sed 's/^/  /' <<<"$profile"
    sed 's/^/  /' <<<"$invalidation"
    echo "pgbench statement: $fast_path"
    echo "requests: access-token $(field "$access" requests) (service-token cache off: $(field "$uncached" requests), token cache off: $(field "$nocache" requests)), healthz $(field "$healthz" requests), pgbench $pg_count transactions; no errors"
} | bench_report token-api
