"""Macros: variables filled in, the variant in the customer's language picked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.factories import quick_conversation
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Macro
from wowdesk.core.models import Agent, Brand

VARS = {"customer.first_name": "Ana", "agent.name": "Bo"}


def test_known_variables_are_filled_and_unknown_ones_stay() -> None:
    text = conversations.render_macro_text(
        "Hi {{customer.first_name}}, {{ agent.name }} here. {{ order.id }}", VARS
    )
    assert text == "Hi Ana, Bo here. {{ order.id }}"


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=60))
def test_text_without_variables_is_unchanged(body: str) -> None:
    assert conversations.render_macro_text(body, VARS) == body


@given(st.text(max_size=40))
def test_values_are_inserted_verbatim_and_never_expanded_again(value: str) -> None:
    """A customer named "{{ agent.name }}" stays literally that (a single pass)."""
    out = conversations.render_macro_text(
        "[{{ customer.name }}]", {"customer.name": value, "agent.name": "X"}
    )
    assert out == f"[{value}]"


def test_variant_in_the_conversations_language_is_chosen(brand: Brand, agent: Agent) -> None:
    conversation = quick_conversation(brand)
    conversation.language = "de"
    for lang, body in (("en", "Thanks"), ("de", "Danke"), ("zh", "谢谢")):
        Macro.objects.create(brand=brand, name="Thanks", language=lang, body=body)
    Macro.objects.create(brand=brand, name="Other", language="fr", body="Merci")
    chosen = {m.name: m.body for m in conversations.macros_for(conversation)}
    assert chosen == {"Thanks": "Danke", "Other": "Merci"}
    conversation.language = "ja"  # no variant: the brand's default language (en)
    assert {m.name: m.body for m in conversations.macros_for(conversation)}["Thanks"] == "Thanks"


def test_a_macro_of_another_brand_is_refused(
    brand: Brand, other_brand: Brand, agent: Agent
) -> None:
    import pytest

    from wowdesk.core.errors import InvalidInput

    conversation = quick_conversation(brand)
    theirs = Macro.objects.create(brand=other_brand, name="X", body="x")
    with pytest.raises(InvalidInput):
        conversations.render_macro(theirs, conversation, agent)
