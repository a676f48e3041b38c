"""The simulated customer: properties (mood in range, empathy and correctness never raise
the mood, same seed same replies) and scripted dialogues in several languages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.training import simulator as sim

LAMP = sim.brief_of(
    opening="My lamp arrived broken and I'm annoyed.",
    facts={"order": "[number]", "problem": "the shade is cracked", "product": "Aurora lamp"},
    mood="angry",
    expected_resolution="We will send a new shade free of charge and refund the shipping.",
    key_points=["send a new shade", "refund the shipping"],
    policy_limits=[
        {"action": "refund", "limit": 50, "currency": "EUR"},
        {"action": "warranty_extension", "limit": 6, "unit": "months"},
    ],
)
EMPATHIC_CORRECT = (
    "I'm so sorry the lamp arrived broken, I understand how annoying that is. "
    "We will send a new shade free of charge and refund the shipping."
)

PHRASES = [
    "I'm sorry, I understand.",
    "Calm down, it's not my problem.",
    "Please wait.",
    "Could you tell me your order number?",
    "We will send a new shade.",
    "We refund the shipping.",
    "I can offer a refund of 80 EUR.",
    "Whatever.",
    "Hello",
    "Tut mir leid, wir senden einen neuen Schirm.",
    "请稍等",
    "",
]


def play(brief: sim.Brief, messages: list[str], seed: int = 0) -> list[sim.Turn]:
    state = sim.State(mood=brief.mood)
    turns = []
    for m in messages:
        turn = sim.respond(brief, state, m, seed=seed)
        turns.append(turn)
        state = turn.state
    return turns


@given(st.lists(st.one_of(st.sampled_from(PHRASES), st.text(max_size=80)), max_size=25))
def test_mood_stays_in_range(messages: list[str]) -> None:
    for turn in play(LAMP, messages):
        assert 0 <= turn.state.mood <= sim.MAX_MOOD
        assert turn.state.turns <= sim.MAX_TURNS


@given(st.lists(st.sampled_from(PHRASES), max_size=10), st.integers(0, sim.MAX_MOOD))
def test_an_empathic_correct_answer_never_raises_the_mood(before: list[str], mood: int) -> None:
    state = sim.State(mood=mood)
    for m in before:
        state = sim.respond(LAMP, state, m).state
    if state.done:
        return
    analysis = sim.analyse(EMPATHIC_CORRECT, LAMP, state)
    assert analysis.empathic and analysis.correct
    assert sim.mood_change(analysis) <= 0
    assert sim.respond(LAMP, state, EMPATHIC_CORRECT).state.mood <= state.mood


@given(
    st.lists(st.sampled_from(PHRASES), min_size=1, max_size=8),
    st.integers(0, 2**31),
)
def test_same_conversation_same_seed_same_replies(messages: list[str], seed: int) -> None:
    a = [t.reply for t in play(LAMP, messages, seed)]
    b = [t.reply for t in play(LAMP, messages, seed)]
    assert a == b


@given(st.text(max_size=200))
def test_state_round_trips_through_json(text: str) -> None:
    state = sim.respond(LAMP, sim.State(mood=LAMP.mood), text or "hi").state
    again = sim.State.from_dict(state.to_dict(), LAMP)
    assert again == state


def test_empathic_and_correct_calms_down_and_accepts() -> None:
    turns = play(
        LAMP,
        [
            "I'm really sorry about that, I understand how frustrating it is. "
            "Could you tell me your order number?",
            EMPATHIC_CORRECT,
        ],
    )
    assert turns[0].intent == "answer" and "[number]" in turns[0].reply
    assert turns[0].state.mood < LAMP.mood
    assert turns[1].intent == "accept" and turns[1].state.outcome == "accepted"
    assert turns[1].state.done and turns[1].state.mood <= 1


def test_rude_escalates_to_a_manager() -> None:
    turns = play(LAMP, ["Calm down, it's not your problem to judge, it's your fault.", "Whatever."])
    assert turns[0].intent == "escalate"
    assert "manager" in turns[0].reply
    assert turns[-1].state.outcome == "escalated" and turns[-1].state.done
    # a closed talk answers nothing more
    assert sim.respond(LAMP, turns[-1].state, "sorry").intent == "closed"


def test_stalling_annoys_and_is_noticed() -> None:
    calm = sim.brief_of(opening="Where is my parcel?", mood="worried")
    turn = play(calm, ["Please wait."])[0]
    assert turn.analysis.stalling and turn.intent == "stalled"
    assert turn.state.mood == sim.mood_level("worried") + 1


def test_offering_more_than_the_limits_is_a_breach() -> None:
    a = sim.analyse("I can refund you 80 EUR and extend the warranty by 12 months.", LAMP)
    assert a.breaches == ("refund 80 EUR > 50 EUR", "warranty_extension 12 months > 6 months")
    assert not a.correct
    within = sim.analyse("I can refund 30 € and extend the warranty by 3 months.", LAMP)
    assert within.breaches == ()


def test_facts_answer_questions() -> None:
    turn = play(LAMP, ["Which product is it, please?"])[0]
    assert turn.analysis.asks == ("product",)
    assert "Aurora lamp" in turn.reply and turn.state.facts_told == ["product"]


def test_grounding_against_kb_texts() -> None:
    index = sim.grounding_index(
        LAMP.facts, ["Replacement shades: we ship a replacement shade for any cracked shade."]
    )
    a = sim.analyse("We ship a replacement shade for the cracked shade.", LAMP, index=index)
    assert a.grounded >= sim.GROUNDED and a.correct
    off = sim.analyse("Have you tried turning it off and on?", LAMP, index=index)
    assert off.grounded < sim.GROUNDED


def test_replies_in_the_scenarios_language() -> None:
    for language, word in (("de", "Vorgesetzten"), ("fr", "responsable"), ("es", "responsable")):
        brief = sim.brief_of(opening="…", mood="angry", language=language)
        turns = play(brief, ["Whatever.", "Whatever."])
        assert word in turns[0].reply, (language, turns[0].reply)
    brief = sim.brief_of(opening="我的订单还没到", mood="frustrated", language="zh-hans")
    turn = play(brief, ["非常抱歉给您带来不便，我理解您的心情。"])[0]
    assert turn.analysis.empathic
    assert all(not ("a" <= c.lower() <= "z") for c in turn.reply)
    german = sim.brief_of(opening="Meine Lampe ist kaputt.", mood="frustrated", language="de")
    assert sim.analyse("Das tut mir leid, ich verstehe Ihren Ärger.", german).empathic
    assert sim.analyse("Beruhigen Sie sich.", german).rude
    french = sim.brief_of(opening="…", language="fr")
    assert sim.analyse("Je suis désolé, je comprends.", french).empathic
    spanish = sim.brief_of(opening="…", language="es")
    assert sim.analyse("Lo siento mucho, entiendo su molestia.", spanish).empathic


def test_system_prompt_has_the_facts_and_mood() -> None:
    prompt = sim.system_prompt(LAMP, sim.State(mood=4))
    assert "furious" in prompt and "Aurora lamp" in prompt and "[number]" in prompt


def test_japanese_customers_answer_in_japanese() -> None:
    brief = sim.brief_of(
        opening="Acme Hubが反応しません。", facts={"product": "Acme Hub"}, language="ja"
    )
    turn = play(brief, ["ご不便をおかけして申し訳ございません。製品名を教えていただけますか。"])[0]
    assert turn.analysis.empathic and turn.analysis.asks == ("product",)
    assert "Acme Hub" in turn.reply and "です" in turn.reply


@given(
    st.integers(1, 10_000),
    st.integers(1, 10_000),
    st.sampled_from(["{n} EUR", "€{n}", "{n} euros", "{n}€"]),
)
def test_money_offers_breach_only_above_the_limit(amount: int, limit: int, shape: str) -> None:
    limits = (sim.Limit(action="refund", limit=float(limit), currency="EUR"),)
    found = sim.breaches("I can refund " + shape.format(n=amount) + " today.", limits)
    assert bool(found) == (amount > limit)
    # another currency is not this limit's business
    assert sim.breaches(f"I can refund {amount} USD.", limits) == ()


@given(st.integers(1, 120), st.integers(1, 120))
def test_months_beyond_the_warranty_limit_breach(months: int, limit: int) -> None:
    limits = (sim.Limit(action="warranty_extension", limit=float(limit), unit="months"),)
    found = sim.breaches(f"We extend your warranty by {months} months.", limits)
    assert bool(found) == (months > limit)
