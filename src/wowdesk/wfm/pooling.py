"""What multi-skilled agents save: queues staffed apart against queues pooled where agents
speak (or are skilled for) several of them.

Pure (numpy; no Django). Queues are linked when some agent serves both; each connected
group of linked queues is staffed as one queue carrying the group's summed load (Erlang C
or A with the same target). That is the best pooling can do — perfect cross-skilling
inside the group —, so the saving it shows is an upper bound; a group whose multilingual
agents are few reaches less. Separate staffing is each queue on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from wowdesk.wfm import erlang as E


@dataclass(frozen=True)
class PoolingResult:
    groups: list[list[str]]  # queues pooled together, each sorted
    separate_agents: list[int]  # per interval, the sum over queues staffed apart
    pooled_agents: list[int]  # per interval, the sum over groups
    saved_agent_intervals: int
    saved_share: float  # saved / separate (0 when nothing is offered)


def linked_groups(queues: Sequence[str], agent_skills: Iterable[Iterable[str]]) -> list[list[str]]:
    """Connected groups of ``queues``: two are linked when one agent has both skills."""
    parent = {q: q for q in queues}

    def find(q: str) -> str:
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for skills in agent_skills:
        mine = [s for s in skills if s in parent]
        for other in mine[1:]:
            a, b = find(mine[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for q in queues:
        groups.setdefault(find(q), []).append(q)
    return sorted(sorted(g) for g in groups.values())


def pooling_savings(
    contacts: Mapping[str, ArrayLike],
    agent_skills: Iterable[Iterable[str]],
    *,
    interval_seconds: float,
    aht_seconds: float,
    target: E.Target,
    model: E.Model = "erlang_c",
    patience_seconds: float | None = None,
    occupancy_cap: float = 1.0,
) -> PoolingResult:
    """Agents per interval with every queue apart, and with linked queues pooled."""
    queues = sorted(contacts)
    if not queues:
        return PoolingResult([], [], [], 0, 0.0)
    table = np.vstack([np.asarray(contacts[q], dtype=np.float64) for q in queues])
    kw = {
        "interval_seconds": interval_seconds,
        "aht_seconds": aht_seconds,
        "target": target,
        "model": model,
        "patience_seconds": patience_seconds,
        "occupancy_cap": occupancy_cap,
    }
    apart = E.staff(table, **kw).agents.sum(axis=0)  # type: ignore[arg-type]
    groups = linked_groups(queues, agent_skills)
    index = {q: i for i, q in enumerate(queues)}
    pooled_table = np.vstack([table[[index[q] for q in g]].sum(axis=0) for g in groups])
    pooled = E.staff(pooled_table, **kw).agents.sum(axis=0)  # type: ignore[arg-type]
    saved = int(apart.sum() - pooled.sum())
    total = int(apart.sum())
    return PoolingResult(
        groups=groups,
        separate_agents=[int(x) for x in apart],
        pooled_agents=[int(x) for x in pooled],
        saved_agent_intervals=saved,
        saved_share=saved / total if total else 0.0,
    )
