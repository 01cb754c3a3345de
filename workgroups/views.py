from django.views.generic import DetailView

from projects.views import PUBLIC_GROUP_STATUSES
from workgroups.models import WorkGroup


class WorkGroupDetailView(DetailView):
    template_name = "workgroups/workgroup_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return (
            WorkGroup.objects.filter(status__in=PUBLIC_GROUP_STATUSES)
            .select_related("project", "hub", "academic_year")
            .prefetch_related("sessions", "leads__user", "project__roles")
            .with_place_counts()
        )
