"""What bench/read.py made fast must still answer the same: substring search through the
full-text indexes, deep pages through the sort indexes, and the ASGI handler."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ApiClient
from tests.factories import make_customer, quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation
from wowdesk.conversations.search import CONVERSATION_SUBJECT, MESSAGE_WORDS
from wowdesk.core import textsearch
from wowdesk.core.models import Brand
from wowdesk.customers.models import Customer
from wowdesk.customers.search import CUSTOMER_CONTACT

ALPHABET = "abcABC xyZ.@-_%'\"é"
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite full-text tables and triggers"
)


def _ascii_icontains(value: str, term: str) -> bool:
    """What ``LIKE`` does on SQLite and the trigram index does too, for ASCII text."""
    return term.lower() in value.lower()


@pytest.fixture
def corpus(brand: Brand) -> list[Customer]:
    rng = random.Random(3)
    out = []
    for i in range(40):
        name = "".join(rng.choice(ALPHABET.replace("é", "")) for _ in range(rng.randint(3, 14)))
        out.append(make_customer(brand, name=name.strip() or f"n{i}", email=f"p{i}.Q@x{i}.org"))
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=ALPHABET.replace("é", ""), min_size=1, max_size=6), st.data())
def test_contains_answers_like_icontains(
    corpus: list[Customer], term: str, data: st.DataObject
) -> None:
    if data.draw(st.booleans()):  # half the time, a piece of a real name
        name = data.draw(st.sampled_from([c.name for c in corpus]))
        start = data.draw(st.integers(0, max(0, len(name) - 1)))
        term = name[start : start + data.draw(st.integers(1, 6))] or term
    found = set(
        Customer.objects.filter(
            textsearch.contains(CUSTOMER_CONTACT, term, columns=("name",))
        ).values_list("pk", flat=True)
    )
    assert found == {c.pk for c in corpus if _ascii_icontains(c.name, term)}


def test_conversation_q_finds_subject_name_email_and_number(api: ApiClient, brand: Brand) -> None:
    a = quick_conversation(brand, subject="Lamp shade cracked", name="Zoe Becker")
    b = quick_conversation(brand, subject="Invoice twice", email="ana.Lima@Example.com")
    c = quick_conversation(brand, subject="Hello", name="Li")

    def ids(q: str) -> set[int]:
        response = api.get("/conversations", q=q, page_size=100)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["total"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert ids("SHADE") == {a.pk}
    assert ids("ecke") == {a.pk}  # the middle of a word, as icontains
    assert ids("lima@exa") == {b.pk}
    assert ids(f"#{b.number}") == {b.pk}
    assert ids("Li") == {b.pk, c.pk}  # two letters: the plain lookup (Lima, Li)
    assert ids("nothing-like-this") == set()


def test_customer_q_finds_identities_once(api: ApiClient, brand: Brand) -> None:
    from wowdesk.customers.services import add_identity

    ana = make_customer(brand, name="Ana Lima", email="ana@example.com")
    add_identity(ana, kind="phone", value="+4930123456", actor=None)
    add_identity(ana, kind="chat", value="ana-lima-chat", actor=None)
    make_customer(brand, name="Ben", email="ben@example.com")
    body = api.get("/customers", q="lima").json()
    assert [c["id"] for c in body["items"]] == [ana.pk]  # name and chat handle: one row
    assert body["total"] == 1
    assert [c["id"] for c in api.get("/customers", q="30123").json()["items"]] == [ana.pk]


def test_index_follows_updates_and_deletes(brand: Brand) -> None:
    conv = quick_conversation(brand, subject="Parcel lost")

    def found(term: str) -> bool:
        q = textsearch.contains(CONVERSATION_SUBJECT, term)
        return Conversation.objects.filter(q, pk=conv.pk).exists()

    assert found("parcel")
    conversations.update_conversation(conv, actor=None, subject="Refund please")
    assert not found("parcel")
    assert found("refund")
    Conversation.objects.filter(pk=conv.pk).update(subject="Courier late")
    assert found("courier")


@sqlite_only
def test_repair_puts_back_triggers_a_table_rebuild_dropped(brand: Brand) -> None:
    ix = CONVERSATION_SUBJECT
    with connection.cursor() as cur:
        cur.execute(f"DROP TRIGGER {ix.trigger('ai')}")
    unseen = quick_conversation(brand, subject="Written while the trigger was gone")
    textsearch.repair()
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        assert ix.trigger("ai") in {r[0] for r in cur.fetchall()}
    q = textsearch.contains(ix, "trigger was gone")
    assert list(Conversation.objects.filter(q).values_list("pk", flat=True)) == [unseen.pk]


@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "created_at", "waiting_since"])
def test_pages_add_up_to_the_whole_list_in_order(api: ApiClient, brand: Brand, sort: str) -> None:
    made = [quick_conversation(brand, subject=f"S{i}") for i in range(7)]
    # equal timestamps: the id must break ties the same way on every page
    Conversation.objects.filter(pk__in=[c.pk for c in made[:4]]).update(
        updated_at=made[0].updated_at, created_at=made[0].created_at
    )
    whole = api.get("/conversations", sort=sort, page_size=100).json()["items"]
    paged: list[dict[str, Any]] = []
    for page in (1, 2, 3, 4):
        paged += api.get("/conversations", sort=sort, page_size=2, page=page).json()["items"]
    assert [c["id"] for c in paged] == [c["id"] for c in whole]
    assert len(whole) == 7


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pooled", [True, False])
def test_asgi_handler_serves_requests(pooled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from wowdesk.asgi import django_asgi_app
    from wowdesk.core.services import ensure_agent_with_token

    # each request has its own connection under ASGI: close it at the end of the request,
    # or the test database cannot be dropped afterwards
    monkeypatch.setitem(connections.settings[connection.alias], "CONN_MAX_AGE", 0)

    _agent, token = ensure_agent_with_token(email="asgi@example.com", role="admin")
    # both modes on either database: a thread pool (SQLite's) or a thread per request
    monkeypatch.setattr(django_asgi_app, "pool", ThreadPoolExecutor(2) if pooled else None)

    async def call(path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
        sent: list[dict[str, Any]] = []
        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), *headers],
            "client": ("127.0.0.1", 1234),
            "server": ("127.0.0.1", 80),
        }
        await django_asgi_app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], body

    async def scenario() -> list[tuple[int, bytes]]:
        auth = [(b"authorization", f"Bearer {token}".encode())]
        return list(
            await asyncio.gather(
                call("/api/v1/health", []),
                call("/api/v1/me", auth),
                call("/api/v1/me", []),
                call("/api/v1/no-such-thing", auth),
            )
        )

    (health, me, anon, missing) = asyncio.run(scenario())
    assert health[0] == 200 and b'"ok"' in health[1]
    assert me[0] == 200 and b"asgi@example.com" in me[1]
    assert anon[0] == 401
    assert missing[0] == 404


def test_body_filter_finds_words_in_any_message(api: ApiClient, brand: Brand) -> None:
    lamp = quick_conversation(brand, subject="Hi", body="The LAMP shade arrived cracked")
    quick_conversation(brand, subject="Hi", body="My parcel never came")
    reply = quick_conversation(brand, subject="Hi", body="Hello")
    conversations.append_incoming(
        reply, reply.customer, conversations.IncomingMessage(body="Café lamp again", channel="api")
    )

    def ids(**params: Any) -> set[int]:
        response = api.get("/conversations", page_size=100, **params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(body="lamp") == {lamp.pk, reply.pk}
    assert ids(body="lam crack") == {lamp.pk}  # every word, each as a prefix
    assert ids(body="cafe") == ({reply.pk} if connection.vendor == "sqlite" else set())
    assert ids(body="lamp", q="nothing-here") == set()  # and with the other filters
    assert ids(body="  ?! ") == ids()  # no word: no filter
    assert textsearch.query_words("a-b c" * 10) == ["a", "b", "ca", "b", "ca", "b", "ca", "b"]


@pytest.mark.filterwarnings("error")  # pydantic warns when a constructed value has a wrong type
def test_outputs_built_without_validation_are_valid(
    api: ApiClient, brand: Brand, make_agent: Any
) -> None:
    from wowdesk.conversations.api import ConversationOut, ConversationsOut

    conv = quick_conversation(brand, subject="Typed", body="First")
    conversations.add_reply(conv, author=make_agent(), body="Second")
    conversations.update_conversation(conv, actor=None, tags=["b", "a"], priority="high")
    one = api.get(f"/conversations/{conv.pk}")
    many = api.get("/conversations")
    assert one.status_code == many.status_code == 200
    # every field there, of the right type (validation would fail otherwise)
    parsed = ConversationOut.model_validate_json(one.content)
    assert set(one.json()) == set(ConversationOut.model_fields)
    assert [m.body for m in parsed.messages][:2] == ["First", "Second"]
    assert parsed.tags == ["a", "b"] and parsed.priority == "high"
    assert parsed.messages[1].author is not None and parsed.messages[0].sender is not None
    page = ConversationsOut.model_validate_json(many.content)
    assert [i.id for i in page.items] == [conv.pk] and page.items[0].inbox.channel == "api"


@pytest.mark.parametrize("sort", ["-updated_at", "created_at", "waiting_since"])
def test_body_pages_of_many_matches_equal_the_few_matches_path(
    api: ApiClient, brand: Brand, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Where walking pays (textsearch.walk_pays), the page walks the sort index and the
    count walks the filter's (textsearch.Matches.scan): the same conversations, total and
    order as looking each match up."""
    made = [
        quick_conversation(brand, subject=f"Lost parcel {i}", body=f"lamp number {i}")
        for i in range(9)
    ]
    quick_conversation(brand, subject="Other", body="parcel")
    conversations.update_conversation(made[3], actor=None, status="resolved")

    def pages(**params: Any) -> tuple[int, list[int]]:
        out: list[int] = []
        total = -1
        for page in (1, 2, 3, 4):
            got = api.get("/conversations", sort=sort, page_size=3, page=page, **params)
            assert got.status_code == 200, got.content
            total = got.json()["total"]
            out += [c["id"] for c in got.json()["items"]]
        return total, out

    searches: list[dict[str, Any]] = [
        {"body": "lamp"},
        {"body": "lamp", "status": "open"},
        {"q": "parcel"},  # the subject index
        {"q": "parcel", "body": "lamp", "status": "open"},
    ]
    few = [pages(**s) for s in searches]
    monkeypatch.setattr(textsearch, "WALK_ABOVE", 2)
    monkeypatch.setattr(textsearch, "walk_pays", lambda **_: True)
    found = textsearch.groups_saying(MESSAGE_WORDS, "lamp")
    assert found is not None and found.read_once == (connection.vendor == "sqlite")
    with CaptureQueriesContext(connection) as recorded:
        many = [pages(**s) for s in searches]
    assert many == few
    if connection.vendor == "sqlite":  # the pages really walked the sort index
        walk = re.compile(r'\+\S*"id" IN \(SELECT value FROM json_each')
        walked = [q["sql"] for q in recorded.captured_queries if walk.search(q["sql"])]
        # every page; and the counts of the two searches with a status filter
        assert len(walked) == 4 * len(searches) + 4 * 2
    assert few[0][0] == 9 and sorted(few[0][1]) == sorted(c.pk for c in made)
    assert few[1][0] == 8 and made[3].pk not in few[1][1]
    assert few[2] == few[0] and few[3] == few[1]


def test_body_index_follows_edits_moves_and_deletes(brand: Brand) -> None:
    from wowdesk.conversations.models import Message

    one = quick_conversation(brand, subject="One", body="broken lamp")
    two = quick_conversation(brand, subject="Two", body="hello")

    def saying(text: str) -> set[int]:
        found = textsearch.groups_saying(MESSAGE_WORDS, text)
        assert found is not None
        return set(Conversation.objects.filter(found.members()).values_list("pk", flat=True))

    assert saying("lamp") == {one.pk}
    message = Message.objects.get(conversation=one, body="broken lamp")
    Message.objects.filter(pk=message.pk).update(conversation=two)  # moved, as by a merge
    assert saying("lamp") == {two.pk}
    Message.objects.filter(pk=message.pk).update(body="broken chair")
    assert saying("lamp") == set() and saying("chair") == {two.pk}
    Message.objects.filter(pk=message.pk).delete()
    assert saying("chair") == set()


@sqlite_only
def test_repair_refills_the_contentless_body_index(brand: Brand) -> None:
    ix = MESSAGE_WORDS
    seen_before = quick_conversation(brand, subject="Hi", body="trigger twice")
    with connection.cursor() as cur:
        cur.execute(f"DROP TRIGGER {ix.trigger('ai')}")
    unseen = quick_conversation(brand, subject="Hi", body="Written while the trigger was gone")
    textsearch.repair()
    found = textsearch.groups_saying(ix, "trigger")
    assert found is not None
    assert set(Conversation.objects.filter(found.members()).values_list("pk", flat=True)) == {
        unseen.pk,
        seen_before.pk,
    }


@sqlite_only
def test_ids_beyond_the_body_index_layout_are_refused(brand: Brand) -> None:
    """A message id of 2^32 would be filed under the next conversation: refused instead."""
    from django.db import IntegrityError, transaction

    from wowdesk.conversations.models import Message

    conv = quick_conversation(brand, subject="Hi", body="hello")
    with pytest.raises(IntegrityError, match="word index"), transaction.atomic():
        Message.objects.create(
            id=textsearch.GROUP_FACTOR,
            conversation=conv,
            brand_id=brand.pk,
            body="x",
            created_at=conv.created_at,
        )
    assert Message.objects.filter(conversation=conv).count() == 1


def test_search_totals_count_only_what_the_agent_may_see(
    make_agent: Any, make_api: Any, brand: Brand, other_brand: Brand
) -> None:
    """One search on every conversation takes its total from the matches it read; an
    agent of one brand, or a filter, makes the list count them (the same numbers)."""
    ours = [quick_conversation(brand, subject=f"Parcel {i}", body="broken lamp") for i in range(3)]
    quick_conversation(other_brand, subject="Parcel x", body="lamp again")
    gone = quick_conversation(brand, subject="Parcel gone", body="lamp gone")
    gone.delete()
    conversations.update_conversation(ours[0], actor=None, status="resolved")
    both = make_api(make_agent(brands=[brand, other_brand]))
    one = make_api(make_agent(brands=[brand]))

    def total(client: ApiClient, **params: Any) -> int:
        got = client.get("/conversations", **params)
        assert got.status_code == 200, got.content
        return int(got.json()["total"])

    for search in ({"body": "lamp"}, {"q": "parcel"}):
        assert total(both, **search) == 4
        assert total(one, **search) == 3
        assert total(both, status="open", **search) == 3
        assert total(one, status="open", **search) == 2
        assert len(both.get("/conversations", **search).json()["items"]) == 4
    if connection.vendor == "sqlite":  # the matches' own count, no second one
        with CaptureQueriesContext(connection) as recorded:
            total(both, body="lamp")
        assert sum("COUNT(" in q["sql"].upper() for q in recorded.captured_queries) == 1


@given(st.integers(1, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_walking_pays_for_early_pages_of_many_matches(
    end: int, rows: int, total: int, lookups: int
) -> None:
    pays = textsearch.walk_pays(end=end, rows=rows, total=total, lookups=lookups)
    if total == 0 or lookups <= textsearch.WALK_ABOVE:
        assert not pays  # nothing to walk to, or few enough to look up
    elif pays:  # an earlier page, or more matches, pays too
        assert textsearch.walk_pays(end=max(1, end // 2), rows=rows, total=total, lookups=lookups)
        assert textsearch.walk_pays(end=end, rows=rows, total=total * 2, lookups=lookups)
    # a page deeper than there are rows to look up never walks
    assert not textsearch.walk_pays(
        end=lookups + 1, rows=max(rows, total), total=total, lookups=lookups
    )
