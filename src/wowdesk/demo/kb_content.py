"""The demo help center's words: article titles per Bitext intent, category names, the key
articles written out in English with their Spanish, Simplified Chinese and German
translations, the internal articles, and the resolved conversations that no article covers
(the knowledge loop's demo proposals).

The other articles' bodies are Bitext answers (``data/bitext/sample.json``, CDLA-Sharing
1.0, see ``data/bitext/README.md``). ``{brand}``, ``{phone}`` and ``{site}`` are filled with
the demo brand's name, phone number and domain.
"""

from __future__ import annotations

from dataclasses import dataclass

HELP_LANGUAGES = ("en", "es", "de", "zh")

# Bitext category → (slug, names per language)
CATEGORIES: dict[str, tuple[str, dict[str, str]]] = {
    "ORDER": ("orders", {"en": "Orders", "es": "Pedidos", "de": "Bestellungen", "zh": "订单"}),
    "DELIVERY": (
        "delivery",
        {"en": "Delivery", "es": "Envíos", "de": "Lieferung", "zh": "配送"},
    ),
    "SHIPPING_ADDRESS": (
        "shipping-address",
        {
            "en": "Shipping address",
            "es": "Dirección de envío",
            "de": "Lieferadresse",
            "zh": "收货地址",
        },
    ),
    "REFUND": (
        "refunds",
        {"en": "Refunds", "es": "Reembolsos", "de": "Rückerstattungen", "zh": "退款"},
    ),
    "CANCELLATION_FEE": (
        "cancellation-fees",
        {
            "en": "Cancellation fees",
            "es": "Gastos de cancelación",
            "de": "Stornogebühren",
            "zh": "取消费用",
        },
    ),
    "PAYMENT": ("payment", {"en": "Payment", "es": "Pago", "de": "Zahlung", "zh": "支付"}),
    "INVOICE": (
        "invoices",
        {"en": "Invoices", "es": "Facturas", "de": "Rechnungen", "zh": "发票"},
    ),
    "ACCOUNT": (
        "account",
        {"en": "Your account", "es": "Tu cuenta", "de": "Ihr Konto", "zh": "您的账户"},
    ),
    "CONTACT": (
        "contact",
        {"en": "Contact us", "es": "Contacto", "de": "Kontakt", "zh": "联系我们"},
    ),
    "FEEDBACK": (
        "feedback",
        {"en": "Feedback", "es": "Opiniones", "de": "Feedback", "zh": "意见反馈"},
    ),
    "NEWSLETTER": (
        "newsletter",
        {"en": "Newsletter", "es": "Boletín", "de": "Newsletter", "zh": "新闻通讯"},
    ),
}

# Bitext intent → English title
TITLES: dict[str, str] = {
    "cancel_order": "How do I cancel an order?",
    "change_order": "Changing an order you already placed",
    "place_order": "How to place an order",
    "track_order": "Where is my order? Tracking a delivery",
    "delivery_options": "Delivery options",
    "delivery_period": "How long does delivery take?",
    "change_shipping_address": "Changing the shipping address of an order",
    "set_up_shipping_address": "Setting up a shipping address",
    "check_refund_policy": "Our refund policy",
    "get_refund": "How to get a refund",
    "track_refund": "Tracking a refund",
    "check_cancellation_fee": "Is there a cancellation fee?",
    "check_payment_methods": "Which payment methods can I use?",
    "payment_issue": "A payment did not go through",
    "check_invoice": "Checking an invoice",
    "get_invoice": "Downloading your invoices",
    "create_account": "Creating an account",
    "delete_account": "Deleting your account",
    "edit_account": "Editing your account details",
    "recover_password": "I forgot my password",
    "registration_problems": "Problems signing up",
    "switch_account": "Switching between accounts",
    "contact_customer_service": "How to contact customer service",
    "contact_human_agent": "Talking to a person",
    "complaint": "Making a complaint",
    "review": "Leaving a review",
    "newsletter_subscription": "Subscribing to the newsletter",
}

# The key articles: written out (drawn from the Bitext answers) with their translations.
KEY_ARTICLES: dict[str, dict[str, tuple[str, str]]] = {
    "cancel_order": {
        "en": (
            "How do I cancel an order?",
            "You can cancel an order until it leaves our warehouse.\n\n"
            "1. Sign in to your {brand} account on {site}.\n"
            "2. Open **Order history** and choose the order.\n"
            "3. Press **Cancel order** and confirm.\n\n"
            "You receive a confirmation email, and the refund goes back to the payment "
            "method you used within 5–7 business days. If the button is missing, the order "
            "has already shipped: you can return it instead once it arrives. Need help? Call "
            "us on {phone} or write to us in the live chat.",
        ),
        "es": (
            "¿Cómo cancelo un pedido?",
            "Puedes cancelar un pedido mientras no haya salido de nuestro almacén.\n\n"
            "1. Inicia sesión en tu cuenta de {brand} en {site}.\n"
            "2. Abre **Historial de pedidos** y elige el pedido.\n"
            "3. Pulsa **Cancelar pedido** y confirma.\n\n"
            "Recibirás un correo de confirmación y el reembolso llegará al mismo medio de "
            "pago en un plazo de 5 a 7 días hábiles. Si no ves el botón, el pedido ya se ha "
            "enviado: en ese caso puedes devolverlo cuando lo recibas. ¿Necesitas ayuda? "
            "Llámanos al {phone} o escríbenos por el chat.",
        ),
        "de": (
            "Wie storniere ich eine Bestellung?",
            "Sie können eine Bestellung stornieren, solange sie unser Lager noch nicht "
            "verlassen hat.\n\n"
            "1. Melden Sie sich auf {site} bei Ihrem {brand}-Konto an.\n"
            "2. Öffnen Sie **Bestellverlauf** und wählen Sie die Bestellung aus.\n"
            "3. Klicken Sie auf **Bestellung stornieren** und bestätigen Sie.\n\n"
            "Sie erhalten eine Bestätigung per E-Mail; der Betrag wird innerhalb von 5–7 "
            "Werktagen auf Ihr ursprüngliches Zahlungsmittel erstattet. Fehlt die "
            "Schaltfläche, ist die Bestellung bereits unterwegs: Sie können sie nach Erhalt "
            "zurücksenden. Fragen? Rufen Sie uns unter {phone} an oder schreiben Sie uns im "
            "Chat.",
        ),
        "zh": (
            "如何取消订单？",
            "订单在离开我们的仓库之前都可以取消。\n\n"
            "1. 在 {site} 登录您的 {brand} 账户。\n"
            "2. 打开**订单记录**，选择要取消的订单。\n"
            "3. 点击**取消订单**并确认。\n\n"
            "您会收到一封确认邮件，款项将在 5–7 个工作日内退回到原支付方式。"
            "如果看不到取消按钮，说明订单已经发货：收到商品后可以申请退货。"
            "需要帮助？请拨打 {phone} 或通过在线客服联系我们。",
        ),
    },
    "track_order": {
        "en": (
            "Where is my order? Tracking a delivery",
            "As soon as your order ships we send you an email with the tracking number.\n\n"
            "1. Sign in on {site} and open **Order history**.\n"
            "2. Choose the order and press **Track delivery** to see where the parcel is.\n\n"
            "Tracking can take up to 24 hours to show the first scan. If the parcel has not "
            "moved for more than 5 business days, contact us on {phone} and we will ask the "
            "carrier for you.",
        ),
        "es": (
            "¿Dónde está mi pedido? Seguimiento del envío",
            "En cuanto tu pedido sale te enviamos un correo con el número de seguimiento.\n\n"
            "1. Inicia sesión en {site} y abre **Historial de pedidos**.\n"
            "2. Elige el pedido y pulsa **Seguir envío** para ver dónde está el paquete.\n\n"
            "El primer movimiento puede tardar hasta 24 horas en aparecer. Si el paquete "
            "lleva más de 5 días hábiles sin moverse, llámanos al {phone} y lo reclamaremos "
            "al transportista por ti.",
        ),
        "de": (
            "Wo ist meine Bestellung? Sendungsverfolgung",
            "Sobald Ihre Bestellung versandt ist, schicken wir Ihnen eine E-Mail mit der "
            "Sendungsnummer.\n\n"
            "1. Melden Sie sich auf {site} an und öffnen Sie **Bestellverlauf**.\n"
            "2. Wählen Sie die Bestellung und klicken Sie auf **Sendung verfolgen**.\n\n"
            "Bis zum ersten Scan können bis zu 24 Stunden vergehen. Bewegt sich das Paket "
            "länger als 5 Werktage nicht, rufen Sie uns unter {phone} an – wir fragen für Sie "
            "beim Versanddienstleister nach.",
        ),
        "zh": (
            "我的订单在哪里？查询物流",
            "订单发货后，我们会给您发送一封附有运单号的邮件。\n\n"
            "1. 登录 {site}，打开**订单记录**。\n"
            "2. 选择订单，点击**查看物流**即可看到包裹的位置。\n\n"
            "首条物流信息最多可能需要 24 小时才会显示。如果包裹超过 5 个工作日没有更新，"
            "请拨打 {phone}，我们会替您向快递公司查询。",
        ),
    },
    "get_refund": {
        "en": (
            "How to get a refund",
            "You can ask for a refund within 30 days of delivery.\n\n"
            "1. Open **Order history** on {site} and choose the order.\n"
            "2. Press **Return or refund**, pick the items and tell us why.\n"
            "3. Print the prepaid label and drop the parcel at any carrier point.\n\n"
            "Once we receive the items we refund you within 5 business days, to the payment "
            "method you used. Unopened items are refunded in full; for damaged items, add a "
            "photo and we refund you without a return.",
        ),
        "es": (
            "Cómo obtener un reembolso",
            "Puedes solicitar un reembolso en los 30 días siguientes a la entrega.\n\n"
            "1. Abre **Historial de pedidos** en {site} y elige el pedido.\n"
            "2. Pulsa **Devolución o reembolso**, selecciona los artículos y cuéntanos el "
            "motivo.\n"
            "3. Imprime la etiqueta prepagada y entrega el paquete en cualquier punto del "
            "transportista.\n\n"
            "Cuando recibamos los artículos te reembolsaremos en 5 días hábiles, al mismo "
            "medio de pago. Los artículos sin abrir se reembolsan íntegramente; si el "
            "artículo llegó dañado, adjunta una foto y te lo reembolsamos sin devolución.",
        ),
        "de": (
            "So erhalten Sie eine Rückerstattung",
            "Sie können innerhalb von 30 Tagen nach der Lieferung eine Rückerstattung "
            "beantragen.\n\n"
            "1. Öffnen Sie auf {site} den **Bestellverlauf** und wählen Sie die Bestellung.\n"
            "2. Klicken Sie auf **Rücksendung oder Erstattung**, wählen Sie die Artikel aus "
            "und nennen Sie den Grund.\n"
            "3. Drucken Sie das vorfrankierte Etikett aus und geben Sie das Paket bei einer "
            "Annahmestelle ab.\n\n"
            "Nach Eingang der Artikel erstatten wir den Betrag innerhalb von 5 Werktagen auf "
            "Ihr Zahlungsmittel. Ungeöffnete Artikel erstatten wir vollständig; bei "
            "beschädigten Artikeln genügt ein Foto, eine Rücksendung ist dann nicht nötig.",
        ),
        "zh": (
            "如何申请退款",
            "您可以在收货后 30 天内申请退款。\n\n"
            "1. 在 {site} 打开**订单记录**，选择该订单。\n"
            "2. 点击**退货/退款**，选择商品并说明原因。\n"
            "3. 打印预付运单，将包裹交到任一快递网点。\n\n"
            "我们收到商品后会在 5 个工作日内原路退款。未拆封的商品全额退款；"
            "如商品到货时已损坏，只需上传照片，无需退货即可退款。",
        ),
    },
    "recover_password": {
        "en": (
            "I forgot my password",
            "1. On the {site} sign-in page, press **Forgot password?**.\n"
            "2. Enter the email address of your {brand} account.\n"
            "3. Open the email we send you and follow the link within 60 minutes.\n"
            "4. Choose a new password of at least 10 characters.\n\n"
            "No email? Look in your spam folder, and check that you typed the address you "
            "signed up with. For security, our agents can never see or tell you your "
            "password.",
        ),
        "es": (
            "He olvidado mi contraseña",
            "1. En la página de inicio de sesión de {site}, pulsa **¿Has olvidado tu "
            "contraseña?**.\n"
            "2. Escribe el correo electrónico de tu cuenta de {brand}.\n"
            "3. Abre el correo que te enviamos y sigue el enlace antes de 60 minutos.\n"
            "4. Elige una contraseña nueva de al menos 10 caracteres.\n\n"
            "¿No te llega el correo? Revisa la carpeta de spam y comprueba que has escrito "
            "la dirección con la que te registraste. Por seguridad, nuestros agentes nunca "
            "pueden ver ni decirte tu contraseña.",
        ),
        "de": (
            "Ich habe mein Passwort vergessen",
            "1. Klicken Sie auf der Anmeldeseite von {site} auf **Passwort vergessen?**.\n"
            "2. Geben Sie die E-Mail-Adresse Ihres {brand}-Kontos ein.\n"
            "3. Öffnen Sie die E-Mail, die wir Ihnen schicken, und folgen Sie dem Link "
            "innerhalb von 60 Minuten.\n"
            "4. Wählen Sie ein neues Passwort mit mindestens 10 Zeichen.\n\n"
            "Keine E-Mail erhalten? Sehen Sie im Spam-Ordner nach und prüfen Sie, ob Sie die "
            "Adresse eingegeben haben, mit der Sie sich registriert haben. Aus "
            "Sicherheitsgründen können unsere Mitarbeiter Ihr Passwort weder sehen noch "
            "mitteilen.",
        ),
        "zh": (
            "忘记密码怎么办",
            "1. 在 {site} 的登录页面点击**忘记密码？**。\n"
            "2. 输入您 {brand} 账户的电子邮箱。\n"
            "3. 打开我们发送的邮件，并在 60 分钟内点击其中的链接。\n"
            "4. 设置一个至少 10 个字符的新密码。\n\n"
            "没有收到邮件？请查看垃圾邮件文件夹，并确认输入的是注册时使用的邮箱。"
            "为了您的账户安全，客服人员无法查看或告知您的密码。",
        ),
    },
    "change_shipping_address": {
        "en": (
            "Changing the shipping address of an order",
            "You can change the address until the order ships.\n\n"
            "1. Open **Order history** on {site} and choose the order.\n"
            "2. Press **Edit shipping address**, enter the new address and save.\n\n"
            "Already shipped? Use the link in the tracking email to redirect the parcel to a "
            "pick-up point, or call us on {phone}. To change the address for future orders, "
            "go to **Account settings → Addresses**.",
        ),
        "es": (
            "Cambiar la dirección de envío de un pedido",
            "Puedes cambiar la dirección hasta que el pedido se envíe.\n\n"
            "1. Abre **Historial de pedidos** en {site} y elige el pedido.\n"
            "2. Pulsa **Editar dirección de envío**, escribe la nueva dirección y guarda.\n\n"
            "¿Ya se ha enviado? Usa el enlace del correo de seguimiento para desviar el "
            "paquete a un punto de recogida, o llámanos al {phone}. Para cambiar la "
            "dirección de los próximos pedidos, ve a **Ajustes de la cuenta → Direcciones**.",
        ),
        "de": (
            "Die Lieferadresse einer Bestellung ändern",
            "Sie können die Adresse ändern, bis die Bestellung versandt wird.\n\n"
            "1. Öffnen Sie auf {site} den **Bestellverlauf** und wählen Sie die Bestellung.\n"
            "2. Klicken Sie auf **Lieferadresse bearbeiten**, geben Sie die neue Adresse ein "
            "und speichern Sie.\n\n"
            "Schon versandt? Über den Link in der Versand-E-Mail können Sie das Paket an eine "
            "Abholstation umleiten, oder Sie rufen uns unter {phone} an. Die Adresse für "
            "künftige Bestellungen ändern Sie unter **Kontoeinstellungen → Adressen**.",
        ),
        "zh": (
            "修改订单的收货地址",
            "订单发货前都可以修改收货地址。\n\n"
            "1. 在 {site} 打开**订单记录**，选择该订单。\n"
            "2. 点击**修改收货地址**，填写新地址并保存。\n\n"
            "已经发货？可以通过物流邮件中的链接把包裹改送到自提点，或拨打 {phone} 联系我们。"
            "如需修改以后订单的默认地址，请前往**账户设置 → 地址**。",
        ),
    },
    "check_payment_methods": {
        "en": (
            "Which payment methods can I use?",
            "At {brand} you can pay with:\n\n"
            "- Visa, Mastercard and American Express\n"
            "- PayPal\n"
            "- Apple Pay and Google Pay\n"
            "- Bank transfer (the order ships once the payment arrives)\n\n"
            "You choose the method at checkout. Your card is charged when the order ships, "
            "not when you place it.",
        ),
        "es": (
            "¿Qué medios de pago puedo usar?",
            "En {brand} puedes pagar con:\n\n"
            "- Visa, Mastercard y American Express\n"
            "- PayPal\n"
            "- Apple Pay y Google Pay\n"
            "- Transferencia bancaria (el pedido se envía cuando recibimos el pago)\n\n"
            "Eliges el medio de pago al finalizar la compra. El cargo en tu tarjeta se hace "
            "cuando el pedido se envía, no cuando lo realizas.",
        ),
        "de": (
            "Welche Zahlungsarten gibt es?",
            "Bei {brand} können Sie bezahlen mit:\n\n"
            "- Visa, Mastercard und American Express\n"
            "- PayPal\n"
            "- Apple Pay und Google Pay\n"
            "- Überweisung (die Bestellung wird nach Zahlungseingang versandt)\n\n"
            "Die Zahlungsart wählen Sie an der Kasse. Ihre Karte wird erst belastet, wenn die "
            "Bestellung versandt wird, nicht schon bei der Bestellung.",
        ),
        "zh": (
            "可以使用哪些支付方式？",
            "在 {brand} 您可以使用以下方式付款：\n\n"
            "- Visa、Mastercard 和 American Express 信用卡\n"
            "- PayPal\n"
            "- Apple Pay 和 Google Pay\n"
            "- 银行转账（到账后发货）\n\n"
            "您可以在结账时选择支付方式。银行卡在订单发货时才会扣款，而不是下单时。",
        ),
    },
    "delivery_period": {
        "en": (
            "How long does delivery take?",
            "- **Standard delivery:** 3–5 business days.\n"
            "- **Express delivery:** 1–2 business days, for orders placed before 2 p.m.\n"
            "- **International delivery:** 5–10 business days; customs may add a few days.\n\n"
            "The delivery date shown at checkout is an estimate from the carrier. You can "
            "follow your parcel from **Order history** on {site}.",
        ),
        "es": (
            "¿Cuánto tarda la entrega?",
            "- **Envío estándar:** de 3 a 5 días hábiles.\n"
            "- **Envío exprés:** de 1 a 2 días hábiles, para pedidos realizados antes de las "
            "14:00.\n"
            "- **Envío internacional:** de 5 a 10 días hábiles; la aduana puede añadir "
            "algunos días.\n\n"
            "La fecha que ves al pagar es una estimación del transportista. Puedes seguir tu "
            "paquete desde **Historial de pedidos** en {site}.",
        ),
        "de": (
            "Wie lange dauert die Lieferung?",
            "- **Standardversand:** 3–5 Werktage.\n"
            "- **Expressversand:** 1–2 Werktage bei Bestellung vor 14 Uhr.\n"
            "- **Internationaler Versand:** 5–10 Werktage; der Zoll kann einige Tage "
            "hinzufügen.\n\n"
            "Das an der Kasse angezeigte Lieferdatum ist eine Schätzung des "
            "Versanddienstleisters. Ihr Paket verfolgen Sie im **Bestellverlauf** auf {site}.",
        ),
        "zh": (
            "配送需要多长时间？",
            "- **标准配送：** 3–5 个工作日。\n"
            "- **加急配送：** 下午 2 点前下单，1–2 个工作日送达。\n"
            "- **国际配送：** 5–10 个工作日，清关可能会额外增加几天。\n\n"
            "结账时显示的送达日期由快递公司估算。您可以在 {site} 的**订单记录**中跟踪包裹。",
        ),
    },
    "contact_human_agent": {
        "en": (
            "Talking to a person",
            "Our team is here to help, in your language:\n\n"
            "- **Live chat** on {site}: type *talk to a person* at any time and the bot hands "
            "you over to an agent.\n"
            "- **Phone:** {phone}, Monday to Saturday, 8:00–20:00.\n"
            "- **Email:** reply to any email from us, or use the contact form.\n\n"
            "Have your order number ready: it helps us find your order quickly.",
        ),
        "es": (
            "Hablar con una persona",
            "Nuestro equipo te atiende en tu idioma:\n\n"
            "- **Chat** en {site}: escribe *hablar con una persona* en cualquier momento y el "
            "asistente te pasará con un agente.\n"
            "- **Teléfono:** {phone}, de lunes a sábado, de 8:00 a 20:00.\n"
            "- **Correo:** responde a cualquier correo nuestro o usa el formulario de "
            "contacto.\n\n"
            "Ten a mano tu número de pedido: nos ayuda a encontrarlo enseguida.",
        ),
        "de": (
            "Mit einem Menschen sprechen",
            "Unser Team hilft Ihnen gern, auch auf Deutsch:\n\n"
            "- **Live-Chat** auf {site}: Schreiben Sie jederzeit *mit einem Menschen "
            "sprechen*, und der Bot übergibt Sie an einen Mitarbeiter.\n"
            "- **Telefon:** {phone}, Montag bis Samstag, 8:00–20:00 Uhr.\n"
            "- **E-Mail:** Antworten Sie auf eine unserer E-Mails oder nutzen Sie das "
            "Kontaktformular.\n\n"
            "Halten Sie Ihre Bestellnummer bereit – so finden wir Ihre Bestellung schneller.",
        ),
        "zh": (
            "联系人工客服",
            "我们的团队可以用您的语言为您服务：\n\n"
            "- **在线客服**（{site}）：随时输入“转人工”，机器人会把您转接给客服人员。\n"
            "- **电话：** {phone}，周一至周六 8:00–20:00。\n"
            "- **邮件：** 直接回复我们发给您的任何邮件，或使用联系表单。\n\n"
            "请准备好您的订单号，这样我们可以更快地找到您的订单。",
        ),
    },
}

# Agents only.
INTERNAL_ARTICLES: tuple[tuple[str, str, str], ...] = (
    (
        "Refunds above 500: who approves",
        "PAYMENT",
        "Refunds of more than 500 in any currency need a supervisor's approval before you "
        "promise them. Add the tag `refund-approval`, write an internal note with the order "
        "and the reason, and assign the conversation to the Orders team. Never promise a "
        "date before the approval.",
    ),
    (
        "Verifying who you are talking to",
        "ACCOUNT",
        "Before changing an email address, a shipping address or a password on a customer's "
        "behalf, ask for two of: the order number, the postcode of the billing address, the "
        "last four digits of the card. Never ask for a full card number or a password, and "
        "never read them out.",
    ),
)


@dataclass(frozen=True)
class LoopCase:
    """A resolved conversation that no article covers: the customer's question and the
    agent's answer, in one language. ``{product}`` is one of the brand's products."""

    language: str
    subject: str
    question: str
    answer: str


LOOP_CASES: tuple[LoopCase, ...] = (
    LoopCase(
        "en",
        "Hub keeps dropping off Wi-Fi",
        "Hi, my {product} keeps dropping off our Wi-Fi 6 mesh every night since the last "
        "firmware update. I already restarted the router twice. Can you help?",
        "Thanks for the details! The {product} cannot hold a connection on 160 MHz channels, "
        "which some Wi-Fi 6 mesh routers switch to at night. In your router's settings set "
        "the 5 GHz band to an 80 MHz channel width and turn off band steering, then restart "
        "the {product} by holding its button for ten seconds. It should stay connected from "
        "then on.",
    ),
    LoopCase(
        "en",
        "Disconnects from mesh network at night",
        "Hello, every night my {product} disconnects from the mesh network and only comes "
        "back when I unplug it. This started after the update last week.",
        "Sorry for the trouble! This happens when the mesh router moves the 5 GHz band to "
        "160 MHz channels overnight, which the {product} does not support. Please change "
        "the channel width to 80 MHz in the router's settings, switch off band steering and "
        "restart the {product}. That fixes it.",
    ),
    LoopCase(
        "en",
        "Gift wrapping on an order",
        "Can I still add gift wrapping and a card with a message to the order I placed "
        "this morning? It's a birthday present.",
        "Yes! Gift wrapping can be added until the order is packed, usually within 4 hours. "
        "I added gift wrapping to your order and the card will say the message you sent. "
        "The wrapping is free for orders over 50; otherwise 4.99 is added to the total.",
    ),
    LoopCase(
        "de",
        "Gerät nach Umzug neu einrichten",
        "Hallo, wir sind umgezogen und mein {product} findet das neue WLAN nicht. Muss ich "
        "ihn zurücksetzen?",
        "Nein, zurücksetzen ist nicht nötig. Öffnen Sie die App, tippen Sie auf das Gerät und "
        "dann auf »Netzwerk ändern«. Halten Sie die Taste am {product} fünf Sekunden "
        "gedrückt, bis das Licht blau blinkt, und wählen Sie dann Ihr neues WLAN aus. Ihre "
        "Einstellungen und Routinen bleiben erhalten.",
    ),
    LoopCase(
        "es",
        "El dispositivo no se actualiza",
        "Hola, mi {product} lleva dos días diciendo que hay una actualización pero nunca "
        "termina de instalarla. ¿Qué hago?",
        "La actualización se queda parada cuando el dispositivo tiene menos de 500 MB "
        "libres. En la app, ve a Ajustes → Almacenamiento, borra las grabaciones antiguas y "
        "vuelve a pulsar «Actualizar». Mantén el {product} enchufado durante la "
        "instalación; tarda unos diez minutos.",
    ),
)
