"""The public catalogue: finding a project, reading about it, registering interest.

What everyone sees is the same for everyone, so it is rendered once and cached (``core.cache``):
the catalogue's results under ``catalogue`` (any group's change) and ``reference`` (the national
data), a project's groups under ``project:<id>``. Only what is about the visitor (their hub's
offer, their interest) is read for each request.
"""

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from catalogue.forms import InterestForm, ProjectFilterForm
from core.cache import get_or_build, get_or_build_each
from participants.models import School
from participants.views import ProfileRequiredMixin
from projects.models import Project, Recruitment
from projects.services import InterestError, offer_with_interest, register_interest
from workgroups.cache import REFERENCE, current_year, project_rules
from workgroups.models import PUBLIC_GROUP_STATUSES, WorkGroup, WorkGroupStatus

PROJECTS_PER_PAGE = 20
GROUPS_PER_PAGE = 20


def recruiting_now(prefix: str = "", status: str = WorkGroupStatus.RECRUITING) -> Q:
    """Groups taking registrations today: recruiting (or, with ``status`` full, taking names
    for their waiting list), inside their recruitment window."""
    today = timezone.localdate()
    return (
        Q(**{f"{prefix}status": status})
        & (
            Q(**{f"{prefix}recruitment_opens__isnull": True})
            | Q(**{f"{prefix}recruitment_opens__lte": today})
        )
        & (
            Q(**{f"{prefix}recruitment_closes__isnull": True})
            | Q(**{f"{prefix}recruitment_closes__gte": today})
        )
    )


def _names(items) -> str:
    names = [str(item) for item in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def who_it_is_for(project: Project) -> list[str]:
    """The recruitment rule in plain words (needs roles, prerequisites and areas prefetched)."""
    who = "state-funded schools" if project.state_funded_only else "schools"
    areas = [
        *project.eligible_hubs.all(),
        *project.eligible_regions.all(),
        *project.eligible_local_authorities.all(),
    ]
    where = f" in {_names(areas)}" if areas else " in England"
    rule = {
        Recruitment.OPEN: f"Open to teachers in {who}{where}.",
        Recruitment.PRIOR_PARTICIPATION: (
            f"For {who}{where} that have completed "
            f"{_names(p.title for p in project.prerequisites.all()) or 'an earlier project'}."
        ),
        Recruitment.NEW_SCHOOLS_ONLY: f"For {who}{where} taking part for the first time.",
        Recruitment.INVITATION_ONLY: (
            f"By invitation only: {who}{where} with an invitation code from their hub."
        ),
    }[project.recruitment]
    sentences = [rule]
    if project.requires_approval:
        sentences.append("The hub approves each school's place.")
    return sentences


def described(projects) -> list[Project]:
    """The projects with their rules from the cache, and ``who_for`` in words."""
    rules = project_rules([project.pk for project in projects])
    cards = []
    for project in projects:
        card = rules[project.pk].project_with_rules()
        card.who_for = who_it_is_for(card)
        card.is_open = project.is_open
        card.waitlist_open = project.waitlist_open
        cards.append(card)
    return cards


def _digest(values: dict) -> str:
    return hashlib.sha1(urlencode(values).encode(), usedforsecurity=False).hexdigest()[:16]


def _page_number(value: str | None) -> int:
    """The page asked for, as ``Paginator.get_page`` reads it (not a number: the first; past
    the end or below one: the last), in few enough values to key a cache with."""
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(number, 10_000) if number >= 1 else -1


class ProjectListView(TemplateView):
    """The current year's projects, filtered by what teachers look for."""

    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs):
        form = ProjectFilterForm(self.request.GET or None)
        chosen = form.chosen() if form.is_bound else {}
        page = _page_number(self.request.GET.get("page"))
        year = current_year()

        def build():
            return self._results(year, chosen, page)

        if "q" in chosen:  # searches are too varied to be worth keeping
            results = build()
        else:
            results = get_or_build(
                "catalogue-results",
                build,
                "catalogue",
                REFERENCE,
                parts=(timezone.localdate(), page, _digest(chosen)),
            )
        return super().get_context_data(year=year, results=mark_safe(results), **kwargs)  # noqa: S308

    def _results(self, year, chosen: dict, page) -> str:
        form = ProjectFilterForm(chosen or None)
        filters = form.filters() if chosen else {}
        paginator = Paginator(self._projects(year, filters), PROJECTS_PER_PAGE)
        page_obj = paginator.get_page(page)
        context = {
            "year": year,
            "form": form,
            "filtered": bool(filters),
            "page_obj": page_obj,
            "object_list": described(page_obj.object_list),
            "page_url": lambda number: "?" + urlencode({**chosen, "page": number}),
        }
        context |= _pages(page_obj, context["page_url"])
        return render_to_string("projects/project_list.html#results", context)

    def _projects(self, year, filters: dict):
        if year is None:
            return Project.objects.none()
        groups = WorkGroup.objects.filter(
            project=OuterRef("pk"), academic_year=year, status__in=PUBLIC_GROUP_STATUSES
        )
        projects = Project.objects.running_in(year).annotate(
            is_open=Exists(groups.filter(recruiting_now())),
            waitlist_open=Exists(groups.filter(recruiting_now(status=WorkGroupStatus.FULL))),
        )
        if filters.get("open"):
            projects = projects.filter(Q(is_open=True) | Q(waitlist_open=True))
        names = {"mode": "delivery_mode", "hub": "hub", "region": "hub__region"}
        group_filters = {names[key]: value for key, value in filters.items() if key in names}
        if group_filters:
            projects = projects.filter(Exists(groups.filter(**group_filters)))
        if "phase" in filters:
            projects = projects.filter(phases=filters["phase"])
        if "activity_type" in filters:
            projects = projects.filter(activity_type=filters["activity_type"])
        if "q" in filters:
            text = filters["q"]
            projects = projects.filter(
                Q(title__icontains=text) | Q(summary__icontains=text) | Q(code__icontains=text)
            )
        return projects.order_by("title", "pk")


def _pages(page_obj, page_url) -> dict:
    """Links to the previous and next pages (the filters kept, nothing else from the address)."""
    return {
        "previous_url": page_url(page_obj.previous_page_number())
        if page_obj.has_previous()
        else None,
        "next_url": page_url(page_obj.next_page_number()) if page_obj.has_next() else None,
    }


class ProjectDetailView(TemplateView):
    """What a project is, who it is for, and its groups this year: your hub's first, then the
    others by region and hub, a page at a time, each with a summary of its sessions."""

    template_name = "projects/project_detail.html"

    @cached_property
    def year(self):
        return current_year()

    @cached_property
    def found(self) -> dict:
        """The project running this year by the address's name, with what it says about itself
        rendered (``{"rules": ..., "about": html}``), from the cache."""
        slug = self.kwargs["slug"]
        found = get_or_build("project-page", lambda: self._find(slug), REFERENCE, parts=(slug,))
        if found is None:
            raise Http404("No project by that name is running this year.")
        return found

    @property
    def project(self) -> Project:
        return self.found["rules"].project_with_rules()

    def _find(self, slug: str) -> dict | None:
        if self.year is None or len(slug) > 200:
            return None
        projects = Project.objects.running_in(self.year).filter(slug=slug)
        pk = projects.values_list("pk", flat=True).first()
        if pk is None:
            return None
        rules = project_rules([pk])[pk]
        project = rules.project_with_rules()
        about = render_to_string(
            "projects/project_detail.html#about",
            {"project": project, "who_for": who_it_is_for(project)},
        )
        return {"rules": rules, "about": about}

    @cached_property
    def school(self) -> School | None:
        user = self.request.user
        if not (user.is_authenticated and user.school_id):
            return None
        return School.objects.select_related("hub").filter(pk=user.school_id).first()

    def get_context_data(self, **kwargs):
        project, school = self.project, self.school
        hub_id = school.hub_id if school else None
        page = _page_number(self.request.GET.get("page"))
        entries = [
            ("project-groups", (project.pk, hub_id, page), lambda: self._others(hub_id, page))
        ]
        if hub_id:
            entries.append(("project-hub-groups", (project.pk, hub_id), self._hub_groups))
        values = get_or_build_each(entries, f"project:{project.pk}", REFERENCE)
        others = values[0]
        mine = values[1] if hub_id else {"html": "", "count": 0}
        context = {
            "project": project,
            "year": self.year,
            "school": school,
            "about": mark_safe(self.found["about"]),  # noqa: S308
            "hub_groups": mark_safe(mine["html"]),  # noqa: S308
            "other_groups": mark_safe(others["html"]),  # noqa: S308
            "hub_runs_groups": bool(mine["count"]),
            "no_groups": not (mine["count"] or others["count"]),
            "first_page": page == 1,
        }
        context |= self._visitor_context()
        return super().get_context_data(**context, **kwargs)

    def _visitor_context(self) -> dict:
        user = self.request.user
        if not (user.is_authenticated and user.has_profile):
            return {}
        if self.school is not None:
            user.school = self.school  # already read, with its hub
        offer = offer_with_interest(user=user, project=self.project, academic_year=self.year)
        return {
            "offer": offer,
            "interest_form_html": get_or_build(
                "interest-form", lambda: _form_fields(InterestForm())
            ),
            "already_interested": bool(offer and offer.user_interested),
        }

    def _groups(self):
        return (
            WorkGroup.objects.filter(
                project=self.project, academic_year=self.year, status__in=PUBLIC_GROUP_STATUSES
            )
            .select_related("hub__region")
            .annotate(
                session_count=Count("sessions", filter=Q(sessions__cancelled=False)),
                cancelled_count=Count("sessions", filter=Q(sessions__cancelled=True)),
                first_session=Min("sessions__starts_at", filter=Q(sessions__cancelled=False)),
                last_session=Max("sessions__starts_at", filter=Q(sessions__cancelled=False)),
            )
        )

    def _hub_groups(self) -> dict:
        groups = list(self._groups().filter(hub=self.school.hub_id).order_by("name", "pk"))
        html = render_to_string(
            "projects/project_detail.html#hub_groups",
            {"project": self.project, "groups": groups, "hub": self.school.hub},
        )
        return {"html": html, "count": len(groups)}

    def _others(self, hub_id: int | None, page) -> dict:
        groups = self._groups().exclude(hub=hub_id) if hub_id else self._groups()
        groups = groups.order_by("hub__region__name", "hub__name", "name", "pk")
        page_obj = Paginator(groups, GROUPS_PER_PAGE).get_page(page)
        context = {
            "project": self.project,
            "year": self.year,
            "page_obj": page_obj,
            "groups": page_obj.object_list,
            "mine_first": hub_id is not None,
        }
        context |= _pages(page_obj, lambda number: f"?page={number}#groups")
        html = render_to_string("projects/project_detail.html#groups", context)
        return {"html": html, "count": page_obj.paginator.count}


def _form_fields(form) -> str:
    """A form's fields as crispy renders them (a form with nothing to say renders the same for
    everyone, so pages cache this)."""
    return render_to_string("workgroups/_form_fields.html", {"form": form})


class RegisterInterestView(ProfileRequiredMixin, ProjectDetailView):
    """POST only: tell your hub you want this project when no group suits."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = InterestForm(request.POST)
        if form.is_valid():
            try:
                interest = register_interest(
                    user=request.user, project=self.project, note=form.cleaned_data["note"]
                )
            except InterestError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Thank you: {interest.offer.hub.name} knows you are interested and will "
                    "be in touch when a group suits you.",
                )
                return redirect(self.project.get_absolute_url())
        context = self.get_context_data()
        context["interest_form"] = form
        return self.render_to_response(context)


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_year=current_year(), **kwargs)
