"""Pages of the policies app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from wowdesk.policies import abuse_views, privacy_views, views
from wowdesk.policies.link_views import approve_link

app_name = "policies"


def _frame(request: HttpRequest, **kwargs: object) -> HttpResponse:  # the part replaces this
    return HttpResponse(status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/", views.settings_page, name="settings"),
    path("approvals/", views.approvals_page, name="approvals"),
    path("approvals/<int:pk>/decide/", views.decide, name="decide"),
    path("conversations/<int:pk>/grants/", views.conversation_grants, name="conversation-grants"),
    path(
        "conversations/<int:pk>/grants/<int:grant_id>/withdraw/",
        views.withdraw_grant,
        name="grant-withdraw",
    ),
    path("costs/", views.costs_page, name="costs"),
    path("approve/<str:token>/", approve_link, name="approve-link"),
    # a customer's personal data (administrators): docs/privacy.md
    path(
        "customers/<int:customer_id>/export/",
        privacy_views.export,
        name="customer_export",
    ),
    path("customers/<int:customer_id>/erase/", privacy_views.erase, name="customer_erase"),
    path("abuse/", abuse_views.abuse_page, name="abuse"),
    path("abuse/<int:pk>/decide/", abuse_views.abuse_decide, name="abuse-decide"),
    path("abuse/customers/<int:pk>/lift/", abuse_views.abuse_lift, name="abuse-lift"),
    path("abuse/c/<int:pk>/panel/", abuse_views.abuse_panel, name="abuse-panel"),
    path("abuse/c/<int:pk>/report/", abuse_views.abuse_report, name="abuse-report"),
]
