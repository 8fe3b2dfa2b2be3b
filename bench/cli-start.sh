#!/usr/bin/env bash
# `ipm companies` against the machine's limit (issue 16, target 3): the same 50 companies
# listed by `psql -c` on the same cluster in the same run. Embedded PostgreSQL already up
# (warm), from stopped (cold, next to `pg_ctl start` + psql), with IPM_EMBEDDED_IDLE_STOP=0
# (start and stop each time), and against IPM_DATABASE_URL; then `ipm-server` start → /readyz,
# next to the start of `ipm --version` (the process start floor).
# BENCH_RUNS (30) runs each, BENCH_COLD_RUNS (10), BENCH_COMPANIES (50).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs="${BENCH_RUNS:-30}" cold_runs="${BENCH_COLD_RUNS:-10}" companies="${BENCH_COMPANIES:-50}"

bench_build
ipm="$bin_dir/ipm"

# The embedded cluster is IPM's own: stopped on exit before lib.sh takes the rest down.
embedded_cleanup() { IPM_DATABASE_URL="" "$ipm" database stop --force >/dev/null 2>&1 || true; }
trap 'status=$?; embedded_cleanup; (exit $status); bench_cleanup' EXIT

# The same rows `ipm companies` shows: the admin's companies, role and UPS status, by name.
list_sql="SELECT c.name, m.role, u.status, coalesce(u.updated_at, u.authorized_at) FROM companies c
  JOIN memberships m ON m.company_id = c.id JOIN admins a ON a.id = m.admin_id
  JOIN ups_connections u ON u.company_id = c.id WHERE lower(a.sign_in_name) = 'bench' ORDER BY lower(c.name)"

# Milliseconds of one run of "$@" (output discarded; any failure fails the benchmark).
elapsed_ms() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null 2>"$work/last-error" || bench_fail "$* failed: $(cat "$work/last-error")"
    local end=$EPOCHREALTIME
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}

# "p50 p90" of the numbers on standard input (nearest rank).
percentiles() {
    sort -n | awk '{ v[NR] = $1 } END {
        i50 = int(NR * 0.5 + 0.999999); i90 = int(NR * 0.9 + 0.999999)
        printf "%.1f %.1f\n", v[i50], v[i90] }'
}

# An admin `bench` on every one of $companies companies, signed in (session under $XDG_CONFIG_HOME).
seed() {
    printf 'bench-password-1\n' | "$ipm" admin create bench --password-stdin >/dev/null
    for i in $(seq -w 1 "$companies"); do
        "$ipm" company create "Bench Company $i" >/dev/null
        "$ipm" company add-admin "Bench Company $i" bench --role admin >/dev/null
    done
    printf 'bench-password-1\n' | "$ipm" login bench --password-stdin >/dev/null
    local rows
    rows="$("$ipm" companies | grep -c 'Bench Company')"
    [[ "$rows" == "$companies" ]] || bench_fail "ipm companies listed $rows companies, expected $companies"
}

declare -A p50 p90
measure() {  # NAME COUNT COMMAND…: p50/p90 of COUNT runs
    local name="$1" count="$2"
    shift 2
    local figures
    figures="$(for _ in $(seq 1 "$count"); do elapsed_ms "$@"; done | percentiles)"
    p50[$name]="${figures% *}" p90[$name]="${figures#* }"
    bench_log "$name: p50 ${p50[$name]} ms, p90 ${p90[$name]} ms"
}

# --- The embedded PostgreSQL -------------------------------------------------------------
export IPM_STATE_DIR="$work/state" XDG_CONFIG_HOME="$work/config-embedded" IPM_LOG_LEVEL=critical
unset IPM_DATABASE_URL
bench_log "embedded PostgreSQL under $IPM_STATE_DIR: initialising, seeding $companies companies"
"$ipm" migrate >/dev/null
seed
pg_bin_embedded="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as_postgres_embedded=()
[[ "$(id -u)" -eq 0 ]] && as_postgres_embedded=(/usr/sbin/runuser -u postgres --)
embedded_conn="host=$IPM_STATE_DIR/postgres/socket port=5432 dbname=ipm user=ipm"
embedded_psql() { "$pg_bin_embedded/psql" -X -q "$embedded_conn" -Atc "$list_sql"; }
embedded_rows="$(embedded_psql | wc -l)"
[[ "$embedded_rows" == "$companies" ]] || bench_fail "psql listed $embedded_rows companies, expected $companies"

"$ipm" companies >/dev/null  # warm: the cluster is up and stays up
measure warm "$runs" "$ipm" companies
measure psql "$runs" embedded_psql
"$ipm" companies > "$work/companies-warm.txt"

cold_ipm() { "$ipm" database stop >/dev/null && elapsed_ms "$ipm" companies; }
cold_psql() {
    "$ipm" database stop >/dev/null
    elapsed_ms bash -c "$(printf '%q ' "${as_postgres_embedded[@]}" "$pg_bin_embedded/pg_ctl") -D $(printf %q "$IPM_STATE_DIR/postgres/data") -l $(printf %q "$IPM_STATE_DIR/postgres/server.log") -w start >/dev/null && $(printf '%q ' "$pg_bin_embedded/psql" -X -q "$embedded_conn" -Atc "$list_sql")"
}
figures="$(for _ in $(seq 1 "$cold_runs"); do cold_ipm; done | percentiles)"
p50[cold]="${figures% *}" p90[cold]="${figures#* }"
bench_log "cold: p50 ${p50[cold]} ms, p90 ${p90[cold]} ms"
figures="$(for _ in $(seq 1 "$cold_runs"); do cold_psql; done | percentiles)"
p50[cold_psql]="${figures% *}" p90[cold_psql]="${figures#* }"
bench_log "pg_ctl start + psql: p50 ${p50[cold_psql]} ms, p90 ${p90[cold_psql]} ms"
"$ipm" database stop >/dev/null
"$ipm" companies > "$work/companies-cold.txt"
cmp -s "$work/companies-warm.txt" "$work/companies-cold.txt" || bench_fail "ipm companies printed different output warm and cold"

"$ipm" database stop >/dev/null
measure stop_each "$cold_runs" env IPM_EMBEDDED_IDLE_STOP=0 "$ipm" companies

measure version "$runs" "$ipm" --version

# ipm-server start → /readyz, on the embedded cluster (up).
export IPM_UPS_CLIENT_ID=bench-client IPM_UPS_CLIENT_SECRET=bench-secret-0123456789 IPM_UPS_BASE_URL=http://127.0.0.1:9
export IPM_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)"
server_ready_ms() {
    local port
    port="$(bench_free_port)"
    local start=$EPOCHREALTIME
    IPM_HTTP_HOST=127.0.0.1 IPM_HTTP_PORT="$port" IPM_PUBLIC_URL="http://127.0.0.1:$port" "$bin_dir/ipm-server" >"$work/server-start.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 3000); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null; then
            local end=$EPOCHREALTIME
            kill -TERM "$pid"
            wait "$pid" || true
            awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
            return
        fi
        kill -0 "$pid" 2>/dev/null || bench_fail "ipm-server ended before /readyz: $(cat "$work/server-start.log")"
        sleep 0.005
    done
    kill -TERM "$pid" 2>/dev/null || true
    bench_fail "ipm-server did not become ready: $(cat "$work/server-start.log")"
}
figures="$(for _ in $(seq 1 "$cold_runs"); do server_ready_ms; done | percentiles)"
p50[server_embedded]="${figures% *}" p90[server_embedded]="${figures#* }"
bench_log "ipm-server → /readyz (embedded): p50 ${p50[server_embedded]} ms"
embedded_cleanup

# --- IPM_DATABASE_URL on a throwaway cluster (TCP loopback) ------------------------------
bench_start_postgres
export XDG_CONFIG_HOME="$work/config-url"
"$ipm" migrate >/dev/null
bench_log "seeding $companies companies on $IPM_DATABASE_URL"
seed
url_psql() { "$pg_bin/psql" -X -q "$IPM_DATABASE_URL" -Atc "$list_sql"; }
measure url "$runs" "$ipm" companies
measure url_psql "$runs" url_psql
figures="$(for _ in $(seq 1 "$cold_runs"); do server_ready_ms; done | percentiles)"
p50[server_url]="${figures% *}" p90[server_url]="${figures#* }"
bench_log "ipm-server → /readyz (IPM_DATABASE_URL): p50 ${p50[server_url]} ms"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() { printf '  %-44s p50 %8.1f ms   p90 %8.1f ms\n' "$1" "${p50[$2]}" "${p90[$2]}"; }
bench_report cli-start <<REPORT
cli-start: \`ipm companies\` ($companies companies) against psql listing the same rows, same run
$(bench_machine)
runs: $runs warm, $cold_runs cold / stop-each / server starts

embedded PostgreSQL
$(row "ipm companies, cluster up (warm)" warm)
$(row "psql -c, same cluster, same rows" psql)
$(row "ipm companies, cluster stopped (cold)" cold)
$(row "pg_ctl start -w + psql -c (cold baseline)" cold_psql)
$(row "ipm companies, IPM_EMBEDDED_IDLE_STOP=0" stop_each)
$(row "ipm --version (process start floor)" version)
IPM_DATABASE_URL (TCP loopback)
$(row "ipm companies" url)
$(row "psql -c, same rows" url_psql)
ipm-server start → first 200 on /readyz
$(row "embedded PostgreSQL (up)" server_embedded)
$(row "IPM_DATABASE_URL" server_url)

ratios (p50): warm/psql $(ratio "${p50[warm]}" "${p50[psql]}"), cold/(pg_ctl start + psql) $(ratio "${p50[cold]}" "${p50[cold_psql]}"), url/psql $(ratio "${p50[url]}" "${p50[url_psql]}"), warm/--version $(ratio "${p50[warm]}" "${p50[version]}")
target: ipm companies warm ≤ 150 ms (release): $(awk -v a="${p50[warm]}" 'BEGIN { print (a <= 150 ? "met" : "NOT met") }') at p50 ${p50[warm]} ms
REPORT
