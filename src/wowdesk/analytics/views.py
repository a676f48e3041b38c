"""The report pages at ``/reports/``: the tabs (loyalty, service, channels and languages,
sites, agents and teams, survey comments), the drill-down to the conversations behind a
number, the exports of every table, and the report settings. Supervisors and
administrators; the numbers come from ``analytics.services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.analytics import export as export_rows
from wowdesk.analytics import report_filters, report_measures, report_settings, services, weekly
from wowdesk.analytics.report_filters import Filters
from wowdesk.analytics.report_measures import SURVEYS_TAB, TABS, M
from wowdesk.conversations.models import Inbox
from wowdesk.core import permissions
from wowdesk.core.errors import InvalidInput, ServiceError
from wowdesk.core.kinds import Channel
from wowdesk.core.models import Agent, Brand, Role, Site, Team
from wowdesk.surveys.models import SurveyKind, SurveyResponse
from wowdesk.web.auth import agent_required
from wowdesk.web.settings_nav import sections_for

PAGE_SIZE = 50
# the survey kinds by the names the report pages give their measures
KIND_LABELS = {k: M[k].label for k in SurveyKind.values}


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _status(exc: ServiceError) -> int:
    return exc.status if exc.status in (400, 403, 404) else 400


def _filters(request: HttpRequest, default_group: str) -> Filters:
    return report_filters.read(
        request.GET,
        default_group=default_group,
        viewer_tz=_me(request).timezone,
        now=timezone.now(),
    )


def _choices(agent: Agent) -> dict[str, Any]:
    """The filter menus: the brands whose reports the agent reads, and their sites, teams,
    agents and inboxes (one query each)."""
    brand_ids = sorted(permissions.report_brands(agent))
    return {
        "brands": list(Brand.objects.filter(pk__in=brand_ids).order_by("name")),
        "sites": list(Site.objects.filter(brands__in=brand_ids).distinct().order_by("name")),
        # teams and inboxes of two brands often share a name: the menus say whose
        "teams": list(
            Team.objects.filter(brand_id__in=brand_ids).select_related("brand").order_by("name")
        ),
        "agents": list(
            Agent.objects.filter(memberships__brand_id__in=brand_ids)
            .distinct()
            .order_by("display_name")
        ),
        "inboxes": list(
            Inbox.objects.filter(brand_id__in=brand_ids).select_related("brand").order_by("name")
        ),
        "channels": Channel.choices,
        "presets": list(report_filters.PRESETS.items()),
    }


def report_tabs(current: str, filters: Filters | None) -> list[dict[str, Any]]:
    """The reports' tabs (the topics page shows them too), ``current`` marked."""
    query = "?" + urlencode(filters.params(group_by=None)) if filters else ""
    tabs = [
        {"key": t.key, "label": t.label, "query": query, "current": t.key == current}
        for t in TABS.values()
    ]
    tabs.append(
        {
            "key": SURVEYS_TAB,
            "label": _("Surveys"),
            "query": query,
            "current": current == SURVEYS_TAB,
        }
    )
    return tabs


def _check_brand(agent: Agent, filters: Filters) -> None:
    brand_id = filters.ids.get("brand")
    if brand_id is not None:
        permissions.check_sees_reports(agent, brand_id)
    elif not permissions.report_brands(agent):
        permissions.require_role(agent, Role.SUPERVISOR)


@agent_required(Role.SUPERVISOR)
def index(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    tab_key = request.GET.get("tab") or "loyalty"
    if tab_key == SURVEYS_TAB:
        return _surveys(request)
    tab = TABS.get(tab_key)
    if tab is None:
        tab = TABS["loyalty"]
    context: dict[str, Any] = {"tab": tab, **_choices(agent)}
    status = 200
    try:
        filters = _filters(request, tab.group_by)
        _check_brand(agent, filters)
        result = services.metrics(agent, filters.query())
    except ServiceError as exc:
        status = _status(exc)
        context.update(error=exc.message, tabs=report_tabs(tab.key, None))
        return render(request, "analytics/reports.html", context, status=status)
    base = filters.params(tab=tab.key)
    rows = []
    links_by_group: list[dict[str, str]] = []
    for g in result.get("groups") or []:
        prev = g.get("previous")
        key = "" if g.get("key") is None else str(g.get("key"))
        drills = {k: _drill_url(filters, M[k].drill, key) for k in tab.columns if M[k].drill}
        links_by_group.append(drills)
        rows.append(
            {
                "key": key,
                "label": g.get("label") or key,
                "cells": [
                    {**report_measures.cell(g, k, prev), "url": drills.get(k, "")}
                    for k in tab.columns
                ],
            }
        )
    totals = result.get("totals") or {}
    prev_totals = (result.get("previous") or {}).get("totals") or None
    total_cells = [
        {
            **report_measures.cell(totals, k, prev_totals),
            "url": _drill_url(filters, M[k].drill, None),
        }
        if M[k].drill
        else report_measures.cell(totals, k, prev_totals)
        for k in tab.columns
    ]
    charts = []
    for i, keys in enumerate(tab.charts):
        links = [d.get(keys[0], "") for d in links_by_group]
        data = report_measures.chart(result, keys, tab.chart_type, links)
        table = [
            [{"text": label, "url": links[j] if j < len(links) else ""}]
            + [ds["data"][j] for ds in data["datasets"]]
            for j, label in enumerate(data["labels"])
        ]
        charts.append(
            {
                "id": f"chart-{tab.key}-{i}",
                "title": " · ".join(str(M[k].label) for k in keys),
                "data": data,
                "rows": table,
            }
        )
    context.update(
        filters=filters,
        tabs=report_tabs(tab.key, filters),
        columns=[M[k] for k in tab.columns],
        rows=rows,
        totals=total_cells,
        previous_from=filters.date_from
        - (filters.date_to - filters.date_from)
        - dt.timedelta(days=1),
        previous_to=filters.date_from - dt.timedelta(days=1),
        charts=charts,
        export_csv="?" + urlencode({**base, "format": "csv"}),
        export_json="?" + urlencode({**base, "format": "json"}),
        export_conversations="?" + urlencode({**base, "format": "csv", "table": "conversations"}),
        groupings=_groupings(tab.key),
        coaching=tab.key == "agents",
    )
    return render(request, "analytics/reports.html", context, status=status)


def _groupings(tab: str) -> list[tuple[str, str]]:
    labels = {
        "day": _("Day"),
        "week": _("Week"),
        "month": _("Month"),
        "brand": _("Brand"),
        "site": _("Site"),
        "team": _("Team"),
        "agent": _("Agent"),
        "channel": _("Channel"),
        "language": _("Language"),
        "inbox": _("Inbox"),
        "tag": _("Tag"),
        "product": _("Product"),
        "intent": _("Intent"),
    }
    return list(labels.items())


def _drill_url(filters: Filters, measure: str, group_key: str | None) -> str:
    """The drill-down of a number: of a row (``group_key``, "" for the "not set" row) or of
    the totals (None)."""
    if not measure:
        return ""
    params = filters.params(measure=measure)
    if group_key is not None:
        params["key"] = group_key
    return reverse("reports:drill") + "?" + urlencode(params)


@agent_required(Role.SUPERVISOR)
def drill(request: HttpRequest) -> HttpResponse:
    """The conversations behind a number, paged, each a link into the inbox."""
    agent = _me(request)
    measure = request.GET.get("measure", "")
    context: dict[str, Any] = {"tabs": report_tabs("", None), "measure": measure}
    try:
        filters = _filters(request, "day")
        _check_brand(agent, filters)
        if not measure or len(measure) > 64:
            raise InvalidInput(_("Say which number (measure)."), field="measure")
        query = filters.query()
        if "key" in request.GET:
            query["key"] = request.GET["key"]
        conversations = services.drill(agent, query, measure).select_related(
            "customer", "assignee", "brand"
        )
    except ServiceError as exc:
        context["error"] = exc.message
        return render(request, "analytics/drill.html", context, status=_status(exc))
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
    label = next((m.label for m in M.values() if m.drill == measure), measure)
    context.update(
        filters=filters,
        group_key=request.GET.get("key"),
        page=page,
        measure_label=label,
        # the grouping and the filters in the reader's language ("week", "agent" are codes)
        group_label=dict(_groupings("")).get(filters.group_by, filters.group_by),
        filter_labels=[
            (dict(_groupings("")).get(k, k), v)
            for k, v in [*filters.ids.items(), *filters.texts.items()]
        ],
        back=reverse("reports:index")
        + "?"
        + urlencode(filters.params(tab=request.GET.get("tab", "loyalty"))),
        page_query=urlencode({k: v for k, v in request.GET.items() if k != "page"}),
    )
    return render(request, "analytics/drill.html", context)


def _survey_responses(agent: Agent, request: HttpRequest, filters: Filters) -> Any:
    brands = permissions.report_brands(agent)
    qs = SurveyResponse.objects.filter(
        brand_id__in=brands,
        answered_at__date__gte=filters.date_from,
        answered_at__date__lte=filters.date_to,
    )
    for k in ("brand", "site", "team", "agent", "inbox"):
        if k in filters.ids:
            qs = qs.filter(**{f"{k}_id": filters.ids[k]})
    for k in ("channel", "language", "intent"):
        if k in filters.texts:
            qs = qs.filter(**{k: filters.texts[k]})
    kind = request.GET.get("kind", "")
    if kind in SurveyKind.values:
        qs = qs.filter(kind=kind)
    score = request.GET.get("score", "")
    if score.lstrip("-").isdigit():
        qs = qs.filter(score=int(score))
    if request.GET.get("with_comment", "1") == "1":
        qs = qs.exclude(comment="")
    return qs.order_by("-answered_at", "-pk")


def _surveys(request: HttpRequest) -> HttpResponse:
    agent = _me(request)
    context: dict[str, Any] = {**_choices(agent), "surveys_tab": True}
    try:
        with timezone.override(_me(request).timezone or "UTC"):
            filters = _filters(request, "day")
        _check_brand(agent, filters)
    except ServiceError as exc:
        context.update(error=exc.message, tabs=report_tabs(SURVEYS_TAB, None))
        return render(request, "analytics/surveys.html", context, status=_status(exc))
    qs = _survey_responses(agent, request, filters).select_related("agent", "conversation", "brand")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    extra = {
        "kind": request.GET.get("kind", ""),
        "score": request.GET.get("score", ""),
        "with_comment": request.GET.get("with_comment", "1"),
    }
    base = {**filters.params(tab=SURVEYS_TAB), **extra}
    context.update(
        filters=filters,
        tabs=report_tabs(SURVEYS_TAB, filters),
        page=page,
        kinds=KIND_LABELS.items(),
        extra=extra,
        scores=range(0, 11),
        page_query=urlencode(base),
        export_csv="?" + urlencode({**base, "format": "csv"}),
        export_json="?" + urlencode({**base, "format": "json"}),
    )
    return render(request, "analytics/surveys.html", context)


# --- exports ----------------------------------------------------------------------------


def _stream(
    fmt: str, columns: Sequence[str], data: Iterable[Sequence[Any]], name: str
) -> StreamingHttpResponse:
    """The rows as they are read, through the API export's streaming functions."""
    if fmt == "json":
        body = export_rows.stream_json(columns, data)
        response = StreamingHttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        body = export_rows.stream_csv(columns, data)
        response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@agent_required(Role.SUPERVISOR)
def export(request: HttpRequest) -> HttpResponseBase:
    """Every row behind a page's table, as CSV or JSON, with the page's filters:
    ``table=groups`` (the tab's grouped measures, the default), ``conversations`` (the
    conversations of the period), or the survey tab's answers."""
    agent = _me(request)
    fmt = request.GET.get("format", "csv")
    tab_key = request.GET.get("tab") or "loyalty"
    table = request.GET.get("table") or "groups"
    try:
        if fmt not in export_rows.FORMATS:
            raise InvalidInput(_("The format is csv or json."), field="format")
        tab = TABS.get(tab_key) or TABS["loyalty"]
        filters = _filters(request, tab.group_by if tab_key != SURVEYS_TAB else "day")
        _check_brand(agent, filters)
        name = f"wowdesk-{tab_key}-{filters.date_from}-{filters.date_to}"
        if tab_key == SURVEYS_TAB:
            qs = _survey_responses(agent, request, filters).values_list(
                *export_rows.RESPONSE_COLUMNS
            )
            return _stream(fmt, export_rows.RESPONSE_COLUMNS, qs.iterator(chunk_size=2000), name)
        query = services.parse_query(agent, filters.query())
        columns, data = export_rows.rows(agent, query, table)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=_status(exc), content_type="text/plain")
    return _stream(fmt, columns, data, f"{name}-{table}")


# --- settings -----------------------------------------------------------------------------


@agent_required(Role.ADMIN)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The brand's report settings: FCR window, who gets the weekly report, when; send a
    test report now."""
    agent = _me(request)
    managed = sorted(permissions.brands_with_role(agent, Role.ADMIN))
    raw = request.GET.get("brand") or request.POST.get("brand") or ""
    brand_id = int(raw) if raw.isdigit() else (managed[0] if managed else 0)
    status = 200
    error = ""
    try:
        permissions.check_manages_surveys(agent, brand_id)
    except ServiceError as exc:
        return render(request, "web/forbidden.html", {"reason": exc.message}, status=_status(exc))
    if request.method == "POST":
        if request.POST.get("action") == "test":
            sent = weekly.send_report(brand_id, to_agents=[agent], to_emails=[], test=True)
            if sent:
                flash.success(request, _("A test report went to %(e)s.") % {"e": agent.email})
            else:
                # say where it failed: without a relay a new install cannot send mail
                relay = f"{django_settings.EMAIL_HOST}:{django_settings.EMAIL_PORT}"
                flash.error(
                    request,
                    _(
                        "The test report could not be sent: the mail server %(relay)s did not "
                        "accept it (the server's log has the details)."
                    )
                    % {"relay": relay},
                )
            return redirect(f"{request.path}?brand={brand_id}")
        data = {
            "fcr_days": request.POST.get("fcr_days", ""),
            "weekly_weekday": request.POST.get("weekly_weekday", ""),
            "weekly_hour": request.POST.get("weekly_hour", ""),
            "weekly_emails": request.POST.get("weekly_emails", ""),
            "weekly_recipients": request.POST.getlist("weekly_recipients"),
        }
        try:
            report_settings.do_update_settings(agent, brand_id, data)
        except ServiceError as exc:
            status, error = _status(exc), exc.message
        else:
            flash.success(request, _("Saved."))
            return redirect(f"{request.path}?brand={brand_id}")
    rs = report_settings.settings_of(brand_id)
    context = {
        "settings_sections": sections_for(agent),
        "settings_section": "reports",
        "rs": rs,
        "chosen": {a.pk for a in rs.weekly_recipients.all()},
        "people": report_settings.recipient_choices(brand_id),
        "brands": Brand.objects.filter(pk__in=managed).order_by("name"),
        "brand_id": brand_id,
        "weekdays": weekly.weekday_names(),
        "hours": range(24),
        "error": error,
        "form": request.POST if request.method == "POST" else None,
    }
    return render(request, "analytics/settings.html", context, status=status)
