"""A notification as a person reads it: its title in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wowdesk.core import i18n
from wowdesk.notifications.models import Kind, Notification

TARGETS = {
    "first_response": lambda: _("first response"),
    "next_response": lambda: _("next response"),
    "resolution": lambda: _("resolution"),
}


def title(n: Notification) -> str:
    p: dict[str, Any] = n.params or {}
    number = p.get("number", "")
    if n.kind == Kind.ASSIGNED:
        by = p.get("by")
        if by == "routing":
            return _("#%(number)s was routed to you") % {"number": number}
        if by == "rule":
            return _("An automation rule assigned #%(number)s to you") % {"number": number}
        if p.get("actor"):
            return _("%(actor)s assigned #%(number)s to you") % {
                "actor": p["actor"],
                "number": number,
            }
        return _("#%(number)s was assigned to you") % {"number": number}
    if n.kind == Kind.MENTIONED:
        return ngettext(
            "%(actor)s mentioned you in #%(number)s",
            "%(actor)s mentioned you %(count)d times in #%(number)s",
            n.count,
        ) % {"actor": p.get("actor") or _("Someone"), "number": number, "count": n.count}
    if n.kind == Kind.CUSTOMER_REPLIED:
        return ngettext(
            "The customer wrote on #%(number)s",
            "The customer wrote %(count)d messages on #%(number)s",
            n.count,
        ) % {"number": number, "count": n.count}
    if n.kind == Kind.SLA_WARNING:
        target = TARGETS.get(str(p.get("target", "")))
        return _("The %(target)s of #%(number)s is due soon") % {
            "target": target() if target else p.get("target", ""),
            "number": number,
        }
    if n.kind == Kind.APPROVAL_NEEDED:
        return _("Approval needed: %(what)s") % {"what": _what(p)}
    if n.kind == Kind.APPROVAL_DECIDED:
        by = p.get("by") or _("Someone")
        if p.get("decision") == "approved":
            return _("%(by)s approved %(what)s") % {"by": by, "what": _what(p)}
        return _("%(by)s declined %(what)s") % {"by": by, "what": _what(p)}
    if n.kind == Kind.ABUSE_REPORTED:
        return _("Abuse reported on #%(number)s: %(customer)s") % {
            "number": number,
            "customer": p.get("customer", ""),
        }
    if n.kind == Kind.FOLLOWUP_OVERDUE:
        if number:
            return _("A follow-up of #%(number)s is overdue") % {"number": number}
        return _("A follow-up is overdue")
    if n.kind == Kind.REVIEW_RECEIVED:
        who = {"actor": p.get("actor") or _("Someone"), "number": number}
        if p.get("what") == "reply":
            return _("%(actor)s replied to the review of #%(number)s") % who
        if p.get("what") == "answer":
            return _("%(actor)s answered on your review of #%(number)s") % who
        return _("%(actor)s shared a review of #%(number)s with you") % who
    if n.kind == Kind.TRAINING_ASSIGNED:
        return _("Training assigned: %(scenario)s") % {"scenario": p.get("scenario", "")}
    return str(n.kind)


def _what(p: dict[str, Any]) -> str:
    """What an approval is about, in the reader's language when the sender gave a text spec
    (``what_i18n``); the stored line otherwise."""
    return i18n.render_or(p.get("what_i18n"), str(p.get("what", ""))).strip()


def detail(n: Notification) -> str:
    """The second line: a mention's words, else the conversation's subject."""
    p: dict[str, Any] = n.params or {}
    return str(p.get("excerpt") or p.get("subject") or "")


def as_dict(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "kind": n.kind,
        "brand_id": n.brand_id,
        "conversation_id": n.conversation_id,
        "actor_id": n.actor_id,
        "title": title(n),
        "detail": detail(n),
        "count": n.count,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
        "read_at": n.read_at,
    }
