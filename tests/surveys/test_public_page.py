"""The customer's survey page /s/<token>: one tap answers (HEAD never does), the why form
(CSRF), the next kind on the same page, a bad score, expired (410) and invalid (404)
pages in the customer's language, Arabic right to left, the brand's look, the JSON answer
the chat widget's card sends, the rate limit, and a page in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_conversation
from tests.surveys.answer_helpers import link, sent_survey
from wowdesk.core.models import Brand
from wowdesk.knowledge.models import HelpCenter
from wowdesk.surveys import public_views
from wowdesk.surveys.models import Survey, SurveyResponse, SurveyStatus

pytestmark = pytest.mark.django_db


def _clean(html: str) -> None:
    """CSP-clean: no inline script or style; nothing loaded from elsewhere."""
    assert "<script" not in html
    assert "style=" not in html
    assert "http://" not in html and "https://" not in html


def test_one_tap_answers_then_offers_the_why(brand: Brand, client: Client) -> None:
    survey = sent_survey(make_conversation(brand), "nps", language="id")
    page = client.get(link(survey))
    assert page.status_code == 200
    html = page.content.decode()
    _clean(html)
    assert 'lang="id" dir="ltr"' in html
    assert "Seberapa besar kemungkinan Anda merekomendasikan Acme" in html
    assert html.count('class="sv-score"') == 11  # 0–10
    assert not SurveyResponse.objects.exists()
    assert page["Cache-Control"] == "no-store" and "noindex" in page["X-Robots-Tag"]

    tapped = client.get(link(survey) + "?score=3")
    assert tapped.status_code == 200
    html = tapped.content.decode()
    _clean(html)
    assert SurveyResponse.objects.get(survey=survey).score == 3
    assert "Terima kasih atas jawaban Anda!" in html
    assert 'aria-current="true">3' in html
    assert 'name="comment"' in html and "csrfmiddlewaretoken" in html


def test_head_never_writes(brand: Brand, client: Client) -> None:
    survey = sent_survey(make_conversation(brand), "csat")
    assert client.head(link(survey) + "?score=5").status_code == 200
    assert not SurveyResponse.objects.exists()
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.SENT


def test_the_why_is_posted_with_its_csrf_token(brand: Brand) -> None:
    client = Client(enforce_csrf_checks=True)
    survey = sent_survey(make_conversation(brand), "nps", language="id")
    client.get(link(survey) + "?score=3")
    why = "Paket saya rusak dan pengembalian dananya lama sekali, saya kecewa."
    forged = client.post(link(survey), {"score": "3", "comment": why})
    assert forged.status_code == 403
    assert SurveyResponse.objects.get(survey=survey).comment == ""
    token = client.cookies["csrftoken"].value
    sent = client.post(link(survey), {"score": "3", "comment": why, "csrfmiddlewaretoken": token})
    assert sent.status_code == 302 and sent["Location"].endswith("?thanks=why")
    stored = SurveyResponse.objects.get(survey=survey)
    assert (stored.score, stored.comment, stored.comment_language) == (3, why, "id")
    after = client.get(sent["Location"]).content.decode()
    assert "Terima kasih. Kami membaca setiap jawaban." in after
    assert why in after  # the why can still be changed


def test_a_why_without_any_score_asks_for_a_score(brand: Brand, client: Client) -> None:
    survey = sent_survey(make_conversation(brand), "csat", language="de")
    page = client.post(link(survey), {"comment": "Schnell und freundlich, danke!"})
    assert page.status_code == 400
    assert "Bitte wählen Sie einen der Werte." in page.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("bad", ["11", "-1", "x", "", "3.5"])
def test_a_score_off_the_scale_is_refused_with_the_question_again(
    brand: Brand, client: Client, bad: str
) -> None:
    survey = sent_survey(make_conversation(brand), "nps")
    page = client.get(link(survey) + f"?score={bad}")
    assert page.status_code == 400
    html = page.content.decode()
    assert "Please choose one of the scores." in html
    assert html.count('class="sv-score"') == 11
    assert not SurveyResponse.objects.exists()


def test_the_next_kind_asked_after_the_same_resolution_is_on_the_same_page(
    brand: Brand, client: Client
) -> None:
    conversation = make_conversation(brand)
    resolved = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    csat = sent_survey(conversation, "csat", resolved_at=resolved)
    nps = sent_survey(conversation, "nps", resolved_at=resolved)
    earlier = sent_survey(conversation, "ces", resolved_at=resolved - dt.timedelta(days=30))
    html = client.get(link(csat) + "?score=5").content.decode()
    assert "One more question" in html
    assert f'href="{link(nps)}?score=10"' in html
    assert link(earlier) not in html  # another resolution's survey
    html = client.get(link(nps) + "?score=10").content.decode()
    assert "One more question" not in html  # the CSAT is answered already
    answers = dict(SurveyResponse.objects.values_list("kind", "score"))
    assert answers == {"csat": 5, "nps": 10}


def test_expired_and_invalid_links_are_pages_in_the_customers_language(
    brand: Brand, client: Client
) -> None:
    survey = sent_survey(
        make_conversation(brand), "nps", language="de", expires_in=dt.timedelta(seconds=-1)
    )
    gone = client.get(link(survey) + "?score=9")
    assert gone.status_code == 410
    assert "Diese Umfrage ist abgelaufen." in gone.content.decode()
    assert 'lang="de"' in gone.content.decode()
    assert not SurveyResponse.objects.exists()
    bad = client.get("/s/not-a-token", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert bad.status_code == 404
    assert "Este enlace no es válido." in bad.content.decode()
    _clean(bad.content.decode())
    assert client.get("/s/" + link(survey)[3:-3] + "abc").status_code == 404


def test_arabic_is_right_to_left_and_a_language_without_texts_falls_back_to_the_brand(
    brand: Brand, client: Client
) -> None:
    conversation = make_conversation(brand)
    arabic = sent_survey(conversation, "ces", language="ar")
    html = client.get(link(arabic)).content.decode()
    assert 'lang="ar" dir="rtl"' in html
    assert "سهّلت Acme عليّ معالجة مشكلتي." in html
    swahili = sent_survey(conversation, "csat", language="sw")
    html = client.get(link(swahili)).content.decode()
    assert 'lang="en" dir="ltr"' in html  # the brand's default language (en)


def test_the_brand_help_center_colour_and_logo(brand: Brand, client: Client) -> None:
    survey = sent_survey(make_conversation(brand), "csat")
    assert "/help/acme/theme.css" not in client.get(link(survey)).content.decode()
    HelpCenter.objects.create(brand=brand, colour="#aa3300")
    html = client.get(link(survey)).content.decode()
    assert 'href="/help/acme/theme.css"' in html
    assert '<bdi class="sv-brand">Acme</bdi>' in html


def test_a_page_takes_few_queries_whatever_the_chain(
    brand: Brand, client: Client, django_assert_max_num_queries: Any
) -> None:
    conversation = make_conversation(brand)
    first = sent_survey(conversation, "csat")
    for kind in ("nps", "ces"):
        sent_survey(conversation, kind, resolved_at=first.resolved_at)
    client.get(link(first) + "?score=4")
    with django_assert_max_num_queries(6) as few:
        assert client.get(link(first)).status_code == 200
    for kind in ("nps", "ces"):  # surveys of other resolutions: no more queries
        sent_survey(conversation, kind)
    sent_survey(conversation, "csat", resolved_at=first.resolved_at + dt.timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(link(first)).status_code == 200


# --- the chat widget's card ------------------------------------------------------------------


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="text/plain")


def test_the_card_answers_with_json_from_any_origin(brand: Brand) -> None:
    client = Client(enforce_csrf_checks=True)  # no cookie, no CSRF token: the link is enough
    survey = sent_survey(make_conversation(brand), "csat", language="fr")
    url = link(survey) + "/answer"
    answered = _post(client, url, {"score": 2})
    assert answered.status_code == 200, answered.content
    assert answered["Access-Control-Allow-Origin"] == "*"
    body = answered.json()
    assert (body["kind"], body["score"], body["status"]) == ("csat", 2, "answered")
    assert body["texts"]["thanks"] == "Merci pour votre réponse !"
    why = _post(client, url, {"score": 2, "comment": "Trop long à répondre, trois relances."})
    assert why.json()["comment"] == "Trop long à répondre, trois relances."
    assert SurveyResponse.objects.get(survey=survey).comment_language == "fr"
    preflight = client.options(url)
    assert preflight.status_code == 204 and "POST" in preflight["Access-Control-Allow-Methods"]
    form = client.post(url, {"score": "3"})
    assert form.status_code == 200 and SurveyResponse.objects.get(survey=survey).score == 3


def test_the_card_refusals(brand: Brand, client: Client) -> None:
    survey = sent_survey(make_conversation(brand), "ces")
    url = link(survey) + "/answer"
    off = _post(client, url, {"score": 8})
    assert off.status_code == 422 and off.json()["field"] == "score"
    assert _post(client, url, {"score": 5, "comment": 7}).json()["field"] == "comment"
    assert client.post(url, b"{nope", content_type="application/json").status_code == 422
    assert _post(client, url, [5]).status_code == 422
    assert _post(client, "/s/forged/answer", {"score": 5}).status_code == 404
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.EXPIRED)
    assert _post(client, url, {"score": 5}).status_code == 410
    assert client.get(url).status_code == 405
    assert not SurveyResponse.objects.exists()


def test_each_address_has_a_budget(
    brand: Brand, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wowdesk.core import ratelimit

    monkeypatch.setattr(public_views, "SURVEY_RATE", ratelimit.Rate(3, 60.0))
    survey = sent_survey(make_conversation(brand), "nps", language="ja")
    for _ in range(3):
        assert client.get(link(survey)).status_code == 200
    limited = client.get(link(survey) + "?score=10")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert "試行回数が多すぎます" in limited.content.decode()
    assert _post(client, link(survey) + "/answer", {"score": 10}).status_code == 429
    assert not SurveyResponse.objects.exists()


def test_links_that_are_not_valid_count_against_the_budget_too(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wowdesk.core import ratelimit

    monkeypatch.setattr(public_views, "SURVEY_RATE", ratelimit.Rate(2, 60.0))
    assert [client.get(f"/s/guess-{n}").status_code for n in range(3)] == [404, 404, 429]
