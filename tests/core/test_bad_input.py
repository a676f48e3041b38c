"""Bad input at the API is a 4xx naming the field, never a 500 and never a stored item:
deep JSON, numbers JSON does not have or that overflow, impossible dates, over-long query
parameters and time zones, line breaks in one-line fields (core/input.py, wowdesk/api.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ApiClient, inbound
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations.models import Conversation, Message, Tag
from wowdesk.core import input as edge
from wowdesk.core.models import Team
from wowdesk.customers.models import Customer


def raw_post(api: ApiClient, path: str, body: str | bytes) -> Any:
    return api.client.post(
        f"/api/v1{path}", body, content_type="application/json", headers=api._headers()
    )


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def inbound_text(**over: Any) -> str:
    """The JSON text of an inbound item with ``meta`` (or any field) spliced in raw."""
    body = json.dumps(inbound("bad-1"))
    return body[:-1] + "".join(f', "{k}": {v}' for k, v in over.items()) + "}"


# --- the pure validators ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"meta": {"x": NaN}}', "meta.x"),
        ('{"meta": [Infinity]}', "meta.0"),
        ('{"a": -Infinity}', "a"),
        ('{"a": {"b": 1e999}}', "a.b"),
        ('{"a": -1e400}', "a"),
        ('{"a": 123456789012345678901234567890}', "a"),
        ('{"a": 9223372036854775808}', "a"),
        ('{"k": "a\\u0000b"}', "k"),
        (nested(33), "a." * 32),
        ("[" * 100_000 + "]" * 100_000, ""),
    ],
)
def test_json_refused_names_where(db: None, text: str, field: str) -> None:
    with pytest.raises(edge.BadInput) as caught:
        edge.loads(text, allow_nul=False)
    assert caught.value.field.startswith(field.rstrip("."))
    assert caught.value.status == 422


def test_json_within_the_limits_parses(db: None) -> None:
    assert edge.loads(nested(31)) is not None
    assert edge.loads('{"a": [1.5, -2, 9223372036854775807, null, true, "x"]}') == {
        "a": [1.5, -2, 2**63 - 1, None, True, "x"]
    }


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_loads_refuses_or_parses_never_crashes(text: str) -> None:
    try:
        edge.loads(text)
    except edge.BadInput as exc:
        assert isinstance(exc.field, str)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_single_line_is_one_line(text: str) -> None:
    line = edge.single_line(text)
    edge.check_line(line, "name")  # does not raise
    assert line == line.strip()


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "0001-01-01T00:00:00",
        "1969-12-31T23:59:59+00:00",
        "2101-01-01T00:00:00+00:00",
        "2026-13-01T00:00:00",
        "x" * 5000,
    ],
)
def test_impossible_dates_are_refused(db: None, text: str) -> None:
    with pytest.raises(edge.BadInput) as caught:
        edge.parse_datetime(text, "at")
    assert caught.value.field == "at"


def test_a_date_in_the_window_is_kept_in_utc(db: None) -> None:
    assert edge.parse_datetime("2026-03-01T10:00:00+02:00", "at") == dt.datetime(
        2026, 3, 1, 8, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    "name", ["a" * 5000, "Europe/" + "x" * 60, "../../etc/passwd", "Mars/Base", "UTC\x00", ""]
)
def test_unknown_time_zones_are_refused(db: None, name: str) -> None:
    with pytest.raises(edge.BadInput):
        edge.check_timezone(name, "tz")


# --- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ('{"x": NaN}', "meta.x"),
        ('{"x": [1, Infinity]}', "meta.x.1"),
        ('{"x": 1e999}', "meta.x"),
        ('{"x": 99999999999999999999999}', "meta.x"),
        (nested(40), "meta.a"),
    ],
)
def test_inbound_meta_refused_with_the_field(api: ApiClient, meta: str, field: str) -> None:
    r = raw_post(api, "/inbound", inbound_text(meta=meta))
    assert r.status_code == 422, r.content
    assert r.json()["field"].startswith(field)
    assert field in r.json()["detail"]
    assert InboundEnvelope.objects.count() == 0 and Message.objects.count() == 0


def test_a_body_nested_past_the_interpreter_is_a_400(api: ApiClient) -> None:
    for path in ("/inbound", "/teams", "/customers"):
        r = raw_post(api, path, "[" * 50_000 + "]" * 50_000)
        assert r.status_code == 400
        assert r.json()["code"] == "invalid"


@pytest.mark.parametrize(
    "sent_at",
    [
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+01:00",
        "1900-01-01T00:00:00Z",
        "3000-01-01",
    ],
)
def test_inbound_impossible_sent_at_is_refused(api: ApiClient, sent_at: str) -> None:
    r = api.post("/inbound", inbound("bad-date", sent_at=sent_at))
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "sent_at"
    assert InboundEnvelope.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["Ana\r\nBcc: x@evil.example", "Ana\nLima", "Ana\rLima", "A\u2028B"]
)
def test_inbound_name_with_a_line_break_is_refused(api: ApiClient, name: str) -> None:
    r = api.post("/inbound", inbound("crlf", **{"from": {"name": name, "email": "a@example.com"}}))
    assert r.status_code == 422
    assert r.json()["field"] == "from.name"
    assert Customer.objects.count() == 0 and InboundEnvelope.objects.count() == 0


def test_inbound_subject_with_a_line_break_is_refused(api: ApiClient) -> None:
    r = api.post("/inbound", inbound("crlf-s", subject="Hi\r\nX-Spam: yes"))
    assert r.status_code == 422 and r.json()["field"] == "subject"


def test_a_channel_adapter_name_is_made_one_line(db: None, brand: Any) -> None:
    """Where the sender cannot be refused (an email's From header), the name is repaired."""
    from tests.factories import make_conversation

    conversation = make_conversation(brand, name="Ana\r\n Lima\x85", email="ana@example.com")
    assert conversation.customer.name == "Ana Lima"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/reports/coverage", {"tz": "x" * 5000}, "tz"),
        ("/reports/coverage", {"tz": "Mars/Base"}, "tz"),
        ("/reports/coverage", {"tz": "Etc/../../x"}, "tz"),
        ("/reports/coverage", {"week_of": "9999-12-31"}, "week_of"),
        ("/reports/coverage", {"week_of": "0001-01-01"}, "week_of"),
        ("/reports/coverage", {"brand_id": str(10**30)}, "brand_id"),
        ("/conversations", {"q": "x" * 5000}, "q"),
        ("/conversations", {"language": "e\nn"}, "language"),
        ("/conversations", {"tag": "a" * 2000}, "tag"),
        ("/customers", {"q": "y" * 5000}, "q"),
        ("/agents", {"language": "z" * 5000}, "language"),
    ],
)
def test_long_or_broken_query_parameters_are_refused(
    admin_api: ApiClient, path: str, params: dict[str, str], field: str
) -> None:
    r = admin_api.get(path, **params)
    assert 400 <= r.status_code < 500, r.content
    assert r.json()["field"] == field


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/teams", {"name": "Sales\r\nTeam"}, "name"),
        ("/tags", {"name": "vip\nx"}, "name"),
        ("/customers", {"name": "Bo\r\nBcc: a@b.c", "email": "bo@example.com"}, "name"),
        ("/customers", {"name": "Bo", "email": "bo@example.com", "timezone": "x" * 64}, "timezone"),
        ("/customers", {"name": "Bo", "email": "bo\r\n@example.com"}, "email"),
        ("/sites", {"name": "HQ", "timezone": "t" * 5000}, "timezone"),
    ],
)
def test_line_breaks_and_bad_zones_in_one_line_fields_are_refused(
    admin_api: ApiClient, path: str, body: dict[str, Any], field: str
) -> None:
    before = (Team.objects.count(), Tag.objects.count(), Customer.objects.count())
    r = admin_api.post(path, body)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert (Team.objects.count(), Tag.objects.count(), Customer.objects.count()) == before


def test_a_customer_rename_with_a_line_break_is_refused(admin_api: ApiClient, brand: Any) -> None:
    from tests.factories import make_customer

    customer = make_customer(brand, name="Ana")
    r = admin_api.patch(f"/customers/{customer.pk}", {"name": "Ana\r\nBcc: x@evil.example"})
    assert r.status_code == 422 and r.json()["field"] == "name"
    customer.refresh_from_db()
    assert customer.name == "Ana"


def test_a_conversation_patch_with_broken_tags_is_refused(api: ApiClient, brand: Any) -> None:
    from tests.factories import make_conversation

    conversation = make_conversation(brand)
    for tags, field in (
        (["ok", "bad\nline"], "tags.1"),
        (["x" * 65], "tags.0"),
        (["a\x00"], "tags.0"),
    ):
        r = api.patch(f"/conversations/{conversation.pk}", {"tags": tags})
        assert 400 <= r.status_code < 500, r.content
        assert (r.json()["field"] or "") == field
    subject = api.patch(f"/conversations/{conversation.pk}", {"subject": "a\r\nb"})
    assert subject.status_code == 422 and subject.json()["field"] == "subject"
    assert Conversation.objects.get().tags.count() == 0


def test_refusals_speak_the_requested_language(api: ApiClient) -> None:
    r = api.client.post(
        "/api/v1/inbound",
        json.dumps(inbound("zh-1", **{"from": {"name": "A\r\nB", "email": "a@example.com"}})),
        content_type="application/json",
        headers={**api._headers(), "Accept-Language": "zh-Hans"},
    )
    assert r.status_code == 422 and r.json()["field"] == "from.name"
    assert "不允许包含换行符和控制字符" in r.json()["detail"]
    nan = raw_post(api, "/inbound", inbound_text(meta='{"x": NaN}'))
    assert nan.status_code == 422 and nan.json()["field"] == "meta.x"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-02-28"])
def test_impossible_purchase_dates_are_refused(admin_api: ApiClient, brand: Any, day: str) -> None:
    from tests.factories import make_customer
    from wowdesk.customers.models import Purchase

    customer = make_customer(brand)
    for field in ("purchased_on", "warranty_until"):
        r = admin_api.post(f"/customers/{customer.pk}/purchases", {"product": "Lamp", field: day})
        assert r.status_code == 422 and r.json()["field"] == field
    assert not Purchase.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@example.com", "name": "A\r\nB"}, "name"),
        ({"email": "a@example.com\nb@example.com"}, "email"),
        ({"email": "a@example.com", "timezone": "Europe/" + "x" * 50}, "timezone"),
    ],
)
def test_agents_are_refused_line_breaks_and_bad_zones(
    admin_api: ApiClient, body: dict[str, str], field: str
) -> None:
    from wowdesk.core.models import Agent

    before = Agent.objects.count()
    r = admin_api.post("/agents", body)
    assert r.status_code == 422 and r.json()["field"] == field
    assert Agent.objects.count() == before


def test_the_services_refuse_line_breaks_for_every_edge(db: None, brand: Any, admin: Any) -> None:
    """The admin and the CLI save through the same services as the API."""
    from tests.factories import make_customer
    from wowdesk.core import services as core
    from wowdesk.customers import services as customers

    with pytest.raises(edge.BadInput) as caught:
        core.create_brand(name="Evil\r\nBrand", slug="evil")
    assert caught.value.field == "name"
    with pytest.raises(edge.BadInput):
        core.update_agent(admin, actor=admin, display_name="A\nB")
    with pytest.raises(edge.BadInput):
        customers.update_customer(make_customer(brand), actor=admin, name="C\r\nD")


FRAME_FIELDS = {
    "id": edge.FrameField("int"),
    "name": edge.FrameField("line"),
    "body": edge.FrameField("text", max_length=50),
    "on": edge.FrameField("bool"),
    "ref": edge.FrameField("ref"),
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.dictionaries(st.sampled_from(list(FRAME_FIELDS)), json_values).map(json.dumps),
    )
)
def test_a_frame_is_an_object_of_checked_fields_or_refused(text: str) -> None:
    try:
        content = edge.parse_frame(text, None)
        fields = edge.check_frame(content, FRAME_FIELDS)
    except edge.BadInput as exc:
        assert exc.status == 422 and isinstance(exc.field, str)
        return
    assert fields["id"] is None or (isinstance(fields["id"], int) and 1 <= fields["id"] <= 2**62)
    assert fields["name"] is None or not any(ord(c) < 32 for c in fields["name"])
    assert fields["body"] is None or ("\x00" not in fields["body"] and len(fields["body"]) <= 50)
    assert fields["on"] in (None, True, False)
