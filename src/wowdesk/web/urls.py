from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import TemplateView

from wowdesk.web import automations as automation_views
from wowdesk.web import bulk as bulk_views
from wowdesk.web import (
    channel_urls,
    chat_demo,
    chat_widget,
    composer,
    people,
    people_settings,
    sites_settings,
    views,
)
from wowdesk.web import fields as field_views
from wowdesk.web import notifications as notification_views
from wowdesk.web import palette as palette_views
from wowdesk.web import webhooks as webhook_views
from wowdesk.web.auth import LoginView

# bulk actions, saved views, split and link (web/bulk.py)
bulk_urls = [
    path("inbox/bulk/", bulk_views.bulk_apply, name="bulk"),
    path("inbox/bulk/undo/", bulk_views.bulk_undo, name="bulk-undo"),
    path("inbox/bulk/count/", bulk_views.bulk_count, name="bulk-count"),
    path("inbox/views/", bulk_views.save_view, name="view-save"),
    path("inbox/views/<int:view_id>/rename/", bulk_views.rename_view, name="view-rename"),
    path("inbox/views/<int:view_id>/delete/", bulk_views.delete_view, name="view-delete"),
    path("inbox/c/<int:pk>/split/", bulk_views.split, name="split"),
    path("inbox/c/<int:pk>/links/", bulk_views.link, name="link"),
    path("inbox/c/<int:pk>/links/<int:other_id>/delete/", bulk_views.unlink, name="unlink"),
]

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("chat-demo", chat_demo.demo, name="chat-demo"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html",
            success_url=reverse_lazy("web:password-done"),
        ),
        name="password",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_done.html"),
        name="password-done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="web/password_reset.html",
            form_class=people.AgentPasswordResetForm,
            email_template_name="web/email/password_reset.txt",
            subject_template_name="web/email/password_reset_subject.txt",
            success_url=reverse_lazy("web:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password/reset/sent/",
        TemplateView.as_view(template_name="web/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/password_set.html",
            success_url=reverse_lazy("web:password-reset-done"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password/reset/done/",
        TemplateView.as_view(template_name="web/password_set_done.html"),
        name="password-reset-done",
    ),
    path("settings/", views.settings_index, name="settings"),
    path("settings/agents/", people.agents, name="agents"),
    path("settings/chat/", chat_widget.chat_inboxes, name="chat-inboxes"),
    path("settings/inboxes/<int:pk>/widget/", chat_widget.inbox_widget, name="inbox-widget"),
    path("settings/agents/<int:agent_id>/", people_settings.agent_page, name="agent"),
    path("settings/teams/", people_settings.teams_page, name="teams"),
    path("settings/teams/<int:pk>/", people_settings.team_page, name="team"),
    path("settings/teams/<int:pk>/delete/", people_settings.team_delete, name="team-delete"),
    path("settings/sites/", sites_settings.sites_page, name="sites"),
    path("settings/sites/<int:pk>/", sites_settings.site_page, name="site"),
    path("settings/sla/", sites_settings.sla_page, name="sla"),
    path("settings/sla/<int:pk>/", sites_settings.sla_policy_page, name="sla-policy"),
    path(
        "settings/sla/<int:pk>/delete/", sites_settings.sla_policy_delete, name="sla-policy-delete"
    ),
    path(
        "settings/agents/<int:agent_id>/invite-again/",
        people.resend_invitation,
        name="agent-invite-again",
    ),
    path("settings/webhooks/", webhook_views.webhooks_page, name="webhooks"),
    path("settings/webhooks/<int:pk>/", webhook_views.webhook_page, name="webhook"),
    path("settings/webhooks/<int:pk>/toggle/", webhook_views.webhook_toggle, name="webhook-toggle"),
    path("settings/webhooks/<int:pk>/delete/", webhook_views.webhook_delete, name="webhook-delete"),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        webhook_views.webhook_redeliver,
        name="webhook-redeliver",
    ),
    path("settings/custom-fields/", field_views.settings_page, name="custom-fields"),
    path("settings/custom-fields/<int:pk>/", field_views.field_page, name="custom-field"),
    path(
        "settings/custom-fields/<int:pk>/archive/",
        field_views.field_archive,
        name="custom-field-archive",
    ),
    path("settings/custom-fields/<int:pk>/move/", field_views.field_move, name="custom-field-move"),
    path("inbox/c/<int:pk>/fields/", field_views.save_values, name="custom-field-values"),
    path("settings/automations/", automation_views.rules_page, name="automations"),
    path("settings/automations/new/", automation_views.rule_new, name="automation-new"),
    path("settings/automations/<int:pk>/", automation_views.rule_edit, name="automation"),
    path(
        "settings/automations/<int:pk>/toggle/",
        automation_views.rule_toggle,
        name="automation-toggle",
    ),
    path(
        "settings/automations/<int:pk>/delete/",
        automation_views.rule_delete,
        name="automation-delete",
    ),
    path("settings/language/", views.ui_language, name="ui-language"),
    *channel_urls.urlpatterns,
    # notifications and the command palette (web/notifications.py, web/palette.py)
    path(
        "settings/notifications/",
        notification_views.preferences,
        name="notification-settings",
    ),
    path("notifications/", notification_views.page, name="notifications"),
    path("notifications/menu/", notification_views.menu, name="notifications-menu"),
    path("notifications/read-all/", notification_views.read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/open/", notification_views.open_one, name="notification-open"),
    path("palette/", palette_views.search, name="palette"),
    path("settings/theme/", views.ui_theme, name="ui-theme"),
    path("presence/", views.my_presence, name="presence"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("inbox/list/", views.inbox_list, name="inbox-list"),
    *bulk_urls,
    path("inbox/c/<int:pk>/", views.conversation_page, name="conversation"),
    path("inbox/c/<int:pk>/reply/", views.reply, name="reply"),
    path("inbox/c/<int:pk>/update/", views.update, name="update"),
    path("inbox/c/<int:pk>/merge/", views.merge, name="merge"),
    path("inbox/c/<int:pk>/next/", views.neighbour, {"direction": "next"}, name="next"),
    path("inbox/c/<int:pk>/prev/", views.neighbour, {"direction": "prev"}, name="prev"),
    path(
        "inbox/c/<int:pk>/messages/<int:message_id>/",
        views.message_partial,
        name="message",
    ),
    path(
        "inbox/c/<int:pk>/messages/<int:message_id>/translation/",
        views.translate_message,
        name="translate",
    ),
    path("inbox/c/<int:pk>/macros/<int:macro_id>/", views.macro_text, name="macro"),
    path("inbox/c/<int:pk>/mentions/", composer.mentions, name="mentions"),
    path(
        "inbox/c/<int:pk>/preview-translation/",
        composer.preview_translation,
        name="preview-translation",
    ),
    path("inbox/c/<int:pk>/forward/", composer.forward, name="forward"),
    path(
        "inbox/c/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path(
        "inbox/c/<int:pk>/messages/<int:message_id>/retry/",
        views.retry_delivery,
        name="retry",
    ),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("supervisor/reassign/<int:pk>/", views.board_reassign, name="board-reassign"),
    path("supervisor/alerts/<int:alert_id>/ack/", views.board_ack, name="board-ack"),
    path(
        "supervisor/agents/<int:agent_id>/presence/",
        views.board_presence,
        name="board-presence",
    ),
]
