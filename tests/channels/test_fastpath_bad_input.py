"""The inbound fast path (channels/fastpath.py) refuses what the API refuses, with the
same 4xx naming the field: it parses with the API's rules (core/input.py) and leaves
every refusal to Django; nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.channels.test_fastpath import (  # noqa: F401 (fixtures)
    CountingApp,
    call,
    headers_for,
    no_sessions_left,
    running_writer,
    setup,
)
from tests.conftest import inbound
from wowdesk.asgi import django_asgi_app
from wowdesk.channels.fastpath import InboundFastPath
from wowdesk.channels.models import InboundEnvelope


def spliced(external_id: str, **raw: str) -> bytes:
    body = json.dumps(inbound(external_id))
    return (body[:-1] + "".join(f', "{k}": {v}' for k, v in raw.items()) + "}").encode()


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


CASES: list[tuple[str, bytes, int, str]] = [
    ("nan", spliced("f1", meta='{"x": NaN}'), 422, "meta.x"),
    ("infinity", spliced("f2", meta='{"x": [Infinity]}'), 422, "meta.x.0"),
    ("overflow", spliced("f3", meta='{"x": 1e999}'), 422, "meta.x"),
    ("big int", spliced("f4", meta='{"x": 123456789012345678901234}'), 422, "meta.x"),
    ("deep meta", spliced("f5", meta=nested(60)), 422, "meta.a"),
    ("deeper than python", b"[" * 100_000 + b"]" * 100_000, 400, "body"),
    ("date offset overflow", spliced("f6", sent_at='"9999-12-31T23:59:59-23:59"'), 422, "sent_at"),
    ("year one", spliced("f7", sent_at='"0001-01-01T00:00:00+01:00"'), 422, "sent_at"),
    ("year 1900", spliced("f8", sent_at='"1900-06-01T00:00:00Z"'), 422, "sent_at"),
    (
        "crlf name",
        json.dumps(inbound("f9", **{"from": {"name": "A\r\nB", "email": "a@x.io"}})).encode(),
        422,
        "from.name",
    ),
    ("lf subject", json.dumps(inbound("f10", subject="a\nb")).encode(), 422, "subject"),
    ("brand overflow", spliced("f11", brand_id="1e999"), 422, "brand_id"),
]


@pytest.mark.parametrize(("case", "body", "status", "field"), CASES, ids=[c[0] for c in CASES])
def test_the_fast_path_refuses_as_the_api_does(
    setup: dict[str, Any],  # noqa: F811
    case: str,
    body: bytes,
    status: int,
    field: str,
) -> None:
    django = CountingApp()
    fast_status, _h, fast_content = call(InboundFastPath(django), body, headers_for(setup["token"]))
    assert django.calls == 1  # not taken by the fast path: Django answers the refusal
    assert fast_status == status, fast_content
    answer = json.loads(fast_content)
    assert answer["field"] == field or answer["field"].startswith(field), answer
    assert field in answer["detail"] or answer["field"] == "body"
    # the same answer without the fast path
    d_status, _dh, d_content = call(django_asgi_app, body, headers_for(setup["token"]))
    assert (d_status, json.loads(d_content)) == (fast_status, answer)
    assert InboundEnvelope.objects.count() == 0


def test_a_plain_item_with_a_sane_date_and_meta_is_still_fast(
    setup: dict[str, Any],  # noqa: F811
) -> None:
    django = CountingApp()
    body = json.dumps(
        inbound("ok-1", sent_at="2026-03-01T10:00:00+02:00", meta={"a": [1, 2.5, {"b": None}]})
    ).encode()
    status, _h, _c = call(InboundFastPath(django), body, headers_for(setup["token"]))
    assert (status, django.calls) == (202, 0)
    assert InboundEnvelope.objects.count() == 1
