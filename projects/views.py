from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from projects.models import AcademicYear, Project
from workgroups.models import WorkGroup, WorkGroupStatus

PUBLIC_GROUP_STATUSES = [WorkGroupStatus.RECRUITING, WorkGroupStatus.FULL, WorkGroupStatus.RUNNING]


class ProjectListView(ListView):
    """The current year's projects."""

    template_name = "projects/project_list.html"
    paginate_by = 20

    def get_queryset(self):
        self.year = AcademicYear.objects.current()
        return Project.objects.running_in(self.year).prefetch_related("phases")

    def get_context_data(self, **kwargs):
        return super().get_context_data(year=self.year, **kwargs)


class ProjectDetailView(DetailView):
    template_name = "projects/project_detail.html"

    def get_queryset(self):
        self.year = AcademicYear.objects.current()
        groups = (
            WorkGroup.objects.filter(academic_year=self.year, status__in=PUBLIC_GROUP_STATUSES)
            .select_related("hub")
            .with_place_counts()
            .order_by("hub__name", "name")
        )
        return Project.objects.prefetch_related(
            "phases", "outcome_areas", "roles", Prefetch("work_groups", queryset=groups)
        )
