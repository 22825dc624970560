"""Verification, corrections, cost, merging, appeals and the final list: services and pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.models import (
    FORMAL_CHECKLIST,
    MERIT_CHECKLIST,
    Phase,
    ProjectStatus,
    ReviewResult,
    ReviewStage,
)
from wspolnota.budget.tests.factories import (
    content,
    move_to_phase,
    pool_for,
    submitted_project,
    support,
)
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_FORMAL = {key: True for key, _label in FORMAL_CHECKLIST}
ALL_MERIT = {key: True for key, _label in MERIT_CHECKLIST}


def _with_supporters(project, krakow, n=15):
    for _ in range(n):
        support(
            user=UserFactory(
                district=krakow[project.pool.district.number if project.pool.district else 1]
            ),
            project=project,
        )
    project.refresh_from_db()
    return project


def _official_of(unit, krakow):
    user = UserFactory(district=krakow[3])
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return user


@pytest.fixture
def verified_ready(edition, resident, official, krakow):
    """A project with its supporters, in verification, formal check passed."""
    project = _with_supporters(
        submitted_project(author=resident, pool=pool_for(edition, 1)), krakow
    )
    unit = official.role_assignments.get().city_unit
    services.verification_start(actor=official, project=project, unit=unit, official=official)
    formal = project.reviews.get(stage=ReviewStage.FORMAL)
    services.review_complete(actor=official, review=formal, checklist=ALL_FORMAL, passed=True)
    project.refresh_from_db()
    return project


def test_verification_waits_for_supporters_or_the_end_of_the_support_period(
    edition, resident, official
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    unit = official.role_assignments.get().city_unit
    with pytest.raises(BudgetError, match="ma go za mało"):
        services.verification_start(actor=official, project=project, unit=unit)
    later = project.support_deadline + timedelta(minutes=1)
    services.verification_start(actor=official, project=project, unit=unit, at=later)
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_VERIFICATION
    assert project.reviews.get().stage == ReviewStage.FORMAL


def test_a_merit_review_belongs_to_the_assigned_unit(edition, verified_ready, official, krakow):
    edition.coordinating_unit = official.role_assignments.get().city_unit
    edition.save()
    greenery = CityUnitFactory(code="ZZM", name="Zarząd Zieleni Miejskiej")
    gardener = _official_of(greenery, krakow)
    roads = _official_of(CityUnitFactory(code="ZDMK"), krakow)
    review = services.review_assign(
        actor=official, project=verified_ready, unit=greenery, official=gardener
    )
    with pytest.raises(BudgetError):
        services.review_complete(actor=roads, review=review, checklist=ALL_MERIT, passed=True)
    with pytest.raises(BudgetError, match="wszystkich punktów"):
        services.review_complete(
            actor=gardener, review=review, checklist={"legality": True}, passed=True
        )
    with pytest.raises(BudgetError, match="Ta jednostka ma już"):
        services.review_assign(actor=official, project=verified_ready, unit=greenery)
    services.review_complete(
        actor=gardener, review=review, checklist=ALL_MERIT, passed=True, notes="OK"
    )
    review.refresh_from_db()
    assert review.result == ReviewResult.PASSED and review.completed_by == gardener
    assert AuditLogEntry.objects.filter(action="budget.review_completed", actor=gardener).exists()


def test_a_positive_outcome_needs_every_review_passed(verified_ready, official):
    with pytest.raises(BudgetError, match="co najmniej jednej oceny merytorycznej"):
        services.verification_decide(
            actor=official, project=verified_ready, positive=True, reasons="Dobry"
        )
    unit = official.role_assignments.get().city_unit
    merit = services.review_assign(actor=official, project=verified_ready, unit=unit)
    services.review_complete(actor=official, review=merit, checklist=ALL_MERIT, passed=True)
    with pytest.raises(BudgetError, match="uzasadnienie"):
        services.verification_decide(
            actor=official, project=verified_ready, positive=True, reasons=" "
        )
    with mock.patch("wspolnota.budget.services.notify") as notify:
        services.verification_decide(
            actor=official, project=verified_ready, positive=True, reasons="Spełnia wymogi."
        )
    verified_ready.refresh_from_db()
    assert verified_ready.status == ProjectStatus.VERIFIED_POSITIVE
    assert notify.call_args.kwargs["recipient"] == verified_ready.author
    assert notify.call_args.kwargs["kind"] == "budget.project_status"


def test_a_correction_request_returns_with_the_authors_new_version(
    verified_ready, official, resident
):
    with mock.patch("wspolnota.budget.services.notify") as notify:
        request = services.correction_request(
            actor=official, project=verified_ready, message="Podaj numer działki.", days=7
        )
    assert notify.call_args.kwargs["context"]["reason"] == "Podaj numer działki."
    verified_ready.refresh_from_db()
    assert verified_ready.status == ProjectStatus.CORRECTION_REQUESTED
    with pytest.raises(BudgetError, match="Autor ma jeszcze czas"):
        services.verification_decide(
            actor=official, project=verified_ready, positive=False, reasons="Brak"
        )
    services.project_update(
        actor=resident,
        project=verified_ready,
        content=content(verified_ready.pool, address="Planty, działka 12/3 obręb 1"),
    )
    verified_ready.refresh_from_db()
    request.refresh_from_db()
    assert verified_ready.status == ProjectStatus.IN_VERIFICATION
    assert request.answered_version.address == "Planty, działka 12/3 obręb 1"
    assert not request.answered_version.is_draft


def test_a_correction_after_the_deadline_is_refused(verified_ready, official, resident):
    services.correction_request(
        actor=official, project=verified_ready, message="Popraw koszt.", days=1
    )
    verified_ready.refresh_from_db()
    late = timezone.now() + timedelta(days=2)
    with pytest.raises(BudgetError, match="Termin na poprawki minął"):
        services.project_update(
            actor=resident, project=verified_ready, content=content(verified_ready.pool), at=late
        )
    services.verification_decide(
        actor=official, project=verified_ready, positive=False, reasons="Brak poprawek.", at=late
    )
    verified_ready.refresh_from_db()
    assert verified_ready.status == ProjectStatus.VERIFIED_NEGATIVE


def test_officials_reestimate_the_cost_and_the_limit_still_applies(verified_ready, official):
    with pytest.raises(BudgetError, match="Podaj powód"):
        services.cost_reestimate(
            actor=official, project=verified_ready, verified_cost=Decimal("120000"), reason=""
        )
    services.cost_reestimate(
        actor=official,
        project=verified_ready,
        verified_cost=Decimal("1500000"),
        reason="Ceny z przetargów 2025.",
    )
    entry = AuditLogEntry.objects.get(action="budget.cost_reestimated")
    assert entry.before["verified_cost"] is None and entry.after["verified_cost"] == "1500000.00"
    unit = official.role_assignments.get().city_unit
    merit = services.review_assign(actor=official, project=verified_ready, unit=unit)
    services.review_complete(actor=official, review=merit, checklist=ALL_MERIT, passed=True)
    with pytest.raises(BudgetError, match="przekracza limit puli"):
        services.verification_decide(
            actor=official, project=verified_ready, positive=True, reasons="OK"
        )


def test_similar_projects_merge_only_with_both_authors_consent(edition, official, resident, krakow):
    pool = pool_for(edition, 1)
    other_author = UserFactory(district=krakow[1])
    target = _with_supporters(submitted_project(author=resident, pool=pool), krakow)
    source = _with_supporters(
        submitted_project(author=other_author, pool=pool, title="Ławki na Plantach"), krakow
    )
    proposal = services.merge_propose(
        actor=official, source=source, target=target, reason="To samo miejsce."
    )
    with pytest.raises(BudgetError, match="już czeka"):
        services.merge_propose(actor=official, source=source, target=target, reason="Znowu")
    with pytest.raises(BudgetError):
        services.merge_answer(user=official, proposal=proposal, consent=True)
    services.merge_answer(user=resident, proposal=proposal, consent=True)
    source.refresh_from_db()
    assert source.status == ProjectStatus.SUBMITTED
    services.merge_answer(user=other_author, proposal=proposal, consent=True)
    source.refresh_from_db()
    proposal.refresh_from_db()
    assert source.status == ProjectStatus.MERGED and source.merged_into == target
    assert proposal.completed_at is not None


def test_a_refused_merge_changes_nothing(edition, official, resident, krakow):
    pool = pool_for(edition, 1)
    target = submitted_project(author=resident, pool=pool)
    source = submitted_project(author=UserFactory(district=krakow[1]), pool=pool)
    proposal = services.merge_propose(
        actor=official, source=source, target=target, reason="Podobne"
    )
    services.merge_answer(user=source.author, proposal=proposal, consent=False)
    source.refresh_from_db()
    assert source.status == ProjectStatus.SUBMITTED and proposal.is_declined
    with pytest.raises(BudgetError, match="już odpowiedziano"):
        services.merge_answer(user=resident, proposal=proposal, consent=True)


def _negative(project, official, at=None):
    services.verification_decide(
        actor=official,
        project=project,
        positive=False,
        reasons="Teren nie należy do miasta.",
        at=at,
    )
    project.refresh_from_db()
    return project


def test_an_appeal_goes_to_the_council_then_the_mayor_and_can_reinstate_the_project(
    verified_ready, official, resident
):
    project = _negative(verified_ready, official)
    appeal = services.appeal_submit(
        actor=resident, project=project, justification="Działka jest miejska: KW KR1P/1."
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPEALED
    with pytest.raises(BudgetError, match="po rekomendacji"):
        services.appeal_decide(actor=official, appeal=appeal, decision="accepted", reasons="x")
    services.appeal_recommend(
        actor=official,
        appeal=appeal,
        meeting_on=timezone.localdate(),
        recommendation="uphold",
        reasons="Zgodnie z KW.",
    )
    services.appeal_decide(
        actor=official, appeal=appeal, decision="accepted", reasons="Teren jest miejski."
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.VERIFIED_POSITIVE
    actions = list(
        AuditLogEntry.objects.filter(object_type="budget.appeal").values_list("action", flat=True)
    )
    assert actions == ["budget.appeal_recommended", "budget.appeal_decided"]
    with pytest.raises(BudgetError, match="zapadła już decyzja"):
        services.appeal_decide(actor=official, appeal=appeal, decision="rejected", reasons="x")


def test_an_appeal_is_refused_after_ten_days_or_twice(
    verified_ready, official, resident, resident_other_district
):
    project = _negative(verified_ready, official)
    late = project.verified_at + timedelta(days=10, minutes=1)
    with pytest.raises(BudgetError, match="Termin na odwołanie minął"):
        services.appeal_submit(actor=resident, project=project, justification="x", at=late)
    with pytest.raises(BudgetError):
        services.appeal_submit(actor=resident_other_district, project=project, justification="x")
    services.appeal_submit(actor=resident, project=project, justification="Proszę o ponowną ocenę.")
    project.refresh_from_db()
    with pytest.raises(BudgetError):
        services.appeal_submit(actor=resident, project=project, justification="Jeszcze raz")


def test_the_final_list_waits_for_open_cases_and_appeal_windows(
    edition, verified_ready, official, resident, krakow
):
    unit = official.role_assignments.get().city_unit
    merit = services.review_assign(actor=official, project=verified_ready, unit=unit)
    services.review_complete(actor=official, review=merit, checklist=ALL_MERIT, passed=True)
    services.verification_decide(
        actor=official, project=verified_ready, positive=True, reasons="OK"
    )
    rejected = _with_supporters(
        submitted_project(author=resident, pool=pool_for(edition, 1), title="Inny"), krakow
    )
    services.verification_start(actor=official, project=rejected, unit=unit)
    with pytest.raises(BudgetError, match="można ogłosić od"):
        services.final_list_publish(actor=official, edition=edition)
    edition = move_to_phase(edition, Phase.FINAL_LIST)
    with pytest.raises(BudgetError, match="1 projektów czeka"):
        services.final_list_publish(actor=official, edition=edition)
    edition.appeal_days = 3
    edition.save()
    _negative(rejected, official)
    with pytest.raises(BudgetError, match="termin na odwołanie"):
        services.final_list_publish(actor=official, edition=edition)
    count = services.final_list_publish(
        actor=official, edition=edition, at=timezone.now() + timedelta(days=4)
    )
    assert count == 1
    verified_ready.refresh_from_db()
    assert verified_ready.status == ProjectStatus.ON_BALLOT
    with pytest.raises(BudgetError):
        services.final_list_publish(actor=official, edition=edition)


def test_the_verification_page_runs_each_step_and_keeps_bad_input(
    client_for, verified_ready, official
):
    client = client_for("anonymous")
    client.force_login(official)
    url = f"/pl/budzet-obywatelski/projekty/{verified_ready.pk}/weryfikacja/"
    page = client.get(url)
    assert page.status_code == 200 and "Wezwij autora do poprawek" in page.content.decode()
    bad = client.post(
        url, {"action": "cost", "cost-verified_cost": "dużo", "cost-reason": "Przetarg"}
    )
    assert bad.status_code == 400
    assert 'value="dużo"' in bad.content.decode() and "Wpisz liczbę" in bad.content.decode()
    ok = client.post(
        url, {"action": "cost", "cost-verified_cost": "95 000,50", "cost-reason": "Przetarg"}
    )
    assert ok.status_code == 302
    verified_ready.refresh_from_db()
    assert verified_ready.verified_cost == Decimal("95000.50")
    sent = client.post(
        url, {"action": "correction", "correction-message": "Dodaj mapkę.", "correction-days": "5"}
    )
    assert sent.status_code == 302
    verified_ready.refresh_from_db()
    assert verified_ready.status == ProjectStatus.CORRECTION_REQUESTED
    assert client.post(url, {"action": "nonsense"}).status_code == 403


def test_residents_and_other_districts_councillors_do_not_see_the_verification_file(
    client_for, verified_ready, krakow
):
    url = f"/pl/budzet-obywatelski/projekty/{verified_ready.pk}/weryfikacja/"
    assert client_for("resident").get(url).status_code == 403
    assert (
        client_for("district_councillor").get(url).status_code == 200
    )  # district I: this project's
    councillor_elsewhere = UserFactory(district=krakow[5])
    RoleAssignmentFactory(
        user=councillor_elsewhere, role=Role.DISTRICT_COUNCILLOR, district=krakow[5]
    )
    client = client_for("anonymous")
    client.force_login(councillor_elsewhere)
    assert client.get(url).status_code == 403
    councillor_page = client_for("district_councillor").post(url, {"action": "cost"})
    assert councillor_page.status_code == 403
