"""Calendar feeds: a secret per-person feed (with joining links), one group's public dates,
and resetting the secret."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from participants.models import User
from workgroups import calendar
from workgroups.models import PUBLIC_GROUP_STATUSES, WorkGroup


def _ics_response(body: str, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


class CalendarFeedView(View):
    """The secret per-person feed: anyone holding the address can read it, so it is long."""

    def get(self, request, token):
        user = User.objects.filter(calendar_token=token, is_active=True).first()
        if user is None:
            raise Http404("No such calendar.")
        sessions = calendar.sessions_for_user(user)
        body = calendar.render_calendar(sessions, "Maths Hubs sessions", private=True)
        return _ics_response(body)


class GroupCalendarView(View):
    """One group's dates and places as an .ics file, for anyone: no joining links or plans."""

    def get(self, request, pk):
        group = get_object_or_404(WorkGroup, pk=pk, status__in=PUBLIC_GROUP_STATUSES)
        body = calendar.render_calendar(calendar.sessions_for_group(group.pk), group.name)
        return _ics_response(body, filename=f"group-{group.pk}-sessions.ics")


class ResetCalendarTokenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        calendar.reset_calendar_token(user=request.user)
        messages.success(
            request, "Your calendar address has changed. Add the new one to your calendar."
        )
        return redirect(reverse("workgroups:my_registrations") + "#calendar")
