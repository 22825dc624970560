"""Formal check, public remarks, conflicts of interest, scoring, ranking, awards and results."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ApplicationStatus,
    Assessment,
    Award,
    CallStatus,
    ProgrammeKind,
)
from wspolnota.grants.tests.factories import (
    make_application,
    make_call,
    make_member,
    make_programme,
    score,
)
from wspolnota.organisations.models import Membership, MembershipRole, VerificationStatus
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def in_assessment(call, applicant=None, **kwargs):
    return make_application(
        call,
        applicant or OrganisationFactory(),
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=kwargs.pop("submitted_at", timezone.now()),
        **kwargs,
    )


# --- formal check and remarks ------------------------------------------------------------------------


def test_the_formal_check_is_audit_logged_and_a_rejection_needs_a_reason(
    official, django_capture_on_commit_callbacks
):
    call = make_call(created_by=official)
    applicant = OrganisationFactory()
    application = make_application(call, applicant, status=ApplicationStatus.SUBMITTED)
    with pytest.raises(GrantsError) as caught:
        services.formal_check(actor=official, application=application, passed=False)
    assert caught.value.field == "note"
    with django_capture_on_commit_callbacks(execute=True):
        services.formal_check(
            actor=official, application=application, passed=False, note="Brak podpisu"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FORMALLY_REJECTED
    entry = AuditLogEntry.objects.get(action="grants.formal_rejected")
    assert entry.actor == official and entry.reason == "Brak podpisu"
    assert mail.outbox[0].to == [applicant.created_by.email]
    assert "Brak podpisu" in mail.outbox[0].body


@pytest.mark.parametrize("persona", ["resident", "ngo_member", "moderator", "auditor"])
def test_only_officials_check_applications(request, persona):
    application = make_application(make_call(), OrganisationFactory(), status="submitted")
    with pytest.raises(GrantsError):
        services.formal_check(
            actor=request.getfixturevalue(persona), application=application, passed=True
        )


def test_officials_of_another_unit_do_not_manage_the_call(official):
    from wspolnota.tests_support.factories import CityUnitFactory

    call = make_call(city_unit=CityUnitFactory())
    application = make_application(call, OrganisationFactory(), status="submitted")
    with pytest.raises(GrantsError):
        services.formal_check(actor=official, application=application, passed=True)


def test_a_small_grant_offer_is_published_for_7_days_of_remarks_before_any_decision(
    official, resident
):
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT), created_by=official)
    application = make_application(call, OrganisationFactory(), grant=8_000, status="submitted")
    now = timezone.now()
    services.formal_check(actor=official, application=application, passed=True, at=now)
    application.refresh_from_db()
    assert application.remarks_until == now + timedelta(days=7)
    assert list(selectors.offers_for_remarks(at=now + timedelta(hours=1))) == [application]
    services.remark_add(
        user=resident,
        application=application,
        text="Świetny pomysł",
        author_name="",
        at=now + timedelta(days=1),
    )
    with pytest.raises(GrantsError) as caught:
        services.award_grant(
            actor=official,
            application=application,
            amount=Decimal(8_000),
            at=now + timedelta(days=6, hours=23),
        )
    assert caught.value.code == "remarks_running"
    with pytest.raises(GrantsError) as caught:
        services.remark_add(
            user=resident,
            application=application,
            text="Za późno",
            author_name="",
            at=now + timedelta(days=7, seconds=1),
        )
    assert caught.value.code == "remarks_closed"
    services.award_grant(
        actor=official,
        application=application,
        amount=Decimal(8_000),
        at=now + timedelta(days=7, seconds=1),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWARDED
    assert application.remarks.get().author_name == resident.full_name


def test_the_public_remarks_page_takes_remarks_from_anyone_who_signs(client, resident):
    now = timezone.now()
    application = in_assessment(
        make_call(make_programme(ProgrammeKind.SMALL_GRANT)),
        grant=5_000,
        remarks_from=now - timedelta(days=1),
        remarks_until=now + timedelta(days=6),
    )
    url = f"/pl/granty/uwagi/{application.pk}/"
    assert client.get(url).status_code == 200
    # Without an account a signature is needed (art. 19a ust. 4: anyone may send remarks).
    assert client.post(url, {"text": "Uwaga"}).status_code == 400
    assert not application.remarks.exists()
    client.force_login(resident)
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "Proszę o godziny popołudniowe"}).status_code == 302
    assert application.remarks.get().text == "Proszę o godziny popołudniowe"


# --- conflicts of interest and scoring ---------------------------------------------------------------


def test_a_declared_conflict_blocks_scoring():
    call = make_call()
    member = make_member(call)
    application = in_assessment(call)
    with pytest.raises(GrantsError) as caught:
        services.assessment_save(user=member.user, application=application, points={})
    assert caught.value.code == "declaration_missing"
    with pytest.raises(GrantsError) as caught:
        services.conflict_declare(user=member.user, application=application, has_conflict=True)
    assert caught.value.field == "explanation"
    services.conflict_declare(
        user=member.user, application=application, has_conflict=True, explanation="Mój brat"
    )
    criteria = list(call.criteria.all())
    with pytest.raises(GrantsError) as caught:
        services.assessment_save(
            user=member.user,
            application=application,
            points={c.pk: Decimal(5) for c in criteria},
            submit=True,
        )
    assert caught.value.code == "conflict_declared"
    assert not Assessment.objects.exists()
    # A declaration is corrected, never silently replaced: the trail keeps the first wording.
    corrected = services.conflict_declare(
        user=member.user, application=application, has_conflict=False
    )
    assert corrected.history[0]["explanation"] == "Mój brat"
    assert AuditLogEntry.objects.filter(action="grants.conflict_declared").count() == 1
    assert AuditLogEntry.objects.filter(action="grants.conflict_corrected").count() == 1


def test_a_member_who_acts_for_the_applicant_cannot_declare_no_conflict():
    call = make_call()
    applicant = OrganisationFactory()
    member = make_member(call)
    Membership.objects.create(organisation=applicant, user=member.user, role=MembershipRole.MEMBER)
    application = in_assessment(call, applicant)
    with pytest.raises(GrantsError) as caught:
        services.conflict_declare(user=member.user, application=application, has_conflict=False)
    assert caught.value.code == "conflict_membership"


def test_scores_stay_within_each_criterion_and_a_submitted_assessment_is_final():
    call = make_call()
    member = make_member(call)
    application = in_assessment(call)
    services.conflict_declare(user=member.user, application=application, has_conflict=False)
    first, second, third = call.criteria.all()
    with pytest.raises(GrantsError) as caught:
        services.assessment_save(
            user=member.user, application=application, points={first.pk: Decimal(11)}
        )
    assert str(caught.value) == (f"Kryterium „{first.name}”: liczba punktów musi być od 0 do 10.")
    services.assessment_save(
        user=member.user, application=application, points={first.pk: Decimal(8)}, comment="wstępnie"
    )
    with pytest.raises(GrantsError) as caught:
        services.assessment_save(
            user=member.user, application=application, points={first.pk: Decimal(8)}, submit=True
        )
    assert caught.value.code == "points_missing"
    assessment = services.assessment_save(
        user=member.user,
        application=application,
        points={first.pk: Decimal(8), second.pk: Decimal("7.5"), third.pk: Decimal(9)},
        submit=True,
    )
    assert assessment.total == Decimal("24.5")
    with pytest.raises(GrantsError) as caught:
        services.assessment_save(
            user=member.user, application=application, points={first.pk: Decimal(1)}
        )
    assert caught.value.code == "assessment_submitted"
    assert AuditLogEntry.objects.get(action="grants.assessment_submitted").after["total"] == "24.50"


def test_only_commission_members_assess():
    call = make_call()
    application = in_assessment(call)
    with pytest.raises(GrantsError) as caught:
        services.conflict_declare(user=UserFactory(), application=application, has_conflict=False)
    assert caught.value.code == "not_in_commission"


def test_the_assessment_page_asks_for_the_declaration_first(client):
    call = make_call()
    member = make_member(call)
    application = in_assessment(call)
    client.force_login(member.user)
    url = f"/pl/granty/ocena/{application.pk}/"
    body = client.get(url).content.decode()
    assert "Złóż oświadczenie" in body and "Złóż ocenę" not in body
    assert client.post(url, {"declare": "1", "has_conflict": "no"}).status_code == 302
    body = client.get(url).content.decode()
    assert "Złóż ocenę" in body
    points = {f"points_{c.pk}": "9" for c in call.criteria.all()}
    bad = client.post(url, {**points, f"points_{call.criteria.first().pk}": "12", "submit": "1"})
    assert bad.status_code == 400 and 'value="12"' in bad.content.decode()
    assert client.post(url, {**points, "submit": "1"}).status_code == 302
    assert Assessment.objects.get().total == 27


# --- ranking -------------------------------------------------------------------------------------------


def test_the_ranking_averages_submitted_assessments_and_shares_ranks_on_ties(
    django_assert_max_num_queries,
):
    call = make_call()
    members = [make_member(call) for _ in range(3)]
    now = timezone.now()
    first = in_assessment(call, title="A", submitted_at=now - timedelta(hours=3))
    second = in_assessment(call, title="B", submitted_at=now - timedelta(hours=2))
    third = in_assessment(call, title="C", submitted_at=now - timedelta(hours=1))
    lonely = in_assessment(call, title="D")
    for member, pts in zip(members, ([8, 8, 8], [9, 9, 9], [10, 10, 10]), strict=True):
        score(member, first, pts)
        score(member, second, pts)
    score(members[0], third, [10, 10, 10])
    score(members[1], third, [10, 10, 10])
    score(members[0], lonely, [1, 1, 1])
    Assessment.objects.create(member=members[2], application=third, total=None)  # a draft
    with django_assert_max_num_queries(2):
        rows = selectors.call_ranking(call)
    assert [(r.application.title, r.rank, r.score, r.assessments, r.tied) for r in rows] == [
        ("C", 1, Decimal(30), 2, False),
        ("A", 2, Decimal(27), 3, True),
        ("B", 2, Decimal(27), 3, True),
        ("D", 4, Decimal(3), 1, False),
    ]
    assert [r.passes for r in rows] == [True, True, True, False]


def test_the_local_initiative_threshold_is_60_points():
    call = make_call(make_programme(ProgrammeKind.LOCAL_INITIATIVE))
    members = [make_member(call) for _ in range(2)]
    passing = in_assessment(call, title="tak", own=100)
    failing = in_assessment(call, title="nie", own=100)
    for member in members:
        score(member, passing, [30, 25, 5])
        score(member, failing, [30, 24, 5])
    rows = {r.application.title: r for r in selectors.call_ranking(call)}
    assert (rows["tak"].score, rows["tak"].passes) == (Decimal(60), True)
    assert (rows["nie"].score, rows["nie"].passes) == (Decimal(59), False)


# --- awards --------------------------------------------------------------------------------------------


def scored(call, amount, *, points=(9, 9, 9), applicant=None):
    application = in_assessment(call, applicant, grant=amount)
    for member in call.commission.all():
        score(member, application, list(points))
    return application


@pytest.fixture
def call_with_commission(official):
    call = make_call(pool=10_000, created_by=official)
    make_member(call)
    make_member(call)
    return call


def test_an_award_is_audit_logged_and_notified(
    official, call_with_commission, django_capture_on_commit_callbacks
):
    application = scored(call_with_commission, 4_000)
    with django_capture_on_commit_callbacks(execute=True):
        award = services.award_grant(actor=official, application=application, amount=Decimal(4_000))
    assert award.amount == Decimal(4_000)
    entry = AuditLogEntry.objects.get(action="grants.awarded")
    assert entry.after["award_amount"] == "4000.00" and entry.before["status"] == "in_assessment"
    assert "4000" in mail.outbox[-1].body.replace("\xa0", "").replace(" ", "")


def test_partial_funding_needs_a_justification_and_never_more_than_requested(
    official, call_with_commission
):
    application = scored(call_with_commission, 4_000)
    with pytest.raises(GrantsError) as caught:
        services.award_grant(actor=official, application=application, amount=Decimal(4_500))
    assert caught.value.code == "award_above_request"
    with pytest.raises(GrantsError) as caught:
        services.award_grant(actor=official, application=application, amount=Decimal(3_000))
    assert caught.value.code == "partial_reason"
    services.award_grant(
        actor=official,
        application=application,
        amount=Decimal(3_000),
        justification="Bez kosztów cateringu",
    )
    assert Award.objects.get().amount == Decimal(3_000)


def test_awards_never_exceed_the_pool(official, call_with_commission):
    first = scored(call_with_commission, 5_000)
    second = scored(call_with_commission, 5_000)
    third = scored(call_with_commission, 5_000)
    services.award_grant(actor=official, application=first, amount=Decimal(5_000))
    services.award_grant(
        actor=official, application=second, amount=Decimal(4_000), justification="mniej"
    )
    with pytest.raises(GrantsError) as caught:
        services.award_grant(
            actor=official, application=third, amount=Decimal(1_500), justification="x"
        )
    assert (
        str(caught.value)
        == "W puli naboru zostało 1\xa0000,00 zł; nie można przyznać 1\xa0500,00 zł."
    )
    services.award_grant(
        actor=official, application=third, amount=Decimal(1_000), justification="x"
    )
    assert selectors.call_pool(call_with_commission).remaining == 0


def test_an_award_needs_enough_assessments_and_the_threshold(official):
    call = make_call(make_programme(ProgrammeKind.LOCAL_INITIATIVE), created_by=official)
    members = [make_member(call) for _ in range(2)]
    application = in_assessment(call, own=100)
    score(members[0], application, [40, 40, 10])
    with pytest.raises(GrantsError) as caught:
        services.award_grant(
            actor=official, application=application, amount=application.requested_amount
        )
    assert str(caught.value) == "Złożone oceny: 1; potrzeba co najmniej 2."
    score(members[1], application, [10, 10, 0])
    with pytest.raises(GrantsError) as caught:
        services.award_grant(
            actor=official, application=application, amount=application.requested_amount
        )
    assert str(caught.value) == "Wniosek uzyskał 55 pkt, mniej niż próg 60 pkt."


def test_an_award_needs_a_verified_applicant_and_a_live_application(official, call_with_commission):
    pending = OrganisationFactory(status=VerificationStatus.PENDING)
    application = scored(call_with_commission, 2_000, applicant=pending)
    with pytest.raises(GrantsError) as caught:
        services.award_grant(actor=official, application=application, amount=Decimal(2_000))
    assert caught.value.code == "applicant_not_verified"
    services.application_refuse(actor=official, application=application, reason="Brak weryfikacji")
    with pytest.raises(GrantsError) as caught:
        services.award_grant(actor=official, application=application, amount=Decimal(2_000))
    assert caught.value.code == "already_decided"


def test_the_small_grant_yearly_limit_is_kept_at_award_time(official):
    programme = make_programme(ProgrammeKind.SMALL_GRANT, commission_required=False)
    applicant = OrganisationFactory()
    now = timezone.now()
    for amount in (10_000, 9_000, 5_000):
        call = make_call(programme, created_by=official)
        application = in_assessment(
            call,
            applicant,
            grant=amount,
            remarks_from=now - timedelta(days=8),
            remarks_until=now - timedelta(days=1),
        )
        if amount == 5_000:
            with pytest.raises(GrantsError) as caught:
                services.award_grant(
                    actor=official, application=application, amount=Decimal(amount)
                )
            assert caught.value.code == "yearly_cap"
        else:
            services.award_grant(actor=official, application=application, amount=Decimal(amount))


# --- results ------------------------------------------------------------------------------------------


def test_results_are_published_once_every_application_is_decided(
    client, official, call_with_commission
):
    call = call_with_commission
    winner = scored(call, 4_000)
    loser = scored(call, 4_000, points=(1, 1, 1))
    services.call_close(actor=official, call=call)
    services.award_grant(actor=official, application=winner, amount=Decimal(4_000))
    with pytest.raises(GrantsError) as caught:
        services.call_publish_results(actor=official, call=call)
    assert str(caught.value).endswith("(zostało: 1).")
    assert winner.title not in client.get(f"/pl/granty/nabory/{call.pk}/wyniki/").content.decode()
    services.application_refuse(actor=official, application=loser, reason="Za mało punktów")
    services.call_publish_results(actor=official, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.RESULTS
    body = client.get(f"/pl/granty/nabory/{call.pk}/wyniki/").content.decode()
    assert winner.number in body and "4\xa0000,00 zł" in body and "nie przyznano" in body
    assert AuditLogEntry.objects.filter(action="grants.results_published").exists()


def test_the_office_page_awards_and_keeps_the_amount_typed_on_errors(
    client_for, official, call_with_commission
):
    application = scored(call_with_commission, 4_000)
    client = client_for("anonymous")
    client.force_login(official)
    url = f"/pl/granty/urzad/wnioski/{application.pk}/"
    bad = client.post(url, {"award": "1", "amount": "3500", "justification": ""})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Przy częściowym dofinansowaniu podaj uzasadnienie." in body
    assert 'value="3500"' in body
    ok = client.post(url, {"award": "1", "amount": "3500", "justification": "Bez druku"})
    assert ok.status_code == 302
    assert Award.objects.get().amount == Decimal(3_500)


def test_a_remark_by_an_account_without_a_name_never_prints_its_email(client):
    """Issue 15: the remark was signed with the account's e-mail, shown on the public page."""
    now = timezone.now()
    application = in_assessment(
        make_call(make_programme(ProgrammeKind.SMALL_GRANT)),
        grant=5_000,
        remarks_from=now - timedelta(days=1),
        remarks_until=now + timedelta(days=6),
    )
    url = f"/pl/granty/uwagi/{application.pk}/"
    nameless = UserFactory(full_name="", email="bez.nazwiska@example.org")
    client.force_login(nameless)
    response = client.post(url, {"text": "Proszę o zajęcia w soboty"})
    assert "bez.nazwiska@example.org" not in client.get(url).content.decode()
    assert not application.remarks.filter(author_name__icontains="@").exists()
    # A signature is asked for instead (art. 19a ust. 4: a remark is signed).
    assert response.status_code == 400
    assert client.post(url, {"text": "Soboty", "author_name": "B. N."}).status_code == 302
    assert "B. N." in client.get(url).content.decode()
