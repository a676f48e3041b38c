"""API: knowledge (intents) — what a customer's text asks for, in the brand's own intents."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from wowdesk.core import permissions
from wowdesk.core.api import me
from wowdesk.core.errors import InvalidInput
from wowdesk.core.schemas import ERRORS
from wowdesk.knowledge import intents

router = Router(tags=["knowledge"])

MAX_TEXT = 5000
MAX_LANGUAGE = 16


class ClassifyIn(Schema):
    text: str
    language: str | None = None


class ClassifyOut(Schema):
    intent: str | None
    confidence: float
    out_of_scope: bool
    article_id: int | None = None


@router.post("/intents/classify", response={200: ClassifyOut, **ERRORS})
def classify(request: HttpRequest, payload: ClassifyIn, brand_id: int | None = None) -> ClassifyOut:
    """The intent of ``text`` among the brand's intents (its articles' and resolved
    conversations'), its confidence, whether it is out of scope (the bot hands over) and the
    brand's article for it."""
    brand = permissions.pick_brand(me(request), brand_id)
    text = payload.text.strip()
    if not text:
        raise InvalidInput(_("The text is empty."), field="text")
    if len(payload.text) > MAX_TEXT:
        raise InvalidInput(
            _("The text is longer than %(n)d characters.") % {"n": MAX_TEXT}, field="text"
        )
    language = (payload.language or "").strip() or None
    if language is not None and len(language) > MAX_LANGUAGE:
        raise InvalidInput(_("Unknown language."), field="language")
    result = intents.classify(brand, text, language)
    return ClassifyOut(
        intent=result.intent,
        confidence=result.confidence,
        out_of_scope=result.out_of_scope,
        article_id=result.article_id,
    )
