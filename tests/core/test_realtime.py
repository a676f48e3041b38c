"""Pushes handed to the server's loop from other threads (core/realtime.py) and the Redis
layer's waiting pool (core/layers.py)."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer
from redis.exceptions import MaxConnectionsError

from tests.channels.chat.servers import free_port, redis_server
from wowdesk.core import realtime
from wowdesk.core.layers import WaitingRedisChannelLayer


class SlowLayer(InMemoryChannelLayer):  # type: ignore[misc]
    """Records what it is asked to send and how many sends overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[str, list[int]] = defaultdict(list)
        self.in_flight = 0
        self.most_in_flight = 0

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.sent[group].append(message["n"])
        self.in_flight -= 1


def test_pushes_from_threads_keep_their_order_and_few_are_in_flight() -> None:
    layer = SlowLayer()

    async def main() -> None:
        lanes = realtime.PushLanes(lanes=4)

        def producer(t: int) -> None:
            for n in range(100):
                lanes.hand_over(layer, f"conversation.{t * 10 + n % 10}", {"n": n})

        threads = [threading.Thread(target=producer, args=(t,)) for t in range(5)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)  # the last call_soon_threadsafe callbacks
        await lanes.drained()

    asyncio.run(main())
    assert sum(len(v) for v in layer.sent.values()) == 500
    assert layer.most_in_flight <= 4
    for numbers in layer.sent.values():
        assert numbers == sorted(numbers)  # one group's pushes in the order handed over
        assert len(numbers) == 10


def test_a_failed_push_is_logged_and_the_lane_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    class Failing(SlowLayer):
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            if message["n"] == 0:
                raise ConnectionError("redis went away")
            await super().group_send(group, message)

    layer = Failing()

    async def main() -> None:
        lanes = realtime.PushLanes(lanes=1)

        def producer() -> None:
            for n in range(3):
                lanes.hand_over(layer, "brand.1", {"n": n})

        thread = threading.Thread(target=producer)
        thread.start()
        thread.join()
        await asyncio.sleep(0)
        await lanes.drained()

    asyncio.run(main())
    assert layer.sent["brand.1"] == [1, 2]
    assert "push to brand.1 failed: redis went away" in caplog.text


async def _many_group_adds(layer: Any, count: int) -> None:
    await asyncio.gather(
        *(layer.group_add(f"visitor.{n}", f"specific.test!{n}") for n in range(count))
    )


def test_a_burst_waits_for_a_redis_connection_instead_of_failing() -> None:
    with redis_server(free_port()) as url:
        hosts = [{"address": url, "max_connections": 3}]
        # channels-redis' own pool raises for the 4th command in flight...
        with pytest.raises(MaxConnectionsError):
            asyncio.run(_many_group_adds(RedisChannelLayer(hosts=hosts), 50))
        # ...ours waits for one of its 3 connections.
        layer = WaitingRedisChannelLayer(hosts=hosts)

        async def burst() -> int:
            await _many_group_adds(layer, 50)
            pool = layer.connection(0).connection_pool
            assert pool.max_connections == 3
            groups = await layer.connection(0).keys("asgi:group:visitor.*")
            return len(groups)

        assert asyncio.run(burst()) == 50
