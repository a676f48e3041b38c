"""The demo's pure parts: data loading, text clean-up, the history generator."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wowdesk.demo import catalog, generate, phrases
from wowdesk.demo.sources import (
    VENDORED_DIR,
    DemoCorpus,
    detokenize,
    fill_placeholders,
    load_vendored,
)

ROOT = Path(__file__).resolve().parents[2]
# The public data sets as published (not part of the repo), when this machine has them.
SHARED = Path(os.environ.get("WOWDESK_DATASETS_DIR", "/nonexistent"))
NOW = dt.datetime(2025, 6, 4, 15, 30, tzinfo=dt.UTC)


@cache
def corpus() -> DemoCorpus:
    return load_vendored()


def agents(brand: catalog.BrandSpec) -> list[generate.AgentRef]:
    sites = {s.name: s for s in catalog.SITES}
    return [
        generate.AgentRef(
            key=i,
            name=a.name,
            languages=frozenset(a.languages),
            skills=frozenset(a.skills),
            site_timezone=sites[a.site].timezone,
            region=sites[a.site].region,
        )
        for i, a in enumerate(catalog.AGENTS, start=1)
        if brand.slug in a.brands and a.role != "admin"
    ]


# --- vendored data --------------------------------------------------------------------


def test_vendored_samples_are_small_licensed_and_multilingual() -> None:
    files = [p for p in VENDORED_DIR.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_000_000
    names = {p.relative_to(VENDORED_DIR).as_posix() for p in files}
    assert {"bitext/LICENSE.txt", "bitext/README.md", "xsid/LICENSE", "xsid/README.md"} <= names
    assert (
        "Community Data License Agreement" in (VENDORED_DIR / "bitext" / "LICENSE.txt").read_text()
    )
    assert "ShareAlike 4.0" in (VENDORED_DIR / "xsid" / "LICENSE").read_text()
    c = corpus()
    assert len(c.exchanges) >= 300
    assert len({e.intent for e in c.exchanges}) == 27
    assert not any("W" in e.tags for e in c.exchanges)
    assert len(c.requests) == 60
    assert len(c.languages) >= 10
    assert set(phrases.LANGUAGES) <= set(c.languages)


@pytest.mark.skipif(not (SHARED / "xsid").exists(), reason="WOWDESK_DATASETS_DIR is not set")
def test_vendor_script_reproduces_the_samples(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "vendor_demo_data.py"),
            "--source",
            str(SHARED),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for rel in ("bitext/sample.json", "xsid/sample.json", "bitext/LICENSE.txt", "xsid/LICENSE"):
        assert (tmp_path / rel).read_bytes() == (VENDORED_DIR / rel).read_bytes(), rel
    json.loads((tmp_path / "xsid" / "sample.json").read_text())


# --- text clean-up --------------------------------------------------------------------


def test_detokenize_joins_japanese_and_arabic_punctuation() -> None:
    assert detokenize("今日 は 雨 が 降り ます か ？") == "今日は雨が降りますか？"
    assert detokenize("午後 5 時 の アラーム") == "午後5時のアラーム"
    assert detokenize("5時3 0分") == "5時30分"
    assert detokenize("هل ستمطر اليوم ؟") == "هل ستمطر اليوم؟"
    assert detokenize("Wird es heute regnen ?") == "Wird es heute regnen?"
    assert detokenize("set it to 5 30") == "set it to 5 30"  # digits alone are left


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_detokenize_is_idempotent(text: str) -> None:
    once = detokenize(text)
    assert detokenize(once) == once


def test_fill_placeholders() -> None:
    text = "Call {{Customer Support Phone Number}} or open {{Order History}} on {{website name}}."
    values = {"Customer Support Phone Number": "+1 800 555 0142", "Website Name": "acme.demo"}
    assert fill_placeholders(text, values) == (
        "Call +1 800 555 0142 or open Order History on acme.demo."
    )


@given(st.lists(st.text(alphabet="abcdefgh XYZ", min_size=1, max_size=12), max_size=6))
def test_fill_placeholders_leaves_no_slot(labels: list[str]) -> None:
    text = " and ".join("{{" + label + "}}" for label in labels)
    assert "{{" not in fill_placeholders(text, {"a": "1"})


# --- small maths ----------------------------------------------------------------------


@given(
    st.integers(min_value=0, max_value=5000),
    st.dictionaries(st.sampled_from("abcdefghij"), st.integers(1, 50), min_size=1),
)
def test_allocate_splits_exactly_and_fairly(total: int, weights: dict[str, int]) -> None:
    out = generate.allocate(total, weights)
    assert len(out) == total
    whole = sum(weights.values())
    for key, w in weights.items():
        share = total * w / whole
        assert abs(out.count(key) - share) < 1
        if share >= 1:
            assert out.count(key) >= 1


def test_allocate_gives_every_demo_language_a_customer_in_a_small_demo() -> None:
    assert set(generate.allocate(20, phrases.LANGUAGE_WEIGHTS)) == set(phrases.LANGUAGES)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(-60, 60))
def test_add_months(day: dt.date, months: int) -> None:
    out = generate.add_months(day, months)
    assert (out.year * 12 + out.month) - (day.year * 12 + day.month) == months
    assert out.day == min(day.day, 28)


# --- summaries ------------------------------------------------------------------------

DIRECTIONS = st.sampled_from([generate.IN, generate.OUT, generate.NOTE, generate.ACTIVITY])


@given(st.lists(st.tuples(DIRECTIONS, st.integers(0, 10_000)), min_size=1), st.booleans())
def test_summarize_follows_the_services_rules(steps: list[tuple[str, int]], resolved: bool) -> None:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    messages = [
        generate.MessagePlan(d, start + dt.timedelta(seconds=s))
        for d, s in sorted(steps, key=lambda x: x[1])
    ]
    s = generate.summarize(messages, resolved=resolved)
    assert s.message_count == sum(m.direction != generate.ACTIVITY for m in messages)
    outs = [m.at for m in messages if m.direction == generate.OUT]
    ins = [m.at for m in messages if m.direction == generate.IN]
    assert s.first_response_at == (outs[0] if outs else None)
    assert s.last_message_at == (max(outs + ins) if outs + ins else None)
    assert s.updated_at == max(m.at for m in messages)
    last_out = max((i for i, m in enumerate(messages) if m.direction == generate.OUT), default=-1)
    unanswered = [m.at for m in messages[last_out + 1 :] if m.direction == generate.IN]
    if resolved or not unanswered:
        assert s.waiting_since is None
    else:
        assert s.waiting_since == unanswered[0]


# --- plans ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(catalog.BRANDS))
def test_planned_histories_are_consistent(seed: int, brand: catalog.BrandSpec) -> None:
    rng = random.Random(seed)
    customers = generate.plan_customers(rng, brand, 12, NOW.date())
    planner = generate.ConversationPlanner(rng, brand, corpus(), agents(brand), NOW)
    plans = generate.plan_conversations(planner, customers, 30)
    assert len(plans) == 30
    assert {p.customer for p in plans} == {c.index for c in customers}
    assert [p.created_at for p in plans] == sorted(p.created_at for p in plans)
    by_key = {a.key: a for a in agents(brand)}
    for p in plans:
        times = [m.at for m in p.messages]
        assert times == sorted(times) and times[-1] <= NOW
        assert NOW - dt.timedelta(days=generate.HISTORY_DAYS + 1) < p.created_at
        assert p.messages[0].direction == generate.IN and p.messages[0].at == p.created_at
        talk = [m for m in p.messages if m.direction in (generate.IN, generate.OUT)]
        if p.status == "open":
            assert talk[-1].direction == generate.IN and p.resolved_at is None
        elif p.status == "pending":
            assert talk[-1].direction == generate.OUT and p.resolved_at is None
        else:
            assert p.status == "resolved" and p.resolved_at is not None
            assert p.messages[-1].event == "resolved"
        assert set(p.tags) <= set(catalog.TAG_COLORS)
        if p.assignee is not None:
            assert p.language in by_key[p.assignee].languages
        holder: int | None = None  # who has the conversation at each point of the story
        for m in p.messages:
            if m.direction in (generate.IN, generate.OUT):
                assert m.language == p.language and m.body.strip()
            if m.event == "assigned":
                holder = m.params["agent_id"]
            if m.direction in (generate.OUT, generate.NOTE):
                assert m.author is not None and m.author == holder, "written by the assignee"
        assert holder == p.assignee
        owner = customers[p.customer]
        assert p.channel in owner.channels
        first_purchase = min(x.purchased_on for x in owner.purchases)
        assert first_purchase < p.created_at.date()


def test_customers_have_reachable_identities_and_valid_warranties() -> None:
    today = NOW.date()
    for brand in catalog.BRANDS:
        customers = generate.plan_customers(random.Random(1), brand, 200, today)
        emails = [c.email for c in customers if c.email]
        assert len(emails) == len(set(emails))
        states = {"soon": 0, "expired": 0, "later": 0}
        for c in customers:
            assert c.email or c.phone or c.handle
            assert any(p.product.voice for p in c.purchases)
            for p in c.purchases:
                assert p.purchased_on < p.warranty_until
                left = (p.warranty_until - today).days
                states["expired" if left < 0 else "soon" if left <= 30 else "later"] += 1
        assert all(n > 0 for n in states.values()), states


def test_same_seed_same_plans() -> None:
    brand = catalog.BRANDS[0]

    def run(seed: int) -> list[tuple[str, str, str, int]]:
        rng = random.Random(seed)
        customers = generate.plan_customers(rng, brand, 10, NOW.date())
        planner = generate.ConversationPlanner(rng, brand, corpus(), agents(brand), NOW)
        return [
            (p.subject, p.status, p.messages[0].body, len(p.messages))
            for p in generate.plan_conversations(planner, customers, 25)
        ]

    assert run(5) == run(5)
    assert run(5) != run(6)
