"""Routing's periodic work, registered with the core's job registry (routing/apps.py)."""

from __future__ import annotations


def sweep() -> dict[str, int]:
    """Every 30 s: start SLA clocks a crash missed and announce the ones due, wake snoozed
    conversations, mark agents whose tabs went quiet away or offline, and serve the
    queues (what a burst left waiting)."""
    from wowdesk.routing import presence, sla
    from wowdesk.routing import services as routing

    done = {"sla_started": sla.start_missed()}
    done.update(sla.check_due())
    done.update(routing.wake_snoozed())
    done.update(presence.sweep())
    done.update(routing.tick())
    return done
