"""The routing rules as properties: whatever the agents, the choice is never off shift,
never without the language, never over capacity; and someone eligible is always found."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.routing.engine import (
    AgentState,
    Requirement,
    Strategy,
    Waiting,
    choose,
    eligible,
    order_queue,
)

LANGS = ["en", "de", "id", "zh", "ar", "es"]
CHANNELS = ["email", "chat", "voice", "api"]
SKILLS = ["product:lamps", "product:sofas", "tier:vip", "channel:voice"]


@st.composite
def agents(draw: st.DrawFn, ident: int) -> AgentState:
    langs = draw(st.dictionaries(st.sampled_from(LANGS), st.integers(1, 5), max_size=4))
    capacity = draw(
        st.dictionaries(
            st.sampled_from([*CHANNELS, "*"]), st.integers(0, 5), min_size=1, max_size=3
        )
    )
    load = draw(st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 6), max_size=4))
    return AgentState(
        id=ident,
        name=f"a{ident}",
        site="s",
        presence=draw(st.sampled_from(["online", "online", "away", "offline"])),
        on_shift=draw(st.booleans()),
        languages=langs,
        skills=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=3))),
        capacity=capacity,
        load=load,
        last_assigned_at=draw(st.floats(0, 1e9)),
    )


@st.composite
def pools(draw: st.DrawFn) -> list[AgentState]:
    n = draw(st.integers(0, 12))
    return [draw(agents(i)) for i in range(1, n + 1)]


requirements = st.builds(
    Requirement,
    channel=st.sampled_from(CHANNELS),
    language=st.sampled_from(["", *LANGS]),
    min_level=st.integers(1, 4),
    skills=st.frozensets(st.sampled_from(SKILLS), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(pools(), requirements, st.sampled_from(list(Strategy)), st.none() | st.integers(0, 13))
def test_the_chosen_agent_always_qualifies(
    pool: list[AgentState], req: Requirement, strategy: Strategy, last: int | None
) -> None:
    decision = choose(pool, req, strategy, last)
    qualified = [a for a in pool if eligible(a, req)]
    if decision.agent is None:
        assert qualified == []
        return
    a = decision.agent
    assert a.presence == "online" and a.on_shift
    if req.language:
        assert a.languages.get(req.language, 0) >= req.min_level
    assert req.skills <= a.skills
    assert a.load_for(req.channel) < a.capacity_for(req.channel)
    assert decision.candidates == len(qualified)


@settings(max_examples=100, deadline=None)
@given(pools(), requirements)
def test_least_loaded_picks_the_lowest_utilisation(
    pool: list[AgentState], req: Requirement
) -> None:
    decision = choose(pool, req, Strategy.LEAST_LOADED)
    if decision.agent is not None:
        best = min(a.utilisation(req.channel) for a in pool if eligible(a, req))
        assert decision.agent.utilisation(req.channel) == best


def test_round_robin_takes_turns() -> None:
    pool = [
        AgentState(
            id=i,
            name=f"a{i}",
            site="",
            presence="online",
            on_shift=True,
            languages={"en": 3},
            skills=frozenset(),
            capacity={"*": 9},
            load={},
        )
        for i in (3, 5, 9)
    ]
    req = Requirement(channel="chat", language="en")
    picks, last = [], None
    for _ in range(4):
        agent = choose(pool, req, Strategy.ROUND_ROBIN, last).agent
        assert agent is not None
        picks.append(agent.id)
        last = agent.id
    assert picks == [3, 5, 9, 3]


def test_nobody_eligible_says_why() -> None:
    pool = [
        AgentState(
            id=1,
            name="a",
            site="",
            presence="online",
            on_shift=False,
            languages={"de": 3},
            skills=frozenset(),
            capacity={"*": 9},
            load={},
        )
    ]
    decision = choose(pool, Requirement(channel="chat", language="de"))
    assert decision.agent is None
    assert decision.reason == "nobody eligible for language de (off shift: 1)"


@given(
    st.lists(
        st.builds(
            Waiting,
            conversation_id=st.integers(1, 10**6),
            priority=st.sampled_from(["low", "normal", "high", "urgent"]),
            vip=st.booleans(),
            angry=st.booleans(),
            sla_at_risk=st.booleans(),
            waiting_since=st.floats(0, 1e9),
        ),
        max_size=30,
    )
)
def test_angry_and_vip_always_before_the_others(queue: list[Waiting]) -> None:
    ordered = order_queue(queue)
    seen_plain = False
    for w in ordered:
        if not (w.angry or w.vip):
            seen_plain = True
        else:
            assert not seen_plain


@settings(max_examples=150, deadline=None)
@given(pools(), requirements, st.sampled_from(list(Strategy)), st.none() | st.integers(0, 13))
def test_the_indexed_roster_decides_like_the_full_scan(
    pool: list[AgentState], req: Requirement, strategy: Strategy, last: int | None
) -> None:
    from wowdesk.routing.engine import Roster

    full = choose(pool, req, strategy, last)
    fast = Roster(pool).choose(req, strategy, last)
    assert (fast.agent, fast.candidates) == (full.agent, full.candidates)
    if full.agent is None:
        assert (fast.reason, dict(fast.rejections)) == (full.reason, dict(full.rejections))
