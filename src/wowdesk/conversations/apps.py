from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "wowdesk.conversations"
    label = "conversations"
    verbose_name = "Conversations"
