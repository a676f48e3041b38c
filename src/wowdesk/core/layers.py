"""The Redis channel layer of the cluster mode, with a pool that waits for a connection.

channels-redis gives each event loop a redis-py ``ConnectionPool`` of at most 100
connections that *raises* ``MaxConnectionsError`` when a burst asks for the 101st. In a
server process that burst is ordinary: 40 chat visitors joining their groups while the
replies of a busy minute are pushed (tests/channels/test_nothing_lost.py saw 82 pushes
and 16 ``group_add`` in flight at once). The consumer whose ``group_add`` raised died
without acknowledging its visitor's message. A ``BlockingConnectionPool`` of the same
size makes the 101st command wait for a connection instead (up to
:data:`CONNECTION_WAIT_SECONDS`, then a ``ConnectionError``).
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import BlockingConnectionPool

MAX_CONNECTIONS = 100  # per event loop, as channels-redis' default pool
CONNECTION_WAIT_SECONDS = 30.0


class WaitingRedisChannelLayer(RedisChannelLayer):  # type: ignore[misc]
    """``hosts`` entries are ``{"address": "redis://…", <redis-py connection options>}``;
    ``max_connections`` and ``timeout`` (the wait for a free connection) may be given
    per host."""

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        address = host.pop("address")
        host.setdefault("max_connections", MAX_CONNECTIONS)
        host.setdefault("timeout", CONNECTION_WAIT_SECONDS)
        return BlockingConnectionPool.from_url(address, **host)
