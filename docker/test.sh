#!/usr/bin/env bash
# docker/test.sh (make docker-test): builds the image and runs docker/compose.yaml for real.
#
# With the demo profile it waits for /readyz on both replicas, runs `ipm migrate` twice, creates
# an admin and a company with `compose run`, walks an opt-in through the JSON API and the UPS
# sandbox, gets the UPS access token through the other replica, kills one replica and checks
# the other keeps serving, takes the stack down and up again and finds the company still
# authenticated (the volume kept it), and checks that no secret is in `inspect` of the servers.
#
# Engine: Docker with its compose plugin when a Docker engine answers; otherwise Debian's
# podman and podman-compose (installed when missing), as root with the runc runtime and
# container limits no higher than this shell's (a containers.conf in CONTAINERS_CONF). With no
# registry reachable, the base image is made here (debootstrap --variant=minbase bookworm +
# import) and so is a PostgreSQL stand-in (docker/test/postgres.Dockerfile).
#
# Binaries: built on this host (swift build -c release --static-swift-stdlib) and copied into
# the runtime stage (target runtime-prebuilt). DOCKER_TEST_FROM_SOURCE=1 builds the image's own
# build stage instead (needs a Swift image). Other knobs: DOCKER_TEST_SKIP_BUILD=1 (use the
# binaries already in .build/release), DOCKER_TEST_IMAGE=NAME (test that image, build none),
# DOCKER_TEST_KEEP=1 (leave the stack up on failure), DOCKER_TEST_CONFIGURATION=debug (the
# debug binaries and the toolchain's Swift runtime, docker/test/swift-runtime.Dockerfile),
# DOCKER_TEST_PORTS="18080 18081 18090", BASE_IMAGE, POSTGRES_IMAGE, SCRATCH_PATH.
#
# Measured here (2 shared cores, podman, 2026-12-02): 1,215 s in all with the release binaries,
# of which the release build took 1,139 s (packages already fetched) and the images, the stack
# and its checks 76 s; 150 s with DOCKER_TEST_CONFIGURATION=debug DOCKER_TEST_SKIP_BUILD=1.
set -euo pipefail
exec </dev/null

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
START=$(date +%s)
log() { printf '[docker-test %4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
fail() {
    log "FAILED: $*"
    exit 1
}

read -r PORT_1 PORT_2 SANDBOX_PORT <<<"${DOCKER_TEST_PORTS:-18080 18081 18090}"
PROJECT=ipmdockertest
IMAGE=localhost/ipm-docker-test:latest
WORK=$(mktemp -d /tmp/ipm-docker-test.XXXXXX)
COMPOSE_LOG=$WORK/compose.log

# ---- engine --------------------------------------------------------------------------------
apt_install() {
    local missing=()
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    ((${#missing[@]} == 0)) && return 0
    log "apt-get install ${missing[*]}"
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    ENGINE=docker
    COMPOSE=(docker compose -p "$PROJECT")
else
    ((EUID == 0)) || fail "podman is used as root here: run as root (or start a Docker engine)"
    apt_install podman podman-compose runc debootstrap curl python3 ca-certificates
    ENGINE=podman
    COMPOSE=(podman-compose -p "$PROJECT")
    # runc, cgroupfs (no systemd here), and per-container limits this machine can grant: without
    # CAP_SYS_RESOURCE runc cannot raise a limit, and podman's defaults (nofile 1048576) are
    # above this shell's. Measured here: podman runs runc with nproc at most 32768, and a
    # container's nofile must stay below the shell's hard limit, so both are capped at 16384.
    capped() { [[ $1 == unlimited ]] || (($1 > 16384)) && echo 16384 || echo "$1"; }
    cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(capped "$(ulimit -n)"):$(capped "$(ulimit -n)")", "nproc=$(capped "$(ulimit -u)"):$(capped "$(ulimit -u)")"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
    export CONTAINERS_CONF=$WORK/containers.conf
fi
for tool in curl python3; do command -v "$tool" >/dev/null || fail "$tool is needed"; done
log "engine: $ENGINE ($("$ENGINE" --version | head -1)); work directory $WORK"

PROFILE=()
cleanup() {
    local status=$?
    if ((status != 0)); then
        log "compose log (last 60 lines):"
        tail -60 "$COMPOSE_LOG" 2>/dev/null || true
        for name in $("$ENGINE" ps -a --format '{{.Names}}' 2>/dev/null | grep "^${PROJECT}" || true); do
            echo "---- logs of $name"
            "$ENGINE" logs --tail 30 "$name" 2>&1 || true
        done
    fi
    if ((status != 0)) && [[ -n ${DOCKER_TEST_KEEP:-} ]]; then
        log "kept the stack up: (cd $WORK && ${COMPOSE[*]} down -v)"
        return
    fi
    [[ -f $WORK/compose.yaml ]] && (cd "$WORK" && "${COMPOSE[@]}" "${PROFILE[@]}" down -v >>"$COMPOSE_LOG" 2>&1) || true
    "$ENGINE" rm -f ups-sandbox.localhost >/dev/null 2>&1 || true
    "$ENGINE" volume rm -f "${PROJECT}_ipm-db" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    log "done ($( ((status == 0)) && echo passed || echo "failed, status $status"))"
}
trap cleanup EXIT

for port in "$PORT_1" "$PORT_2" "$SANDBOX_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port on 127.0.0.1 is taken (set DOCKER_TEST_PORTS)"; fi
done

# ---- images --------------------------------------------------------------------------------
image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

if [[ -z ${BASE_IMAGE:-} ]]; then
    if image_exists debian:bookworm-slim || timeout 60 "$ENGINE" pull -q debian:bookworm-slim >/dev/null 2>&1; then
        BASE_IMAGE=debian:bookworm-slim
    else
        BASE_IMAGE=localhost/ipm-debian-base:bookworm
        if ! image_exists "$BASE_IMAGE"; then
            log "no registry: making $BASE_IMAGE with debootstrap --variant=minbase bookworm"
            rootfs=$WORK/rootfs
            debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 ||
                fail "debootstrap: $(tail -3 "$WORK/debootstrap.log")"
            rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
            tar -C "$rootfs" -c . | "$ENGINE" import - "$BASE_IMAGE" >/dev/null
            rm -rf "$rootfs"
        fi
    fi
fi
log "base image: $BASE_IMAGE"

# The engines need the network while building (apt-get in the runtime stage); podman keeps
# HEALTHCHECK only in Docker's image format.
BUILD=("$ENGINE" build --network=host -q)
[[ $ENGINE == podman ]] && BUILD+=(--format docker)

if [[ -n ${DOCKER_TEST_IMAGE:-} ]]; then
    IMAGE=$DOCKER_TEST_IMAGE
    log "using the image $IMAGE as it is"
elif [[ -n ${DOCKER_TEST_FROM_SOURCE:-} ]]; then
    log "building $IMAGE from source (target runtime)"
    "${BUILD[@]}" -f docker/Dockerfile --build-arg "RUNTIME_IMAGE=$BASE_IMAGE" --target runtime -t "$IMAGE" . >/dev/null
else
    command -v swift >/dev/null || export PATH="${SWIFT_BIN_DIR:-/opt/swift/usr/bin}:$PATH"
    configuration=${DOCKER_TEST_CONFIGURATION:-release}
    swift_flags=(-c "$configuration" ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
    [[ $configuration == release ]] && swift_flags+=(--static-swift-stdlib)
    if [[ -z ${DOCKER_TEST_SKIP_BUILD:-} ]]; then
        log "$configuration build on the host: swift build ${swift_flags[*]}"
        swift build "${swift_flags[@]}" -j "$(nproc)" >"$WORK/swift-build.log" 2>&1 ||
            fail "swift build: $(grep -E 'error' "$WORK/swift-build.log" | head -5)"
    fi
    bin=$(swift build "${swift_flags[@]}" --show-bin-path)
    context=$WORK/binaries
    mkdir -p "$context"
    for program in ipm ipm-server ups-sandbox; do
        [[ -x $bin/$program ]] || fail "$bin/$program is not built"
        cp "$bin/$program" "$context/"
    done
    log "building $IMAGE from the host's $configuration binaries (target runtime-prebuilt)"
    "${BUILD[@]}" -f docker/Dockerfile --build-arg "RUNTIME_IMAGE=$BASE_IMAGE" --target runtime-prebuilt -t "$IMAGE" "$context" >/dev/null
    if [[ $configuration != release ]]; then
        # A debug build links the Swift runtime dynamically: add the toolchain's libraries.
        runtime=$(cd "$(dirname "$(command -v swift)")/../lib/swift/linux" && pwd -P)
        mkdir -p "$WORK/runtime/lib"
        cp "$runtime"/*.so "$WORK/runtime/lib/"
        "${BUILD[@]}" -f docker/test/swift-runtime.Dockerfile --build-arg "IMAGE=$IMAGE" --build-arg "RUNTIME_PATH=$runtime" \
            -t "$IMAGE" "$WORK/runtime" >/dev/null
    fi
fi
"$ENGINE" run --rm "$IMAGE" ipm --version >/dev/null || fail "the image does not run ipm"
[[ $("$ENGINE" run --rm "$IMAGE" id -u) == 10001 ]] || fail "the image does not run as uid 10001"
"$ENGINE" run --rm --entrypoint sh "$IMAGE" -c 'command -v curl' >/dev/null && fail "curl is in the image"

if [[ -z ${POSTGRES_IMAGE:-} ]]; then
    if image_exists postgres:16-bookworm || timeout 60 "$ENGINE" pull -q postgres:16-bookworm >/dev/null 2>&1; then
        POSTGRES_IMAGE=postgres:16-bookworm
    else
        POSTGRES_IMAGE=localhost/ipm-postgres-standin:15
        log "no registry: building $POSTGRES_IMAGE (docker/test/postgres.Dockerfile)"
        "${BUILD[@]}" -f docker/test/postgres.Dockerfile --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$POSTGRES_IMAGE" docker/test >/dev/null
    fi
fi
log "images ready ($IMAGE, $POSTGRES_IMAGE)"

# ---- the stack's settings and secrets, as an operator writes them ----------------------------
cp docker/compose.yaml "$WORK/"
DB_PASSWORD="db-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
KEY_RING="k1:$(head -c 32 /dev/urandom | base64)"
UPS_SECRET=ipm-demo-secret # the sandbox's demo client
ADMIN_PASSWORD="Admin-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
mkdir -m 0700 "$WORK/secrets"
printf '%s\n' "$DB_PASSWORD" >"$WORK/secrets/db_password"
printf '%s\n' "$KEY_RING" >"$WORK/secrets/encryption_keys"
printf '%s\n' "$UPS_SECRET" >"$WORK/secrets/ups_client_secret"
chown 10001:10001 "$WORK"/secrets/*
chmod 0400 "$WORK"/secrets/*
sed -e "s|^IPM_PUBLIC_URL=.*|IPM_PUBLIC_URL=http://127.0.0.1:$PORT_1|" \
    -e "s|^IPM_UPS_BASE_URL=.*|IPM_UPS_BASE_URL=http://ups-sandbox.localhost:$SANDBOX_PORT|" \
    -e "s|^IPM_PORT_1=.*|IPM_PORT_1=$PORT_1|" -e "s|^IPM_PORT_2=.*|IPM_PORT_2=$PORT_2|" \
    -e "s|^SANDBOX_PORT=.*|SANDBOX_PORT=$SANDBOX_PORT|" docker/.env.example >"$WORK/.env"
printf 'IPM_IMAGE=%s\nPOSTGRES_IMAGE=%s\nIPM_REFRESH_INTERVAL=5\nIPM_PASSWORD_HASH_COST=8\n' "$IMAGE" "$POSTGRES_IMAGE" >>"$WORK/.env"
cd "$WORK"

compose() { "${COMPOSE[@]}" "$@" >>"$COMPOSE_LOG" 2>&1; }
# A one-off operator command; its standard output.
# (podman-compose 1.0 prints the podman commands it runs on standard output too: left out.)
operator() {
    "${COMPOSE[@]}" run --rm -T ipm "$@" 2>>"$COMPOSE_LOG" |
        grep -v -e '^podman ' -e "^\['podman'" -e '^using podman version' -e '^exit code: ' -e '^\*\* ' -e '^[0-9a-f]\{64\}$' || true
}
if "${COMPOSE[@]}" --profile demo config >/dev/null 2>&1; then
    PROFILE=(--profile demo)
else
    log "this compose has no profiles (podman-compose 1.0): every service starts, the demo's included"
fi

SERVER_1=http://127.0.0.1:$PORT_1
SERVER_2=http://127.0.0.1:$PORT_2
SANDBOX=http://ups-sandbox.localhost:$SANDBOX_PORT

# Polls until GET url answers `status`, for at most `seconds`.
wait_for() {
    local url=$1 status=$2 seconds=$3 deadline=$(($(date +%s) + $3))
    while (($(date +%s) < deadline)); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url" || true) == "$status" ]] && return 0
        sleep 1
    done
    fail "$url did not answer $status within ${seconds}s"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
api() { # METHOD URL TOKEN [BODY]: the body of the answer; fails on a status >= 400
    local method=$1 url=$2 token=$3 body=${4:-}
    curl -sS --fail-with-body --max-time 20 -X "$method" -H "Authorization: Bearer $token" \
        ${body:+-H 'Content-Type: application/json' --data "$body"} "$url" || fail "$method $url: $?"
}

log "compose ${PROFILE[*]} up -d"
compose "${PROFILE[@]}" up -d || fail "compose up"
wait_for "$SERVER_1/readyz" 200 180
wait_for "$SERVER_2/readyz" 200 60
wait_for "$SANDBOX/healthz" 200 60
log "both replicas ready, the sandbox up"

# ---- migrate twice, operator commands ---------------------------------------------------------
for run in 1 2; do
    "${COMPOSE[@]}" run --rm -T ipm ipm migrate >>"$COMPOSE_LOG" 2>&1 || fail "ipm migrate (run $run)"
done
status=$(operator ipm migrate status --json)
echo "$status" | json '"pending" not in [m["state"] for m in d] and len(d) > 0' | grep -qx True || fail "migrate status: $status"
log "ipm migrate ran twice; nothing pending"

printf '%s\n' "$ADMIN_PASSWORD" | "${COMPOSE[@]}" run --rm -T ipm ipm admin create alice --email alice@example.com --password-stdin >>"$COMPOSE_LOG" 2>&1 ||
    true
if ! operator ipm admin list --json | grep -q '"alice"'; then
    # This compose's run passed no standard input: the password comes from a file mounted
    # for the one command instead.
    log "compose run passed no standard input; ipm admin create with the password in a mounted file"
    printf '%s\n' "$ADMIN_PASSWORD" >"$WORK/admin-password"
    chmod 0444 "$WORK/admin-password"
    "$ENGINE" run --rm --network "${PROJECT}_default" --env-file "$WORK/.env" -v "$WORK/secrets:/run/secrets:ro" \
        -v "$WORK/admin-password:/tmp/admin-password:ro" \
        -e IPM_DATABASE_URL="postgresql://ipm@db:5432/ipm" -e IPM_DATABASE_PASSWORD_FILE=/run/secrets/db_password \
        --entrypoint sh "$IMAGE" -c 'ipm admin create alice --email alice@example.com --password-stdin < /tmp/admin-password' >>"$COMPOSE_LOG" 2>&1 ||
        fail "ipm admin create"
    rm -f "$WORK/admin-password"
fi
operator ipm company create CSShipQA >/dev/null
operator ipm company add-admin CSShipQA alice --role admin >/dev/null
operator ipm company list --json | grep -q CSShipQA || fail "company create"
log "admin alice and company CSShipQA created with compose run"

# ---- an opt-in through the JSON API on replica 1 and the sandbox -------------------------------
SESSION=$(curl -sS --fail-with-body -H 'Content-Type: application/json' \
    --data "{\"signInName\":\"alice\",\"password\":\"$ADMIN_PASSWORD\"}" "$SERVER_1/api/v1/sessions" | json 'd["token"]') ||
    fail "sign-in through the API"
COMPANY=$(api GET "$SERVER_1/api/v1/companies" "$SESSION" | json '[c["id"] for c in d["companies"] if c["name"]=="CSShipQA"][0]')
AUTHORIZE=$(api POST "$SERVER_1/api/v1/companies/$COMPANY/opt-in" "$SESSION" | json 'd["authorizationURL"]')
[[ $AUTHORIZE == "$SANDBOX/"* ]] || fail "the authorization URL is not the sandbox's: $AUTHORIZE"

# The browser's part, with curl: UPS's two sign-in pages, then the redirect back to IPM.
form_post() { # PAGE_URL HTML EXTRA_FIELDS(k=v&…): posts the page's first form with its hidden fields
    local fields
    fields=$(python3 - "$2" "$3" <<'PY'
import html, re, sys, urllib.parse
page, extra = sys.argv[1], sys.argv[2]
fields = {}
for tag in re.findall(r"<input[^>]*>", page):
    attributes = dict((k, html.unescape(v)) for k, v in re.findall(r'(\w+)="([^"]*)"', tag))
    if attributes.get("type") == "hidden" and "name" in attributes:
        fields[attributes["name"]] = attributes.get("value", "")
fields.update(urllib.parse.parse_qsl(extra))
print(urllib.parse.urlencode(fields))
PY
)
    local action
    action=$(python3 -c 'import re,sys,html,urllib.parse; m=re.search(r"<form[^>]*action=\"([^\"]*)\"", sys.argv[2]); print(urllib.parse.urljoin(sys.argv[1], html.unescape(m.group(1))))' "$1" "$2")
    curl -sS --max-time 20 -b "$WORK/jar" -c "$WORK/jar" -D "$WORK/headers" -o "$WORK/page" --data "$fields" "$action"
}
location() { tr -d '\r' <"$WORK/headers" | sed -n 's/^[Ll]ocation: //p' | tail -1; }
curl -sS --max-time 20 -b "$WORK/jar" -c "$WORK/jar" -D "$WORK/headers" -o "$WORK/page" "$AUTHORIZE"
SIGN_IN=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.urljoin(sys.argv[1], sys.argv[2]))' "$AUTHORIZE" "$(location)")
curl -sS --max-time 20 -b "$WORK/jar" -c "$WORK/jar" -o "$WORK/page" "$SIGN_IN"
form_post "$SIGN_IN" "$(cat "$WORK/page")" "username=demo-shipper&agreement=accepted&action=continue"
PASSWORD_PAGE=$SIGN_IN
if [[ -n $(location) ]]; then
    PASSWORD_PAGE=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.urljoin(sys.argv[1], sys.argv[2]))' "$SIGN_IN" "$(location)")
    curl -sS --max-time 20 -b "$WORK/jar" -c "$WORK/jar" -o "$WORK/page" "$PASSWORD_PAGE"
fi
grep -q "Welcome back" "$WORK/page" || fail "no password page from the sandbox"
form_post "$PASSWORD_PAGE" "$(cat "$WORK/page")" "password=Shipper-Pass-1&action=login"
REDIRECTED=$(location)
[[ $REDIRECTED == "$SERVER_1/oauth/ups/callback?"* ]] || fail "the sandbox did not send the browser back to IPM: $REDIRECTED"

# The address the browser came back to, completed through the API on replica 2.
STATUS=$(api POST "$SERVER_2/api/v1/oauth/complete" "$SESSION" "{\"redirectedURL\":\"$REDIRECTED\"}" | json 'd["status"]')
[[ $STATUS == authenticated ]] || fail "after the opt-in the company is $STATUS"
log "opt-in walked through the API and the sandbox: CSShipQA authenticated"

# ---- the token API through the other replica ----------------------------------------------------
SERVICE_TOKEN=$(operator ipm service-token create docker-test --scope access-token | grep -o 'ipm_svc_[A-Za-z0-9_-]*' | head -1)
[[ -n $SERVICE_TOKEN ]] || fail "ipm service-token create printed no token"
ACCESS_2=$(api GET "$SERVER_2/api/v1/companies/$COMPANY/ups/access-token" "$SERVICE_TOKEN" | json 'd["access_token"]')
[[ -n $ACCESS_2 ]] || fail "no access token from replica 2"
log "access token from replica 2's token API"

# ---- one replica dies, the other serves ------------------------------------------------------------
REPLICA_1=$("$ENGINE" ps --format '{{.Names}}' | grep "ipm-server-1" | head -1)
[[ -n $REPLICA_1 ]] || fail "no ipm-server-1 container"
"$ENGINE" kill "$REPLICA_1" >/dev/null
sleep 1
[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$SERVER_1/readyz" || true) != 200 ]] || fail "replica 1 still answers after kill"
wait_for "$SERVER_2/readyz" 200 10
[[ $(api GET "$SERVER_2/api/v1/companies/$COMPANY/ups/access-token" "$SERVICE_TOKEN" | json 'd["access_token"]') == "$ACCESS_2" ]] ||
    fail "replica 2 answered a different token"
log "replica 1 killed; replica 2 keeps serving"

# ---- down and up again: the volume keeps the company and its tokens ------------------------------
compose "${PROFILE[@]}" down || fail "compose down"
compose "${PROFILE[@]}" up -d || fail "compose up (again)"
wait_for "$SERVER_1/readyz" 200 180
wait_for "$SERVER_2/readyz" 200 60
STATUS=$(api GET "$SERVER_1/api/v1/companies/$COMPANY" "$SESSION" | json 'd["status"]')
[[ $STATUS == authenticated ]] || fail "after down and up the company is $STATUS"
api GET "$SERVER_2/api/v1/companies/$COMPANY/ups/access-token" "$SERVICE_TOKEN" | json 'd["access_token"]' >/dev/null
log "down and up: CSShipQA still authenticated, its token still served"

# ---- the health check, and no secret in inspect ----------------------------------------------------
for replica in ipm-server-1 ipm-server-2; do
    name=$("$ENGINE" ps --format '{{.Names}}' | grep "$replica" | head -1)
    "$ENGINE" exec "$name" ipm-server --check-health >/dev/null || fail "ipm-server --check-health in $name"
    "$ENGINE" inspect "$name" >"$WORK/inspect.json"
    for secret in "$DB_PASSWORD" "${KEY_RING#k1:}" "$UPS_SECRET" "$ADMIN_PASSWORD" "$SERVICE_TOKEN" "$SESSION" "$ACCESS_2"; do
        grep -qF -- "$secret" "$WORK/inspect.json" && fail "a secret is in $ENGINE inspect $name"
    done
    grep -q 'IPM_ENCRYPTION_KEYS_FILE=/run/secrets/encryption_keys' "$WORK/inspect.json" || fail "inspect $name shows no IPM_ENCRYPTION_KEYS_FILE"
done
log "ipm-server --check-health passes in both; no secret in $ENGINE inspect"
echo "docker-test: 1 passed, 0 failed in $(($(date +%s) - START))s"
