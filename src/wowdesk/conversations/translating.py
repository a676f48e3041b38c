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
