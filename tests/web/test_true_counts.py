"""Every number the workspace shows equals the length of the list it names: the inbox
sidebar's views, languages and channels, and the supervisor board's queue, failed
deliveries and alerts. The data is built to sit on the edges of each view (an SLA due
inside and just outside the window, paused, breached, met; resolved conversations;
another brand; a conversation with no language)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.routing.models import ConversationSla, SlaState, SlaTarget
from wowdesk.web import inbox


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _sla(c: Conversation, *, due: dt.datetime | None, state: str, paused: bool = False) -> None:
    ConversationSla.objects.create(
        conversation=c,
        brand_id=c.brand_id,
        target=SlaTarget.FIRST_RESPONSE if due else "",
        started_at=timezone.now() - dt.timedelta(hours=1),
        due_at=due,
        warn_at=due - dt.timedelta(minutes=10) if due else None,
        paused_at=timezone.now() if paused else None,
        state=state,
    )


@pytest.fixture
def world(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> tuple[Agent, list[Conversation]]:
    me = make_agent(Role.AGENT)
    colleague = make_agent(Role.AGENT)
    team = Team.objects.create(brand=brand, name="Lamps")
    team.members.add(me)
    now = timezone.now()
    made: list[Conversation] = []

    def conv(subject: str, **kw: object) -> Conversation:
        c = quick_conversation(brand, subject=subject, channel=str(kw.pop("channel", "api")))
        made.append(c)
        return c

    # SLA edges: due inside the window, just outside it, already past, paused, warning,
    # breached, met (due cleared), no target
    _sla(conv("due in 10 min"), due=now + dt.timedelta(minutes=10), state=SlaState.OK)
    _sla(conv("due in 59 min"), due=now + dt.timedelta(minutes=59), state=SlaState.OK)
    _sla(conv("due in 3 h"), due=now + dt.timedelta(hours=3), state=SlaState.OK)
    _sla(conv("overdue, not swept"), due=now - dt.timedelta(minutes=5), state=SlaState.OK)
    _sla(
        conv("paused, due soon"),
        due=now + dt.timedelta(minutes=20),
        state=SlaState.OK,
        paused=True,
    )
    _sla(conv("warning"), due=now + dt.timedelta(hours=2), state=SlaState.WARNING)
    _sla(conv("breached"), due=now - dt.timedelta(hours=2), state=SlaState.BREACHED)
    _sla(conv("met"), due=None, state=SlaState.MET)
    _sla(conv("no target"), due=None, state=SlaState.NONE)
    # a breached one already resolved: not open work
    done = conv("resolved breached")
    _sla(done, due=now - dt.timedelta(hours=5), state=SlaState.BREACHED)
    conversations.update_conversation(done, actor=None, status=Status.RESOLVED)
    # assignment, teams, waiting, channels, languages
    mine = conv("mine")
    conversations.update_conversation(mine, actor=None, assignee_id=me.pk)
    theirs = conv("theirs", channel="email")
    conversations.update_conversation(theirs, actor=None, assignee_id=colleague.pk, team_id=team.pk)
    Conversation.objects.filter(pk=theirs.pk).update(language="de")
    Conversation.objects.filter(pk=mine.pk).update(language="")
    pending = conv("pending")
    conversations.update_conversation(pending, actor=None, status=Status.PENDING)
    # a failed delivery, one being retried, and a resolved one that failed
    failed = conv("undelivered")
    Conversation.objects.filter(pk=failed.pk).update(delivery_issue="failed")
    retrying = conv("retrying")
    Conversation.objects.filter(pk=retrying.pk).update(delivery_issue="retrying")
    old = conv("resolved undelivered")
    conversations.update_conversation(old, actor=None, status=Status.RESOLVED)
    Conversation.objects.filter(pk=old.pk).update(delivery_issue="failed")
    # another brand's work: never counted for me
    for i in range(3):
        quick_conversation(other_brand, subject=f"other {i}")
    return me, made


def _listed(agent: Agent, **params: str) -> list[int]:
    """Every id of every page of the list the workspace shows for ``params``."""
    ids: list[int] = []
    page = 1
    while True:
        q = QueryDict(mutable=True)
        q.update({**params, "page": str(page)})
        result = inbox.page_of(agent, inbox.InboxQuery.parse(q))
        ids += [c.pk for c in result.rows]
        if not result.has_next:
            return ids
        page += 1


def test_every_sidebar_view_count_is_its_lists_length(
    world: tuple[Agent, list[Conversation]],
) -> None:
    me, _made = world
    counts = inbox.count_open(me)
    assert set(counts.views) == set(inbox.VIEWS)
    for view in inbox.VIEWS:
        listed = _listed(me, view=view)
        assert counts.views[view] == len(listed), view
        assert len(set(listed)) == len(listed), view  # nobody twice


def test_sla_due_soon_counts_what_it_lists(world: tuple[Agent, list[Conversation]]) -> None:
    me, _made = world
    listed = {c.subject for c in Conversation.objects.filter(pk__in=_listed(me, view="sla"))}
    assert listed == {
        "due in 10 min",
        "due in 59 min",
        "overdue, not swept",
        "paused, due soon",
        "warning",
        "breached",
    }
    assert inbox.count_open(me).views["sla"] == 6


def test_language_and_channel_counts_are_their_lists_length(
    world: tuple[Agent, list[Conversation]],
) -> None:
    me, _made = world
    counts = inbox.count_open(me)
    assert counts.languages
    for code, n in counts.languages:
        assert n == len(_listed(me, view="all", language=code or inbox.NO_LANGUAGE)), code
    for code, _label, n in counts.channels:
        assert n == len(_listed(me, view="all", channel=code)), code


def test_the_page_shows_true_counts(
    world: tuple[Agent, list[Conversation]],
) -> None:
    me, _made = world
    client = Client()
    client.force_login(me.user)
    html = client.get("/inbox/?view=all").content.decode()
    counts = inbox.count_open(me)
    for view, n in counts.views.items():
        assert f'data-count="{view}" id="count-{view}">{n}<' in html, view


def test_counts_follow_a_change_at_once_and_the_list_refresh_carries_them(
    brand: Brand,
    make_agent: Callable[..., Agent],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    """The counts are kept in the cache, but a change to a conversation of the brand makes
    them stale at once: taking a conversation shows in "Mine" on the next page, and the
    list's live refresh brings the new numbers with it."""
    me = make_agent(Role.AGENT)
    c = quick_conversation(brand, subject="take me")
    client = Client()
    client.force_login(me.user)
    page = client.get("/inbox/?view=mine").content.decode()
    assert 'data-count="mine" id="count-mine">0<' in page
    assert 'data-count="unassigned" id="count-unassigned">1<' in page
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        conversations.update_conversation(c, actor=me, assignee_id=me.pk)
    page = client.get("/inbox/?view=mine").content.decode()
    assert 'data-count="mine" id="count-mine">1<' in page
    assert 'data-count="unassigned" id="count-unassigned">0<' in page
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        conversations.update_conversation(c, actor=me, status=Status.RESOLVED)
    listed = client.get("/inbox/list/?view=mine").content.decode()
    assert 'id="count-mine" hx-swap-oob="true">0<' in listed
    assert 'id="count-all" hx-swap-oob="true">0<' in listed


def test_the_unknown_language_link_is_current_only_when_chosen(
    world: tuple[Agent, list[Conversation]],
) -> None:
    me, made = world
    by_subject = {c.subject: c.pk for c in made}
    client = Client()
    client.force_login(me.user)
    plain = client.get("/inbox/?view=all").content.decode()
    assert 'language=und" aria-current="page"' not in plain
    chosen = client.get(f"/inbox/?view=all&language={inbox.NO_LANGUAGE}").content.decode()
    assert 'language=und" aria-current="page"' in chosen
    # only conversations without a language are listed
    assert f'data-conversation-id="{by_subject["mine"]}"' in chosen
    assert f'data-conversation-id="{by_subject["theirs"]}"' not in chosen
