"""The voice of the customer's nightly run: per brand, the topics of the past
:data:`WINDOW_WEEKS` weeks (customers' first messages and survey whys), their measures and
the drivers of detractors. ``wowdesk voc-topics`` runs it by hand.

Gathering and computing live here; ``analytics/topics_services.py`` writes the result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from wowdesk.analytics import metrics
from wowdesk.analytics import topics as pure
from wowdesk.analytics.models import Topic, TopicMemberKind

WINDOW_WEEKS = 12
#: The most recent conversations (and, apart, survey whys) read per brand and run.
MAX_TEXTS = 5000
TEXT_CHARS = 500
RUN_EVERY_SECONDS = 24 * 3600

Progress = Callable[[int, int], object]


def _embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from wowdesk.intelligence.emotion import embed

    return embed(texts)


# The encoder (the one loaded for emotion and the knowledge search; tests may swap it).
embedder: Callable[[Sequence[str]], npt.NDArray[np.float32]] = _embed


def register() -> None:
    """The nightly run of every brand's topics (core.jobs, in the worker)."""
    from wowdesk.core import jobs

    jobs.every(RUN_EVERY_SECONDS, "voc-topics", "wowdesk.analytics.topics_jobs.run_all")


@dataclass
class Item:
    kind: str  # TopicMemberKind
    conversation_id: int
    customer_id: int
    response_id: int | None
    text: str
    language: str
    at: dt.datetime
    emotion: float | None = None


@dataclass
class TopicResult:
    """One topic of a run, ready to store."""

    found: pure.TopicFound
    items: list[Item]
    similarities: list[float]
    example: Item
    weekly: list[int]
    week_change: float | None
    nps: metrics.Nps
    csat: metrics.Csat
    sentiment: float | None
    languages: dict[str, int]
    customers: int
    conversations: int
    lift: float | None = None
    is_driver: bool = False
    detractors: int = 0


@dataclass
class RunResult:
    brand_id: int
    window_start: dt.datetime
    window_end: dt.datetime
    topics: list[TopicResult] = field(default_factory=list)
    drivers: list[pure.Driver] = field(default_factory=list)


def gather(brand_id: int, start: dt.datetime, end: dt.datetime) -> list[Item]:
    """The texts of the window: each conversation's first customer message, and each
    survey why (the most recent :data:`MAX_TEXTS` of each)."""
    from wowdesk.conversations.models import Conversation, Direction, Message
    from wowdesk.surveys.models import SurveyResponse

    first = (
        Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.IN)
        .order_by("created_at", "id")
        .values("id")[:1]
    )
    first_ids = [
        i
        for i in Conversation.objects.filter(
            brand_id=brand_id, created_at__gte=start, created_at__lt=end, merged_into__isnull=True
        )
        .order_by("-created_at", "-id")
        .annotate(first_in=Subquery(first))
        .values_list("first_in", flat=True)[:MAX_TEXTS]
        if i is not None
    ]
    items: list[Item] = []
    rows = Message.objects.filter(pk__in=first_ids).values_list(
        "conversation_id",
        "conversation__customer_id",
        "body",
        "language",
        "created_at",
        "emotion",
    )
    for conv, customer, body, language, at, emotion in rows.iterator(chunk_size=2000):
        text = " ".join((body or "").split())[:TEXT_CHARS]
        if text:
            items.append(
                Item(TopicMemberKind.MESSAGE, conv, customer, None, text, language, at, emotion)
            )
    whys = (
        SurveyResponse.objects.filter(
            brand_id=brand_id, answered_at__gte=start, answered_at__lt=end
        )
        .exclude(comment="")
        .order_by("-answered_at", "-id")
        .values_list(
            "pk", "conversation_id", "customer_id", "comment", "comment_language", "answered_at"
        )[:MAX_TEXTS]
    )
    for pk, conv, customer, comment, language, at in whys:
        text = " ".join(comment.split())[:TEXT_CHARS]
        if text:
            items.append(Item(TopicMemberKind.COMMENT, conv, customer, pk, text, language, at))
    items.sort(key=lambda it: (it.at, it.kind, it.conversation_id, it.response_id or 0))
    return items


def _answers(brand_id: int, conversation_ids: set[int]) -> dict[int, list[tuple[str, int]]]:
    """Every NPS and CSAT answer of the conversations: ``{conversation: [(kind, score)]}``."""
    from wowdesk.surveys.models import SurveyResponse

    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    ids = sorted(conversation_ids)
    for i in range(0, len(ids), 900):
        rows = SurveyResponse.objects.filter(
            brand_id=brand_id, conversation_id__in=ids[i : i + 900], kind__in=("nps", "csat")
        ).values_list("conversation_id", "kind", "score")
        for conv, kind, score in rows:
            out[conv].append((kind, score))
    return out


def compute(
    brand_id: int,
    *,
    now: dt.datetime | None = None,
    weeks: int = WINDOW_WEEKS,
    progress: Progress | None = None,
) -> RunResult:
    """The topics of one brand over the window ending ``now``."""
    end = now or timezone.now()
    start = end - dt.timedelta(weeks=weeks)
    result = RunResult(brand_id, start, end)
    items = gather(brand_id, start, end)
    if progress:
        progress(0, len(items) or 1)
    if not items:
        return result
    vectors: list[npt.NDArray[np.float32]] = []
    step = 256
    for i in range(0, len(items), step):
        vectors.append(embedder([it.text for it in items[i : i + step]]))
        if progress:
            progress(min(i + step, len(items)), len(items))
    x = pure.normalise_rows(np.concatenate(vectors))
    found = pure.topics([it.text for it in items], x)
    answers = _answers(brand_id, {it.conversation_id for it in items})
    # each NPS answer once; a topic counts the answers of its members' conversations
    all_nps = [s for conv in answers.values() for kind, s in conv if kind == "nps"]
    for topic in found:
        members = [items[i] for i in topic.members]
        similarities = [float(x[i] @ topic.centroid) for i in topic.members]
        conversations = {it.conversation_id for it in members}
        nps_counts: Counter[int] = Counter()
        csat_counts: Counter[int] = Counter()
        for conv in conversations:
            for kind, score in answers.get(conv, []):
                (nps_counts if kind == "nps" else csat_counts)[score] += 1
        emotions = [it.emotion for it in members if it.emotion is not None]
        ages = [(end - it.at).total_seconds() / 86400 for it in members]
        weekly = pure.weekly_counts(ages, weeks)
        result.topics.append(
            TopicResult(
                found=topic,
                items=members,
                similarities=similarities,
                example=items[topic.example],
                weekly=weekly,
                week_change=pure.change(weekly[-1], weekly[-2]) if weeks >= 2 else None,
                nps=metrics.nps(nps_counts),
                csat=metrics.csat(csat_counts),
                sentiment=float(np.mean(emotions)) if emotions else None,
                languages=dict(Counter(it.language or "und" for it in members).most_common()),
                customers=len({it.customer_id for it in members}),
                conversations=len(conversations),
            )
        )
    total_detractors = sum(1 for s in all_nps if s <= 6)
    result.drivers = pure.drivers(
        [t.nps.detractors for t in result.topics],
        [t.nps.responses for t in result.topics],
        total_detractors,
        len(all_nps),
    )
    for t in result.topics:
        t.detractors = t.nps.detractors
        if t.nps.responses and total_detractors:
            t.lift = (t.nps.detractors / total_detractors) / (t.nps.responses / len(all_nps))
    for drv in result.drivers:
        result.topics[drv.topic].is_driver = True
    return result


def run(brand_id: int, *, now: dt.datetime | None = None, progress: Progress | None = None) -> int:
    """Compute and store one brand's topics; the number of active topics."""
    from wowdesk.analytics import topics_services

    result = compute(brand_id, now=now, progress=progress)
    return topics_services.do_store_topics(result)


def run_all() -> dict[int, int]:
    """Every brand's topics (the nightly job)."""
    from wowdesk.core.models import Brand

    return {pk: run(pk) for pk in Brand.objects.order_by("pk").values_list("pk", flat=True)}


def previous_centroids(brand_id: int) -> list[tuple[int, list[float]]]:
    return list(
        Topic.objects.filter(brand_id=brand_id, active=True)
        .order_by("pk")
        .values_list("pk", "centroid")
    )
