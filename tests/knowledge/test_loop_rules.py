"""The knowledge loop's rules: which resolved conversations become proposals, how they are
anonymised and grouped, and what accepting or dismissing does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.knowledge.loop_helpers import published_article, resolved_conversation
from wowdesk.conversations import services as conversations
from wowdesk.core.errors import Conflict, Forbidden, InvalidInput
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import loop_services, search
from wowdesk.knowledge.models import (
    Article,
    ArticleStatus,
    ArticleVersion,
    LoopCandidate,
    Proposal,
    SuggestionUse,
)

pytestmark = pytest.mark.django_db

WIFI_Q = (
    "Hi, my name is Maria Lopez. My Acme Hub keeps dropping off the Wi-Fi 6 mesh every night "
    "since the firmware update. Order ACM-48213977, email maria.lopez@example.com."
)
WIFI_A = (
    "Hello Maria,\nthe hub cannot hold a connection on 160 MHz channels. Open the router "
    "settings, set the 5 GHz band to 80 MHz channel width and turn off band steering, then "
    "restart the hub by holding its button for ten seconds.\n\nBest regards,\nKenji Sato"
)
WIFI_Q2 = (
    "Hello, the Acme Hub disconnects from my Wi-Fi 6 mesh router at night after updating "
    "the firmware. My number is +44 20 7946 0958."
)
WIFI_A2 = (
    "Hi Tom, the hub loses the connection on 160 MHz channels: in the router set the 5 GHz "
    "band to 80 MHz channel width, disable band steering and restart the hub.\nRegards, Kenji"
)
INVOICE_Q = "Where can I download the invoice for my last order #A77812? I need it for taxes."
INVOICE_A = (
    "You can download every invoice as a PDF under Account → Billing → Invoices; pick the "
    "order and press Download."
)


@pytest.fixture
def supervisor(make_agent: Any) -> Agent:
    return make_agent(Role.SUPERVISOR, name="Kenji Sato")


def later(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_resolving_records_a_candidate_and_seven_days_later_a_proposal(
    brand: Brand, agent: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    conv = resolved_conversation(
        brand, agent, WIFI_Q, WIFI_A, commits=django_capture_on_commit_callbacks
    )
    candidate = LoopCandidate.objects.get(conversation=conv)
    assert candidate.state == LoopCandidate.State.PENDING
    assert loop_services.run_due(later(6.9)) == 0
    assert not Proposal.objects.exists()
    assert loop_services.run_due(later(7.1)) == 1
    proposal = Proposal.objects.get()
    assert proposal.kind == Proposal.Kind.NEW_ARTICLE
    assert proposal.conversation_id == conv.pk and proposal.brand_id == brand.pk
    assert proposal.status == Proposal.Status.OPEN
    assert "160 MHz" in proposal.body and "Wi-Fi 6" in proposal.title
    candidate.refresh_from_db()
    assert candidate.state == LoopCandidate.State.PROPOSED
    assert loop_services.run_due(later(30)) == 0  # once


def test_the_proposal_is_anonymised(brand: Brand, agent: Agent) -> None:
    conv = resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    proposal = loop_services.do_propose_from_conversation(conv)
    assert proposal is not None
    text = proposal.title + "\n" + proposal.body
    for secret in ("Maria", "Lopez", "48213977", "maria.lopez", "Kenji", "Sato"):
        assert secret not in text, text


@override_settings(WOWDESK_KB_PROPOSAL_DAYS=3)
def test_the_wait_is_a_setting(
    brand: Brand, agent: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    resolved_conversation(brand, agent, WIFI_Q, WIFI_A, commits=django_capture_on_commit_callbacks)
    assert loop_services.run_due(later(2.9)) == 0
    assert loop_services.run_due(later(3.1)) == 1


def test_reopened_within_the_wait_is_not_proposed(
    brand: Brand, agent: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    # reopened by the customer writing again, and by an agent reopening it
    by_customer = resolved_conversation(
        brand, agent, WIFI_Q, WIFI_A, commits=django_capture_on_commit_callbacks
    )
    conversations.append_incoming(
        by_customer,
        by_customer.customer,
        conversations.IncomingMessage(body="It happened again tonight.", channel="api"),
    )
    by_agent = resolved_conversation(
        brand, agent, INVOICE_Q, INVOICE_A, commits=django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        conversations.update_conversation(by_agent, actor=agent, status="open")
    assert loop_services.run_due(later(8)) == 0
    assert not Proposal.objects.exists()
    states = set(LoopCandidate.objects.values_list("state", flat=True))
    assert states == {LoopCandidate.State.SKIPPED}


def test_resolved_again_waits_from_the_last_resolution(
    brand: Brand, agent: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    conv = resolved_conversation(
        brand, agent, WIFI_Q, WIFI_A, commits=django_capture_on_commit_callbacks
    )
    LoopCandidate.objects.filter(conversation=conv).update(resolved_at=later(-10))
    # the conversation itself says it was resolved just now (reopened, resolved again)
    assert loop_services.run_due(timezone.now()) == 0
    assert LoopCandidate.objects.get(conversation=conv).state == LoopCandidate.State.PENDING
    assert loop_services.run_due(later(8)) == 1


def test_not_proposed_when_an_article_covers_it(brand: Brand, agent: Agent) -> None:
    published_article(
        brand,
        "Acme Hub drops off a Wi-Fi 6 mesh at night",
        "The hub cannot hold a connection on 160 MHz channels. In the router settings set the "
        "5 GHz band to 80 MHz channel width, turn off band steering, then restart the hub by "
        "holding its button for ten seconds.",
    )
    conv = resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    assert loop_services.do_propose_from_conversation(conv) is None
    # another brand's article covers nothing here
    assert not Proposal.objects.exists()


def test_an_internal_article_covers_it_too(brand: Brand, agent: Agent) -> None:
    published_article(
        brand,
        "Invoices: where to download them",
        "Every invoice is a PDF under Account → Billing → Invoices: pick the order "
        "and press Download.",
        internal=True,
    )
    conv = resolved_conversation(brand, agent, INVOICE_Q, INVOICE_A)
    assert loop_services.do_propose_from_conversation(conv) is None


def test_an_unrelated_or_other_brand_article_does_not_cover_it(
    brand: Brand, other_brand: Brand, agent: Agent
) -> None:
    published_article(
        brand,
        "Hub setup and Wi-Fi basics",
        "Our gift cards can be bought in every store and never expire.",
    )
    published_article(
        other_brand,
        "Acme Hub drops off a Wi-Fi 6 mesh at night",
        "The hub cannot hold a connection on 160 MHz channels. Set the 5 GHz band to 80 MHz "
        "channel width, turn off band steering, then restart the hub.",
    )
    conv = resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    proposal = loop_services.do_propose_from_conversation(conv)
    assert proposal is not None
    assert proposal.best_similarity is not None and proposal.best_similarity < 0.8


def test_an_article_marked_on_the_conversation_covers_it(brand: Brand, agent: Agent) -> None:
    article = published_article(brand, "Gift cards", "Gift cards never expire.")
    conv = resolved_conversation(brand, agent, INVOICE_Q, INVOICE_A)
    SuggestionUse.objects.create(
        brand=brand,
        conversation=conv,
        article=article,
        agent=agent,
        action=SuggestionUse.Action.SOLVED,
    )
    assert loop_services.do_propose_from_conversation(conv) is None


def test_no_agent_answer_no_proposal(brand: Brand, agent: Agent) -> None:
    from tests.factories import quick_conversation

    conv = quick_conversation(brand, body=WIFI_Q)
    conversations.update_conversation(conv, actor=agent, status="resolved")
    assert loop_services.do_propose_from_conversation(conv) is None


def test_similar_proposals_are_grouped(
    brand: Brand, other_brand: Brand, agent: Agent, make_agent: Any
) -> None:
    first = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    )
    second = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, WIFI_Q2, WIFI_A2, name="Tom Baker")
    )
    third = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, INVOICE_Q, INVOICE_A)
    )
    assert first and second and third
    assert first.group_id is None
    assert second.group_id == first.pk
    assert third.group_id is None
    # the other brand's proposals are never grouped with this brand's
    other_agent = make_agent(Role.AGENT, brands=[other_brand])
    fourth = loop_services.do_propose_from_conversation(
        resolved_conversation(other_brand, other_agent, WIFI_Q2, WIFI_A2)
    )
    assert fourth and fourth.group_id is None


def test_accept_publishes_to_search_with_the_managers_edits(
    brand: Brand, agent: Agent, supervisor: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    proposal = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    )
    assert proposal is not None
    with django_capture_on_commit_callbacks(execute=True):
        article = loop_services.do_accept_proposal(
            supervisor,
            proposal.pk,
            title="Acme Hub drops off Wi-Fi 6 mesh networks",
            body=proposal.body + "\n\nStill stuck? Contact us.",
        )
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.version == 1
    assert article.title == "Acme Hub drops off Wi-Fi 6 mesh networks"
    assert article.body.endswith("Still stuck? Contact us.")
    assert "<p>" in article.body_html
    assert article.brand_id == brand.pk and article.language == proposal.language
    version = ArticleVersion.objects.get(article=article)
    assert version.number == 1 and version.author_id == supervisor.pk
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED
    assert proposal.decided_by_id == supervisor.pk and proposal.article_id == article.pk
    hits = search.search_articles(brand.pk, "Acme Hub mesh network")
    assert article.pk in [h.article_id for h in hits]


def test_accept_an_edit_makes_the_next_version(
    brand: Brand, agent: Agent, supervisor: Agent
) -> None:
    article = published_article(brand, "Resetting the hub", "Hold the button.")
    ArticleVersion.objects.create(
        article=article,
        number=1,
        title=article.title,
        body=article.body,
        status=ArticleStatus.PUBLISHED,
    )
    edit = Proposal.objects.create(
        brand=brand,
        kind=Proposal.Kind.EDIT,
        article=article,
        language="en",
        title=article.title,
        body="Hold the button for ten seconds.",
        proposed_by=agent,
    )
    result = loop_services.do_accept_proposal(supervisor, edit.pk)
    assert result.pk == article.pk
    article.refresh_from_db()
    assert article.version == 2 and article.body == "Hold the button for ten seconds."
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]
    assert Article.objects.filter(brand=brand).count() == 1


def test_dismiss_and_no_second_decision(brand: Brand, agent: Agent, supervisor: Agent) -> None:
    proposal = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    )
    assert proposal is not None
    loop_services.do_dismiss_proposal(supervisor, proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.DISMISSED and proposal.decided_by_id == supervisor.pk
    assert not Article.objects.exists()
    with pytest.raises(Conflict):
        loop_services.do_accept_proposal(supervisor, proposal.pk)
    with pytest.raises(Conflict):
        loop_services.do_dismiss_proposal(supervisor, proposal.pk)


def test_only_the_brands_knowledge_managers_decide(
    brand: Brand, other_brand: Brand, agent: Agent, make_agent: Any
) -> None:
    proposal = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    )
    assert proposal is not None
    other_admin = make_agent(Role.ADMIN, brands=[other_brand])
    for who in (agent, other_admin):
        with pytest.raises(Forbidden):
            loop_services.do_accept_proposal(who, proposal.pk)
        with pytest.raises(Forbidden):
            loop_services.do_dismiss_proposal(who, proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN


def test_bad_edits_are_refused_by_field(
    brand: Brand, agent: Agent, supervisor: Agent, other_brand: Brand
) -> None:
    from wowdesk.knowledge.models import Category

    proposal = loop_services.do_propose_from_conversation(
        resolved_conversation(brand, agent, WIFI_Q, WIFI_A)
    )
    assert proposal is not None
    foreign = Category.objects.create(brand=other_brand, slug="orders", names={"en": "Orders"})
    cases = [
        ({"title": "  "}, "title"),
        ({"body": ""}, "body"),
        ({"title": "x" * 301}, "title"),
        ({"category": foreign.pk}, "category"),
        ({"category": "nope"}, "category"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as err:
            loop_services.do_accept_proposal(supervisor, proposal.pk, **kwargs)
        assert err.value.field == field
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.OPEN


def test_the_wait_is_read_from_the_environment() -> None:
    from wowdesk.config import Config

    assert Config.from_env({}).kb_proposal_days == 7
    assert Config.from_env({"WOWDESK_KB_PROPOSAL_DAYS": "14"}).kb_proposal_days == 14
    assert Config.from_env({"WOWDESK_KB_PROPOSAL_DAYS": "-3"}).kb_proposal_days == 0
    with pytest.raises(ValueError):
        Config.from_env({"WOWDESK_KB_PROPOSAL_DAYS": "soon"})


def test_the_job_and_the_listener_are_registered() -> None:
    from wowdesk.core import events, jobs
    from wowdesk.core.events import Event, Phase

    assert "wowdesk.knowledge.loop.on_conversation_updated" in events.listeners(
        Event.CONVERSATION_UPDATED, Phase.COMMIT
    )
    assert jobs._jobs["knowledge-loop"].path == "wowdesk.knowledge.loop.run"


def test_the_job_runs_the_due_candidates(
    brand: Brand, agent: Agent, django_capture_on_commit_callbacks: Any
) -> None:
    from wowdesk.knowledge import loop

    conv = resolved_conversation(
        brand, agent, WIFI_Q, WIFI_A, commits=django_capture_on_commit_callbacks
    )
    loop.run()
    assert not Proposal.objects.exists()
    from wowdesk.conversations.models import Conversation, Message

    # eight days on: the conversation, its messages and its candidate are that old
    LoopCandidate.objects.filter(conversation=conv).update(resolved_at=later(-8))
    Conversation.objects.filter(pk=conv.pk).update(resolved_at=later(-8))
    Message.objects.filter(conversation=conv).update(created_at=later(-9))
    loop.run()
    assert Proposal.objects.get().conversation_id == conv.pk


def test_the_candidates_state_says_why_nothing_was_proposed(brand: Brand, agent: Agent) -> None:
    from tests.factories import quick_conversation

    published_article(
        brand,
        "Invoices: where to download them",
        "You can download every invoice as a PDF under Account → Billing → Invoices; pick "
        "the order and press Download.",
    )
    covered = resolved_conversation(brand, agent, INVOICE_Q, INVOICE_A)
    unanswered = quick_conversation(brand, body=WIFI_Q)
    conversations.update_conversation(unanswered, actor=agent, status="resolved")
    for conv in (covered, unanswered):
        conv.refresh_from_db()
        loop_services.record_candidate(conv.pk, brand.pk, conv.resolved_at)
    assert loop_services.run_due(later(8)) == 0
    states = dict(LoopCandidate.objects.values_list("conversation_id", "state"))
    assert states == {
        covered.pk: LoopCandidate.State.COVERED,
        unanswered.pk: LoopCandidate.State.SKIPPED,
    }
