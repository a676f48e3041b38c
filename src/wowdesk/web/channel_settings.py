"""The settings pages for tags (/settings/tags/) and macros (/settings/macros/), for
supervisors and administrators of a brand. Every write goes through
``conversations.services``; brand scoping through ``core.permissions``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wowdesk.conversations import services
from wowdesk.conversations.models import Macro, Priority, Status, Tag
from wowdesk.core import permissions
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role, Team
from wowdesk.intelligence.translation import LANGUAGE_NAMES
from wowdesk.web import macro_actions
from wowdesk.web.auth import agent_required
from wowdesk.web.fields import CHECKBOX_CHOICES

EXTRA_VARIANT_ROWS = 2


def _me(request: HttpRequest) -> Agent:
    agent: Agent = request.agent  # type: ignore[attr-defined]
    return agent


def _brand_ids(request: HttpRequest) -> set[int]:
    return permissions.brands_with_role(_me(request), Role.SUPERVISOR)


def _brands(request: HttpRequest) -> list[Brand]:
    return list(Brand.objects.filter(id__in=_brand_ids(request)).order_by("name"))


def _status(exc: ServiceError) -> int:
    return 400 if exc.status == 422 else exc.status


# --- tags -----------------------------------------------------------------------------


class TagForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    color = forms.CharField(
        label=gettext_lazy("Color"),
        max_length=7,
        initial="#6b7280",
        widget=forms.TextInput(attrs={"type": "color"}),
    )


class NewTagForm(TagForm):
    brand = forms.TypedChoiceField(label=gettext_lazy("Brand"), coerce=int)

    def __init__(self, *args: Any, brands: list[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["brand"]
        assert isinstance(choice, forms.TypedChoiceField)
        choice.choices = [(b.pk, b.name) for b in brands]


def _tag(request: HttpRequest, pk: int) -> Tag:
    """One of my brands' tags (as supervisor or admin); anything else is not found."""
    tag = Tag.objects.filter(pk=pk, brand_id__in=_brand_ids(request)).first()
    if tag is None:
        raise Http404(_("No such tag."))
    return tag


def _tags_page(
    request: HttpRequest, form: NewTagForm, status: int = 200, error: str = ""
) -> HttpResponse:
    tags = (
        Tag.objects.filter(brand_id__in=_brand_ids(request))
        .select_related("brand")
        .annotate(uses=Count("conversations"))
        .order_by("brand__name", "name")
    )
    return render(
        request,
        "web/settings/tags.html",
        {"form": form, "tags": tags, "error": error},
        status=status,
    )


@agent_required(Role.SUPERVISOR)
def tags_page(request: HttpRequest) -> HttpResponse:
    brands = _brands(request)
    if request.method != "POST":
        return _tags_page(request, NewTagForm(brands=brands))
    form = NewTagForm(request.POST, brands=brands)
    if not form.is_valid():
        return _tags_page(request, form, status=400)
    data = form.cleaned_data
    try:
        permissions.require_role(_me(request), Role.SUPERVISOR, data["brand"])
        with transaction.atomic():
            services.create_tag(
                brand_id=data["brand"], name=data["name"], color=data["color"], actor=_me(request)
            )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _tags_page(request, form, status=_status(exc))
    flash.success(request, _("Tag created."))
    return redirect("web:tags")


@require_POST
@agent_required(Role.SUPERVISOR)
def tag_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tag = _tag(request, pk)
    form = TagForm(request.POST)
    if not form.is_valid():
        reasons = "; ".join(
            f"{form.fields[k].label}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()
        )
        return _tags_page(request, NewTagForm(brands=_brands(request)), 400, reasons)
    try:
        with transaction.atomic():
            tag = services.rename_tag(tag, name=form.cleaned_data["name"], actor=_me(request))
            services.update_tag(tag, actor=_me(request), color=form.cleaned_data["color"])
    except ServiceError as exc:
        return _tags_page(request, NewTagForm(brands=_brands(request)), _status(exc), exc.message)
    flash.success(request, _("Tag saved."))
    return redirect("web:tags")


@require_POST
@agent_required(Role.SUPERVISOR)
def tag_merge(request: HttpRequest, pk: int) -> HttpResponse:
    source = _tag(request, pk)
    try:
        into_id = int(request.POST.get("into", ""))
    except ValueError:
        into_id = 0
    into = Tag.objects.filter(pk=into_id, brand_id=source.brand_id).first()
    if into is None:
        message = _("Choose a tag of the same brand to merge into.")
        return _tags_page(request, NewTagForm(brands=_brands(request)), 400, message)
    try:
        with transaction.atomic():
            services.merge_tags(source, into, actor=_me(request))
    except ServiceError as exc:
        return _tags_page(request, NewTagForm(brands=_brands(request)), _status(exc), exc.message)
    flash.success(request, _("%(a)s merged into %(b)s.") % {"a": source.name, "b": into.name})
    return redirect("web:tags")


@require_POST
@agent_required(Role.SUPERVISOR)
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tag = _tag(request, pk)
    with transaction.atomic():
        services.delete_tag(tag, actor=_me(request))
    flash.success(request, _("Tag deleted."))
    return redirect("web:tags")


# --- macros ---------------------------------------------------------------------------


def language_choices() -> list[tuple[str, str]]:
    """Languages a macro text may be written for ("" = when no other variant fits)."""
    out = [("", _("Any language (fallback)"))]
    for code, english in sorted(LANGUAGE_NAMES.items()):
        try:
            name = str(get_language_info(code)["name_translated"])
        except KeyError:
            name = english
        out.append((code, f"{name} ({code})"))
    return out


@dataclass
class MacroGroup:
    """A macro as the page shows it: one name, its variants (rows), shared actions."""

    brand: Brand
    name: str
    pk: int
    languages: list[str] = field(default_factory=list)
    actions: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)


def _summary(actions: dict[str, Any], teams: dict[int, str]) -> list[str]:
    """A macro's actions in words, for the list."""
    out = []
    if actions.get("status") in Status.values:
        out.append(_("Status: %(v)s") % {"v": Status(actions["status"]).label})
    if actions.get("priority") in Priority.values:
        out.append(_("Priority: %(v)s") % {"v": Priority(actions["priority"]).label})
    if actions.get("tags"):
        out.append(_("Tags: %(v)s") % {"v": ", ".join(map(str, actions["tags"]))})
    if actions.get("team_id") in teams:
        out.append(_("Team: %(v)s") % {"v": teams[actions["team_id"]]})
    if actions.get("assign_to_me"):
        out.append(_("Assign to me"))
    for key, value in (actions.get("custom_fields") or {}).items():
        out.append(f"{key}: {macro_actions.shown(value)}")
    return out


def _groups(brand_ids: set[int]) -> list[MacroGroup]:
    groups: dict[tuple[int, str], MacroGroup] = {}
    rows = Macro.objects.filter(brand_id__in=brand_ids).select_related("brand")
    for m in rows.order_by("brand__name", "name", "language", "id"):
        group = groups.get((m.brand_id, m.name))
        if group is None:
            group = groups[(m.brand_id, m.name)] = MacroGroup(
                m.brand, m.name, m.pk, actions=m.actions or {}
            )
        group.languages.append(m.language or "*")
    teams = dict(Team.objects.filter(brand_id__in=brand_ids).values_list("id", "name"))
    for group in groups.values():
        group.summary = _summary(group.actions, teams)
    return list(groups.values())


@agent_required(Role.SUPERVISOR)
def macros_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/settings/macros.html", {"groups": _groups(_brand_ids(request))})


def _macro(request: HttpRequest, pk: int) -> Macro:
    macro = Macro.objects.filter(pk=pk, brand_id__in=_brand_ids(request)).first()
    if macro is None:
        raise Http404(_("No such macro."))
    return macro


def _variant_rows(post: Any) -> list[tuple[str, str]]:
    languages = post.getlist("language")
    bodies = post.getlist("body")
    rows = []
    for language, body in zip(languages, bodies, strict=False):
        if not body.strip():
            continue
        rows.append((language.strip(), body))
    return rows


def _actions(post: Any, brand_id: int = 0) -> dict[str, Any]:
    team = post.get("team_id", "")
    return {
        "status": post.get("status", ""),
        "priority": post.get("priority", ""),
        "tags": post.getlist("tags"),
        "team_id": int(team) if team.isdigit() else None,
        "assign_to_me": post.get("assign_to_me") == "on",
        "custom_fields": macro_actions.custom_field_actions(post, brand_id),
    }


def _macro_form(
    request: HttpRequest,
    *,
    brand: Brand | None,
    name: str,
    variants: list[tuple[str, str]],
    actions: dict[str, Any],
    macro: Macro | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    brand_ids = [brand.pk] if brand is not None else sorted(_brand_ids(request))
    rows = [*variants, *[("", "")] * EXTRA_VARIANT_ROWS]
    return render(
        request,
        "web/settings/macro.html",
        {
            "macro": macro,
            "brand": brand,
            "brands": _brands(request),
            "name": name,
            "rows": rows,
            "actions": actions,
            "languages": language_choices(),
            "statuses": Status.choices,
            "priorities": Priority.choices,
            "tags": Tag.objects.filter(brand_id__in=brand_ids).select_related("brand"),
            "teams": Team.objects.filter(brand_id__in=brand_ids).select_related("brand"),
            "variables": services.MACRO_VARIABLE_NAMES,
            "field_rows": macro_actions.custom_field_rows(
                Brand.objects.filter(pk__in=brand_ids).order_by("name"), actions
            ),
            "checkbox_choices": CHECKBOX_CHOICES,
            "errors": errors or {},
        },
        status=status,
    )


def _save_macro(request: HttpRequest, brand_id: int, macro: Macro | None) -> HttpResponse:
    name = request.POST.get("name", "")
    variants = _variant_rows(request.POST)
    actions = _actions(request.POST, brand_id)
    brand = Brand.objects.filter(pk=brand_id).first()
    try:
        permissions.require_role(_me(request), Role.SUPERVISOR, brand_id)
        with transaction.atomic():
            rows = services.save_macro_variants(
                brand_id=brand_id,
                name=name,
                variants=variants,
                actions=actions,
                actor=_me(request),
                old_name=macro.name if macro is not None else None,
            )
    except ServiceError as exc:
        return _macro_form(
            request,
            brand=brand if macro is not None else None,
            name=name,
            variants=variants,
            actions=actions,
            macro=macro,
            errors={exc.field or "form": exc.message},
            status=_status(exc),
        )
    flash.success(request, _("Macro saved."))
    return redirect("web:macro", pk=rows[0].pk)


@agent_required(Role.SUPERVISOR)
def macro_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _macro_form(request, brand=None, name="", variants=[], actions={}, macro=None)
    try:
        brand_id = int(request.POST.get("brand", ""))
    except ValueError:
        brand_id = 0
    if brand_id not in _brand_ids(request):
        return _macro_form(
            request,
            brand=None,
            name=request.POST.get("name", ""),
            variants=_variant_rows(request.POST),
            actions=_actions(request.POST),
            macro=None,
            errors={"brand": _("Choose one of your brands.")},
            status=400,
        )
    return _save_macro(request, brand_id, None)


@agent_required(Role.SUPERVISOR)
def macro_edit(request: HttpRequest, pk: int) -> HttpResponse:
    macro = _macro(request, pk)
    if request.method == "POST":
        return _save_macro(request, macro.brand_id, macro)
    variants = list(
        Macro.objects.filter(brand_id=macro.brand_id, name=macro.name)
        .order_by("language", "id")
        .values_list("language", "body")
    )
    return _macro_form(
        request,
        brand=macro.brand,
        name=macro.name,
        variants=variants,
        actions=macro.actions or {},
        macro=macro,
    )


@require_POST
@agent_required(Role.SUPERVISOR)
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    macro = _macro(request, pk)
    with transaction.atomic():
        for row in Macro.objects.filter(brand_id=macro.brand_id, name=macro.name):
            services.delete_macro(row, actor=_me(request))
    flash.success(request, _("Macro deleted."))
    return redirect("web:macros")
