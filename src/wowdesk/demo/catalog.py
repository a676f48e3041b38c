"""Who and what the demo is about: two brands served by one outsourcing center with three
sites, its agents, teams, inboxes, products and business customers. Pure data, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "wowdesk-demo"  # printed at the end of ``wowdesk demo``; demo data only


@dataclass(frozen=True)
class ProductSpec:
    name: str
    sku: str
    usd_price: float
    warranty_months: int
    voice: bool = True  # has the voice assistant the xSID requests are spoken to


@dataclass(frozen=True)
class BrandSpec:
    slug: str
    name: str
    domain: str
    phone: str
    order_prefix: str
    serial_prefix: str
    products: tuple[ProductSpec, ...]
    organizations: tuple[tuple[str, str, str], ...]  # (name, domain, language)
    share: float  # of the demo's customers and conversations

    @property
    def support_email(self) -> str:
        return f"support@{self.domain}"

    @property
    def admin_email(self) -> str:
        return f"admin@{self.domain}"


BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec(
        slug="acme",
        name="Acme Home",
        domain="acme.demo",
        phone="+1 800 555 0142",
        order_prefix="ACM",
        serial_prefix="AE",
        products=(
            ProductSpec("Acme Echo Mini", "AE-MINI-2", 49.99, 24),
            ProductSpec("Acme Echo Studio", "AE-STU-1", 199.00, 24),
            ProductSpec("Acme Show 8", "AS-8-G2", 129.99, 24),
            ProductSpec("Acme Thermo", "AT-300", 229.00, 36),
            ProductSpec("Acme Hub", "AH-100", 89.00, 24),
            ProductSpec("Acme Cam Outdoor", "AC-OUT-4K", 149.00, 12, voice=False),
        ),
        organizations=(
            ("Nordwind Hotels GmbH", "nordwind-hotels.example", "de"),
            ("Canal House Apartments", "canalhouse.example", "nl"),
            ("Lakeview Property Management", "lakeview-pm.example", "en"),
            ("Sakura Serviced Offices", "sakura-offices.example", "ja"),
            ("Bosphorus Suites", "bosphorus-suites.example", "tr"),
            ("Harbourfront Dental", "harbourfront-dental.example", "en"),
            ("Villa Aurora B&B", "villa-aurora.example", "it"),
            ("Nyhavn Kontorfællesskab", "nyhavn-kontor.example", "da"),
            ("Al Noor Residences", "alnoor-residences.example", "ar"),
            ("Jakarta Co-Living", "jakarta-coliving.example", "id"),
            ("Golden Lotus Tea House", "goldenlotus.example", "zh"),
            ("Maple Street Realty", "maplestreet.example", "en"),
        ),
        share=0.55,
    ),
    BrandSpec(
        slug="globex",
        name="Globex Mobile",
        domain="globex.demo",
        phone="+1 800 555 0199",
        order_prefix="GLX",
        serial_prefix="GX",
        products=(
            ProductSpec("Globex Phone 14", "GX-P14-128", 799.00, 24),
            ProductSpec("Globex Phone 14 Lite", "GX-P14L-64", 449.00, 24),
            ProductSpec("Globex Tab S", "GX-TABS-256", 599.00, 24),
            ProductSpec("Globex Buds Pro", "GX-BUDS-P", 179.00, 12),
            ProductSpec("Globex Watch 3", "GX-W3-44", 299.00, 12),
            ProductSpec("Globex Home Speaker", "GX-HS-1", 99.00, 24),
        ),
        organizations=(
            ("Brightline Logistics", "brightline.example", "en"),
            ("Kessler Bau AG", "kessler-bau.example", "de"),
            ("Van Dijk Installatietechniek", "vandijk-installatie.example", "nl"),
            ("Marmara Taşımacılık", "marmara-tasimacilik.example", "tr"),
            ("Studio Legale Conti", "studio-conti.example", "it"),
            ("Dragon Gate Trading", "dragongate.example", "zh"),
            ("Nusantara Digital", "nusantara-digital.example", "id"),
            ("Tokyo Bay Clinics", "tokyobay-clinics.example", "ja"),
            ("Desert Rose Travel", "desertrose-travel.example", "ar"),
            ("Øresund Consulting", "oresund-consulting.example", "da"),
            ("Northern Lights Media", "northernlights.example", "en"),
            ("Pacific Rim Couriers", "pacificrim.example", "en"),
        ),
        share=0.45,
    ),
)


@dataclass(frozen=True)
class SiteSpec:
    name: str
    timezone: str
    country: str
    region: str  # the front-line team it staffs


# Follow-the-sun: local day shifts that together cover the clock (in UTC, winter:
# Manila 23:00-07:30, Berlin 07:00-15:00, Toronto 15:00-00:00; summer shifts by an hour).
SITE_SHIFTS: dict[str, tuple[str, ...]] = {
    "Manila": ("mon-sun 07:00-15:30",),
    "Berlin": ("mon-sun 08:00-16:00",),
    "Toronto": ("mon-sun 10:00-19:00",),
}
SITE_HOURS: dict[str, dict[str, list[list[str]]]] = {
    "Manila": {"mon-sun": [["07:00", "15:30"]]},
    "Berlin": {"mon-sun": [["08:00", "16:00"]]},
    "Toronto": {"mon-sun": [["10:00", "19:00"]]},
}
# (name, channel or "", first response, next response, resolution) in minutes;
# chat counts around the clock, the rest in the handling site's opening hours.
SLA_POLICIES: tuple[tuple[str, str, int, int, int], ...] = (
    ("Live chat", "chat", 2, 5, 60),
    ("Standard", "", 240, 480, 2400),
)

SITES: tuple[SiteSpec, ...] = (
    SiteSpec("Manila", "Asia/Manila", "PH", "APAC"),
    SiteSpec("Berlin", "Europe/Berlin", "DE", "EMEA"),
    SiteSpec("Toronto", "America/Toronto", "CA", "Americas"),
)


@dataclass(frozen=True)
class AgentSpec:
    email: str
    name: str
    role: str  # agent, supervisor, admin
    site: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    capacity: int
    brands: tuple[str, ...]  # brand slugs

    @property
    def has_login(self) -> bool:
        """Every demo person signs in with the demo password, whatever the role."""
        return True


BOTH = ("acme", "globex")
AGENTS: tuple[AgentSpec, ...] = (
    # Manila: APAC languages and the English night shift for Europe and the Americas.
    AgentSpec(
        "maria.santos@desk.demo",
        "Maria Santos",
        "supervisor",
        "Manila",
        ("en", "tl"),
        ("escalations", "billing", "vip"),
        4,
        BOTH,
    ),
    AgentSpec(
        "jose.reyes@desk.demo",
        "Jose Reyes",
        "agent",
        "Manila",
        ("en", "tl"),
        ("orders", "billing", "chat"),
        8,
        BOTH,
    ),
    AgentSpec(
        "angelica.cruz@desk.demo",
        "Angelica Cruz",
        "agent",
        "Manila",
        ("en", "tl", "id"),
        ("chat", "accounts"),
        8,
        BOTH,
    ),
    AgentSpec(
        "putri.wulandari@desk.demo",
        "Putri Wulandari",
        "agent",
        "Manila",
        ("id", "en"),
        ("device-troubleshooting", "voice-assistant"),
        12,
        BOTH,
    ),
    AgentSpec(
        "kenji.watanabe@desk.demo",
        "Kenji Watanabe",
        "agent",
        "Manila",
        ("ja", "en"),
        ("device-troubleshooting", "voice-assistant", "phone"),
        10,
        BOTH,
    ),
    AgentSpec(
        "li.wei@desk.demo",
        "Li Wei",
        "agent",
        "Manila",
        ("zh", "en"),
        ("device-troubleshooting", "orders"),
        12,
        BOTH,
    ),
    AgentSpec(
        "chen.xiaoling@desk.demo",
        "Chen Xiaoling",
        "agent",
        "Manila",
        ("zh", "ja", "en"),
        ("orders", "billing"),
        12,
        BOTH,
    ),
    # Berlin: European languages, Turkish and Arabic.
    AgentSpec(
        "katrin.vogel@desk.demo",
        "Katrin Vogel",
        "supervisor",
        "Berlin",
        ("de", "en", "nl"),
        ("escalations", "quality", "vip"),
        4,
        BOTH,
    ),
    AgentSpec(
        "jonas.becker@desk.demo",
        "Jonas Becker",
        "agent",
        "Berlin",
        ("de", "en", "da"),
        ("device-troubleshooting", "voice-assistant", "tier2"),
        10,
        BOTH,
    ),
    AgentSpec(
        "sanne.devries@desk.demo",
        "Sanne de Vries",
        "agent",
        "Berlin",
        ("nl", "de", "en"),
        ("orders", "billing"),
        12,
        BOTH,
    ),
    AgentSpec(
        "mads.jensen@desk.demo",
        "Mads Jensen",
        "agent",
        "Berlin",
        ("da", "en", "de"),
        ("device-troubleshooting", "chat"),
        10,
        ("acme",),
    ),
    AgentSpec(
        "giulia.romano@desk.demo",
        "Giulia Romano",
        "agent",
        "Berlin",
        ("it", "en", "de"),
        ("orders", "accounts", "chat"),
        12,
        BOTH,
    ),
    AgentSpec(
        "emre.yilmaz@desk.demo",
        "Emre Yılmaz",
        "agent",
        "Berlin",
        ("tr", "de", "en"),
        ("device-troubleshooting", "phone"),
        12,
        BOTH,
    ),
    AgentSpec(
        "layla.haddad@desk.demo",
        "Layla Haddad",
        "agent",
        "Berlin",
        ("ar", "en", "fr"),
        ("orders", "billing", "phone"),
        12,
        BOTH,
    ),
    AgentSpec(
        "admin@acme.demo",
        "Nadia Keller",
        "admin",
        "Berlin",
        ("de", "en"),
        ("administration",),
        0,
        ("acme",),
    ),
    # Toronto: the Americas, English and French.
    AgentSpec(
        "sarah.thompson@desk.demo",
        "Sarah Thompson",
        "supervisor",
        "Toronto",
        ("en", "fr"),
        ("escalations", "quality", "billing"),
        4,
        BOTH,
    ),
    AgentSpec(
        "daniel.martin@desk.demo",
        "Daniel Martin",
        "agent",
        "Toronto",
        ("en", "fr"),
        ("orders", "billing", "refunds"),
        12,
        BOTH,
    ),
    AgentSpec(
        "priya.patel@desk.demo",
        "Priya Patel",
        "agent",
        "Toronto",
        ("en", "hi"),
        ("device-troubleshooting", "voice-assistant", "tier2"),
        10,
        ("globex",),
    ),
    AgentSpec(
        "marc.tremblay@desk.demo",
        "Marc Tremblay",
        "agent",
        "Toronto",
        ("fr", "en"),
        ("accounts", "chat"),
        8,
        BOTH,
    ),
    AgentSpec(
        "admin@globex.demo",
        "Olivia Chen",
        "admin",
        "Toronto",
        ("en", "zh"),
        ("administration",),
        0,
        ("globex",),
    ),
)

# Teams of each brand: the three front lines (one per site) and two specialist teams.
FRONT_LINE = "Front line {region}"
ORDERS_TEAM = "Orders & billing"
TECH_TEAM = "Technical support"
TEAM_DESCRIPTIONS: dict[str, str] = {
    "Front line APAC": "First contact for Asia-Pacific and the follow-the-sun night shift.",
    "Front line EMEA": "First contact for Europe, the Middle East and Africa.",
    "Front line Americas": "First contact for North and South America.",
    ORDERS_TEAM: "Orders, deliveries, invoices, payments and refunds.",
    TECH_TEAM: "Tier 2: devices, firmware and the voice assistant.",
}
ORDER_SKILLS = frozenset({"orders", "billing", "refunds"})
TECH_SKILLS = frozenset({"device-troubleshooting", "tier2"})

# (name, channel, team) per brand; the address is filled from the brand.
INBOXES: tuple[tuple[str, str, str | None], ...] = (
    ("Email", "email", None),
    ("Website chat", "chat", None),
    ("Phone", "voice", None),
    ("Social", "social", None),
    ("Contact form", "web", ORDERS_TEAM),
)

# Channel mix of conversations (only among channels the customer has an identity on).
CHANNEL_WEIGHTS: dict[str, int] = {"email": 45, "chat": 28, "social": 11, "voice": 9, "web": 7}

TAG_COLORS: dict[str, str] = {
    "voice-assistant": "#7c3aed",
    "alarms": "#a855f7",
    "reminders": "#c084fc",
    "weather-skill": "#60a5fa",
    "firmware": "#6366f1",
    "order": "#0ea5e9",
    "delivery": "#06b6d4",
    "refund": "#f59e0b",
    "invoice": "#eab308",
    "payment": "#f97316",
    "account": "#10b981",
    "feedback": "#ec4899",
    "complaint": "#ef4444",
    "vip": "#d4af37",
    "warranty": "#84cc16",
    "escalated": "#dc2626",
}

# Bitext category → tag; team for the orders-and-money kinds.
CATEGORY_TAGS: dict[str, str] = {
    "ACCOUNT": "account",
    "CANCELLATION_FEE": "order",
    "CONTACT": "feedback",
    "DELIVERY": "delivery",
    "FEEDBACK": "feedback",
    "INVOICE": "invoice",
    "ORDER": "order",
    "PAYMENT": "payment",
    "REFUND": "refund",
    "SHIPPING_ADDRESS": "delivery",
    "SUBSCRIPTION": "account",
}
MONEY_CATEGORIES = frozenset(
    {"CANCELLATION_FEE", "DELIVERY", "INVOICE", "ORDER", "PAYMENT", "REFUND", "SHIPPING_ADDRESS"}
)
XSID_TAGS: dict[str, str] = {"alarm": "alarms", "reminder": "reminders", "weather": "weather-skill"}
