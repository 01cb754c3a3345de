"""The audit trail's own list in the admin (auditlog's LogEntry admin), for the national team.

Hub staff read an object's trail from its "History" link, which shows only what they may see;
the whole trail names every hub's people, so only the national team opens it.
"""

from auditlog import get_logentry_model
from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from core import scoping


class NationalLogEntryAdmin(LogEntryAdmin):
    """auditlog's read-only list and entry pages, with the national-only permissions of
    ``core.admin.NationalOnlyAdmin``."""

    def has_module_permission(self, request):
        return scoping.can_use_admin(request.user) and scoping.is_national(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


def register(site=None) -> None:
    """Replace the LogEntry admin auditlog registers (importing ``auditlog.admin`` above made
    sure it has) with the national-only one; safe to call twice."""
    site = site or admin.site
    LogEntry = get_logentry_model()
    if site.is_registered(LogEntry):
        site.unregister(LogEntry)
    site.register(LogEntry, NationalLogEntryAdmin)
