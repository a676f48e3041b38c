"""Background work of the intelligence app."""

from __future__ import annotations

from django_tasks import task


@task()
def score_emotion_task(message_id: int) -> str:
    from wowdesk.intelligence.services import score_emotion

    message = score_emotion(message_id)
    return message.emotion_label if message is not None else "gone"
