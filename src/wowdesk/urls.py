from django.contrib import admin
from django.urls import include, path

from wowdesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("hooks/voice/", include("wowdesk.channels.voice.urls")),
    path("hooks/social/", include("wowdesk.channels.social.urls")),
    path("help/", include("wowdesk.knowledge.help_urls")),
    path("knowledge/", include("wowdesk.knowledge.urls")),
    path("s/", include("wowdesk.surveys.public_urls")),
    path("surveys/", include("wowdesk.surveys.urls")),
    path("wow/", include("wowdesk.surveys.wow_urls")),
    path("reports/", include("wowdesk.analytics.urls")),
    path("policies/", include("wowdesk.policies.urls")),
    path("quality/", include("wowdesk.quality.urls")),
    path("training/", include("wowdesk.training.urls")),
    path("wfm/", include("wowdesk.wfm.urls")),
    path("", include("wowdesk.knowledge.widget_urls")),
    path("", include("wowdesk.channels.chat.urls")),
    path("", include("wowdesk.web.urls")),
]
