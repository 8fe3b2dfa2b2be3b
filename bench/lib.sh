# Shared by the benchmark drivers (sourced, not run): builds the binaries, starts a
# throwaway PostgreSQL cluster, ups-sandbox and ipm-server on loopback ports under one
# temporary directory, and takes everything down again on exit.
# Overrides: CONFIGURATION (default release), SCRATCH_PATH, BENCH_KEEP_WORK=1 (keep logs),
# BENCH_SKIP_BUILD=1 (run the binaries already built).

set -euo pipefail
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$bench_dir")"
SWIFT_BIN_DIR="${SWIFT_BIN_DIR:-/opt/swift/usr/bin}"
command -v swift >/dev/null 2>&1 || export PATH="$SWIFT_BIN_DIR:$PATH"

configuration="${CONFIGURATION:-release}"
swiftpm_flags=(-c "$configuration")
# A release build is measured as it ships (docker/Dockerfile): the Swift runtime linked in.
[[ "$configuration" == release ]] && swiftpm_flags+=(--static-swift-stdlib)
[[ -n "${SCRATCH_PATH:-}" ]] && swiftpm_flags+=(--scratch-path "$SCRATCH_PATH")

bench_pids=()
pg_data="" pg_bin="" as_postgres=()

bench_log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
bench_fail() { bench_log "FAILED: $*"; exit 1; }

bench_cleanup() {
    local status=$?
    for pid in "${bench_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ -n "$pg_data" && -f "$pg_data/postmaster.pid" ]]; then
        "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" stop -m fast -w >/dev/null 2>&1 || true
    fi
    if [[ "${BENCH_KEEP_WORK:-0}" == 1 || $status -ne 0 ]]; then
        bench_log "logs kept in $work"
    else
        rm -rf "$work"
    fi
}

work="$(mktemp -d /tmp/ipm-bench.XXXXXX)"
chmod 755 "$work"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_build() {
    bin_dir="$(cd "$repo_dir" && swift build "${swiftpm_flags[@]}" --show-bin-path)"
    if [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]]; then
        bench_log "using the binaries already in $bin_dir (BENCH_SKIP_BUILD=1)"
        return
    fi
    # One build of every product: `--product X` one at a time compiles the dependencies again
    # for each product.
    bench_log "building every product, ipm-bench included ($configuration)"
    (cd "$repo_dir" && swift build "${swiftpm_flags[@]}" >&2)
}

bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A throwaway cluster on 127.0.0.1 with the server's defaults (durability included) plus
# pg_stat_statements, which shows what the routes actually ran;
# as root, run as the unprivileged postgres user, as IPMPostgres/Embedded does.
bench_start_postgres() {
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [[ -x "$pg_bin/initdb" ]] || bench_fail "initdb not found under /usr/lib/postgresql/*/bin (scripts/install-deps.sh installs postgresql)"
    pg_data="$work/pg"
    mkdir -p "$pg_data"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres "$pg_data"
        as_postgres=(/usr/sbin/runuser -u postgres --)
    fi
    pg_port="$(bench_free_port)"
    "${as_postgres[@]}" "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres --no-sync >/dev/null
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w start \
        -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_data -c max_connections=200 -c shared_preload_libraries=pg_stat_statements" >/dev/null
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres ipm
    bench_sql "CREATE EXTENSION pg_stat_statements" >/dev/null
    export IPM_DATABASE_URL="postgresql://postgres@127.0.0.1:$pg_port/ipm"
    bench_log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
}

bench_sql() { "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d ipm -v ON_ERROR_STOP=1 -Atc "$1"; }

# ups-sandbox with one client (redirecting to ipm-server's callback) and one UPS.com user.
bench_start_sandbox() {
    sandbox_port="$(bench_free_port)" ipm_port="$(bench_free_port)"
    export IPM_PUBLIC_URL="http://127.0.0.1:$ipm_port" IPM_HTTP_HOST=127.0.0.1 IPM_HTTP_PORT="$ipm_port"
    export IPM_UPS_BASE_URL="http://127.0.0.1:$sandbox_port"
    export IPM_UPS_CLIENT_ID=ipm-bench-client IPM_UPS_CLIENT_SECRET="bench-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    export IPM_ENCRYPTION_KEYS="bench:$(head -c 32 /dev/urandom | base64)"
    export IPM_STATE_DIR="$work/state" IPM_LOG_LEVEL="${IPM_LOG_LEVEL:-warning}"
    ups_user=bench-shipper ups_password=Bench-Shipper-1
    cat > "$work/sandbox.json" <<JSON
{"host": "127.0.0.1", "port": $sandbox_port,
 "clients": [{"clientId": "$IPM_UPS_CLIENT_ID", "clientSecret": "$IPM_UPS_CLIENT_SECRET",
              "redirectURIs": ["$IPM_PUBLIC_URL/oauth/ups/callback"], "appName": "IPM benchmarks"}],
 "users": [{"username": "$ups_user", "email": "bench@example.com", "password": "$ups_password"}]}
JSON
    "$bin_dir/ups-sandbox" --config "$work/sandbox.json" >"$work/sandbox.log" 2>&1 &
    sandbox_pid=$!
    bench_pids+=("$sandbox_pid")
    bench_wait_http "$IPM_UPS_BASE_URL/sandbox/counters" ups-sandbox
    "$bin_dir/ipm" migrate >/dev/null
}

bench_start_server() {
    "$bin_dir/ipm-server" >"$work/ipm-server.log" 2>&1 &
    server_pid=$!
    bench_pids+=("$server_pid")
    bench_wait_http "$IPM_PUBLIC_URL/readyz" ipm-server
}

bench_wait_http() {
    local url="$1" name="$2"
    for _ in $(seq 1 200); do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    bench_fail "$name did not answer at $url (log: $work)"
}

# kB from /proc/PID/status: VmRSS (now) or VmHWM (peak so far).
bench_rss_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }

# Writes the report (standard input) to the terminal and to bench/results/NAME-TIMESTAMP.txt.
bench_report() {
    mkdir -p "$bench_dir/results"
    local file
    file="$bench_dir/results/$1-$(date -u +%Y%m%dT%H%M%SZ).txt"
    tee "$file"
    bench_log "report written to ${file#"$repo_dir"/}"
}

bench_machine() {
    printf 'machine: %s, %s CPUs (%s), %s MB RAM; swift build %s\n' "$(uname -sr)" "$(nproc)" \
        "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" "$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)" "${swiftpm_flags[*]}"
}
