"""factory_boy factories for every model; each builds a valid, minimal object."""

import datetime
import time

import factory
from allauth.mfa import app_settings as mfa_settings
from django.utils import timezone

from evaluations.models import EvaluationStatus, WorkGroupEvaluation
from participants import mfa as staff_mfa
from participants.models import (
    LLME,
    ClaimStatus,
    Hub,
    HubMembership,
    HubRole,
    LocalAuthority,
    Phase,
    Region,
    School,
    SchoolLeaderClaim,
    User,
    UserRole,
)
from projects.models import AcademicYear, ActivityType, Offer, ParticipantRole, Project
from workgroups.models import (
    Place,
    PlaceStatus,
    Registration,
    Session,
    SessionRecord,
    WorkGroup,
    WorkGroupStatus,
)


# Reference rows come from data migrations (conftest puts them back after a flush).
def region(name="Yorkshire and the Humber"):
    return Region.objects.get(name=name)


def phase(code="primary"):
    return Phase.objects.get(code=code)


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    name = factory.Sequence(lambda n: f"Test {n} Maths Hub")
    slug = factory.Sequence(lambda n: f"test-{n}-maths-hub")
    region = factory.LazyFunction(region)
    contact_email = factory.Sequence(lambda n: f"hub{n}@example.org")


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    name = factory.Sequence(lambda n: f"Borough {n}")
    region = factory.LazyFunction(region)
    hub = factory.SubFactory(HubFactory)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 100000 + n)
    name = factory.Sequence(lambda n: f"School {n} Primary")
    phase = "primary"
    type_group = "Local authority maintained schools"
    is_state_funded = True
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    region = factory.LazyAttribute(lambda o: o.local_authority.region)
    hub = factory.LazyAttribute(lambda o: o.local_authority.hub)
    town = "Leeds"
    postcode = "LS1 1AA"
    fsm_percentage = 20


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = UserRole.TEACHER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class TeacherFactory(UserFactory):
    school = factory.SubFactory(SchoolFactory)


# Staff need an authenticator to use the admin and the reports (participants.mfa); the staff
# factories give them one with this secret unless told ``mfa=False``.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(user: User, secret: str = TOTP_SECRET) -> User:
    """Give ``user`` an authenticator app whose codes ``totp_code(secret)`` computes."""
    staff_mfa.enrol_totp(user, secret)
    return user


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None, margin: float = 2) -> str:
    """The code an authenticator app with ``secret`` shows now (or at the Unix time ``at``).

    Now, a code with under ``margin`` seconds left to run is not given: it waits for the next,
    as a person would, so the site (which takes only the current code) never sees it expire
    between typing and checking."""
    if at is None:
        period = mfa_settings.TOTP_PERIOD
        left = period - time.time() % period
        if left < margin:
            time.sleep(left + 0.1)
    return staff_mfa.totp_code(secret, at=at)


class NationalAdminFactory(UserFactory):
    """The national team, with an authenticator (``mfa=False`` for none)."""

    is_staff = True
    is_superuser = True
    is_national_team = True

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            enrol_totp(obj)


class HubMembershipFactory(factory.django.DjangoModelFactory):
    """Hub staff; the user has an authenticator unless told ``mfa=False``."""

    class Meta:
        model = HubMembership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, is_staff=True)
    hub = factory.SubFactory(HubFactory)
    role = HubRole.HUB_MANAGER

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        if create and extracted is not False and not staff_mfa.has_authenticator(obj.user):
            enrol_totp(obj.user)


class LLMEFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LLME

    user = factory.SubFactory(UserFactory)
    hub = factory.SubFactory(HubFactory)


class AcademicYearFactory(factory.django.DjangoModelFactory):
    """Defaults to the school year that contains today."""

    class Meta:
        model = AcademicYear
        django_get_or_create = ("label",)

    class Params:
        start_year = factory.LazyFunction(
            lambda: timezone.localdate().year - (1 if timezone.localdate().month < 9 else 0)
        )

    label = factory.LazyAttribute(lambda o: AcademicYear.label_for(o.start_year))
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.start_year, 9, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.start_year + 1, 8, 31))


class ProjectFactory(factory.django.DjangoModelFactory):
    """A Work Group project with one role, 'Lead participant', up to two per school."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"NCP-{n:03d}")
    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    summary = "A national collaborative project."
    activity_type = ActivityType.WORK_GROUP
    state_funded_only = True

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if not create:
            return
        for order, (name, limit) in enumerate(extracted or [("Lead participant", 2)]):
            ParticipantRole.objects.create(
                project=obj, name=name, max_per_school=limit, order=order
            )


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    project = factory.SubFactory(ProjectFactory)
    hub = factory.SubFactory(HubFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)


class WorkGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkGroup

    project = factory.SubFactory(ProjectFactory)
    hub = factory.SubFactory(HubFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    capacity = 6
    status = WorkGroupStatus.RECRUITING


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    work_group = factory.SubFactory(WorkGroupFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    venue = "Hilltop Primary School"  # face-to-face, the default: somewhere to go


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    work_group = factory.SubFactory(WorkGroupFactory)
    school = factory.SubFactory(SchoolFactory)
    status = PlaceStatus.CONFIRMED
    requested_at = factory.LazyFunction(timezone.now)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    place = factory.SubFactory(PlaceFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..place.school"))
    role = factory.LazyAttribute(lambda o: o.place.work_group.project.roles.first())


class SessionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionRecord

    session = factory.SubFactory(SessionFactory)
    what_was_done = "Planned a lesson on place value together."
    gap_task = "Teach the planned lesson and note how pupils respond."


class WorkGroupEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkGroupEvaluation

    work_group = factory.SubFactory(WorkGroupFactory)
    key_findings = "Teachers used representations more confidently."


def signed_off_evaluation(work_group, **fields) -> WorkGroupEvaluation:
    """A submitted evaluation of the group, signed off by its hub's staff through the service,
    so everything sign-off does (locking the group's evidence) has happened."""
    from evaluations.services import sign_off_evaluation

    evaluation = WorkGroupEvaluationFactory(
        work_group=work_group, status=EvaluationStatus.SUBMITTED, **fields
    )
    reviewer = HubMembershipFactory(hub=work_group.hub).user
    return sign_off_evaluation(evaluation, by=reviewer)


class SchoolLeaderClaimFactory(factory.django.DjangoModelFactory):
    """A claim to lead the person's own school; confirmed unless told another ``status``."""

    class Meta:
        model = SchoolLeaderClaim

    user = factory.SubFactory(TeacherFactory, role=UserRole.SCHOOL_LEADER)
    school = factory.LazyAttribute(lambda o: o.user.school)
    status = ClaimStatus.CONFIRMED
    decided_at = factory.LazyAttribute(
        lambda o: None if o.status == ClaimStatus.PENDING else timezone.now()
    )


def school_leader(school=None, status=ClaimStatus.CONFIRMED, **fields) -> User:
    """A teacher whose profile says they lead ``school``, with a claim in ``status``
    (``None`` for no claim at all)."""
    user = TeacherFactory(
        role=UserRole.SCHOOL_LEADER, **({"school": school} if school else {}), **fields
    )
    if status is not None:
        SchoolLeaderClaimFactory(user=user, status=status)
    return user
