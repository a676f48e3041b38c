"""record_answer: the scale of each kind, the fields of the time, changing an answer before
expiry, the why's language, expired and unknown surveys, and the survey.answered event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_conversation
from tests.surveys.answer_helpers import sent_survey
from wowdesk.core.errors import InvalidInput, NotFound
from wowdesk.core.events import Event
from wowdesk.core.models import Brand
from wowdesk.surveys import answer_services, tokens
from wowdesk.surveys.answer_services import SurveyExpired, record_answer
from wowdesk.surveys.models import SCALES, Survey, SurveyResponse, SurveyStatus

pytestmark = pytest.mark.django_db


def test_a_first_answer_copies_the_survey_of_the_time_and_is_announced(
    brand: Brand, event_log: Any
) -> None:
    survey = sent_survey(make_conversation(brand), "nps", language="id")
    response = record_answer(survey, "3")
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ANSWERED and survey.answered_at is not None
    assert (response.score, response.kind, response.comment) == (3, "nps", "")
    assert response.brand_id == brand.pk
    assert response.conversation_id == survey.conversation_id
    assert response.customer_id == survey.customer_id
    assert (response.channel, response.language, response.intent) == (
        survey.channel,
        "id",
        "order_status",
    )
    assert response.inbox_id == survey.inbox_id
    assert event_log.of(Event.SURVEY_ANSWERED) == [
        {
            "survey_id": survey.pk,
            "response_id": response.pk,
            "conversation_id": survey.conversation_id,
            "brand_id": brand.pk,
            "kind": "nps",
            "score": 3,
            "updated": False,
            "previous_score": None,
        }
    ]


def test_a_new_score_or_a_why_updates_the_same_response_and_the_same_tap_changes_nothing(
    brand: Brand, event_log: Any
) -> None:
    survey = sent_survey(make_conversation(brand), "csat")
    first = record_answer(survey, 2)
    again = record_answer(survey, 2)  # an email scanner opened the link, then the customer
    assert again.pk == first.pk
    assert len(event_log.of(Event.SURVEY_ANSWERED)) == 1
    changed = record_answer(survey, 4)
    why = "Pengembalian dana saya datang terlambat dua minggu dan tidak ada yang membalas."
    with_why = record_answer(survey, 4, comment=f"  {why}  ")
    assert changed.pk == with_why.pk == first.pk
    stored = SurveyResponse.objects.get(survey=survey)
    assert (stored.score, stored.comment, stored.comment_language) == (4, why, "id")
    assert stored.updated_at >= stored.answered_at
    answered = event_log.of(Event.SURVEY_ANSWERED)
    assert [(p["score"], p["updated"], p["previous_score"]) for p in answered] == [
        (2, False, None),
        (4, True, 2),
        (4, True, 4),  # only the why changed
    ]
    # a short why keeps the survey's language; None keeps the why given before
    record_answer(survey, 5)
    assert SurveyResponse.objects.get(survey=survey).comment == why
    record_answer(survey, 5, comment="ok")
    stored.refresh_from_db()
    assert (stored.comment, stored.comment_language) == ("ok", "en")
    assert SurveyResponse.objects.count() == 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(sorted(SCALES)), score=st.integers(min_value=-50, max_value=50))
def test_a_score_on_the_scale_is_recorded_and_any_other_refused(
    brand: Brand, kind: str, score: int
) -> None:
    survey = Survey.objects.filter(brand=brand, kind=kind).first()
    if survey is None:
        survey = sent_survey(make_conversation(brand), kind)
    low, high = SCALES[kind]
    before = SurveyResponse.objects.filter(survey=survey).values_list("score", flat=True).first()
    if low <= score <= high:
        assert record_answer(survey, score).score == score
        assert record_answer(survey, str(score)).score == score
    else:
        with pytest.raises(InvalidInput) as refused:
            record_answer(survey, score)
        assert refused.value.status == 422 and refused.value.field == "score"
        after = SurveyResponse.objects.filter(survey=survey).values_list("score", flat=True)
        assert after.first() == before


@pytest.mark.parametrize("bad", ["", "x", "4.5", None, True, [5], "1e3"])
def test_a_score_that_is_not_a_whole_number_is_refused(brand: Brand, bad: object) -> None:
    survey = sent_survey(make_conversation(brand), "ces")
    with pytest.raises(InvalidInput) as refused:
        record_answer(survey, bad)
    assert refused.value.field == "score"
    assert not SurveyResponse.objects.exists()


def test_a_why_too_long_is_refused_whole(brand: Brand) -> None:
    survey = sent_survey(make_conversation(brand), "nps")
    with pytest.raises(InvalidInput) as refused:
        record_answer(survey, 9, comment="x" * (answer_services.MAX_COMMENT + 1))
    assert refused.value.field == "comment"
    assert not SurveyResponse.objects.exists()


def test_an_expired_survey_takes_no_answer_nor_a_change(brand: Brand, event_log: Any) -> None:
    conversation = make_conversation(brand)
    late = sent_survey(conversation, "nps", expires_in=dt.timedelta(seconds=-1))
    with pytest.raises(SurveyExpired) as refused:
        record_answer(late, 9)
    assert refused.value.status == 410
    withdrawn = sent_survey(conversation, "csat")
    Survey.objects.filter(pk=withdrawn.pk).update(status=SurveyStatus.EXPIRED)
    with pytest.raises(SurveyExpired):
        record_answer(withdrawn, 5)
    answered = sent_survey(conversation, "ces")
    record_answer(answered, 6)
    Survey.objects.filter(pk=answered.pk).update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(SurveyExpired):
        record_answer(answered, 2, comment="changed my mind")
    assert SurveyResponse.objects.get(survey=answered).score == 6
    assert len(event_log.of(Event.SURVEY_ANSWERED)) == 1


def test_a_link_names_its_survey_and_nothing_else(brand: Brand) -> None:
    survey = sent_survey(make_conversation(brand), "nps")
    token = tokens.make_token(survey.pk)
    assert answer_services.survey_for_token(token).pk == survey.pk
    for bad in ["", "abc", token[:-2] + "xx", tokens.make_token(survey.pk + 999)]:
        with pytest.raises(NotFound):
            answer_services.survey_for_token(bad)


def test_two_taps_at_the_same_moment_make_one_answer(
    brand: Brand, monkeypatch: pytest.MonkeyPatch, event_log: Any
) -> None:
    from django.db import IntegrityError

    survey = sent_survey(make_conversation(brand), "nps")
    real = answer_services._record
    raced: list[bool] = []

    def racing(*args: Any) -> SurveyResponse:
        if not raced:  # the other tap writes first; this one's insert then collides
            raced.append(True)
            real(survey, 7, None, "")
            raise IntegrityError("UNIQUE constraint failed: surveys_surveyresponse.survey_id")
        return real(*args)

    monkeypatch.setattr(answer_services, "_record", racing)
    assert record_answer(survey, 9).score == 9
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    answered = event_log.of(Event.SURVEY_ANSWERED)
    assert [(p["score"], p["updated"]) for p in answered] == [(7, False), (9, True)]
