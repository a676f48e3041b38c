from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "wowdesk.customers"
    label = "customers"
    verbose_name = "Customers"
