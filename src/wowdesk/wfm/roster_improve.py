"""Improving a roster of named agents: coverage kept as flows, redundant shifts dropped, and
large-neighbourhood search (LNS) with CP-SAT (pure).

``Cover`` holds a roster's coverage as a flow per interval: agents present counted per
language set, and how many of each set serve each queue (a maximum allocation, as in
``roster_model.coverage_of``). ``drop_redundant`` removes every shift whose agents are not
needed: removing one agent of a language set at an interval keeps the flow when the set has
a spare agent there or an augmenting path reroutes its queue to another set's spare agent.
``lns`` repeatedly frees the agents of one language (all of them, or a random sample when
there are many), keeps every other agent's shifts and their flows fixed, and re-solves the
freed agents' whole week with CP-SAT (every candidate shift, every hard rule, the cells of
every queue they can serve with what the fixed agents leave uncovered), accepting a strictly
better objective (paid intervals + preference costs + ``short_weight`` × short; a neighbourhood
that is a whole component uses stage 1's ``penalty`` instead, so its dual bound is in stage 1's
units).
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wowdesk.wfm.roster_assign import _agent_rules
from wowdesk.wfm.roster_cover import Prepared
from wowdesk.wfm.roster_model import AgentSpec, Candidate, allocate, preference_cost

LangSet = frozenset[str]
log = logging.getLogger(__name__)


class Cover:
    """Presence and flows of a roster per interval; ``short`` the cells below demand."""

    def __init__(self, prep: Prepared, chosen: dict[int, list[Candidate]]) -> None:
        self.prep = prep
        self.horizon = prep.problem.horizon
        self.langs: dict[int, LangSet] = {a.id: a.languages for a in prep.problem.agents}
        self.need: list[dict[str, int]] = [{} for _ in range(self.horizon)]
        for (q, t), n in prep.demand.items():
            self.need[t][q] = n
        self.present: list[dict[LangSet, int]] = [{} for _ in range(self.horizon)]
        self.flow: list[dict[tuple[LangSet, str], int]] = [{} for _ in range(self.horizon)]
        self.served: list[dict[str, int]] = [{} for _ in range(self.horizon)]
        for agent_id, cs in chosen.items():
            for c in cs:
                self._add_presence(self.langs[agent_id], c, 1)
        for t in range(self.horizon):
            self.reallocate(t)

    def _add_presence(self, g: LangSet, c: Candidate, sign: int) -> list[int]:
        ts = list(c.covers(self.horizon))
        for t in ts:
            row = self.present[t]
            row[g] = row.get(g, 0) + sign
            if row[g] == 0:
                del row[g]
        return ts

    def reallocate(self, t: int) -> None:
        """A maximum allocation at ``t`` from scratch."""
        flow = allocate(self.present[t], self.need[t]) if self.need[t] else {}
        self.flow[t] = {k: v for k, v in flow.items() if v > 0}
        served: dict[str, int] = {}
        for (_, q), v in self.flow[t].items():
            served[q] = served.get(q, 0) + v
        self.served[t] = served

    def short_at(self, t: int) -> int:
        return sum(n - self.served[t].get(q, 0) for q, n in self.need[t].items())

    def short_cells(self) -> dict[tuple[str, int], int]:
        return {
            (q, t): n - self.served[t].get(q, 0)
            for t in range(self.horizon)
            for q, n in self.need[t].items()
            if self.served[t].get(q, 0) < n
        }

    def short(self) -> int:
        return sum(self.short_at(t) for t in range(self.horizon))

    def spare_by_set(self) -> dict[LangSet, int]:
        """Agent-intervals present but serving no queue, per language set."""
        out: dict[LangSet, int] = {}
        for t in range(self.horizon):
            for g, n in self.present[t].items():
                out[g] = out.get(g, 0) + n
            for (g, _), v in self.flow[t].items():
                out[g] = out.get(g, 0) - v
        return out

    def spare(self, g: LangSet, t: int) -> int:
        used = sum(v for (h, _), v in self.flow[t].items() if h == g)
        return self.present[t].get(g, 0) - used

    def replace(self, agent_id: int, old: Iterable[Candidate], new: Iterable[Candidate]) -> None:
        """Change an agent's shifts; the touched intervals get a maximum allocation anew."""
        self.replace_many([(agent_id, old, new)])

    def replace_many(
        self, changes: Iterable[tuple[int, Iterable[Candidate], Iterable[Candidate]]]
    ) -> None:
        """Change several agents' shifts; each touched interval is allocated anew once."""
        touched: set[int] = set()
        for agent_id, old, new in changes:
            g = self.langs[agent_id]
            for c in old:
                touched.update(self._add_presence(g, c, -1))
            for c in new:
                touched.update(self._add_presence(g, c, 1))
        for t in touched:
            self.reallocate(t)

    def try_remove(self, g: LangSet, c: Candidate) -> bool:
        """Remove one agent of set ``g`` on ``c`` if no cell gets shorter (then True)."""
        ts = list(c.covers(self.horizon))
        plans: list[tuple[int, list[tuple[LangSet, str, int]]]] = []
        for t in ts:
            if self.spare(g, t) > 0:
                continue
            path = self._reroute(g, t)
            if path is None:
                return False
            plans.append((t, path))
        for t, path in plans:
            for h, q, d in path:
                key = (h, q)
                self.flow[t][key] = self.flow[t].get(key, 0) + d
                if self.flow[t][key] == 0:
                    del self.flow[t][key]
        self._add_presence(g, c, -1)
        return True

    def _reroute(self, g: LangSet, t: int) -> list[tuple[LangSet, str, int]] | None:
        """Flow changes at ``t`` that free one used agent of ``g`` and serve the same: ``g``
        leaves one of its queues, and an augmenting path (a breadth-first search over
        queues) gives that queue an agent of another set, which either has a spare agent or
        moves one from another of its queues, which then needs one in turn."""
        flow = self.flow[t]
        sets = [h for h in self.present[t] if h != g]
        spare = {h: self.spare(h, t) for h in sets}
        for q0 in [q for (h, q), v in flow.items() if h == g and v > 0]:
            came: dict[str, tuple[LangSet, str] | None] = {q0: None}
            todo = deque([q0])
            while todo:
                q = todo.popleft()
                lang = q.split("/", 1)[0]
                for h in sets:
                    if lang not in h:
                        continue
                    if spare[h] > 0:
                        changes = [(g, q0, -1), (h, q, 1)]
                        while (back := came[q]) is not None:
                            h2, towards = back  # h2 moved from q to ``towards``
                            changes += [(h2, q, -1), (h2, towards, 1)]
                            q = towards
                        return changes
                    for (h2, q2), v in flow.items():
                        if h2 == h and v > 0 and q2 not in came:
                            came[q2] = (h, q)
                            todo.append(q2)
        return None


def drop_redundant(prep: Prepared, chosen: dict[int, list[Candidate]], cover: Cover) -> int:
    """Remove shifts no cell needs (longest first, then the agents with most hours):
    coverage stays what it was. Returns how many were removed."""
    horizon = prep.problem.horizon
    order = sorted(
        ((a, c) for a, cs in chosen.items() for c in cs),
        key=lambda e: (-e[1].paid_intervals(horizon), -len(chosen[e[0]]), e[0], e[1].start),
    )
    removed = 0
    for agent_id, c in order:
        if cover.try_remove(cover.langs[agent_id], c):
            chosen[agent_id] = [o for o in chosen[agent_id] if o != c]
            removed += 1
    return removed


@dataclass
class LnsStats:
    rounds: int = 0
    accepted: int = 0
    optimal_whole: bool = False  # a neighbourhood held every agent and was solved optimally
    log: list[dict[str, float]] = field(default_factory=list)


def objective(prep: Prepared, chosen: dict[int, list[Candidate]], short: int) -> int:
    horizon = prep.problem.horizon
    agents = {a.id: a for a in prep.problem.agents}
    paid = sum(
        c.paid_intervals(horizon) + preference_cost(agents[a], c)
        for a, cs in chosen.items()
        for c in cs
    )
    return paid + prep.short_weight * short


def lns(
    prep: Prepared,
    chosen: dict[int, list[Candidate]],
    cover: Cover,
    deadline: float,
    on_improve: Callable[[], bool] | None = None,
    seed: int = 0,
    max_agents: int = 24,
    round_seconds: float = 3.0,
    workers: int = 1,
    widen: int = 8,
    before_round: Callable[[], bool] | None = None,
    component_bounds: dict[frozenset[str], float] | None = None,
) -> LnsStats:
    """Improve ``chosen`` in place (and ``cover`` with it) until ``deadline`` (monotonic),
    until ``on_improve`` (called after each accepted move) returns True, or until every
    language's whole neighbourhood was solved optimally with nothing to improve.
    ``before_round`` is called before each round (it may wait; True stops). When a
    neighbourhood holds exactly the agents of a component of the problem (``prep.components``)
    and none of them has preferences, CP-SAT's dual bound for it bounds that component's
    paid intervals + penalty × short in every roster: kept in ``component_bounds``."""
    rng = random.Random(seed)
    stats = LnsStats()
    agents = prep.problem.agents
    speakers: dict[str, list[AgentSpec]] = {}
    for a in agents:
        for lang in a.languages:
            if lang in prep.queues_of_language:
                speakers.setdefault(lang, []).append(a)
    languages = sorted(speakers)
    settled: set[str] = set()  # languages solved whole and optimal since the last change
    tries: dict[str, int] = {}
    while languages and time.monotonic() < deadline - 0.2:
        if before_round is not None and before_round():
            break
        open_langs = [lang for lang in languages if lang not in settled]
        if not open_langs:
            break
        short_langs = {q.split("/", 1)[0] for q, _ in cover.short_cells()}
        shorts = sorted(short_langs & set(open_langs))
        if shorts:
            lang = rng.choice(shorts)
        else:
            waste = cover.spare_by_set()
            lang = max(
                open_langs,
                key=lambda lang: (
                    sum(w for g, w in waste.items() if lang in g) / (1 + tries.get(lang, 0)),
                    lang,
                ),
            )
        tries[lang] = tries.get(lang, 0) + 1
        pool = speakers[lang]
        whole = len(pool) <= max_agents
        freed = list(pool) if whole else _sample(pool, max_agents, rng)
        if tries[lang] % 2 == 0:  # every other time, with a few agents of their languages
            freed = _widen(freed, speakers, min(max_agents, len(freed) + widen), rng)
        # a language with agents short gets longer: filling it is worth more than hours
        limit = min(round_seconds * (2 if lang in short_langs else 1), deadline - time.monotonic())
        if limit < 0.2:
            break
        began = time.monotonic()
        result = _solve_neighbourhood(prep, chosen, cover, freed, limit, workers, rng)
        stats.rounds += 1
        if result is None:
            continue
        new, improved, optimal, dual = result
        if component_bounds is not None:
            part = _component_of(prep, freed)
            if part is not None:
                component_bounds[part] = max(component_bounds.get(part, 0.0), dual)
        stats.log.append(
            {"agents": float(len(freed)), "seconds": time.monotonic() - began,
             "improved": float(improved), "optimal": float(optimal)}
        )  # fmt: skip
        if improved and not _apply(prep, chosen, cover, freed, new):
            improved = False
        if improved:
            stats.accepted += 1
            settled.clear()
            if on_improve is not None and on_improve():
                break
        elif optimal and whole:  # no better week for them (nor for a subset of them)
            settled.add(lang)
            if len(freed) == len(agents):
                stats.optimal_whole = True
                break
    return stats


def _apply(
    prep: Prepared,
    chosen: dict[int, list[Candidate]],
    cover: Cover,
    freed: list[AgentSpec],
    new: dict[int, list[Candidate]],
) -> bool:
    """Give ``freed`` their ``new`` shifts if the roster's objective (counted from the
    coverage's flows) gets strictly better; else leave everything as it was."""
    old = {a.id: chosen.get(a.id, []) for a in freed}
    before = objective(prep, chosen, cover.short())
    cover.replace_many((a.id, old[a.id], new.get(a.id, [])) for a in freed)
    for a in freed:
        chosen[a.id] = new.get(a.id, [])
    if objective(prep, chosen, cover.short()) < before:
        return True
    cover.replace_many((a.id, chosen[a.id], old[a.id]) for a in freed)
    for a in freed:
        chosen[a.id] = old[a.id]
    return False


def _component_of(prep: Prepared, freed: list[AgentSpec]) -> frozenset[str] | None:
    """The component whose agents are exactly ``freed`` (none having preferences)."""
    langs = {lang for a in freed for lang in a.languages}
    if not langs or any(a.preferences for a in freed):
        return None
    part = prep.components.get(next(iter(langs)))
    if part is None or not langs <= part:
        return None
    members = {a.id for a in prep.problem.agents if a.languages & part}
    return part if members == {a.id for a in freed} else None


def _sample(pool: list[AgentSpec], size: int, rng: random.Random) -> list[AgentSpec]:
    """``size`` agents of ``pool``: of one time zone (their shifts interact most), filled up
    from the others when the zone has fewer."""
    zone = rng.choice(sorted({a.time_zone for a in pool}))
    same = [a for a in pool if a.time_zone == zone]
    rest = [a for a in pool if a.time_zone != zone]
    rng.shuffle(same)
    rng.shuffle(rest)
    return (same + rest)[:size]


def _widen(
    freed: list[AgentSpec], speakers: dict[str, list[AgentSpec]], size: int, rng: random.Random
) -> list[AgentSpec]:
    """Add speakers of the freed agents' other languages, same time zone first, up to
    ``size`` agents: a language short because its bilingual agents serve another one can
    only be fixed with that other language's agents free too."""
    ids = {a.id for a in freed}
    zones = {a.time_zone for a in freed}
    langs = {lang for a in freed for lang in a.languages}
    others = {b.id: b for lang in sorted(langs) for b in speakers.get(lang, [])}
    extra = [b for i, b in sorted(others.items()) if i not in ids]
    rng.shuffle(extra)
    extra.sort(key=lambda a: a.time_zone not in zones)
    return freed + extra[: max(0, size - len(freed))]


def _solve_neighbourhood(
    prep: Prepared,
    chosen: dict[int, list[Candidate]],
    cover: Cover,
    freed: list[AgentSpec],
    limit: float,
    workers: int,
    rng: random.Random,
) -> tuple[dict[int, list[Candidate]], bool, bool, float] | None:
    """Re-solve ``freed``'s shifts with everyone else fixed. Returns their new shifts,
    whether the objective improved, whether CP-SAT proved the neighbourhood optimal, and
    its dual bound."""
    t0 = time.monotonic()
    horizon = prep.problem.horizon
    freed_ids = {a.id for a in freed}
    weight = prep.penalty if _component_of(prep, freed) is not None else prep.short_weight
    sets = {a.languages for a in freed}
    # freed agents present per set and interval, under the current roster
    freed_present: list[dict[LangSet, int]] = [{} for _ in range(horizon)]
    for a in freed:
        for c in chosen.get(a.id, []):
            for t in c.covers(horizon):
                row = freed_present[t]
                row[a.languages] = row.get(a.languages, 0) + 1
    queues = sorted({q for g in sets for lang in g for q in prep.queues_of_language.get(lang, [])})
    # what is left for the freed agents: demand minus the fixed agents' flows (the fixed
    # part of a set keeps as much of the set's flow as its fixed agents can carry)
    need: dict[tuple[str, int], int] = {}
    freed_flow: dict[tuple[LangSet, str, int], int] = {}
    # fixed agents present and serving no queue: they may serve the freed agents' queues
    idle: dict[tuple[LangSet, int], int] = {}
    queue_set = set(queues)
    for t in range(horizon):
        fixed: dict[str, int] = {}
        carried: dict[LangSet, int] = {}
        for (g, q), v in sorted(cover.flow[t].items(), key=lambda e: (sorted(e[0][0]), e[0][1])):
            room = cover.present[t].get(g, 0) - freed_present[t].get(g, 0) - carried.get(g, 0)
            keep = max(0, min(v, room)) if g in sets else v
            carried[g] = carried.get(g, 0) + keep
            if v - keep > 0:
                freed_flow[(g, q, t)] = v - keep
            fixed[q] = fixed.get(q, 0) + keep
        for q in queues:
            left = cover.need[t].get(q, 0) - fixed.get(q, 0)
            if left > 0:
                need[(q, t)] = left
        for g, n in cover.present[t].items():
            rest = n - freed_present[t].get(g, 0) - carried.get(g, 0)
            if rest > 0 and any(q in queue_set for q in prep_queues(prep, g)):
                idle[(g, t)] = rest
    freed_served: dict[tuple[str, int], int] = {}
    for (_, q, t), v in freed_flow.items():
        freed_served[(q, t)] = freed_served.get((q, t), 0) + v
    model = cp_model.CpModel()
    presence: dict[tuple[LangSet, int], list[cp_model.IntVar]] = {}
    cost_vars: list[cp_model.IntVar] = []
    cost_coefs: list[int] = []
    z: dict[tuple[int, Candidate], cp_model.IntVar] = {}
    current = {(a, c) for a in freed_ids for c in chosen.get(a, [])}
    for agent in freed:
        options: list[tuple[Candidate, cp_model.IntVar]] = []
        for c in prep.agent_candidates[agent.id]:
            works = model.new_bool_var("")
            z[(agent.id, c)] = works
            options.append((c, works))
            model.add_hint(works, (agent.id, c) in current)
            for t in c.covers(horizon):
                presence.setdefault((agent.languages, t), []).append(works)
            cost_vars.append(works)
            cost_coefs.append(c.paid_intervals(horizon) + preference_cost(agent, c))
        _agent_rules(model, agent, prep, options)
    cells: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    short_vars: list[cp_model.IntVar] = []
    hint_short = 0
    for (q, t), n in need.items():
        s = model.new_int_var(0, n, "")
        cells[(q, t)] = [s]
        short_vars.append(s)
        cost_vars.append(s)
        cost_coefs.append(weight)
        served = freed_served.get((q, t), 0)
        model.add_hint(s, max(0, n - served))
        hint_short += max(0, n - served)
    constant: dict[tuple[str, int], int] = {}
    for key in {*presence, *idle}:
        g, t = key
        vs = presence.get(key, [])
        extra = idle.get(key, 0)
        wanted = [q for q in prep_queues(prep, g) if (q, t) in need]
        if not wanted:
            continue
        if len(wanted) == 1:
            cells[(wanted[0], t)].extend(vs)
            constant[(wanted[0], t)] = constant.get((wanted[0], t), 0) + extra
            continue
        split = []
        for q in wanted:
            y = model.new_int_var(0, need[(q, t)], "")
            model.add_hint(y, min(need[(q, t)], freed_flow.get((g, q, t), 0)))
            cells[(q, t)].append(y)
            split.append(y)
        model.add(sum(split) <= sum(vs) + extra)
    for (q, t), terms in cells.items():
        room = need[(q, t)] - constant.get((q, t), 0)
        if room > 0:
            model.add(sum(terms) >= room)
    model.minimize(cp_model.LinearExpr.weighted_sum(cost_vars, cost_coefs))
    agents = {a.id: a for a in freed}
    before = sum(
        c.paid_intervals(horizon) + preference_cost(agents[a], c)
        for a in freed_ids
        for c in chosen.get(a, [])
    )
    before += weight * hint_short
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, limit)
    solver.parameters.num_workers = max(1, workers)
    # the LP relaxation at every node: these covering models are solved by their LP bound
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = rng.randrange(1 << 30)
    built = time.monotonic()
    if hint_short > 0 and short_vars:  # filling cells: stop at the first week with none short
        status = solver.solve(model, _StopWhenFilled(short_vars))
    else:
        status = solver.solve(model)
    log.debug(
        "lns %s agents=%d cells=%d build=%.2fs solve=%.2fs %s before=%d after=%s bound=%s",
        sorted(sets, key=len)[0], len(freed), len(need), built - t0, time.monotonic() - built,
        solver.status_name(status), before, solver.objective_value, solver.best_objective_bound,
    )  # fmt: skip
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new: dict[int, list[Candidate]] = {}
    for (agent_id, c), works in z.items():
        if solver.value(works):
            new.setdefault(agent_id, []).append(c)
    new = {i: sorted(cs, key=lambda c: c.start) for i, cs in new.items()}
    improved = solver.objective_value < before - 0.5
    return new, improved, status == cp_model.OPTIMAL, float(solver.best_objective_bound)


class _StopWhenFilled(cp_model.CpSolverSolutionCallback):
    """Stops the search at the first solution with no agent short (hours come later)."""

    def __init__(self, short_vars: list[cp_model.IntVar]) -> None:
        super().__init__()
        self.short_vars = short_vars

    def on_solution_callback(self) -> None:
        if all(self.value(s) == 0 for s in self.short_vars):
            self.stop_search()


def prep_queues(prep: Prepared, g: LangSet) -> list[str]:
    return sorted(q for lang in g for q in prep.queues_of_language.get(lang, []))
