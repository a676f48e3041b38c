"""Training: scenarios, role-play sessions and their score. The only writer of Scenario,
TrainingSession and TrainingMessage (and of an Assignment's ``done`` when a session of it
finishes); the pages' part writes assignments and culture cards in its own modules.

The simulated customer (``simulator.py``) and the score (``scoring.py``) are pure; this
module reads what they need (the brand's KB texts, the scorecard's weights), stores the
turns and the state, and calls the optional LLM provider (``llm.py``).
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.conversations.models import Conversation, Direction, Message, Status
from wowdesk.core import audit, i18n, permissions
from wowdesk.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.models import Agent, Membership
from wowdesk.training import llm, scenario_build, scoring, simulator
from wowdesk.training.models import (
    Assignment,
    AssignmentStatus,
    Difficulty,
    Mood,
    Scenario,
    ScenarioSource,
    SessionStatus,
    TrainingMessage,
    TrainingRole,
    TrainingSession,
)

log = logging.getLogger(__name__)

MAX_BODY = 4000
MAX_TRANSCRIPT_LINES = 60
MAX_KB_TEXTS = 100
AUTHORED_FIELDS = (
    "title",
    "product",
    "market",
    "language",
    "mood",
    "difficulty",
    "opening",
    "facts",
    "expected_resolution",
    "key_points",
    "policy_limits",
    "scorecard_id",
    "archived",
)


class BadRequest(ServiceError):
    status = 400


# --- scenarios --------------------------------------------------------------------------------


def _policy_limits(brand_id: int) -> list[dict[str, Any]]:
    """The brand's policy table (read only) as the scenario's limits: per action, the most an
    agent may grant on the spot."""
    try:
        from wowdesk.policies.models import Policy
    except ImportError:  # pragma: no cover - the app is always installed
        return []
    rows = Policy.objects.filter(brand_id=brand_id, enabled=True, role="agent").order_by(
        "action", "min_tenure_months", "id"
    )
    out: dict[str, dict[str, Any]] = {}
    for p in rows:
        if p.action in out:
            continue
        item: dict[str, Any] = {"action": p.action}
        if p.limit is not None:
            item["limit"] = float(p.limit)
        if p.currency:
            item["currency"] = p.currency
        if p.unit:
            item["unit"] = p.unit
        out[p.action] = item
    return list(out.values())


def _kb_titles(conversation_id: int) -> list[str]:
    from wowdesk.knowledge.models import SuggestionUse

    return list(
        SuggestionUse.objects.filter(conversation_id=conversation_id, article__isnull=False)
        .values_list("article__title", flat=True)
        .distinct()[:4]
    )


def build_source(conversation: Conversation) -> scenario_build.Source:
    """What ``scenario_build`` needs from a conversation and its customer."""
    from wowdesk.customers.models import Purchase

    customer = conversation.customer
    rows = list(
        Message.objects.filter(
            conversation_id=conversation.pk, direction__in=[Direction.IN, Direction.OUT]
        )
        .select_related("author__user")
        .order_by("created_at", "id")[:MAX_TRANSCRIPT_LINES]
    )
    names = {customer.name} if customer.name else set()
    for m in rows:
        if m.author is not None:
            user = m.author.user
            names.update({m.author.display_name, user.first_name, user.last_name})
    # every agent of the brand: a colleague named in the thread is a name too
    for row in Membership.objects.filter(brand_id=conversation.brand_id).values_list(
        "agent__display_name", "agent__user__first_name", "agent__user__last_name"
    ):
        names.update(row)
    purchases = list(
        Purchase.objects.filter(customer_id=customer.pk).order_by("-purchased_on", "-id")[:5]
    )
    return scenario_build.Source(
        lines=[
            scenario_build.Line(
                role="customer" if m.direction == Direction.IN else "agent",
                body=m.body,
                emotion=m.emotion_label or "",
            )
            for m in rows
        ],
        names=sorted(n for n in names if n),
        subject=conversation.subject,
        language=conversation.language or customer.language or "en",
        phone=customer.phone,
        products=[p.product for p in purchases],
        order_refs=[r for p in purchases for r in (p.order_ref, p.serial_number) if r],
        kb_titles=_kb_titles(conversation.pk),
        policy_limits=_policy_limits(conversation.brand_id),
    )


def create_scenario_from_conversation(actor: Agent, conversation: Conversation) -> Scenario:
    """A scenario from a resolved conversation (supervisors+ of its brand), anonymised."""
    permissions.check_manages_training(actor, conversation.brand_id)
    if conversation.status != Status.RESOLVED:
        raise BadRequest(
            _("Only a resolved conversation can become a scenario."), field="from_conversation"
        )
    fields = scenario_build.build(build_source(conversation))
    if not fields["opening"]:
        raise BadRequest(_("This conversation has no customer message."), field="from_conversation")
    scenario = Scenario.objects.create(
        brand_id=conversation.brand_id,
        source=ScenarioSource.CONVERSATION,
        source_conversation=conversation,
        created_by=actor,
        **fields,
    )
    audit.record(
        action="training.scenario_created",
        obj=scenario,
        actor=actor,
        brand_id=scenario.brand_id,
        after={"source_conversation": conversation.pk},
    )
    return scenario


def _clean_fields(fields: dict[str, Any], creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in AUTHORED_FIELDS:
            raise InvalidInput(_("Unknown field."), field=name)
        if value is None and name != "scorecard_id":
            raise InvalidInput(_("This field cannot be empty."), field=name)
        out[name] = value
    if "mood" in out and out["mood"] not in Mood.values:
        raise InvalidInput(_("Choose one of the moods."), field="mood")
    if "difficulty" in out and out["difficulty"] not in Difficulty.values:
        raise InvalidInput(_("Choose one of the difficulties."), field="difficulty")
    for name in ("title", "opening"):
        if name in out and not str(out[name]).strip():
            raise InvalidInput(_("This field cannot be empty."), field=name)
        if creating and name not in out:
            raise InvalidInput(_("This field is required."), field=name)
    if "facts" in out:
        facts = out["facts"]
        if not isinstance(facts, dict) or not all(
            isinstance(k, str) and isinstance(v, str | int | float) for k, v in facts.items()
        ):
            raise InvalidInput(_("Facts are names with a text each."), field="facts")
        out["facts"] = {k: str(v) for k, v in facts.items()}
    if "key_points" in out:
        points = out["key_points"]
        if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
            raise InvalidInput(_("Key points are a list of texts."), field="key_points")
    if "policy_limits" in out:
        limits = out["policy_limits"]
        if not isinstance(limits, list) or not all(
            isinstance(x, dict) and isinstance(x.get("action"), str) and x["action"] for x in limits
        ):
            raise InvalidInput(_('Each policy limit names its "action".'), field="policy_limits")
    return out


def save_scenario(
    actor: Agent, brand_id: int, scenario: Scenario | None = None, **fields: Any
) -> Scenario:
    """Create an authored scenario of the brand, or change one (supervisors+)."""
    permissions.check_manages_training(actor, brand_id)
    if scenario is not None and scenario.brand_id != brand_id:
        raise Forbidden(_("This belongs to a brand you do not work for."))
    clean = _clean_fields(fields, creating=scenario is None)
    if scenario is None:
        scenario = Scenario.objects.create(
            brand_id=brand_id, source=ScenarioSource.AUTHORED, created_by=actor, **clean
        )
        audit.record(
            action="training.scenario_created", obj=scenario, actor=actor, brand_id=brand_id
        )
        return scenario
    before = {k: getattr(scenario, k) for k in clean}
    for name, value in clean.items():
        setattr(scenario, name, value)
    scenario.save(update_fields=[*clean, "updated_at"])
    before_diff, after_diff = audit.diff(before, clean)
    if after_diff:
        audit.record(
            action="training.scenario_changed",
            obj=scenario,
            actor=actor,
            brand_id=brand_id,
            before=before_diff,
            after=after_diff,
        )
    return scenario


def scenarios_visible(agent: Agent) -> Q:
    """Every agent practises the scenarios of their brands (archived ones: supervisors+)."""
    return Q(brand_id__in=permissions.visible_brand_ids(agent), archived=False) | Q(
        brand_id__in=permissions.brands_with_role(agent, "supervisor")
    )


def brief(scenario: Scenario) -> simulator.Brief:
    return simulator.brief_of(
        opening=scenario.opening,
        facts=scenario.facts,
        mood=scenario.mood,
        language=scenario.language,
        expected_resolution=scenario.expected_resolution,
        key_points=scenario.key_points,
        policy_limits=scenario.policy_limits,
    )


# --- sessions ---------------------------------------------------------------------------------


def start_session(
    actor: Agent, scenario: Scenario, assignment: Assignment | None = None
) -> TrainingSession:
    """A role-play of ``scenario`` by ``actor``; the customer's opening message first."""
    permissions.check_brand(actor, scenario.brand_id)
    if scenario.archived and not permissions.has_role_in(actor, "supervisor", scenario.brand_id):
        raise NotFound(_("Not found."), field="scenario_id")
    if assignment is not None and (
        assignment.trainee_id != actor.pk or assignment.scenario_id != scenario.pk
    ):
        raise InvalidInput(
            _("This assignment is not yours for this scenario."), field="assignment_id"
        )
    b = brief(scenario)
    session = TrainingSession.objects.create(
        brand_id=scenario.brand_id,
        scenario=scenario,
        trainee=actor,
        assignment=assignment,
        state=simulator.State(mood=b.mood).to_dict(),
        provider="llm" if _provider() is not None else "rules",
    )
    TrainingMessage.objects.create(
        session=session,
        role=TrainingRole.CUSTOMER,
        body=scenario.opening,
        meta={"mood": b.mood, "intent": "opening"},
    )
    return session


def _provider() -> llm.ChatProvider | None:
    config = settings.CONFIG
    if not config.training_llm_url or not config.training_llm_model:
        return None
    return llm.ChatProvider(
        url=config.training_llm_url,
        model=config.training_llm_model,
        api_key=config.training_llm_key,
        timeout=config.training_llm_timeout,
    )


def _kb_texts(brand_id: int, language: str) -> list[str]:
    from wowdesk.knowledge.models import Article

    rows = (
        Article.objects.filter(brand_id=brand_id, status="published", internal=False)
        .filter(language__startswith=(language or "en")[:2])
        .order_by("id")
        .values_list("title", "body")[:MAX_KB_TEXTS]
    )
    return [f"{t}\n{b}" for t, b in rows]


def _check_own_active(actor: Agent, session: TrainingSession) -> None:
    if session.trainee_id != actor.pk:
        raise Forbidden(_("Only the trainee plays their session."))
    if session.status != SessionStatus.ACTIVE:
        raise Conflict(_("This session is finished."), field="status")


@dataclass
class PendingTurn:
    """A trainee's message and the customer's answer, worked out before anything is written
    (the LLM call, when configured, happens outside the request's transaction)."""

    session: TrainingSession
    body: str
    turns_before: int
    state: simulator.State
    trainee_meta: dict[str, Any]
    reply: str
    meta: dict[str, Any]


def prepare_turn(actor: Agent, session: TrainingSession, body: str) -> PendingTurn:
    """The simulated customer's answer to ``body`` (reads only; the LLM words it when set)."""
    _check_own_active(actor, session)
    body = (body or "").strip()
    if not body:
        raise InvalidInput(_("Write a message."), field="body")
    if len(body) > MAX_BODY:
        raise InvalidInput(_("At most %(n)s characters.") % {"n": MAX_BODY}, field="body")
    scenario = session.scenario
    b = brief(scenario)
    state = simulator.State.from_dict(session.state, b)
    if state.done:
        raise Conflict(
            _("The customer has closed this conversation: finish the session."), field="body"
        )
    index = simulator.grounding_index(b.facts, _kb_texts(session.brand_id, scenario.language))
    seed = zlib.crc32(f"{session.pk}".encode())
    turn = simulator.respond(b, state, body, seed=seed, index=index)
    meta: dict[str, Any] = {
        "mood": turn.state.mood,
        "intent": turn.intent,
        "done": turn.state.done,
        "provider": "rules",
    }
    reply = turn.reply
    provider = _provider()
    if provider is not None:
        history = [
            ("customer" if m.role == TrainingRole.CUSTOMER else "trainee", m.body)
            for m in session.messages.order_by("created_at", "id")
        ]
        history.append(("trainee", body))
        try:
            reply = provider.reply(simulator.system_prompt(b, turn.state), history)
            meta["provider"] = "llm"
        except llm.LLMError as exc:
            log.warning("training LLM failed, the rules answer: %s", exc)
            meta["llm_error"] = str(exc)
    return PendingTurn(
        session=session,
        body=body,
        turns_before=state.turns,
        state=turn.state,
        trainee_meta=turn.state.log[-1],
        reply=reply,
        meta=meta,
    )


def record_turn(pending: PendingTurn) -> TrainingMessage:
    """Store a prepared turn (in the caller's transaction); 409 when another turn came first."""
    session = pending.session
    current = (
        TrainingSession.objects.select_for_update()
        .filter(pk=session.pk)
        .values_list("state", "status")
        .first()
    )
    if (
        current is None
        or current[1] != SessionStatus.ACTIVE
        or int((current[0] or {}).get("turns", 0)) != pending.turns_before
    ):
        raise Conflict(_("Another message was sent meanwhile: try again."), field="body")
    TrainingMessage.objects.create(
        session=session, role=TrainingRole.TRAINEE, body=pending.body, meta=pending.trainee_meta
    )
    answer = TrainingMessage.objects.create(
        session=session, role=TrainingRole.CUSTOMER, body=pending.reply, meta=pending.meta
    )
    session.state = pending.state.to_dict()
    session.save(update_fields=["state"])
    return answer


def send_message(actor: Agent, session: TrainingSession, body: str) -> TrainingMessage:
    """The trainee's message and the simulated customer's answer (returned), in one step."""
    return record_turn(prepare_turn(actor, session, body))


def scorecard_weights(scorecard_id: int | None) -> dict[str, float] | None:
    """The weights of a quality scorecard by criterion key, or None (default weights). Read
    from the quality app's models when they exist; any other shape falls back."""
    if scorecard_id is None:
        return None
    try:
        from wowdesk.quality import models as quality_models

        card = quality_models.Scorecard.objects.filter(pk=scorecard_id).first()  # type: ignore[attr-defined]
    except Exception:  # the quality app's models are not there (yet)
        return None
    if card is None:
        return None
    criteria: Any = getattr(card, "criteria", None)
    weights: dict[str, float] = {}
    try:
        items = criteria.all() if hasattr(criteria, "all") else (criteria or [])
        for c in items:
            key = c.get("key") if isinstance(c, dict) else getattr(c, "key", None)
            weight = c.get("weight") if isinstance(c, dict) else getattr(c, "weight", None)
            if isinstance(key, str) and isinstance(weight, int | float):
                weights[key] = float(weight)
    except Exception:
        return None
    return weights or None


def finish_session(actor: Agent, session: TrainingSession) -> TrainingSession:
    """Score the session, store the feedback, and mark its assignment done."""
    _check_own_active(actor, session)
    scenario = session.scenario
    b = brief(scenario)
    state = simulator.State.from_dict(session.state, b)
    messages = list(
        session.messages.filter(role=TrainingRole.TRAINEE)
        .order_by("created_at", "id")
        .values_list("body", flat=True)
    )
    result = scoring.score(
        messages, state.log, b, state.outcome, scorecard_weights(scenario.scorecard_id)
    )
    now = timezone.now()
    session.score = result.total
    session.feedback = {
        k: {"score": round(c.score, 3), "spec": c.spec(), "feedback": i18n.render(c.spec(), None)}
        for k, c in result.criteria.items()
    }
    session.status = SessionStatus.FINISHED
    session.finished_at = now
    session.save(update_fields=["score", "feedback", "status", "finished_at"])
    if session.assignment_id is not None:
        Assignment.objects.filter(
            pk=session.assignment_id, status=AssignmentStatus.ASSIGNED
        ).update(status=AssignmentStatus.DONE, done_at=now)
    return session


def feedback_in(session: TrainingSession, language: str | None = None) -> dict[str, dict[str, Any]]:
    """The session's feedback per criterion, its sentences in ``language`` (the reader's)."""
    out = {}
    for key, item in (session.feedback or {}).items():
        spec = item.get("spec")
        text = (
            i18n.render_or(spec, item.get("feedback", ""), language)
            if spec
            else item.get("feedback", "")
        )
        out[key] = {"score": item.get("score", 0.0), "feedback": text}
    return out


def trainees_of(brand_ids: set[int]) -> set[int]:
    return set(Membership.objects.filter(brand_id__in=brand_ids).values_list("agent_id", flat=True))


__all__ = [
    "BadRequest",
    "create_scenario_from_conversation",
    "feedback_in",
    "finish_session",
    "save_scenario",
    "send_message",
    "start_session",
]
