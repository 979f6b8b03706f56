#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: `scripts/pg_cluster.sh start|stop|url|status`.
#
# PostgreSQL refuses to run as root, so the cluster belongs to an ordinary user (aomori-pg,
# created when absent; when not run as root, the calling user). It listens on 127.0.0.1 only,
# on a private port and a private socket directory, with scram-sha-256 passwords on loopback
# (and trust on its private socket, for the owner). `start` prints nothing but progress on
# stderr; `url` prints the SQLAlchemy URL the tests read from AOMORI_TEST_POSTGRES_URL:
#
#   export AOMORI_TEST_POSTGRES_URL="$(scripts/pg_cluster.sh url)"
#
# The test role `aomori_test` may create databases (each test gets a fresh one copied from a
# template). Its password is in the URL: it is a throw-away cluster on loopback only.
set -euo pipefail

PG_USER="${AOMORI_PG_USER:-aomori-pg}"
PG_PORT="${AOMORI_PG_PORT:-55432}"
PG_ROOT="${AOMORI_PG_ROOT:-/tmp/aomori-pg-$PG_PORT}"
PG_DATA="$PG_ROOT/data"
PG_SOCKET="$PG_ROOT/socket"
PG_LOG="$PG_ROOT/server.log"
TEST_ROLE="aomori_test"
TEST_PASSWORD="aomori-test-only"
TEST_DB="aomori_test"

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$dir/initdb" ]]; then
            echo "$dir"
        fi
    done | sort -V | tail -n 1
}

ensure_server_installed() {
    if [[ -n "$(pg_bindir)" ]]; then
        return 0
    fi
    if [[ "$(id -u)" != 0 ]]; then
        echo "PostgreSQL is not installed; as root: apt-get install -y postgresql" >&2
        return 1
    fi
    echo "installing postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >&2
}

# Run a command as the cluster's owner (root switches user; anyone else is the owner).
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_owner() {
    if [[ "$(id -u)" != 0 ]]; then
        PG_USER="$(id -un)"
        return 0
    fi
    if ! id "$PG_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    fi
}

start() {
    ensure_server_installed
    ensure_owner
    local bin
    bin="$(pg_bindir)"
    if [[ -f "$PG_DATA/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        echo "PostgreSQL already running on port $PG_PORT" >&2
        return 0
    fi
    rm -rf "$PG_ROOT"
    mkdir -p "$PG_DATA" "$PG_SOCKET"
    chmod 700 "$PG_ROOT"
    if [[ "$(id -u)" == 0 ]]; then
        chown -R "$PG_USER" "$PG_ROOT"
    fi
    local pwfile="$PG_ROOT/superuser.pw"
    as_owner bash -c "umask 077; echo '$TEST_PASSWORD' > '$pwfile'"
    as_owner "$bin/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    # loopback only; no other hosts may connect
    as_owner bash -c "cat > '$PG_DATA/pg_hba.conf'" <<EOF
local all all trust
host  all all 127.0.0.1/32 scram-sha-256
host  all all ::1/128 scram-sha-256
EOF
    as_owner "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCKET -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2
    as_owner "$bin/psql" -X -q -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<EOF
CREATE ROLE $TEST_ROLE LOGIN CREATEDB PASSWORD '$TEST_PASSWORD';
CREATE DATABASE $TEST_DB OWNER $TEST_ROLE;
EOF
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PG_PORT (data $PG_DATA)" >&2
}

stop() {
    local bin
    bin="$(pg_bindir)"
    if [[ -z "$bin" || ! -f "$PG_DATA/postmaster.pid" ]]; then
        rm -rf "$PG_ROOT"
        return 0
    fi
    ensure_owner
    as_owner "$bin/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2 || true
    rm -rf "$PG_ROOT"
}

url() {
    echo "postgresql+psycopg://$TEST_ROLE:$TEST_PASSWORD@127.0.0.1:$PG_PORT/$TEST_DB"
}

status() {
    local bin
    bin="$(pg_bindir)"
    [[ -n "$bin" && -f "$PG_DATA/postmaster.pid" ]] && as_owner "$bin/pg_ctl" -D "$PG_DATA" status
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) url ;;
status) status ;;
*)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac
