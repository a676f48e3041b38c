"""Whatever JSON arrives at ``POST /api/v1/inbound``, the answer is 202 or a 4xx with a
``detail`` — never a server error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import ApiClient, inbound

PROPS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.from_regex(r"\A[0-9]{1,25}\Z"),
    st.sampled_from(["", " ", "api", "email", "chat", "²", "١٢", "0", "-1", "1e3", "null"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
FIELDS = [
    "channel",
    "external_id",
    "from",
    "subject",
    "body",
    "html",
    "sent_at",
    "conversation_id",
    "inbox",
    "brand_id",
]
senders = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "name": json_values,
            "email": st.one_of(st.emails().map(str), json_values),
            "phone": st.one_of(st.from_regex(r"\A\+?[0-9 ()\-]{1,30}\Z"), json_values),
            "handle": json_values,
        },
    ),
)


@st.composite
def bodies(draw: st.DrawFn) -> Any:
    """Mostly a valid body with some fields replaced, dropped or added; sometimes anything."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    body: dict[str, Any] = inbound(draw(st.text(min_size=1, max_size=12)))
    for key in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        action = draw(st.sampled_from(["replace", "drop"]))
        if action == "drop":
            body.pop(key, None)
        elif key == "from":
            body[key] = draw(senders)
        else:
            body[key] = draw(json_values)
    if draw(st.booleans()):
        body[draw(st.text(max_size=8))] = draw(json_values)
    return body


def check(api: ApiClient, body: Any) -> None:
    response = api.client.post(
        "/api/v1/inbound",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 202 or 400 <= response.status_code < 500, (
        response.status_code,
        response.content[:500],
    )
    data = response.json()
    if response.status_code == 202:
        assert isinstance(data["message_id"], int | None)
    else:
        assert isinstance(data["detail"], str) and data["detail"]


@PROPS
@given(body=bodies())
@example(body={**inbound("big-inbox"), "inbox": 2**70})
@example(body={**inbound("big-inbox-str"), "inbox": "9" * 25})
@example(body={**inbound("superscript"), "inbox": "²"})
@example(body={**inbound("zero-inbox"), "inbox": 0})
@example(body={**inbound("neg-inbox"), "inbox": -5})
@example(body={**inbound("bool-inbox"), "inbox": True})
@example(body={**inbound("big-brand"), "brand_id": 2**70})
@example(body=[inbound("list")])
@example(body="just a string")
@example(body=None)
def test_inbound_never_answers_5xx(api: ApiClient, body: Any) -> None:
    check(api, body)


TEXT_FIELDS = ["subject", "body", "html", "external_id", "inbox", "from.name", "from.handle"]


@PROPS
@given(
    field=st.sampled_from(TEXT_FIELDS),
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
)
def test_any_text_in_any_field_is_accepted_or_refused(
    api: ApiClient, field: str, text: str
) -> None:
    body = inbound("any-text")
    if field == "from.name":
        body["from"] = {"email": "a@example.com", "name": text}
    elif field == "from.handle":
        body["from"] = {"handle": text}
    else:
        body[field] = text
    check(api, body)


def test_lone_surrogates_are_refused_or_stored(api: ApiClient) -> None:
    # JSON may carry "\ud800", which is not encodable text
    for body in (
        {**inbound("s-1"), "body": "\ud800 hi"},
        {**inbound("s-2"), "from": {"email": "a@example.com", "name": "\udfff"}},
        {**inbound("\ud800")},
    ):
        check(api, body)
