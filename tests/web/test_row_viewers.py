"""Who views a conversation reaches the lists of its brand (``row.viewers``), not another
brand's, not the tab that caused it, not the conversation's own viewers (they get
``viewers``)."""

from __future__ import annotations

from collections.abc import Callable

from tests.factories import quick_conversation
from tests.web.test_live_consumer import (
    connected,
    cookie_for,
    fresh_layer_and_cache,  # noqa: F401  (autouse fixture)
    group_send,
    receive,
    run,
)
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.core.realtime import agent_group


def test_row_viewers_go_to_the_brand_only(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    li = make_agent(Role.AGENT, name="Li Wei")
    ana = make_agent(Role.SUPERVISOR, name="Ana Costa")
    bo = make_agent(Role.ADMIN, name="Bo Other", brands=[other_brand])
    lamp = quick_conversation(brand, subject="Lamp")
    cookies = {a.pk: cookie_for(a.user) for a in (li, ana, bo)}

    async def marker(agent: Agent) -> None:
        await group_send(agent_group(agent.pk), "conversation.assigned", conversation_id=0)

    async def scenario() -> None:
        a = await connected(cookies[li.pk])
        b = await connected(cookies[ana.pk])
        o = await connected(cookies[bo.pk])
        await a.send_json_to({"action": "view", "conversation_id": lamp.pk})
        assert (await receive(a))["type"] == "viewers"
        row = await receive(b)
        assert row == {
            "type": "row.viewers",
            "conversation_id": lamp.pk,
            "viewers": [{"agent_id": li.pk, "name": "Li Wei", "typing": False}],
        }
        # not to the tab that caused it, nor to another brand
        for ws, agent in ((a, li), (o, bo)):
            await marker(agent)
            assert (await receive(ws))["type"] == "conversation.assigned"

        # Ana opens it too: both get "viewers", nobody a row event
        await b.send_json_to({"action": "view", "conversation_id": lamp.pk})
        assert (await receive(b))["type"] == "viewers"
        assert (await receive(a))["type"] == "viewers"
        for ws, agent in ((a, li), (b, ana), (o, bo)):
            await marker(agent)
            assert (await receive(ws))["type"] == "conversation.assigned"

        # Ana leaves: Li (viewing) gets "viewers"; Ana's own list gets nothing for it
        await b.send_json_to({"action": "leave"})
        left = await receive(a)
        assert left["type"] == "viewers" and [v["name"] for v in left["viewers"]] == ["Li Wei"]
        await marker(ana)
        assert (await receive(b))["type"] == "conversation.assigned"

        # Li closes the tab: Ana's list learns nobody views it any more
        await a.disconnect()
        gone = await receive(b)
        assert gone["type"] == "row.viewers" and gone["viewers"] == []
        await b.disconnect()
        await o.disconnect()

    run(scenario)
