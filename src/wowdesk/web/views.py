"""The start page: what this install holds and where to go next."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wowdesk.conversations.models import Conversation, Status
from wowdesk.core.models import Agent, Brand


def home(request: HttpRequest) -> HttpResponse:
    brands = Brand.objects.annotate(
        n_customers=Count("customers", distinct=True),
    ).order_by("name")
    by_status = dict(Conversation.objects.values_list("status").annotate(n=Count("id")).order_by())
    languages = list(
        Conversation.objects.exclude(language="")
        .values_list("language")
        .annotate(n=Count("id"))
        .order_by("-n")[:12]
    )
    context = {
        "brands": brands,
        "agents": Agent.objects.count(),
        "open": by_status.get(Status.OPEN, 0),
        "pending": by_status.get(Status.PENDING, 0),
        "resolved": by_status.get(Status.RESOLVED, 0),
        "total": sum(by_status.values()),
        "languages": languages,
    }
    return render(request, "web/home.html", context)
