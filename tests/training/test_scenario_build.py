"""Turning a transcript into a scenario (pure), and the anonymiser's handling of names in
Chinese, Japanese and Korean (found by the demo test: "田中様")."""

from __future__ import annotations

from wowdesk.knowledge.anonymise import anonymise
from wowdesk.training import scenario_build as sb


def test_build_from_a_transcript() -> None:
    source = sb.Source(
        lines=[
            sb.Line(
                "customer",
                "Hi, I'm Maria Lopez. My order ORD-2024-0042 arrived broken, "
                "call me on +49 151 23456789 or maria@example.com. I live at 12 Baker Street.",
                "angry",
            ),
            sb.Line("agent", "Hello Maria, I'm so sorry. Could you send a photo?"),
            sb.Line("customer", "Here it is. Serial SN-99812."),
            sb.Line(
                "agent",
                "Hi Maria,\n\nThanks! We will send a replacement today and refund the "
                "shipping.\n\nBest regards,\nJohn Smith",
            ),
        ],
        names=["Maria Lopez", "John Smith"],
        subject="Broken lamp, order ORD-2024-0042",
        language="en",
        phone="+4915123456789",
        products=["Aurora lamp"],
        order_refs=["ORD-2024-0042", "SN-99812"],
        policy_limits=[{"action": "refund", "limit": 50.0, "currency": "EUR"}],
    )
    out = sb.build(source)
    text = repr(out)
    for secret in (
        "Maria",
        "Lopez",
        "John",
        "Smith",
        "ORD-2024",
        "23456789",
        "maria@",
        "Baker",
        "99812",
    ):
        assert secret not in text, secret
    assert out["mood"] == "angry" and out["market"] == "DE" and out["product"] == "Aurora lamp"
    assert out["facts"]["order"] == "[number]" and out["facts"]["customer_name"] == "[name]"
    assert out["expected_resolution"].startswith("Thanks! We will send a replacement")
    assert "We will send a replacement today and refund the shipping" in out["key_points"]
    assert [t["role"] for t in out["transcript"]] == ["customer", "agent", "customer", "agent"]
    assert out["difficulty"] == "hard"  # four messages and angry
    assert out["policy_limits"] == [{"action": "refund", "limit": 50.0, "currency": "EUR"}]


def test_market_and_difficulty() -> None:
    assert sb.market_of("+81312345678", "en") == "JP"
    assert sb.market_of("", "de") == "DE"
    assert sb.market_of("", "xx") == ""
    assert sb.difficulty_of(2, "calm") == "easy"
    assert sb.difficulty_of(4, "frustrated") == "medium"


def test_names_inside_cjk_text_are_removed() -> None:
    assert (
        anonymise("田中様\n\nありがとうございます。", ["田中 健"])
        == "[name]様\n\nありがとうございます。"
    )
    assert anonymise("王先生您好，王伟的订单", ["王伟"]) == "[name]先生您好，[name]的订单"
    assert anonymise("김민수님 안녕하세요", ["김민수"]) == "[name]님 안녕하세요"
    # a one-letter family name alone is not a name ("王" is also "king")
    assert anonymise("国王", ["王伟"]) == "国王"
