"""Canned replies the demo brands start with, in several languages (variables as in
``conversations.services.render_macro_text``)."""

from __future__ import annotations

MACROS: list[tuple[str, str, str]] = [
    (
        "Thanks for waiting",
        "en",
        "Hi {{ customer.first_name }},\n\nthank you for your patience. I have looked into "
        "this for you and …\n\nBest regards,\n{{ agent.name }}",
    ),
    (
        "Thanks for waiting",
        "de",
        "Hallo {{ customer.first_name }},\n\nvielen Dank für Ihre Geduld. Ich habe mir das "
        "angesehen und …\n\nViele Grüße\n{{ agent.name }}",
    ),
    (
        "Thanks for waiting",
        "zh",
        "{{ customer.name }}，您好：\n\n感谢您的耐心等待。我已经为您查看了这个问题，……\n\n"
        "祝好\n{{ agent.name }}",
    ),
    (
        "Thanks for waiting",
        "es",
        "Hola {{ customer.first_name }}:\n\ngracias por su paciencia. He revisado su caso y …"
        "\n\nUn saludo,\n{{ agent.name }}",
    ),
    (
        "Thanks for waiting",
        "fr",
        "Bonjour {{ customer.first_name }},\n\nmerci de votre patience. J'ai examiné votre "
        "demande et …\n\nCordialement,\n{{ agent.name }}",
    ),
    (
        "Refund on its way",
        "en",
        "Hi {{ customer.first_name }},\n\nI have started your refund for conversation "
        "#{{ conversation.number }}. It reaches your account within 5 working days.\n\n"
        "{{ agent.name }}, {{ brand.name }}",
    ),
    (
        "Refund on its way",
        "de",
        "Hallo {{ customer.first_name }},\n\nich habe Ihre Erstattung zu Vorgang "
        "#{{ conversation.number }} veranlasst. Sie erhalten das Geld innerhalb von 5 "
        "Werktagen.\n\n{{ agent.name }}, {{ brand.name }}",
    ),
    (
        "Refund on its way",
        "zh",
        "{{ customer.name }}，您好：\n\n我已为您的工单 #{{ conversation.number }} 办理退款，"
        "款项将在 5 个工作日内到账。\n\n{{ brand.name }} {{ agent.name }}",
    ),
    (
        "Refund on its way",
        "es",
        "Hola {{ customer.first_name }}:\n\nhe iniciado el reembolso de la conversación "
        "#{{ conversation.number }}. Lo recibirá en 5 días hábiles.\n\n"
        "{{ agent.name }}, {{ brand.name }}",
    ),
    (
        "Ask for the order number",
        "en",
        "Hi {{ customer.first_name }},\n\ncould you send me your order number? Then I can "
        "check everything at once.\n\n{{ agent.name }}",
    ),
    (
        "Ask for the order number",
        "de",
        "Hallo {{ customer.first_name }},\n\nkönnten Sie mir Ihre Bestellnummer schicken? "
        "Dann kann ich alles auf einmal prüfen.\n\n{{ agent.name }}",
    ),
    (
        "Ask for the order number",
        "zh",
        "{{ customer.name }}，您好：\n\n请把您的订单号发给我，我好一次性帮您查清楚。\n\n"
        "{{ agent.name }}",
    ),
    (
        "Ask for the order number",
        "es",
        "Hola {{ customer.first_name }}:\n\n¿podría enviarme su número de pedido? Así lo "
        "reviso todo de una vez.\n\n{{ agent.name }}",
    ),
]
