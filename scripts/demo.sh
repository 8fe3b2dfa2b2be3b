#!/usr/bin/env bash
# Runs the single-machine demo: migrate the database, then serve.
# With no IPM_DATABASE_URL the app starts its own embedded PostgreSQL under IPM_STATE_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT_BIN_DIR="${SWIFT_BIN_DIR:-/opt/swift/usr/bin}"
command -v swift >/dev/null 2>&1 || export PATH="$SWIFT_BIN_DIR:$PATH"

configuration="${CONFIGURATION:-release}"
swiftpm_flags=(-c "$configuration")
if [[ -n "${SCRATCH_PATH:-}" ]]; then
    swiftpm_flags+=(--scratch-path "$SCRATCH_PATH")
fi
bin_dir="$(swift build "${swiftpm_flags[@]}" --show-bin-path)"

"$bin_dir/ipm" migrate
exec "$bin_dir/ipm-server" "$@"
