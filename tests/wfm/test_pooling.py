"""Pooling: queues linked by multi-skilled agents need no more agents together than apart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.wfm import erlang as E
from wowdesk.wfm import pooling as P

TARGET = E.Target(service_level=0.8, seconds=20)


def test_groups_follow_the_agents_languages() -> None:
    groups = P.linked_groups(["de", "en", "fr", "ja"], [["de", "en"], ["en"], ["fr", "de"], ["ja"]])
    assert groups == [["de", "en", "fr"], ["ja"]]


def test_two_small_queues_pooled_need_fewer_agents() -> None:
    r = P.pooling_savings(
        {"de": [40, 40], "fr": [40, 40]},
        [["de", "fr"]],
        interval_seconds=1800,
        aht_seconds=180,
        target=TARGET,
    )
    assert r.groups == [["de", "fr"]]
    assert r.pooled_agents[0] < r.separate_agents[0]
    assert r.saved_agent_intervals > 0 and 0 < r.saved_share < 1


def test_no_multilingual_agent_saves_nothing() -> None:
    r = P.pooling_savings(
        {"de": [40], "fr": [40]},
        [["de"], ["fr"]],
        interval_seconds=1800,
        aht_seconds=180,
        target=TARGET,
    )
    assert r.saved_agent_intervals == 0 and r.pooled_agents == r.separate_agents


@settings(max_examples=60)
@given(
    loads=st.dictionaries(
        st.sampled_from(["ar", "de", "en", "es", "fr", "ja", "zh"]),
        st.lists(st.integers(0, 300), min_size=3, max_size=3),
        min_size=1,
    ),
    skills=st.lists(
        st.lists(st.sampled_from(["ar", "de", "en", "es", "fr", "ja", "zh"]), max_size=3)
    ),
)
def test_pooling_never_needs_more_agents(
    loads: dict[str, list[int]], skills: list[list[str]]
) -> None:
    r = P.pooling_savings(loads, skills, interval_seconds=1800, aht_seconds=240, target=TARGET)
    assert all(p <= s for p, s in zip(r.pooled_agents, r.separate_agents, strict=True))
    assert sorted(q for g in r.groups for q in g) == sorted(loads)
