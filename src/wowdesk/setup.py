"""What a fresh install needs to work out of the box (run by ``wowdesk migrate``)."""

from __future__ import annotations

from django.conf import settings

from wowdesk.conversations.models import Channel, Inbox
from wowdesk.conversations.services import check_inbox_address, create_inbox
from wowdesk.core.errors import ServiceError
from wowdesk.core.services import default_brand


def train_models() -> None:
    """Train the small offline models from data in the repo into the data dir."""
    from django.conf import settings

    from wowdesk.intelligence import emotion

    emotion.load(settings.DATA_DIR / "models" / "emotion.npz")

    from wowdesk.knowledge import intents

    intents.train_all()  # the brands whose articles name intents (kept when unchanged)


def ensure_defaults() -> None:
    """A default brand with an email inbox for ``support@localhost`` and an API inbox,
    made by the system (no actor) through conversations.services."""
    brand = default_brand()
    if not Inbox.objects.filter(brand=brand, channel=Channel.EMAIL).exists():
        address = settings.CONFIG.support_address
        try:
            check_inbox_address(Channel.EMAIL, address)
        except ServiceError:  # another brand's inbox claims it: no address, set one later
            address = ""
        _create_default(brand.pk, "Email", Channel.EMAIL, address)
    if not Inbox.objects.filter(brand=brand, channel=Channel.API).exists():
        _create_default(brand.pk, "API", Channel.API, "")


def _create_default(brand_id: int, name: str, channel: str, address: str) -> None:
    taken = set(Inbox.objects.filter(brand_id=brand_id).values_list("name", flat=True))
    label = name if name not in taken else f"{name} ({channel})"
    create_inbox(
        brand_id=brand_id,
        name=label,
        channel=channel,
        address=address,
        is_default=True,
        actor=None,
    )
