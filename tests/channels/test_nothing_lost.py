"""Nothing lost (issue 3): inbound items are stored exactly once and processed, and every
queued reply goes out, while the worker is killed with SIGKILL and restarted.

The fast tests pin the outbox lease that keeps two senders off one row; the slow test
runs the real thing: ``wowdesk serve --no-worker`` (uvicorn + the SMTP listener) and a
separate ``wowdesk worker`` over SQLite, Redis as the channel layer between them, an SMTP
sink standing in for the outbound relay, and a mixed load of mail, chat and API items
(``WOWDESK_FAULT_MESSAGES``, default 2,000) with re-deliveries.

The delivery guarantee under test (docs/channels.md, "Nothing lost"): at least once, with
a stable channel id; a duplicate is possible only for a row the worker was sending when
it was killed, and the worker logs such a row as "in doubt" before sending it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import timezone

from tests.channels.faults import load
from tests.channels.faults.stack import Stack, copy_test_schema, running_stack
from tests.factories import make_conversation, make_reply, outbox_of
from wowdesk.channels import adapters, outbox
from wowdesk.conversations.models import Conversation, Message, OutboxMessage, OutboxStatus
from wowdesk.core.models import Agent, Brand

# --- the outbox lease (fast) ----------------------------------------------------------

SENT: list[int] = []


class Recording:
    def send(self, message: Message) -> dict[str, str]:
        SENT.append(message.pk)
        # While this sender holds the row, a second one (the sweeper, another worker)
        # must leave it alone.
        again = outbox.deliver(OutboxMessage.objects.get(message=message).pk)
        assert again.status == OutboxStatus.QUEUED
        return {"ok": "1"}


@pytest.fixture
def conversation(brand: Brand) -> Conversation:
    return make_conversation(brand)


def test_a_row_being_sent_is_not_sent_again(
    agent: Agent, conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    SENT.clear()
    monkeypatch.setitem(adapters.ADAPTERS, "api", f"{__name__}.Recording")
    row_id = outbox_of(make_reply(conversation, agent)).pk
    row = outbox.deliver(row_id)
    assert row.status == OutboxStatus.SENT
    assert len(SENT) == 1  # the nested deliver() inside send() did not send
    assert outbox.deliver(row_id).status == OutboxStatus.SENT
    assert len(SENT) == 1


def test_a_claim_left_by_a_killed_sender_is_sent_again_after_its_lease(
    agent: Agent,
    conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    SENT.clear()
    monkeypatch.setitem(adapters.ADAPTERS, "api", "wowdesk.channels.adapters.ApiAdapter")
    row = outbox_of(make_reply(conversation, agent))
    # What a sender killed between "the channel took it" and "marked sent" leaves:
    # one attempt, no error, a lease running.
    now = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk).update(attempts=1, next_attempt_at=now + outbox.lease())
    assert outbox.deliver(row.pk).status == OutboxStatus.QUEUED  # leased: left alone
    assert outbox.deliver_due() == 0
    # The lease ran out (the sweeper takes rows due for 30 s).
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=now - dt.timedelta(minutes=1))
    assert outbox.deliver_due() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 2
    assert f"outbox {row.pk} in doubt" in caplog.text


def test_a_failed_attempt_is_not_in_doubt(
    agent: Agent, conversation: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    row = outbox_of(make_reply(conversation, agent))
    OutboxMessage.objects.filter(pk=row.pk).update(
        attempts=1, last_error="ConnectionError: busy", next_attempt_at=timezone.now()
    )
    assert outbox.deliver(row.pk).status == OutboxStatus.SENT
    assert "in doubt" not in caplog.text


# --- the fault test (slow) ------------------------------------------------------------


@pytest.fixture
def stack(tmp_path: Path, django_db_setup: None, django_db_blocker: Any) -> Any:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the fault test runs its own SQLite deployment; once per suite is enough")
    with django_db_blocker.unblock():
        copy_test_schema(tmp_path / "data")
    with running_stack(tmp_path) as running:
        yield running


async def _run(stack: Stack, total: int, tally: load.Tally) -> None:
    rng = random.Random(3)
    counts = load.split(total)
    headers = {"Authorization": f"Bearer {stack.token}"}
    stop_replies, visitors_stay = asyncio.Event(), asyncio.Event()
    started = time.monotonic()
    async with httpx.AsyncClient(
        base_url=f"{stack.base_url}/api/v1", headers=headers, timeout=load.TIMEOUT
    ) as client:
        chat = asyncio.create_task(
            load.chat_load(stack, counts["chat"], random.Random(5), tally, visitors_stay)
        )
        replies = asyncio.create_task(load.replier(stack, client, tally, stop_replies, rng))
        inbound = asyncio.gather(
            load.email_load(stack, counts["email"], random.Random(7), tally),
            load.api_load(client, counts["api"], random.Random(11), tally),
        )
        # SIGKILL the worker twice while items arrive and replies go out; restart it.
        for share in (0.3, 0.6):
            await load.wait_until(_progress(tally, total * share), 600)
            stack.kill_worker()
            await asyncio.sleep(0.5)
            stack.start_worker()
        await inbound
        await _wait_acknowledged(tally, total, chat)
        print(f"load done after {time.monotonic() - started:.1f} s")
        stop_replies.set()
        await replies
        delivered = await load.wait_until(_all_delivered(stack, tally), 150)
        print(f"delivered after {time.monotonic() - started:.1f} s")
        visitors_stay.set()
        await chat
    assert delivered, _state(stack, tally)


def _progress(tally: load.Tally, target: float) -> Callable[[], Any]:
    async def check() -> bool:
        return tally.acknowledged >= target

    return check


async def _wait_acknowledged(tally: load.Tally, total: int, chat: asyncio.Task[None]) -> None:
    while tally.acknowledged < total and not chat.done():
        await asyncio.sleep(0.2)
    if chat.done():
        chat.result()  # raises what a visitor met


def _all_delivered(stack: Stack, tally: load.Tally) -> Callable[[], Any]:
    async def check() -> bool:
        open_items = stack.query(
            "SELECT count(*) FROM ingest_inboundenvelope WHERE status IN ('received', 'failed')"
        )[0][0]
        queued = stack.query("SELECT count(*) FROM ingest_outboxmessage WHERE status = 'queued'")
        email = {m for m, c in tally.replies.items() if c == "email"}
        chat = {m for m, c in tally.replies.items() if c == "chat"}
        mail_ids = _mail_ids(stack, email)
        at_sink = set(stack.sink.counts())
        return (
            open_items == 0
            and queued[0][0] == 0
            and set(mail_ids.values()) <= at_sink
            and chat <= set(tally.chat_received)
        )

    return check


def _mail_ids(stack: Stack, message_ids: set[int]) -> dict[int, str]:
    rows = stack.query(
        "SELECT id, external_id FROM conversations_message WHERE direction = 'out' "
        "AND channel = 'email'"
    )
    return {pk: ext for pk, ext in rows if pk in message_ids}


def _state(stack: Stack, tally: load.Tally) -> str:
    envelopes = stack.query("SELECT status, count(*) FROM ingest_inboundenvelope GROUP BY 1")
    out = stack.query("SELECT status, count(*) FROM ingest_outboxmessage GROUP BY 1")
    email = {m for m, c in tally.replies.items() if c == "email"}
    chat = {m for m, c in tally.replies.items() if c == "chat"}
    not_at_sink = set(_mail_ids(stack, email).values()) - set(stack.sink.counts())
    not_in_widget = chat - set(tally.chat_received)
    return (
        f"not at the sink {sorted(not_at_sink)[:10]}, not in a widget {sorted(not_in_widget)}, "
        f"envelopes {envelopes}, outbox {out}, replies {len(tally.replies)}, "
        f"errors {tally.errors[:5]}, worker log tail {stack.worker_logs()[-1500:]}"
    )


@pytest.mark.slow
def test_nothing_lost_when_the_worker_is_killed(stack: Stack) -> None:
    total = int(os.environ.get("WOWDESK_FAULT_MESSAGES") or 2000)
    tally = load.Tally()
    asyncio.run(_run(stack, total, tally))

    assert stack.kills == 2
    counts = load.split(total)
    # Every item the channels acknowledged is one envelope and one message, whatever the
    # re-deliveries, and every envelope was processed.
    assert {c: len(ids) for c, ids in tally.unique.items()} == counts
    assert sum(tally.repeats.values()) > 0
    envelopes = dict(
        stack.query("SELECT channel, count(*) FROM ingest_inboundenvelope GROUP BY channel")
    )
    assert envelopes == counts
    statuses = dict(stack.query("SELECT status, count(*) FROM ingest_inboundenvelope GROUP BY 1"))
    assert statuses == {"processed": total}
    incoming = dict(
        stack.query(
            "SELECT channel, count(*) FROM conversations_message WHERE direction = 'in' "
            "GROUP BY channel"
        )
    )
    assert incoming == counts
    twice = stack.query(
        "SELECT external_id FROM conversations_message WHERE direction = 'in' "
        "GROUP BY channel, external_id HAVING count(*) > 1"
    )
    assert twice == []
    mails = dict(stack.query("SELECT status, count(*) FROM ingest_rawmail GROUP BY 1"))
    assert set(mails) == {"ingested"}, mails

    # Every queued reply was sent: one outbox row each, all marked sent.
    assert len(tally.replies) > 0
    assert {c for c in tally.replies.values()} == {"email", "chat", "api"}
    rows = dict(stack.query("SELECT message_id, status FROM ingest_outboxmessage"))
    assert rows == {pk: "sent" for pk in tally.replies}

    # ... and reached the customer: by our Message-ID at the SMTP sink, by message id in
    # the visitor's widget. A second copy only of a row the worker logged as in doubt.
    in_doubt = {int(m) for m in re.findall(r"in doubt: .*?message (\d+)", stack.worker_logs())}
    email = {pk for pk, c in tally.replies.items() if c == "email"}
    mail_ids = _mail_ids(stack, email)
    assert len(mail_ids) == len(email)
    assert len(set(mail_ids.values())) == len(email)  # one stable Message-ID per reply
    at_sink = stack.sink.counts()
    assert set(at_sink) == set(mail_ids.values())  # none missing, nothing else sent
    by_mail_id = {v: k for k, v in mail_ids.items()}
    duplicated = {by_mail_id[m] for m, n in at_sink.items() if n > 1}
    chat = {pk for pk, c in tally.replies.items() if c == "chat"}
    assert set(tally.chat_received) == chat
    duplicated |= {pk for pk, n in tally.chat_received.items() if n > 1}
    assert duplicated <= in_doubt, (duplicated, in_doubt)
    assert max([*at_sink.values(), *tally.chat_received.values()]) <= 2
    assert not [e for e in tally.errors if "repeat" in e], tally.errors
