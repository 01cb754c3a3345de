"""Pieces every app's admin shares: hub scoping, read-only reference data, CSV export and
each object's audit trail behind its "History" link.

Hub staff run their hub from the Django admin, so every hub-owned ModelAdmin limits rows,
permissions and form choices to the user's hubs here, asking ``core.scoping`` and
nothing else. Objects of another hub are left out of the queryset, so the admin treats them as
not found rather than forbidden.

Each model says how it reaches its hub (``hub_path``), so this module imports no models and
every app may use it.
"""

from __future__ import annotations

import functools
from urllib.parse import unquote

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst, slugify

from core import scoping
from core.csv import csv_response


def hub_id_of(obj, hub_path: str) -> int | None:
    """The id of the hub ``obj`` belongs to, following ``hub_path`` (``"pk"`` for a hub)."""
    *steps, last = hub_path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id", None)


def scope_choices(queryset, user):
    """Limit a queryset of related objects to the user's hubs, when its model is hub-owned."""
    return scoping.visible(queryset, user)


class RulesPermissionsMixin:
    """Admin permissions decided by ``core.scoping`` instead of Django's model permissions.

    The national team may do everything; hub staff may do what ``hub_staff_may_edit`` allows.
    """

    hub_staff_may_edit = True

    def may_edit(self, request, obj=None) -> bool:
        if not scoping.can_use_admin(request.user):
            return False
        return scoping.is_national(request.user) or self.hub_staff_may_edit

    def has_module_permission(self, request):
        return scoping.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return scoping.can_use_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request, obj)


class AuditHistoryMixin(AuditlogHistoryAdminMixin):
    """The change page's "History" shows the object's audit trail (``core.audit``): who changed
    what and when, each field before and after, and the reason given.

    The object is found through ``get_object``, so the admin's queryset and view permission
    decide whose trail a user sees: another hub's object is "not found", as its change page is.
    """

    auditlog_history_template = "admin/audit_history.html"
    auditlog_history_per_page = 25

    def history_view(self, request, object_id, extra_context=None):
        return self.auditlog_history_view(request, object_id, extra_context)

    def auditlog_history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().auditlog_history_view(request, object_id, extra_context)


class HubScopedMixin(RulesPermissionsMixin):
    """Rows, permissions and choices limited to the user's hubs, by the model's ``hub_path``."""

    def get_queryset(self, request):
        return scoping.visible(super().get_queryset(request), request.user)

    def may_manage(self, request, obj) -> bool:
        if obj is None:
            return True
        path = scoping.hub_path_of(type(obj))
        if path is None:  # a model that does not say how it reaches its hub: national only
            return scoping.is_national(request.user)
        return scoping.can_manage_hub(request.user, hub_id_of(obj, path))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_manage(request, obj)

    def may_edit(self, request, obj=None) -> bool:
        return super().may_edit(request, obj) and self.may_manage(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self._scoped_choices(db_field, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", self._scoped_choices(db_field, request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scoped_choices(self, db_field, request):
        queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.all()
        return scope_choices(queryset, request.user)


class HubScopedAdmin(AuditHistoryMixin, HubScopedMixin, admin.ModelAdmin):
    """Base for every hub-owned ModelAdmin (its model says how it reaches its hub).

    Choosing another hub (or its group, session, place or LLME) fails the form's validation,
    because every such choice is limited to the user's hubs.
    """

    actions = ["export_as_csv"]

    @admin.action(description="Export selected as CSV")
    def export_as_csv(self, request, queryset):
        return export_as_csv(self, request, queryset)


class HubScopedInline(HubScopedMixin):
    """An inline of a hub-owned parent: allowed when the parent's hub is the user's.

    Inline permission methods receive the parent object, which ``may_manage`` follows to its hub
    just as it follows the inline's own rows.
    """

    extra = 0


class ReferenceDataAdmin(AuditHistoryMixin, RulesPermissionsMixin, admin.ModelAdmin):
    """Shared reference data: every admin user may read it, only the national team edits it."""

    hub_staff_may_edit = False
    actions = ["export_as_csv"]

    @admin.action(description="Export selected as CSV")
    def export_as_csv(self, request, queryset):
        return export_as_csv(self, request, queryset)


class NationalOnlyAdmin(AuditHistoryMixin, RulesPermissionsMixin, admin.ModelAdmin):
    """Only the national team sees these (national reports)."""

    def has_module_permission(self, request):
        return scoping.can_use_admin(request.user) and scoping.is_national(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


# CSV export -------------------------------------------------------------------------------


def csv_columns(model_admin, request) -> list[str]:
    """The list page's columns, or the admin's own ``csv_fields`` where it sets them."""
    names = getattr(model_admin, "csv_fields", None) or model_admin.get_list_display(request)
    return [name for name in names if name not in ("action_checkbox", "__str__")] or ["__str__"]


def _column_value(name: str, obj, model_admin):
    try:
        field, _, value = lookup_field(name, obj, model_admin)
    except (AttributeError, FieldDoesNotExist, ObjectDoesNotExist):
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        return dict(field.flatchoices).get(value, value)
    return value


def export_as_csv(model_admin, request, queryset) -> HttpResponse:
    """The selected rows as a CSV file, with the list page's columns."""
    columns = csv_columns(model_admin, request)
    opts = model_admin.model._meta
    filename = f"{slugify(opts.verbose_name_plural)}-{timezone.localdate().isoformat()}.csv"
    label = functools.partial(label_for_field, model=model_admin.model, model_admin=model_admin)
    header = [capfirst(label(name)) for name in columns]
    rows = ([_column_value(name, obj, model_admin) for name in columns] for obj in queryset)
    return csv_response(filename, header, rows)


class MathsHubAdminSite(admin.AdminSite):
    """The admin for hub staff and the national team: anyone else is sent to sign in."""

    site_header = "Maths Hubs CPD administration"
    site_title = "Maths Hubs CPD"
    index_title = "Run your hub"

    def has_permission(self, request):
        return scoping.can_use_admin(request.user)

    def index(self, request, extra_context=None):
        """The first page: what waits for this person, then the hub's data."""
        from core.admin_tools import attention_for

        extra_context = {**(extra_context or {}), "attention": attention_for(request)}
        return super().index(request, extra_context)
