"""What a customer's restriction does to a message (pure: no Django import).

A supervisor's decision about an abusive customer (``customers.services.set_restriction``):
``warned`` changes nothing for their messages; ``restricted`` withholds the messages that
come on another channel than the one allowed; ``blocked`` withholds every message. A
withheld message is stored and answered by a courteous template (``policies.abuse``), and
its conversation is not routed to agents (``routing.services``).
"""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("warned", "restricted", "blocked")


def withholds(level: str, allowed_channel: str, channel: str) -> bool:
    """Whether a message (or conversation) on ``channel`` from a customer at ``level``
    (allowed ``allowed_channel`` when restricted) is kept from agents."""
    if level == "blocked":
        return True
    if level == "restricted":
        return channel != allowed_channel
    return False
