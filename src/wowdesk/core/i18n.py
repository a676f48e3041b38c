"""Texts written now and read later, each reader in their own language.

An activity line in a thread ("Status changed to Resolved") or a supervisor alert is stored
once but read by agents of several languages. Besides the text in the writer's language
(kept for the API and older readers) the writer stores a *spec*: the untranslated message id
and its parameters. :func:`render` translates it for whoever reads it, at display time::

    spec = deferred(gettext_noop("Status changed to %(s)s"), s=choice("status", "resolved"))
    render(spec, "zh-hans")  # "状态已改为 已解决"

A parameter is a plain value (a name, a number), another spec (translated in turn) or a
:func:`choice` (a model choice's code, shown by its translated label). Message ids must be
marked for extraction where they are written (``gettext_noop``) and be in the catalogs.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.utils import translation
from django.utils.module_loading import import_string

#: Choice classes a :func:`choice` parameter may name (dotted paths: imported when shown).
#: The apps register theirs in ``AppConfig.ready`` (:func:`register_choices`).
CHOICES: dict[str, str] = {"channel": "wowdesk.core.kinds.Channel"}


def register_choices(kind: str, path: str) -> None:
    """Let :func:`choice` parameters of ``kind`` show the labels of the choices at ``path``."""
    CHOICES[kind] = path


Spec = dict[str, Any]


def deferred(msgid: str, **params: Any) -> Spec:
    """A text to translate when it is shown: ``msgid % params`` in the reader's language."""
    return {"msgid": str(msgid), "params": params}


def choice(kind: str, value: str) -> dict[str, str]:
    """A parameter shown as the translated label of ``value`` among the ``kind`` choices."""
    return {"choice": kind, "value": str(value)}


def render(spec: Spec, language: str | None = None) -> str:
    """``spec`` in ``language`` (default: the active one). Raises ``ValueError`` on a spec that
    is not one (:func:`render_or` falls back to a stored text instead)."""
    with translation.override(language) if language else nullcontext():
        return _render(spec)


def render_or(spec: Any, fallback: str, language: str | None = None) -> str:
    """``spec`` rendered, or ``fallback`` (the stored text) when there is no usable spec."""
    if not isinstance(spec, dict) or "msgid" not in spec:
        return fallback
    try:
        return render(spec, language)
    except (ValueError, TypeError, KeyError):
        return fallback


def _render(spec: Spec) -> str:
    if not isinstance(spec, dict) or not isinstance(spec.get("msgid"), str):
        raise ValueError("not a text spec")
    params = spec.get("params", {})
    if not isinstance(params, dict):
        raise ValueError("the parameters of a text spec are a mapping")
    text = translation.gettext(spec["msgid"])
    if not params:
        return text
    return text % {key: _value(value) for key, value in params.items()}


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        if "msgid" in value:
            return _render(value)
        if "choice" in value:
            path = CHOICES.get(str(value["choice"]))
            if path is None:
                raise ValueError(f"unknown choice {value['choice']!r}")
            try:
                return str(import_string(path)(value.get("value")).label)
            except ValueError:
                return str(value.get("value", ""))
        raise ValueError("a parameter mapping is a spec or a choice")
    return value


def alert_text(alert: Any, language: str | None = None) -> str:
    """A supervisor alert's text in ``language`` (default: the active one); the stored text
    when the alert carries no spec (``alert.data["i18n"]``)."""
    data = alert.data if isinstance(alert.data, dict) else {}
    return render_or(data.get("i18n"), alert.text, language)
