import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import (
    PlaceFactory,
    ProjectFactory,
    RegistrationFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    WorkGroupFactory,
)
from workgroups import services
from workgroups.models import (
    Place,
    PlaceStatus,
    Registration,
    RegistrationStatus,
    WorkGroup,
    WorkGroupStatus,
)

pytestmark = pytest.mark.django_db


def teacher_at(school=None, **kwargs):
    return TeacherFactory(school=school or SchoolFactory(), **kwargs)


def test_first_teacher_takes_a_confirmed_place_for_their_school(django_capture_on_commit_callbacks):
    group = WorkGroupFactory(capacity=2)
    teacher = teacher_at()

    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(user=teacher, work_group=group)

    assert registration.status == RegistrationStatus.ACTIVE
    assert registration.place.school == teacher.school
    assert registration.place.status == PlaceStatus.CONFIRMED
    assert registration.role.name == "Lead participant"
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    assert "confirmed" in mail.outbox[0].subject


def test_colleague_joins_the_schools_existing_place():
    group = WorkGroupFactory(capacity=1)
    school = SchoolFactory()
    first = services.register(user=teacher_at(school), work_group=group)

    second = services.register(user=teacher_at(school), work_group=group)

    assert second.place == first.place
    assert Place.objects.filter(work_group=group).count() == 1


def test_role_limit_stops_a_third_lead_participant_from_one_school():
    group = WorkGroupFactory(capacity=3)
    school = SchoolFactory()
    services.register(user=teacher_at(school), work_group=group)
    services.register(user=teacher_at(school), work_group=group)

    with pytest.raises(services.RegistrationError) as error:
        services.register(user=teacher_at(school), work_group=group)

    assert "already filled every role" in str(error.value)
    assert Registration.objects.filter(work_group=group).count() == 2


def test_named_role_is_refused_when_its_places_are_taken_but_another_role_is_free():
    project = ProjectFactory(roles=[("Reception teacher", 1), ("Maths lead", 1)])
    reception, maths_lead = project.roles.all()
    group = WorkGroupFactory(project=project)
    school = SchoolFactory()
    services.register(user=teacher_at(school), work_group=group, role=reception)

    with pytest.raises(services.RegistrationError) as error:
        services.register(user=teacher_at(school), work_group=group, role=reception)
    joined = services.register(user=teacher_at(school), work_group=group)

    assert "reception teacher places are all taken" in str(error.value)
    assert joined.role == maths_lead


def test_school_joins_the_waiting_list_when_the_group_is_full(django_capture_on_commit_callbacks):
    group = WorkGroupFactory(capacity=1)
    services.register(user=teacher_at(), work_group=group)

    with django_capture_on_commit_callbacks(execute=True):
        late = services.register(user=teacher_at(), work_group=group)

    group.refresh_from_db()
    assert late.place.status == PlaceStatus.WAITLISTED
    assert group.status == WorkGroupStatus.FULL
    assert "waiting list" in mail.outbox[-1].subject
    assert "position 1" in mail.outbox[-1].body


def test_projects_needing_approval_leave_new_places_pending():
    group = WorkGroupFactory(project=ProjectFactory(requires_approval=True))

    registration = services.register(user=teacher_at(), work_group=group)

    assert registration.place.status == PlaceStatus.PENDING


def test_refused_registration_changes_nothing_and_gives_every_reason():
    group = WorkGroupFactory(status=WorkGroupStatus.DRAFT)
    teacher = UserFactory(school=None)

    with pytest.raises(services.RegistrationError) as error:
        services.register(user=teacher, work_group=group)

    assert len(error.value.reasons) == 2
    assert "Add your school" in error.value.reasons[0]
    assert "not taking registrations" in error.value.reasons[1]
    assert not Place.objects.exists()
    assert not Registration.objects.exists()


def test_registering_twice_creates_one_registration():
    group = WorkGroupFactory()
    teacher = teacher_at()
    services.register(user=teacher, work_group=group)

    with pytest.raises(services.RegistrationError) as error:
        services.register(user=teacher, work_group=group)

    assert "already registered for this group" in str(error.value)
    assert Registration.objects.filter(user=teacher).count() == 1


def test_last_participant_leaving_frees_the_place_and_promotes_the_first_waitlisted_school(
    django_capture_on_commit_callbacks,
):
    group = WorkGroupFactory(capacity=1)
    leaving = services.register(user=teacher_at(), work_group=group)
    first_waiting = services.register(user=teacher_at(), work_group=group)
    second_waiting = services.register(user=teacher_at(), work_group=group)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(registration=leaving)

    leaving.refresh_from_db()
    first_waiting.place.refresh_from_db()
    second_waiting.place.refresh_from_db()
    assert leaving.status == RegistrationStatus.WITHDRAWN
    assert leaving.place.status == PlaceStatus.WITHDRAWN
    assert first_waiting.place.status == PlaceStatus.CONFIRMED
    assert second_waiting.place.status == PlaceStatus.WAITLISTED
    subjects = {tuple(m.to): m.subject for m in mail.outbox}
    assert "withdrawn" in subjects[(leaving.user.email,)]
    assert "place" in subjects[(first_waiting.user.email,)]
    assert "confirmed" in subjects[(first_waiting.user.email,)]


def test_withdrawing_one_of_two_colleagues_keeps_the_schools_place():
    group = WorkGroupFactory(capacity=1)
    school = SchoolFactory()
    first = services.register(user=teacher_at(school), work_group=group)
    services.register(user=teacher_at(school), work_group=group)
    waiting = services.register(user=teacher_at(), work_group=group)

    services.withdraw(registration=first)

    first.place.refresh_from_db()
    waiting.place.refresh_from_db()
    assert first.place.status == PlaceStatus.CONFIRMED
    assert waiting.place.status == PlaceStatus.WAITLISTED


def test_withdrawing_twice_is_harmless():
    registration = services.register(user=teacher_at(), work_group=WorkGroupFactory())
    services.withdraw(registration=registration)

    again = services.withdraw(registration=registration)

    assert again.status == RegistrationStatus.WITHDRAWN


def test_waiting_list_is_promoted_in_the_order_schools_asked():
    group = WorkGroupFactory(capacity=0)
    asked = [services.register(user=teacher_at(), work_group=group).place for _ in range(3)]
    group.capacity = 2
    group.save()

    promoted = services.promote_from_waitlist(work_group=group)

    assert promoted == asked[:2]
    assert Place.objects.get(pk=asked[2].pk).status == PlaceStatus.WAITLISTED


def test_confirming_a_pending_place_is_refused_when_the_group_is_full():
    group = WorkGroupFactory(capacity=1, project=ProjectFactory(requires_approval=True))
    pending = services.register(user=teacher_at(), work_group=group).place
    PlaceFactory(work_group=group, status=PlaceStatus.CONFIRMED)

    with pytest.raises(services.RegistrationError) as error:
        services.confirm_place(place=pending)

    assert "is full" in str(error.value)
    pending.refresh_from_db()
    assert pending.status == PlaceStatus.PENDING


def test_declining_a_place_withdraws_its_participants(django_capture_on_commit_callbacks):
    group = WorkGroupFactory(project=ProjectFactory(requires_approval=True))
    registration = services.register(user=teacher_at(), work_group=group)

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_place(place=registration.place)

    registration.refresh_from_db()
    assert registration.place.status == PlaceStatus.DECLINED
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert "not confirmed" in mail.outbox[-1].subject


def test_database_refuses_a_second_active_place_for_one_school_in_a_group():
    place = PlaceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceFactory(work_group=place.work_group, school=place.school)


def test_database_refuses_a_second_active_registration_for_one_person_in_a_group():
    registration = RegistrationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(place=registration.place, user=registration.user)


@pytest.mark.parametrize("status", [WorkGroupStatus.COMPLETED, WorkGroupStatus.CANCELLED])
def test_nobody_withdraws_from_a_finished_group_and_the_record_stays(client, status):
    registration = RegistrationFactory(place=PlaceFactory(work_group=WorkGroupFactory()))
    WorkGroup.objects.filter(pk=registration.work_group_id).update(status=status)

    with pytest.raises(services.RegistrationError) as error:
        services.withdraw(registration=registration)
    assert "nothing to withdraw from" in error.value.reasons[0]

    client.force_login(registration.user)
    page = client.get(reverse("workgroups:my_registrations")).content.decode()
    assert reverse("workgroups:withdraw", args=[registration.pk]) not in page
    client.post(reverse("workgroups:withdraw", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ACTIVE
