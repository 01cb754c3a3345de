"""How projects are delivered: groups, their sessions, schools' places and the people in them."""

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse

from core.fields import CheckedJSONField
from core.querysets import HubOwnedQuerySet
from participants.models import LLME, Hub, School, User
from projects.models import AcademicYear, Oversubscription, ParticipantRole, Project


class DeliveryMode(models.TextChoices):
    ONLINE = "online", "Online"
    FACE_TO_FACE = "face_to_face", "Face-to-face"
    BLENDED = "blended", "Blended"


class WorkGroupStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RECRUITING = "recruiting", "Recruiting"
    FULL = "full", "Full"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class PlaceStatus(models.TextChoices):
    PENDING = "pending", "Awaiting hub approval"
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waiting list"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Did not complete"


class Completion(models.TextChoices):
    """A participant's outcome when their group closes."""

    COMPLETED = "completed", "Completed"
    NOT_COMPLETED = "not_completed", "Did not complete"


# A school holds at most one place in these states per group.
ACTIVE_PLACE_STATUSES = [
    PlaceStatus.PENDING,
    PlaceStatus.CONFIRMED,
    PlaceStatus.WAITLISTED,
    PlaceStatus.COMPLETED,
    PlaceStatus.NOT_COMPLETED,
]
# Places that take up capacity.
TAKEN_PLACE_STATUSES = [PlaceStatus.CONFIRMED, PlaceStatus.COMPLETED, PlaceStatus.NOT_COMPLETED]
# A closed group's outcome for a school: completed or not, as attendance (or the lead) says.
CLOSED_PLACE_STATUSES = [PlaceStatus.COMPLETED, PlaceStatus.NOT_COMPLETED]

# A group's life: which status each status may move to. Services and the admin ask
# ``WorkGroup.may_become`` and nothing else; full and recruiting swap as places come and go.
GROUP_TRANSITIONS: dict[str, frozenset[str]] = {
    WorkGroupStatus.DRAFT: frozenset({WorkGroupStatus.RECRUITING, WorkGroupStatus.CANCELLED}),
    # A group whose lead never marked it running still closes once its sessions are over.
    WorkGroupStatus.RECRUITING: frozenset(
        {
            WorkGroupStatus.FULL,
            WorkGroupStatus.RUNNING,
            WorkGroupStatus.COMPLETED,
            WorkGroupStatus.CANCELLED,
        }
    ),
    WorkGroupStatus.FULL: frozenset(
        {
            WorkGroupStatus.RECRUITING,
            WorkGroupStatus.RUNNING,
            WorkGroupStatus.COMPLETED,
            WorkGroupStatus.CANCELLED,
        }
    ),
    WorkGroupStatus.RUNNING: frozenset({WorkGroupStatus.COMPLETED, WorkGroupStatus.CANCELLED}),
    WorkGroupStatus.COMPLETED: frozenset(),
    WorkGroupStatus.CANCELLED: frozenset(),
}
# Shown in the catalogue and its public pages.
PUBLIC_GROUP_STATUSES = [WorkGroupStatus.RECRUITING, WorkGroupStatus.FULL, WorkGroupStatus.RUNNING]
# Schools may ask for a place (a full group takes them onto its waiting list).
OPEN_FOR_REGISTRATION = [WorkGroupStatus.RECRUITING, WorkGroupStatus.FULL]
# Free places are filled from the waiting list.
PROMOTABLE_GROUP_STATUSES = [
    WorkGroupStatus.RECRUITING,
    WorkGroupStatus.FULL,
    WorkGroupStatus.RUNNING,
]
# Sessions have begun, so attendance, records and the evaluation apply.
UNDER_WAY_GROUP_STATUSES = [WorkGroupStatus.RUNNING, WorkGroupStatus.COMPLETED]
# Nothing more will happen in the group.
FINISHED_GROUP_STATUSES = [WorkGroupStatus.COMPLETED, WorkGroupStatus.CANCELLED]
# Published and not cancelled: the group reaches schools.
LIVE_GROUP_STATUSES = [*OPEN_FOR_REGISTRATION, *UNDER_WAY_GROUP_STATUSES]

# A place's life: which status each status may move to.
PLACE_TRANSITIONS: dict[str, frozenset[str]] = {
    PlaceStatus.PENDING: frozenset(
        {PlaceStatus.CONFIRMED, PlaceStatus.WAITLISTED, PlaceStatus.DECLINED, PlaceStatus.WITHDRAWN}
    ),
    PlaceStatus.WAITLISTED: frozenset(
        {PlaceStatus.CONFIRMED, PlaceStatus.PENDING, PlaceStatus.DECLINED, PlaceStatus.WITHDRAWN}
    ),
    PlaceStatus.CONFIRMED: frozenset(
        {PlaceStatus.COMPLETED, PlaceStatus.NOT_COMPLETED, PlaceStatus.WITHDRAWN}
    ),
    # The lead may override the attendance rule, with a reason, either way.
    PlaceStatus.COMPLETED: frozenset({PlaceStatus.NOT_COMPLETED}),
    PlaceStatus.NOT_COMPLETED: frozenset({PlaceStatus.COMPLETED}),
    PlaceStatus.WITHDRAWN: frozenset(),
    PlaceStatus.DECLINED: frozenset(),
}
# The hub decides on these: confirm or decline.
DECIDABLE_PLACE_STATUSES = [PlaceStatus.PENDING, PlaceStatus.WAITLISTED]


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Withdrawn"


def count_rows(queryset, outer: str) -> Coalesce:
    """A correlated ``COUNT`` of ``queryset`` rows per outer row (``queryset`` is filtered on
    ``outer=OuterRef("pk")``), 0 when there are none: what the counters below are set to."""
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def places_counted(statuses) -> Coalesce:
    """The number of the outer group's places in ``statuses``, counted from the rows."""
    places = Place.objects.filter(work_group=OuterRef("pk"), status__in=statuses)
    return count_rows(places, "work_group")


def registrations_counted() -> Coalesce:
    """The number of the outer place's active registrations, counted from the rows."""
    registrations = Registration.objects.filter(
        place=OuterRef("pk"), status=RegistrationStatus.ACTIVE
    )
    return count_rows(registrations, "place")


def recount(model, counters, keys) -> int:
    """Set ``counters`` of the ``model`` rows whose ids are ``keys`` (ids, or a queryset of
    the rows) from the rows they count, in one ``UPDATE ... SET counter = (SELECT COUNT(*))``.
    Each counter is ``(field, counted model, its foreign key to model, statuses counted)``.

    Written out: building the same statement from the ORM's correlated subqueries took several
    times longer than running it, and the services run it under a group's row lock.
    ``places_counted`` and ``registrations_counted`` count the same through the ORM."""
    if isinstance(keys, models.QuerySet):
        connection = connections[keys.db]
        keys_sql, keys_params = keys.order_by().values("pk").query.sql_with_params()
    else:
        keys_params = list(keys)
        if not keys_params:
            return 0
        connection = connections[router.db_for_write(model)]
        keys_sql = ", ".join(["%s"] * len(keys_params))
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sets, params = [], []
    for field, counted, link, statuses in counters:
        marks = ", ".join(["%s"] * len(statuses))
        # Names from the models' metadata, quoted; every value is a parameter.
        sets.append(
            f"{quote(field)} = (SELECT COUNT(*) FROM {quote(counted._meta.db_table)} AS counted "  # noqa: S608
            f"WHERE counted.{quote(counted._meta.get_field(link).column)} = {table}.{key} "
            f"AND counted.{quote('status')} IN ({marks}))"
        )
        params.extend(str(status) for status in statuses)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(sets)} WHERE {key} IN ({keys_sql})",  # noqa: S608
            [*params, *keys_params],
        )
        return cursor.rowcount


class CountersMixin:
    """Counters are written only by their own recount (an ``UPDATE ... SET = (SELECT COUNT)``):
    saving a whole row leaves them as the database has them, so a form or an object read a
    moment ago never writes back a stale count."""

    counter_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None and not self._state.adding:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.counter_fields
            ]
        super().save(*args, **kwargs)


class WorkGroupQuerySet(HubOwnedQuerySet):
    def for_hub(self, hub):
        return self.filter(hub=hub)

    def recount_places(self) -> int:
        """Set these groups' ``taken_count`` and ``waitlisted_count`` from their places."""
        return recount(WorkGroup, GROUP_COUNTERS, self)

    def locked(self, work_group: "WorkGroup") -> "WorkGroup":
        """The group's row, locked until the transaction ends: services count places under it."""
        return (
            self.select_for_update(of=("self",))
            .select_related("project", "academic_year", "hub")
            .get(pk=work_group.pk)
        )

    def with_place_counts(self):
        """``places_taken`` and ``places_waitlisted`` for pages written before the counters:
        read from them, so nothing is joined or counted. New code reads ``taken_count`` and
        ``waitlisted_count`` themselves."""
        return self.annotate(places_taken=F("taken_count"), places_waitlisted=F("waitlisted_count"))


class WorkGroup(CountersMixin, models.Model):
    """A group (cohort) of schools delivering a project locally, led by one or more LLMEs.

    ``taken_count`` and ``waitlisted_count`` are its places' figures, kept by
    ``recount_group`` whenever a place is saved or deleted, so lists show them without
    counting places.
    """

    hub_path = "hub"
    counter_fields = ("taken_count", "waitlisted_count")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="work_groups")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="work_groups")
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="work_groups"
    )
    name = models.CharField(max_length=200)
    leads = models.ManyToManyField(LLME, blank=True, related_name="work_groups")
    delivery_mode = models.CharField(
        max_length=20, choices=DeliveryMode, default=DeliveryMode.FACE_TO_FACE
    )
    venue = models.CharField(max_length=300, blank=True)
    venue_school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The school that hosts face-to-face sessions, if one does: teachers see how "
        "far it is from their school.",
    )
    capacity = models.PositiveIntegerField(
        "places", default=8, help_text="How many schools can take a confirmed place."
    )
    recruitment_opens = models.DateField(null=True, blank=True)
    recruitment_closes = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=WorkGroupStatus, default=WorkGroupStatus.DRAFT, db_index=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(
        blank=True,
        editable=False,
        help_text="Why the group was cancelled, as its schools were told.",
    )
    evidence_locked_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the group's evaluation is signed off: its session records are then "
        "national evidence and nobody may change them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        editable=False,
        help_text="Last year's group this one was copied from.",
    )
    taken_count = models.PositiveIntegerField(
        "places taken",
        default=0,
        editable=False,
        help_text="Schools with a confirmed or completed place; kept by the services.",
    )
    waitlisted_count = models.PositiveIntegerField(
        "waiting list",
        default=0,
        editable=False,
        help_text="Schools on the waiting list; kept by the services.",
    )

    objects = WorkGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-academic_year__starts_on", "project__title", "name"]
        verbose_name = "group"
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=0),
                name="work_group_capacity_not_negative",
                violation_error_message="Places cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(recruitment_closes__isnull=True)
                | Q(recruitment_opens__isnull=True)
                | Q(recruitment_closes__gte=F("recruitment_opens")),
                name="work_group_recruitment_closes_after_opening",
                violation_error_message="Recruitment cannot close before it opens.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workgroups:detail", kwargs={"pk": self.pk})

    @property
    def noun(self) -> str:
        return self.project.group_noun

    def may_become(self, status: str) -> bool:
        """Whether ``GROUP_TRANSITIONS`` lets the group move from its status to ``status``."""
        return status in GROUP_TRANSITIONS[self.status]

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.taken_count, 0)


class SessionFocus(models.TextChoices):
    PLAN = "plan", "Plan"
    OBSERVE = "observe", "Observe"
    REFINE = "refine", "Refine"
    REVIEW = "review", "Review"


class Session(models.Model):
    """One meeting of a group."""

    hub_path = "work_group__hub"

    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=20, choices=DeliveryMode, default=DeliveryMode.FACE_TO_FACE)
    venue = models.CharField(max_length=300, blank=True)
    joining_link = models.URLField(blank=True)
    focus = models.CharField(max_length=10, choices=SessionFocus, default=SessionFocus.PLAN)
    planned = models.TextField("what is planned", blank=True)
    cancelled = models.BooleanField(default=False)

    objects = HubOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["work_group", "starts_at"]
        indexes = [
            # The admin's list: newest groups first, each in date order.
            models.Index(fields=["-work_group", "starts_at", "id"], name="session_admin_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
            models.UniqueConstraint(
                fields=["work_group", "number"],
                name="session_number_unique_per_group",
                violation_error_message="This group already has a session with that number.",
            ),
            # A group meets once at a time: a form sent twice must not add two sessions.
            models.UniqueConstraint(
                fields=["work_group", "starts_at"],
                condition=Q(cancelled=False),
                name="one_session_per_start_per_group",
                violation_error_message="This group already has a session starting at that time.",
            ),
        ]

    def __str__(self):
        return f"Session {self.number}"


class PlaceQuerySet(HubOwnedQuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_PLACE_STATUSES)

    def taken(self):
        return self.filter(status__in=TAKEN_PLACE_STATUSES)

    def waiting_list(self):
        """Waiting places in the order they are served, by their project's rule
        (``WAITING_ORDER``)."""
        return self.filter(status=PlaceStatus.WAITLISTED).order_by(*WAITING_ORDER)

    def recount_registrations(self) -> int:
        """Set these places' ``registration_count`` from their active registrations."""
        return recount(Place, PLACE_COUNTERS, self)


# The waiting list's order, stated once: the project's ``oversubscription`` rule gives each
# waiting school a priority, higher served first, then the earlier request, then the lower id.
# First come, first served: everyone's priority is 0, so the time they asked decides.
# Disadvantaged schools first: the school's free-school-meals percentage; a school with no
# figure gets ``NO_FSM_FIGURE``, below every real percentage, so it comes last.
NO_FSM_FIGURE = Decimal("-1")
_PRIORITY = models.DecimalField(max_digits=5, decimal_places=1)


def waiting_priority(rule, fsm_percentage):
    """The priority expression: ``rule`` is the project's ``oversubscription`` (a path from
    the rows, such as ``"work_group__project__oversubscription"``), ``fsm_percentage`` an
    expression for the school's figure (an ``F`` or ``OuterRef``)."""
    return Case(
        When(
            **{rule: Oversubscription.DISADVANTAGE_FIRST},
            then=Coalesce(fsm_percentage, Value(NO_FSM_FIGURE), output_field=_PRIORITY),
        ),
        default=Value(Decimal(0)),
        output_field=_PRIORITY,
    )


PLACE_PRIORITY = waiting_priority(
    "work_group__project__oversubscription", F("school__fsm_percentage")
)
WAITING_ORDER = (PLACE_PRIORITY.desc(), "requested_at", "pk")


def waiting_key(rule: str, fsm_percentage, requested_at, pk) -> tuple:
    """``WAITING_ORDER`` in Python, for rows already read: sorting by it serves them in turn."""
    if rule == Oversubscription.DISADVANTAGE_FIRST:
        priority = NO_FSM_FIGURE if fsm_percentage is None else Decimal(fsm_percentage)
    else:
        priority = Decimal(0)
    return (-priority, requested_at, pk)


def _served_no_later_than(priority, requested_at, pk) -> Q:
    """Waiting places (aliased ``.alias(priority=PLACE_PRIORITY)``) served before or with the
    place of this priority, asked at ``requested_at`` with ``pk``: counting them gives its
    position. The values may be ``OuterRef``s or expressions."""
    return Q(status=PlaceStatus.WAITLISTED) & (
        Q(priority__gt=priority)
        | Q(priority=priority, requested_at__lt=requested_at)
        | Q(priority=priority, requested_at=requested_at, pk__lte=pk)
    )


def waitlist_position(place: "Place") -> int | None:
    """A waiting place's position on its group's waiting list (1 is next), else ``None``."""
    if place.status != PlaceStatus.WAITLISTED:
        return None
    positions = Place.objects.filter(pk=place.pk).annotate(n=waitlist_position_subquery(""))
    return positions.values_list("n", flat=True).first()


def waitlist_position_subquery(place: str = "place") -> Subquery:
    """``waitlist_position`` as a subquery, for annotating rows that reach a place by ``place``
    (``"place"`` from a registration, ``""`` from a place itself); ``None`` for a place not
    waiting."""
    prefix = f"{place}__" if place else ""
    # The rule read from the counted rows: they are in the outer place's group.
    priority = waiting_priority(
        "work_group__project__oversubscription", OuterRef(f"{prefix}school__fsm_percentage")
    )
    ahead = (
        Place.objects.filter(
            Exact(OuterRef(f"{prefix}status"), PlaceStatus.WAITLISTED),
            work_group=OuterRef(f"{prefix}work_group"),
        )
        .alias(priority=PLACE_PRIORITY)
        .filter(
            _served_no_later_than(
                priority, OuterRef(f"{prefix}requested_at"), OuterRef(f"{prefix}pk")
            )
        )
        .order_by()
        .values("work_group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead)


class Place(CountersMixin, models.Model):
    """A school's seat in a group, filled by its participants in the project's roles.

    ``registration_count`` is its active registrations, kept like the group's counters.
    """

    hub_path = "work_group__hub"
    counter_fields = ("registration_count",)

    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="places")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="places")
    status = models.CharField(
        max_length=20, choices=PlaceStatus, default=PlaceStatus.PENDING, db_index=True
    )
    requested_at = models.DateTimeField(
        help_text="When the school asked; the waiting list is served in this order."
    )
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(
        blank=True,
        help_text="Why the lead overrode what attendance said about completing.",
    )
    registration_count = models.PositiveIntegerField(
        "participants",
        default=0,
        editable=False,
        help_text="Active registrations in the place; kept by the services.",
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["work_group", "requested_at", "pk"]
        indexes = [
            # The admin's list (newest groups first) and each group's waiting list, in the
            # order schools asked.
            models.Index(
                fields=["-work_group", "requested_at", "id"], name="place_admin_order_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["work_group", "school"],
                condition=Q(status__in=ACTIVE_PLACE_STATUSES),
                name="one_active_place_per_school_per_group",
                violation_error_message="This school already has a place in this group.",
            )
        ]

    def __str__(self):
        return f"{self.school.name} in {self.work_group}"


class RegistrationQuerySet(HubOwnedQuerySet):
    def active(self):
        return self.filter(status=RegistrationStatus.ACTIVE)


class Registration(models.Model):
    """One participant, in one of the project's roles, filling part of their school's place."""

    hub_path = "work_group__hub"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="registrations")
    # Copied from the place so the database can hold "one active registration per group".
    work_group = models.ForeignKey(
        WorkGroup, on_delete=models.CASCADE, related_name="registrations", editable=False
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="registrations")
    role = models.ForeignKey(ParticipantRole, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=RegistrationStatus, default=RegistrationStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    completion = models.CharField(
        max_length=20,
        choices=Completion,
        blank=True,
        help_text="Set when the group closes, from attendance; the lead may override it.",
    )
    completion_note = models.TextField(
        blank=True,
        help_text="Why the lead overrode what attendance said about completing.",
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["place", "role__order", "created_at"]
        indexes = [
            # The admin's list: newest groups first, each by school.
            models.Index(
                fields=["-work_group", "place", "id"], name="registration_admin_order_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["work_group", "user"],
                condition=Q(status=RegistrationStatus.ACTIVE),
                name="one_active_registration_per_person_per_group",
                violation_error_message="This person is already registered for this group.",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.role.name})"

    def save(self, *args, **kwargs):
        self.work_group_id = self.place.work_group_id
        super().save(*args, **kwargs)


# The counters ------------------------------------------------------------------------------
# Saving or deleting a place or a registration (a person's account deleted with theirs too)
# recounts what it changes, wherever it happens: the services, the admin, the test factories.
# Whatever writes in bulk (``QuerySet.update``, ``bulk_create``, ``QuerySet.delete``) recounts
# itself with ``recount_group`` or the querysets' ``recount_*``. The services do both under the
# group's row lock, so each recount sees every change made before it.


GROUP_COUNTERS = (
    ("taken_count", Place, "work_group", TAKEN_PLACE_STATUSES),
    ("waitlisted_count", Place, "work_group", [PlaceStatus.WAITLISTED]),
)
PLACE_COUNTERS = (("registration_count", Registration, "place", [RegistrationStatus.ACTIVE]),)


def recount_group(work_group) -> None:
    """Set the group's counters and its places' from the rows, in two ``UPDATE``s."""
    recount(Place, PLACE_COUNTERS, Place.objects.filter(work_group=work_group))
    recount(WorkGroup, GROUP_COUNTERS, [work_group.pk])


def _recount_after_delete(origin, owners: tuple) -> bool:
    """Whether a deleted row's counters need recounting: not when what holds them goes in the
    same delete (``owners``), nor after a ``QuerySet.delete()`` of groups, places or
    registrations, whose caller recounts as after ``update()``."""
    if isinstance(origin, models.QuerySet):
        return origin.model not in (WorkGroup, Place, Registration)
    return not isinstance(origin, owners)


@receiver(post_save, sender=Place, dispatch_uid="workgroups_place_saved_recount")
def _place_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "status" not in update_fields):
        return
    recount(WorkGroup, GROUP_COUNTERS, [instance.work_group_id])


@receiver(post_delete, sender=Place, dispatch_uid="workgroups_place_deleted_recount")
def _place_deleted(sender, instance, origin=None, **kwargs):
    if _recount_after_delete(origin, owners=(WorkGroup,)):
        recount(WorkGroup, GROUP_COUNTERS, [instance.work_group_id])


@receiver(post_save, sender=Registration, dispatch_uid="workgroups_registration_saved_recount")
def _registration_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and not {"status", "place"} & set(update_fields)):
        return
    recount(Place, PLACE_COUNTERS, [instance.place_id])


@receiver(post_delete, sender=Registration, dispatch_uid="workgroups_registration_deleted_recount")
def _registration_deleted(sender, instance, origin=None, **kwargs):
    if _recount_after_delete(origin, owners=(WorkGroup, Place)):
        recount(Place, PLACE_COUNTERS, [instance.place_id])


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    ABSENT = "absent", "Absent"
    APOLOGIES = "apologies", "Apologies"


ATTENDED_STATUSES = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]


class Attendance(models.Model):
    """Whether a participant was at a session."""

    hub_path = "session__work_group__hub"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(
        max_length=10, choices=AttendanceStatus, default=AttendanceStatus.PRESENT
    )

    class Meta:
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"],
                name="attendance_once_per_session",
                violation_error_message="Attendance for this person is already recorded.",
            )
        ]

    def __str__(self):
        return f"{self.registration.user} — {self.get_status_display()}"


class MilestoneTerm(models.TextChoices):
    SHORT = "short", "Short term"
    MEDIUM = "medium", "Medium term"
    LONG = "long", "Long term"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Milestone(models.Model):
    """A step in a Targeted Support in Maths action plan."""

    hub_path = "work_group__hub"

    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="milestones")
    term = models.CharField(max_length=10, choices=MilestoneTerm)
    description = models.CharField("what", max_length=500)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MilestoneStatus, default=MilestoneStatus.NOT_STARTED
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["work_group", "due_on", "pk"]

    def __str__(self):
        return self.description


def validate_notes_by_area(value) -> None:
    """Outcome notes are text keyed by outcome area code (the lead's form writes them)."""
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValidationError(
            'Give the notes as {"area code": "notes"}, or leave them empty.',
            code="invalid_notes",
        )


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Finished"


class SessionRecord(models.Model):
    """A lead's record of a session: what happened, what changed, and the task set for next time."""

    hub_path = "session__work_group__hub"

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="record")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    what_was_done = models.TextField(blank=True)
    observed = models.TextField("what was observed in lessons", blank=True)
    refined = models.TextField("how lessons were refined", blank=True)
    outcome_notes = CheckedJSONField(
        default=dict,
        blank=True,
        validators=[validate_notes_by_area],
        help_text="Notes keyed by outcome area code.",
    )
    gap_task = models.TextField("between-session task", blank=True)
    status = models.CharField(max_length=10, choices=RecordStatus, default=RecordStatus.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Record of {self.session}"


class GapTaskResponse(models.Model):
    """What a teacher did in class between sessions, and their reflection on it."""

    hub_path = "registration__work_group__hub"

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="gap_task_responses"
    )
    session_record = models.ForeignKey(
        SessionRecord, on_delete=models.CASCADE, related_name="responses"
    )
    what_i_did = models.TextField("what I did in class")
    reflection = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session_record"],
                name="one_gap_task_response_per_person",
                violation_error_message="You have already responded to this task.",
            )
        ]

    def __str__(self):
        return f"{self.registration.user} on {self.session_record}"


def new_invitation_code():
    return secrets.token_urlsafe(9)


class Invitation(models.Model):
    """A code a hub issues so a school may join an invitation-only group."""

    hub_path = "work_group__hub"

    work_group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="invitations")
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text="Leave empty for a code any eligible school may use.",
    )
    code = models.CharField(max_length=32, unique=True, default=new_invitation_code)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.code


class NominationStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class Nomination(models.Model):
    """A colleague a confirmed school leader named for a role in the school's place, by email.

    Naming only invites: the named person sees the invitation on their registrations page
    (``user`` is set once an account with the address exists) and is registered only when they
    accept it. Someone without an account is emailed an invitation to sign up first.
    """

    hub_path = "place__work_group__hub"

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="nominations")
    email = models.EmailField()
    role = models.ForeignKey(ParticipantRole, on_delete=models.CASCADE, related_name="+")
    invitation_code = models.CharField(max_length=32, blank=True)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="nominations_made"
    )
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nominations_received",
        help_text="The named person's account, once there is one.",
    )
    status = models.CharField(
        max_length=20, choices=NominationStatus, default=NominationStatus.INVITED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="An invitation not answered by then lapses."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.SET_NULL, related_name="nomination"
    )

    class Meta:
        ordering = ["place", "created_at"]
        indexes = [
            models.Index(fields=["email"]),
            models.Index(fields=["invited_by", "created_at"]),
        ]
        constraints = [
            # A declined invitation is not sent again to the same place.
            models.UniqueConstraint(
                fields=["place", "email"],
                condition=Q(status__in=["invited", "declined"]),
                name="one_invitation_per_email_per_place",
                violation_error_message="This colleague has already been invited to this place.",
            )
        ]

    def __str__(self):
        return f"{self.email} for {self.place}"

    @property
    def is_claimed(self) -> bool:
        return self.registration_id is not None


class ReminderSent(models.Model):
    """A reminder emailed to a person, so each is sent once however often the job runs.

    ``key`` names what it was about (a session, a task, a day's approvals), as
    ``workgroups.reminders`` writes it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="one_reminder_per_thing")
        ]

    def __str__(self):
        return f"{self.kind} {self.key} to {self.user_id}"
