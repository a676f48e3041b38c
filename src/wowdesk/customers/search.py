"""The searchable text of customers (``core.textsearch`` indexes; registered in
``CustomersConfig.ready``, created by this app's migration 0002)."""

from __future__ import annotations

from wowdesk.core.textsearch import TextIndex

CUSTOMER_CONTACT = TextIndex("customers_customer", ("name", "email", "phone"))
IDENTITY_VALUE = TextIndex("customers_identity", ("value",))
