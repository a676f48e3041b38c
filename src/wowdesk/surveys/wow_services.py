"""The writer of the WOW wall (``WowStory``): nominations by agents and supervisors, the
stories made from promoters' whys, and their edits (hide, change the text)."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wowdesk.conversations.models import Conversation
from wowdesk.core import permissions
from wowdesk.core.errors import Forbidden, NotFound, ServiceError
from wowdesk.core.models import Agent, Role
from wowdesk.core.realtime import brand_group, publish
from wowdesk.knowledge.anonymise import anonymise
from wowdesk.surveys.models import SurveyResponse, WowSource, WowStory

MAX_STORY = 2000
#: A promoter's why becomes a story when it says something: this many words, or this many
#: characters in a script written without spaces (Chinese, Japanese).
MIN_WORDS = 3
MIN_CJK_CHARS = 4
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def is_promoter(kind: str, score: int) -> bool:
    """An answer worth a story: NPS 9–10 or CSAT 5."""
    return (kind == "nps" and score >= 9) or (kind == "csat" and score == 5)


def says_something(text: str) -> bool:
    """A why of a few words (not "ok", not "👍")."""
    words = [w for w in re.split(r"\s+", text.strip()) if any(c.isalnum() for c in w)]
    return len(words) >= MIN_WORDS or len(_CJK.findall(text)) >= MIN_CJK_CHARS


class BadStory(ServiceError):
    """An empty or too long story (400, the field named)."""

    status = 400


def _clean_story(story: str | None) -> str:
    text = (story or "").strip()
    if not text or "\x00" in text:
        raise BadStory(_("Tell the story in a few words."), field="story", code="invalid")
    if len(text) > MAX_STORY:
        raise BadStory(
            _("At most %(n)d characters.") % {"n": MAX_STORY}, field="story", code="invalid"
        )
    return text


def _announce(story: WowStory) -> None:
    """Open WOW walls of the brand show the new story (the workspace socket, after the
    commit)."""
    publish(brand_group(story.brand_id), "wow.story", story_id=story.pk, brand_id=story.brand_id)


def do_nominate(agent: Agent, conversation_id: int, story: str | None) -> WowStory:
    """Put a conversation on its brand's WOW wall (any agent of the brand). The story is
    about the conversation's agent (its assignee now)."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(_("No such conversation."), field="conversation_id")
    permissions.check_brand(agent, conversation.brand_id)
    text = _clean_story(story)
    row = WowStory.objects.create(
        brand_id=conversation.brand_id,
        source=WowSource.NOMINATION,
        conversation_id=conversation.pk,
        agent_id=conversation.assignee_id,
        story=text,
        language=conversation.language,
        nominated_by=agent,
        created_at=timezone.now(),
    )
    _announce(row)
    return row


def do_add_promoter_story(response_id: int) -> WowStory | None:
    """A promoter's why as a story (once per response); ``None`` when the answer is not
    a promoter's, says too little, or already has its story. Names, addresses, numbers
    and links in the why are replaced (knowledge.anonymise)."""
    response = SurveyResponse.objects.filter(pk=response_id).select_related("customer").first()
    if response is None or not is_promoter(response.kind, response.score):
        return None
    if not says_something(response.comment):
        return None
    if WowStory.objects.filter(response_id=response.pk).exists():
        return None
    names = [response.customer.name] if response.customer.name else []
    text = anonymise(response.comment.strip(), names)[:MAX_STORY]
    try:
        with transaction.atomic():
            row = WowStory.objects.create(
                brand_id=response.brand_id,
                source=WowSource.PROMOTER,
                conversation_id=response.conversation_id,
                response_id=response.pk,
                agent_id=response.agent_id,
                story=text,
                language=response.comment_language or response.language,
                created_at=response.answered_at,
            )
    except IntegrityError:  # a concurrent run made it
        return None
    _announce(row)
    return row


def do_withdraw_promoter_story(response_id: int) -> bool:
    """An answer changed to a score that is no longer a promoter's: its story leaves the
    wall (hidden, not deleted). Whether a story was hidden."""
    return bool(
        WowStory.objects.filter(
            response_id=response_id, source=WowSource.PROMOTER, hidden=False
        ).update(hidden=True)
    )


def _editable(agent: Agent, story_id: int) -> WowStory:
    story = permissions.get_for_agent(WowStory.objects.all(), agent, story_id)
    if story.nominated_by_id != agent.pk and not permissions.has_role_in(
        agent, Role.SUPERVISOR, story.brand_id
    ):
        raise Forbidden(_("Only supervisors and the person who nominated it change a story."))
    return story


def do_edit_story(
    agent: Agent, story_id: int, *, story: str | None = None, hidden: bool | None = None
) -> WowStory:
    """Change a story's text or hide it (supervisors and administrators of its brand, or
    whoever nominated it)."""
    row = _editable(agent, story_id)
    fields = []
    if story is not None:
        row.story = _clean_story(story)
        fields.append("story")
    if hidden is not None:
        row.hidden = hidden
        fields.append("hidden")
    if fields:
        row.save(update_fields=fields)
    return row


def do_delete_story(agent: Agent, story_id: int) -> None:
    """Remove a story from the wall for good (as :func:`do_edit_story` allows)."""
    _editable(agent, story_id).delete()
