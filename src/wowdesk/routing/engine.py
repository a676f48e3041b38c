"""Choosing an agent for a conversation: a pure function of a snapshot of the agents.

No Django here: ``routing/services.py`` builds the snapshot (who is present, on shift,
how loaded) and applies the decision. Keeping the choice pure lets us property-test the
rules (never off shift, never without the language, never over capacity) and benchmark
thousands of decisions per second.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_LANGUAGE_LEVEL = 3  # "fluent" when an agent lists a language without a level
MIN_LANGUAGE_LEVEL = 2  # below this an agent can read but should not answer customers


class Strategy(StrEnum):
    LEAST_LOADED = "least_loaded"
    ROUND_ROBIN = "round_robin"


@dataclass(frozen=True)
class AgentState:
    id: int
    name: str
    site: str
    presence: str  # online, away, offline
    on_shift: bool
    languages: Mapping[str, int]  # ISO 639-1 code -> level 1..5
    skills: frozenset[str]  # e.g. "product:lamps", "tier:vip", "channel:voice"
    capacity: Mapping[str, int]  # channel -> open conversations allowed; "*" = any channel
    load: Mapping[str, int]  # channel -> open conversations now
    last_assigned_at: float = 0.0  # epoch seconds; 0 = never

    def capacity_for(self, channel: str) -> int:
        if channel in self.capacity:
            return self.capacity[channel]
        return self.capacity.get("*", 0)

    def load_for(self, channel: str) -> int:
        if channel in self.capacity:
            return self.load.get(channel, 0)
        # a shared capacity ("*") counts every channel without its own limit
        return sum(n for ch, n in self.load.items() if ch not in self.capacity or ch == "*")

    def utilisation(self, channel: str) -> float:
        cap = self.capacity_for(channel)
        return self.load_for(channel) / cap if cap > 0 else 1.0


@dataclass(frozen=True)
class Requirement:
    channel: str
    language: str = ""  # "" = any language
    min_level: int = MIN_LANGUAGE_LEVEL
    skills: frozenset[str] = field(default_factory=frozenset)


class Rejection(StrEnum):
    OFFLINE = "not online"
    OFF_SHIFT = "off shift"
    LANGUAGE = "does not speak the language"
    SKILLS = "lacks a required skill"
    CAPACITY = "at capacity"


def why_not(agent: AgentState, req: Requirement) -> Rejection | None:
    """The first rule an agent fails for this requirement, or None if eligible."""
    if agent.presence != "online":
        return Rejection.OFFLINE
    if not agent.on_shift:
        return Rejection.OFF_SHIFT
    if req.language and agent.languages.get(req.language, 0) < req.min_level:
        return Rejection.LANGUAGE
    if not req.skills <= agent.skills:
        return Rejection.SKILLS
    if agent.load_for(req.channel) >= agent.capacity_for(req.channel):
        return Rejection.CAPACITY
    return None


def eligible(agent: AgentState, req: Requirement) -> bool:
    return why_not(agent, req) is None


@dataclass(frozen=True)
class Decision:
    agent: AgentState | None
    reason: str  # "least loaded", "round robin", or why nobody qualified
    candidates: int
    rejections: Mapping[str, int] = field(default_factory=dict)


def choose(
    agents: Iterable[AgentState],
    req: Requirement,
    strategy: Strategy = Strategy.LEAST_LOADED,
    last_agent_id: int | None = None,
) -> Decision:
    """Pick one eligible agent.

    least_loaded: lowest utilisation on the channel, then longest idle, then lowest id.
    round_robin: the next eligible agent by id after ``last_agent_id`` (wrapping).
    """
    pool: list[AgentState] = []
    rejections: dict[str, int] = {}
    for agent in agents:
        rule = why_not(agent, req)
        if rule is None:
            pool.append(agent)
        else:
            rejections[rule.value] = rejections.get(rule.value, 0) + 1
    if not pool:
        return Decision(None, _nobody(req, rejections), 0, rejections)
    if strategy == Strategy.ROUND_ROBIN:
        ordered = sorted(pool, key=lambda a: a.id)
        after = [a for a in ordered if last_agent_id is None or a.id > last_agent_id]
        return Decision((after or ordered)[0], "round robin", len(pool), rejections)
    best = min(pool, key=lambda a: (a.utilisation(req.channel), a.last_assigned_at, a.id))
    return Decision(best, "least loaded", len(pool), rejections)


def _nobody(req: Requirement, rejections: Mapping[str, int]) -> str:
    if not rejections:
        return "no agents"
    order = [r.value for r in Rejection]
    # most frequent reason; on a tie, the rule checked first
    top = max(rejections, key=lambda k: (rejections[k], -order.index(k)))
    lang = f" for language {req.language}" if req.language else ""
    return f"nobody eligible{lang} ({top}: {rejections[top]})"


# --- queue order ------------------------------------------------------------------------

PRIORITY_WEIGHT = {"urgent": 3, "high": 2, "normal": 1, "low": 0}


@dataclass(frozen=True)
class Waiting:
    conversation_id: int
    priority: str
    vip: bool
    angry: bool
    sla_at_risk: bool
    waiting_since: float  # epoch seconds


def queue_key(w: Waiting) -> tuple[int, int, float, int]:
    """Angry customers and VIPs jump the queue (an angry customer first: they are about to
    leave); then SLA risk and priority; then the longest waiting."""
    jump = 2 * int(w.angry) + int(w.vip)
    urgency = int(w.sla_at_risk) * 10 + PRIORITY_WEIGHT.get(w.priority, 1)
    return (-jump, -urgency, w.waiting_since, w.conversation_id)


def order_queue(waiting: Sequence[Waiting]) -> list[Waiting]:
    return sorted(waiting, key=queue_key)


class Roster:
    """A snapshot of agents indexed by language, for many decisions in a row.

    ``Roster.choose`` picks exactly the agent :func:`choose` would pick over all the
    agents, but looks only at those who speak the language asked for. When someone is
    found, ``rejections`` counts only the speakers of the language; when nobody is, all
    agents are counted, so the explanation is the same as the full scan's.
    """

    def __init__(self, agents: Iterable[AgentState]) -> None:
        self.agents: dict[int, AgentState] = {a.id: a for a in agents}
        self._by_language: dict[str, list[int]] = {}
        for a in self.agents.values():
            for code in a.languages:
                self._by_language.setdefault(code, []).append(a.id)

    def update(self, agent: AgentState) -> None:
        """Replace an agent's state (e.g. its load after an assignment); languages must
        not change."""
        self.agents[agent.id] = agent

    def choose(
        self,
        req: Requirement,
        strategy: Strategy = Strategy.LEAST_LOADED,
        last_agent_id: int | None = None,
    ) -> Decision:
        if not req.language:
            return choose(self.agents.values(), req, strategy, last_agent_id)
        ids = self._by_language.get(req.language, [])
        decision = choose((self.agents[i] for i in ids), req, strategy, last_agent_id)
        if decision.agent is not None:
            return decision
        # Nobody: count the agents not looked at as the full scan would have (their first
        # failing rule may come before the language), so the reason reads the same.
        others = [a for i, a in self.agents.items() if req.language not in a.languages]
        if not others:
            return decision
        rejections = dict(decision.rejections)
        for a in others:
            rule = why_not(a, req)
            if rule is not None:
                rejections[rule.value] = rejections.get(rule.value, 0) + 1
        return Decision(None, _nobody(req, rejections), 0, rejections)
