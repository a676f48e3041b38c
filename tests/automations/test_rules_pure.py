"""The pure rule evaluator (automations/rules.py), property-tested."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wowdesk.automations import rules

texts = st.text(max_size=40)
scalars = st.one_of(st.text(max_size=10), st.integers(-1000, 1000))


@given(st.fixed_dictionaries({"body": texts, "subject": texts, "tags": st.lists(texts)}))
def test_no_conditions_match_everything(facts: dict[str, Any]) -> None:
    assert rules.evaluate([], facts)


@given(texts, texts, texts)
def test_contains_is_case_insensitive(before: str, needle: str, after: str) -> None:
    body = before + needle.upper() + after
    cond = {"field": "body", "op": "contains", "value": needle.lower()}
    # upper() then lower() may change length (ß → SS → ss); folding both sides agrees.
    assert rules.matches(cond, {"body": body}) == (rules.fold(needle.lower()) in rules.fold(body))
    assert rules.matches({**cond, "value": needle}, {"body": before + needle + after})


@pytest.mark.parametrize(
    "body, needle",
    [
        ("Ich möchte eine RÜCKERSTATTUNG", "rückerstattung"),
        ("STRASSE", "straße"),
        ("ﬁle a refund", "file"),
        ("Ｒｅｆｕｎｄ please", "refund"),
        ("I want a Refund!", "REFUND"),
        ("Cafe\u0301", "café"),
    ],
)
def test_contains_folds_unicode(body: str, needle: str) -> None:
    assert rules.matches({"field": "body", "op": "contains", "value": needle}, {"body": body})


@given(texts, texts)
def test_contains_agrees_with_folded_substring(body: str, needle: str) -> None:
    expected = (
        unicodedata.normalize("NFKC", needle).casefold()
        in unicodedata.normalize("NFKC", body).casefold()
    )
    assert (
        rules.matches({"field": "body", "op": "contains", "value": needle}, {"body": body})
        == expected
    )


def test_contains_never_matches_a_missing_fact() -> None:
    assert not rules.matches({"field": "subject", "op": "contains", "value": ""}, {})


@given(st.lists(scalars, min_size=1, max_size=6), scalars)
def test_in_is_membership(choices: list[Any], value: Any) -> None:
    facts = {"channel": value}
    expected = any(rules.fold(value) == rules.fold(c) for c in choices)
    assert rules.matches({"field": "channel", "op": "in", "value": choices}, facts) == expected


@given(st.lists(st.text(min_size=1, max_size=8), max_size=5), st.text(min_size=1, max_size=8))
def test_list_facts_match_any_item(tags: list[str], tag: str) -> None:
    facts = {"tags": tags}
    has = any(rules.fold(t) == rules.fold(tag) for t in tags)
    assert rules.matches({"field": "tags", "op": "contains", "value": tag}, facts) == has
    assert rules.matches({"field": "tags", "op": "equals", "value": tag}, facts) == has
    assert rules.matches({"field": "tags", "op": "not_equals", "value": tag}, facts) == (not has)
    assert rules.matches({"field": "tags", "op": "in", "value": [tag, "zzz-none"]}, facts) == (
        has or any(rules.fold(t) == "zzz-none" for t in tags)
    )


@given(
    st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False)),
    st.one_of(st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False)),
)
def test_gt_lt_on_numbers(fact: float, value: float) -> None:
    facts = {"emotion": fact}
    assert rules.matches({"field": "emotion", "op": "gt", "value": value}, facts) == (fact > value)
    assert rules.matches({"field": "emotion", "op": "lt", "value": value}, facts) == (fact < value)


@pytest.mark.parametrize("fact", [None, "abc", True, [1]])
def test_gt_lt_never_match_what_is_no_number(fact: Any) -> None:
    assert not rules.matches({"field": "emotion", "op": "gt", "value": 0}, {"emotion": fact})
    assert not rules.matches({"field": "emotion", "op": "lt", "value": 0}, {"emotion": fact})


@given(st.sampled_from(rules.PRIORITIES), st.sampled_from(rules.PRIORITIES))
def test_priorities_compare_by_rank(fact: str, value: str) -> None:
    rank = rules.PRIORITIES.index
    facts = {"priority": fact}
    assert rules.matches({"field": "priority", "op": "gt", "value": value}, facts) == (
        rank(fact) > rank(value)
    )
    assert rules.matches({"field": "priority", "op": "lt", "value": value}, facts) == (
        rank(fact) < rank(value)
    )


@given(st.integers(1, 10**6), st.integers(1, 10**6))
def test_ids_compare_as_numbers(fact: int, value: int) -> None:
    facts = {"team": fact}
    assert rules.matches({"field": "team", "op": "equals", "value": value}, facts) == (
        fact == value
    )
    assert rules.matches({"field": "team", "op": "equals", "value": str(value)}, facts) == (
        fact == value
    )
    assert not rules.matches({"field": "team", "op": "equals", "value": value}, {"team": None})


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3), st.booleans())
def test_all_conditions_must_hold(extra: list[str], first: bool) -> None:
    facts = {"body": "refund please", "priority": "normal"}
    conditions = [{"field": "body", "op": "contains", "value": "refund" if first else "nope"}]
    conditions += [{"field": "priority", "op": "equals", "value": "normal"} for _ in extra]
    assert rules.evaluate(conditions, facts) == first


# --- checking -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "conditions, field",
    [
        ("body", "conditions"),
        (["body"], "conditions.0"),
        ([{"field": "nope", "op": "equals", "value": 1}], "conditions.0.field"),
        ([{"field": "body", "op": "like", "value": "x"}], "conditions.0.op"),
        ([{"field": "team", "op": "contains", "value": "x"}], "conditions.0.op"),
        ([{"field": "body", "op": "gt", "value": 1}], "conditions.0.op"),
        ([{"field": "body", "op": "in", "value": []}], "conditions.0.value"),
        ([{"field": "body", "op": "in", "value": "x"}], "conditions.0.value"),
        ([{"field": "body", "op": "in", "value": [{"a": 1}]}], "conditions.0.value"),
        ([{"field": "body", "op": "equals", "value": None}], "conditions.0.value"),
        ([{"field": "body", "op": "equals", "value": True}], "conditions.0.value"),
        ([{"field": "emotion", "op": "gt", "value": "high"}], "conditions.0.value"),
        ([{"field": "emotion", "op": "equals", "value": "high"}], "conditions.0.value"),
        ([{"field": "emotion", "op": "in", "value": [0.5, "x"]}], "conditions.0.value"),
        ([{"field": "priority", "op": "equals", "value": "meh"}], "conditions.0.value"),
        ([{"field": "priority", "op": "gt", "value": "meh"}], "conditions.0.value"),
        ([{"field": "team", "op": "equals", "value": "Returns"}], "conditions.0.value"),
        (
            [
                {"field": "body", "op": "contains", "value": "ok"},
                {"field": "body", "op": "contains", "value": "x" * 1001},
            ],
            "conditions.1.value",
        ),
    ],
)
def test_bad_conditions_are_named(conditions: Any, field: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.check_conditions(conditions)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "actions, field",
    [
        ([], "actions"),
        (None, "actions"),
        ([1], "actions.0"),
        ([{"type": "explode", "value": 1}], "actions.0.type"),
        ([{"type": "set_priority", "value": "very"}], "actions.0.value"),
        ([{"type": "set_priority", "value": None}], "actions.0.value"),
        ([{"type": "set_status", "value": "closed"}], "actions.0.value"),
        ([{"type": "set_status", "value": "snoozed"}], "actions.0.value"),
        ([{"type": "assign_team", "value": "Returns"}], "actions.0.value"),
        ([{"type": "assign_agent", "value": 0}], "actions.0.value"),
        ([{"type": "assign_agent", "value": True}], "actions.0.value"),
        ([{"type": "add_tag", "value": ""}], "actions.0.value"),
        ([{"type": "add_tag", "value": "x" * 65}], "actions.0.value"),
        ([{"type": "add_note", "value": 5}], "actions.0.value"),
        (
            [{"type": "add_tag", "value": "ok"}, {"type": "send_reply", "value": "  "}],
            "actions.1.value",
        ),
    ],
)
def test_bad_actions_are_named(actions: Any, field: str) -> None:
    with pytest.raises(rules.RuleError) as caught:
        rules.check_actions(actions)
    assert caught.value.field == field


# --- planning -------------------------------------------------------------------------


def test_plan_skips_what_changes_nothing() -> None:
    facts = {"tags": ["Refund"], "priority": "high", "status": "open", "team": 3, "assignee": None}
    actions = [
        {"type": "add_tag", "value": "refund"},
        {"type": "set_priority", "value": "high"},
        {"type": "set_status", "value": "open"},
        {"type": "assign_team", "value": 3},
        {"type": "assign_agent", "value": None},
    ]
    plan = rules.plan(actions, facts)
    assert plan.done == []
    assert not plan.updates_conversation


def test_plan_collects_one_update() -> None:
    facts = {"tags": ["a"], "priority": "normal", "status": "open", "team": None}
    plan = rules.plan(
        [
            {"type": "add_tag", "value": "refund"},
            {"type": "add_tag", "value": "vip"},
            {"type": "add_tag", "value": "refund"},
            {"type": "set_priority", "value": "high"},
            {"type": "assign_team", "value": 7},
            {"type": "add_note", "value": "Check the order"},
        ],
        facts,
    )
    assert plan.tags == ["a", "refund", "vip"]
    assert plan.priority == "high"
    assert plan.set_team and plan.team == 7
    assert plan.notes == ["Check the order"]
    assert [kind for kind, _ in plan.done] == [
        "add_tag",
        "add_tag",
        "set_priority",
        "assign_team",
        "add_note",
    ]
