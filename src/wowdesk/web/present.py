"""What the workspace templates show, precomputed in Python.

Django's template engine spends ~20 µs on every variable it resolves through a model
(attribute lookups, lazy translations, ``get_FOO_display``, the ``date`` filter, ``{% url %}``),
which made 25 inbox rows or 40 messages cost tens of milliseconds. The views turn each row into
a plain dict of ready strings here, once per request: labels are translated once per page, URLs
come from one ``reverse`` each and times are formatted with a month-name table. The templates
(``_inbox_list.html``, ``_message.html``) then only read dict keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import filesizeformat, floatformat, linebreaksbr
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dates import MONTHS_3
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wowdesk.conversations.html import hold_remote_images
from wowdesk.conversations.models import Channel, Conversation, Direction, Message, Priority, Status
from wowdesk.core.i18n import render_or
from wowdesk.core.models import Agent
from wowdesk.intelligence.services import EMOTION_LABELS
from wowdesk.web import avatar


def isolated(text: str) -> SafeString:
    """``text`` escaped inside ``<bdi>``: a right-to-left name keeps its own direction and does
    not reorder the words around it (``Assigned to <bdi>…</bdi>``)."""
    return format_html("<bdi>{}</bdi>", text)


_ID = 987654321  # a placeholder in reversed URLs, replaced by each row's id


class Formats:
    """Per-request lookup tables: translated labels, month names and URL templates."""

    def __init__(self) -> None:
        self.months = {k: str(v).title() for k, v in MONTHS_3.items()}
        # "Nov 23, 18:24" in English; other languages use their locale's month-day format
        # ("11月23日 18:24"), formatted once per day shown.
        self.language = get_language() or "en"
        self.english = self.language.startswith("en")
        self.month_day = "" if self.english else str(get_format("MONTH_DAY_FORMAT"))
        self._days: dict[dt.date, str] = {}
        self.status = {k: str(v) for k, v in Status.choices}
        self.priority = {k: str(v) for k, v in Priority.choices}
        self.channel = {k: str(v) for k, v in Channel.choices}
        self.direction = {k: str(v) for k, v in Direction.choices}
        self.emotion = {k: str(v) for k, v in EMOTION_LABELS.items()}
        self.tz = timezone.get_current_timezone()
        self._urls: dict[str, str] = {}

    def url(self, name: str, *ids: int) -> str:
        """``reverse(name, args=ids)`` with one real ``reverse`` per name and arity."""
        key = f"{name}/{len(ids)}"
        pattern = self._urls.get(key)
        if pattern is None:
            pattern = reverse(name, args=[_ID + i for i in range(len(ids))])
            self._urls[key] = pattern
        out = pattern
        for i, value in enumerate(ids):
            out = out.replace(str(_ID + i), str(value), 1)
        return out

    def local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.tz) if timezone.is_aware(value) else value

    def short(self, value: dt.datetime) -> str:
        """``date:"M j, H:i"`` (English) or the locale's month and day, then ``H:i``, in the
        agent's time zone."""
        v = self.local(value)
        if self.english:
            return f"{self.months[v.month]} {v.day}, {v.hour:02d}:{v.minute:02d}"
        day = v.date()
        md = self._days.get(day)
        if md is None:
            md = self._days[day] = dateformat.format(day, self.month_day)
        return f"{md} {v.hour:02d}:{v.minute:02d}"

    def hm(self, value: dt.datetime) -> str:
        v = self.local(value)
        return f"{v.hour:02d}:{v.minute:02d}"

    def full(self, value: dt.datetime) -> str:
        """``date:"Y-m-d H:i T"``."""
        v = self.local(value)
        # like Django's "T": no name for a wall time that a DST change makes ambiguous
        other = v.replace(fold=1 - v.fold)
        name = "" if other.utcoffset() != v.utcoffset() else v.tzname() or ""
        return f"{v:%Y-%m-%d %H:%M} {name}"

    def iso(self, value: dt.datetime) -> str:
        return self.local(value).isoformat()


MOODS = {"angry": "neg", "frustrated": "neg", "satisfied": "pos", "delighted": "pos"}


def sla_clock(due: dt.datetime | None, now: dt.datetime) -> tuple[str, bool]:
    """("due in 25 min" / "overdue 2 h", overdue) for an SLA clock; ("", False) without one."""
    if due is None:
        return "", False
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    minutes = abs(seconds) // 60
    if minutes < 60:
        span = _("%(n)d min") % {"n": minutes}
    elif minutes < 48 * 60:
        span = _("%(n)d h") % {"n": minutes // 60}
    else:
        span = _("%(n)d d") % {"n": minutes // (24 * 60)}
    text = _("overdue %(span)s") if overdue else _("due in %(span)s")
    return text % {"span": span}, overdue


def conversation_rows(
    rows: Iterable[Conversation],
    f: Formats | None = None,
    *,
    seen: dict[int, dt.datetime] | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The inbox list's rows (``select_related`` customer, inbox, assignee, sla; annotated
    by ``web.inbox.row_annotations``). ``seen``: when the agent last opened each one (a row
    is unread when the customer wrote after that, or it was never opened)."""
    f = f or Formats()
    seen = seen or {}
    now = now or timezone.now()
    no_subject = _("(no subject)")
    out = []
    for c in rows:
        try:
            sla = c.sla
        except ObjectDoesNotExist:
            sla = None
        due = sla.due_at if sla is not None else None
        last_in = getattr(c, "last_in_at", None)
        opened = seen.get(c.pk)
        mood = getattr(c, "last_in_emotion", "") or ""
        clock, overdue = (
            sla_clock(due, now)
            if sla is not None and sla.state in ("ok", "warning", "breached")
            else ("", False)
        )
        customer = str(c.customer)
        out.append(
            {
                "pk": str(c.pk),
                "number": str(c.number),
                "url": f.url("web:conversation", c.pk),
                "subject": c.subject or no_subject,
                "customer": customer,
                "initials": avatar.initials(customer),
                "hue": avatar.hue(customer),
                "channel_code": c.inbox.channel,
                "channel": f.channel.get(c.inbox.channel, c.inbox.channel),
                "preview": " ".join((getattr(c, "preview", "") or "").split()),
                "preview_out": getattr(c, "preview_direction", "")
                in (Direction.OUT, Direction.NOTE),
                "unread": last_in is not None and (opened is None or last_in > opened),
                "mood": mood,
                "mood_label": f.emotion.get(mood, mood),
                "mood_class": MOODS.get(mood, "mid"),
                "sla_clock": clock,
                "sla_overdue": overdue,
                "language": c.language,
                "status": c.status,
                "status_label": f.status.get(c.status, c.status),
                "priority": c.priority,
                "priority_label": f.priority.get(c.priority, c.priority),
                "sla_state": sla.state if sla is not None and due is not None else "",
                "sla_due": f.hm(due) if due is not None else "",
                "delivery_issue": c.delivery_issue,
                "assignee": c.assignee.display_name if c.assignee_id and c.assignee else "",
                "updated_iso": f.iso(c.updated_at),
                "updated": f.short(c.updated_at),
            }
        )
    return out


def offer_translation(message_language: str, reader_language: str) -> bool:
    """Whether "Translate" is offered: the message's language is unknown, or a reader of
    ``reader_language`` (the agent's UI language, the translation's target) needs a
    translation for it. Regions do not count (``zh``/``zh-Hans``, ``en``/``en-GB``,
    ``pt``/``pt-BR`` are the same), the Chinese script does (``zh-Hant`` is not ``zh-Hans``)."""
    from wowdesk.intelligence.translation import known_source, same_language

    source = known_source(message_language)
    return source is None or not same_language(source, reader_language)


def message_labels() -> dict[str, str]:
    """The words ``_message.html`` repeats on every message, translated once."""
    return {
        "t_language": _("Language"),
        "t_emotion": _("Emotion"),
        "t_translate": _("Translate"),
        "t_remote_held": _(
            "Remote images are hidden: loading them can tell the sender that you read this."
        ),
        "t_remote_show": _("Show remote images"),
        "t_retry": _("Retry"),
        "t_delivery": _("Delivery"),
    }


def delivery(
    m: Message, conversation: Conversation, f: Formats, may_retry: bool = True
) -> dict[str, str] | None:
    """An outgoing message's delivery line (``select_related`` outbox), or None: queued,
    retrying (the reason and the next attempt in the viewer's zone), sent, failed (the
    reason, and a Retry button for a viewer who may retry it)."""
    if m.direction != Direction.OUT:
        return None
    try:
        row = m.outbox  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None
    from wowdesk.conversations import delivery

    state = row.state()
    why = delivery.reason(row.error_kind or delivery.UNKNOWN, row.channel)
    if state == "retrying":
        text = _("Retrying: %(reason)s. Next attempt at %(time)s.") % {
            "reason": why,
            "time": f.hm(row.next_attempt_at),
        }
    elif state == "failed":
        text = _("Not delivered: %(reason)s.") % {"reason": why}
    elif state == "sent":
        text = _("Delivered")
    else:
        text = _("Sending…")
    return {
        "state": state,
        "text": text,
        "detail": row.last_error if state in ("retrying", "failed") else "",
        "retry_url": f.url("web:retry", conversation.pk, m.pk)
        if state == "failed" and may_retry
        else "",
    }


def _bot_mark(m: Message) -> Any:
    if "bot" in m.__dict__:
        return m.__dict__["bot"]
    return (m.meta or {}).get("bot")


def message_rows(
    thread: Iterable[Message],
    conversation: Conversation,
    f: Formats | None = None,
    viewer: Agent | None = None,
) -> list[dict[str, Any]]:
    """The thread's messages (``select_related`` author, sender, outbox; attachments
    prefetched). ``viewer``: who looks, for the Retry button of an undelivered reply
    (``permissions.may_retry``); without one every failed reply has it."""
    from wowdesk.core.permissions import may_retry

    f = f or Formats()
    system = _("System")
    answer_bot = _("Answer bot")
    emotion_word = _("emotion")
    customer = str(conversation.customer)
    out = []
    for m in thread:
        author = m.author.display_name if m.author_id and m.author else ""
        # the answer bot's mark: annotated by the thread's query (the whole meta column is
        # not loaded), else read from meta
        bot = _bot_mark(m) if not m.author_id else None
        if m.direction == Direction.IN:
            who = str(m.sender) if m.sender_id and m.sender else customer
        else:
            who = author or (answer_bot if bot else system)
        emotion = m.emotion
        files = [
            {
                "url": f.url("web:attachment", conversation.pk, a.pk),
                "filename": a.filename,
                "size": filesizeformat(a.size),
            }
            for a in m.attachments.all()
        ]
        body_html, remote_images = hold_remote_images(m.html) if m.html else ("", 0)
        body = m.body
        if m.direction == Direction.ACTIVITY:
            # in the reader's language; the stored text when the line has no spec
            body = render_or(getattr(m, "i18n", None), m.body)
        out.append(
            {
                "pk": str(m.pk),
                "direction": m.direction,
                "direction_label": f.direction.get(m.direction, m.direction),
                "channel_label": f.channel.get(m.channel, m.channel),
                "who": who,
                # the answer bot's confidence and the article it answered with
                "bot": bot if isinstance(bot, dict) and "confidence" in bot else None,
                "language": m.language,
                # Stored sanitised (conversations/html.py); remote images held back.
                "body_html": mark_safe(body_html)
                if m.html
                else linebreaksbr(m.body, autoescape=True),
                "remote_images": remote_images,
                "body": body,
                "files": files,
                "emotion": emotion,
                "emotion_class": ""
                if emotion is None
                else "emotion-neg"
                if emotion <= -0.5
                else "emotion-pos"
                if emotion >= 0.3
                else "emotion-mid",
                "emotion_title": "" if emotion is None else floatformat(emotion, 2),
                "emotion_text": ""
                if emotion is None
                else f"{f.emotion.get(m.emotion_label, m.emotion_label) or emotion_word} "
                f"{floatformat(emotion, 1)}",
                "created_iso": f.iso(m.created_at),
                "created": f.short(m.created_at),
                "created_full": f.full(m.created_at),
                "translate_url": f.url("web:translate", conversation.pk, m.pk)
                if m.direction == Direction.IN and offer_translation(m.language, f.language)
                else "",
                "delivery": delivery(
                    m,
                    conversation,
                    f,
                    viewer is None or may_retry(viewer, m.author_id, conversation),
                ),
            }
        )
    return out
