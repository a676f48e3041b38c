"""The brand wall in the Django admin.

An editor uses the admin only for the brands where their role is admin
(``permissions.brands_with_role``); a superuser for every brand. For every model admin
and inline built on these classes:

- lists and change forms show only rows of those brands (others are "not found");
- every foreign key and many-to-many offers only rows of those brands, raw-id fields
  included, and a posted id outside them is a form error;
- the rows one object points at all belong to the object's own brand (a conversation's
  customer, assignee, team and tags; a team's members; an identity's customer), also for
  a superuser;
- a row that also belongs to a brand the editor does not administer (a shared site, an
  agent who also works elsewhere) cannot be changed beyond what is the editor's own;
- saves and deletes go through the owning app's services (``service_save`` /
  ``service_delete``); the service is asked first inside a savepoint that is rolled back,
  so what it refuses becomes a form error and nothing is written;
- a model admin without ``service_save`` cannot add or change, one without
  ``service_delete`` cannot delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.filters import RelatedOnlyFieldListFilter
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent, Brand, Role

# How a model reaches its brand, for models that have no ``brand`` field themselves.
_VIA = ("inbox", "conversation", "customer", "agent")


def brand_path(model: type[models.Model]) -> str | None:
    """The lookup from a model to its brand ids: ``pk`` for Brand, ``brand_id``, a path
    through a foreign key (``inbox__brand_id``) or through brands (``brands__id``)."""
    if model is Brand:
        return "pk"
    if model is get_user_model():
        return "agent__brands__id"
    fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
    brand = fields.get("brand")
    if brand is not None and getattr(brand, "related_model", None) is Brand:
        return "brand_id"
    brands = fields.get("brands")
    if brands is not None and brands.many_to_many and brands.related_model is Brand:
        return "brands__id"
    for name in _VIA:
        field = fields.get(name)
        related = getattr(field, "related_model", None)
        if field is not None and field.many_to_one and isinstance(related, type):
            sub = brand_path(related)
            if sub is not None and sub != "pk":
                return f"{name}__{sub}"
    return None


def is_shared(path: str) -> bool:
    """Whether rows of a model can belong to several brands (sites, agents)."""
    return "brands__" in path


def brands_of(obj: models.Model) -> set[int]:
    """The brands a row belongs to (an unsaved row: from its foreign keys as set)."""
    path = brand_path(type(obj))
    if path is None:
        return set()
    if path == "pk":
        return {obj.pk} if obj.pk is not None else set()
    if is_shared(path):
        if obj.pk is None:
            return set()
        values = type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True)
        return {v for v in values if v is not None}
    current: Any = obj
    parts = path.split("__")
    for part in parts[:-1]:
        current = getattr(current, part, None)
        if current is None:
            return set()
    value = getattr(current, parts[-1], None)
    return {value} if value is not None else set()


def editor(request: HttpRequest) -> Agent | None:
    """The agent behind the admin session (None for a user who is no agent)."""
    cached = getattr(request, "_wall_editor", False)
    if cached is False:
        user: Any = request.user
        cached = (
            Agent.objects.select_related("user").filter(user=user).first()
            if user.is_authenticated
            else None
        )
        request._wall_editor = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def admin_brand_ids(request: HttpRequest) -> set[int] | None:
    """The brands the editor administers; None means every brand (a superuser)."""
    user: Any = request.user
    if user.is_active and user.is_superuser:
        return None
    agent = editor(request)
    if agent is None or not agent.is_active or not user.is_active:
        return set()
    from wowdesk.core.permissions import brands_with_role

    return brands_with_role(agent, Role.ADMIN)


def brand_ids_for(request: HttpRequest) -> set[int] | None:
    """Kept for callers that scope by the editor's admin brands (None = all)."""
    return admin_brand_ids(request)


def limit_to_brands(
    queryset: QuerySet[Any], ids: set[int] | None, path: str | None = None
) -> QuerySet[Any]:
    """Rows of ``queryset`` that belong to one of ``ids`` (all when ids is None); rows of
    models that belong to no brand at all are offered to a superuser only."""
    if ids is None:
        return queryset
    path = path or brand_path(queryset.model)
    if path is None:
        return queryset.none()
    if path == "pk":
        return queryset.filter(pk__in=ids)
    qs = queryset.filter(**{f"{path}__in": ids})
    return qs.distinct() if is_shared(path) else qs


def within(ids: set[int] | None, target: models.Model) -> bool:
    """Whether the editor may point at ``target``: a row of one of their brands (a shared
    row: of at least one)."""
    if ids is None:
        return True
    path = brand_path(type(target))
    if path is None:
        return False
    found = brands_of(target)
    if is_shared(path):
        return bool(found & ids)
    return bool(found) and found <= ids


def fully_within(ids: set[int] | None, obj: models.Model) -> bool:
    """Whether every brand the row belongs to is one the editor administers."""
    return ids is None or brands_of(obj) <= ids


def _targets(value: Any) -> list[models.Model]:
    if isinstance(value, models.Model):
        return [value]
    if isinstance(value, QuerySet | list | tuple | set):
        return [v for v in value if isinstance(v, models.Model)]
    return []


def _object_brand(form: forms.ModelForm[Any]) -> set[int]:
    """The brand of the row being edited, as the form would leave it."""
    model = form._meta.model
    path = brand_path(model)
    if path is None or is_shared(path) or path == "pk":
        return set()
    first = path.split("__", 1)[0]
    relation = first.removesuffix("_id")
    chosen = form.cleaned_data.get(relation)
    if isinstance(chosen, models.Model):
        return brands_of(chosen) if relation != "brand" else {chosen.pk}
    return brands_of(form.instance)


def check_wall(
    form: forms.ModelForm[Any], request: HttpRequest, own_brand_free: Iterable[str] = ()
) -> None:
    """Form errors for every relation that leaves the editor's brands or the object's own
    brand (see the module's doc); ``own_brand_free`` fields may point at rows of other
    brands of the editor's (a membership's agent)."""
    ids = admin_brand_ids(request)
    own = _object_brand(form)
    if ids is not None and own and not own <= ids:
        form.add_error(None, _("This belongs to a brand you do not administer."))
    model = form._meta.model
    for name, value in list(form.cleaned_data.items()):
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        if not field.is_relation:
            continue
        for target in _targets(value):
            path = brand_path(type(target))
            if ids is not None and not within(ids, target):
                _error(form, name, _("Choose a row of a brand you administer."))
                break
            if path is None or not own or name in own_brand_free:
                continue
            if type(target) is Brand and name != "brand":
                continue
            found = {target.pk} if path == "pk" else brands_of(target)
            if not own & found:
                _error(form, name, _("Choose a row of this object's own brand."))
                break


def _error(form: forms.BaseForm, name: str, message: str) -> None:
    if name in form.fields and name not in form.errors:
        form.add_error(name, message)
    elif name not in form.fields:
        form.add_error(None, message)


class _DryRun(Exception):
    """Rolls back the service's trial run."""


def _wall_form(base: type[forms.ModelForm[Any]], request: HttpRequest, owner: Any) -> Any:
    """A subclass of ``base`` whose validation checks the brand wall and asks the owner's
    service (rolled back) whether it would accept the row."""

    def clean(self: Any) -> Any:
        cleaned = base.clean(self)
        check_wall(self, request, getattr(owner, "own_brand_free", ()))
        return cleaned

    def _post_clean(self: Any) -> None:
        base._post_clean(self)  # type: ignore[attr-defined]
        trial = getattr(owner, "service_save", None)
        if self.errors or trial is None or (not self.has_changed() and self.instance.pk):
            return
        try:
            with transaction.atomic():
                trial(request, self.instance, self, self.instance.pk is not None, trial=True)
                raise _DryRun
        except _DryRun:
            pass
        except IntegrityError:
            self.add_error(None, _("This clashes with a row that exists."))
        except ServiceError as exc:
            field = owner.error_fields.get(exc.field, exc.field) if exc.field else None
            if field:
                _error(self, field, exc.message)
            else:
                self.add_error(None, exc.message)

    return type(base.__name__, (base,), {"clean": clean, "_post_clean": _post_clean})


class BrandWallMixin:
    """What model admins and inlines share: choices limited to the editor's brands, and
    the wall checked again on every posted form."""

    # The service's field names (``site_id``) → the form's (``site``).
    error_fields: dict[str, str] = {}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            base = db_field.related_model._default_manager.all()
            kwargs["queryset"] = limit_to_brands(base, admin_brand_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            base = db_field.related_model._default_manager.all()
            kwargs["queryset"] = limit_to_brands(base, admin_brand_ids(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class BrandScopedAdmin(BrandWallMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """A model admin behind the brand wall (see the module's doc)."""

    brand_field: str | None = None  # overrides brand_path(model) for the list

    def _path(self) -> str | None:
        return self.brand_field or brand_path(self.model)

    # --- what is visible ---------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return limit_to_brands(qs, admin_brand_ids(request), self._path())

    def get_list_filter(self, request: HttpRequest) -> Any:
        out: list[Any] = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                try:
                    field = self.model._meta.get_field(item)
                except Exception:
                    field = None
                if field is not None and field.is_relation:
                    out.append((item, RelatedOnlyFieldListFilter))
                    continue
            out.append(item)
        return out

    def _behind_wall(self, request: HttpRequest) -> bool:
        ids = admin_brand_ids(request)
        return ids is None or bool(ids)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._behind_wall(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._behind_wall(request):
            return False
        if obj is not None and not within(admin_brand_ids(request), obj):
            return False
        return super().has_view_permission(request, obj)

    # --- what may change ---------------------------------------------------------------

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        """Whether this row may be changed by the editor (default: it belongs only to
        brands they administer)."""
        return fully_within(admin_brand_ids(request), obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if not hasattr(self, "service_save") or not self._behind_wall(request):
            return False
        return super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not hasattr(self, "service_save") or not self._behind_wall(request):
            return False
        if obj is not None and not (
            within(admin_brand_ids(request), obj) and self.may_change(request, obj)
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not hasattr(self, "service_delete") or not self._behind_wall(request):
            return False
        if obj is not None and not (
            within(admin_brand_ids(request), obj) and self.may_change(request, obj)
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        # A row never moves to another brand: everything it points at stays behind.
        if obj is not None and self._path() == "brand_id" and "brand" not in fields:
            fields.append("brand")
        return fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return _wall_form(form, request, self)

    # --- saving through the services ---------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.service_save(request, obj, form, change, trial=False)  # type: ignore[attr-defined]
        if saved is not None and saved is not obj:
            obj.pk = saved.pk
            obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many fields were saved by the service; inlines save through theirs.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inlines are read-only unless the model admin saves them through a service."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.service_delete(request, obj)  # type: ignore[attr-defined]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            if self.has_delete_permission(request, obj):
                self.service_delete(request, obj)  # type: ignore[attr-defined]

    def actor(self, request: HttpRequest) -> Agent | None:
        return editor(request)


class BrandScopedInline(BrandWallMixin, admin.TabularInline):  # type: ignore[type-arg]
    """An inline behind the brand wall; read-only unless it defines ``service_save``."""

    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _wall_form(formset.form, request, self)
        return formset

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return hasattr(self, "service_save") and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return hasattr(self, "service_save") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return hasattr(self, "service_delete") and super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return limit_to_brands(super().get_queryset(request), admin_brand_ids(request))


def changed_values(form: Any, names: Iterable[str]) -> dict[str, Any]:
    """The cleaned values of the fields among ``names`` that the form shows."""
    return {n: form.cleaned_data[n] for n in names if n in form.cleaned_data}


def pk_of(value: Any) -> int | None:
    return value.pk if isinstance(value, models.Model) else value
