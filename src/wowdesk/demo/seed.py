"""``wowdesk demo``: a realistic, seeded, idempotent demo data set.

Two brands served by one outsourcing center with sites in Manila, Berlin and Toronto;
about twenty agents with languages, skills, roles and shifts; customers in ten languages
with identities on several channels, organizations and devices under warranty; a year of
conversations made of Bitext and xSID sentences (see ``sources.py``); and the surveys
asked after them, their answers, follow-ups and WOW stories (see ``surveys.py``).

Writes: brands, sites, agents, teams, inboxes, tags, organizations, customers, their
identities and purchases go through the services, like any other writer. The history
(conversations, messages, tags on conversations) is written with ``bulk_create``, like a
data migration: replaying thousands of past messages one by one through the services
would stamp them with today's time, queue outbound deliveries for replies that were
"sent" weeks ago and take minutes. The bulk writer keeps the invariants the services
keep: numbers unique per brand with ``Brand.conversation_seq`` at the highest number, and
``message_count``, ``first_response_at``, ``waiting_since`` and ``last_message_at``
derived from the messages exactly as the services derive them (``generate.summarize``).

Idempotent: everything is written in one transaction that ends with a ``demo.seed``
audit entry per brand; a brand with that entry is skipped, so a second run writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wowdesk.channels.chat.services import ensure_widget
from wowdesk.conversations import services as conversations
from wowdesk.conversations.html import text_to_html
from wowdesk.conversations.models import (
    AnswerBot,
    Conversation,
    Inbox,
    Message,
    Status,
    Tag,
)
from wowdesk.core import audit
from wowdesk.core import services as core
from wowdesk.core.errors import Conflict, InvalidInput
from wowdesk.core.models import Agent, AuditLog, Brand, Role, Site, Team
from wowdesk.customers import services as crm
from wowdesk.customers.models import Customer, IdentityKind
from wowdesk.demo import catalog, generate, knowledge, seed_abuse
from wowdesk.demo import surveys as demo_surveys
from wowdesk.demo.catalog import AgentSpec, BrandSpec
from wowdesk.demo.seed_policies import seed_policies
from wowdesk.demo.seed_wfm import WfmReport, seed_wfm
from wowdesk.demo.sources import DemoCorpus, load_corpus

SEED_ACTION = "demo.seed"
BATCH = 500


@dataclass(frozen=True)
class DemoSize:
    customers: int = 500
    conversations: int = 6000


@dataclass(frozen=True)
class Login:
    brand: str
    role: str
    email: str
    password: str


@dataclass
class DemoReport:
    seeded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    logins: list[Login] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # the survey waiting for an answer in the walkthrough (docs/surveys-demo.md)
    try_survey: TrySurvey | None = None
    # workforce planning (seed_wfm): history, next week's forecast, presence, a request
    wfm: WfmReport | None = None


@dataclass(frozen=True)
class TrySurvey:
    brand: str
    conversation_id: int
    number: int
    customer: str
    path: str  # /s/<token> of its NPS survey


# --- entry point ----------------------------------------------------------------------


def seed_demo(size: DemoSize, *, seed: int = 7, console: Console | None = None) -> DemoReport:
    """Seed the demo brands that are not seeded yet; print progress, counts and logins."""
    console = console or Console()
    started = time.perf_counter()
    if size.customers < 0 or size.conversations < 0:
        raise InvalidInput(_("Sizes cannot be negative."), field="size")
    if size.conversations and size.customers < len(catalog.BRANDS):
        raise InvalidInput(
            _("Conversations need at least one customer per brand."), field="customers"
        )
    done = seeded_slugs()
    for spec in catalog.BRANDS:
        if spec.slug not in done and Brand.objects.filter(slug=spec.slug).exists():
            raise Conflict(
                _("A brand with the slug %(slug)s exists and was not made by the demo.")
                % {"slug": spec.slug},
                field="slug",
            )
    report = DemoReport(skipped=[s.slug for s in catalog.BRANDS if s.slug in done])
    todo = [s for s in catalog.BRANDS if s.slug not in done]
    if todo:
        corpus = load_corpus(getattr(settings, "WOWDESK_DEMO_DATA_DIR", None))
        now = timezone.now().replace(microsecond=0)
        shares = split(size, catalog.BRANDS)
        with progress_bar(console) as progress, transaction.atomic():
            setup = progress.add_task("Sites, brands and agents", total=3)
            sites = ensure_sites()
            progress.advance(setup)
            brands = {spec.slug: ensure_brand(spec) for spec in catalog.BRANDS}
            progress.advance(setup)
            agents = ensure_agents(brands, sites)
            ensure_routing(todo, brands, agents)
            progress.advance(setup)
            for spec in todo:
                rng = random.Random(f"wowdesk-demo:{seed}:{spec.slug}")
                seeder = BrandSeeder(spec, brands[spec.slug], agents, corpus, rng, now, progress)
                seeder.run(*shares[spec.slug])
                report.try_survey = report.try_survey or seeder.try_survey
                audit.record(
                    action=SEED_ACTION,
                    obj=brands[spec.slug],
                    actor=None,
                    brand_id=brands[spec.slug].pk,
                    after={
                        "seed": seed,
                        "customers": shares[spec.slug][0],
                        "conversations": shares[spec.slug][1],
                    },
                )
                report.seeded.append(spec.slug)
            # The history above emitted no events: compute the dashboards' rollups once.
            from wowdesk.analytics import rollups

            rollups.rebuild([brands[spec.slug].pk for spec in todo])
            # training on real scenarios: scenarios from the conversations above (seed_training)
            from wowdesk.demo.seed_training import seed_training

            for spec in todo:
                seed_training(brands[spec.slug])
    ensure_macros()
    from wowdesk.demo.seed_quality import seed_quality

    seed_quality(report.seeded)
    # every demo brand: a brand seeded before gets what it lacks (history up to today)
    report.wfm = seed_wfm([s.slug for s in catalog.BRANDS], seed=seed)
    report.logins = logins()
    report.counts = table_counts()
    report.seconds = time.perf_counter() - started
    print_report(console, report)
    return report


def ensure_macros() -> None:
    """The demo macros for every demo brand (idempotent: existing ones are kept)."""
    from wowdesk.demo.macros import MACROS

    with transaction.atomic():
        for brand in Brand.objects.filter(slug__in=[s.slug for s in catalog.BRANDS]):
            for name, language, body in MACROS:
                conversations.ensure_macro(
                    brand_id=brand.pk, name=name, language=language, body=body
                )


def seeded_slugs() -> set[str]:
    return set(
        AuditLog.objects.filter(action=SEED_ACTION, object_type="brand").values_list(
            "brand__slug", flat=True
        )
    )


def split(size: DemoSize, specs: Sequence[BrandSpec]) -> dict[str, tuple[int, int]]:
    """Customers and conversations per brand, by each brand's share; the last brand takes
    the rounding rest."""
    out: dict[str, tuple[int, int]] = {}
    left_customers, left_conversations = size.customers, size.conversations
    for i, spec in enumerate(specs):
        if i == len(specs) - 1:
            out[spec.slug] = (left_customers, left_conversations)
            break
        customers = max(1 if size.conversations else 0, round(size.customers * spec.share))
        conversations = round(size.conversations * spec.share)
        out[spec.slug] = (customers, conversations)
        left_customers -= customers
        left_conversations -= conversations
    return out


@contextmanager
def progress_bar(console: Console) -> Iterator[Progress]:
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        yield progress


# --- shared: sites, brands, agents ----------------------------------------------------


def ensure_sites() -> dict[str, Site]:
    out: dict[str, Site] = {}
    for spec in catalog.SITES:
        site = Site.objects.filter(name=spec.name).first()
        if site is None:
            site = core.create_site(
                name=spec.name, timezone_name=spec.timezone, country=spec.country
            )
        out[spec.name] = site
    return out


def ensure_brand(spec: BrandSpec) -> Brand:
    brand = Brand.objects.filter(slug=spec.slug).first()
    if brand is None:
        brand = core.create_brand(name=spec.name, slug=spec.slug, support_email=spec.support_email)
    # Every site serves every demo brand. There is no service for brand membership of a
    # site yet; adding an existing pair again is a no-op.
    brand.sites.add(*Site.objects.filter(name__in=[s.name for s in catalog.SITES]))
    return brand


def ensure_routing(
    todo: list[BrandSpec], brands: dict[str, Brand], agents: dict[str, Agent]
) -> None:
    """Opening hours and SLA policies. Agents stay offline until they sign in (routing
    gives work only to people who are there)."""
    from wowdesk.routing import services as routing
    from wowdesk.routing.models import SlaPolicy

    for site in Site.objects.filter(name__in=list(catalog.SITE_HOURS)):
        if not site.hours:
            core.update_site(site, actor=None, hours=catalog.SITE_HOURS[site.name])
    for spec in todo:
        brand = brands[spec.slug]
        if not SlaPolicy.objects.filter(brand=brand).exists():
            for i, (name, channel, first, nxt, resolution) in enumerate(catalog.SLA_POLICIES):
                routing.create_sla_policy(
                    brand_id=brand.pk,
                    actor=None,
                    name=name,
                    channel=channel,
                    first_response_minutes=first,
                    next_response_minutes=nxt,
                    resolution_minutes=resolution,
                    business_hours=channel != "chat",
                    position=i,
                )


def ensure_agents(brands: dict[str, Brand], sites: dict[str, Site]) -> dict[str, Agent]:
    """The demo's agents by email: made once, then reused (keyed by their email)."""
    out: dict[str, Agent] = {}
    for spec in catalog.AGENTS:
        agent = core.find_agent_by_email(spec.email)
        wanted = [brands[slug] for slug in spec.brands]
        if agent is None:
            agent = core.create_agent(agent_input(spec, sites[spec.site]), brands=wanted)
        else:
            # Re-seeding a brand that was deleted: the agent exists, the membership not.
            for b in wanted:
                if not agent.brands.filter(pk=b.pk).exists():
                    core.set_membership(agent, b.pk, spec.role, actor=None)
        out[spec.email] = agent
    return out


def agent_input(spec: AgentSpec, site: Site) -> core.AgentInput:
    return core.AgentInput(
        email=spec.email,
        name=spec.name,
        password=catalog.DEMO_PASSWORD if spec.has_login else None,
        role=spec.role,
        languages=spec.languages,
        skills=spec.skills,
        timezone=site.timezone,
        site_id=site.pk,
        capacity=max(spec.capacity, 20),
        channel_capacity={"chat": 4, "voice": 1},
        shifts=catalog.SITE_SHIFTS.get(site.name, ()),
    )


def logins() -> list[Login]:
    out: list[Login] = []
    for spec in catalog.AGENTS:
        agent = core.find_agent_by_email(spec.email) if spec.has_login else None
        # Only logins that work: an agent seeded before it had a login has no password.
        if agent is not None and agent.user.has_usable_password():
            out.append(Login(", ".join(spec.brands), spec.role, spec.email, catalog.DEMO_PASSWORD))
    return out


# --- one brand ------------------------------------------------------------------------


class BrandSeeder:
    def __init__(
        self,
        spec: BrandSpec,
        brand: Brand,
        agents: dict[str, Agent],
        corpus: DemoCorpus,
        rng: random.Random,
        now: dt.datetime,
        progress: Progress,
    ) -> None:
        self.spec = spec
        self.brand = brand
        self.corpus = corpus
        self.rng = rng
        self.now = now
        self.progress = progress
        self.agent_specs = [a for a in catalog.AGENTS if spec.slug in a.brands]
        self.agents = {a.email: agents[a.email] for a in self.agent_specs}
        self.site_of = {
            a.email: next(s for s in catalog.SITES if s.name == a.site) for a in self.agent_specs
        }
        self.try_survey: TrySurvey | None = None

    def run(self, n_customers: int, n_conversations: int) -> None:
        teams = self.make_teams()
        inboxes = self.make_inboxes(teams)
        ensure_widget(inboxes["chat"])  # the widget token and secret /chat-demo uses
        tags = self.make_tags()
        orgs = self.make_organizations()
        plans = generate.plan_customers(self.rng, self.spec, n_customers, self.now.date())
        customers = self.write_customers(plans, orgs)
        planner = generate.ConversationPlanner(
            self.rng, self.spec, self.corpus, self.agent_refs(), self.now
        )
        task = self.progress.add_task(f"{self.spec.name}: conversations", total=n_conversations)
        histories = generate.plan_conversations(planner, plans, n_conversations)
        self.progress.update(task, completed=n_conversations)
        knowledge.seed_help_center(self.spec, self.brand, self.corpus, self.kb_author(), self.now)
        planted = knowledge.plant_loop_cases(histories, self.spec, self.now)
        rows = self.write_history(histories, customers, inboxes, teams, tags)
        self.write_sla_history(rows, inboxes)
        self.write_reopens(histories, rows)
        knowledge.propose_planted(self.brand, planted)
        self.write_surveys(plans, histories, rows, teams, inboxes)
        # its own random stream, so that the brands seeded after this one stay as they were
        seed_policies(
            self.brand,
            rows,
            teams,
            random.Random(f"{self.brand.slug}-policies"),
            self.now,
            orders_team=catalog.ORDERS_TEAM,
        )
        # an open abuse report and a restricted customer (docs/abuse.md)
        seed_abuse.seed(
            rows,
            [h.angry for h in histories],
            [self.agents[s.email] for s in self.agent_specs if s.role == Role.SUPERVISOR],
        )
        # The website chat answers from the help center when nobody is on shift (the history
        # above is written first, so the bot never saw it).
        Inbox.objects.filter(pk=inboxes["chat"].pk).update(answer_bot=AnswerBot.WHEN_NO_AGENT)

    def write_surveys(
        self,
        customers: Sequence[generate.CustomerPlan],
        plans: Sequence[generate.ConversationPlan],
        rows: Sequence[Conversation],
        teams: dict[str, Team],
        inboxes: dict[str, Inbox],
    ) -> None:
        """The year's surveys, answers, follow-ups and WOW stories (``surveys.py``)."""
        task = self.progress.add_task(f"{self.spec.name}: surveys", total=1)
        cases = [
            demo_surveys.Case(
                conversation=row,
                channel=plan.channel,
                intent=plan.intent,
                angry=plan.angry,
                hard=plan.angry or "escalated" in plan.tags,
                product=customers[plan.customer].purchases[0].product.name,
                customer_name=customers[plan.customer].name,
                reopened=plan.reopened_at is not None,
            )
            for plan, row in zip(plans, rows, strict=True)
            if plan.status == Status.RESOLVED
        ]
        supervisors = [self.agents[s.email] for s in self.agent_specs if s.role == Role.SUPERVISOR]
        names = {self.agents[s.email]: s.name for s in self.agent_specs}
        counts = demo_surveys.SurveySeeder(
            self.brand, self.rng, self.now, names, supervisors, teams, inboxes
        ).run(cases)
        conv = counts.try_conversation
        nps = [
            pk
            for pk, kind in zip(counts.try_survey_ids, counts.try_survey_kinds, strict=True)
            if kind == "nps"
        ]
        if conv is not None and nps:
            from django.urls import reverse

            from wowdesk.surveys.tokens import make_token

            self.try_survey = TrySurvey(
                brand=self.spec.slug,
                conversation_id=conv.pk,
                number=conv.number,
                customer=customers[plans[rows.index(conv)].customer].name,
                path=reverse("survey-public:answer", kwargs={"token": make_token(nps[0])}),
            )
        self.progress.advance(task)

    def kb_author(self) -> Agent | None:
        """The brand's first supervisor writes its help center."""
        for spec in self.agent_specs:
            if spec.role == Role.SUPERVISOR:
                return self.agents[spec.email]
        return next(iter(self.agents.values()), None)

    # -- configuration through the services --------------------------------------------

    def make_teams(self) -> dict[str, Team]:
        members: dict[str, list[int]] = {}
        for spec in self.agent_specs:
            if spec.role == Role.ADMIN:
                continue
            agent = self.agents[spec.email]
            region = self.site_of[spec.email].region
            members.setdefault(catalog.FRONT_LINE.format(region=region), []).append(agent.pk)
            if catalog.ORDER_SKILLS & set(spec.skills):
                members.setdefault(catalog.ORDERS_TEAM, []).append(agent.pk)
            if catalog.TECH_SKILLS & set(spec.skills):
                members.setdefault(catalog.TECH_TEAM, []).append(agent.pk)
        return {
            name: core.create_team(
                brand_id=self.brand.pk,
                name=name,
                description=description,
                member_ids=members.get(name, []),
            )
            for name, description in catalog.TEAM_DESCRIPTIONS.items()
        }

    def make_inboxes(self, teams: dict[str, Team]) -> dict[str, Inbox]:
        d = self.spec.domain
        addresses = {
            "email": self.spec.support_email,
            "chat": f"https://{d}/chat",
            "voice": self.spec.phone,
            "social": f"@{self.spec.slug}",
            "web": f"https://{d}/contact",
        }
        return {
            channel: conversations.create_inbox(
                brand_id=self.brand.pk,
                name=name,
                channel=channel,
                address=addresses[channel],
                team_id=teams[team].pk if team else None,
                is_default=True,
            )
            for name, channel, team in catalog.INBOXES
        }

    def make_tags(self) -> dict[str, Tag]:
        return {
            name: conversations.create_tag(brand_id=self.brand.pk, name=name, color=color)
            for name, color in catalog.TAG_COLORS.items()
        }

    def make_organizations(self) -> list[int]:
        return [
            crm.create_organization(brand_id=self.brand.pk, name=name, domain=domain).pk
            for name, domain, _lang in self.spec.organizations
        ]

    def write_customers(
        self, plans: Sequence[generate.CustomerPlan], orgs: Sequence[int]
    ) -> list[Customer]:
        task = self.progress.add_task(f"{self.spec.name}: customers", total=len(plans))
        out: list[Customer] = []
        for plan in plans:
            contact = crm.Contact(
                name=plan.name, email=plan.email, phone=plan.phone, handle=plan.handle
            )
            customer, _created = crm.resolve_customer(self.brand.pk, contact)
            if plan.chat_id:
                crm.add_identity(customer, kind=IdentityKind.CHAT, value=plan.chat_id, actor=None)
            crm.update_customer(
                customer,
                actor=None,
                language=plan.language,
                timezone=plan.region.timezone,
                vip_tier=plan.vip_tier,
                notes=plan.notes,
                organization_id=orgs[plan.organization] if plan.organization is not None else None,
            )
            for p in plan.purchases:
                crm.add_purchase(
                    customer,
                    crm.PurchaseInput(
                        product=p.product.name,
                        sku=p.product.sku,
                        serial_number=p.serial_number,
                        order_ref=p.order_ref,
                        purchased_on=p.purchased_on,
                        warranty_until=p.warranty_until,
                        amount=p.amount,
                        currency=p.currency,
                    ),
                    actor=None,
                )
            customer.created_at = generate.customer_since(plan, self.rng)
            out.append(customer)
            self.progress.advance(task)
        # "Customer since" is history too: set like the conversations' times (see top).
        Customer.objects.bulk_update(out, ["created_at"], batch_size=BATCH)
        return out

    def agent_refs(self) -> list[generate.AgentRef]:
        return [
            generate.AgentRef(
                key=self.agents[spec.email].pk,
                name=spec.name,
                languages=frozenset(spec.languages),
                skills=frozenset(spec.skills),
                site_timezone=self.site_of[spec.email].timezone,
                region=self.site_of[spec.email].region,
            )
            for spec in self.agent_specs
            if spec.role != Role.ADMIN and spec.capacity > 0
        ]

    # -- the history, in bulk -------------------------------------------------------------

    def write_history(
        self,
        plans: Sequence[generate.ConversationPlan],
        customers: Sequence[Customer],
        inboxes: dict[str, Inbox],
        teams: dict[str, Team],
        tags: dict[str, Tag],
    ) -> list[Conversation]:
        task = self.progress.add_task(f"{self.spec.name}: writing history", total=len(plans))
        number = self.brand.conversation_seq
        rows: list[Conversation] = []
        for plan in plans:
            number += 1
            plan.number = number
            summary = generate.summarize(
                plan.messages, resolved=plan.status == Status.RESOLVED, resolved_at=plan.resolved_at
            )
            rows.append(
                Conversation(
                    brand=self.brand,
                    number=number,
                    inbox=inboxes[plan.channel],
                    customer=customers[plan.customer],
                    subject=plan.subject[: conversations.MAX_SUBJECT],
                    status=plan.status,
                    priority=plan.priority,
                    assignee_id=plan.assignee,
                    team=teams[plan.team] if plan.team else None,
                    language=plan.language,
                    first_response_at=summary.first_response_at,
                    waiting_since=summary.waiting_since,
                    last_message_at=summary.last_message_at,
                    resolved_at=plan.resolved_at,
                    message_count=summary.message_count,
                    created_at=plan.created_at,
                    updated_at=summary.updated_at,
                )
            )
        Conversation.objects.bulk_create(rows, batch_size=BATCH)
        # The next conversation made by the services gets the next number.
        Brand.objects.filter(pk=self.brand.pk).update(conversation_seq=number)
        self.brand.conversation_seq = number

        through = Conversation.tags.through
        links: list[Any] = []
        messages: list[Message] = []
        for plan, row in zip(plans, rows, strict=True):
            links += [through(conversation_id=row.pk, tag_id=tags[t].pk) for t in plan.tags]
            customer = customers[plan.customer]
            for i, m in enumerate(plan.messages, start=1):
                messages.append(self.message(row, customer, plan, i, m, teams))
            if len(messages) >= BATCH * 4:
                Message.objects.bulk_create(messages, batch_size=BATCH)
                messages = []
            self.progress.advance(task)
        Message.objects.bulk_create(messages, batch_size=BATCH)
        through.objects.bulk_create(links, batch_size=BATCH)
        return rows

    def write_reopens(
        self, plans: Sequence[generate.ConversationPlan], rows: Sequence[Conversation]
    ) -> None:
        """The audit entries of the conversations the customer reopened after their
        resolution (``generate.ConversationPlanner.come_back``), as the services write them:
        resolved to open by the customer's message, and open to resolved by the agent who
        answered, which the reports read for the reopen rate and FCR."""
        entries: list[AuditLog] = []
        times: list[dt.datetime] = []
        for plan, row in zip(plans, rows, strict=True):
            if plan.reopened_at is None:
                continue
            entries.append(
                audit.unsaved(
                    action="conversation.update",
                    obj=row,
                    actor=None,
                    brand_id=self.brand.pk,
                    before={"status": Status.RESOLVED},
                    after={"status": Status.OPEN, "customer_id": row.customer_id},
                )
            )
            times.append(plan.reopened_at)
            if plan.resolved_at is not None:
                closer = next(
                    (m.author for m in reversed(plan.messages) if m.direction == generate.OUT),
                    None,
                )
                entries.append(
                    audit.unsaved(
                        action="conversation.update",
                        obj=row,
                        actor=None,
                        brand_id=self.brand.pk,
                        before={"status": Status.OPEN},
                        after={"status": Status.RESOLVED},
                    )
                )
                entries[-1].actor_id = closer
                times.append(plan.resolved_at)
        AuditLog.objects.bulk_create(entries, batch_size=BATCH)
        # ``created_at`` is stamped on insert; the entries happened when the plan says.
        for entry, at in zip(entries, times, strict=True):
            entry.created_at = at
        AuditLog.objects.bulk_update(entries, ["created_at"], batch_size=BATCH)

    def write_sla_history(self, rows: Sequence[Conversation], inboxes: dict[str, Inbox]) -> None:
        """Whether each past conversation met its first response and resolution targets, so
        the reports' SLA attainment has a history. Chat counts around the clock; the other
        channels count opening hours, taken here as a third of the calendar time (about eight
        opening hours a day) — plausible, not the exact business-hour clock."""
        from wowdesk.routing.models import SlaEvent, SlaEventKind, SlaPolicy, SlaTarget

        policies = {p.channel: p for p in SlaPolicy.objects.filter(brand=self.brand)}
        chat_inbox = inboxes["chat"].pk
        events: list[SlaEvent] = []
        for row in rows:
            live = row.inbox_id == chat_inbox
            policy = policies.get("chat" if live else "") or policies.get("")
            if policy is None:
                continue
            scale = 1 if live else 3
            for target, minutes, done in (
                (SlaTarget.FIRST_RESPONSE, policy.first_response_minutes, row.first_response_at),
                (SlaTarget.RESOLUTION, policy.resolution_minutes, row.resolved_at),
            ):
                if minutes is None or done is None:
                    continue
                due = row.created_at + dt.timedelta(minutes=minutes * scale)
                met = done <= due
                events.append(
                    SlaEvent(
                        brand=self.brand,
                        conversation=row,
                        policy=policy,
                        target=target,
                        kind=SlaEventKind.MET if met else SlaEventKind.BREACH,
                        due_at=due,
                        at=done if met else due,
                    )
                )
        SlaEvent.objects.bulk_create(events, batch_size=BATCH)

    def message(
        self,
        row: Conversation,
        customer: Customer,
        plan: generate.ConversationPlan,
        i: int,
        m: generate.MessagePlan,
        teams: dict[str, Team],
    ) -> Message:
        body = m.body if m.direction != generate.ACTIVITY else activity_text(m)
        meta = dict(m.meta)
        if m.event in ("assigned", "pending", "resolved", "team"):
            meta["changes"] = activity_changes(m, teams)
        incoming = m.direction == generate.IN
        return Message(
            conversation=row,
            brand=self.brand,
            direction=m.direction,
            channel=plan.channel,
            body=body,
            html=text_to_html(body),
            author_id=m.author,
            sender=customer if incoming else None,
            external_id=f"demo:{self.spec.slug}:{plan.number}:{i}" if incoming else "",
            language=m.language,
            meta=meta,
            sent_at=m.at + dt.timedelta(seconds=2) if m.direction == generate.OUT else None,
            created_at=m.at,
        )


def activity_text(m: generate.MessagePlan) -> str:
    """The words the services write for the same change (same message ids)."""
    if m.event == "assigned":
        return _("Assigned to %(a)s") % {"a": m.params["agent"]}
    if m.event == "pending":
        return _("Status changed to %(s)s") % {"s": Status.PENDING.label}
    if m.event == "resolved":
        return _("Status changed to %(s)s") % {"s": Status.RESOLVED.label}
    if m.event == "team":
        return _("Team set to %(t)s") % {"t": m.params["team"]}
    if m.event == "call_answered":
        return _("Call answered")
    if m.event == "call_ended":
        minutes, seconds = divmod(int(m.params["duration"]), 60)
        return _("Call ended after %(m)d:%(s)02d") % {"m": minutes, "s": seconds}
    return m.event


def activity_changes(m: generate.MessagePlan, teams: dict[str, Team]) -> dict[str, Any]:
    """The ``changes`` the services put in an activity's meta for the same change."""
    if m.event == "assigned":
        return {"assignee_id": m.params["agent_id"]}
    if m.event == "team":
        return {"team_id": teams[m.params["team"]].pk}
    return {"status": Status.PENDING if m.event == "pending" else Status.RESOLVED}


# --- report ---------------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """Rows in every table of the project's apps and auth (M2M tables included)."""
    labels = {"auth", "core", "customers", "conversations", "ingest", "surveys", "analytics"}
    out: dict[str, int] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in labels:
            out[model._meta.db_table] = model._default_manager.count()
    return out


SHOWN = (
    ("core_brand", _lazy("brands")),
    ("core_site", _lazy("sites")),
    ("core_agent", _lazy("agents")),
    ("core_team", _lazy("teams")),
    ("conversations_inbox", _lazy("inboxes")),
    ("customers_organization", _lazy("organizations")),
    ("customers_customer", _lazy("customers")),
    ("customers_identity", _lazy("identities")),
    ("customers_purchase", _lazy("purchases")),
    ("conversations_conversation", _lazy("conversations")),
    ("conversations_message", _lazy("messages")),
    ("conversations_tag", _lazy("tags")),
    ("surveys_survey", _lazy("surveys")),
    ("surveys_surveyresponse", _lazy("survey responses")),
    ("surveys_followup", _lazy("follow-ups")),
    ("surveys_wowstory", _lazy("WOW stories")),
)


def print_report(console: Console, report: DemoReport) -> None:
    if report.skipped and not report.seeded:
        console.print(
            _("Demo already seeded (%(brands)s); nothing changed.")
            % {"brands": ", ".join(report.skipped)}
        )
    elif report.seeded:
        console.print(
            _("Seeded %(brands)s in %(seconds).1f s.")
            % {"brands": ", ".join(report.seeded), "seconds": report.seconds}
        )
    if report.wfm is not None:
        console.print(
            _(
                "Workforce planning: %(rows)s half hours of history imported, %(forecasts)s "
                "forecasts of next week, %(spans)s presence changes today, %(requests)s "
                "requests, in %(seconds).1f s."
            )
            % {
                "rows": report.wfm.imported,
                "forecasts": report.wfm.forecasts,
                "spans": report.wfm.spans,
                "requests": report.wfm.requests,
                "seconds": report.wfm.seconds,
            }
        )
    counts = Table(title=_("Rows in the database"))
    counts.add_column(_("table"))
    counts.add_column(_("rows"), justify="right")
    for table, label in SHOWN:
        counts.add_row(str(label), str(report.counts.get(table, 0)))
    console.print(counts)
    people = Table(title=_("Demo logins (admins set up their brands in /settings/)"))
    for column in (_("brands"), _("role"), _("email"), _("password")):
        people.add_column(column)
    for login in report.logins:
        people.add_row(login.brand, login.role, login.email, login.password)
    console.print(people)
    console.print(
        _("The demo password is public: do not keep the demo on a server others can reach.")
    )
    if report.try_survey is not None:
        t = report.try_survey
        console.print(
            _(
                "Answer a survey as the customer: %(customer)s, conversation #%(number)s "
                "(%(brand)s), at %(path)s on this server (docs/surveys-demo.md)."
            )
            % {"customer": t.customer, "number": t.number, "brand": t.brand, "path": t.path}
        )
