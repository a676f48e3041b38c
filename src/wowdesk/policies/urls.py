"""Pages of the policies app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.policies import abuse_views

app_name = "policies"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", _frame, name="settings"),
    path("approvals/", _frame, name="approvals"),
    path("abuse/", abuse_views.abuse_page, name="abuse"),
    path("abuse/<int:pk>/decide/", abuse_views.abuse_decide, name="abuse-decide"),
    path("abuse/customers/<int:pk>/lift/", abuse_views.abuse_lift, name="abuse-lift"),
    path("abuse/c/<int:pk>/panel/", abuse_views.abuse_panel, name="abuse-panel"),
    path("abuse/c/<int:pk>/report/", abuse_views.abuse_report, name="abuse-report"),
    path("costs/", _frame, name="costs"),
]
