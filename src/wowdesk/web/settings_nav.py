"""The settings area's sections: one entry per page under ``/settings/``.

Each entry names its URL and the least role that opens it in some brand. The settings
index and the side navigation of every settings page are built from this list, for the
signed-in agent (``sections_for``), so a section appears only to those who may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wowdesk.core import permissions
from wowdesk.core.models import Agent, Role


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    url_name: str
    role: str
    description: str | Promise = ""
    # pages of this section whose URL lies outside its own (URL names)
    pages: tuple[str, ...] = ()


# Keep the order the sidebar shows. Add a section with one line here.
SECTIONS: list[Section] = [
    Section(
        "notifications",
        _("Notifications"),
        "web:notification-settings",
        Role.AGENT,
        _("What you hear about, on the desktop, with a sound"),
    ),
    Section(
        "agents", _("Agents"), "web:agents", Role.SUPERVISOR, _("Invite people, roles per brand")
    ),
    Section("teams", _("Teams"), "web:teams", Role.SUPERVISOR, _("Who works together")),
    Section("sites", _("Sites"), "web:sites", Role.SUPERVISOR, _("Opening hours and holidays")),
    Section(
        "sla", _("SLA policies"), "web:sla", Role.SUPERVISOR, _("Response and resolution targets")
    ),
    Section(
        "automations",
        _("Automation rules"),
        "web:automations",
        Role.ADMIN,
        _("When this happens, do that"),
    ),
    Section("inboxes", _("Inboxes"), "web:inboxes", Role.ADMIN, _("Email, voice, social")),
    Section("macros", _("Macros"), "web:macros", Role.SUPERVISOR, _("Canned replies")),
    Section(
        "knowledge",
        _("Knowledge base"),
        "knowledge:articles",
        Role.SUPERVISOR,
        _("Articles, translations, the help center"),
    ),
    Section(
        "knowledge-proposals",
        _("Proposed articles"),
        "knowledge:proposals",
        Role.SUPERVISOR,
        _("New answers from resolved conversations, agents' edits"),
    ),
    Section(
        "knowledge-reports",
        _("Knowledge reports"),
        "knowledge:reports",
        Role.SUPERVISOR,
        _("Searches with no result, articles that never help, the answer bot"),
    ),
    Section(
        "surveys",
        _("Surveys"),
        "surveys:settings",
        Role.ADMIN,
        _("CSAT, NPS and CES after a resolution; follow-up rules"),
    ),
    Section(
        "reports",
        _("Reports"),
        "reports:settings",
        Role.ADMIN,
        _("First-contact resolution window; the weekly report by email"),
    ),
    Section(
        "policies",
        _("Policies"),
        "policies:settings",
        Role.ADMIN,
        _("What agents may grant on the spot; approvals; abuse templates"),
    ),
    Section(
        "scorecards",
        _("Quality scorecards"),
        "quality:scorecards",
        Role.SUPERVISOR,
        _("Criteria and weights for reviews"),
    ),
    Section(
        "culture",
        _("Culture cards"),
        "training:culture",
        Role.SUPERVISOR,
        _("Guidance per country and language, shown beside the conversation"),
    ),
    Section("tags", _("Tags"), "web:tags", Role.SUPERVISOR, _("Rename and merge")),
    Section(
        "chat",
        _("Website chat widget"),
        "web:chat-inboxes",
        Role.ADMIN,
        _("The website chat"),
        pages=("web:inbox-widget",),
    ),
    Section(
        "custom-fields", _("Custom fields"), "web:custom-fields", Role.ADMIN, _("Your own fields")
    ),
    Section(
        "webhooks", _("Webhooks"), "web:webhooks", Role.ADMIN, _("Tell other systems what happens")
    ),
]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    description: str


def sections_for(agent: Agent) -> list[NavItem]:
    """The sections the agent may open (their role in some brand is at least the section's)."""
    items = []
    for s in SECTIONS:
        if not permissions.brands_with_role(agent, s.role):
            continue
        try:
            url = reverse(s.url_name)
        except NoReverseMatch:
            continue
        items.append(NavItem(s.key, str(s.label), url, str(s.description)))
    return items


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``settings_sections`` (lazily, for signed-in agents) and
    ``settings_section``, the key of the section whose URL the request is under."""
    agent = getattr(request, "agent", None)
    if agent is None or not request.path.startswith("/settings/"):
        return {}
    items = sections_for(agent)
    match = request.resolver_match
    page = match.view_name if match is not None else ""
    owner = next((s.key for s in SECTIONS if page in s.pages), None)
    if owner is not None and any(i.key == owner for i in items):
        return {"settings_sections": items, "settings_section": owner}
    current = max(
        (i for i in items if request.path.startswith(i.url)),
        key=lambda i: len(i.url),
        default=None,
    )
    return {"settings_sections": items, "settings_section": current.key if current else ""}
