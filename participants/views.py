"""A participant's own pages: the profile they complete before registering, and the school finder.

``ProfileRequiredMixin`` / ``profile_required`` send anyone without a complete profile here
first, and the profile page sends them back to where they were going.
"""

from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from core.text import parse_id
from participants import rules, services
from participants.forms import FIND_SCHOOL_BUTTON, ProfileForm
from participants.models import School, SchoolLeaderClaim

PROFILE_NEEDED_MESSAGE = (
    "Before you go on, please tell us your name, your role and your school. "
    "We need them to register you."
)


def safe_next_url(request: HttpRequest, url: str | None) -> str | None:
    """``url`` if it stays on this site, else ``None`` (so ``next`` cannot send people away).

    An address with a control character (a line break, a null) is no page of ours, and a line
    break could not even go in the redirect's header.
    """
    if (
        url
        and url.isprintable()
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return None


def _return_url(request: HttpRequest) -> str:
    """Where to come back to: this page, or for a form post the page the form was on."""
    if request.method == "GET":
        return request.get_full_path()
    referer = safe_next_url(request, request.headers.get("referer"))
    if referer:
        parts = urlsplit(referer)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return reverse("home")


def profile_url(next_url: str | None = None) -> str:
    url = reverse("participants:profile")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def redirect_to_profile(request: HttpRequest) -> HttpResponseRedirect:
    messages.info(request, PROFILE_NEEDED_MESSAGE)
    return redirect(profile_url(_return_url(request)))


class ProfileRequiredMixin(LoginRequiredMixin):
    """For views that need a complete profile (registering): sign in, then complete it first."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_profile:
            return redirect_to_profile(request)
        return super().dispatch(request, *args, **kwargs)


def profile_required(view):
    """The same as ``ProfileRequiredMixin``, for function views."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.has_profile:
            return redirect_to_profile(request)
        return view(request, *args, **kwargs)

    return wrapped


def _posted_school(data) -> list[School]:
    """The open school whose id was sent, to keep it ticked; nothing for anything else."""
    pk = parse_id(data.get("school"))
    if pk is None:
        return []
    return list(School.objects.open().filter(pk=pk).only("urn", "name", "town", "postcode"))


def schools_to_offer(query: str, chosen: list[School]) -> list[School]:
    """The chosen school first (so it stays ticked), then what the search found."""
    found = [school for school in services.search_schools(query) if school not in chosen]
    return chosen + found


class ProfileView(LoginRequiredMixin, FormView):
    template_name = "participants/profile_form.html"
    form_class = ProfileForm

    def post(self, request, *args, **kwargs):
        if FIND_SCHOOL_BUTTON in request.POST:
            return self.render_to_response(self.get_context_data(form=self._search_form()))
        return super().post(request, *args, **kwargs)

    def _search_form(self) -> ProfileForm:
        """Without JavaScript: keep what was typed, show the schools found, save nothing."""
        data = self.request.POST
        initial = {name: data.get(name, "") for name in ("first_name", "last_name", "role")}
        initial |= {"phases": data.getlist("phases"), "school_query": data.get("school_query")}
        initial["school"] = data.get("school", "")
        initial["reminder_emails"] = "reminder_emails" in data
        query = data.get("school_query", "")
        return ProfileForm(initial=initial, schools=schools_to_offer(query, _posted_school(data)))

    def get_initial(self):
        user = self.request.user
        return {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "role": user.role,
            "phases": [phase.pk for phase in user.phases.all()],
            "school": user.school_id,
            "reminder_emails": user.reminder_emails,
        }

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            data = self.request.POST
            kwargs["schools"] = schools_to_offer(data.get("school_query", ""), _posted_school(data))
        else:
            kwargs["schools"] = [self.request.user.school] if self.request.user.school else []
        return kwargs

    def get_context_data(self, **kwargs):
        next_url = self._next_url()
        return super().get_context_data(
            next_url=next_url,
            search_url=reverse("participants:school_search"),
            school_limit=services.SCHOOL_RESULTS_LIMIT,
            leader_claim=rules.current_leader_claim(self.request.user),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        try:
            services.update_profile(
                user=user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                phases=data["phases"],
                school=data["school"],
                reminder_emails=data["reminder_emails"],
            )
        except services.ProfileError as error:
            for field, reasons in error.errors.items():
                for reason in reasons:
                    form.add_error(field if field in form.fields else None, reason)
            return self.form_invalid(form)
        messages.success(self.request, "Your profile is saved.")
        # Not ``redirect()``: it would look a plain word up as the name of a URL.
        return HttpResponseRedirect(self._next_url() or reverse("participants:profile"))

    def _next_url(self) -> str | None:
        return safe_next_url(
            self.request, self.request.POST.get("next") or self.request.GET.get("next")
        )


class SchoolSearchView(LoginRequiredMixin, TemplateView):
    """The schools matching ``q`` as radio buttons: the profile page's script swaps them in."""

    template_name = "participants/includes/school_results.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "")
        schools = schools_to_offer(
            query, _posted_school({"school": self.request.GET.get("selected")})
        )
        form = ProfileForm(
            initial={"school": self.request.GET.get("selected", "")}, schools=schools
        )
        return super().get_context_data(
            form=form, searched=query.strip(), school_limit=services.SCHOOL_RESULTS_LIMIT, **kwargs
        )


class VerifiedLeaderMixin(LoginRequiredMixin):
    """Pages for confirmed leaders of their school; to anyone else they do not exist."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.is_verified_leader(request.user):
            raise Http404("Only confirmed school leaders have this page.")
        return super().dispatch(request, *args, **kwargs)

    def colleagues_claims(self):
        user = self.request.user
        return SchoolLeaderClaim.objects.filter(school_id=user.school_id).exclude(user=user)


class SchoolLeadersView(VerifiedLeaderMixin, TemplateView):
    """A confirmed leader's list of colleagues who say they lead the school too."""

    template_name = "participants/school_leaders.html"

    def get_context_data(self, **kwargs):
        claims = self.colleagues_claims().select_related("user")
        return super().get_context_data(
            school=self.request.user.school,
            pending=list(claims.pending()),
            confirmed=list(claims.confirmed()),
            **kwargs,
        )


class DecideLeaderClaimView(VerifiedLeaderMixin, View):
    """POST: confirm or reject a colleague's claim through the services."""

    decision = "confirm"

    def post(self, request, pk):
        claim = get_object_or_404(self.colleagues_claims().pending(), pk=pk)
        try:
            if self.decision == "confirm":
                services.confirm_leader_claim(claim=claim, by=request.user)
                messages.success(request, f"{claim.user} is confirmed as a school leader.")
            else:
                services.reject_leader_claim(claim=claim, by=request.user)
                messages.success(request, f"{claim.user} is not confirmed as a school leader.")
        except services.LeaderClaimError as error:
            messages.error(request, " ".join(error.reasons))
        return redirect("participants:school_leaders")
