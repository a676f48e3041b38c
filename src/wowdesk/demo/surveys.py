"""The demo's year of surveys: asked after the resolved conversations, about a third
answered, the follow-ups of the unhappy answers, check-ins after hard cases, WOW stories,
team leads and the weekly report's recipient.

Written in bulk like the rest of the demo's history (see ``seed.py``): replaying a year of
answers through ``record_answer`` would emit an event per answer, open follow-ups "now" and
take minutes. The rows look as the services write them: a survey per kind and resolution
with the fields of the time (agent, team, site, inbox, channel, language, intent) copied,
a response copying them again, one follow-up per unhappy conversation (on its first unhappy
answer) assigned to the team lead. The rollups are rebuilt afterwards (``seed.py``).

The scores follow the conversation: a fast, calm case is mostly answered by promoters, a
slow one (late first response, a long resolution, or reopened by the customer) or an angry
one (its first message was angry) much less, and the weaker month (``generate.DIP_DAYS``)
is worse again; CSAT and CES follow the same customer's NPS. Deterministic: every draw
comes from the brand's seeded generator.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models

from wowdesk.analytics.models import ReportSettings
from wowdesk.conversations.models import Conversation, Inbox
from wowdesk.core.models import Agent, Brand, Team
from wowdesk.demo import generate, survey_phrases
from wowdesk.surveys import texts
from wowdesk.surveys.models import (
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    Survey,
    SurveyKind,
    SurveyResponse,
    SurveySettings,
    SurveyStatus,
    WowSource,
    WowStory,
)

BATCH = 500
DELAY = dt.timedelta(hours=1)  # the default delay after the resolution
# Email customers are asked the next day (an inbox override of the delay).
EMAIL_DELAY = dt.timedelta(days=1)
EXPIRES_DAYS = 14
FOLLOWUP_HOURS = 48
# follow-ups older than this are all done: the open ones a supervisor sees are recent
FORGOTTEN_DAYS = 30
CHECKIN_DAYS = 3
# Every kind asked after a resolution (the install's default); the chat inbox also asks CES.
KINDS = ("csat", "nps")
CES_CHANNEL = "chat"
# Share of conversations whose customer answers (NPS and CSAT mostly together).
ANSWER_SHARE = 0.31
# The newest surveys are not answered yet: sent, or still scheduled.
UNANSWERED_RECENT = dt.timedelta(days=2)
# A first response later than this is slow (per channel, in seconds), and so is a
# resolution longer than SLOW_RESOLUTION.
SLOW_FIRST = {"chat": 300, "voice": 120, "social": 3 * 3600, "email": 8 * 3600, "web": 8 * 3600}
SLOW_RESOLUTION = dt.timedelta(days=7)
# (promoters, passives, detractors) by case; the brand shifts it a little.
NPS_MIX = {
    "calm": (0.72, 0.19, 0.09),
    "slow": (0.50, 0.24, 0.26),
    "angry": (0.48, 0.24, 0.28),
    "both": (0.28, 0.25, 0.47),
}
DIP_SHIFT = 0.12  # taken from promoters and given to detractors in the weaker month
BRAND_SHIFT = {"acme": 0.03, "globex": -0.03}
WOW_PROMOTER_STORIES = 40  # at most, per brand
WOW_NOMINATIONS = 8  # per brand


def is_slow(channel: str, first_response_s: float | None, resolution_s: float | None) -> bool:
    """Whether the customer waited too long: for a first response, or for the resolution."""
    if first_response_s is not None and first_response_s > SLOW_FIRST.get(channel, 8 * 3600):
        return True
    return resolution_s is not None and resolution_s > SLOW_RESOLUTION.total_seconds()


@dataclass(frozen=True)
class Case:
    """A resolved demo conversation the surveys follow."""

    conversation: Conversation
    channel: str
    intent: str
    angry: bool
    hard: bool  # escalated or angry: worth a check-in
    product: str
    customer_name: str
    reopened: bool = False  # the customer wrote again after the resolution


@dataclass
class SurveyCounts:
    surveys: int = 0
    responses: int = 0
    followups: int = 0
    stories: int = 0
    # the conversation whose surveys wait for the customer's answer (the walkthrough)
    try_conversation: Conversation | None = None
    try_survey_ids: list[int] = field(default_factory=list)
    try_survey_kinds: list[str] = field(default_factory=list)


@contextmanager
def history_times(*fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Let ``bulk_create`` keep the given times: the fields normally stamp "now" on insert
    (``auto_now_add``/``auto_now``); the history happened earlier."""
    saved = []
    for model, name in fields:
        f = model._meta.get_field(name)
        assert isinstance(f, models.DateTimeField)
        saved.append((f, f.auto_now, f.auto_now_add))
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class SurveySeeder:
    """One brand's surveys, answers, follow-ups and stories."""

    def __init__(
        self,
        brand: Brand,
        rng: random.Random,
        now: dt.datetime,
        agents: dict[Agent, str],
        supervisors: Sequence[Agent],
        teams: dict[str, Team],
        inboxes: dict[str, Inbox],
    ) -> None:
        """``agents``: the brand's people and their names; ``supervisors``: who leads the
        teams and takes the follow-ups."""
        self.brand = brand
        self.rng = rng
        self.now = now
        self.teams = teams
        self.inboxes = inboxes
        self.site_of = {a.pk: a.site_id for a in agents}
        self.name_of = {a.pk: name for a, name in agents.items()}
        self.supervisors = list(supervisors) or list(agents)[:1]
        self.lead_of: dict[int, int] = {}
        self.counts = SurveyCounts()

    # -- configuration ---------------------------------------------------------------

    def configure(self) -> None:
        """The brand's survey settings (CSAT and NPS), CES on the chat inbox, team leads
        and the weekly report to a supervisor."""
        if not SurveySettings.objects.filter(brand=self.brand, inbox=None).exists():
            SurveySettings.objects.create(brand=self.brand, kinds=list(KINDS))
        chat = self.inboxes.get(CES_CHANNEL)
        if chat is not None and not SurveySettings.objects.filter(inbox=chat).exists():
            SurveySettings.objects.create(brand=self.brand, inbox=chat, kinds=[*KINDS, "ces"])
        email = self.inboxes.get("email")
        if email is not None and not SurveySettings.objects.filter(inbox=email).exists():
            SurveySettings.objects.create(
                brand=self.brand,
                inbox=email,
                kinds=list(KINDS),
                delay_minutes=int(EMAIL_DELAY.total_seconds() // 60),
            )
        members = Team.members.through.objects.filter(team__in=self.teams.values())
        by_team: dict[int, set[int]] = {}
        for team_id, agent_id in members.values_list("team_id", "agent_id"):
            by_team.setdefault(team_id, set()).add(agent_id)
        for team in self.teams.values():
            ids = by_team.get(team.pk, set())
            lead = next((s for s in self.supervisors if s.pk in ids), self.supervisors[0])
            Team.objects.filter(pk=team.pk).update(lead=lead)
            team.lead = lead
            self.lead_of[team.pk] = lead.pk
        report, _created = ReportSettings.objects.get_or_create(brand=self.brand)
        report.weekly_recipients.add(self.supervisors[0])

    # -- the year ----------------------------------------------------------------------

    def run(self, cases: Sequence[Case]) -> SurveyCounts:
        self.configure()
        since = self.now - dt.timedelta(days=365)
        cases = [
            c for c in cases if c.conversation.resolved_at and c.conversation.resolved_at >= since
        ]
        walkthrough = self.pick_walkthrough(cases)
        shift = BRAND_SHIFT.get(self.brand.slug, 0.0)
        surveys: list[Survey] = []
        answers: list[tuple[Survey, int, str, str, dt.datetime, Case]] = []
        for case in cases:
            conv = case.conversation
            assert conv.resolved_at is not None
            kinds = [*KINDS, "ces"] if case.channel == CES_CHANNEL else list(KINDS)
            scheduled = conv.resolved_at + delay_for(case.channel)
            expires = scheduled + dt.timedelta(days=EXPIRES_DAYS)
            language = texts.pick_language(conv.language, self.brand.default_language)
            answers_now = self.rng.random() < ANSWER_SHARE
            answered_at = scheduled + generate.lognormal_seconds(
                self.rng, 3 * 3600.0, 1.2, 60.0, 5 * 86400.0
            )
            group = self.draw_group(case, shift)
            for kind in kinds:
                survey = Survey(
                    brand=self.brand,
                    conversation=conv,
                    customer_id=conv.customer_id,
                    kind=kind,
                    resolved_at=conv.resolved_at,
                    scheduled_for=scheduled,
                    language=language,
                    channel=case.channel,
                    inbox_id=conv.inbox_id,
                    agent_id=conv.assignee_id,
                    team_id=conv.team_id,
                    site_id=self.site_of.get(conv.assignee_id or 0),
                    intent=case.intent[:100],
                    created_at=conv.resolved_at,
                )
                asked = kind == "csat" or self.rng.random() < 0.9
                if scheduled > self.now:
                    survey.status = SurveyStatus.SCHEDULED
                else:
                    survey.sent_at = scheduled + dt.timedelta(seconds=self.rng.randint(1, 30))
                    survey.expires_at = expires
                    if conv is walkthrough:
                        survey.status = SurveyStatus.SENT
                        survey.expires_at = max(expires, self.now + dt.timedelta(days=7))
                    elif (
                        answers_now
                        and asked
                        and answered_at <= self.now
                        and self.now - scheduled > UNANSWERED_RECENT
                    ):
                        survey.status = SurveyStatus.ANSWERED
                        survey.answered_at = answered_at
                        score = self.score(kind, group)
                        comment, comment_language = self.comment(kind, group, case)
                        answers.append(
                            (survey, score, comment, comment_language, answered_at, case)
                        )
                    elif expires <= self.now:
                        survey.status = SurveyStatus.EXPIRED
                        survey.expired_reason = "timeout"
                    else:
                        survey.status = SurveyStatus.SENT
                surveys.append(survey)
        with history_times((Survey, "created_at")):
            Survey.objects.bulk_create(surveys, batch_size=BATCH)
        self.counts.surveys = len(surveys)
        if walkthrough is not None:
            self.counts.try_conversation = walkthrough
            mine = [s for s in surveys if s.conversation is walkthrough]
            self.counts.try_survey_ids = [s.pk for s in mine]
            self.counts.try_survey_kinds = [s.kind for s in mine]
        responses = self.write_responses(answers)
        self.write_followups(responses, cases)
        self.write_stories(responses, cases)
        return self.counts

    def pick_walkthrough(self, cases: Sequence[Case]) -> Conversation | None:
        """The newest resolution of an Indonesian customer whose surveys are sent (an hour
        has passed): left unanswered for the "Done means" walkthrough."""
        ready = [
            c.conversation
            for c in cases
            if c.conversation.language == "id"
            and c.conversation.resolved_at is not None
            and c.conversation.resolved_at + delay_for(c.channel) < self.now
        ]
        return max(ready, key=lambda c: c.resolved_at or self.now, default=None)

    def draw_group(self, case: Case, shift: float) -> str:
        """promoter, passive or detractor: the customer's mood about this case."""
        conv = case.conversation
        first = (
            (conv.first_response_at - conv.created_at).total_seconds()
            if conv.first_response_at
            else None
        )
        assert conv.resolved_at is not None
        slow = is_slow(case.channel, first, (conv.resolved_at - conv.created_at).total_seconds())
        slow = slow or case.reopened  # solved only the second time: as bad as a slow case
        key = (
            "both" if slow and case.angry else "slow" if slow else "angry" if case.angry else "calm"
        )
        promoters, passives, detractors = NPS_MIX[key]
        promoters += shift
        detractors -= shift
        if generate.in_dip(conv.created_at, self.now):
            promoters -= DIP_SHIFT
            detractors += DIP_SHIFT
        roll = self.rng.random()
        if roll < promoters:
            return "promoter"
        if roll < promoters + passives:
            return "passive"
        return "detractor"

    def score(self, kind: str, group: str) -> int:
        rng = self.rng
        if kind == SurveyKind.NPS:
            if group == "promoter":
                return rng.choices((9, 10), weights=(4, 6))[0]
            if group == "passive":
                return rng.choice((7, 8))
            return rng.choices(range(7), weights=(3, 2, 3, 4, 5, 6, 6))[0]
        if kind == SurveyKind.CSAT:
            if group == "promoter":
                return rng.choices((4, 5), weights=(3, 7))[0]
            if group == "passive":
                return rng.choices((3, 4, 5), weights=(3, 6, 1))[0]
            return rng.choices((1, 2, 3), weights=(4, 4, 2))[0]
        if group == "promoter":  # CES: 1 (very hard) … 7 (very easy)
            return rng.choice((6, 7))
        if group == "passive":
            return rng.choice((4, 5, 6))
        return rng.choice((1, 2, 3, 4))

    def comment(self, kind: str, group: str, case: Case) -> tuple[str, str]:
        """A short why in the customer's language (or none: most skip it)."""
        share = 0.6 if kind == SurveyKind.NPS else 0.2
        if self.rng.random() >= share:
            return "", ""
        conv = case.conversation
        language = survey_phrases.comment_language(conv.language)
        if group == "promoter":
            mood = "praise"
        elif group == "passive":
            mood = "fine"
        else:
            assert conv.resolved_at is not None
            first = (
                (conv.first_response_at - conv.created_at).total_seconds()
                if conv.first_response_at
                else None
            )
            resolution = (conv.resolved_at - conv.created_at).total_seconds()
            mood = "slow" if is_slow(case.channel, first, resolution) else "unsolved"
        return self.rng.choice(survey_phrases.COMMENTS[language][mood]), language

    # -- answers, follow-ups, stories ----------------------------------------------------

    def write_responses(
        self, answers: Sequence[tuple[Survey, int, str, str, dt.datetime, Case]]
    ) -> list[tuple[SurveyResponse, Case]]:
        rows = [
            SurveyResponse(
                survey=survey,
                brand=self.brand,
                kind=survey.kind,
                score=score,
                comment=comment,
                comment_language=comment_language,
                conversation_id=survey.conversation_id,
                customer_id=survey.customer_id,
                agent_id=survey.agent_id,
                team_id=survey.team_id,
                site_id=survey.site_id,
                inbox_id=survey.inbox_id,
                channel=survey.channel,
                language=survey.language,
                intent=survey.intent,
                answered_at=at,
                updated_at=at,
            )
            for survey, score, comment, comment_language, at, _case in answers
        ]
        SurveyResponse.objects.bulk_create(rows, batch_size=BATCH)
        self.counts.responses = len(rows)
        return [(row, a[5]) for row, a in zip(rows, answers, strict=True)]

    def assignee(self, team_id: int | None) -> int:
        return self.lead_of.get(team_id or 0, self.supervisors[0].pk)

    def write_followups(
        self, responses: Sequence[tuple[SurveyResponse, Case]], cases: Sequence[Case]
    ) -> None:
        """One follow-up per unhappy conversation (on its first unhappy answer, NPS first):
        older ones done with an outcome, the last days' open, a few forgotten (overdue);
        check-ins after some hard cases."""
        rng = self.rng
        order = {"nps": 0, "csat": 1, "ces": 2}
        unhappy: dict[int, SurveyResponse] = {}
        for response, _case in sorted(responses, key=lambda rc: order[rc[0].kind]):
            if is_unhappy(response.kind, response.score):
                unhappy.setdefault(response.conversation_id, response)
        rows: list[FollowUp] = []
        for response in unhappy.values():
            due = response.answered_at + dt.timedelta(hours=FOLLOWUP_HOURS)
            row = FollowUp(
                brand=self.brand,
                kind=FollowUpKind.DETRACTOR,
                conversation_id=response.conversation_id,
                customer_id=response.customer_id,
                response=response,
                assignee_id=self.assignee(response.team_id),
                team_id=response.team_id,
                due_at=due,
                reason=response.comment or f"{response.kind.upper()} {response.score}",
                created_at=response.answered_at,
                updated_at=response.answered_at,
            )
            age = self.now - response.answered_at
            # done: every one older than a month (a year of forgotten tasks would bury
            # today's), most of the last weeks', some of the last days', none of today's
            done_share = (
                1.0
                if age > dt.timedelta(days=FORGOTTEN_DAYS)
                else 0.93
                if age > dt.timedelta(days=5)
                else 0.6
                if age > dt.timedelta(days=3)
                else 0.0
            )
            if rng.random() < done_share:
                self.close(row, response.answered_at, survey_phrases.FOLLOWUP_OUTCOMES)
            rows.append(row)
        hard = [c for c in cases if c.hard and c.conversation.resolved_at]
        for case in rng.sample(hard, k=min(len(hard), max(3, len(hard) // 20))):
            conv = case.conversation
            assert conv.resolved_at is not None
            made = conv.resolved_at
            row = FollowUp(
                brand=self.brand,
                kind=FollowUpKind.CHECKIN,
                conversation=conv,
                customer_id=conv.customer_id,
                assignee_id=conv.assignee_id or self.assignee(conv.team_id),
                team_id=conv.team_id,
                due_at=made + dt.timedelta(days=CHECKIN_DAYS),
                reason=rng.choice(survey_phrases.CHECKIN_REASONS),
                created_at=made,
                updated_at=made,
            )
            overdue = self.now - row.due_at
            if overdue > dt.timedelta(days=FORGOTTEN_DAYS) or (
                overdue > dt.timedelta(days=1) and rng.random() < 0.97
            ):
                self.close(row, row.due_at - dt.timedelta(hours=6), survey_phrases.CHECKIN_OUTCOMES)
            rows.append(row)
        with history_times((FollowUp, "created_at"), (FollowUp, "updated_at")):
            FollowUp.objects.bulk_create(rows, batch_size=BATCH)
        self.counts.followups = len(rows)

    def close(self, row: FollowUp, start: dt.datetime, outcomes: Sequence[str]) -> None:
        done = start + dt.timedelta(hours=self.rng.uniform(2, FOLLOWUP_HOURS * 0.9))
        row.status = FollowUpStatus.DONE
        row.outcome = self.rng.choice(outcomes)
        row.done_at = min(done, self.now)
        row.done_by_id = row.assignee_id
        row.updated_at = row.done_at

    def write_stories(
        self, responses: Sequence[tuple[SurveyResponse, Case]], cases: Sequence[Case]
    ) -> None:
        """Promoters' words (their why), and colleagues' nominations of several agents."""
        rng = self.rng
        praised = [
            r
            for r, _case in responses
            if r.kind == SurveyKind.NPS and r.score >= 9 and r.comment and r.agent_id
        ]
        rows: list[WowStory] = [
            WowStory(
                brand=self.brand,
                source=WowSource.PROMOTER,
                conversation_id=r.conversation_id,
                response=r,
                agent_id=r.agent_id,
                story=r.comment,
                language=r.comment_language,
                created_at=r.answered_at,
            )
            for r in sorted(praised, key=lambda r: r.answered_at)[-WOW_PROMOTER_STORIES:]
        ]
        calm = [c for c in cases if c.conversation.assignee_id and not c.angry]
        by_agent: dict[int, list[Case]] = {}
        for case in calm:
            by_agent.setdefault(case.conversation.assignee_id or 0, []).append(case)
        agent_ids = sorted(by_agent)
        rng.shuffle(agent_ids)
        for i in range(min(WOW_NOMINATIONS, len(calm))):
            agent_id = agent_ids[i % len(agent_ids)]
            case = rng.choice(by_agent[agent_id])
            conv = case.conversation
            assert conv.resolved_at is not None
            nominator = rng.choice(
                [s for s in self.supervisors if s.pk != agent_id] or self.supervisors
            )
            story = rng.choice(survey_phrases.NOMINATIONS).format(
                agent=self.name_of.get(agent_id, ""),
                customer=case.customer_name,
                product=case.product,
            )
            rows.append(
                WowStory(
                    brand=self.brand,
                    source=WowSource.NOMINATION,
                    conversation=conv,
                    agent_id=agent_id,
                    story=story,
                    language="en",
                    nominated_by=nominator,
                    created_at=min(
                        self.now, conv.resolved_at + dt.timedelta(hours=rng.randint(2, 72))
                    ),
                )
            )
        WowStory.objects.bulk_create(rows, batch_size=BATCH)
        self.counts.stories = len(rows)


def delay_for(channel: str) -> dt.timedelta:
    """How long after the resolution the survey goes out (the inbox's settings)."""
    return EMAIL_DELAY if channel == "email" else DELAY


def is_unhappy(kind: str, score: int) -> bool:
    """The answers that open a follow-up: NPS 0–6, CSAT 1–2, CES 1–3."""
    return {"nps": score <= 6, "csat": score <= 2, "ces": score <= 3}.get(kind, False)
