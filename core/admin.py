"""Pieces every app's admin shares: hub scoping, read-only reference data, CSV export, each
object's audit trail behind its "History" link, ids no row could have kept out of queries, and
lists that cost the same whatever the size of their table.

Hub staff run their hub from the Django admin, so every hub-owned ModelAdmin limits rows,
permissions and form choices to the user's hubs here, asking ``core.scoping`` and
nothing else. Objects of another hub are left out of the queryset, so the admin treats them as
not found rather than forbidden.

Each model says how it reaches its hub (``hub_path``), so this module imports no models and
every app may use it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from urllib.parse import unquote

from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import label_for_field, lookup_field
from django.contrib.admin.views import main
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

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


def is_valid_key(field, value) -> bool:
    """Whether ``value`` can name a row by ``field`` (an id, usually): a form or an address may
    send anything, and a query given "x", or a number the column cannot hold, for an id fails
    rather than finding nothing."""
    try:
        field.run_validators(field.get_prep_value(field.to_python(value)))
    except (ValidationError, ValueError, TypeError):
        return False
    return "\x00" not in str(value)


class _KnownChoicesOnly:
    """Django's autocomplete widgets look up the values sent back to show them as chosen; a
    value no row could have ("x" for an id) would fail that query. Such values are not shown:
    the form's own error says to choose from the list."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        return super().optgroups(name, [v for v in value if is_valid_key(target, v)], attr)


class AutocompleteSelect(_KnownChoicesOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(_KnownChoicesOnly, widgets.AutocompleteSelectMultiple):
    pass


_PK_MARK = "0pk0"


class ChangeList(main.ChangeList):
    """Django's list, whose filters, date drill-down and search meet values no column could
    hold (a year of 10**20, an id of "x") with its "invalid filters" answer instead of failing:
    its own field filters do, but not a filter of a library's (``SimpleListFilter``) or the
    date drill-down past the calendar's ends."""

    def get_queryset(self, request, exclude_parameters=None):
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, TypeError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        # A lookup such as ``starts_at__year=10**20`` is only refused when the list is counted.
        try:
            return super().get_results(request)
        except (ValueError, TypeError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error

    def url_for_result(self, result):
        """Each row's change page from one ``reverse`` per list instead of one per row."""
        pk = getattr(result, self.pk_attname)
        if not isinstance(pk, int):
            return super().url_for_result(result)
        if not hasattr(self, "_change_url"):
            opts = self.opts
            self._change_url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=(_PK_MARK,),
                current_app=self.model_admin.admin_site.name,
            )
        return self._change_url.replace(_PK_MARK, str(pk))


class SafeLookupsMixin:
    """Values no row could have ("x", "²" or a null character where an id goes, a year past
    9999) never reach a query: an autocomplete field shows them as no choice (its error says
    to choose from the list), an action on ticked rows that are no ids is refused with a
    message, and a list given such filters says they are invalid. The admin site gives every
    model's admin this, ours and the libraries' alike."""

    not_in_list_message = (
        "Some of the selected items are not in this list. Tick items in the list and try again. "
        "No items have been changed."
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changelist(self, request, **kwargs):
        return ChangeList

    def action_checkbox(self, obj):
        """Django's row checkbox, written out directly: rendering a widget template for each
        of a page's hundred rows took a fifth of a list's time."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_valid_key(self.opts.pk, value) for value in selected):
            self.message_user(request, self.not_in_list_message, messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)


class ListPaginator(Paginator):
    """Pages of an admin list, counting at most ``EXACT_UP_TO`` rows: a longer list (the
    national team's 120,000 attendance marks) shows PostgreSQL's estimate of its length
    instead of counting every row on every page."""

    EXACT_UP_TO = 10_000

    @functools.cached_property
    def count(self):
        rows = self.object_list
        if connections[rows.db].vendor != "postgresql":
            return super().count
        counted = rows.order_by()[: self.EXACT_UP_TO + 1].count()
        if counted <= self.EXACT_UP_TO:
            return counted
        return max(estimated_rows(rows), counted)


def estimated_rows(queryset) -> int:
    """How many rows PostgreSQL's planner expects ``queryset`` to give, without running it."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class SortFirstPaginator(ListPaginator):
    """Finds a page's rows by the list's own table alone (its filters and order), then joins
    what the columns show to those rows only: for a list ordered by a column with no index,
    where joining every row before sorting them costs more than the sort."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        keys = rows.select_related(None).values("pk")[bottom:top]
        return self._get_page(rows.filter(pk__in=keys), number, self)


class FastListMixin:
    """Lists that cost the same whatever the size of their table: no count of every row beside
    the filtered count (``show_full_result_count``), and that count bounded
    (``ListPaginator``). Every model's admin gets this too."""

    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = self.paginator if issubclass(self.paginator, ListPaginator) else ListPaginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)


class HubChoicesFilter(admin.RelatedFieldListFilter):
    """A filter by a related row (a hub, project or year) whose choices come from that row's
    own small table, limited to the user's hubs where it is hub-owned. Django's
    ``RelatedOnlyFieldListFilter`` instead reads every row of the list to find which choices
    occur. Hidden when there is only one choice (hub staff of one hub filtering by hub)."""

    def field_choices(self, field, request, model_admin):
        related = field.remote_field.model
        queryset = scoping.visible(related._default_manager.all(), request.user)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


@dataclass(frozen=True)
class Access:
    """What ``core.scoping`` says of a request's user, for the admin's permission questions."""

    user_id: int | None
    may_use_admin: bool
    national: bool


def admin_access(request) -> Access:
    """Whether the request's user may use the admin and is the national team, asked of
    ``core.scoping`` once per request and user: every admin page asks every model's admin for
    its permissions, over a hundred questions with the same answers."""
    user = request.user
    access = getattr(request, "_admin_access", None)
    if access is None or access.user_id != user.pk:
        access = Access(user.pk, scoping.can_use_admin(user), scoping.is_national(user))
        request._admin_access = access
    return access


class RulesPermissionsMixin:
    """Admin permissions decided by ``core.scoping`` instead of Django's model permissions.

    The national team may do everything; hub staff may do what ``hub_staff_may_edit`` allows.
    """

    hub_staff_may_edit = True

    def may_edit(self, request, obj=None) -> bool:
        access = admin_access(request)
        return access.may_use_admin and (access.national or self.hub_staff_may_edit)

    def has_module_permission(self, request):
        return admin_access(request).may_use_admin

    def has_view_permission(self, request, obj=None):
        return admin_access(request).may_use_admin

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
        access = admin_access(request)
        return access.may_use_admin and access.national

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


class LibraryAdminMixin:
    """A library's admin (permission groups, sign-in addresses, authenticators, the whole
    audit trail) is the national team's business: anyone else is refused before Django loads
    their model permissions, two queries on every admin page, to find they have none."""

    def has_module_permission(self, request):
        return admin_access(request).national and super().has_module_permission(request)


class MathsHubAdminSite(admin.AdminSite):
    """The admin for hub staff and the national team: anyone else is sent to sign in."""

    site_header = "Maths Hubs CPD administration"
    site_title = "Maths Hubs CPD"
    index_title = "Run your hub"

    def has_permission(self, request):
        return scoping.can_use_admin(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model's admin, a library's too, gets ``SafeLookupsMixin`` and
        ``FastListMixin``; a library's is for the national team alone."""
        admin_class = admin_class or admin.ModelAdmin
        mixins = [
            mixin
            for mixin in (SafeLookupsMixin, FastListMixin)
            if not issubclass(admin_class, mixin)
        ]
        if not issubclass(admin_class, RulesPermissionsMixin):
            mixins.insert(0, LibraryAdminMixin)
        if mixins:
            admin_class = type(admin_class.__name__, (*mixins, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        """The first page: what waits for this person, then the hub's data."""
        from core.admin_tools import attention_for

        extra_context = {**(extra_context or {}), "attention": attention_for(request)}
        return super().index(request, extra_context)
