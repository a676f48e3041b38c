"""Knowledge: the answer bot's listener, task and periodic job (the work is in
``bot_services``).

On every customer message the listener asks the per-process table of inboxes whose bot is
on (``conversations.services.answer_bot_inboxes``; no query while nothing changed): for a
brand with none, nothing more happens. Otherwise, when the conversation's inbox answers
"always", or "when_no_agent" and nobody eligible is on shift (``routing.services.
available_agents``), the bot takes the conversation before routing runs (``commit``
listeners run before the ``batch`` ones) and reads the message in a background task.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task

from wowdesk.conversations.models import AnswerBot, Conversation, Direction


def register() -> None:
    """Listeners, panels and jobs of this part (called from ``KnowledgeConfig.ready``)."""
    from wowdesk.core import jobs
    from wowdesk.core.events import Event, Phase, listen

    listen(Event.MESSAGE_CREATED, "wowdesk.knowledge.bot.on_message_created", phase=Phase.COMMIT)
    # answered sessions whose customer did not come back within 24 hours
    jobs.every(300.0, "knowledge-bot", "wowdesk.knowledge.bot.sweep")


def _brand_has_bot(*, brand_id: int, direction: str, **_: Any) -> bool:
    if direction != Direction.IN:
        return False
    from wowdesk.conversations.services import answer_bot_inboxes

    return bool(answer_bot_inboxes.get(brand_id))


def _wanted(**payload: Any) -> bool:
    return _brand_has_bot(**payload)


def on_message_created(
    *, message_id: int, conversation_id: int, brand_id: int, direction: str, **_: Any
) -> None:
    """A customer wrote to a brand with an answer bot: the bot takes the conversation when
    its inbox says so, and reads the message in the background."""
    from wowdesk.conversations.services import answer_bot_inboxes
    from wowdesk.knowledge import bot_services

    if direction != Direction.IN:
        return
    modes = answer_bot_inboxes.get(brand_id) or {}
    if not modes:
        return
    conversation = (
        Conversation.objects.filter(pk=conversation_id).select_related("customer", "inbox").first()
    )
    if conversation is None:
        return
    mode = modes.get(conversation.inbox_id)
    if mode is None:
        return
    from wowdesk.routing.services import withheld

    if withheld(conversation):
        return  # a restricted customer gets the courteous template, nothing else (abuse.md)
    if not conversation.bot_holds:
        if conversation.assignee_id is not None:
            return  # a person has it
        if mode == AnswerBot.WHEN_NO_AGENT:
            from wowdesk.routing.services import available_agents

            if available_agents(brand_id):
                return
        if bot_services.take(conversation) is None:
            return
    transaction.on_commit(lambda: answer_task.enqueue(message_id))


on_message_created.wanted = _wanted  # type: ignore[attr-defined]


@task()
def answer_task(message_id: int) -> str:
    from wowdesk.knowledge import bot_services

    return bot_services.handle_message(message_id)


def sweep() -> dict[str, int]:
    from wowdesk.knowledge import bot_services

    return {"bot_no_return": bot_services.expire_answered()}
