"""Language, mood and translation on real conversations, through the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import ApiClient, inbound
from tests.intelligence.translation_servers import FakeLibreTranslate
from wowdesk.conversations.models import Message
from wowdesk.core.models import Alert, AlertKind
from wowdesk.customers.models import Customer
from wowdesk.intelligence import services
from wowdesk.intelligence.translate import DatabaseTranslationCache, reset_provider
from wowdesk.intelligence.translation import provider_from_settings


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate() as server:
        reset_provider(
            provider_from_settings(
                "libretranslate", server.url, timeout=5, cache=DatabaseTranslationCache()
            )
        )
        yield server
    reset_provider(None)


@pytest.fixture
def no_provider() -> Iterator[None]:
    reset_provider(provider_from_settings("none"))
    yield
    reset_provider(None)


LINES = {
    "de": "Guten Tag, meine Bestellung ist leider beschädigt angekommen.",
    "zh": "我的订单还没有到，请帮我查一下物流信息。",
    "id": "Halo, pesanan saya belum sampai sejak minggu lalu.",
    "ja": "注文した商品がまだ届いていません。確認してください。",
    "ar": "لم يصل طلبي بعد، أرجو المساعدة في تتبع الشحنة.",
    "tr": "Siparişim hâlâ gelmedi, lütfen kargo durumunu kontrol eder misiniz?",
    "it": "Buongiorno, il mio ordine è arrivato danneggiato, cosa posso fare?",
    "nl": "Goedemiddag, mijn bestelling is nog steeds niet aangekomen.",
}


def test_messages_in_eight_languages_get_their_language(api: ApiClient) -> None:
    for i, (code, text) in enumerate(LINES.items()):
        r = api.post(
            "/inbound", inbound(f"l-{i}", body=text, **{"from": {"email": f"c{i}@example.com"}})
        )
        conversation = api.get(f"/conversations/{r.json()['conversation_id']}").json()
        assert conversation["language"] == code, text
        assert conversation["messages"][0]["language"] == code
        assert Customer.objects.get(email=f"c{i}@example.com").language == code


def test_a_short_message_takes_the_customers_known_language(api: ApiClient) -> None:
    api.post("/inbound", inbound("k-1", body=LINES["id"]))
    cid = api.post("/inbound", inbound("k-2", body="ok")).json()["conversation_id"]
    last = api.get(f"/conversations/{cid}").json()["messages"][-1]
    assert (last["body"], last["language"]) == ("ok", "id")
    assert Message.objects.get(external_id="k-2").meta["language_source"] == "fallback"


def test_emotion_is_scored_in_the_background_and_a_sharp_drop_alerts(api: ApiClient) -> None:
    cid = api.post(
        "/inbound", inbound("e-1", body="Thank you so much, the support was wonderful!")
    ).json()["conversation_id"]
    api.post(
        "/inbound",
        inbound(
            "e-2", body="THIS IS UNACCEPTABLE!!! Third time broken. I will cancel and sue you."
        ),
    )
    assert Message.objects.filter(emotion__isnull=False).count() == 0  # not inline
    for m in Message.objects.filter(conversation_id=cid).order_by("id"):
        services.score_emotion(m.pk)
    msgs = api.get(f"/conversations/{cid}").json()["messages"]
    assert msgs[0]["emotion"] > 0.3 and msgs[0]["emotion_label"] in {"satisfied", "delighted"}
    assert msgs[1]["emotion"] < -0.5 and msgs[1]["emotion_label"] == "angry"
    alert = Alert.objects.get(conversation_id=cid)
    assert alert.kind == AlertKind.MOOD_DROP
    mood = api.get(f"/conversations/{cid}/mood").json()
    assert [round(p["score"], 3) for p in mood["points"]] == [
        round(m["emotion"], 3) for m in msgs[:2]
    ]
    assert mood["trend"] < -0.8


def test_an_agent_reads_a_chinese_message_in_english(
    api: ApiClient, libre: FakeLibreTranslate
) -> None:
    cid = api.post("/inbound", inbound("t-1", body="我的订单还没有到。")).json()["conversation_id"]
    mid = api.get(f"/conversations/{cid}").json()["messages"][0]["id"]
    r = api.get(f"/messages/{mid}/translation", target="en").json()
    assert r == {
        "original": "我的订单还没有到。",
        "text": "My order has not arrived yet.",
        "source_language": r["source_language"],
        "target_language": "en",
        "provider": r["provider"],
        "available": True,
        "detail": r["detail"],
        "cached": False,
    }
    again = api.get(f"/messages/{mid}/translation", target="en").json()
    assert again["cached"] is True
    assert len(libre.posts("/translate")) == 1


def test_a_reply_goes_out_in_the_customers_language_with_the_original_kept(
    api: ApiClient, libre: FakeLibreTranslate
) -> None:
    cid = api.post(
        "/inbound", inbound("t-2", body="我的订单还没有到，请帮我查一下物流信息。")
    ).json()["conversation_id"]
    preview = api.post(
        f"/conversations/{cid}/reply-translation", {"body": "Your order arrives tomorrow."}
    ).json()
    assert (preview["original"], preview["text"]) == (
        "Your order arrives tomorrow.",
        "您的订单明天送达。",
    )
    sent = api.post(
        f"/conversations/{cid}/replies",
        {"body": "Your order arrives tomorrow.", "translate_to": "zh"},
    )
    assert sent.status_code == 201
    assert sent.json()["body"] == "您的订单明天送达。"
    assert sent.json()["original_body"] == "Your order arrives tomorrow."


def test_without_a_provider_it_says_so_plainly(api: ApiClient, no_provider: None) -> None:
    cid = api.post("/inbound", inbound("t-3", body=LINES["de"])).json()["conversation_id"]
    mid = api.get(f"/conversations/{cid}").json()["messages"][0]["id"]
    r = api.get(f"/messages/{mid}/translation", target="en").json()
    assert r["available"] is False and r["text"] is None
    assert "no translation available" in r["detail"]
    refused = api.post(
        f"/conversations/{cid}/replies", {"body": "We are on it.", "translate_to": "de"}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "translate_to"
    assert Message.objects.filter(conversation_id=cid, direction="out").count() == 0


def test_waiting_messages_are_scored_in_one_batch(api: ApiClient) -> None:
    for i, text in enumerate(["Danke, alles bestens!", "Wo bleibt mein Paket??", LINES["zh"]]):
        api.post("/inbound", inbound(f"b-{i}", body=text, **{"from": {"email": f"b{i}@x.com"}}))
    assert services.score_pending() == 3
    assert Message.objects.filter(direction="in", emotion__isnull=True).count() == 0
    assert services.score_pending() == 0
