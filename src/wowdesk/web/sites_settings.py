"""The settings area's sites (/settings/sites/: time zone, opening hours, holidays, brands)
and SLA policies (/settings/sla/). Supervisors of a brand see its sites and policies;
administrators change them (a site: the administrators of every brand it serves)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wowdesk.conversations.models import Priority
from wowdesk.core import permissions, services, weekgrid
from wowdesk.core.errors import ServiceError
from wowdesk.core.kinds import Channel
from wowdesk.core.models import Brand, Role, Site
from wowdesk.core.timetables import DAY_NAMES, ScheduleError
from wowdesk.routing import services as routing
from wowdesk.routing.models import ConversationSla, SlaPolicy
from wowdesk.web.auth import agent_required
from wowdesk.web.people_settings import (
    add_week_fields,
    error_status,
    forbidden,
    me_of,
    schedule_message,
    timezone_choices,
    week_bound,
    week_rows,
)

# --- sites --------------------------------------------------------------------------------


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    country = forms.CharField(
        label=gettext_lazy("Country"),
        max_length=2,
        required=False,
        help_text=gettext_lazy(
            "Two letters (ISO 3166), e.g. DE: its public holidays close the site."
        ),
    )
    subdivision = forms.CharField(
        label=gettext_lazy("Subdivision"),
        max_length=8,
        required=False,
        help_text=gettext_lazy("e.g. BY for Bavaria: its own holidays close the site too."),
    )
    brands = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Brands"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    add_closed = forms.DateField(
        label=gettext_lazy("Add a closed date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    remove_closed = forms.MultipleChoiceField(
        label=gettext_lazy("Remove closed dates"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, brands: list[Brand], closed: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        tz = self.fields["timezone"]
        assert isinstance(tz, forms.ChoiceField)
        tz.choices = timezone_choices()
        field = self.fields["brands"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(b.pk, b.name) for b in brands]
        remove = self.fields["remove_closed"]
        assert isinstance(remove, forms.MultipleChoiceField)
        remove.choices = [(d, d) for d in closed or []]
        add_week_fields(self, "hours")

    def week(self) -> list[forms.BoundField]:
        return week_bound(self, "hours")

    def clean_country(self) -> str:
        value = str(self.cleaned_data.get("country") or "").strip().upper()
        if value and not (len(value) == 2 and value.isalpha()):
            raise forms.ValidationError(_("Two letters, e.g. DE."))
        return value

    def clean_subdivision(self) -> str:
        return str(self.cleaned_data.get("subdivision") or "").strip().upper()


def _site_brand_ids(site: Site) -> set[int]:
    return set(site.brands.values_list("id", flat=True))


def _site(request: HttpRequest, pk: int) -> Site:
    site = Site.objects.filter(pk=pk).first()
    if site is None or not permissions.may_view_site(me_of(request), _site_brand_ids(site)):
        raise Http404(_("No such site."))
    return site


def _admin_brands(request: HttpRequest) -> list[Brand]:
    ids = permissions.brands_with_role(me_of(request), Role.ADMIN)
    return list(Brand.objects.filter(pk__in=ids).order_by("name"))


def holidays_of(site: Site, year: int) -> tuple[list[tuple[dt.date, str]], str]:
    """The public holidays of the site's country in ``year`` and, for a country or
    subdivision without a calendar, the reason there are none."""
    from wowdesk.routing.business_hours import public_holidays

    if not site.country:
        return [], ""
    # names in the UI language where the country's calendar has it, else in English
    languages = ("zh_CN", "en_US") if translation.get_language() == "zh-hans" else ("en_US",)
    try:
        return public_holidays(site.country, site.subdivision or None, year, languages), ""
    except ScheduleError as exc:
        return [], schedule_message(exc)


def _check_calendar(form: SiteForm) -> bool:
    """Whether the country and subdivision have a holiday calendar (else a form error)."""
    from wowdesk.routing.business_hours import public_holidays

    country = form.cleaned_data.get("country") or ""
    if not country:
        return True
    try:
        public_holidays(country, form.cleaned_data.get("subdivision") or None, 2000)
    except ScheduleError as exc:
        field = "subdivision" if "subdiv" in exc.params else "country"
        form.add_error(field, schedule_message(exc))
        return False
    return True


@agent_required(Role.SUPERVISOR)
def sites_page(request: HttpRequest) -> HttpResponse:
    """The sites serving my brands; administrators add one."""
    me = me_of(request)
    brands = _admin_brands(request)
    form = SiteForm(request.POST or None, brands=brands, initial={"timezone": "UTC"})
    status = 200
    if request.method == "POST":
        if not brands:
            return forbidden(request)
        site = _save_site(request, form, None)
        if site is not None:
            flash.success(request, _("Site %(name)s created.") % {"name": site.name})
            return redirect("web:site", pk=site.pk)
        status = 400
    ids = permissions.brands_with_role(me, Role.SUPERVISOR)
    sites = (
        Site.objects.filter(brands__in=ids)
        .distinct()
        .prefetch_related("brands")
        .annotate(agent_count=Count("agents", distinct=True))
        .order_by("name")
    )
    rows = [
        {"site": s, "brands": ", ".join(b.name for b in s.brands.all() if b.pk in ids)}
        for s in sites
    ]
    return render(
        request,
        "web/settings/sites.html",
        {"rows": rows, "form": form if brands else None},
        status=status,
    )


def _save_site(request: HttpRequest, form: SiteForm, site: Site | None) -> Site | None:
    """Create or change a site from a valid form; None (with the errors on the form) if it
    is not."""
    if not form.is_valid() or not _check_calendar(form):
        return None
    data = form.cleaned_data
    try:
        hours = weekgrid.rows_to_hours(week_rows(form, "hours"))
    except ScheduleError as exc:
        form.add_error(None, schedule_message(exc))
        return None
    me = me_of(request)
    brand_ids = set(data["brands"])
    if site is not None:
        # brands it serves that I do not administer stay (only their admins take them away)
        brand_ids |= _site_brand_ids(site) - permissions.brands_with_role(me, Role.ADMIN)
    closed = list(site.closed_dates) if site is not None else []
    closed = [d for d in closed if d not in set(data.get("remove_closed") or [])]
    if data.get("add_closed"):
        closed.append(data["add_closed"].isoformat())
    try:
        with transaction.atomic():
            if site is None:
                site = services.create_site(
                    name=data["name"],
                    timezone_name=data["timezone"],
                    brand_ids=sorted(brand_ids),
                    actor=me,
                )
            services.update_site(
                site,
                actor=me,
                brand_ids=sorted(brand_ids),
                name=data["name"],
                timezone=data["timezone"],
                country=data["country"],
                subdivision=data["subdivision"],
                hours=hours,
                closed_dates=closed,
            )
    except ServiceError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    return site


@agent_required(Role.SUPERVISOR)
def site_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One site: name, time zone, country and subdivision (public holidays), opening hours
    per weekday, extra closed dates and the brands it serves."""
    site = _site(request, pk)
    me = me_of(request)
    may_edit = permissions.may_change_site(me, _site_brand_ids(site))
    brands = _admin_brands(request)
    closed = list(site.closed_dates)
    status = 200
    if request.method == "POST":
        if not may_edit:
            return forbidden(request)
        form = SiteForm(request.POST, brands=brands, closed=closed)
        if _save_site(request, form, site) is not None:
            flash.success(request, _("Site %(name)s saved.") % {"name": site.name})
            return redirect("web:site", pk=site.pk)
        status = 400
    else:
        initial: dict[str, Any] = {
            "name": site.name,
            "timezone": site.timezone,
            "country": site.country,
            "subdivision": site.subdivision,
            "brands": sorted(_site_brand_ids(site)),
        }
        try:
            rows = weekgrid.hours_to_rows(site.hours)
        except (ScheduleError, ValueError, TypeError):
            rows = [""] * 7
        for day, row in zip(DAY_NAMES, rows, strict=True):
            initial[f"hours_{day}"] = row
        form = SiteForm(initial=initial, brands=brands, closed=closed)
    year = timezone.localdate().year
    holidays, holiday_error = holidays_of(site, year)
    return render(
        request,
        "web/settings/site.html",
        {
            "site": site,
            "form": form,
            "may_edit": may_edit,
            "year": year,
            "holidays": holidays,
            "holiday_error": holiday_error,
            "closed_dates": closed,
        },
        status=status,
    )


# --- SLA policies -------------------------------------------------------------------------


class DurationWidget(forms.MultiWidget):
    """Hours and minutes as two number inputs."""

    template_name = "web/settings/_duration.html"

    def __init__(self) -> None:
        super().__init__(
            [
                forms.NumberInput(attrs={"min": 0, "max": 9999, "class": "hours"}),
                forms.NumberInput(attrs={"min": 0, "max": 59, "class": "minutes"}),
            ]
        )

    def decompress(self, value: Any) -> list[Any]:
        if value in (None, ""):
            return [None, None]
        hours, minutes = divmod(int(value), 60)
        return [hours, minutes]


class DurationField(forms.MultiValueField):
    """A duration written as hours and minutes, cleaned to minutes (None when both are
    empty)."""

    widget = DurationWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.IntegerField(min_value=0, max_value=9999),
            forms.IntegerField(min_value=0, max_value=59),
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> int | None:
        if not data_list or all(v in (None, "") for v in data_list):
            return None
        hours, minutes = (int(v or 0) for v in [*data_list, 0, 0][:2])
        return hours * 60 + minutes


class SlaForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    first_response_minutes = DurationField(label=gettext_lazy("First response within"))
    next_response_minutes = DurationField(
        label=gettext_lazy("Next response within"), required=False
    )
    resolution_minutes = DurationField(label=gettext_lazy("Resolution within"), required=False)
    business_hours = forms.BooleanField(
        label=gettext_lazy("Count business hours only"),
        required=False,
        help_text=gettext_lazy(
            "Only the opening hours of the handling site count, without holidays."
        ),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        priority = self.fields["priority"]
        assert isinstance(priority, forms.ChoiceField)
        priority.choices = [("", _("Any priority")), *Priority.choices]
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ChoiceField)
        channel.choices = [("", _("Any channel")), *Channel.choices]

    def clean_first_response_minutes(self) -> int:
        value = self.cleaned_data.get("first_response_minutes")
        if not value:
            raise forms.ValidationError(_("A policy needs a first response target."))
        return int(value)


class NewSlaForm(SlaForm):
    brand = forms.TypedChoiceField(label=gettext_lazy("Brand"), coerce=int)

    field_order = ["brand", "name"]

    def __init__(self, *args: Any, brands: list[Brand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["brand"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(b.pk, b.name) for b in brands]


POLICY_FIELDS = (
    "name",
    "priority",
    "channel",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "business_hours",
    "is_active",
)


def minutes_label(minutes: int | None) -> str:
    """``90`` → ``"1 h 30 min"``."""
    if minutes is None:
        return "—"
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": rest}


def _policy(request: HttpRequest, pk: int) -> SlaPolicy:
    policy = SlaPolicy.objects.filter(
        pk=pk, brand_id__in=permissions.brands_with_role(me_of(request), Role.SUPERVISOR)
    ).first()
    if policy is None:
        raise Http404(_("No such SLA policy."))
    return policy


def _policy_rows(request: HttpRequest) -> list[dict[str, Any]]:
    me = me_of(request)
    ids = permissions.brands_with_role(me, Role.SUPERVISOR)
    admin_of = permissions.brands_with_role(me, Role.ADMIN)
    policies = SlaPolicy.objects.filter(brand_id__in=ids).select_related("brand")
    counts = dict(
        ConversationSla.objects.filter(policy__in=policies)
        .values("policy")
        .annotate(n=Count("pk"))
        .values_list("policy", "n")
    )
    return [
        {
            "policy": p,
            "count": counts.get(p.pk, 0),
            "first": minutes_label(p.first_response_minutes),
            "next": minutes_label(p.next_response_minutes),
            "resolution": minutes_label(p.resolution_minutes),
            "may_edit": p.brand_id in admin_of,
        }
        for p in policies.order_by("brand__name", "position", "id")
    ]


@agent_required(Role.SUPERVISOR)
def sla_page(request: HttpRequest) -> HttpResponse:
    """SLA policies per brand with how many conversations each one's clock runs on;
    administrators add them."""
    brands = _admin_brands(request)
    form = NewSlaForm(
        request.POST or None,
        brands=brands,
        initial={"business_hours": True, "is_active": True, "first_response_minutes": 60},
    )
    status = 200
    if request.method == "POST":
        if not brands:
            return forbidden(request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    policy = routing.create_sla_policy(
                        brand_id=data["brand"],
                        actor=me_of(request),
                        **{k: data[k] for k in POLICY_FIELDS},
                    )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = error_status(exc)
            else:
                flash.success(request, _("SLA policy %(name)s created.") % {"name": policy.name})
                return redirect("web:sla")
        else:
            status = 400
    return render(
        request,
        "web/settings/sla.html",
        {"rows": _policy_rows(request), "form": form if brands else None},
        status=status,
    )


@agent_required(Role.SUPERVISOR)
def sla_policy_page(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    may_edit = permissions.has_role_in(me_of(request), Role.ADMIN, policy.brand_id)
    status = 200
    if request.method == "POST":
        if not may_edit:
            return forbidden(request)
        form = SlaForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    routing.update_sla_policy(
                        policy,
                        actor=me_of(request),
                        **{k: form.cleaned_data[k] for k in POLICY_FIELDS},
                    )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = error_status(exc)
            else:
                flash.success(request, _("SLA policy %(name)s saved.") % {"name": policy.name})
                return redirect("web:sla-policy", pk=policy.pk)
        else:
            status = 400
    else:
        form = SlaForm(initial={k: getattr(policy, k) for k in POLICY_FIELDS})
    count = ConversationSla.objects.filter(policy=policy).count()
    return render(
        request,
        "web/settings/sla_policy.html",
        {"policy": policy, "form": form, "may_edit": may_edit, "count": count},
        status=status,
    )


@require_POST
@agent_required(Role.SUPERVISOR)
def sla_policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    if not permissions.has_role_in(me_of(request), Role.ADMIN, policy.brand_id):
        return forbidden(request)
    name = policy.name
    with transaction.atomic():
        routing.delete_sla_policy(policy, actor=me_of(request))
    flash.success(request, _("SLA policy %(name)s deleted.") % {"name": name})
    return redirect("web:sla")
