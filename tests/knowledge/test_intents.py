"""Per-brand intent models (knowledge.intents) and POST /api/v1/intents/classify."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.factories import make_conversation
from tests.knowledge.intent_examples import EXAMPLES
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.knowledge import intent as pure
from wowdesk.knowledge import intents
from wowdesk.knowledge.models import Article, ArticleStatus, SuggestionUse

ACME_INTENTS = ("card_arrival", "reset_password", "refund")
GLOBEX_INTENTS = ("cancel_order", "opening_hours", "change_address")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path) -> Any:
    with override_settings(DATA_DIR=tmp_path):
        intents.forget()
        yield tmp_path
        intents.forget()


def article(brand: Brand, name: str, *, n: int = 0, **over: Any) -> Article:
    """A published article answering intent ``name`` (``over`` changes any field)."""
    examples = EXAMPLES[name]
    fields: dict[str, Any] = {
        "brand": brand,
        "language": "en",
        "title": examples[0].capitalize(),
        "slug": f"{name}-{n}",
        "body": "\n".join(f"- {e.capitalize()}?" for e in examples[1:])
        + "\n\nWe answer this in [our guide](https://example.com/guide).",
        "intent": name,
        "status": ArticleStatus.PUBLISHED,
    }
    fields.update(over)
    return Article.objects.create(**fields)


def seed(brand: Brand, names: tuple[str, ...]) -> dict[str, Article]:
    return {name: article(brand, name) for name in names}


def test_sentences_strip_markdown_and_keep_questions() -> None:
    text = "# Title\n\n- **Where** is my card?\n1. Track it [here](http://x.y).\nok\n![img](a.png)"
    assert intents.sentences(text) == ["Where is my card?", "Track it here."]


def test_a_brand_without_a_model_is_out_of_scope(brand: Brand) -> None:
    result = intents.classify(brand.pk, "I forgot my password")
    assert result == intents.IntentResult(None, 0.0, True, None)


def test_a_brand_with_no_labelled_article_gets_no_model(brand: Brand) -> None:
    article(brand, "refund", intent="")
    article(brand, "refund", n=1, status=ArticleStatus.DRAFT)
    article(brand, "refund", n=2, internal=True)
    assert intents.train_brand(brand.pk) is None
    assert not intents.model_path(brand.pk).exists()
    assert intents.classify(brand.pk, "please refund me").out_of_scope


def test_each_brand_gets_its_own_intents(brand: Brand, other_brand: Brand) -> None:
    acme, globex = seed(brand, ACME_INTENTS), seed(other_brand, GLOBEX_INTENTS)
    assert intents.train_all() == {brand.pk: True, other_brand.pk: True}
    a = intents.classify(brand.pk, "my card hasn't come in the post yet", "en")
    assert (a.intent, a.out_of_scope, a.article_id) == (
        "card_arrival",
        False,
        acme["card_arrival"].pk,
    )
    g = intents.classify(other_brand.pk, "I need to cancel the order I placed", "en")
    assert (g.intent, g.article_id) == ("cancel_order", globex["cancel_order"].pk)
    # brand A's intents are never returned for brand B, even for B-style text asked of A
    for text in ["cancel my order please", "what are your opening hours", "change my address"]:
        result = intents.classify(brand.pk, text)
        assert result.intent in {None, *ACME_INTENTS}
        assert result.article_id in {None, *(x.pk for x in acme.values())}
    for text in ["forgot my password", "where is my card", "refund please"]:
        result = intents.classify(other_brand.pk, text)
        assert result.intent in {None, *GLOBEX_INTENTS}


def test_out_of_scope_text_goes_out_of_scope(brand: Brand) -> None:
    seed(brand, ACME_INTENTS)
    intents.train_brand(brand.pk)
    for text in ["what is the weather in paris tomorrow", "tell me a joke", "who wrote hamlet"]:
        result = intents.classify(brand.pk, text)
        assert result.out_of_scope and result.intent is None and result.article_id is None, text


def test_retraining_only_when_the_training_set_changes(brand: Brand) -> None:
    arts = seed(brand, ACME_INTENTS)
    first = intents.train_brand(brand.pk)
    assert first is not None
    mtime = intents.model_path(brand.pk).stat().st_mtime_ns
    assert intents.train_brand(brand.pk) is not None
    assert intents.model_path(brand.pk).stat().st_mtime_ns == mtime  # unchanged: kept
    assert intents.training_digest(brand.pk) == first.digest
    Article.objects.filter(pk=arts["refund"].pk).update(status=ArticleStatus.ARCHIVED)
    assert intents.training_digest(brand.pk) != first.digest
    intents.refresh_stale()
    model = intents.load_model(brand.pk)
    assert model is not None and "refund" not in model.labels


def test_article_id_is_the_published_public_source(brand: Brand) -> None:
    source = article(brand, "refund", language="en")
    article(brand, "refund", n=1, language="de", translation_of=source, title="Rückerstattung")
    seed(brand, ("card_arrival", "reset_password"))
    intents.train_brand(brand.pk)
    assert intents.classify(brand.pk, "I want my money back").article_id == source.pk
    Article.objects.filter(pk=source.pk).update(status=ArticleStatus.ARCHIVED)
    # only the translation is published: its source id is still the answer's id
    assert intents.article_for(brand.pk, "refund") == source.pk


def test_solved_conversations_teach_the_model(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    arts = seed(brand, ("card_arrival", "reset_password"))
    before = intents.training_set(brand.pk)
    conversation = make_conversation(brand, body="Mi tarjeta nueva todavía no ha llegado")
    SuggestionUse.objects.create(
        brand=brand, conversation=conversation, article=arts["card_arrival"],
        agent=make_agent(Role.AGENT), action=SuggestionUse.Action.SOLVED,
    )  # fmt: skip
    SuggestionUse.objects.create(
        brand=brand, conversation=conversation, article=arts["reset_password"],
        action=SuggestionUse.Action.INSERTED,
    )  # fmt: skip
    texts, labels = intents.training_set(brand.pk)
    assert len(texts) == len(before[0]) + 1
    assert (texts[-1], labels[-1]) == ("Mi tarjeta nueva todavía no ha llegado", "card_arrival")


def test_the_model_file_is_plain_arrays(brand: Brand) -> None:
    seed(brand, ACME_INTENTS)
    intents.train_brand(brand.pk)
    import numpy as np

    with np.load(intents.model_path(brand.pk), allow_pickle=False) as z:
        assert "coef" in z.files and "meta" in z.files
    assert pure.OUT_OF_SCOPE in intents.load_model(brand.pk).labels  # type: ignore[union-attr]


# --- API --------------------------------------------------------------------------------------

URL = "/intents/classify"


@pytest.fixture
def trained(brand: Brand, other_brand: Brand) -> tuple[dict[str, Article], dict[str, Article]]:
    acme, globex = seed(brand, ACME_INTENTS), seed(other_brand, GLOBEX_INTENTS)
    intents.train_all()
    return acme, globex


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_api_classifies_in_the_agents_brand(
    role: str,
    trained: tuple[dict[str, Article], dict[str, Article]],
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., Any],
) -> None:
    acme, globex = trained
    for own, arts, text, expected in (
        (brand, acme, "I forgot my password, help", "reset_password"),
        (other_brand, globex, "when are you open on saturday", "opening_hours"),
    ):
        api = make_api(make_agent(role, brands=[own]))
        r = api.post(URL, {"text": text, "language": "en"})
        assert r.status_code == 200, r.json()
        body = r.json()
        assert body["intent"] == expected and body["out_of_scope"] is False
        assert body["article_id"] == arts[expected].pk
        assert 0.0 < body["confidence"] <= 1.0
        # the other brand's id: 403
        other = other_brand if own == brand else brand
        assert api.post(f"{URL}?brand_id={other.pk}", {"text": text}).status_code == 403
        assert api.post(f"{URL}?brand_id={own.pk}", {"text": text}).json()["intent"] == expected


def test_api_agent_of_two_brands_names_the_brand(
    trained: Any,
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[..., Any],
) -> None:
    api = make_api(make_agent(Role.AGENT, brands=[brand, other_brand]))
    assert api.post(URL, {"text": "refund please"}).status_code == 403
    r = api.post(f"{URL}?brand_id={other_brand.pk}", {"text": "I want my money back"})
    assert r.status_code == 200
    assert r.json()["intent"] in {None, *GLOBEX_INTENTS}


def test_api_out_of_scope(trained: Any, api: Any) -> None:
    body = api.post(URL, {"text": "what is the tallest mountain in africa"}).json()
    assert body["out_of_scope"] is True and body["intent"] is None and body["article_id"] is None


def test_api_anonymous_is_refused(anon_api: Any) -> None:
    assert anon_api.post(URL, {"text": "refund"}).status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "refund", "language": "x" * 40}, "language"),
        ({}, "text"),
        ({"text": None}, "text"),
        ({"text": ["refund"]}, "text"),
    ],
)
def test_api_bad_input_is_422_naming_the_field(
    api: Any, payload: dict[str, Any], field: str
) -> None:
    r = api.post(URL, payload)
    assert r.status_code == 422, r.json()
    assert field in str(r.json())


def test_api_text_of_5000_characters_is_accepted(trained: Any, api: Any) -> None:
    r = api.post(URL, {"text": "refund " * 714 + "x"})
    assert r.status_code == 200


# --- the command ------------------------------------------------------------------------------


def test_kb_train_intents_trains_the_brands(brand: Brand, other_brand: Brand) -> None:
    from typer.testing import CliRunner

    from wowdesk.cli import app

    runner = CliRunner()
    seed(brand, ACME_INTENTS)
    result = runner.invoke(app, ["kb-train-intents", "--brand", "acme"])
    assert result.exit_code == 0, result.output
    assert "acme: trained" in result.stdout
    assert intents.model_path(brand.pk).exists()
    assert not intents.model_path(other_brand.pk).exists()

    everyone = runner.invoke(app, ["kb-train-intents"])
    assert everyone.exit_code == 0, everyone.output
    assert "globex: no intent-labelled articles" in everyone.stdout

    for slug in ("nope", "ACME", ""):
        unknown = runner.invoke(app, ["kb-train-intents", "--brand", slug])
        assert unknown.exit_code == 2, slug
        assert "brand" in unknown.stderr


def test_migrate_step_trains_the_brands_with_intents(brand: Brand, other_brand: Brand) -> None:
    from wowdesk.setup import train_models

    seed(other_brand, GLOBEX_INTENTS)
    train_models()
    assert intents.model_path(other_brand.pk).exists()
    assert not intents.model_path(brand.pk).exists()


def test_the_background_refresh_job_is_registered_by_knowledge() -> None:
    from wowdesk.core import jobs

    found = {j.name: (j.app, j.path, j.every) for j in jobs.jobs()}
    assert found["knowledge.intents.refresh"] == (
        "knowledge",
        "wowdesk.knowledge.intents.refresh_stale",
        intents.REFRESH_SECONDS,
    )
