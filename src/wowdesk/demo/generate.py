"""The demo's people and histories, drawn from a seeded random generator. No Django.

``plan_customers`` makes customers (names, identities, devices with warranties) and
``plan_conversations`` their conversations: each is a timeline of events (customer
message, routing, agent reply, note, follow-up, resolution) spaced by realistic delays
and cut at "now", so recent conversations are still open or pending and old ones are
resolved, as in a real help desk. ``summarize`` derives the conversation's counters from
its messages exactly as the conversations services keep them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import string
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import phonenumbers

from wowdesk.demo import phrases
from wowdesk.demo.catalog import (
    CATEGORY_TAGS,
    CHANNEL_WEIGHTS,
    FRONT_LINE,
    MONEY_CATEGORIES,
    ORDER_SKILLS,
    ORDERS_TEAM,
    TECH_SKILLS,
    TECH_TEAM,
    XSID_TAGS,
    BrandSpec,
    ProductSpec,
)
from wowdesk.demo.phrases import LanguagePack, Region
from wowdesk.demo.sources import AssistantRequest, DemoCorpus, SupportExchange, fill_placeholders

IN, OUT, NOTE, ACTIVITY = "in", "out", "note", "activity"
HISTORY_DAYS = 365
# Share of conversations from the last four days (on top of their even share), so the
# inbox has a live queue of open and pending work as a real one does.
RECENT_SHARE = 0.08
# A weaker month (days before now, oldest first): a staffing gap makes first responses
# slower and customers angrier, so the loyalty and service charts show a dip.
DIP_DAYS = (150, 120)
DIP_SLOWDOWN = 2.5
# Share of conversations whose first message is angry (in the dip month: the second).
ANGRY_SHARE = (0.12, 0.3)
# The share of resolved conversations whose customer writes again after the resolution
# (``ConversationPlanner.come_back``), and what an angry start, a slow case (resolved more
# than SLOW_FOR_FOLLOW_UP after it began) and an escalation add to it.
COME_BACK_SHARE = 0.13
COME_BACK_ANGRY = 0.15
COME_BACK_SLOW = 0.08
COME_BACK_ESCALATED = 0.08
SLOW_FOR_FOLLOW_UP = dt.timedelta(days=3)
# Of those, the share nobody has answered yet: the queue.
BACKLOG_WINDOW = dt.timedelta(days=4)
BACKLOG_SHARE = 0.3

# Share of contacts by local hour of day (quiet at night, peaks late morning and evening).
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 9, 9, 9, 9, 10, 10, 9, 7, 4, 2)


# --- plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentRef:
    """What the generator needs to know about an agent; ``key`` is the agent's pk."""

    key: int
    name: str
    languages: frozenset[str]
    skills: frozenset[str]
    site_timezone: str
    region: str


@dataclass
class PurchasePlan:
    product: ProductSpec
    serial_number: str
    order_ref: str
    purchased_on: dt.date
    warranty_until: dt.date
    amount: Decimal
    currency: str


@dataclass
class CustomerPlan:
    index: int
    name: str
    first_name: str
    last_name: str
    address: str  # how an agent addresses them in a reply
    language: str
    region: Region
    email: str
    phone: str
    handle: str
    chat_id: str
    vip_tier: str
    organization: int | None
    notes: str
    purchases: list[PurchasePlan]

    @property
    def channels(self) -> list[str]:
        out: list[str] = []
        if self.email:
            out += ["email", "web"]
        if self.chat_id:
            out.append("chat")
        if self.handle:
            out.append("social")
        if self.phone:
            out.append("voice")
        return out


@dataclass
class MessagePlan:
    direction: str
    at: dt.datetime
    body: str = ""
    author: int | None = None  # agent key
    language: str = ""
    # For activities: what happened ("assigned", "status", "call_answered", "call_ended")
    # and its parameters; the writer renders the text in the interface language.
    event: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ConversationPlan:
    customer: int
    channel: str
    subject: str
    language: str
    priority: str
    status: str
    assignee: int | None
    team: str | None
    tags: list[str]
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    messages: list[MessagePlan]
    number: int = 0
    # what it is about (the Bitext or xSID intent) and whether it started angry
    intent: str = ""
    angry: bool = False
    # the customer wrote again after the first resolution, which reopened the
    # conversation (``come_back``); ``resolved_at`` is then the resolution after that
    first_resolved_at: dt.datetime | None = None
    reopened_at: dt.datetime | None = None


@dataclass(frozen=True)
class Summary:
    first_response_at: dt.datetime | None
    waiting_since: dt.datetime | None
    last_message_at: dt.datetime | None
    message_count: int
    updated_at: dt.datetime


def summarize(
    messages: Sequence[MessagePlan], *, resolved: bool, resolved_at: dt.datetime | None = None
) -> Summary:
    """Replay the messages as the services would have applied them one by one.

    Incoming, outgoing and notes count (activities do not); an incoming message starts
    the wait if none is running, a reply ends it and the first reply is the first
    response; resolving ends any wait.
    """
    first_response: dt.datetime | None = None
    waiting: dt.datetime | None = None
    last: dt.datetime | None = None
    count = 0
    updated = messages[0].at if messages else dt.datetime.min.replace(tzinfo=dt.UTC)
    for m in sorted(messages, key=lambda m: m.at):
        updated = max(updated, m.at)
        if m.direction == IN:
            count += 1
            last = m.at
            if waiting is None:
                waiting = m.at
        elif m.direction == OUT:
            count += 1
            last = m.at
            waiting = None
            if first_response is None:
                first_response = m.at
        elif m.direction == NOTE:
            count += 1
    if resolved:
        waiting = None
        if resolved_at is not None:
            updated = max(updated, resolved_at)
    return Summary(first_response, waiting, last, count, updated)


# --- small draws ----------------------------------------------------------------------


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A moment in the middle part of an interval."""
    return start + (end - start) * rng.uniform(0.3, 0.9)


def lognormal_seconds(
    rng: random.Random, median: float, sigma: float, lo: float, hi: float
) -> dt.timedelta:
    value = median * math.exp(rng.gauss(0.0, sigma))
    return dt.timedelta(seconds=min(hi, max(lo, value)))


def allocate(total: int, weights: dict[str, int]) -> list[str]:
    """``total`` items split by weight with the largest-remainder method: every key with a
    fair share of at least one half gets one, so small demos still speak many languages."""
    whole = sum(weights.values())
    shares = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(s) for k, s in shares.items()}
    rest = total - sum(counts.values())
    for k in sorted(shares, key=lambda k: (counts[k] - shares[k], k))[:rest]:
        counts[k] += 1
    return [k for k in weights for _ in range(counts[k])]


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    return dt.date(day.year + month0 // 12, month0 % 12 + 1, min(day.day, 28))


def person_name(pack: LanguagePack, first: str, last: str) -> str:
    sep = " " if pack.space_in_name else ""
    return f"{last}{sep}{first}" if pack.family_first else f"{first}{sep}{last}"


def address_name(pack: LanguagePack, first: str, last: str) -> str:
    if pack.address_by == "last":
        return last
    if pack.address_by == "full":
        return person_name(pack, first, last)
    return first


def make_phone(rng: random.Random, region: str, used: set[str]) -> str:
    """A valid-looking mobile number of the region in E.164 (random digits after the
    region's example prefix)."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return ""
    national = str(example.national_number)
    keep = max(1, len(national) - 7)
    for _ in range(50):
        digits = "".join(rng.choice(string.digits) for _ in range(len(national) - keep))
        number = phonenumbers.parse(f"+{example.country_code}{national[:keep]}{digits}")
        if phonenumbers.is_valid_number(number):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 not in used:
                used.add(e164)
                return e164
    return ""


def price(product: ProductSpec, region: Region) -> Decimal:
    value = product.usd_price * region.price_factor
    if value >= 1000:
        return Decimal(round(value, -1 if value < 10000 else -3))
    return Decimal(f"{value:.2f}")


# --- customers ------------------------------------------------------------------------

CUSTOMER_NOTES = (
    "Prefers email over phone.",
    "Hard of hearing: please avoid phone calls.",
    "Asked not to receive marketing emails.",
    "Runs a small B&B with several of our devices.",
    "Was very patient during the firmware 4.2 outage; consider a goodwill gesture.",
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def plan_customers(
    rng: random.Random, brand: BrandSpec, count: int, today: dt.date
) -> list[CustomerPlan]:
    languages = allocate(count, phrases.LANGUAGE_WEIGHTS)
    rng.shuffle(languages)
    used_emails: set[str] = set()
    used_phones: set[str] = set()
    used_handles: set[str] = set()
    order_seq = 1000 + rng.randrange(9000)
    orgs_by_language: dict[str, list[int]] = {}
    for i, (_name, _domain, lang) in enumerate(brand.organizations):
        orgs_by_language.setdefault(lang, []).append(i)
    out: list[CustomerPlan] = []
    for index, lang in enumerate(languages):
        pack = phrases.LANGUAGES[lang]
        first, first_latin = rng.choice(pack.first_names)
        last, last_latin = rng.choice(pack.last_names)
        region = rng.choices(pack.regions, weights=[r.weight for r in pack.regions])[0]
        organization: int | None = None
        if orgs_by_language.get(lang) and rng.random() < 0.18:
            organization = rng.choice(orgs_by_language[lang])
        email = ""
        if organization is not None or rng.random() < 0.92:
            domain = (
                brand.organizations[organization][1]
                if organization is not None
                else rng.choice(EMAIL_DOMAINS)
            )
            local = f"{first_latin}.{last_latin}"
            if organization is None and rng.random() < 0.4:
                local = f"{first_latin}{last_latin[:1]}{rng.randrange(1, 99)}"
            email = f"{local}@{domain}"
            n = 2
            while email in used_emails:
                email = f"{local}{n}@{domain}"
                n += 1
            used_emails.add(email)
        phone = make_phone(rng, region.country, used_phones) if rng.random() < 0.65 else ""
        handle = ""
        if rng.random() < 0.3 or not (email or phone):
            base = f"{first_latin}_{last_latin}"
            handle = f"{base}{rng.randrange(1, 999)}"
            while handle in used_handles:
                handle = f"{base}{rng.randrange(1, 9999)}"
            used_handles.add(handle)
        chat_id = f"visitor-{rng.getrandbits(48):012x}" if rng.random() < 0.4 else ""
        roll = rng.random()
        vip = (
            "platinum"
            if roll < 0.02
            else "gold"
            if roll < 0.07
            else "silver"
            if roll < 0.17
            else ""
        )
        purchases: list[PurchasePlan] = []
        voice_products = [p for p in brand.products if p.voice]
        owned = [rng.choice(voice_products)]
        owned += rng.sample(brand.products, k=rng.choice((0, 0, 0, 1, 1, 2)))
        for product in owned:
            order_seq += rng.randrange(1, 40)
            purchases.append(plan_purchase(rng, brand, product, region, today, f"{order_seq:06d}"))
        out.append(
            CustomerPlan(
                index=index,
                name=person_name(pack, first, last),
                first_name=first,
                last_name=last,
                address=address_name(pack, first, last),
                language=lang,
                region=region,
                email=email,
                phone=phone,
                handle=handle,
                chat_id=chat_id,
                vip_tier=vip,
                organization=organization,
                notes=rng.choice(CUSTOMER_NOTES) if rng.random() < 0.1 else "",
                purchases=purchases,
            )
        )
    return out


def plan_purchase(
    rng: random.Random,
    brand: BrandSpec,
    product: ProductSpec,
    region: Region,
    today: dt.date,
    number: str,
) -> PurchasePlan:
    """A device whose warranty runs out within 30 days (12%), ran out already (28%) or
    runs longer; every purchase is older than the demo's history (so a one-year warranty
    has always run out)."""
    months = product.warranty_months
    roll = rng.random()
    if roll < 0.12:
        target = today + dt.timedelta(days=rng.randint(4, 30))
    elif roll < 0.40:
        target = today - dt.timedelta(days=rng.randint(1, 540))
    else:
        longest = months * 30 - HISTORY_DAYS - 10
        target = today + dt.timedelta(days=rng.randint(34, max(35, longest)))
    purchased = add_months(target, -months)
    purchased = min(purchased, today - dt.timedelta(days=HISTORY_DAYS + 1))
    serial = brand.serial_prefix + "".join(
        rng.choice(string.ascii_uppercase + string.digits) for _ in range(8)
    )
    return PurchasePlan(
        product=product,
        serial_number=serial,
        order_ref=f"{brand.order_prefix}-{purchased.year}-{number}",
        purchased_on=purchased,
        warranty_until=add_months(purchased, months),
        amount=price(product, region),
        currency=region.currency,
    )


# --- conversations --------------------------------------------------------------------


@dataclass
class Content:
    """What a conversation is about: a device request (xSID) or a support question
    (Bitext)."""

    request: AssistantRequest | None = None
    exchange: SupportExchange | None = None
    purchase: PurchasePlan | None = None


def in_dip(at: dt.datetime, now: dt.datetime) -> bool:
    """Whether a moment falls in the demo's weaker month (``DIP_DAYS``)."""
    return now - dt.timedelta(days=DIP_DAYS[0]) <= at < now - dt.timedelta(days=DIP_DAYS[1])


def sample_start(rng: random.Random, now: dt.datetime, tz: str) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(tz)
    local_today = now.astimezone(zone).date()
    for _ in range(100):
        recent = rng.random() < RECENT_SHARE
        day = local_today - dt.timedelta(days=rng.randrange(4 if recent else HISTORY_DAYS))
        if day.weekday() >= 5 and rng.random() < 0.35:
            continue  # fewer contacts at weekends
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
        at = local.replace(tzinfo=zone).astimezone(dt.UTC)
        if at < now - dt.timedelta(minutes=2):
            return at
    return now - dt.timedelta(hours=rng.randint(1, 24 * HISTORY_DAYS))


FIRST_RESPONSE = {  # channel: (median seconds, sigma, min, max)
    "chat": (75.0, 0.8, 10.0, 1200.0),
    "voice": (35.0, 0.6, 5.0, 400.0),
    "social": (2400.0, 0.9, 120.0, 6 * 3600.0),
    "email": (3 * 3600.0, 1.0, 300.0, 36 * 3600.0),
    "web": (3 * 3600.0, 1.0, 300.0, 36 * 3600.0),
}
CUSTOMER_DELAY = {
    "chat": (90.0, 0.6, 15.0, 900.0),
    "social": (3 * 3600.0, 1.0, 300.0, 48 * 3600.0),
    "email": (5 * 3600.0, 1.0, 600.0, 72 * 3600.0),
    "web": (5 * 3600.0, 1.0, 600.0, 72 * 3600.0),
    "voice": (3600.0, 1.0, 60.0, 24 * 3600.0),
}
PRIORITY_SPEED = {"urgent": 0.3, "high": 0.6, "normal": 1.0, "low": 1.6}
URGENT_INTENTS = frozenset({"complaint", "payment_issue", "contact_human_agent", "get_refund"})
CALM_INTENTS = frozenset({"newsletter_subscription", "review", "delivery_options", "place_order"})


def assignment(agent: AgentRef, at: dt.datetime, *, by: int | None) -> MessagePlan:
    return MessagePlan(
        ACTIVITY,
        at,
        event="assigned",
        params={"agent": agent.name, "agent_id": agent.key},
        author=by,
    )


def status_change(status: str, at: dt.datetime, by: int | None) -> MessagePlan:
    return MessagePlan(ACTIVITY, at, event=status, author=by)


class ConversationPlanner:
    """Makes one brand's conversations; holds the brand's agents, corpus and clock."""

    def __init__(
        self,
        rng: random.Random,
        brand: BrandSpec,
        corpus: DemoCorpus,
        agents: Sequence[AgentRef],
        now: dt.datetime,
    ) -> None:
        self.rng = rng
        self.brand = brand
        self.corpus = corpus
        self.agents = list(agents)
        self.now = now
        self.exchanges_by_intent: dict[str, list[SupportExchange]] = {}
        for ex in corpus.exchanges:
            self.exchanges_by_intent.setdefault(ex.intent, []).append(ex)
        self.intents = sorted(self.exchanges_by_intent)
        self.by_key = {a.key: a for a in self.agents}
        # Follow-ups after a resolution draw from their own stream (seeded from the main
        # one's state, which reading does not advance), so the rest of the history is the
        # same with or without them.
        self.after_rng = random.Random(f"after-resolution:{brand.slug}:{rng.getstate()[1][:8]}")

    # -- choosing -----------------------------------------------------------------------

    def content_for(self, customer: CustomerPlan) -> Content:
        voice_purchases = [p for p in customer.purchases if p.product.voice]
        purchase = self.rng.choice(voice_purchases or customer.purchases)
        if customer.language == "en" and self.intents and self.rng.random() < 0.55:
            intent = self.rng.choice(self.intents)
            exchange = self.rng.choice(self.exchanges_by_intent[intent])
            return Content(exchange=exchange, purchase=purchase)
        return Content(request=self.rng.choice(self.corpus.requests), purchase=purchase)

    def priority_for(self, content: Content, customer: CustomerPlan) -> str:
        weights = {"low": 15, "normal": 62, "high": 18, "urgent": 5}
        intent = content.exchange.intent if content.exchange else ""
        if intent in URGENT_INTENTS:
            weights = {"low": 2, "normal": 40, "high": 48, "urgent": 10}
        elif intent in CALM_INTENTS:
            weights = {"low": 50, "normal": 45, "high": 5, "urgent": 0}
        priority = weighted(self.rng, weights)
        if customer.vip_tier in ("gold", "platinum") and self.rng.random() < 0.5:
            priority = {"low": "normal", "normal": "high"}.get(priority, priority)
        return priority

    def pick_agent(self, language: str, at: dt.datetime, skills: frozenset[str]) -> AgentRef | None:
        """Someone who speaks the language, preferably on shift at their site (local
        08:00-20:00: follow the sun) and with the skill."""
        speakers = [a for a in self.agents if language in a.languages]
        if not speakers:
            speakers = [a for a in self.agents if "en" in a.languages]
        if not speakers:
            return None
        on_shift = [
            a for a in speakers if 8 <= at.astimezone(zoneinfo.ZoneInfo(a.site_timezone)).hour < 20
        ]
        pool = on_shift or speakers
        weights = [3 if a.skills & skills else 1 for a in pool]
        return self.rng.choices(pool, weights=weights)[0]

    def delay(
        self,
        table: dict[str, tuple[float, float, float, float]],
        channel: str,
        factor: float = 1.0,
    ) -> dt.timedelta:
        median, sigma, lo, hi = table[channel]
        return lognormal_seconds(self.rng, median, sigma, lo, hi) * factor

    def tier2(self, language: str, current: AgentRef) -> AgentRef | None:
        """Who takes an escalated device case: a technical agent speaking the language
        (the current one if they are technical themselves)."""
        able = [a for a in self.agents if a.skills & TECH_SKILLS and language in a.languages]
        if current in able:
            return current
        return self.rng.choice(able) if able else None

    # -- one conversation ---------------------------------------------------------------

    def plan(self, customer: CustomerPlan) -> ConversationPlan:
        rng = self.rng
        channel = weighted(
            rng, {c: CHANNEL_WEIGHTS[c] for c in customer.channels if c in CHANNEL_WEIGHTS}
        )
        content = self.content_for(customer)
        lang = customer.language
        texts = Texts(self, customer, content, channel, phrases.LANGUAGES[lang])
        priority = self.priority_for(content, customer)
        speed = PRIORITY_SPEED[priority] * (0.7 if customer.vip_tier else 1.0)
        start = sample_start(rng, self.now, customer.region.timezone)
        dip = in_dip(start, self.now)
        if dip:
            speed *= DIP_SLOWDOWN
        angry = rng.random() < ANGRY_SHARE[1 if dip else 0]
        money = bool(content.exchange and content.exchange.category in MONEY_CATEGORIES)
        skills = ORDER_SKILLS if money else TECH_SKILLS if content.request else frozenset()
        agent = self.pick_agent(lang, start, skills)

        opening = texts.first_message()
        if angry:
            opening = rng.choice(phrases.ANGRY_OPENERS.get(lang, phrases.ANGRY_OPENERS["en"])) + (
                "\n\n" + opening
            )
        first = MessagePlan(IN, start, opening, language=lang)
        if channel == "voice":
            first.meta = {"call": {"direction": "inbound"}}
        story = [first]
        resolved_at: dt.datetime | None = None
        if agent is not None:
            reply_at = start + self.delay(FIRST_RESPONSE, channel, speed)
            queued = self.now - start < BACKLOG_WINDOW and rng.random() < BACKLOG_SHARE
            if queued:
                reply_at = self.now + dt.timedelta(hours=1)  # still waiting in the queue
            # Routing assigns within seconds to minutes (before the reply); otherwise the
            # agent takes the conversation from the queue when they answer it.
            routed = channel != "voice" and rng.random() < (0.5 if queued else 0.8)
            if routed:
                seconds = min(rng.randint(5, 240), (reply_at - start).total_seconds() / 2)
                assigned_at = start + dt.timedelta(seconds=max(1.0, seconds))
            else:
                assigned_at = self.now if queued else between(rng, start, reply_at)
            if not (queued and not routed):  # the unassigned part of the queue
                story.append(assignment(agent, assigned_at, by=None if routed else agent.key))
            if channel == "voice":
                resolved_at = self.call(story, agent, reply_at, texts)
            else:
                resolved_at = self.written(story, agent, assigned_at, reply_at, texts, speed)
        first_resolved, reopened = resolved_at, None
        if resolved_at is not None and channel != "voice":
            resolved_at, reopened = self.come_back(story, start, resolved_at, texts, speed, angry)
        plan = self.finish(customer, channel, texts, content, priority, money, story, resolved_at)
        plan.angry = angry
        if reopened is not None and first_resolved is not None and reopened <= self.now:
            plan.first_resolved_at = first_resolved.replace(microsecond=0)
            plan.reopened_at = reopened.replace(microsecond=0)
        plan.intent = (
            content.exchange.intent
            if content.exchange
            else content.request.intent
            if content.request
            else ""
        )
        return plan

    def call(
        self, story: list[MessagePlan], agent: AgentRef, answered: dt.datetime, texts: Texts
    ) -> dt.datetime:
        """A phone call: answered, talked through, ended; most are solved on the call."""
        rng = self.rng
        duration = rng.randint(150, 900)
        ended = answered + dt.timedelta(seconds=duration)
        story += [
            MessagePlan(ACTIVITY, answered, event="call_answered", author=agent.key),
            MessagePlan(
                OUT,
                answered + dt.timedelta(seconds=rng.randint(20, 90)),
                texts.first_reply(agent),
                author=agent.key,
                language=texts.lang,
            ),
            MessagePlan(
                ACTIVITY,
                ended,
                event="call_ended",
                params={"duration": duration},
                author=agent.key,
                meta={"call": {"duration": duration}},
            ),
        ]
        if rng.random() < 0.8:
            return ended + dt.timedelta(seconds=rng.randint(20, 300))
        story.append(status_change("pending", ended + dt.timedelta(seconds=5), agent.key))
        return ended + dt.timedelta(days=rng.uniform(1, 4))

    def written(
        self,
        story: list[MessagePlan],
        agent: AgentRef,
        assigned_at: dt.datetime,
        reply_at: dt.datetime,
        texts: Texts,
        speed: float,
    ) -> dt.datetime | None:
        """Email, chat, social, web form: a reply, then maybe the customer's answer (thanks,
        or it still fails), a note, an escalation to tier 2 and a closing reply."""
        rng = self.rng
        channel = texts.channel
        if rng.random() < 0.22:
            note_at = between(rng, assigned_at, reply_at)
            story.append(MessagePlan(NOTE, note_at, texts.note(first=True), author=agent.key))
        story.append(
            MessagePlan(
                OUT, reply_at, texts.first_reply(agent), author=agent.key, language=texts.lang
            )
        )
        script = rng.choices(("one_reply", "thanks", "more", "stalled"), weights=(35, 35, 27, 3))[0]
        if script != "thanks":
            story.append(status_change("pending", reply_at + dt.timedelta(seconds=2), agent.key))
        if script == "one_reply":
            return reply_at + dt.timedelta(days=rng.uniform(2, 5))  # no news is good news
        if script == "stalled":
            return None
        back = reply_at + self.delay(CUSTOMER_DELAY, channel)
        story.append(MessagePlan(IN, back, texts.follow_up(script), language=texts.lang))
        answer = back + self.delay(FIRST_RESPONSE, channel, speed * 0.6)
        closer = agent
        if script == "more":
            noted = between(rng, back, answer)
            device = texts.content.request is not None
            tier2 = self.tier2(texts.lang, agent) if device and rng.random() < 0.6 else None
            story.append(
                MessagePlan(
                    NOTE,
                    noted,
                    texts.note(first=False, escalated=tier2 is not None),
                    author=agent.key,
                )
            )
            if tier2 is not None:
                moved = noted + dt.timedelta(seconds=rng.randint(5, 60))
                story.append(
                    MessagePlan(
                        ACTIVITY, moved, event="team", params={"team": TECH_TEAM}, author=agent.key
                    )
                )
                if tier2 != agent:
                    story.append(assignment(tier2, moved + dt.timedelta(seconds=1), by=agent.key))
                closer = tier2
                answer = max(answer, moved + dt.timedelta(seconds=rng.randint(60, 900)))
        story.append(
            MessagePlan(
                OUT, answer, texts.closing(script, closer), author=closer.key, language=texts.lang
            )
        )
        return answer + dt.timedelta(seconds=rng.randint(10, 600))

    def come_back(
        self,
        story: list[MessagePlan],
        start: dt.datetime,
        resolved_at: dt.datetime,
        texts: Texts,
        speed: float,
        angry: bool,
    ) -> tuple[dt.datetime, dt.datetime | None]:
        """Whether the customer writes again after the resolution ("it still does not
        work"): more often after an angry start, a slow case or an escalation. Their message
        reopens the conversation (as ``conversations.services`` does), the agent who closed
        it answers and resolves it again. Most come back within the FCR window
        (``analytics.rollups.DEFAULT_FCR_DAYS``), some weeks later. Returns the resolution
        that counts (the second one when they came back) and when it was reopened."""
        rng = self.after_rng
        slow = resolved_at - start > SLOW_FOR_FOLLOW_UP
        escalated = any(e.event == "team" for e in story)
        share = COME_BACK_SHARE + COME_BACK_ANGRY * angry + COME_BACK_SLOW * slow
        share += COME_BACK_ESCALATED * escalated
        if rng.random() >= share:
            return resolved_at, None
        if rng.random() < 0.8:
            back = resolved_at + dt.timedelta(hours=rng.uniform(2, 6.5 * 24))
        else:
            back = resolved_at + dt.timedelta(days=rng.uniform(8, 30))
        if back > self.now:
            return resolved_at, None
        talk = [e for e in story if e.direction in (IN, OUT) and e.at <= resolved_at]
        closer = self.by_key.get(talk[-1].author) if talk and talk[-1].author else None
        pool: Sequence[str]
        replies: Sequence[str]
        if texts.content.exchange is not None:
            pool, replies = phrases.BITEXT_MORE, phrases.BITEXT_CLOSE_AFTER_MORE
        else:
            pool, replies = texts.pack.still_broken, texts.pack.close_after_fix
        story.append(status_change("resolved", resolved_at, closer.key if closer else None))
        story.append(MessagePlan(IN, back, texts.fmt(rng.choice(pool)), language=texts.lang))
        if closer is None:
            return resolved_at, back  # nobody to answer: open again
        answer = back + dt.timedelta(minutes=rng.uniform(10, 8 * 60) * speed)
        story.append(
            MessagePlan(
                OUT,
                answer,
                texts.fmt(rng.choice(replies), closer),
                author=closer.key,
                language=texts.lang,
            )
        )
        again = answer + dt.timedelta(seconds=rng.randint(60, 2 * 86400))
        return again, back

    def finish(
        self,
        customer: CustomerPlan,
        channel: str,
        texts: Texts,
        content: Content,
        priority: str,
        money: bool,
        story: list[MessagePlan],
        resolved_at: dt.datetime | None,
    ) -> ConversationPlan:
        """Cut the story at "now" (what has not happened yet is not in the database) and
        derive status, assignee and team from what did happen."""
        for event in story:
            event.at = event.at.replace(microsecond=0)
        story = sorted((e for e in story if e.at <= self.now), key=lambda e: e.at)
        if resolved_at is not None:
            resolved_at = resolved_at.replace(microsecond=0)
            if resolved_at > self.now:
                resolved_at = None
        talk = [e for e in story if e.direction in (IN, OUT)]
        if resolved_at is not None:
            status = "resolved"
            story.append(status_change("resolved", resolved_at, talk[-1].author))
        elif talk[-1].direction == IN:
            status = "open"  # a customer's message opens the conversation again
        else:
            status = "pending"
            changes = [e for e in story if e.event == "pending"]
            if not changes or changes[-1].at < talk[-1].at:
                # after the reply, and after whatever came since (a call that ended)
                at = min(self.now, max(talk[-1].at + dt.timedelta(seconds=2), story[-1].at))
                story.append(status_change("pending", at, talk[-1].author))
        assignments = [e for e in story if e.event == "assigned"]
        assignee = self.by_key[assignments[-1].params["agent_id"]] if assignments else None
        tags = self.tags_for(content, customer)
        if any(e.event == "team" for e in story):
            tags.append("escalated")
            team: str | None = TECH_TEAM
        elif money:
            team = ORDERS_TEAM
        elif assignee is not None:
            team = FRONT_LINE.format(region=assignee.region)
        else:
            team = None
        return ConversationPlan(
            customer=customer.index,
            channel=channel,
            subject=texts.subject(),
            language=texts.lang,
            priority=priority,
            status=status,
            assignee=assignee.key if assignee else None,
            team=team,
            tags=sorted(set(tags)),
            created_at=story[0].at,
            resolved_at=resolved_at,
            messages=story,
        )

    def tags_for(self, content: Content, customer: CustomerPlan) -> list[str]:
        tags: list[str] = []
        if content.exchange is not None:
            tags.append(CATEGORY_TAGS.get(content.exchange.category, "order"))
            if content.exchange.intent == "complaint":
                tags.append("complaint")
        if content.request is not None:
            tags.append("voice-assistant")
            family = content.request.intent.split("/")[0]
            if family in XSID_TAGS:
                tags.append(XSID_TAGS[family])
            if self.rng.random() < 0.3:
                tags.append("firmware")
        purchase = content.purchase
        if purchase is not None and 0 <= (purchase.warranty_until - self.now.date()).days <= 30:
            tags.append("warranty")
        if customer.vip_tier:
            tags.append("vip")
        return tags


class Texts:
    """The words of one conversation, in its language."""

    def __init__(
        self,
        planner: ConversationPlanner,
        customer: CustomerPlan,
        content: Content,
        channel: str,
        pack: LanguagePack,
    ) -> None:
        self.rng = planner.rng
        self.brand = planner.brand
        self.customer = customer
        self.content = content
        self.channel = channel
        self.pack = pack
        self.lang = pack.code
        assert content.purchase is not None
        self.purchase = content.purchase
        # Quoted inside a sentence: the request's own full stop would double the one after.
        self.utterance = (
            content.request.text.get(pack.code, content.request.text_en).rstrip(".。 ")
            if content.request
            else ""
        )

    def fmt(self, template: str, agent: AgentRef | None = None) -> str:
        return template.format(
            name=self.customer.address,
            agent=agent.name if agent else "",
            product=self.purchase.product.name,
            utterance=self.utterance,
            serial=self.purchase.serial_number,
            order=self.purchase.order_ref,
        )

    def subject(self) -> str:
        if self.content.exchange is not None:
            return phrases.BITEXT_SUBJECTS.get(self.content.exchange.intent, "Question")
        return self.fmt(self.rng.choice(self.pack.device_subjects))

    def first_message(self) -> str:
        if self.content.exchange is not None:
            return self.content.exchange.instruction
        return self.fmt(self.rng.choice(self.pack.device_frames))

    def placeholders(self) -> dict[str, str]:
        b, p, c = self.brand, self.purchase, self.customer
        invoice = "INV-" + p.order_ref.split("-", 1)[1]
        amount = f"{p.amount} {p.currency}"
        values = {
            "Customer Support Phone Number": b.phone,
            "Customer Service Phone Number": b.phone,
            "Support Phone Number": b.phone,
            "Phone Number": b.phone,
            "Customer Support Email": b.support_email,
            "Customer Support Email Address": b.support_email,
            "Support Email": b.support_email,
            "Live Chat": "live chat",
            "Live Chat Support": "live chat",
            "Website Name": b.domain,
            "Website": b.domain,
            "website": b.domain,
            "Website URL": f"https://{b.domain}",
            "Website or App": f"{b.domain} or our app",
            "Company Name": b.name,
            "Customer Support Availability": "24/7",
            "Customer Support Hours": "24/7",
            "Customer Service Hours": "24/7",
            "Client First Name": c.first_name,
            "Client Last Name": c.last_name,
            "Money Amount": amount,
            "Refund Amount": amount,
            "number of days": "14",
            "Invoice Number": invoice,
            "Invoice Number Anonymized": invoice,
            "Bill Number Anonymized": invoice,
        }
        for key in (
            "Order Number",
            "Order Number Anonymized",
            "Order ID Anonymized",
            "Purchase ID Anonymized",
            "Purchase Number Anonymized",
        ):
            values[key] = p.order_ref
        return values

    def first_reply(self, agent: AgentRef) -> str:
        if self.content.exchange is not None:
            body = fill_placeholders(self.content.exchange.response, self.placeholders())
            if self.channel in ("chat", "social", "voice"):
                return body
            return (
                self.fmt(phrases.BITEXT_GREETING)
                + body
                + phrases.BITEXT_SIGNOFF.format(agent=agent.name)
            )
        return self.fmt(self.rng.choice(self.pack.device_replies), agent)

    def follow_up(self, script: str) -> str:
        pool: Sequence[str]
        if self.content.exchange is not None:
            pool = phrases.BITEXT_THANKS if script == "thanks" else phrases.BITEXT_MORE
        else:
            pool = self.pack.thanks if script == "thanks" else self.pack.still_broken
        return self.fmt(self.rng.choice(pool))

    def closing(self, script: str, agent: AgentRef) -> str:
        pool: Sequence[str]
        if self.content.exchange is not None:
            pool = (
                phrases.BITEXT_CLOSE_AFTER_THANKS
                if script == "thanks"
                else phrases.BITEXT_CLOSE_AFTER_MORE
            )
        else:
            pool = self.pack.close_after_thanks if script == "thanks" else self.pack.close_after_fix
        return self.fmt(self.rng.choice(pool), agent)

    def note(self, *, first: bool, escalated: bool = False) -> str:
        rng = self.rng
        pool: Sequence[str]
        if self.content.request is not None:
            if escalated:
                template = phrases.DEVICE_NOTES[2]
            elif first:
                template = rng.choice((phrases.DEVICE_NOTES[0], phrases.DEVICE_NOTES[1]))
            else:
                template = rng.choice((phrases.DEVICE_NOTES[0], phrases.DEVICE_NOTES[3]))
            intent = self.content.request.intent
        else:
            assert self.content.exchange is not None
            category = self.content.exchange.category
            if category in ("ORDER", "DELIVERY", "SHIPPING_ADDRESS"):
                pool = phrases.ORDER_NOTES
            elif category in MONEY_CATEGORIES:
                pool = phrases.MONEY_NOTES
            elif category in ("ACCOUNT", "SUBSCRIPTION"):
                pool = phrases.ACCOUNT_NOTES
            else:
                pool = phrases.FEEDBACK_NOTES
            template = rng.choice(pool)
            intent = self.content.exchange.intent
        return template.format(
            serial=self.purchase.serial_number,
            patch=rng.randint(0, 9),
            intent=intent,
            bug=rng.randint(1200, 1299),
            language=self.pack.label,
            product=self.purchase.product.name,
            warranty=self.purchase.warranty_until.isoformat(),
            order=self.purchase.order_ref,
        )


def plan_conversations(
    planner: ConversationPlanner, customers: Sequence[CustomerPlan], count: int
) -> list[ConversationPlan]:
    """``count`` conversations: every customer gets one (while there are enough), the rest
    go to a few frequent contacts (a heavy-tailed draw), numbered by time of creation."""
    rng = planner.rng
    order = list(customers)
    rng.shuffle(order)
    owners = order[:count]
    weights = [min(6.0, rng.paretovariate(1.5)) for _ in customers]
    owners += rng.choices(list(customers), weights=weights, k=max(0, count - len(owners)))
    plans = [planner.plan(c) for c in owners]
    plans.sort(key=lambda p: (p.created_at, p.customer))
    return plans


def customer_since(customer: CustomerPlan, rng: random.Random) -> dt.datetime:
    """When the customer record was made: a little before their first purchase."""
    first = min(p.purchased_on for p in customer.purchases)
    day = first - dt.timedelta(days=rng.randint(0, 20))
    return dt.datetime.combine(day, dt.time(rng.randrange(8, 20), rng.randrange(60)), dt.UTC)
