"""The Django admin is a superuser's: every role of each of two brands (brand
administrators, staff as they are, included), logged in, tries every registered model
admin (``admin.site._registry``, so a new one is covered without a new test) with its own
brand's and the other brand's ids; every page sends them to the admin's login, and
nothing changes in the database. A superuser still cannot make a row of one brand point
at another brand's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.forms import MultiWidget
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_reply, outbox_of, post_inbound, quick_conversation
from wowdesk.channels.email import services as email
from wowdesk.channels.models import InboundEnvelope
from wowdesk.conversations import services as conversations
from wowdesk.core import services as core
from wowdesk.core.models import Agent, ApiToken, AuditLog, Brand, Membership, Role, Site
from wowdesk.customers import services as customers
from wowdesk.routing import services as routing
from wowdesk.routing.models import ConversationSla, SlaEvent

PASSWORD = "correct-horse-battery-staple"
ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
# Admins of other packages: only a superuser may use them.
FOREIGN_APPS = {"auth", "django_tasks_database"}


@dataclass
class Side:
    brand: Brand
    people: dict[str, Agent]
    rows: dict[type[models.Model], models.Model] = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    shared_site: Site
    shared_agent: Agent  # works for A and B

    def side(self, name: str) -> Side:
        return self.a if name == "a" else self.b

    def other(self, name: str) -> Side:
        return self.b if name == "a" else self.a


def _side(brand: Brand, make_agent: Callable[..., Agent], tag: str) -> Side:
    people = {
        r: make_agent(r, brands=[brand], email=f"{r}-{tag}@example.com", password=PASSWORD)
        for r in ROLES
    }
    conv = quick_conversation(brand, email=f"cust-{tag}@example.com")
    inbox = conversations.create_inbox(brand_id=brand.pk, name=f"Mail {tag}", channel="email")
    team = core.create_team(brand_id=brand.pk, name=f"Team {tag}", member_ids=[people["agent"].pk])
    policy = routing.create_sla_policy(
        brand_id=brand.pk, actor=None, name=f"Fast {tag}", first_response_minutes=60
    )
    now = timezone.now()
    reply = make_reply(conv, people["agent"])
    raw, _new = email.store_raw(
        b"From: a@example.com\r\nSubject: hi\r\n\r\nhello", source="smtp", inbox=inbox
    )
    post_inbound(brand)
    rows: dict[type[models.Model], models.Model] = {
        Brand: brand,
        Site: core.create_site(name=f"Site {tag}", timezone_name="UTC", brand_ids=[brand.pk]),
        Agent: people["agent"],
        type(team): team,
        ApiToken: ApiToken.objects.get(
            pk=_token_id(people["admin"]),
        ),
        type(conv): conv,
        type(conv.customer): conv.customer,
        type(inbox): inbox,
        type(policy): policy,
        type(raw): raw,
        type(reply): reply,
    }
    rows[type(outbox_of(reply))] = outbox_of(reply)
    rows[InboundEnvelope] = InboundEnvelope.objects.filter(brand=brand).first()  # type: ignore[assignment]
    tag_row = conversations.create_tag(brand_id=brand.pk, name=f"tag-{tag}")
    rows[type(tag_row)] = tag_row
    macro = conversations.save_macro(
        None, brand_id=brand.pk, actor=None, name=f"Hi {tag}", body="Hello", language="en"
    )
    rows[type(macro)] = macro
    org = customers.create_organization(brand_id=brand.pk, name=f"Org {tag}")
    rows[type(org)] = org
    mailbox = email.save_mailbox(
        None, inbox=inbox, actor=None, host="imap.example.com", username=f"in-{tag}", port=993
    )
    rows[type(mailbox)] = mailbox
    rows[type(routing._settings(brand.pk))] = routing._settings(brand.pk)
    rows[ConversationSla] = ConversationSla.objects.update_or_create(
        conversation=conv, defaults={"brand": brand, "policy": policy, "target": "first_response"}
    )[0]
    rows[SlaEvent] = SlaEvent.objects.create(
        brand=brand,
        conversation=conv,
        policy=policy,
        target="first_response",
        kind="warning",
        due_at=now,
        at=now,
    )
    alert = core.create_alert(brand.pk, "unroutable", f"Look {tag}")
    rows[type(alert)] = alert
    rows[AuditLog] = AuditLog.objects.filter(brand=brand).first()  # type: ignore[assignment]
    return Side(brand=brand, people=people, rows=rows)


def _token_id(agent: Agent) -> int:
    core.create_token(agent, name="spare")
    return ApiToken.objects.filter(agent=agent, name="spare").get().pk


@pytest.fixture
def world(brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]) -> World:
    a = _side(brand, make_agent, "a")
    b = _side(other_brand, make_agent, "b")
    shared_site = core.create_site(
        name="Shared", timezone_name="UTC", brand_ids=[brand.pk, other_brand.pk]
    )
    shared_agent = make_agent(Role.AGENT, brands=[brand, other_brand], email="both@example.com")
    return World(a=a, b=b, shared_site=shared_site, shared_agent=shared_agent)


def login(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def registered() -> list[tuple[type[models.Model], Any]]:
    return sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)


OWN = [m for m, _a in registered() if m._meta.app_label not in FOREIGN_APPS]
PERSONAS = [(s, r) for s in ("a", "b") for r in ROLES]


def url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every registered model (and memberships), to compare before/after."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model in [*OWN, Membership]:
        out[model._meta.label] = [
            model_to_dict(row) for row in model._default_manager.order_by("pk")
        ]
    return out


# --- every fixture row exists: a new model admin needs a row here ---------------------


def test_every_model_admin_has_a_row_of_each_brand(world: World) -> None:
    for side in (world.a, world.b):
        missing = [m._meta.label for m in OWN if side.rows.get(m) is None]
        assert missing == []


# --- nobody but a superuser gets into the admin ------------------------------------------


@pytest.mark.parametrize(("side", "role"), PERSONAS)
def test_everyone_but_superusers_is_kept_out(world: World, side: str, role: str) -> None:
    person = world.side(side).people[role]
    assert person.user.is_staff == (role == Role.ADMIN)  # brand admins keep their staff flag
    client = login(person)
    before = snapshot()
    assert client.get(reverse("admin:index")).status_code == 302
    for model, _model_admin in registered():
        theirs = world.other(side).rows.get(model)
        mine = world.side(side).rows.get(model)
        for target in (t for t in (mine, theirs) if t is not None):
            for view, args in (
                ("changelist", ()),
                ("add", ()),
                ("change", (target.pk,)),
                ("delete", (target.pk,)),
                ("history", (target.pk,)),
            ):
                response = client.get(url(model, view, *args))
                assert response.status_code == 302, (model, view)
                assert "/admin/login/" in response["Location"]
            for view, args, data in (
                ("change", (target.pk,), {"name": "taken over"}),
                ("delete", (target.pk,), {"post": "yes"}),
                ("add", (), {"name": "forged"}),
                (
                    "changelist",
                    (),
                    {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
                ),
            ):
                response = client.post(url(model, view, *args), data)
                assert response.status_code == 302, (model, view)
                assert "/admin/login/" in response["Location"]
    assert snapshot() == before


@pytest.mark.parametrize(("side", "role"), PERSONAS)
def test_the_admin_login_refuses_everyone_but_superusers(
    world: World, side: str, role: str
) -> None:
    person = world.side(side).people[role]
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": person.user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_superuser_signs_in_and_sees_every_brands_rows(world: World) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    for model in OWN:
        listing = client.get(url(model, "changelist"))
        assert listing.status_code == 200, model
        shown = {r.pk for r in listing.context["cl"].queryset}
        assert {world.a.rows[model].pk, world.b.rows[model].pk} <= shown, model


# --- forged posts: every relation field pointed at the other brand's row -------------


def form_data(response: Any) -> dict[str, Any]:
    """The POST a browser would send for the change form as shown."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name, bound in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            widget = bound.widget
            if isinstance(widget, MultiWidget):
                for i, part in enumerate(widget.decompress(value)):
                    data[f"{key}_{i}"] = "" if part is None else part
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif value is not None:
                data[key] = str(value) if not isinstance(value, dt.date) else value.isoformat()

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            add(form)
    return data


def relation_fields(response: Any) -> list[tuple[str, type[models.Model], bool]]:
    """(POST key, related model, many) for every relation the forms let one choose."""
    out: list[tuple[str, type[models.Model], bool]] = []

    def scan(form: Any) -> None:
        for name, bound in form.fields.items():
            queryset = getattr(bound, "queryset", None)
            if queryset is None or name == "id":
                continue
            out.append(
                (
                    form.add_prefix(name),
                    queryset.model,
                    hasattr(bound, "to_field_name")
                    and bound.__class__.__name__.startswith("ModelMultiple"),
                )
            )

    scan(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        if inline.has_change_permission:  # view-only inlines save nothing
            for form in inline.formset.forms:
                scan(form)
    return out


def other_row(world: World, side: str, model: type[models.Model]) -> models.Model:
    theirs = world.other(side)
    if model is Agent:
        return theirs.people[Role.AGENT]
    row = theirs.rows.get(model)
    assert row is not None, model
    return row


def _errors(response: Any) -> list[str]:
    if response.context is None:
        return []
    out = [str(e) for e in response.context["adminform"].form.errors.values()]
    for inline in response.context.get("inline_admin_formsets", []):
        out += [str(e) for e in inline.formset.errors if e]
        out += [str(e) for e in inline.formset.non_form_errors()]
    return out


def test_a_superuser_cannot_mix_brands_either(world: World) -> None:
    """Choices are not limited for a superuser, but a row still points only at rows of its
    own brand (a conversation's assignee, team and tags; a team's members; ...)."""
    from django.contrib.auth import get_user_model

    from wowdesk.core.admin_scoping import brand_path, is_shared

    root = get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)
    client = login_user(root)
    tried = 0
    for model in OWN:
        path = brand_path(model)
        if path is None or path == "pk" or is_shared(path):
            continue  # rows of several brands (sites, agents) may point at either
        mine = world.a.rows[model]
        page = client.get(url(model, "change", mine.pk))
        assert page.status_code == 200, model
        if not page.context["has_change_permission"]:
            continue
        baseline = form_data(page)
        for key, related, many in relation_fields(page):
            before = snapshot()
            forged = dict(baseline)
            target = other_row(world, "a", related)
            forged[key] = [str(target.pk)] if many else str(target.pk)
            response = client.post(url(model, "change", mine.pk), forged)
            assert response.status_code == 200, (model, key)
            assert snapshot() == before, (model, key)
            tried += 1
    assert tried >= 5


def login_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
