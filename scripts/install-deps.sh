#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need.
# Idempotent: installs only what is missing, and says nothing when nothing is.
# --bench adds what the benchmarks in bench/ need besides (wrk; pgbench comes with postgresql).
set -euo pipefail

# Later issues append to this list (chromium, chromium-driver, python3-selenium, wrk, …).
DEBIAN_PACKAGES=(
    libpq-dev   # CLibPQ (pkg-config: libpq)
    postgresql  # initdb/pg_ctl/postgres for the embedded server and the test fixture
    pkg-config
    tmux        # TUI tests drive a real terminal
    python3
    curl        # tests talk to ipm-server over real sockets
    chromium            # the browser journey test (Tests/Browser) drives headless Chromium
    chromium-driver
    python3-selenium
)

if [[ "${1:-}" == "--bench" ]]; then
    DEBIAN_PACKAGES+=(wrk)  # the HTTP load generator of bench/token-api.sh
fi

SWIFT_BIN_DIR="${SWIFT_BIN_DIR:-/opt/swift/usr/bin}"

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
    if [[ "$(id -u)" -eq 0 ]]; then
        as_root=()
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-deps: missing Debian packages (${missing[*]}) and neither root nor sudo is available" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
    "${apt[@]}" update -qq
    "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Swift toolchain is not a Debian package here; it lives in /opt/swift.
if ! command -v swift >/dev/null 2>&1; then
    if [[ -x "$SWIFT_BIN_DIR/swift" ]]; then
        echo "install-deps: swift is not on PATH; add it with: export PATH=$SWIFT_BIN_DIR:\$PATH (make does this itself)" >&2
    else
        echo "install-deps: no Swift toolchain found on PATH or in $SWIFT_BIN_DIR; install Swift 6.2 or newer" >&2
        exit 1
    fi
fi
