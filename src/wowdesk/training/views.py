"""The training pages.

* ``/training/`` (every agent): my assignments, the scenario library (filtered), my past
  sessions with their scores.
* ``/training/sessions/<id>/``: the role-play (the trainee plays; supervisors of the brand
  read it). The page talks to ``say/`` and ``finish/`` with fetch (JSON), without reloading.
* ``/training/scenarios/`` (library for everyone; supervisors author, edit, archive) and
  ``/training/scenarios/<id>/`` (the scenario, anonymised, for review before trainees get
  it); ``/training/from-conversation/<id>/`` (the side panel's "Make a training scenario").
* ``/training/team/`` (supervisors): assign a scenario, progress per trainee with a chart.
* ``/training/culture/`` (settings, supervisors): the brand's culture cards.

The scenarios and sessions are written by ``training/services.py``, assignments by
``assignment_services.py``, culture cards by ``culture_services.py``; these views parse and
call them.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages as flash
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, InvalidInput, NotFound, ServiceError
from wowdesk.core.input import BadInput, check_date, check_int, check_line
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.training import assignment_services, authoring, culture_services, culture_texts
from wowdesk.training.models import (
    Assignment,
    AssignmentStatus,
    CultureCard,
    Difficulty,
    Mood,
    Scenario,
    SessionStatus,
    TrainingRole,
    TrainingSession,
)
from wowdesk.web.auth import agent_required
from wowdesk.web.settings_nav import sections_for

PAGE_SIZE = 50
RTL = frozenset({"ar", "he", "fa", "ur"})
#: The simulated customer's mood levels (0 calm … 4 furious), as the page names them.
MOOD_LEVELS = (
    gettext_lazy("calm"),
    gettext_lazy("worried"),
    gettext_lazy("frustrated"),
    gettext_lazy("angry"),
    gettext_lazy("furious"),
)
CRITERIA = {
    "empathy": gettext_lazy("Empathy"),
    "accuracy": gettext_lazy("Accuracy"),
    "resolution": gettext_lazy("Resolution"),
    "clarity": gettext_lazy("Clarity"),
    "policy": gettext_lazy("Policy"),
}
FILTERS = ("product", "market", "mood", "difficulty")


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _int(request: HttpRequest, name: str, source: Any = None) -> int | None:
    raw = (source if source is not None else request.GET).get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


def _refuse(exc: ServiceError) -> HttpResponse:
    return HttpResponse(exc.message, status=_status(exc), content_type="text/plain")


def mood_label(level: Any) -> str:
    try:
        n = max(0, min(len(MOOD_LEVELS) - 1, int(level)))
    except (TypeError, ValueError):
        n = 2
    return str(MOOD_LEVELS[n])


def is_rtl(language: str) -> bool:
    return culture_texts.norm_language(language) in RTL


def _visible_scenarios(me: Agent) -> Any:
    from wowdesk.training import services as sim

    return Scenario.objects.filter(sim.scenarios_visible(me))


def _scenario(me: Agent, pk: int) -> Scenario:
    found = _visible_scenarios(me).filter(pk=pk).first()
    if found is None:
        brand_id = Scenario.objects.filter(pk=pk).values_list("brand_id", flat=True).first()
        if brand_id is not None and brand_id not in permissions.visible_brand_ids(me):
            raise Forbidden(_("This belongs to a brand you do not work for."))
        raise NotFound(_("Not found."), field="id")  # none, or archived (supervisors only)
    return found


# --- the trainee's home -----------------------------------------------------------------------


@require_GET
@agent_required()
def index(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    library = _visible_scenarios(me).filter(archived=False)
    chosen: dict[str, str] = {}
    for name in FILTERS:
        value = request.GET.get(name, "").strip()[:200]
        if value:
            chosen[name] = value
            library = library.filter(**{name: value})
    page = max(_int(request, "page") or 1, 1)
    start = (page - 1) * PAGE_SIZE
    scenarios = list(library.order_by("-created_at", "-id")[start : start + PAGE_SIZE + 1])
    facets = _visible_scenarios(me).filter(archived=False)
    assignments = list(
        assignment_services.assignments_for(
            me, trainee_id=me.pk, status=AssignmentStatus.ASSIGNED
        ).order_by("due_on", "-created_at")[:PAGE_SIZE]
    )
    sessions = list(
        TrainingSession.objects.filter(
            trainee_id=me.pk, brand_id__in=permissions.visible_brand_ids(me)
        )
        .select_related("scenario")
        .order_by("-started_at", "-id")[:PAGE_SIZE]
    )
    context: dict[str, Any] = {
        "assignments": assignments,
        "today": timezone.localdate(),
        "scenarios": scenarios[:PAGE_SIZE],
        "page": page,
        "has_next": len(scenarios) > PAGE_SIZE,
        "chosen": chosen,
        "products": sorted(
            {p for p in facets.exclude(product="").values_list("product", flat=True)[:500]}
        ),
        "markets": sorted(
            {m for m in facets.exclude(market="").values_list("market", flat=True)[:500]}
        ),
        "moods": Mood.choices,
        "difficulties": Difficulty.choices,
        "sessions": sessions,
        "manages": bool(permissions.brands_with_role(me, Role.SUPERVISOR)),
    }
    return render(request, "training/index.html", context)


@require_POST
@agent_required()
def practise(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """Start a role-play of the scenario (of an assignment of mine, if named)."""
    from wowdesk.training import services as sim

    me = _me(request)
    try:
        with transaction.atomic():
            scenario = _scenario(me, scenario_id)
            assignment = None
            assignment_id = _int(request, "assignment", request.POST)
            if assignment_id is not None:
                assignment = Assignment.objects.filter(pk=assignment_id, trainee_id=me.pk).first()
                if assignment is None:
                    raise NotFound(_("No such assignment."), field="assignment")
            session = sim.start_session(me, scenario, assignment)
    except ServiceError as exc:
        return _refuse(exc)
    return redirect("training:session", pk=session.pk)


# --- the role-play ----------------------------------------------------------------------------


def _session(me: Agent, pk: int) -> TrainingSession:
    found = (
        TrainingSession.objects.filter(permissions.training_sessions_visible(me))
        .filter(pk=pk)
        .select_related("scenario", "trainee")
        .first()
    )
    if found is None:
        if TrainingSession.objects.filter(pk=pk).exists():
            raise Forbidden(_("This session is not yours."))
        raise NotFound(_("Not found."), field="id")
    return found


def _feedback(session: TrainingSession) -> list[dict[str, Any]]:
    from wowdesk.training import services as sim

    out = []
    for key, item in sim.feedback_in(session, get_language()).items():
        score = float(item.get("score") or 0.0)
        out.append(
            {
                "key": key,
                "label": str(CRITERIA.get(key, key)),
                "score": round(score * 100),
                "feedback": item.get("feedback", ""),
            }
        )
    return out


def _finished_payload(session: TrainingSession) -> dict[str, Any]:
    return {
        "score": round(session.score) if session.score is not None else None,
        "feedback": _feedback(session),
        "expected_resolution": session.scenario.expected_resolution,
        "key_points": list(session.scenario.key_points or []),
    }


@require_GET
@agent_required()
def session(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    try:
        found = _session(me, pk)
    except ServiceError as exc:
        return _refuse(exc)
    rows = list(found.messages.order_by("created_at", "id"))
    last_mood = next(
        (m.meta.get("mood") for m in reversed(rows) if m.role == TrainingRole.CUSTOMER), None
    )
    scenario = found.scenario
    context: dict[str, Any] = {
        "s": found,
        "scenario": scenario,
        "messages_": [
            {
                "role": m.role,
                "body": m.body,
                "mood": mood_label(m.meta.get("mood")) if m.role == TrainingRole.CUSTOMER else "",
            }
            for m in rows
        ],
        "mine": found.trainee_id == me.pk,
        "active": found.status == SessionStatus.ACTIVE,
        "done": bool((found.state or {}).get("outcome")),
        "mood": mood_label(last_mood),
        "rtl": is_rtl(scenario.language),
        "result": _finished_payload(found) if found.status == SessionStatus.FINISHED else None,
    }
    return render(request, "training/session.html", context)


@require_POST
@agent_required()
def session_say(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainee's message → the simulated customer's answer (JSON)."""
    from wowdesk.training import services as sim

    me = _me(request)
    try:
        found = _session(me, pk)
        # the answer is prepared outside any transaction (an LLM may word it), then stored
        pending = sim.prepare_turn(me, found, request.POST.get("body", ""))
        with transaction.atomic():
            answer = sim.record_turn(pending)
    except ServiceError as exc:
        return JsonResponse(
            {"detail": exc.message, "field": exc.field or "body"}, status=_status(exc)
        )
    return JsonResponse(
        {
            "body": answer.body,
            "mood": answer.meta.get("mood"),
            "mood_label": mood_label(answer.meta.get("mood")),
            "done": bool(answer.meta.get("done")),
        }
    )


@require_POST
@agent_required()
def session_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the session (JSON): the score, feedback per criterion, the expected resolution."""
    from wowdesk.training import services as sim

    me = _me(request)
    try:
        with transaction.atomic():
            found = sim.finish_session(me, _session(me, pk))
    except ServiceError as exc:
        return JsonResponse({"detail": exc.message, "field": exc.field}, status=_status(exc))
    return JsonResponse(_finished_payload(found))


# --- the scenario library and authoring ------------------------------------------------------


def _form_fields(request: HttpRequest) -> dict[str, Any]:
    """The authoring form's fields as the service takes them."""
    post = request.POST
    keys, values = post.getlist("fact_key"), post.getlist("fact_value")
    facts: dict[str, str] = {}
    for i, (k, v) in enumerate(zip(keys, values, strict=False)):
        k, v = k.strip(), v.strip()
        if not k and not v:
            continue
        if not k:
            raise InvalidInput(_("Name the fact."), field=f"facts.{i}")
        check_line(k, f"facts.{i}", max_length=80)
        facts[k] = v[:1000]
    try:
        limits = authoring.parse_limits(post.get("policy_limits", ""))
    except authoring.BadLine as bad:
        raise InvalidInput(
            _("Write an action, then a number and a currency or unit."),
            field=f"policy_limits.{bad.index}",
        ) from None
    fields: dict[str, Any] = {
        "title": post.get("title", "").strip(),
        "product": post.get("product", "").strip(),
        "market": post.get("market", "").strip().upper()[:64],
        "language": post.get("language", "").strip().lower()[:16] or "en",
        "mood": post.get("mood", Mood.FRUSTRATED),
        "difficulty": post.get("difficulty", Difficulty.MEDIUM),
        "opening": post.get("opening", "").strip(),
        "facts": facts,
        "expected_resolution": post.get("expected_resolution", "").strip(),
        "key_points": authoring.lines(post.get("key_points", "")),
        "policy_limits": limits,
    }
    check_line(fields["title"], "title", max_length=200)
    check_line(fields["product"], "product", max_length=200)
    return fields


@require_GET
@agent_required()
def scenarios(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    managed = sorted(permissions.brands_with_role(me, Role.SUPERVISOR))
    rows = _visible_scenarios(me)
    show_archived = request.GET.get("archived") == "1" and bool(managed)
    rows = rows.filter(archived=show_archived)
    page = max(_int(request, "page") or 1, 1)
    start = (page - 1) * PAGE_SIZE
    found = list(
        rows.select_related("brand").order_by("-created_at", "-id")[start : start + PAGE_SIZE + 1]
    )
    editing = None
    edit_id = _int(request, "edit")
    if edit_id is not None and managed:
        editing = Scenario.objects.filter(pk=edit_id, brand_id__in=managed).first()
    context: dict[str, Any] = {
        "scenarios": found[:PAGE_SIZE],
        "page": page,
        "has_next": len(found) > PAGE_SIZE,
        "show_archived": show_archived,
        "managed": managed,
        "brands": list(Brand.objects.filter(pk__in=managed).order_by("name")) if managed else [],
        "editing": editing,
        "facts": list((editing.facts or {}).items()) if editing else [],
        "limits_text": "\n".join(
            _limit_line(x) for x in (editing.policy_limits if editing else [])
        ),
        "key_points_text": "\n".join(editing.key_points or []) if editing else "",
        "moods": Mood.choices,
        "difficulties": Difficulty.choices,
    }
    return render(request, "training/scenarios.html", context)


def _limit_line(item: dict[str, Any]) -> str:
    return authoring.limit_line(item)


# The facts a scenario made from a conversation names (scenario_build); authored ones are
# shown as their author named them.
_FACT_WORDS = {
    "problem": gettext_lazy("Problem"),
    "product": gettext_lazy("Product"),
    "order": gettext_lazy("Order"),
    "details": gettext_lazy("Details"),
    "customer_name": gettext_lazy("Customer's name"),
}


def _limit_shown(item: dict[str, Any]) -> str:
    """A policy limit for reading: the action's words in the reader's language, then the
    limit ("Goodwill credit 25 EUR"), not the slug the form takes."""
    from wowdesk.policies.ui_queries import action_label

    action = str(item.get("action", ""))
    rest = authoring.limit_line({**item, "action": ""}).strip()
    return f"{action_label(action)} {rest}".strip()


@require_GET
@agent_required()
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    try:
        scenario = _scenario(me, pk)
    except ServiceError as exc:
        return _refuse(exc)
    manages = permissions.has_role_in(me, Role.SUPERVISOR, scenario.brand_id)
    context: dict[str, Any] = {
        "scenario": scenario,
        "manages": manages,
        "limits": [_limit_shown(x) for x in scenario.policy_limits or []],
        "facts": [(str(_FACT_WORDS.get(k, k)), v) for k, v in (scenario.facts or {}).items()],
        "rtl": is_rtl(scenario.language),
    }
    return render(request, "training/scenario.html", context)


@require_POST
@agent_required(Role.SUPERVISOR)
def scenario_save(request: HttpRequest) -> HttpResponse:
    """Create an authored scenario, or change one (``id``)."""
    from wowdesk.training import services as sim

    me = _me(request)
    try:
        with transaction.atomic():
            fields = _form_fields(request)
            pk = _int(request, "id", request.POST)
            if pk is not None:
                scenario = permissions.get_for_agent(Scenario.objects.all(), me, pk)
                saved = sim.save_scenario(me, scenario.brand_id, scenario, **fields)
            else:
                brand_id = permissions.pick_brand(
                    me, _int(request, "brand", request.POST), role=Role.SUPERVISOR
                )
                saved = sim.save_scenario(me, brand_id, **fields)
    except ServiceError as exc:
        return _refuse(exc)
    flash.success(request, _("The scenario is saved."))
    return redirect("training:scenario", pk=saved.pk)


@require_POST
@agent_required(Role.SUPERVISOR)
def scenario_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a scenario (trainees no longer see it), or offer it to trainees again."""
    from wowdesk.training import services as sim

    me = _me(request)
    archived = request.POST.get("archived") == "1"
    try:
        with transaction.atomic():
            scenario = permissions.get_for_agent(Scenario.objects.all(), me, pk)
            sim.save_scenario(me, scenario.brand_id, scenario, archived=archived)
    except ServiceError as exc:
        return _refuse(exc)
    if archived:
        flash.success(request, _("The scenario is archived."))
    else:
        flash.success(request, _("Trainees can now practise this scenario."))
    return redirect("training:scenario", pk=pk)


@require_POST
@agent_required(Role.SUPERVISOR)
def from_conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The side panel's "Make a training scenario": an anonymised scenario, kept from
    trainees (archived) until a supervisor has read it and offers it."""
    from wowdesk.training import services as sim

    me = _me(request)
    try:
        with transaction.atomic():
            conversation = permissions.get_for_agent(
                Conversation.objects.select_related("customer"), me, conversation_id
            )
            scenario = sim.create_scenario_from_conversation(me, conversation)
            sim.save_scenario(me, scenario.brand_id, scenario, archived=True)
    except ServiceError as exc:
        return _refuse(exc)
    flash.success(
        request,
        _(
            "The scenario is made. Read it: no personal data should be left; "
            "then offer it to trainees."
        ),
    )
    return redirect("training:scenario", pk=scenario.pk)


# --- the team page ----------------------------------------------------------------------------


def _team_brand(request: HttpRequest, me: Agent) -> int | None:
    managed = permissions.brands_with_role(me, Role.SUPERVISOR)
    asked = _int(request, "brand", request.POST if request.method == "POST" else None)
    if asked is not None and asked in managed:
        return asked
    return min(managed) if managed else None


@require_GET
@agent_required(Role.SUPERVISOR)
def team(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    brand_id = _team_brand(request, me)
    if brand_id is None:
        return HttpResponse(_("You manage training in no brand."), status=403)
    team_id = _int(request, "team")
    try:
        rows = assignment_services.progress(me, brand_id, team_id=team_id)
    except ServiceError as exc:
        return _refuse(exc)
    managed = sorted(permissions.brands_with_role(me, Role.SUPERVISOR))
    agents = list(
        Agent.objects.filter(memberships__brand_id=brand_id, is_active=True)
        .order_by("display_name", "id")
        .values("pk", "display_name")[:500]
    )
    scenario_rows = list(
        Scenario.objects.filter(brand_id=brand_id, archived=False)
        .order_by("title", "id")
        .values("pk", "title", "difficulty")[:500]
    )
    recent = list(
        assignment_services.assignments_for(me, brand_id=brand_id).order_by("-created_at", "-id")[
            :PAGE_SIZE
        ]
    )
    labels = [p.name for p in rows]
    chart = {
        "type": "bar",
        "labels": labels,
        "datasets": [
            {
                "label": str(_("Average score")),
                "data": [p.average for p in rows],
                "unit": "score",
            },
            {"label": str(_("Assignments done")), "data": [p.done for p in rows], "unit": "count"},
        ],
    }
    context: dict[str, Any] = {
        "brand_id": brand_id,
        "brands": list(Brand.objects.filter(pk__in=managed).order_by("name")),
        "teams": list(
            Team.objects.filter(brand_id=brand_id).order_by("name").values("pk", "name")[:200]
        ),
        "team_id": team_id,
        "progress": rows,
        "difficulties": Difficulty.choices,
        "agents": agents,
        "scenarios": scenario_rows,
        "prefill_agent": _int(request, "agent"),
        "prefill_review": _int(request, "review"),
        "prefill_scenario": _int(request, "scenario"),
        "recent": recent,
        "chart": chart,
        "chart_json": json.dumps(chart),
    }
    return render(request, "training/team.html", context)


@require_POST
@agent_required(Role.SUPERVISOR)
def team_assign(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    post = request.POST
    try:
        with transaction.atomic():
            scenario_id = check_int(post.get("scenario", ""), "scenario", lo=1)
            trainees = [
                check_int(v, f"trainee_ids.{i}", lo=1)
                for i, v in enumerate(post.getlist("trainee"))
            ]
            due = None
            if post.get("due_on"):
                try:
                    due = check_date(dt.date.fromisoformat(post["due_on"][:10]), "due_on")
                except ValueError:
                    raise BadInput(_("A date, e.g. 2026-12-31."), "due_on") from None
            review = post.get("review", "")
            rows = assignment_services.assign(
                me,
                scenario_id=scenario_id,
                trainee_ids=trainees,
                due_on=due,
                note=post.get("note", ""),
                review_id=check_int(review, "review", lo=1) if review else None,
            )
    except ServiceError as exc:
        flash.error(request, exc.message)
        return redirect(reverse("training:team") + f"?brand={_team_brand(request, me) or ''}")
    flash.success(request, _("Assigned to %(n)d trainee(s).") % {"n": len(rows)})
    return redirect(reverse("training:team") + f"?brand={rows[0].brand_id}")


# --- culture cards (settings) -----------------------------------------------------------------


@require_GET
@agent_required(Role.SUPERVISOR)
def culture(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    brand_id = _team_brand(request, me)
    if brand_id is None:
        return HttpResponse(_("You manage training in no brand."), status=403)
    cards = list(
        CultureCard.objects.filter(brand_id=brand_id).order_by("country", "language", "id")[:500]
    )
    own = {c.country for c in cards if c.country}
    builtin = []
    for card in culture_texts.CARDS:
        title, lines = culture_texts.card_text(card, get_language())
        builtin.append(
            {
                "country": card.country,
                "title": title,
                "lines": lines,
                "overridden": card.country in own,
            }
        )
    editing = None
    edit_id = _int(request, "edit")
    if edit_id is not None:
        editing = next((c for c in cards if c.pk == edit_id), None)
    copy = request.GET.get("copy", "").upper()[:2]
    prefill = None
    if editing is None and copy in culture_texts.BY_COUNTRY:
        title, lines = culture_texts.card_text(culture_texts.BY_COUNTRY[copy], get_language())
        prefill = {"country": copy, "title": title, "body": "\n".join(lines)}
    context: dict[str, Any] = {
        "brand_id": brand_id,
        "brands": list(
            Brand.objects.filter(pk__in=permissions.brands_with_role(me, Role.SUPERVISOR)).order_by(
                "name"
            )
        ),
        "cards": cards,
        "builtin": builtin,
        "editing": editing,
        "prefill": prefill,
        "settings_sections": sections_for(me),
        "settings_section": "culture",
    }
    return render(request, "training/culture.html", context)


@require_POST
@agent_required(Role.SUPERVISOR)
def culture_save(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    post = request.POST
    values = {
        "country": post.get("country", ""),
        "language": post.get("language", ""),
        "title": post.get("title", ""),
        "body": post.get("body", ""),
        "enabled": post.get("enabled") == "1",
    }
    brand_id = _team_brand(request, me)
    try:
        with transaction.atomic():
            pk = _int(request, "id", post)
            if pk is not None:
                card = culture_services.update_card(me, pk, **values)
            else:
                if brand_id is None:
                    raise Forbidden(_("You manage training in no brand."))
                card = culture_services.create_card(me, brand_id, **values)
    except ServiceError as exc:
        if exc.status in (403, 404):
            return _refuse(exc)
        flash.error(request, f"{exc.field}: {exc.message}" if exc.field else exc.message)
        return redirect(reverse("training:culture") + f"?brand={brand_id or ''}")
    flash.success(request, _("The culture card is saved."))
    return redirect(reverse("training:culture") + f"?brand={card.brand_id}")


@require_POST
@agent_required(Role.SUPERVISOR)
def culture_delete(request: HttpRequest, pk: int) -> HttpResponse:
    me = _me(request)
    try:
        with transaction.atomic():
            card = culture_services.get_card(me, pk, manage=True)
            brand_id = card.brand_id
            culture_services.delete_card(me, pk)
    except ServiceError as exc:
        return _refuse(exc)
    flash.success(request, _("The culture card is deleted; the built-in one applies again."))
    return redirect(reverse("training:culture") + f"?brand={brand_id}")
