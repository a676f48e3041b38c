"""URLs of the channels settings pages (inboxes, macros, tags), in the ``web`` namespace."""

from __future__ import annotations

from django.urls import path

from wowdesk.web import channel_settings as cs
from wowdesk.web import inbox_settings as ins

urlpatterns = [
    path("settings/tags/", cs.tags_page, name="tags"),
    path("settings/tags/<int:pk>/", cs.tag_edit, name="tag"),
    path("settings/tags/<int:pk>/merge/", cs.tag_merge, name="tag-merge"),
    path("settings/tags/<int:pk>/delete/", cs.tag_delete, name="tag-delete"),
    path("settings/macros/", cs.macros_page, name="macros"),
    path("settings/macros/new/", cs.macro_new, name="macro-new"),
    path("settings/macros/<int:pk>/", cs.macro_edit, name="macro"),
    path("settings/macros/<int:pk>/delete/", cs.macro_delete, name="macro-delete"),
    path("settings/inboxes/", ins.inboxes_page, name="inboxes"),
    path("settings/inboxes/new/<str:channel>/", ins.inbox_new, name="inbox-new"),
    path("settings/inboxes/<int:pk>/", ins.inbox_edit, name="inbox-settings"),
    path("settings/inboxes/<int:pk>/test/", ins.inbox_test, name="inbox-test"),
    path("settings/inboxes/<int:pk>/rotate/", ins.inbox_rotate, name="inbox-rotate"),
    path("settings/inboxes/<int:pk>/answer-bot/", ins.inbox_answer_bot, name="inbox-answer-bot"),
]
