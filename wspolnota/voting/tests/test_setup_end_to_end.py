"""The whole story on an edition the budget office set up from nothing through its pages:
residents submit and support, the office verifies (assigned in bulk on its page), publishes the
list, residents vote, the count is published and the winner's implementation is opened.

The office's set-up goes through the pages (the test client; the browser test drives the same
pages in Chromium); the residents' steps go through the services the existing pages call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import services as budget_services
from wspolnota.budget.models import (
    FORMAL_CHECKLIST,
    MERIT_CHECKLIST,
    Edition,
    Phase,
    ProjectStatus,
    ReviewStage,
)
from wspolnota.budget.tests.factories import move_to_phase, pool_for, submitted_project, support
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting import services
from wspolnota.voting.models import VotingPoint
from wspolnota.voting.tests.factories import cast_online, close_vote, confirmed, identity_of

pytestmark = pytest.mark.django_db


def _ok(response) -> None:
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_edition_set_up_through_the_pages_runs_from_submission_to_a_published_winner(krakow):
    unit = CityUnitFactory()
    official = UserFactory(district=krakow[2])
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    office = Client()
    office.force_login(official)
    year = timezone.now().year + 7

    # The office sets the edition up, page by page.
    _ok(
        office.post(
            reverse("budget:edition_new"),
            {
                "year": year,
                "name": f"BO {year}",
                "total_budget": "3000000",
                "coordinating_unit": unit.pk,
            },
        )
    )
    start = timezone.localtime() - timedelta(hours=1)
    phases = {}
    for position, kind in enumerate(Phase.values):
        begins = start + timedelta(days=10 * position)
        phases[f"{kind}__starts_at"] = begins.strftime("%Y-%m-%dT%H:%M")
        phases[f"{kind}__ends_at"] = (begins + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    _ok(office.post(reverse("budget:edition_phases", args=[year]), phases))
    pools_url = reverse("budget:setup_pools", args=[year])
    # (pools go in before submission opens; the calendar above opened it an hour ago, so the
    # page refuses — the office moves submission a day later, adds the pools, moves it back)
    refused = office.post(
        pools_url, {"budget": "2000000", "min_project_cost": "1000", "max_project_cost": "500000"}
    )
    assert refused.status_code == 400
    assert "Zgłaszanie projektów już się rozpoczęło" in refused.content.decode()
    later = dict(phases)
    later["submission__starts_at"] = (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    _ok(office.post(reverse("budget:edition_phases", args=[year]), later))
    _ok(
        office.post(
            pools_url,
            {"budget": "2000000", "min_project_cost": "1000", "max_project_cost": "500000"},
        )
    )
    _ok(
        office.post(
            pools_url,
            {
                "district": krakow[1].pk,
                "budget": "1000000",
                "min_project_cost": "1000",
                "max_project_cost": "500000",
            },
        )
    )
    _ok(
        office.post(
            reverse("budget:edition_setup", args=[year]),
            {
                "name": f"BO {year}",
                "total_budget": "3000000",
                "is_published": "on",
                "supporters_required": 2,
                "support_days": 10,
                "supporters_from_district": "on",
                "short_description_min": 60,
                "short_description_max": 250,
                "appeal_days": 10,
            },
        )
    )
    _ok(office.post(reverse("budget:edition_phases", args=[year]), phases))
    rules_url = reverse("voting:setup_rules", args=[year])
    _ok(
        office.post(
            rules_url,
            {
                "save": "1",
                "ballot_kind": "krakow",
                "picks_per_pool": "3",
                "approval_max": "5",
                "cumulative_points": "10",
                "counting_rule": "greedy",
            },
        )
    )
    _ok(office.post(rules_url, {"fix": "1"}))
    for name, district in (("Biblioteka", krakow[1]), ("Urząd Dzielnicy", krakow[18])):
        _ok(
            office.post(
                reverse("voting:setup_points", args=[year]),
                {"name": name, "address": "ul. Rajska 1", "district": district.pk, "hours": "9–17"},
            )
        )
    assert VotingPoint.objects.filter(edition__year=year).count() == 2
    edition = Edition.objects.prefetch_related("phases").get(year=year)

    # Residents submit and support.
    author = UserFactory(district=krakow[1])
    local = pool_for(edition, 1)
    winner = submitted_project(author=author, pool=local, title="Zielona alejka")
    other = submitted_project(author=author, pool=local, title="Ławki przy szkole")
    citywide = submitted_project(author=author, pool=pool_for(edition, None), title="Rowery")
    for project in (winner, other, citywide):
        for _ in range(2):
            support(user=UserFactory(district=krakow[1]), project=project)

    # The office assigns verification in bulk on its page, then verifies.
    edition = move_to_phase(edition, Phase.VERIFICATION)
    _ok(
        office.post(
            reverse("budget:setup_verification", args=[year]),
            {
                "projects": [winner.pk, other.pk, citywide.pk],
                "unit": unit.pk,
                "official": official.pk,
            },
        )
    )
    for project in (winner, other, citywide):
        project.refresh_from_db()
        assert project.status == ProjectStatus.IN_VERIFICATION
        formal = project.reviews.get(stage=ReviewStage.FORMAL)
        budget_services.review_complete(
            actor=official,
            review=formal,
            checklist={k: True for k, _ in FORMAL_CHECKLIST},
            passed=True,
        )
        merit = budget_services.review_assign(actor=official, project=project, unit=unit)
        budget_services.review_complete(
            actor=official,
            review=merit,
            checklist={k: True for k, _ in MERIT_CHECKLIST},
            passed=True,
        )
        budget_services.verification_decide(
            actor=official, project=project, positive=True, reasons="Spełnia wymogi."
        )
    edition = move_to_phase(edition, Phase.FINAL_LIST)
    assert budget_services.final_list_publish(actor=official, edition=edition) == 3

    # Residents vote; the office closes the box, counts and publishes.
    edition = move_to_phase(edition, Phase.VOTING)
    edition = (
        Edition.objects.select_related("voting_rules").prefetch_related("phases").get(pk=edition.pk)
    )
    services.ballot_cache_clear()
    for index in range(3):
        cast_online(
            edition,
            confirmed(UserFactory(district=krakow[1])),
            identity_of(edition, index),
            krakow[1],
            {
                pool_for(edition, None).pk: [(citywide.pk, 0)],
                local.pk: [(winner.pk, 0), (other.pk, 0)],
            },
        )
    edition = close_vote(edition)
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    services.results_publish(actor=official, edition=edition, at=timezone.now())

    from wspolnota.implementation.models import Implementation

    assert Implementation.objects.filter(project=winner).exists()
    page = Client().get(reverse("voting:pool_results", args=[year, local.pk])).content.decode()
    assert "Zielona alejka" in page
