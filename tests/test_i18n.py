"""English and Simplified Chinese are complete, and the compiled catalog matches its source."""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

import wowdesk

LOCALE = Path(wowdesk.__file__).parent / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def po_entries() -> dict[str, str]:
    """Every entry of the catalog without a context, multi-line ones included."""
    import polib

    return {
        e.msgid: (e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr)
        for e in polib.pofile(str(PO))
        if e.msgid and not e.obsolete and not e.msgctxt
    }


def po_context_entries() -> dict[tuple[str, str], str]:
    """The entries with a context (``pgettext``): (context, msgid) -> msgstr."""
    import polib

    return {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.pofile(str(PO))
        if e.msgid and not e.obsolete and e.msgctxt
    }


def plural_ids() -> dict[str, str]:
    import polib

    return {e.msgid: e.msgid_plural for e in polib.pofile(str(PO)) if e.msgid_plural}


def test_every_string_has_a_chinese_translation() -> None:
    entries = po_entries()
    assert len(entries) > 250
    untranslated = [k for k, v in entries.items() if not v.strip()]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_catalog_matches_source() -> None:
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    plurals = plural_ids()
    for msgid, msgstr in po_entries().items():
        if msgid in plurals:  # Chinese has one plural form
            assert catalog.ngettext(msgid, plurals[msgid], 2) == msgstr, msgid
        else:
            assert catalog.gettext(msgid) == msgstr, msgid
    for (context, msgid), msgstr in po_context_entries().items():
        assert msgstr.strip(), msgid
        assert catalog.pgettext(context, msgid) == msgstr, msgid


def test_django_serves_chinese() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Resolved") == "已解决"
    with translation.override("en"):
        assert translation.gettext("Resolved") == "Resolved"


def test_api_errors_follow_accept_language(db: None) -> None:
    from django.test import Client

    zh = Client().get("/api/v1/conversations", headers={"Accept-Language": "zh-Hans"})
    en = Client().get("/api/v1/conversations", headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 401
    assert zh.json()["detail"] == "需要有效的 Bearer 令牌。"
    assert en.json()["detail"] == "A valid bearer token is needed."


# --- no English left in the Chinese UI -----------------------------------------------------------

# Words that stay as they are in the Chinese UI: product and brand names, codes and
# abbreviations read the same way in Chinese support teams.
ALLOWED_WORDS = {
    "wowdesk",
    "acme",
    "globex",
    "sla",
    "api",
    "vip",
    "id",
    "url",
    "html",
    "json",
    "csv",
    "utc",
    "http",
    "https",
    "ok",
    "kb",
    "mb",
    "email",  # in addresses
    "example",
    "com",
    "zh",
    "hans",
    "en",
    "de",
    "ar",
    "asia",
    "shanghai",
    "gmt",
    "cst",
    "imap",
    "smtp",
    "webhook",
    "token",
    "django",
    "bearer",
    "openapi",
    "swagger",
}
_TAG = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_ATTR = re.compile(r'\b(?:title|placeholder|aria-label|alt|value)="([^"]*)"')
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def visible_english(html: str) -> set[str]:
    """Latin words a person sees (text and the attributes read aloud or shown on hover),
    outside the allow-list; also outside <option> values, form names and URLs."""
    from html import unescape

    body = _TAG.sub(" ", html)
    # key names on keyboard shortcuts (Enter, Esc) are printed on the keys
    body = re.sub(r"<kbd>.*?</kbd>", " ", body, flags=re.S)
    # drop the <select> of the language picker: language names are shown in their own language
    body = re.sub(r'<select[^>]*name="language".*?</select>', " ", body, flags=re.S)
    attrs = " ".join(a for a in _ATTR.findall(body) if not re.fullmatch(r"[\w./:?&=%#@+-]*", a))
    text = re.sub(r"<[^>]+>", " ", body)
    words = set()
    seen = unescape(text + " " + attrs)
    # addresses, placeholders and codes (first_response, agent.create) are data, not words
    seen = re.sub(r"[\w.+-]+@[\w.-]+|%\(\w+\)s|\b\w+(?:[._]\w+)+\b", " ", seen)
    for word in _WORDS.findall(seen):
        if word.lower() not in ALLOWED_WORDS:
            words.add(word)
    return words


@pytest.fixture
def zh_world(brand: Any, other_brand: Any, make_agent: Callable[..., Any]) -> dict[str, Any]:
    """A brand with a conversation that has every kind of activity line, alerts and a
    supervisor and an admin whose UI is in Chinese; names are Chinese so that every Latin
    word on a page is the UI's."""
    import datetime as dt

    from django.utils import timezone

    from tests.factories import quick_conversation
    from wowdesk.conversations import services as conversations
    from wowdesk.conversations.models import Message, Priority, Status
    from wowdesk.core.models import Role, Team
    from wowdesk.intelligence import services as intelligence
    from wowdesk.routing import services as routing
    from wowdesk.routing import sla
    from wowdesk.routing.models import ConversationSla

    agent = make_agent(Role.AGENT, name="王芳", email="wang@example.com")
    supervisor = make_agent(Role.SUPERVISOR, name="李娜", email="li@example.com")
    admin = make_agent(Role.ADMIN, name="张伟", email="zhang@example.com")
    team = Team.objects.create(brand=brand, name="售后")
    conversation = quick_conversation(brand, subject="灯坏了", body="灯到了就是坏的", name="陈静")
    conversations.ensure_tags(brand.pk, ["退货"])  # agents pick existing tags
    conversations.update_conversation(
        conversation,
        actor=agent,
        status=Status.PENDING,
        priority=Priority.HIGH,
        assignee_id=agent.pk,
        team_id=team.pk,
        tags=["退货"],
    )
    conversations.update_conversation(conversation, actor=agent, assignee_id=None, team_id=None)
    Message.objects.filter(conversation=conversation, direction="in").update(
        emotion=-0.8, emotion_label="angry", language="zh"
    )
    # routing: nobody online, then somebody; the activity lines say why
    waiting = quick_conversation(brand, subject="发票", body="请开发票", name="赵敏")
    routing.route(waiting, note_waiting=True)
    # alerts: a mood drop and an SLA breach
    second = conversations.append_incoming(
        conversation,
        conversation.customer,
        conversations.IncomingMessage(body="还是坏的", channel="api"),
    )
    first = Message.objects.filter(conversation=conversation, direction="in").order_by("id")[0]
    Message.objects.filter(pk=first.pk).update(emotion=0.5)
    intelligence._check_mood(Message.objects.get(pk=second.pk), conversation, -0.9)
    ConversationSla.objects.update_or_create(
        conversation=conversation,
        defaults={
            "brand": brand,
            "target": "first_response",
            "due_at": timezone.now() - dt.timedelta(minutes=5),
            "warn_at": timezone.now() - dt.timedelta(minutes=10),
            "state": "ok",
        },
    )
    sla.check_due()
    return {
        "agent": agent,
        "supervisor": supervisor,
        "admin": admin,
        "conversation": conversation,
        "waiting": waiting,
    }


def _chinese_client(user: Any) -> Any:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def _anonymous_chinese_client() -> Any:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_workspace_pages_have_no_english_in_chinese(zh_world: dict[str, Any]) -> None:
    from wowdesk.core.models import Alert

    assert Alert.objects.filter(kind="mood_drop").exists()
    assert Alert.objects.filter(kind="sla_breach").exists()
    agent = _chinese_client(zh_world["agent"].user)
    supervisor = _chinese_client(zh_world["supervisor"].user)
    pages = {
        "inbox": agent.get("/inbox/?view=all"),
        "conversation": agent.get(f"/inbox/c/{zh_world['conversation'].pk}/"),
        "waiting": agent.get(f"/inbox/c/{zh_world['waiting'].pk}/"),
        "supervisor": supervisor.get("/supervisor/"),
        "home": agent.get("/"),
        "password": agent.get("/password/"),
        "missing": agent.get("/inbox/c/999999/"),
        "login": _anonymous_chinese_client().get("/login/"),
    }
    found = {}
    for name, response in pages.items():
        assert response.status_code == (404 if name == "missing" else 200), name
        english = visible_english(response.content.decode())
        if english:
            found[name] = sorted(english)
    assert found == {}


def test_activity_lines_follow_the_reader_not_the_writer(zh_world: dict[str, Any]) -> None:
    """Written by a Chinese-speaking agent, read in English by another, and the other way."""
    from django.test import Client

    pk = zh_world["conversation"].pk
    chinese = _chinese_client(zh_world["agent"].user).get(f"/inbox/c/{pk}/").content.decode()
    english_client = Client()
    english_client.force_login(zh_world["supervisor"].user)
    english = english_client.get(f"/inbox/c/{pk}/").content.decode()
    assert "状态已改为 等待中" in chinese
    assert "优先级已改为 高" in chinese
    assert "已分配给 王芳" in chinese
    assert "Status changed to Pending" in english
    assert "Priority changed to High" in english
    assert "Assigned to 王芳" in english
    assert "Tags: 退货" in english
    waiting = zh_world["waiting"].pk
    assert (
        "Waiting in the queue: no agents"
        in english_client.get(f"/inbox/c/{waiting}/").content.decode()
    )
    chinese_waiting = _chinese_client(zh_world["agent"].user).get(f"/inbox/c/{waiting}/")
    assert "在队列中等待：没有客服" in chinese_waiting.content.decode()


def test_admin_has_no_english_in_chinese(zh_world: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    admin = zh_world["admin"]
    get_user_model().objects.filter(pk=admin.user.pk).update(is_staff=True, is_superuser=True)
    client = _chinese_client(admin.user)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "wowdesk 管理" in index.content.decode()  # the product's heading, not Django's
    found = {"index": sorted(visible_english(index.content.decode()))}
    links = sorted(set(re.findall(r'href="(/admin/\w+/\w+/)"', index.content.decode())))
    assert len(links) >= 8
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        english = visible_english(response.content.decode())
        if english:
            found[link] = sorted(english)
    found = {k: v for k, v in found.items() if v}
    assert found == {}


# --- every message id used in the code is in the catalog -----------------------------------------

_GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
}


def _python_msgids(source: str) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else None
        )
        if name not in _GETTEXT_FUNCTIONS:
            continue
        index = 1 if name.startswith(("pgettext", "npgettext")) else 0
        if len(node.args) > index:
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def _template_msgids(source: str) -> set[str]:
    import ast

    from django.utils.translation.template import templatize

    found = set()
    code = templatize(source)
    literal = r"""u?(?:'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")"""
    for m in re.finditer(rf"\b(n?p?gettext)\(\s*((?:{literal}\s*,?\s*)+)", code):
        literals = re.findall(literal, m.group(2))
        chosen = literals[1] if m.group(1).startswith(("pgettext", "npgettext")) else literals[0]
        found.add(ast.literal_eval(chosen))
    return found


def code_msgids() -> dict[str, str]:
    """Every message id the code and templates mark for translation, and where."""
    root = Path(wowdesk.__file__).parent
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" not in path.parts:
            for msgid in _python_msgids(path.read_text(encoding="utf-8")):
                out.setdefault(msgid, str(path.relative_to(root)))
    for path in sorted(root.rglob("*.html")):
        for msgid in _template_msgids(path.read_text(encoding="utf-8")):
            out.setdefault(msgid, str(path.relative_to(root)))
    return out


def test_every_msgid_in_the_code_is_in_the_catalog() -> None:
    used = code_msgids()
    assert len(used) > 350
    assert "Status changed to %(s)s" in used  # python (gettext_noop)
    assert "Purchases and devices" in used  # template ({% translate %})
    catalog = po_entries()
    missing = {msgid: where for msgid, where in used.items() if msgid not in catalog}
    assert missing == {}


def test_deferred_texts_render_in_the_readers_language() -> None:
    from django.utils.translation import gettext_noop

    from wowdesk.core import i18n

    spec = i18n.deferred(
        gettext_noop("SLA breached (%(t)s) in conversation #%(n)s"),
        t=i18n.choice("sla_target", "first_response"),
        n=7,
    )
    assert i18n.render(spec, "en") == "SLA breached (First response) in conversation #7"
    assert "#7" in i18n.render(spec, "zh-hans")
    assert "SLA breached" not in i18n.render(spec, "zh-hans")
    assert i18n.render_or({"msgid": 3}, "stored") == "stored"
    assert i18n.render_or(None, "stored") == "stored"
    assert i18n.render_or({"msgid": "Tags: %(t)s", "params": []}, "stored") == "stored"
    assert i18n.render_or({"msgid": "%(x)s", "params": {"x": {"choice": "nope"}}}, "s") == "s"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    spec=_JSON
    | st.fixed_dictionaries(
        {"msgid": st.text(max_size=40), "params": st.dictionaries(st.text(max_size=5), _JSON)}
    )
)
def test_a_stored_spec_never_breaks_the_page(spec: Any) -> None:
    """Whatever ``meta["i18n"]`` holds (edited rows, older versions), showing it yields a
    string: the rendered text or the stored one."""
    from wowdesk.core import i18n

    shown = i18n.render_or(spec, "stored text", "zh-hans")
    assert isinstance(shown, str)
