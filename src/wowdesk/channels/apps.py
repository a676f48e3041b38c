from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "wowdesk.channels"
    # "channels" is Django Channels' label; ours is the ingest pipeline.
    label = "ingest"
    verbose_name = "Channels and ingest"
