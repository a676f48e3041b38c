"""Translating a reply before it is written: the translator is registered by the app that
provides one (intelligence, in its ``AppConfig.ready``), so conversations imports none."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from wowdesk.core.errors import InvalidInput

_translator: list[str] = []


def register_translator(path: str) -> None:
    """``path``: a function ``(text, target_language) -> result`` with ``available``,
    ``text``, ``detail``, ``provider``, ``source_language`` and ``target_language``."""
    _translator[:] = [path]


def translate(text: str, target: str) -> Any:
    """The registered translator's result. A network call: never inside a transaction."""
    if not _translator:
        raise InvalidInput(_("No translation available."), field="translate_to")
    return import_string(_translator[0])(text, target)


def translated_reply(body: str, target: str) -> tuple[str, str, dict[str, Any]]:
    """A reply to send in ``target``: its text, language and the ``meta`` that keeps the
    original (``original_body``, ``translated_by``, ``original_language``). 422 naming
    ``translate_to`` when no translation is available. A network call: never inside a
    transaction."""
    result = translate(body, target)
    if not result.available or not result.text:
        raise InvalidInput(result.detail, field="translate_to")
    meta = {
        "original_body": body,
        "translated_by": result.provider,
        "original_language": result.source_language or "",
    }
    return result.text, result.target_language, meta
