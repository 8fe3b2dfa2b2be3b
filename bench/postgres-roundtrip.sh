#!/usr/bin/env bash
# libpq round-trip benchmark (issue 16, target 2): `SELECT 1` and the token route's snapshot
# SELECT (PostgresUPSConnectionRepository.snapshotQuery) through PostgresClient with N clients
# for a fixed time (`ipm-bench roundtrip`), next to `pgbench -M prepared` with the same client
# count running the same statements on the same database in the same run. The figure for the
# target comes from client tasks that prefer the client's event loops (decision 81); the same
# calls from the cooperative pool, through PostgresClient with prepared statements off and through withConnection (a hop to the
# connection's own thread per statement), to show what each part of decisions 69/70 is worth.
# Settings: BENCH_CLIENTS (32), BENCH_DURATION (10 s), BENCH_COMPANIES (1000), BENCH_THREADS (pgbench -j, 2).
source "$(dirname "$0")/lib.sh"
clients="${BENCH_CLIENTS:-32}" duration="${BENCH_DURATION:-10}" companies="${BENCH_COMPANIES:-1000}"
threads="${BENCH_THREADS:-2}"
duration="${duration%s}"

bench_build
bench_start_postgres
"$bin_dir/ipm" migrate >/dev/null

# Authenticated companies with sealed-sized token columns, as the token route reads them.
bench_log "seeding $companies companies"
bench_sql "INSERT INTO companies (id, name, created_at)
    SELECT gen_random_uuid(), 'roundtrip-' || n, now() FROM generate_series(1, $companies) n" >/dev/null
bench_sql "INSERT INTO ups_connections (company_id, status, authorized_at, access_token_expires_at,
        refresh_token_expires_at, updated_at, access_token_sealed, refresh_token_sealed, token_key_id,
        token_scope, token_generation, last_refreshed_at)
    SELECT id, 'authenticated', now(), now() + interval '4 hours', now() + interval '60 days', now(),
        decode(repeat(md5(id::text), 16), 'hex'), decode(repeat(md5(name), 4), 'hex'), 'bench', 'read', 1, now()
    FROM companies" >/dev/null
bench_sql "ANALYZE" >/dev/null
# pgbench takes at most 128 scripts: 100 ids, one script each; ipm-bench reads the same 100.
bench_sql "SELECT id FROM companies ORDER BY name LIMIT 100" > "$work/ids"

snapshot_sql="$("$bin_dir/ipm-bench" roundtrip --statement snapshot --print-sql | tr '\n' ' ')"
[[ "$snapshot_sql" == *'$1'* ]] || bench_fail "ipm-bench printed no snapshot statement with \$1: $snapshot_sql"
mkdir -p "$work/pgbench/select1" "$work/pgbench/snapshot"
echo "SELECT 1;" > "$work/pgbench/select1/select1.sql"
defines=()
n=0
while read -r id; do
    n=$((n + 1))
    echo "${snapshot_sql//\$1/:cid$n};" > "$work/pgbench/snapshot/$n.sql"
    defines+=(-D "cid$n=$id")
done < "$work/ids"

# One pgbench run: "tps p50_us p99_us transactions"; fails on any failed transaction.
run_pgbench() {
    local name="$1" scripts=() file
    for file in "$work/pgbench/$name"/*.sql; do scripts+=(-f "$file"); done
    (cd "$work/pgbench/$name" && "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared \
        -c "$clients" -j "$threads" -T "$duration" -l --log-prefix=tx "${defines[@]}" "${scripts[@]}" ipm \
        > "$work/pgbench-$name.out" 2>&1) || bench_fail "pgbench $name failed: $(tail -5 "$work/pgbench-$name.out")"
    if grep -q 'failed transactions' "$work/pgbench-$name.out"; then
        grep -q '^number of failed transactions: 0 ' "$work/pgbench-$name.out" \
            || bench_fail "pgbench $name saw failed transactions: $(grep failed "$work/pgbench-$name.out")"
    fi
    local tps count
    tps="$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$work/pgbench-$name.out" | awk '{printf "%.1f", $1}')"
    [[ -n "$tps" ]] || bench_fail "pgbench $name printed no tps: $(tail -5 "$work/pgbench-$name.out")"
    cat "$work/pgbench/$name"/tx.* | awk '{print $3}' | sort -n > "$work/pgbench-$name.latencies"
    rm -f "$work/pgbench/$name"/tx.*
    count="$(wc -l < "$work/pgbench-$name.latencies")"
    echo "$tps $(sed -n "$(((count + 1) / 2))p" "$work/pgbench-$name.latencies") $(sed -n "$(((count * 99 + 99) / 100))p" "$work/pgbench-$name.latencies") $count"
}

# One ipm-bench run: "tps p50_us p99_us calls cpu_us_per_call switches_per_call".
run_ipm() {
    local name="$1" path="$2" prepared="$3" line
    line="$("$bin_dir/ipm-bench" roundtrip --statement "$name" --path "$path" --clients "$clients" --duration "$duration" \
        --ids-file "$work/ids" --prepared-statements "$prepared" | grep '^BENCH ')" \
        || bench_fail "ipm-bench roundtrip --statement $name failed"
    [[ "$line" == *" errors=0" ]] || bench_fail "ipm-bench roundtrip saw errors: $line"
    echo "$(field "$line" tps) $(field "$line" p50_us) $(field "$line" p99_us) $(field "$line" calls)" \
        "$(field "$line" cpu_us_per_call) $(field "$line" switches_per_call)"
}
field() { sed -E "s/.* $2=([0-9.]+).*/\1/" <<<"$1"; }

declare -A figures
for name in select1 snapshot; do
    bench_log "pgbench -M prepared, $name: $clients clients, $threads threads, $duration s"
    figures[$name.pgbench]="$(run_pgbench "$name")"
    bench_log "PostgresClient.query from tasks on its event loops, $name: $clients clients, $duration s"
    figures[$name.ipm]="$(run_ipm "$name" loop 256)"
    bench_log "PostgresClient.query from the cooperative pool, $name: $clients clients, $duration s"
    figures[$name.pool]="$(run_ipm "$name" direct 256)"
    bench_log "PostgresClient.withConnection (a hop to the connection's thread), $name: $clients clients, $duration s"
    figures[$name.queue]="$(run_ipm "$name" queue 256)"
    bench_log "PostgresClient.query unprepared, $name: $clients clients, $duration s"
    figures[$name.unprepared]="$(run_ipm "$name" direct 0)"
    bench_log "PostgresClient.withConnection unprepared (the design before issue 16), $name: $clients clients, $duration s"
    figures[$name.before]="$(run_ipm "$name" queue 0)"
done

ms() { awk -v us="$1" 'BEGIN {printf "%.2f ms", us / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
row() {
    local label="$1" tps p50 p99 count cpu switches
    read -r tps p50 p99 count cpu switches <<<"$2"
    printf '%-52s %10s %10s %10s %9s %11s %9s\n' "$label" "$tps" "$(ms "$p50")" "$(ms "$p99")" "$count" \
        "${cpu:+$cpu µs}" "${switches:--}"
}
{
    echo "== libpq round-trip benchmark, $(date -u '+%Y-%m-%d %H:%M UTC') =="
    bench_machine
    echo "command: bench/postgres-roundtrip.sh  (BENCH_CLIENTS=$clients BENCH_DURATION=$duration BENCH_COMPANIES=$companies BENCH_THREADS=$threads)"
    printf '%-52s %10s %10s %10s %9s %11s %9s\n' "statement ($clients clients, $duration s each)" "tps" "p50" "p99" "calls" \
        "CPU/call" "switches"
    for name in select1 snapshot; do
        label="SELECT 1"
        [[ "$name" == snapshot ]] && label="snapshot SELECT (100 ids)"
        row "$label: pgbench -M prepared" "${figures[$name.pgbench]}"
        row "$label: PostgresClient.query on its loops" "${figures[$name.ipm]}"
        row "$label:   query from the cooperative pool" "${figures[$name.pool]}"
        row "$label:   withConnection (thread hop)" "${figures[$name.queue]}"
        row "$label:   query, unprepared" "${figures[$name.unprepared]}"
        row "$label:   withConnection, unprepared (before)" "${figures[$name.before]}"
    done
    for name in select1 snapshot; do
        read -r pg_tps _ <<<"${figures[$name.pgbench]}"
        read -r ipm_tps _ <<<"${figures[$name.ipm]}"
        read -r pool_tps _ <<<"${figures[$name.pool]}"
        read -r raw_tps _ <<<"${figures[$name.unprepared]}"
        read -r queue_tps _ <<<"${figures[$name.queue]}"
        read -r before_tps _ <<<"${figures[$name.before]}"
        echo "ratio $name PostgresClient.query on its loops / pgbench -M prepared:  $(ratio "$ipm_tps" "$pg_tps")"
        echo "      (from the pool: $(ratio "$pool_tps" "$pg_tps"), withConnection: $(ratio "$queue_tps" "$pg_tps"), query unprepared: $(ratio "$raw_tps" "$pg_tps"), before issue 16: $(ratio "$before_tps" "$pg_tps"))"
    done
    echo "CPU/call and switches: ipm-bench's CPU time and context switches (all threads) per call while measuring."
    echo "snapshot statement: $snapshot_sql"
} | bench_report postgres-roundtrip
