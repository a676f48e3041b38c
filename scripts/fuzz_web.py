"""Fuzz the workspace forms and the WebSocket protocols of a live ``wowdesk serve``.

Usage: python scripts/fuzz_web.py BASE_URL ADMIN_TOKEN (``make fuzz`` runs it after the
OpenAPI pass, see scripts/fuzz.sh). Only 127.0.0.1.

hypothesis generates hostile values (nested JSON, NaN, Infinity, 1e999, huge integers,
NUL, CR/LF and other control characters, long strings, impossible dates, bad time zones)
for every field of every workspace form and query string, and every message type of the
workspace socket (``/ws/workspace/``) and the chat widget's socket (``/ws/chat/``).
It fails on: a 5xx; a socket closed with anything but a 4xxx code (a server error is
1011) or without a reason or an error frame saying why; a frame that is not JSON; the
server not answering its health check at the end.

    FUZZ_WEB_EXAMPLES   examples per target (default 40)
    FUZZ_SEED           hypothesis seed (reproduce a run)
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

EXAMPLES = int(os.environ.get("FUZZ_WEB_EXAMPLES", "40"))
SEED = os.environ.get("FUZZ_SEED")
PASSWORD = "fuzz-password-0123456789"
RECV_TIMEOUT = 10.0  # seconds a probe's answer may take on a loaded machine

# --- hostile values -------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1",
    "0",
    "99999999999999999999999999",
    "9223372036854775808",
    "1.5",
    "true",
    "null",
    "a\x00b",
    "\x00",
    "Ana\r\nBcc: evil@example.com",
    "line\nbreak",
    "\u2028\u2029\x85",
    "\x1b[31m",
    "x" * 5000,
    "字" * 3000,
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2026-02-30T25:61:00",
    "Mars/Olympus_Mons",
    "../../etc/passwd",
    "Z" * 5000,
    "%00",
    "<script>alert(1)</script>",
    "\ud7ff\ue000\U0010ffff",
    "[" * 200,
    '{"a":' * 100,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=3000),
)


def deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


hostile_json = st.one_of(
    hostile_text,
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.integers(min_value=1, max_value=200).map(deep),
    st.lists(st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)

# Raw frames that are not valid JSON objects, or JSON only Python accepts.
RAW_FRAMES = [
    "",
    "{",
    "[1,2]",
    '"text"',
    "null",
    '{"action": NaN}',
    '{"type": Infinity}',
    '{"a": 1e999}',
    '{"a": -1e999}',
    "[" * 5000 + "]" * 5000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    '{"a": "\\u0000"}',
    '{"a": "\\ud800"}',
    "\x00",
]
raw_frame = st.one_of(st.sampled_from(RAW_FRAMES), st.text(max_size=200))


def frame_of(kind_key: str, kinds: list[str], fields: list[str]) -> st.SearchStrategy[str]:
    """A JSON frame of a known kind with hostile field values (Python's json writes
    NaN and Infinity, as a hostile client would)."""
    return st.builds(
        lambda kind, values: json.dumps({kind_key: kind, **values}),
        st.one_of(st.sampled_from(kinds), hostile_json),
        st.dictionaries(st.sampled_from(fields), hostile_json, max_size=len(fields)),
    )


def big_frame() -> str:
    return json.dumps({"action": "x" * 70_000, "type": "message"})


# --- the server -------------------------------------------------------------------------------


class Failure(AssertionError):
    pass


def api(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    r = httpx.request(
        method,
        f"{base}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if r.status_code >= 300:
        raise SystemExit(f"fuzz_web: {method} {path} -> {r.status_code} {r.text[:300]}")
    return r.json()


def login(base: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    client.get("/login/")
    csrf = client.cookies.get("csrftoken", "")
    r = client.post(
        "/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/login/"},
    )
    if r.status_code != 302:
        raise SystemExit(f"fuzz_web: login failed ({r.status_code})")
    return client


def check_http(r: httpx.Response, what: str) -> None:
    if r.status_code >= 500:
        raise Failure(f"{what}: {r.status_code} {r.text[:300]}")


# --- the workspace forms ------------------------------------------------------------------------


def fuzz_forms(base: str, client: httpx.Client, conversation_id: int) -> None:
    csrf = client.cookies.get("csrftoken", "")
    post_headers = {"X-CSRFToken": csrf, "Referer": f"{base}/inbox/"}
    c = f"/inbox/c/{conversation_id}"
    forms: dict[str, list[str]] = {
        f"{c}/reply/": ["body", "mode", "back", "resolve"],
        f"{c}/update/": ["assignee", "team", "status", "priority", "tags", "back"],
        "/settings/language/": ["language", "next"],
    }
    queries: dict[str, list[str]] = {
        "/inbox/": ["view", "status", "language", "channel", "q", "sort", "page", "tz"],
        "/inbox/list/": ["view", "status", "language", "channel", "q", "sort", "page", "tz"],
        f"{c}/": ["all", "view", "q", "tz"],
        f"{c}/next/": ["view", "status", "q", "page"],
        f"{c}/prev/": ["view", "status", "q", "page"],
        "/supervisor/": ["tz", "brand"],
    }
    form_values = st.dictionaries(st.text(max_size=3), hostile_text, max_size=2)

    for path, fields in forms.items():
        run(_form_test(client, path, fields, form_values, post_headers))
        print(f"fuzz_web: POST {path}: {EXAMPLES} examples, no 5xx")
    for path, fields in queries.items():
        run(_query_test(client, path, fields, form_values))
        print(f"fuzz_web: GET {path}: {EXAMPLES} examples, no 5xx")


def _settings() -> Any:
    return settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _form_test(
    client: httpx.Client,
    path: str,
    fields: list[str],
    extra_values: st.SearchStrategy[dict[str, str]],
    headers: dict[str, str],
) -> Any:
    @_settings()
    @given(st.dictionaries(st.sampled_from(fields), hostile_text), extra_values)
    def post_form(data: dict[str, str], extra: dict[str, str]) -> None:
        r = client.post(path, data={**data, **extra}, headers=headers)
        check_http(r, f"POST {path} {data!r:.200}")

    return post_form


def _query_test(
    client: httpx.Client,
    path: str,
    fields: list[str],
    extra_values: st.SearchStrategy[dict[str, str]],
) -> Any:
    @_settings()
    @given(st.dictionaries(st.sampled_from(fields), hostile_text), extra_values)
    def get_page(params: dict[str, str], extra: dict[str, str]) -> None:
        try:
            r = client.get(path, params={**params, **extra})
        except httpx.InvalidURL:  # over the client's own URL limit: never sent
            return
        check_http(r, f"GET {path} {params!r:.200}")

    return get_page


# --- the sockets ----------------------------------------------------------------------------------


def ws_url(base: str, path: str) -> str:
    parts = urlsplit(base)
    return f"ws://{parts.netloc}{path}"


def answers(ws: ClientConnection, until: Any) -> None:
    """Read frames until ``until(frame)``; each must be JSON. A close must be 4xxx with a
    reason, or follow an error frame."""
    saw_error = False
    while True:
        try:
            text = ws.recv(timeout=RECV_TIMEOUT)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            reason = exc.rcvd.reason if exc.rcvd else ""
            if not 4000 <= code <= 4999:
                raise Failure(f"socket closed with {code} {reason!r}") from exc
            if not (reason or saw_error):
                raise Failure(f"socket closed with {code} and no reason") from exc
            raise
        except TimeoutError as exc:
            raise Failure("no answer to the probe frame") from exc
        frame = json.loads(text)  # raises if the server sent something that is not JSON
        if not isinstance(frame, dict):
            raise Failure(f"a frame that is not an object: {text[:200]}")
        saw_error = saw_error or frame.get("type") == "error"
        if until(frame):
            return


class Socket:
    """A socket that reconnects after the server closed it (as it may, with 4xxx)."""

    def __init__(self, opener: Any) -> None:
        self.opener = opener
        self.ws: ClientConnection = opener()

    def exchange(self, frame: str | bytes, probe: str, until: Any) -> None:
        try:
            self.ws.send(frame)
            self.ws.send(probe)
            answers(self.ws, until)
        except ConnectionClosed:
            self.ws = self.opener()

    def close(self) -> None:
        self.ws.close()


def fuzz_workspace_socket(base: str, client: httpx.Client, conversation_id: int) -> None:
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    def opener() -> ClientConnection:
        return connect(
            ws_url(base, "/ws/workspace/"),
            additional_headers={"Cookie": cookie, "Origin": base},
            max_size=None,
            open_timeout=30,
        ).__enter__()  # open until the server closes it or the run ends

    sock = Socket(opener)
    # A probe that always gets an error frame: a conversation id that is not one.
    probe = json.dumps({"action": "view", "conversation_id": "fuzz-probe"})

    def is_probe_answer(frame: dict[str, Any]) -> bool:
        return frame.get("type") == "error" and frame.get("field") == "conversation_id"

    frames = st.one_of(
        raw_frame,
        frame_of(
            "action", ["view", "leave", "typing", "heartbeat"], ["conversation_id", "is_typing"]
        ),
        st.just(json.dumps({"action": "view", "conversation_id": conversation_id})),
    )

    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(frames)
    def workspace_frame(frame: str) -> None:
        sock.exchange(frame, probe, is_probe_answer)

    run(workspace_frame)
    for frame in (big_frame(), b"\x00\x01binary"):
        sock.exchange(frame, probe, is_probe_answer)
    sock.close()
    print(f"fuzz_web: /ws/workspace/: {EXAMPLES * 3} frames, every one answered or refused")


def widget_ref(client: httpx.Client) -> str:
    """The chat inbox's public widget token, as an agent's /chat-demo page shows it (a chat
    inbox is found by that token only, never by its id)."""
    page = client.get("/chat-demo")
    found = re.search(r'data-inbox="([^"]+)"', page.text)
    if page.status_code != 200 or found is None:
        raise SystemExit(f"fuzz_web: no chat widget on /chat-demo ({page.status_code})")
    return found.group(1)


def fuzz_chat_socket(base: str, ref: str) -> None:
    def opener() -> ClientConnection:
        ws = connect(
            ws_url(base, "/ws/chat/"),
            additional_headers={"Origin": "https://shop.example"},
            max_size=None,
            open_timeout=30,
        ).__enter__()
        ws.send(json.dumps({"type": "hello", "inbox": ref}))
        answers(ws, lambda f: f.get("type") in ("welcome", "error"))
        return ws

    sock = Socket(opener)
    probe = json.dumps({"type": "ping"})

    def is_pong(frame: dict[str, Any]) -> bool:
        return frame.get("type") == "pong"

    frames = st.one_of(
        raw_frame,
        frame_of(
            "type",
            ["hello", "message", "typing", "email", "ping"],
            [
                "inbox",
                "token",
                "user_id",
                "user_hash",
                "lang",
                "client_id",
                "body",
                "name",
                "email",
                "is_typing",
            ],
        ),
    )

    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(frames)
    def chat_frame(frame: str) -> None:
        sock.exchange(frame, probe, is_pong)

    run(chat_frame)
    for frame in (big_frame(), b"\x00\x01binary"):
        sock.exchange(frame, probe, is_pong)
    sock.close()
    print(f"fuzz_web: /ws/chat/: {EXAMPLES * 3} frames, every one answered or refused")


# --- main ---------------------------------------------------------------------------------------


def run(test: Any) -> None:
    (seed(int(SEED))(test) if SEED else test)()


def main(base: str, token: str) -> None:
    host = urlsplit(base).hostname
    if host != "127.0.0.1":
        raise SystemExit("fuzz_web: only 127.0.0.1")
    started = time.monotonic()
    email = "fuzz-web@example.com"
    api(
        base,
        token,
        "POST",
        "/agents",
        {"email": email, "name": "Fuzz Web", "role": "admin", "password": PASSWORD},
    )
    opened = api(
        base,
        token,
        "POST",
        "/inbound",
        {
            "channel": "api",
            "external_id": f"fuzz-web-{time.time_ns()}",
            "from": {"name": "Fuzz Customer", "email": "fuzz-customer@example.com"},
            "subject": "Fuzz the workspace",
            "body": "A conversation for the form fuzzer.",
        },
    )
    conversation_id = int(opened["conversation_id"])
    api(base, token, "POST", "/inboxes", {"name": "Fuzz chat", "channel": "chat"})
    client = login(base, email)
    fuzz_forms(base, client, conversation_id)
    fuzz_workspace_socket(base, client, conversation_id)
    fuzz_chat_socket(base, widget_ref(client))
    health = httpx.get(f"{base}/api/v1/health", timeout=30)
    if health.status_code != 200:
        raise SystemExit(f"fuzz_web: the server is down after the run ({health.status_code})")
    took = time.monotonic() - started
    print(f"fuzz_web: forms and sockets: no 5xx, no broken socket, server up ({took:.0f}s)")


if __name__ == "__main__":
    if len(sys.argv) != 3 or not re.match(r"^http://127\.0\.0\.1:\d+/?$", sys.argv[1]):
        raise SystemExit("usage: fuzz_web.py http://127.0.0.1:PORT ADMIN_TOKEN")
    main(sys.argv[1].rstrip("/"), sys.argv[2])
