from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "wowdesk.channels"
    # "channels" is Django Channels' label; ours is the ingest pipeline.
    label = "ingest"
    verbose_name = _("Channels and ingest")
