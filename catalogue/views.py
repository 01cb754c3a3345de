"""The public catalogue: finding a project, reading about it, registering interest."""

from django.contrib import messages
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from catalogue.forms import InterestForm, ProjectFilterForm
from participants.views import ProfileRequiredMixin
from projects.models import AcademicYear, Project, Recruitment
from projects.services import InterestError, offer_for, register_interest
from workgroups.models import PUBLIC_GROUP_STATUSES, Session, WorkGroup, WorkGroupStatus


def recruiting_now(prefix: str = "") -> Q:
    """Groups taking registrations today: recruiting, inside their recruitment window."""
    today = timezone.localdate()
    return (
        Q(**{f"{prefix}status": WorkGroupStatus.RECRUITING})
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


def _with_rule_prefetches(queryset):
    return queryset.prefetch_related(
        "phases",
        "roles",
        "prerequisites",
        "eligible_hubs",
        "eligible_regions",
        "eligible_local_authorities",
    )


class ProjectListView(ListView):
    """The current year's projects, filtered by what teachers look for."""

    template_name = "projects/project_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.year = AcademicYear.objects.current()
        self.form = ProjectFilterForm(self.request.GET or None)
        filters = self.form.filters() if self.request.GET else {}
        projects = Project.objects.running_in(self.year).annotate(
            is_open=Exists(self._groups().filter(recruiting_now()))
        )
        group_filters = self._group_filters(filters)
        if group_filters:
            projects = projects.filter(Exists(self._groups().filter(**group_filters)))
        projects = self._project_filters(projects, filters)
        return _with_rule_prefetches(projects).order_by("title", "pk")

    def _groups(self):
        return WorkGroup.objects.filter(
            project=OuterRef("pk"), academic_year=self.year, status__in=PUBLIC_GROUP_STATUSES
        )

    @staticmethod
    def _group_filters(filters: dict) -> dict:
        names = {"mode": "delivery_mode", "hub": "hub", "region": "hub__region"}
        return {names[key]: value for key, value in filters.items() if key in names}

    @staticmethod
    def _project_filters(projects, filters: dict):
        if "phase" in filters:
            projects = projects.filter(phases=filters["phase"])
        if "activity_type" in filters:
            projects = projects.filter(activity_type=filters["activity_type"])
        if "q" in filters:
            text = filters["q"]
            projects = projects.filter(
                Q(title__icontains=text) | Q(summary__icontains=text) | Q(code__icontains=text)
            )
        return projects

    def paginate_queryset(self, queryset, page_size):
        """Out-of-range or non-numeric pages show the nearest real page, never an error."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(year=self.year, form=self.form, **kwargs)
        for project in context["object_list"]:
            project.who_for = who_it_is_for(project)
        context["filtered"] = bool(self.form.is_bound and self.form.filters())
        return context


class ProjectDetailView(DetailView):
    """What a project is, who it is for, and its groups this year (your hub's first)."""

    template_name = "projects/project_detail.html"

    def get_queryset(self):
        self.year = AcademicYear.objects.current()
        return _with_rule_prefetches(Project.objects.running_in(self.year)).prefetch_related(
            "outcome_areas", Prefetch("work_groups", queryset=self._groups())
        )

    def _school(self):
        user = self.request.user
        return user.school if user.is_authenticated and user.school_id else None

    def _groups(self):
        school = self._school()
        hub_id = school.hub_id if school else None
        sessions = Session.objects.order_by("starts_at")
        return (
            WorkGroup.objects.filter(academic_year=self.year, status__in=PUBLIC_GROUP_STATUSES)
            .select_related("hub")
            .prefetch_related(Prefetch("sessions", queryset=sessions))
            .with_place_counts()
            .annotate(
                in_my_hub=Case(
                    When(hub_id=hub_id, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("in_my_hub", "hub__name", "name")
        )

    def get_context_data(self, **kwargs):
        project = self.object
        groups = list(project.work_groups.all())
        user = self.request.user
        context = {
            "year": self.year,
            "groups": groups,
            "who_for": who_it_is_for(project),
            "school": self._school(),
            "hub_runs_groups": any(g.in_my_hub == 0 for g in groups),
        }
        if user.is_authenticated and user.has_profile:
            context["offer"] = offer_for(user=user, project=project, academic_year=self.year)
            context["interest_form"] = InterestForm()
            context["already_interested"] = bool(
                context["offer"] and context["offer"].interests.filter(user=user).exists()
            )
        return super().get_context_data(**context, **kwargs)


class RegisterInterestView(ProfileRequiredMixin, ProjectDetailView):
    """POST only: tell your hub you want this project when no group suits."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = InterestForm(request.POST)
        if form.is_valid():
            try:
                interest = register_interest(
                    user=request.user, project=self.object, note=form.cleaned_data["note"]
                )
            except InterestError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Thank you: {interest.offer.hub.name} knows you are interested and will "
                    "be in touch when a group suits you.",
                )
                return redirect(self.object.get_absolute_url())
        context = self.get_context_data(object=self.object)
        context["interest_form"] = form
        return self.render_to_response(context)


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_year=AcademicYear.objects.current(), **kwargs)
