"""The cache scopes a group's data lives under, and what makes them stale.

Pages cache what every visitor sees of a group under scopes that change at different rates, so
a registration (the commonest change) rebuilds only what it changes:

- ``group:<id>``: the group's row (details, status, places taken and waiting);
- ``sessions:<id>``: its sessions;
- ``leads:<id>``: who leads it, by name;
- ``project:<id>``: the project page's list of groups (places left, session summaries);
- ``catalogue``: the catalogue's results (which projects have groups recruiting, and where).

The services call ``group_changed`` and ``sessions_changed``; the receivers below also catch
every save and delete of a group, a session or a place made anywhere else (the admin's change
forms, the shell, the test factories), and changes to who leads a group and to their names.
"""

from dataclasses import dataclass, field

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from core.cache import bump, get_many_or_build, get_or_build
from participants.models import LLME, Hub, LocalAuthority, Phase, Region, User
from projects.models import AcademicYear, OutcomeArea, ParticipantRole, Project
from workgroups.models import Place, Session, WorkGroup

LeadLink = WorkGroup.leads.through


def group_changed(work_group) -> None:
    """Places, status or details of ``work_group`` changed: its pages and the catalogue's
    figures are stale."""
    bump("catalogue", f"project:{work_group.project_id}", f"group:{work_group.pk}")


def sessions_changed(work_group) -> None:
    """A session of ``work_group`` was added, changed or cancelled."""
    bump(f"project:{work_group.project_id}", f"sessions:{work_group.pk}")


def _group_of(instance) -> WorkGroup:
    """The group of a session or a place, from the instance when it already holds it."""
    cached = instance._state.fields_cache.get("work_group")
    if cached is not None:
        return cached
    row = WorkGroup.objects.filter(pk=instance.work_group_id).values("project_id").first()
    return WorkGroup(pk=instance.work_group_id, project_id=row and row["project_id"])


@receiver(post_save, sender=WorkGroup, dispatch_uid="cache_group_saved")
@receiver(post_delete, sender=WorkGroup, dispatch_uid="cache_group_deleted")
def _group_saved_or_deleted(sender, instance, raw=False, **kwargs):
    if not raw:
        group_changed(instance)


@receiver(post_save, sender=Place, dispatch_uid="cache_place_saved")
@receiver(post_delete, sender=Place, dispatch_uid="cache_place_deleted")
def _place_saved_or_deleted(sender, instance, raw=False, origin=None, **kwargs):
    # A service that has just called ``group_changed`` for this save says so, once, with
    # ``group_changed_told`` on the place.
    told = instance.__dict__.pop("group_changed_told", False)
    if not raw and not told and not isinstance(origin, WorkGroup):  # a group's deletion bumps once
        group_changed(_group_of(instance))


@receiver(post_save, sender=Session, dispatch_uid="cache_session_saved")
@receiver(post_delete, sender=Session, dispatch_uid="cache_session_deleted")
def _session_saved_or_deleted(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not isinstance(origin, WorkGroup):
        sessions_changed(_group_of(instance))


def leads_changed(group_ids) -> None:
    bump(*(f"leads:{pk}" for pk in group_ids))


@receiver(m2m_changed, sender=LeadLink, dispatch_uid="cache_group_leads_changed")
def _leads_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Leads added to or taken from a group, from either side (a group's or an LLME's)."""
    if action in ("post_add", "post_remove"):
        leads_changed(pk_set if reverse else [instance.pk])
    elif action == "pre_clear" and reverse:
        leads_changed(instance.work_groups.values_list("pk", flat=True))
    elif action == "post_clear" and not reverse:
        leads_changed([instance.pk])


@receiver(pre_delete, sender=LLME, dispatch_uid="cache_lead_deleted")
def _lead_deleted(sender, instance, **kwargs):
    leads_changed(instance.work_groups.values_list("pk", flat=True))


# Saving these fields of a person never changes how a group page names its leads.
_NOT_A_NAME = frozenset({"last_login", "password", "calendar_token"})


@receiver(post_save, sender=User, dispatch_uid="cache_lead_renamed")
def _lead_renamed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A lead's name (or email, for a lead without one) is on their groups' pages."""
    if raw or kwargs.get("created") or (update_fields and set(update_fields) <= _NOT_A_NAME):
        return
    led = LeadLink.objects.filter(llme__user=instance).values_list("workgroup_id", flat=True)
    leads_changed(led)


# National reference data ---------------------------------------------------------------------
# Projects (their rules, roles, phases and outcome areas), years, hubs, regions, local authorities
# and phases change only when the national team edits them, so every page keeps what it shows of
# them under one scope, bumped by any save or delete of them, from anywhere.

REFERENCE = "reference"

RULE_RELATIONS = (
    "roles",
    "phases",
    "outcome_areas",
    "prerequisites",
    "eligible_hubs",
    "eligible_regions",
    "eligible_local_authorities",
)


def reference_changed(*args, raw=False, **kwargs) -> None:
    if not raw:
        bump(REFERENCE)


for _model in (
    Project,
    ParticipantRole,
    AcademicYear,
    OutcomeArea,
    Hub,
    Region,
    LocalAuthority,
    Phase,
):
    _name = _model._meta.label_lower
    post_save.connect(reference_changed, sender=_model, dispatch_uid=f"reference_{_name}_saved")
    post_delete.connect(reference_changed, sender=_model, dispatch_uid=f"reference_{_name}_gone")
for _field in (*RULE_RELATIONS[1:], "years"):
    m2m_changed.connect(
        reference_changed,
        sender=getattr(Project, _field).through,
        dispatch_uid=f"reference_project_{_field}_changed",
    )


def current_year() -> AcademicYear | None:
    """``AcademicYear.objects.current()``, from the cache."""
    today = timezone.localdate()
    return get_or_build("current-year", AcademicYear.objects.current, REFERENCE, parts=(today,))


@dataclass
class ProjectRules:
    """A project and the rows its pages and ``eligibility`` read about it, cached as plain
    lists (cached querysets are slow to unpickle) and handed out as prefetched relations."""

    project: Project
    related: dict[str, list] = field(default_factory=dict)

    def project_with_rules(self) -> Project:
        """The project, its relations answered from these lists with no query (as
        ``prefetch_related`` leaves them)."""
        project = self.project
        if not hasattr(project, "_prefetched_objects_cache"):
            project._prefetched_objects_cache = {}
            for name, rows in self.related.items():
                queryset = getattr(project, name).get_queryset()
                queryset._result_cache, queryset._prefetch_done = list(rows), True
                project._prefetched_objects_cache[name] = queryset
        return project


def _build_rules(ids: list) -> dict[int, ProjectRules]:
    rules = {}
    for project in Project.objects.filter(pk__in=ids).prefetch_related(*RULE_RELATIONS):
        related = {name: list(getattr(project, name).all()) for name in RULE_RELATIONS}
        del project._prefetched_objects_cache
        rules[project.pk] = ProjectRules(project, related)
    return rules


def project_rules(ids) -> dict[int, ProjectRules]:
    """Each project's ``ProjectRules``, from the cache: what it is and who may take part."""
    return get_many_or_build("project-rules", ids, _build_rules, REFERENCE)
