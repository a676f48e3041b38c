#!/usr/bin/env bash
# A private, throwaway PostgreSQL for the test suite.
#
#   scripts/pg.sh start   initdb a fresh cluster and start it on 127.0.0.1:$WOWDESK_PG_PORT
#   scripts/pg.sh stop    stop it and delete its files
#   scripts/pg.sh url     print the database URL the suite should use
#
# initdb/postgres refuse to run as root, so when we are root they run as the `postgres`
# user on a data dir and socket dir that user owns. The role can CREATEDB because
# pytest-django creates (and drops) the test database itself.
set -euo pipefail

# Below the ephemeral range (32768-60999): a busy HTTP client can never be holding it.
PORT="${WOWDESK_PG_PORT:-25432}"
ROOT="${WOWDESK_PG_DIR:-/tmp/wowdesk-pg-$PORT}"
DATA="$ROOT/data"
SOCK="$ROOT/run"
LOG="$ROOT/postgres.log"
ROLE=wowdesk
PASSWORD=wowdesk
DB=wowdesk

pg_bin() {
    local dir
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ]; then
            echo "$dir"
            return
        fi
    done
    echo "pg.sh: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
    exit 1
}

as_pg() {
    # Run a command as the cluster's owner (postgres when we are root, else ourselves).
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() {
    echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
}

stop() {
    local bin
    bin="$(pg_bin)"
    if [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$bin/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null || true
        echo "pg.sh: stopped PostgreSQL on 127.0.0.1:$PORT"
    fi
    rm -rf "$ROOT"
}

start() {
    local bin owner
    bin="$(pg_bin)"
    stop
    mkdir -p "$DATA" "$SOCK"
    chmod 700 "$DATA"
    if [ "$(id -u)" = 0 ]; then
        owner=postgres
        chown -R "$owner:" "$ROOT"
    fi
    as_pg "$bin/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$ROOT/initdb.log" 2>&1 \
        || { cat "$ROOT/initdb.log" >&2; exit 1; }
    # Tuned for a throwaway test cluster: durability off, it is deleted afterwards.
    if ! as_pg "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCK -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        start >/dev/null; then
        cat "$LOG" >&2
        exit 1
    fi
    as_pg "$bin/psql" -h "$SOCK" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" \
        -c "CREATE DATABASE $DB OWNER $ROLE" >/dev/null
    echo "pg.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT ($ROOT)"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *)
        echo "usage: $0 start|stop|url" >&2
        exit 2
        ;;
esac
