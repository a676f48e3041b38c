"""What a fresh install needs to work out of the box (run by ``wowdesk migrate``)."""

from __future__ import annotations

from django.conf import settings

from wowdesk.conversations.models import Channel, Inbox
from wowdesk.conversations.services import check_inbox_address
from wowdesk.core.errors import ServiceError
from wowdesk.core.services import default_brand


def train_models() -> None:
    """Train the small offline models from data in the repo into the data dir."""
    from django.conf import settings

    from wowdesk.intelligence import emotion

    emotion.load(settings.DATA_DIR / "models" / "emotion.npz")


def ensure_defaults() -> None:
    """A default brand with an email inbox for ``support@localhost`` and an API inbox."""
    brand = default_brand()
    if not Inbox.objects.filter(brand=brand, channel=Channel.EMAIL).exists():
        address = settings.CONFIG.support_address
        try:
            check_inbox_address(Channel.EMAIL, address)
        except ServiceError:  # another brand's inbox claims it: no address, set one later
            address = ""
        Inbox.objects.create(
            brand=brand, name="Email", channel=Channel.EMAIL, address=address, is_default=True
        )
    if not Inbox.objects.filter(brand=brand, channel=Channel.API).exists():
        Inbox.objects.create(brand=brand, name="API", channel=Channel.API, is_default=True)
