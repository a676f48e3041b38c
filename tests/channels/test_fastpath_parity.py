"""The inbound fast path (channels/fastpath.py) and Django answer the same request the same
way under every security setting: the host check (ALLOWED_HOSTS: 400), a refused user
agent (403), HTTPS (HSTS, also behind a proxy that says so, SECURE_SSL_REDIRECT), the
security headers and their settings, the language. Each request is sent through the fast
path and, as another item, through Django alone (a handler built under the test's
settings, as a server starting with them would); the status and every header but the
length must match."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.channels.test_fastpath import call, headers_for
from tests.conftest import inbound
from wowdesk.asgi import HttpHandler
from wowdesk.channels.fastpath import InboundFastPath
from wowdesk.channels.models import InboundEnvelope
from wowdesk.channels.writer import writer
from wowdesk.core.models import Role
from wowdesk.core.services import AgentInput, create_agent, create_brand, create_token

HSTS = {"SECURE_HSTS_SECONDS": 3600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True}
PROXY = ("HTTP_X_FORWARDED_PROTO", "https")

# name: (settings, scheme, request headers added or replaced, fast path answers itself)
CASES: dict[str, tuple[dict[str, Any], str, dict[bytes, bytes], bool]] = {
    "defaults": ({}, "http", {}, True),
    "https with HSTS and CSP": (
        {**HSTS, "SECURE_HSTS_PRELOAD": True, "WOWDESK_CSP": True},
        "https",
        {},
        True,
    ),
    "HTTPS said by a trusted proxy": (
        {**HSTS, "SECURE_PROXY_SSL_HEADER": PROXY},
        "http",
        {b"x-forwarded-proto": b"https"},
        True,
    ),
    "a proxy header without the setting": (HSTS, "http", {b"x-forwarded-proto": b"https"}, True),
    "HSTS set, plain HTTP": (HSTS, "http", {}, True),
    "other header settings": (
        {
            "X_FRAME_OPTIONS": "SAMEORIGIN",
            "SECURE_REFERRER_POLICY": ["no-referrer", "strict-origin"],
            "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin-allow-popups",
            "SECURE_CONTENT_TYPE_NOSNIFF": False,
        },
        "http",
        {},
        True,
    ),
    "no optional headers": (
        {"SECURE_REFERRER_POLICY": None, "SECURE_CROSS_ORIGIN_OPENER_POLICY": None},
        "http",
        {},
        True,
    ),
    "a German client": ({}, "http", {b"accept-language": b"de-DE,de;q=0.9,en;q=0.5"}, True),
    "a Chinese client": ({}, "http", {b"accept-language": b"zh-CN"}, True),
    "a host under a wildcard": (
        {"ALLOWED_HOSTS": [".example.com"]},
        "http",
        {b"host": b"help.example.com:8443"},
        True,
    ),
    "a host not allowed": (
        {"ALLOWED_HOSTS": [".example.com"]},
        "http",
        {b"host": b"example.org"},
        False,
    ),
    "a host with a bad port": ({}, "http", {b"host": b"testserver:x"}, False),
    "a forwarded host not allowed": (
        {"USE_X_FORWARDED_HOST": True},
        "http",
        {b"x-forwarded-host": b"evil.example"},
        False,
    ),
    "a forwarded host allowed": (
        {"USE_X_FORWARDED_HOST": True, "ALLOWED_HOSTS": ["testserver", "desk.example"]},
        "http",
        {b"x-forwarded-host": b"desk.example"},
        True,
    ),
    "HTTPS redirect": ({"SECURE_SSL_REDIRECT": True}, "http", {}, False),
    "HTTPS redirect, on HTTPS": ({"SECURE_SSL_REDIRECT": True, **HSTS}, "https", {}, True),
    "a refused user agent": (
        {"DISALLOWED_USER_AGENTS": [re.compile("bot")]},
        "http",
        {b"user-agent": b"badbot/1"},
        False,
    ),
}


class Counting:
    """An ASGI app, counting the requests that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


@pytest.fixture
def token(transactional_db: None) -> Iterator[str]:
    brand = create_brand(name="Acme", slug="acme")
    agent = create_agent(
        AgentInput(email="agent@example.com", name="Agent", role=Role.AGENT), brands=[brand]
    )
    writer.start()
    yield create_token(agent)
    writer.stop()


def _request(token: str, extra: dict[bytes, bytes]) -> list[tuple[bytes, bytes]]:
    base = dict(headers_for(token))
    base.update(extra)
    return list(base.items())


def _comparable(headers: dict[bytes, bytes]) -> dict[bytes, bytes]:
    return {k: v for k, v in headers.items() if k != b"content-length"}


@pytest.mark.parametrize("case", list(CASES))
def test_the_fast_path_answers_as_django_does(settings: Any, token: str, case: str) -> None:
    overrides, scheme, extra, answered_fast = CASES[case]
    for name, value in overrides.items():
        setattr(settings, name, value)
    django = HttpHandler()  # the middleware chain as a server started with these settings
    try:
        counting = Counting(django)
        headers = _request(token, extra)
        fast = call(
            InboundFastPath(counting),
            json.dumps(inbound(f"fast-{case}")).encode(),
            headers,
            scheme=scheme,
        )
        alone = call(django, json.dumps(inbound(f"django-{case}")).encode(), headers, scheme=scheme)
    finally:
        if django.pool is not None:
            django.pool.shutdown()
    assert counting.calls == (0 if answered_fast else 1), fast
    assert fast[0] == alone[0], (fast, alone)
    assert _comparable(fast[1]) == _comparable(alone[1])
    if fast[0] == 202:
        assert json.loads(fast[2]).keys() == json.loads(alone[2]).keys()
        assert InboundEnvelope.objects.count() == 2
    else:
        assert fast[0] in (301, 400, 403), fast
        assert InboundEnvelope.objects.count() == 0  # nothing stored for a refused request
    secure = scheme == "https" or "SECURE_PROXY_SSL_HEADER" in overrides
    assert (b"strict-transport-security" in fast[1]) == (secure and fast[0] == 202)
