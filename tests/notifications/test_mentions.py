"""The mention parser (notifications/mentions.py): pure, property-tested."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wowdesk.notifications.mentions import Directory, mentioned

NAMES = {1: "Ann", 2: "Ann Lee", 3: "李小龙", 4: "Zoë Šťastná", 5: "Bob"}

# a display name: letters of any script, single spaces inside
name_part = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lo")), min_size=1, max_size=8)
names = st.lists(name_part, min_size=1, max_size=3).map(" ".join)
filler = st.text(alphabet=st.characters(categories=("Zs", "Po", "Ps", "Pe")), max_size=5)


def test_the_composers_form_and_punctuation_after() -> None:
    for text in ("@Ann hello", "hi @Ann", "(@Ann)", "@Ann, look", "@Ann.", "@Ann\nnext"):
        assert mentioned(text, NAMES) == {1}, text


def test_the_longest_name_wins() -> None:
    assert mentioned("@Ann Lee please", NAMES) == {2}
    assert mentioned("@ann lee please", NAMES) == {2}
    assert mentioned("@Ann Leeds", NAMES) == {1}  # "Ann Lee" must end where a word ends
    assert mentioned("@Ann and @Ann Lee", NAMES) == {1, 2}


def test_case_and_scripts() -> None:
    assert mentioned("@ZOË ŠŤASTNÁ bitte", NAMES) == {4}
    assert mentioned("请 @李小龙 看看", NAMES) == {3}
    assert mentioned("@BOB", NAMES) == {5}


def test_no_mention() -> None:
    for text in (
        "ann@example.com",  # an address, not a mention
        "Ann without at",
        "@Annabel",  # a longer word
        "@ Ann",
        "@Bobby",
        "@",
        "",
        "@@",
    ):
        assert mentioned(text, NAMES) == set(), text


def test_same_name_mentions_both() -> None:
    assert mentioned("@Sam hi", {7: "Sam", 8: "sam"}) == {7, 8}


def test_nobody_to_mention() -> None:
    assert Directory({}).find("@Ann") == set()
    assert Directory({9: "   "}).find("@ ") == set()


@given(name=names, before=filler, after=filler)
def test_an_inserted_mention_is_found(name: str, before: str, after: str) -> None:
    directory = Directory({1: name})
    assert directory.find(f"{before}@{name} {after}") == {1}
    if name.upper().casefold() == name.casefold():  # some letters have no upper case pair
        assert directory.find(f"{before}@{name.upper()}{after}") == {1}


@given(text=st.text(max_size=80), people=st.dictionaries(st.integers(1, 50), names, max_size=5))
def test_without_an_at_sign_nobody(text: str, people: dict[int, str]) -> None:
    assert mentioned(text.replace("@", ""), people) == set()


@given(text=st.text(max_size=80), people=st.dictionaries(st.integers(1, 50), names, max_size=5))
def test_only_known_agents(text: str, people: dict[int, str]) -> None:
    assert mentioned(text, people) <= set(people)


@given(short=names, rest=names, after=filler)
def test_longest_wins_for_any_names(short: str, rest: str, after: str) -> None:
    long_name = f"{short} {rest}"
    found = Directory({1: short, 2: long_name}).find(f"@{long_name} {after}")
    assert 2 in found
    assert 1 not in found or short.casefold() == long_name.casefold()
