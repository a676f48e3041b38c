"""The searchable text of conversations (``core.textsearch`` indexes; registered in
``ConversationsConfig.ready``, created by this app's migrations 0003, 0004 and 0007)."""

from __future__ import annotations

from wowdesk.core.textsearch import TextIndex

CONVERSATION_SUBJECT = TextIndex("conversations_conversation", ("subject",))
# message bodies: a word index answering "which conversations" (keyed by conversation id)
MESSAGE_WORDS = TextIndex("conversations_message", ("body",), words=True, group="conversation_id")
