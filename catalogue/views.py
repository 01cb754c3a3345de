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
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from catalogue.distance import distance_from, has_position, in_miles
from catalogue.forms import InterestForm, ProjectFilterForm
from catalogue.years import find_year, open_years, said, year_slug
from core.cache import get_or_build, get_or_build_each
from participants.models import School
from participants.views import ProfileRequiredMixin
from projects.activity_types import Joining
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
    if project.rules.joining == Joining.INDIVIDUAL:
        sentences.append(f"Each teacher joins the {project.group_noun} in their own right.")
    if project.needs_approval:
        individual = project.rules.joining == Joining.INDIVIDUAL
        whose = "each place" if individual else "each school's place"
        sentences.append(f"The hub approves {whose}.")
    return sentences


def described(projects, years=()) -> list[Project]:
    """The projects with their rules from the cache, ``who_for`` in words, and the ``years``
    they have groups in (from the ``groups_in_<year pk>`` annotations of ``_projects``)."""
    rules = project_rules([project.pk for project in projects])
    cards = []
    for project in projects:
        card = rules[project.pk].project_with_rules()
        card.who_for = who_it_is_for(card)
        card.is_open = project.is_open
        card.waitlist_open = project.waitlist_open
        card.group_years = [
            year for year in years if getattr(project, f"groups_in_{year.pk}", False)
        ]
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
    """The projects running in the years not yet ended (hubs recruit next year's groups during
    this one), filtered by what teachers look for."""

    template_name = "projects/project_list.html"

    def get_context_data(self, **kwargs):
        form = ProjectFilterForm(self.request.GET or None)
        chosen = form.chosen() if form.is_bound else {}
        page = _page_number(self.request.GET.get("page"))
        years = open_years()

        def build():
            return self._results(years, chosen, page)

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
        asked = self.request.GET.get("year")
        return super().get_context_data(
            years=years,
            years_said=said(years),
            year_not_open=bool(asked and "year" not in chosen),
            results=mark_safe(results),  # noqa: S308
            **kwargs,
        )

    def _results(self, years, chosen: dict, page) -> str:
        form = ProjectFilterForm(chosen or None)
        filters = form.filters() if chosen else {}
        paginator = Paginator(self._projects(years, filters), PROJECTS_PER_PAGE)
        page_obj = paginator.get_page(page)
        year = filters.get("year")
        context = {
            "form": form,
            "filtered": bool(filters),
            "page_obj": page_obj,
            "object_list": described(page_obj.object_list, [year] if year else years),
            "project_query": "?" + urlencode({"year": year_slug(year)}) if year else "",
            "page_url": lambda number: "?" + urlencode({**chosen, "page": number}),
        }
        context |= _pages(page_obj, context["page_url"])
        return render_to_string("projects/project_list.html#results", context)

    def _projects(self, years, filters: dict):
        years = [filters["year"]] if filters.get("year") else years
        if not years:
            return Project.objects.none()
        groups = WorkGroup.objects.filter(
            project=OuterRef("pk"),
            academic_year__in=[year.pk for year in years],
            status__in=PUBLIC_GROUP_STATUSES,
        )
        running = Project.years.through.objects.filter(
            project=OuterRef("pk"), academicyear__in=[year.pk for year in years]
        )
        projects = Project.objects.filter(Exists(running) | Exists(groups)).annotate(
            is_open=Exists(groups.filter(recruiting_now())),
            waitlist_open=Exists(groups.filter(recruiting_now(status=WorkGroupStatus.FULL))),
            **{f"groups_in_{year.pk}": Exists(groups.filter(academic_year=year)) for year in years},
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


NEAREST = "nearest"


class ProjectDetailView(TemplateView):
    """What a project is, who it is for, and its groups in each year not yet ended (or the year
    asked for with ``?year=``): your hub's first, then the others by region and hub, a page at
    a time, each with a summary of its sessions. With ``?sort=nearest``, groups that meet in
    person come nearest your school first, then the rest."""

    template_name = "projects/project_detail.html"

    @cached_property
    def year(self):
        """The current year: the one a teacher registers interest for."""
        return current_year()

    @cached_property
    def years(self):
        return open_years()

    @cached_property
    def found(self) -> dict:
        """The project running in a year not yet ended by the address's name, with what it says
        about itself rendered (``{"rules": ..., "about": html}``), from the cache."""
        slug = self.kwargs["slug"]
        found = get_or_build(
            "project-page",
            lambda: self._find(slug),
            REFERENCE,
            parts=(slug, timezone.localdate()),
        )
        if found is None:
            raise Http404("No project by that name is running this year or next.")
        return found

    @property
    def project(self) -> Project:
        return self.found["rules"].project_with_rules()

    def _find(self, slug: str) -> dict | None:
        if not self.years or len(slug) > 200:
            return None
        pks = [year.pk for year in self.years]
        groups = WorkGroup.objects.filter(
            project=OuterRef("pk"), academic_year__in=pks, status__in=PUBLIC_GROUP_STATUSES
        )
        running = Project.years.through.objects.filter(project=OuterRef("pk"), academicyear__in=pks)
        projects = Project.objects.filter(Exists(running) | Exists(groups), slug=slug)
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

    @cached_property
    def chosen_year(self):
        return find_year(self.request.GET.get("year"), self.years)

    @cached_property
    def nearest(self) -> bool:
        return self.request.GET.get("sort") == NEAREST and has_position(self.school)

    def _query(self, **extra) -> str:
        """The address's choices (year, sort) with ``extra``, as a query string."""
        values = {}
        if self.chosen_year:
            values["year"] = year_slug(self.chosen_year)
        if self.nearest:
            values["sort"] = NEAREST
        values |= extra
        return "?" + urlencode(values) if values else "?"

    def get_context_data(self, **kwargs):
        project, school = self.project, self.school
        hub_id = school.hub_id if school else None
        shown = [self.chosen_year] if self.chosen_year else self.years
        page = _page_number(self.request.GET.get("page")) if self.chosen_year else 1
        split = hub_id if not self.nearest else None  # nearest first: one list
        where = self._where_key()
        one_year = self.chosen_year is not None  # pages of groups, else a link to them
        entries = []
        for year in shown:
            entries.append(
                (
                    "project-groups",
                    (project.pk, year.pk, split, page, self.nearest, one_year, where),
                    lambda year=year: self._others(year, split, page),
                )
            )
            if split:
                entries.append(
                    (
                        "project-hub-groups",
                        (project.pk, year.pk, hub_id, where),
                        lambda year=year: self._hub_groups(year),
                    )
                )
        values = iter(get_or_build_each(entries, f"project:{project.pk}", REFERENCE))
        sections = []
        for year in shown:
            others = next(values)
            mine = next(values) if split else {"html": "", "count": 0}
            if mine["count"] or others["count"] or self.chosen_year:
                sections.append(
                    {
                        "year": year,
                        "hub_groups": mark_safe(mine["html"]),  # noqa: S308
                        "other_groups": mark_safe(others["html"]),  # noqa: S308
                        "hub_runs_groups": bool(mine["count"]),
                        "count": mine["count"] + others["count"],
                    }
                )
        asked_sort = self.request.GET.get("sort")
        context = {
            "project": project,
            "year": self.year,
            "years": self.years,
            "years_said": said(self.years),
            "chosen_year": self.chosen_year,
            "year_choices": [(year_slug(year), year.label) for year in self.years],
            "year_not_open": bool(self.request.GET.get("year") and not self.chosen_year),
            "nearest": self.nearest,
            "cannot_sort": asked_sort == NEAREST and not self.nearest,
            "school_placed": has_position(school),
            "school": school,
            "about": mark_safe(self.found["about"]),  # noqa: S308
            "sections": sections,
            "no_groups": not any(section["count"] for section in sections),
            "hub_runs_groups": any(section["hub_runs_groups"] for section in sections),
            "first_page": page == 1,
        }
        context |= self._visitor_context()
        return super().get_context_data(**context, **kwargs)

    def _where_key(self) -> str:
        """What the groups' distances depend on: the visitor's school, where it is and its name."""
        school = self.school
        if not has_position(school):
            return "-"
        return f"{school.pk}.{school.easting}.{school.northing}.{_digest({'n': school.name})}"

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

    def _groups(self, year):
        return (
            WorkGroup.objects.filter(
                project=self.project, academic_year=year, status__in=PUBLIC_GROUP_STATUSES
            )
            .select_related("hub__region", "venue_school")
            .annotate(
                session_count=Count("sessions", filter=Q(sessions__cancelled=False)),
                cancelled_count=Count("sessions", filter=Q(sessions__cancelled=True)),
                first_session=Min("sessions__starts_at", filter=Q(sessions__cancelled=False)),
                last_session=Max("sessions__starts_at", filter=Q(sessions__cancelled=False)),
                distance=distance_from(self.school),
            )
        )

    def _with_distances(self, groups) -> list:
        groups = list(groups)
        for group in groups:
            group.distance_said = in_miles(group.distance)
        return groups

    def _hub_groups(self, year) -> dict:
        groups = self._groups(year).filter(hub=self.school.hub_id).order_by("name", "pk")
        groups = self._with_distances(groups)
        html = render_to_string(
            "projects/project_detail.html#hub_groups",
            {"project": self.project, "groups": groups, "hub": self.school.hub, **self._card()},
        )
        return {"html": html, "count": len(groups)}

    def _card(self) -> dict:
        school = self.school
        return {
            "from_school": school if has_position(school) else None,
            "my_hub_id": school.hub_id if school else None,
        }

    def _others(self, year, hub_id: int | None, page) -> dict:
        groups = self._groups(year).exclude(hub=hub_id) if hub_id else self._groups(year)
        by_place = ("hub__region__name", "hub__name", "name", "pk")
        if self.nearest:
            groups = groups.order_by(F("distance").asc(nulls_last=True), *by_place)
        else:
            groups = groups.order_by(*by_place)
        page_obj = Paginator(groups, GROUPS_PER_PAGE).get_page(page)
        context = {
            "project": self.project,
            "year": year,
            "page_obj": page_obj,
            "groups": self._with_distances(page_obj.object_list),
            "mine_first": hub_id is not None,
            "nearest": self.nearest,
            "one_year": self.chosen_year is not None,
            "year_url": self._query(year=year_slug(year)) + "#groups",
            **self._card(),
        }
        context |= _pages(page_obj, lambda number: self._query(page=number) + "#groups")
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
