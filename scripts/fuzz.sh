#!/usr/bin/env bash
# `make fuzz`: schemathesis against the whole OpenAPI of a live `wowdesk serve`, then
# scripts/fuzz_web.py against its workspace forms and WebSocket protocols.
#
# A fresh data dir (SQLite), migrated, a few seeded rows, an admin token. Every check
# except two fails the run: a 5xx, a response (status, content type, body) that breaks the
# schema, an endpoint that ignores auth or a bad method. Left out: negative_data_rejection
# and positive_data_acceptance, which only flag that business rules (a real time zone, an
# email with an @) and pydantic's lax coercion (0 for false) are not spelled out in the
# schema: noise, not bugs. Two passes: the first
# skips the two operations that can lock the fuzzer out (revoking its own token,
# demoting or deactivating itself); the second fuzzes just those two.
#
#   WOWDESK_FUZZ_PORT   port to serve on (default: a free one)
#   FUZZ_MAX_EXAMPLES   test cases per operation and phase (default 30)
#   FUZZ_TIME_CAP       seconds per pass before it counts as hung (default 600)
#   FUZZ_SEED           reproduce a run (schemathesis prints the seed it used)
#   FUZZ_REPORT_DIR     where the JUnit report and the server log go (default .tmp/fuzz)
#   FUZZ_WEB_EXAMPLES   examples per form and socket in the web pass (default 40)
#   FUZZ_SKIP_API       set: only the web pass (scripts/fuzz_web.py)
set -euo pipefail

BIN="${VENV:-.venv}/bin"
EXAMPLES="${FUZZ_MAX_EXAMPLES:-30}"
CAP="${FUZZ_TIME_CAP:-600}"
REPORT_DIR="${FUZZ_REPORT_DIR:-.tmp/fuzz}"
PORT="${WOWDESK_FUZZ_PORT:-$("$BIN/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')}"
BASE="http://127.0.0.1:$PORT"

DATA="$(mktemp -d -t wowdesk-fuzz.XXXXXX)"
export WOWDESK_DATA_DIR="$DATA"
# The fuzzers send frames and requests far faster than a person; the rate limits (tested
# on their own in tests/channels/test_ratelimit.py and chat/test_rate.py) would drop the
# probe frames that check every hostile frame was answered.
export WOWDESK_CHAT_RATE=0 WOWDESK_INBOUND_RATE=0
unset WOWDESK_DATABASE_URL WOWDESK_REDIS_URL
mkdir -p "$REPORT_DIR"
rm -f "$REPORT_DIR"/*.xml "$REPORT_DIR/server.log"

server_pid=""
cleanup() {
    local rc=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null || true
    fi
    cp "$DATA/server.log" "$REPORT_DIR/server.log" 2>/dev/null || true
    if [ "$rc" -ne 0 ]; then
        echo "fuzz: FAILED; server errors (full log: $REPORT_DIR/server.log):" >&2
        grep -v '^INFO' "$DATA/server.log" | tail -n 60 >&2 || true
    fi
    rm -rf "$DATA"
    exit "$rc"
}
trap cleanup EXIT

"$BIN/wowdesk" migrate >"$DATA/migrate.log" 2>&1 || { cat "$DATA/migrate.log" >&2; exit 1; }
TOKEN="$("$BIN/wowdesk" token create --email fuzz@example.com --role admin 2>/dev/null | tail -n 1)"

"$BIN/wowdesk" serve --host 127.0.0.1 --port "$PORT" --no-migrate >"$DATA/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do
    if "$BIN/python" -c "import urllib.request as u; u.urlopen('$BASE/api/v1/health', timeout=2)" \
        2>/dev/null; then
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "fuzz: the server died" >&2; exit 1; }
    sleep 0.2
done
echo "fuzz: wowdesk serving on $BASE (data in $DATA)"
"$BIN/python" scripts/fuzz_seed.py "$BASE" "$TOKEN"

LOCKOUT_OPS=("PATCH /api/v1/agents/{agent_id}" "DELETE /api/v1/tokens/{token_id}")
run_pass() {
    local name="$1"
    shift
    echo "fuzz: pass '$name' (max $EXAMPLES examples per operation, cap ${CAP}s)"
    local rc=0
    timeout --signal=INT --kill-after=30 "$CAP" \
        "$BIN/schemathesis" run "$BASE/api/v1/openapi.json" \
        --header "Authorization: Bearer $TOKEN" \
        --checks all --exclude-checks negative_data_rejection,positive_data_acceptance \
        --max-examples "$EXAMPLES" \
        --request-timeout 30 \
        --workers 1 \
        --warnings off \
        ${FUZZ_SEED:+--seed "$FUZZ_SEED"} \
        --report junit --report-junit-path "$REPORT_DIR/$name.xml" \
        "$@" </dev/null || rc=$?
    if [ "$rc" -eq 124 ]; then
        echo "fuzz: pass '$name' hit its ${CAP}s cap: something hangs" >&2
    fi
    return "$rc"
}

if [ -z "${FUZZ_SKIP_API:-}" ]; then
    run_pass api --exclude-name "${LOCKOUT_OPS[0]}" --exclude-name "${LOCKOUT_OPS[1]}"
    run_pass self-lockout --include-name "${LOCKOUT_OPS[0]}" --include-name "${LOCKOUT_OPS[1]}"
    echo "fuzz: no server errors, every response matches its schema"
fi

# The workspace forms and the two WebSocket protocols (hypothesis, a real websockets
# client): no 5xx, every frame answered or the socket closed with 4xxx and a reason.
echo "fuzz: pass 'web' (forms and sockets, ${FUZZ_WEB_EXAMPLES:-40} examples per target)"
# A token of its own: the API passes may have revoked the first one or demoted its agent.
WEB_TOKEN="$("$BIN/wowdesk" token create --email fuzz-web-admin@example.com --role admin 2>/dev/null | tail -n 1)"
timeout --signal=INT --kill-after=30 "$CAP" "$BIN/python" scripts/fuzz_web.py "$BASE" "$WEB_TOKEN" </dev/null
if grep -q '^Traceback' "$DATA/server.log"; then
    echo "fuzz: the server logged an exception" >&2
    exit 1
fi
