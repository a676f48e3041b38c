"""The customer's survey page, ``/s/<token>``: no sign-in, no JavaScript needed.

- ``GET /s/<token>``: the question with its scores as big links; ``?score=N`` records the
  answer at once (a GET that writes, on purpose: one tap in an email answers), then shows
  the thank-you, the optional "why" form and the next question asked after the same
  resolution. ``HEAD`` never writes.
- ``POST /s/<token>`` (the form, CSRF-checked): the why (and the score, when the page was
  opened without one); then back to the page (post/redirect/get).
- ``POST /s/<token>/answer`` (JSON, for the chat widget's card): ``{"score", "comment"}``
  → the answer and the thank-you texts. The token in the address is the only authority
  (no cookie is read), so a forged cross-site request can do nothing the link's holder
  could not; it answers any origin, without credentials.

Every text is in the survey's language (``surveys/texts.py``), the page ``dir="rtl"`` for
Arabic. An invalid token is a 404 page, an expired survey a 410 page. Each client address
has ``SURVEY_RATE`` requests (core/ratelimit.py).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wowdesk.core import ratelimit
from wowdesk.core.errors import InvalidInput, NotFound, ServiceError
from wowdesk.core.ratelimit import RateLimited
from wowdesk.knowledge import help_queries
from wowdesk.knowledge.models import HelpCenter
from wowdesk.surveys import answer_services, texts, tokens
from wowdesk.surveys.answer_services import SurveyExpired
from wowdesk.surveys.models import SCALES, Survey, SurveyResponse, SurveyStatus
from wowdesk.web.services import client_ip

# Requests per client address: 60 a minute (a customer taps a few times; a guesser of
# tokens gets nowhere anyway, the tokens are signed).
SURVEY_RATE = ratelimit.Rate(60, 60.0)
MAX_BODY = 20_000


def _html_lang(code: str) -> str:
    return "zh-Hans" if code == "zh-hans" else code


class _Texts:
    """The page's words in one language, ``{brand}`` filled in (templates read attributes)."""

    def __init__(self, language: str, fallback: str, brand: str) -> None:
        self.language = texts.pick_language(language, fallback)
        self.brand = brand

    def __getitem__(self, key: str) -> str:
        return texts.text(key.replace("_", "."), self.language, brand=self.brand)

    def fill(self, key: str, **values: str) -> str:
        return texts.text(key, self.language, brand=self.brand, **values)


def _look(brand_id: int, slug: str) -> dict[str, str]:
    """The brand's help-center colour (as its theme stylesheet) and logo, if it has one."""
    hc = (
        HelpCenter.objects.filter(brand_id=brand_id, enabled=True)
        .only("logo", "updated_at", "colour")
        .first()
    )
    if hc is None:
        return {"theme_url": "", "logo_url": ""}
    logo = ""
    if hc.logo and help_queries.logo_type(hc.logo.name):
        logo = reverse("help:logo", kwargs={"slug": slug}) + f"?v={int(hc.updated_at.timestamp())}"
    return {"theme_url": reverse("help:theme", kwargs={"slug": slug}), "logo_url": logo}


def _question(survey: Survey, words: _Texts, chosen: int | None = None) -> dict[str, Any]:
    low, high = SCALES[survey.kind]
    url = reverse("survey-public:answer", kwargs={"token": tokens.make_token(survey.pk)})
    return {
        "survey": survey,
        "label_id": f"q-{survey.pk}",
        "url": url,
        "question": words[f"question.{survey.kind}"],
        "low": words[f"low.{survey.kind}"],
        "high": words[f"high.{survey.kind}"],
        "scores": [
            {"value": n, "url": f"{url}?score={n}", "chosen": n == chosen}
            for n in range(low, high + 1)
        ],
        "wide": high - low >= 7,
    }


def _render(
    request: HttpRequest,
    template: str,
    words: _Texts,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        f"surveys/public/{template}",
        {
            "t": words,
            "lang": _html_lang(words.language),
            "dir": "rtl" if texts.is_rtl(words.language) else "ltr",
            **context,
        },
        status=status,
    )
    response["Content-Language"] = _html_lang(words.language)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _visitor_texts(request: HttpRequest) -> _Texts:
    """Words for a page with no survey (a bad link): in the browser's language."""
    asked = [
        code
        for code, _weight in parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    ]
    return _Texts(asked[0] if asked else "", "en", "")


def _refused(request: HttpRequest, exc: ServiceError, words: _Texts | None) -> HttpResponse:
    words = words or _visitor_texts(request)
    if isinstance(exc, RateLimited):
        response = _render(
            request, "refused.html", words, {"message": words["limited"]}, status=429
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, SurveyExpired):
        return _render(request, "refused.html", words, {"message": words["expired"]}, status=410)
    return _render(request, "refused.html", words, {"message": words["invalid"]}, status=404)


def _survey_words(survey: Survey) -> _Texts:
    return _Texts(survey.language, survey.brand.default_language, survey.brand.name)


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    # The survey first, for the language of any refusal; every request counts, a link
    # that is not valid too (it is refused before any query: its signature fails).
    found: Survey | None = None
    missing: NotFound | None = None
    try:
        found = answer_services.survey_for_token(token)
    except NotFound as exc:
        missing = exc
    words = _survey_words(found) if found is not None else None
    try:
        ratelimit.check(f"survey:{client_ip(request)}", SURVEY_RATE)
        if found is None:
            raise missing or NotFound("not found")
        survey = found
        words = _survey_words(survey)
        if answer_services.is_expired(survey):
            raise SurveyExpired("expired")
        error = ""
        if request.method == "POST":
            score = request.POST.get("score", "").strip()
            comment = request.POST.get("comment", "")
            current = SurveyResponse.objects.filter(survey=survey).first()
            try:
                answer_services.record_answer(
                    survey,
                    score if score else (current.score if current else ""),
                    comment=comment,
                    language=words.language,
                )
            except InvalidInput as exc:
                error = words["bad.score"] if exc.field == "score" else exc.message
            else:
                return HttpResponseRedirect(request.path + "?thanks=why")
        elif request.method == "GET" and "score" in request.GET:
            try:
                answer_services.record_answer(survey, request.GET["score"], language=words.language)
            except InvalidInput:
                error = words["bad.score"]
        return _page(request, survey, words, error=error)
    except (NotFound, SurveyExpired, RateLimited) as exc:
        return _refused(request, exc, words)


def _page(request: HttpRequest, survey: Survey, words: _Texts, *, error: str) -> HttpResponse:
    others = [
        s
        for s in answer_services.chained(survey)
        if not answer_services.is_expired(s) and s.status != SurveyStatus.ANSWERED
    ]
    response = SurveyResponse.objects.filter(survey=survey).first()
    current = _question(survey, words, response.score if response else None)
    return _render(
        request,
        "answer.html",
        words,
        {
            "brand": survey.brand,
            "current": current,
            "response": response,
            "your_score": (words.fill("your.score", score=str(response.score)) if response else ""),
            "thanked_why": request.GET.get("thanks") == "why" and response is not None,
            "next": [_question(s, _survey_words(s)) for s in others],
            "error": error,
            **_look(survey.brand_id, survey.brand.slug),
        },
        status=400 if error else 200,
    )


# --- the chat widget's card -----------------------------------------------------------------


def _json(body: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Cache-Control"] = "no-store"
    return response


def _json_error(exc: ServiceError, status: int) -> JsonResponse:
    response = _json({"detail": exc.message, "field": exc.field or "", "code": exc.code}, status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@csrf_exempt  # the token in the address is the authority; no cookie is used (see above)
@require_http_methods(["POST", "OPTIONS"])
def answer_json(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "OPTIONS":
        preflight = HttpResponse(status=204)
        preflight["Access-Control-Allow-Origin"] = "*"
        preflight["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        preflight["Access-Control-Allow-Headers"] = "Content-Type"
        preflight["Access-Control-Max-Age"] = "86400"
        return preflight
    try:
        ratelimit.check(f"survey:{client_ip(request)}", SURVEY_RATE)
        survey = answer_services.survey_for_token(token)
        data = _read_body(request)
        comment = data.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise InvalidInput(_("The why must be a text."), field="comment")
        words = _survey_words(survey)
        answered = answer_services.record_answer(
            survey, data.get("score"), comment=comment, language=words.language
        )
    except NotFound as exc:
        return _json_error(exc, 404)
    except SurveyExpired as exc:
        return _json_error(exc, 410)
    except RateLimited as exc:
        return _json_error(exc, 429)
    except InvalidInput as exc:
        return _json_error(exc, 422)
    return _json(
        {
            "id": survey.pk,
            "kind": survey.kind,
            "status": SurveyStatus.ANSWERED.value,
            "score": answered.score,
            "comment": answered.comment,
            "texts": {
                "thanks": words["thanks"],
                "thanks_why": words["thanks.why"],
                "why": words["why"],
                "send": words["send"],
            },
        }
    )


def _read_body(request: HttpRequest) -> dict[str, Any]:
    """The JSON object sent (any content type: the widget sends ``text/plain`` so that no
    pre-flight is needed), or a form."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {k: request.POST.get(k) for k in ("score", "comment") if k in request.POST}
    raw = request.body[: MAX_BODY + 1]
    if len(raw) > MAX_BODY:
        raise InvalidInput(_("The answer is too long."), field="comment")
    try:
        data = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(_("The answer must be a JSON object."), field="") from exc
    if not isinstance(data, dict):
        raise InvalidInput(_("The answer must be a JSON object."), field="")
    return data
