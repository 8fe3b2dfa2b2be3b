#!/usr/bin/env bash
# The single-machine demo: the embedded PostgreSQL (started by IPM itself under
# IPM_STATE_DIR), a demo admin and demo companies on first run, then ipm-server.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT_BIN_DIR="${SWIFT_BIN_DIR:-/opt/swift/usr/bin}"
command -v swift >/dev/null 2>&1 || export PATH="$SWIFT_BIN_DIR:$PATH"

configuration="${CONFIGURATION:-debug}"
swiftpm_flags=(-c "$configuration")
if [[ -n "${SCRATCH_PATH:-}" ]]; then
    swiftpm_flags+=(--scratch-path "$SCRATCH_PATH")
fi
bin_dir="$(swift build "${swiftpm_flags[@]}" --show-bin-path)"
ipm="$bin_dir/ipm"

if [[ -z "${IPM_STATE_DIR:-}" ]]; then
    if [[ "$(id -u)" -eq 0 ]]; then IPM_STATE_DIR=/var/lib/ipm; else IPM_STATE_DIR="${XDG_STATE_HOME:-$HOME/.local/state}/ipm"; fi
fi
export IPM_STATE_DIR
mkdir -p "$IPM_STATE_DIR"
credentials="$IPM_STATE_DIR/demo-credentials"

"$ipm" migrate

if [[ "$("$ipm" admin list --json | tr -d "[:space:]")" == "[]" ]]; then
    password="demo-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12)"
    printf '%s\n' "$password" | "$ipm" admin create demo --display-name "Demo Admin" --email demo@example.com --password-stdin
    "$ipm" company create CSShipQA
    "$ipm" company create "Acme Logistics"
    "$ipm" company add-admin CSShipQA demo --role admin
    "$ipm" company add-admin "Acme Logistics" demo --role admin
    (umask 077 && printf 'sign-in name: demo\npassword: %s\n' "$password" > "$credentials")
fi

url="${IPM_PUBLIC_URL:-http://${IPM_HTTP_HOST:-127.0.0.1}:${IPM_HTTP_PORT:-8080}}"
cat <<MESSAGE

  IPM is starting at $url  (health: $url/healthz, readiness: $url/readyz)
  State (embedded PostgreSQL, demo credentials): $IPM_STATE_DIR
  Demo sign-in — $(tr '\n' ' ' < "$credentials" 2>/dev/null || echo "created on an earlier run by someone else")
  Operator commands: $ipm --help   (e.g. $ipm company list)
  Stop with Ctrl-C.

MESSAGE
exec "$bin_dir/ipm-server" "$@"
