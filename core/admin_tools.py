"""Admin pieces for writing through services: small forms on an object's page, refusing to
delete what has history, and the hub staff's "what needs me" list.

Fields whose change has consequences are read-only in change forms; each such change is a
small form on its own page (``object_form_view``) whose ``save`` calls a service. A refusal
from the service shows next to the field, like any validation error, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.errors import DomainError


def add_reasons(form, error: DomainError) -> None:
    """Show a service's reasons on the form: next to their field where the form has it."""
    for reason in error.details:
        field = reason.field if reason.field in form.fields else None
        form.add_error(field, reason.message if field else str(reason))


def object_form_view(
    model_admin,
    request,
    object_id: str,
    *,
    form_class,
    title: str,
    intro: str = "",
    submit: str,
    allowed: Callable | None = None,
):
    """An admin page with one small form about one object the user may change.

    ``form_class(obj, data)`` must offer ``save(by=user)`` returning a message for the person,
    and may raise ``DomainError``, whose reasons are shown on the form. ``allowed(request, obj)``
    says who may use it (by default, whoever may change the object).
    """
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404("Not found.")
    if not (allowed or model_admin.has_change_permission)(request, obj):
        raise PermissionDenied
    form = form_class(obj, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                done = form.save(by=request.user)
        except DomainError as error:
            add_reasons(form, error)
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(change_url(obj))
    opts = model_admin.model._meta
    return TemplateResponse(
        request,
        "admin/object_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit": submit,
            "object": obj,
            "opts": opts,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            "errors": helpers.AdminErrorList(form, []),
            "change_url": change_url(obj),
        },
    )


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


class HistoryProtectedMixin:
    """Refuses to delete an object with history, saying what to do instead.

    A ModelAdmin overrides ``delete_refusal(obj)`` to return the reason (or ``None``). Deleting
    many at once from the list is not offered: each deletion is a decision about one object.
    """

    def delete_refusal(self, obj) -> str | None:
        return None

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        refusal = self.delete_refusal(obj) if obj is not None else None
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(change_url(obj))
        return super().delete_view(request, object_id, extra_context)


def run_service(model_admin, request, objects, call, done: str) -> None:
    """An admin action's body: call a service for each object, report each refusal in its own
    words and count the successes (``done`` is formatted with ``count``)."""
    count = 0
    for obj in objects:
        try:
            call(obj)
        except DomainError as error:
            model_admin.message_user(request, " ".join(error.reasons), messages.ERROR)
        else:
            count += 1
    if count:
        model_admin.message_user(request, done.format(count=count), messages.SUCCESS)


class ReadOnlyAdminMixin:
    """Records written elsewhere (attendance, session records, teachers' responses, action
    plans, and the related rows inlines list): the admin shows them; the services change them.
    Works for ModelAdmins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# What needs the hub's staff ---------------------------------------------------------------


@dataclass(frozen=True)
class Attention:
    """One kind of thing waiting for the hub's staff: how many, and where to act on them."""

    label: str
    count: int
    url: str


AttentionSource = Callable[[object], list[Attention]]
_sources: list[AttentionSource] = []


def needs_attention(source: AttentionSource) -> AttentionSource:
    """Register a function of the request giving what waits for its user (apps' admin modules
    use this as a decorator, so the core knows no app)."""
    _sources.append(source)
    return source


def attention_for(request) -> list[Attention]:
    return [item for source in _sources for item in source(request)]
