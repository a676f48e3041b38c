from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "wowdesk.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from wowdesk.core import textsearch
        from wowdesk.customers.search import CUSTOMER_CONTACT, IDENTITY_VALUE

        textsearch.register(CUSTOMER_CONTACT, IDENTITY_VALUE)

        from wowdesk.customers import privacy

        privacy.register()
