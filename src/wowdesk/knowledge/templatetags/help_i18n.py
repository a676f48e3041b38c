"""``{% ht "English text" %}``: a help-center interface text in the page's language
(``lang`` in the context): the ``help_texts`` table for the languages it carries, else the
gettext catalogue (English, Simplified Chinese)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from wowdesk.knowledge import help_texts

register = template.Library()


def localise(msgid: str, lang: str) -> str:
    """``msgid`` (an English text, or a message with its values filled in) for a reader
    of ``lang``; gettext for the languages the table leaves to the catalogue."""
    if help_texts.in_table(lang):
        return help_texts.message(msgid, lang)
    return gettext(msgid)


@register.simple_tag(takes_context=True)
def ht(context: dict[str, Any], msgid: str) -> str:
    return localise(msgid, str(context.get("lang", "")))
