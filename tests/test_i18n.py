"""English and Simplified Chinese are complete, and the compiled catalog matches its source."""

from __future__ import annotations

import gettext
from pathlib import Path

from django.utils import translation

import wowdesk

LOCALE = Path(wowdesk.__file__).parent / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"


def po_entries() -> dict[str, str]:
    """Every entry of the catalog, multi-line ones included."""
    import polib

    return {
        e.msgid: (e.msgstr_plural.get(0, "") if e.msgid_plural else e.msgstr)
        for e in polib.pofile(str(PO))
        if e.msgid and not e.obsolete
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
