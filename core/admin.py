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

import contextlib
import datetime
import functools
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from auditlog.mixins import AuditlogHistoryAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin import utils as admin_utils
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import FieldIsAForeignKeyColumnName, label_for_field, lookup_field
from django.contrib.admin.views import main
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import cache as fragments
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
        # The page's rows read only the columns the list shows (the admin's ``list_only``),
        # joined as its ``list_rows`` says; the list's queryset, which actions and exports
        # start from, keeps every column.
        queryset = self.queryset
        rows = getattr(self.model_admin, "list_rows", None)
        if rows is not None:
            self.queryset = rows(self.queryset)
        only = getattr(self.model_admin, "list_only", ())
        if only:
            self.queryset = self.queryset.only(*only)
        # A lookup such as ``starts_at__year=10**20`` is only refused when the list is counted.
        try:
            super().get_results(request)
        except (ValueError, TypeError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        finally:
            self.queryset = queryset
        # What only the page's rows need, read for them alone (the admin's ``list_page``).
        page = getattr(self.model_admin, "list_page", None)
        if page is not None:
            self.result_list = page(list(self.result_list))

    def row_html(self):
        """Each row of the page as the HTML of its cells, as Django's ``items_for_result``
        writes them (``core.templatetags.admin_lists``)."""
        columns, first = [], True
        for index, name in enumerate(self.list_display):
            links = self.list_display_links
            link = links is not None and ((first and not links) or name in links)
            columns.append(_Column(self, index, name, link, "th" if link and first else "td"))
            first = first and not link
        preserved = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        linked = None  # the change page's address with the list's filters, the key marked
        rows = []
        for result in self.result_list:
            cells = []
            for column in columns:
                shown, classes = column.show(result)
                if column.link:
                    pk = getattr(result, self.pk_attname)
                    try:
                        if isinstance(pk, int):
                            if linked is None:
                                self.url_for_result(result)  # one ``reverse`` for the list
                                linked = add_preserved_filters(preserved, self._change_url)
                            url = linked.replace(_PK_MARK, str(pk), 1)
                        else:
                            url = add_preserved_filters(preserved, self.url_for_result(result))
                    except NoReverseMatch:
                        pass
                    else:
                        shown = format_html('<a href="{}">{}</a>', url, shown)
                cells.append(
                    f'<{column.tag} class="{" ".join(classes)}">'
                    f"{conditional_escape(shown)}</{column.tag}>"
                )
            # Each cell's content escaped above, its tag and classes from the column's name.
            rows.append(mark_safe("".join(cells)))  # noqa: S308
        return rows

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


_NOWRAP_FIELDS = (models.DateField, models.TimeField, models.ForeignKey)


class _Column:
    """One column of a list, worked out once: how each row's value is found and shown, as
    Django's ``items_for_result`` works it out for every cell."""

    def __init__(self, changelist, index: int, name, link: bool, tag: str):
        model_admin = changelist.model_admin
        self.name, self.link, self.tag = name, link, tag
        self.model_admin = model_admin
        self.model = changelist.model
        self.default_empty = model_admin.get_empty_value_display()
        self.field = self.attr = None
        self.kind = "other"
        if callable(name):
            self.kind, self.attr = "call", name
        else:
            try:
                self.field = admin_utils._get_non_gfk_field(changelist.lookup_opts, name)
                self.kind = "field"
            except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
                if hasattr(model_admin, name) and name != "__str__":
                    self.kind, self.attr = "method", getattr(model_admin, name)
        self.classes = f"field-{admin_list._coerce_field_name(name, index)}"
        # A field with choices shows its value's label (``display_for_field``), looked up in
        # the choices made a dict once rather than for every row.
        self.choices = None
        field = self.field
        if field is not None and field.name != "password" and getattr(field, "flatchoices", None):
            with contextlib.suppress(TypeError):
                self.choices = dict(field.flatchoices)

    def lookup(self, obj):
        if self.kind == "field":
            return self.field, None, getattr(obj, self.name)
        if self.kind != "other":
            return None, self.attr, self.attr(obj)
        return admin_utils.lookup_field(self.name, obj, self.model_admin)

    def show(self, obj):
        """The cell's content and its classes."""
        classes = [self.classes]
        try:
            f, attr, value = self.lookup(obj)
        except ObjectDoesNotExist:
            return self.default_empty, classes
        empty = getattr(attr, "empty_value_display", self.default_empty)
        if f is None and isinstance(self.name, str) and LOOKUP_SEP in self.name:
            with contextlib.suppress(FieldDoesNotExist):
                f = admin_utils.get_fields_from_path(self.model, self.name)[-1]
        if f is None or f.auto_created:
            if self.name == "action_checkbox":
                classes = ["action-checkbox"]
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            shown = admin_utils.display_for_value(value, empty, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes.append("nowrap")
            return shown, classes
        if isinstance(f.remote_field, models.ManyToOneRel):
            shown = empty if value is None else value
        else:
            shown = (
                self.choices.get(value, empty)
                if self.choices is not None
                else admin_utils.display_for_field(value, f, empty, avoid_link=self.link)
            )
        if isinstance(f, _NOWRAP_FIELDS):
            classes.append("nowrap")
        return shown, classes


@functools.cache
def _select_label(language: str | None) -> str:
    """The row checkbox's label, translated once per language rather than once per row."""
    return _("Select this object for an action - {}")


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
        label = format_html(_select_label(get_language()), str(obj))
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
    """How many rows PostgreSQL's planner expects ``queryset`` to give, without running it (its
    ids alone: the same rows, without the joins and columns the list shows)."""
    rows = queryset.order_by().select_related(None).values("pk")
    sql, params = rows.query.sql_with_params()
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


class _RenderedOnce:
    """A widget whose HTML for the same name, value, attributes and choices is rendered once
    a process: Django renders the list's action menu through five templates on every page."""

    _rendered: dict = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            type(self),
            name,
            repr(value),
            repr(sorted(self.attrs.items())),
            repr(sorted((attrs or {}).items())),
            repr(list(getattr(self, "choices", ()))),
            get_language(),
        )
        html = self._rendered.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._rendered) < 1000:
                self._rendered[key] = html
        return html


class _ActionSelect(_RenderedOnce, forms.Select):
    pass


class _ActionHidden(_RenderedOnce, forms.HiddenInput):
    pass


class ActionForm(helpers.ActionForm):
    """Django's action menu, its widgets rendered once a process (``_RenderedOnce``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, widget_class in (("action", _ActionSelect), ("select_across", _ActionHidden)):
            field = self.fields[name]
            field.widget = widget_class(attrs=field.widget.attrs)
            if name == "action":
                field.widget.choices = field.choices


class FastListMixin:
    """Lists that cost the same whatever the size of their table: no count of every row beside
    the filtered count (``show_full_result_count``), and that count bounded
    (``ListPaginator``). Every model's admin gets this too."""

    show_full_result_count = False
    # A page of 25 rows, as many as anyone reads before filtering or searching: each row's
    # cells cost more than the rest of the page put together at Django's 100.
    list_per_page = 25

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.action_form is helpers.ActionForm:
            self.action_form = ActionForm

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = self.paginator if issubclass(self.paginator, ListPaginator) else ListPaginator
        return paginator(queryset, per_page, orphans, allow_empty_first_page)


# The national reference data, whose every save or delete bumps the ``"reference"`` scope of
# ``core.cache`` (``workgroups.cache``): filters choosing among their rows keep the choices there.
REFERENCE = "reference"
REFERENCE_MODELS = frozenset(
    {
        "participants.hub",
        "participants.phase",
        "projects.academicyear",
        "projects.project",
    }
)


class HubChoicesFilter(admin.RelatedFieldListFilter):
    """A filter by a related row (a hub, project or year) whose choices come from that row's
    own small table, limited to the user's hubs where it is hub-owned. Django's
    ``RelatedOnlyFieldListFilter`` instead reads every row of the list to find which choices
    occur. Hidden when there is only one choice (hub staff of one hub filtering by hub). The
    choices among national reference data are kept in the cache until it changes."""

    def field_choices(self, field, request, model_admin):
        related = field.remote_field.model
        user = request.user
        ordering = self.field_admin_ordering(field, request, model_admin)

        def choices():
            queryset = scoping.visible(related._default_manager.all(), user)
            if ordering:
                queryset = queryset.order_by(*ordering)
            return [(obj.pk, str(obj)) for obj in queryset]

        label = related._meta.label_lower
        if label not in REFERENCE_MODELS:
            return choices()
        hubs = "all" if scoping.is_national(user) else sorted(scoping.staff_hub_ids(user))
        parts = (label, ",".join(ordering or ()), hubs)
        return fragments.get_or_build("admin-filter-choices", choices, REFERENCE, parts=parts)


def _same_for_everyone(spec) -> bool:
    """Whether a filter's choices depend only on the request's address, the day and the national
    reference data: fixed choices, dates, or the rows of a reference table."""
    if isinstance(spec, admin.RelatedOnlyFieldListFilter):  # the choices the list's rows use
        return False
    if isinstance(spec, admin.RelatedFieldListFilter):
        return spec.field.remote_field.model._meta.label_lower in REFERENCE_MODELS
    fixed = (
        admin.ChoicesFieldListFilter,
        admin.BooleanFieldListFilter,
        admin.DateFieldListFilter,
        admin.EmptyFieldListFilter,
    )
    return isinstance(spec, fixed) or getattr(spec, "fixed_choices", False)


def filters_html(request, changelist) -> str:
    """The list's filter sidebar (``admin/change_list_filters.html``): from the cache when
    every filter's choices are the same for everyone with the user's hubs (the hub filter
    offers only those) looking at the same filters of the same list on the same day."""

    def render():
        return render_to_string("admin/change_list_filters.html", {"cl": changelist}, request)

    specs = changelist.filter_specs
    if changelist.add_facets or not all(_same_for_everyone(spec) for spec in specs):
        return render()
    user = request.user
    parts = (
        changelist.opts.label_lower,
        "all" if scoping.is_national(user) else sorted(scoping.staff_hub_ids(user)),
        urlencode(sorted(changelist.params.items())),
        timezone.localdate().isoformat(),
        timezone.get_current_timezone_name(),
        get_language(),
    )
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return fragments.get_or_build("admin-filters", render, REFERENCE, parts=(digest,))


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
    # No sidebar of every app and model beside each page: building it asked every model's
    # admin for its permissions and reversed three addresses for each, on every admin page.
    # The breadcrumbs and the first page lead everywhere.
    enable_nav_sidebar = False

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

    def each_context(self, request):
        """Django's context for every admin page, without the app list when nothing shows
        it: only the navigation sidebar does (the first page and each app's page build their
        own)."""
        request._no_app_list = not self.enable_nav_sidebar
        try:
            return super().each_context(request)
        finally:
            request._no_app_list = False

    def get_app_list(self, request, app_label=None):
        if getattr(request, "_no_app_list", False):
            return []
        return super().get_app_list(request, app_label)

    def index(self, request, extra_context=None):
        """The first page: what waits for this person, then the hub's data."""
        from core.admin_tools import attention_for

        extra_context = {**(extra_context or {}), "attention": attention_for(request)}
        return super().index(request, extra_context)
