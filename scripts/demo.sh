#!/usr/bin/env bash
# The single-machine demo: the embedded PostgreSQL (started by IPM itself under
# IPM_STATE_DIR), a demo admin and demo companies on first run, ups-sandbox on its own
# port in place of UPS (with a demo UPS.com user), then ipm-server wired to it.
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
export IPM_PUBLIC_URL="$url"

# The sandbox stands in for UPS: IPM's demo app registered with this server's callback,
# and one UPS.com user.
sandbox_port="${IPM_DEMO_SANDBOX_PORT:-8090}"
sandbox_url="http://127.0.0.1:$sandbox_port"
ups_user=demo-shipper ups_password=Shipper-Pass-1
sandbox_config="$IPM_STATE_DIR/ups-sandbox.json"
cat > "$sandbox_config" <<JSON
{"host": "127.0.0.1", "port": $sandbox_port,
 "clients": [{"clientId": "ipm-demo-client", "clientSecret": "ipm-demo-secret", "redirectURIs": ["$url/oauth/ups/callback"],
              "appName": "Intelligent Pickup Manager"}],
 "users": [{"username": "$ups_user", "email": "shipper@example.com", "password": "$ups_password"}]}
JSON
"$bin_dir/ups-sandbox" --config "$sandbox_config" &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT

export IPM_UPS_BASE_URL="$sandbox_url" IPM_UPS_CLIENT_ID=ipm-demo-client IPM_UPS_CLIENT_SECRET=ipm-demo-secret
export IPM_SUPPORT_CONTACT="${IPM_SUPPORT_CONTACT:-your Account Executive, ae@example.com}"

cat <<MESSAGE

  IPM is starting at $url  (health: $url/healthz, readiness: $url/readyz, API: $url/openapi.json)
  State (embedded PostgreSQL, demo credentials): $IPM_STATE_DIR
  IPM sign-in — $(tr '\n' ' ' < "$credentials" 2>/dev/null || echo "created on an earlier run by someone else")
  UPS sandbox at $sandbox_url — UPS.com user: $ups_user  password: $ups_password
    (change it to see re-authorization required: $bin_dir/ups-sandbox set-password $ups_user --url $sandbox_url,
     then IPM_STATE_DIR=$IPM_STATE_DIR IPM_UPS_BASE_URL=$sandbox_url IPM_UPS_CLIENT_ID=ipm-demo-client \\
          IPM_UPS_CLIENT_SECRET=ipm-demo-secret $ipm tokens refresh CSShipQA --force)
  Walk the seed: sign in, Manage → Settings, CSShipQA, API, Continue, OAuth, UPS sign-in, Success, OPT-OUT.
  Operator commands: $ipm --help   (e.g. $ipm company list)
  Stop with Ctrl-C.

MESSAGE
# The server runs as a child the script waits for, so that stopping the script stops both
# programs: Ctrl-C, a closed terminal or `kill` of the script's pid (a plain `kill` of a script
# waiting in the foreground would leave ipm-server and the sandbox running). The server stops
# gracefully on SIGTERM; the EXIT trap then stops the sandbox.
"$bin_dir/ipm-server" "$@" &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null || true' INT TERM HUP
status=0
wait "$server_pid" || status=$?
# A signal ends the first wait while the server is still shutting down.
while kill -0 "$server_pid" 2>/dev/null; do wait "$server_pid" || status=$?; done
exit "$status"
