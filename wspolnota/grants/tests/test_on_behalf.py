"""Keying in from paper (issue 17): a grant application that came by post or to a counter, a
registration in the registry, a public remark on a small-grant offer sent by post or phoned in,
and decisions that reach a person without an account the way they chose.

Each finding is an attack on the code as it stood (nothing could be keyed in: only an account
holder acted for an applicant). The act on behalf obeys the online rules — the call's deadline
(checked against the moment the paper was *received*), one application per applicant and call,
the remarks window — records the channel and the clerk, and is audit-logged; a clerk of another
unit is refused.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.grants import limits, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    Application,
    ApplicationStatus,
    Call,
    ExpectedResult,
    ProgrammeKind,
    Remark,
    ScheduleItem,
)
from wspolnota.grants.tests.factories import (
    COMPLETE_DECLARATIONS,
    budget_line,
    make_application,
    make_call,
    make_programme,
)
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    PersonRole,
)
from wspolnota.organisations.services import organisation_register, person_add
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import (
    counter_access,
    counter_clerk_of,
    kept_person,
    official_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(krakow: Any) -> Call:
    """A micro-grant call of its own unit, open since yesterday, closing in 30 days."""
    unit = CityUnitFactory(code="WSS")
    return make_call(make_programme(ProgrammeKind.MICRO_GRANT, created_by=official_of(unit)))


@pytest.fixture
def clerk(call: Call) -> Any:
    return counter_clerk_of(call.city_unit)


@pytest.fixture
def person(krakow: Any) -> Any:
    return kept_person(reply_channel="letter")


@pytest.fixture
def ngo(person: Any) -> Organisation:
    """An NGO whose representative is the person without an account."""
    return OrganisationFactory(created_by=person)


def _letters_to(person: Any) -> list[Any]:
    """The letters queued for the person by ``reply_to_person`` (printed later in batches)."""
    from wspolnota.communication.models import OutboxMessage

    return list(OutboxMessage.objects.filter(user=person, channel="letter").order_by("id"))


def _fill(application: Application) -> Application:
    """What the clerk copies from the paper form: the texts, the budget, the schedule, results."""
    start = timezone.localdate() + timedelta(days=10)
    Application.objects.filter(pk=application.pk).update(
        summary="Zajęcia dla dzieci na podwórku przy ul. Mogilskiej.",
        description="Cykl zajęć sportowych i plastycznych.",
        residents_contribution="Sąsiedzi malują ławki.",
        experience="Od 5 lat prowadzimy zajęcia podwórkowe.",
        start_date=start,
        end_date=start + timedelta(days=29),
        public_task_sphere="local_community",
        contact_name="Janina Żółkiewska",
        contact_phone="+48126161200",
        social_change="Sąsiedzi lepiej się znają.",
        resources="Dwóch animatorów, sala.",
        declarations=dict(COMPLETE_DECLARATIONS),
    )
    application.refresh_from_db()
    budget_line(application, 1, grant=2_000)
    ScheduleItem.objects.create(
        application=application,
        position=1,
        action="Zajęcia",
        start_date=application.start_date,
        end_date=application.end_date,
    )
    ExpectedResult.objects.create(
        application=application, position=1, description="Uczestnicy", target="40 osób"
    )
    totals = limits.budget_totals(application.budget_lines.all())
    application.requested_amount = totals.grant
    application.save()
    return application


# --- A paper application -------------------------------------------------------------------------


def test_a_clerk_keys_in_a_paper_application_filed_as_of_its_receipt(call, clerk, person, ngo):
    received = timezone.now() - timedelta(hours=3)
    post = OnBehalf(clerk=clerk, channel=Channel.POST)
    application = services.application_start(
        user=person,
        call=call,
        applicant=ngo,
        title="Podwórkowe lato",
        on_behalf=post,
        received_at=received,
    )
    assert (application.channel, application.keyed_by) == (Channel.POST, clerk)
    assert application.received_at == received and application.created_by == person
    _fill(application)
    # the clerk goes on keying the draft and files it, for the person, as of the receipt
    services.application_update(
        user=clerk,
        application=application,
        title="Podwórkowe lato 2027",
        summary=application.summary,
        description=application.description,
        start_date=application.start_date,
        end_date=application.end_date,
        residents_contribution=application.residents_contribution,
        experience=application.experience,
    )
    services.application_submit(user=clerk, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at == received
    assert application.submitted_by == person
    assert application.number
    keyed = AuditLogEntry.objects.get(action="grants.application_keyed_in")
    assert keyed.actor == clerk and keyed.after["channel"] == "post"
    filed = AuditLogEntry.objects.get(action="grants.application_submitted")
    assert filed.actor == clerk
    # one application per applicant and call, as online
    with pytest.raises(GrantsError) as caught:
        services.application_start(
            user=person,
            call=call,
            applicant=ngo,
            title="Drugi",
            on_behalf=post,
            received_at=received,
        )
    assert caught.value.code == "duplicate"


def test_a_receipt_stamp_in_the_future_is_refused(call, clerk, person, ngo):
    deadline = timezone.now() + timedelta(days=2)
    Call.objects.filter(pk=call.pk).update(closes_at=deadline)
    call.refresh_from_db()
    with pytest.raises(GrantsError) as caught:
        services.application_start(
            user=person,
            call=call,
            applicant=ngo,
            title="Za późno",
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.POST),
            # a receipt stamp after the deadline (keyed today, while the call is still open)
            received_at=deadline + timedelta(hours=1),
        )
    # nothing that has not happened yet can have been received
    assert caught.value.code == "received_future"
    assert not Application.objects.exists()


def test_a_paper_received_on_time_is_filed_after_the_deadline_one_received_late_is_not(
    call, clerk, person, ngo
):
    deadline = timezone.now() - timedelta(hours=1)
    Call.objects.filter(pk=call.pk).update(
        opens_at=deadline - timedelta(days=20), closes_at=deadline
    )
    call.refresh_from_db()
    post = OnBehalf(clerk=clerk, channel=Channel.POST)
    with pytest.raises(GrantsError) as caught:
        services.application_start(
            user=person,
            call=call,
            applicant=ngo,
            title="Za późno",
            on_behalf=post,
            received_at=deadline + timedelta(minutes=1),
        )
    assert caught.value.code == "call_not_open"
    assert "po terminie" in str(caught.value)
    with pytest.raises(GrantsError) as caught:
        services.application_start(
            user=person,
            call=call,
            applicant=ngo,
            title="Za wcześnie",
            on_behalf=post,
            received_at=call.opens_at - timedelta(days=1),
        )
    assert caught.value.code == "call_not_open"
    on_time = services.application_start(
        user=person,
        call=call,
        applicant=ngo,
        title="Na czas",
        on_behalf=post,
        received_at=deadline - timedelta(hours=2),
    )
    _fill(on_time)
    services.application_submit(user=clerk, application=on_time)
    on_time.refresh_from_db()
    assert on_time.status == ApplicationStatus.SUBMITTED
    # the person themself could not file online any more: the call is past its deadline
    online = make_application(call, OrganisationFactory())
    with pytest.raises(GrantsError):
        services.application_submit(user=online.applicant.created_by, application=online)
    # once officials close the call for assessment, no paper is keyed in any more
    services.call_close(actor=official_of(call.city_unit), call=call)
    call.refresh_from_db()
    with pytest.raises(GrantsError) as caught:
        services.application_start(
            user=person,
            call=call,
            applicant=OrganisationFactory(created_by=person),
            title="Po zamknięciu",
            on_behalf=post,
            received_at=deadline - timedelta(hours=3),
        )
    assert caught.value.code == "call_not_open"


def test_a_clerk_of_another_unit_or_a_resident_cannot_key_in_an_application(call, person, ngo):
    for intruder in (counter_clerk_of(CityUnitFactory()), UserFactory(), person):
        with pytest.raises(GrantsError) as caught:
            services.application_start(
                user=person,
                call=call,
                applicant=ngo,
                title="Cudzy",
                on_behalf=OnBehalf(clerk=intruder, channel=Channel.COUNTER),
                received_at=timezone.now(),
            )
        assert caught.value.code == "not_allowed"
    assert not Application.objects.exists()


def test_a_clerk_cannot_key_in_for_an_applicant_the_person_does_not_represent(call, clerk, person):
    stranger = OrganisationFactory()
    with pytest.raises(GrantsError) as caught:
        services.application_start(
            user=person,
            call=call,
            applicant=stranger,
            title="Cudzy",
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.COUNTER),
            received_at=timezone.now(),
        )
    assert caught.value.code == "not_representative"


def test_a_clerk_cannot_edit_or_file_an_applicants_online_draft(call, clerk):
    online = make_application(call, OrganisationFactory())
    with pytest.raises(GrantsError) as caught:
        services.application_update(user=clerk, application=online, title="Podmiana")
    assert caught.value.code == "not_allowed"
    with pytest.raises(GrantsError) as caught:
        services.application_submit(user=clerk, application=online)
    assert caught.value.code == "not_allowed"
    online.refresh_from_db()
    assert online.status == ApplicationStatus.DRAFT and online.title == "Podwórkowe lato"


def test_a_decision_reaches_a_person_without_an_account_by_letter(
    call, clerk, person, ngo, django_capture_on_commit_callbacks
):
    application = services.application_start(
        user=person,
        call=call,
        applicant=ngo,
        title="Podwórkowe lato",
        on_behalf=OnBehalf(clerk=clerk, channel=Channel.POST),
        received_at=timezone.now() - timedelta(hours=1),
    )
    _fill(application)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(user=clerk, application=application)
    with django_capture_on_commit_callbacks(execute=True):
        services.formal_check(
            actor=official_of(call.city_unit),
            application=application,
            passed=False,
            note="Brak podpisu drugiego członka zarządu",
        )
    letters = _letters_to(person)
    assert len(letters) == 2  # the receipt, then the decision
    assert "Brak podpisu drugiego członka zarządu" in letters[1].body
    assert "http" not in letters[1].body


# --- A registration ------------------------------------------------------------------------------


def test_a_clerk_registers_an_informal_group_for_a_person_and_keys_in_its_members(krakow, person):
    clerk = counter_clerk_of(CityUnitFactory())
    counter = OnBehalf(clerk=clerk, channel=Channel.COUNTER)
    group = organisation_register(
        user=person,
        kind=OrganisationKind.INFORMAL_GROUP,
        name="Sąsiedzi z Mogilskiej",
        street_address="ul. Mogilska 5",
        postal_code="31-545",
        city="Kraków",
        on_behalf=counter,
    )
    assert (group.channel, group.keyed_by) == (Channel.COUNTER, clerk)
    assert Membership.objects.get(organisation=group).user == person
    assert Membership.objects.get(organisation=group).role == MembershipRole.REPRESENTATIVE
    entry = AuditLogEntry.objects.get(action="organisations.registered_on_behalf")
    assert entry.actor == clerk
    # the person has no account to add the group's adults: the clerk keys them in
    from datetime import date

    person_add(
        actor=clerk,
        organisation=group,
        full_name="Janina Żółkiewska",
        role=PersonRole.GROUP_LEADER,
        birth_date=date(1950, 1, 1),
    )
    # the same rules as online: birth dates of a group's members are required
    with pytest.raises(OrganisationsError):
        person_add(
            actor=clerk, organisation=group, full_name="Bez Daty", role=PersonRole.GROUP_MEMBER
        )
    # but a clerk does not touch an entry its own representatives keep online
    online = OrganisationFactory()
    with pytest.raises(OrganisationsError):
        person_add(
            actor=clerk,
            organisation=online,
            full_name="Ktoś Obcy",
            role=PersonRole.BOARD_MEMBER,
        )


def test_a_resident_cannot_register_an_applicant_for_someone_else(krakow, person):
    with pytest.raises(OrganisationsError):
        organisation_register(
            user=person,
            kind=OrganisationKind.INFORMAL_GROUP,
            name="Podszyci",
            on_behalf=OnBehalf(clerk=UserFactory(), channel=Channel.PHONE),
        )
    assert not Organisation.objects.filter(name="Podszyci").exists()


# --- A public remark on a small-grant offer -----------------------------------------------------


@pytest.fixture
def offer(krakow: Any) -> Application:
    """A small-grant offer published for remarks from 10 days ago for 7 days (now closed)."""
    unit = CityUnitFactory(code="WSS")
    official = official_of(unit)
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=official))
    application = make_application(call, OrganisationFactory(), grant=8_000, status="submitted")
    published = timezone.now() - timedelta(days=10)
    services.formal_check(actor=official, application=application, passed=True, at=published)
    application.refresh_from_db()
    return application


def test_a_remark_sent_by_post_within_the_window_is_keyed_in_after_it(offer, person):
    clerk = counter_clerk_of(offer.call.city_unit)
    post = OnBehalf(clerk=clerk, channel=Channel.POST)
    assert offer.remarks_until is not None and offer.remarks_until < timezone.now()
    remark = services.remark_add(
        user=person,
        application=offer,
        text="Plac zabaw przy Mogilskiej jest już remontowany.",
        author_name="",
        on_behalf=post,
        received_at=offer.remarks_until - timedelta(hours=2),
    )
    assert (remark.channel, remark.keyed_by) == (Channel.POST, clerk)
    assert remark.author == person and remark.author_name == person.full_name
    assert AuditLogEntry.objects.get(action="grants.remark_keyed_in").actor == clerk
    # received after the window: refused, with the window in the message
    with pytest.raises(GrantsError) as caught:
        services.remark_add(
            user=person,
            application=offer,
            text="Za późno",
            author_name="",
            on_behalf=post,
            received_at=offer.remarks_until + timedelta(minutes=1),
        )
    assert caught.value.code == "remarks_closed"
    # dated in the future, or with no date at all: refused
    for received in (timezone.now() + timedelta(days=1), None):
        with pytest.raises(GrantsError):
            services.remark_add(
                user=person,
                application=offer,
                text="Z przyszłości",
                author_name="",
                on_behalf=post,
                received_at=received,
            )
    assert Remark.objects.count() == 1


def test_no_remark_is_keyed_in_after_the_decision_nor_by_a_clerk_of_another_unit(offer, person):
    with pytest.raises(GrantsError) as caught:
        services.remark_add(
            user=person,
            application=offer,
            text="Cudza jednostka",
            author_name="",
            on_behalf=OnBehalf(clerk=counter_clerk_of(CityUnitFactory()), channel=Channel.PHONE),
            received_at=offer.remarks_from + timedelta(hours=1),
        )
    assert caught.value.code == "not_allowed"
    services.award_grant(
        actor=official_of(offer.call.city_unit), application=offer, amount=Decimal(8_000)
    )
    offer.refresh_from_db()
    with pytest.raises(GrantsError) as caught:
        services.remark_add(
            user=person,
            application=offer,
            text="Po decyzji",
            author_name="",
            on_behalf=OnBehalf(clerk=counter_clerk_of(offer.call.city_unit), channel=Channel.PHONE),
            received_at=offer.remarks_from + timedelta(hours=1),
        )
    assert caught.value.code == "remarks_closed"
    assert not Remark.objects.exists()


# --- The counter page ----------------------------------------------------------------------------


def test_the_counter_page_keys_in_a_paper_application_and_refuses_a_late_one(
    client, call, clerk, person, ngo
):
    from django.urls import reverse

    counter_access(clerk, person)
    client.force_login(clerk)
    page = client.get(reverse("grants:counter", kwargs={"person_id": person.pk}))
    assert page.status_code == 200 and call.title in page.content.decode()
    url = reverse("grants:counter_application", kwargs={"person_id": person.pk})
    late = client.post(
        url,
        {
            "call": call.pk,
            "applicant": ngo.pk,
            "channel": "post",
            "received_at": (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
            "title": "Podwórkowe lato",
        },
    )
    assert late.status_code == 400
    assert "nie może być późniejsza niż teraz" in late.content.decode()
    assert "Podwórkowe lato" in late.content.decode()
    done = client.post(
        url,
        {
            "call": call.pk,
            "applicant": ngo.pk,
            "channel": "post",
            "received_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "title": "Podwórkowe lato",
        },
    )
    application = Application.objects.get()
    assert done.status_code == 302
    assert (application.channel, application.keyed_by) == (Channel.POST, clerk)
    # the clerk keys the rest on the draft's usual pages
    edit = client.get(reverse("grants:application_edit", args=[application.pk]))
    assert edit.status_code == 200
    detail = client.get(reverse("grants:application_detail", args=[application.pk]))
    assert "Wniosek papierowy" in detail.content.decode()


def test_residents_cannot_open_the_grants_counter_page(client, resident, person):
    from django.urls import reverse

    client.force_login(resident)
    assert client.get(reverse("grants:counter", kwargs={"person_id": person.pk})).status_code == 404


def test_a_clerk_registers_an_applicant_for_a_person_through_the_registry_form(client, person):
    from django.urls import reverse

    clerk = counter_clerk_of(CityUnitFactory())
    counter_access(clerk, person)
    client.force_login(clerk)
    url = reverse("organisations:register") + f"?rodzaj=informal_group&osoba={person.pk}"
    page = client.get(url)
    assert page.status_code == 200 and person.full_name in page.content.decode()
    done = client.post(
        url,
        {
            "kind": "informal_group",
            "name": "Sąsiedzi z Mogilskiej",
            "street_address": "ul. Mogilska 5",
            "postal_code": "31-545",
            "city": "Kraków",
            "channel": "counter",
        },
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    group = Organisation.objects.get(name="Sąsiedzi z Mogilskiej")
    assert (group.channel, group.keyed_by) == (Channel.COUNTER, clerk)
    assert Membership.objects.get(organisation=group).user == person


def test_the_counter_page_lists_the_persons_applications_and_links_to_key_in(
    call, clerk, person, ngo
):
    from wspolnota.grants.participation import actions, taking_part

    services.application_start(
        user=person,
        call=call,
        applicant=ngo,
        title="Podwórkowe lato",
        on_behalf=OnBehalf(clerk=clerk, channel=Channel.POST),
        received_at=timezone.now() - timedelta(hours=1),
    )
    rows = [row for row in taking_part(person=person) if "Podwórkowe lato" in row.what]
    assert len(rows) == 1 and rows[0].channel == Channel.POST.label
    assert any(ngo.name in row.what for row in taking_part(person=person))
    links = " ".join(a.url for a in actions(clerk=clerk, person=person, at=timezone.now()))
    assert f"/granty/okienko/{person.pk}/" in links and f"osoba={person.pk}" in links
    assert not [a for a in actions(clerk=UserFactory(), person=person) if "/granty/" in a.url]
