from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "wowdesk.routing"
    label = "routing"
    verbose_name = _("Routing and SLA")

    def ready(self) -> None:
        from wowdesk.core import alerts
        from wowdesk.core.events import Event, Phase, listen
        from wowdesk.core.models import AlertKind
        from wowdesk.routing.sla import breach_sentence, warning_sentence

        alerts.register(AlertKind.SLA_BREACH, breach_sentence)
        alerts.register(AlertKind.SLA_WARNING, warning_sentence)

        listen(Event.CONVERSATION_UPDATED, "wowdesk.routing.sla.on_conversation_updated")
        listen(Event.CONVERSATION_UPDATED, "wowdesk.routing.services.on_conversation_updated")
        # New customer messages start SLA clocks and are routed, in batches (core.events).
        listen(Event.MESSAGE_CREATED, "wowdesk.routing.sla.on_messages_created", phase=Phase.BATCH)
        listen(
            Event.MESSAGE_CREATED,
            "wowdesk.routing.services.on_messages_created",
            phase=Phase.BATCH,
        )
        from wowdesk.core import jobs

        # SLA clocks, snoozed conversations, idle agents and the queues, every 30 s
        jobs.every(30.0, "routing", "wowdesk.routing.jobs.sweep")
        from wowdesk.conversations.queries import register_view

        # the inbox's "SLA due soon" view is decided by routing's clocks
        register_view("sla", "wowdesk.routing.queries.sla_due_soon")
        from wowdesk.core.api import contribute_agent_state

        # on_shift, open_load, open_total of every agent the API shows
        contribute_agent_state("wowdesk.routing.api.agent_routing_state")
        from wowdesk.core.i18n import register_choices

        register_choices("sla_target", "wowdesk.routing.models.SlaTarget")
