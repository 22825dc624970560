"""The resident's thread (issue 16): a project page says where the project is in its life, the
catalogue filters by those stages, results link to projects and implementations, and following a
project tells the follower of each step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wspolnota.budget import services
from wspolnota.budget.models import Edition, Pool, ProjectFollow, ProjectStatus
from wspolnota.budget.tests.factories import ProjectFactory, pool_for, submitted_project
from wspolnota.budget.tests.test_verification import (
    ALL_FORMAL,
    _negative,
    _with_supporters,
)
from wspolnota.communication.models import OutboxMessage
from wspolnota.implementation.models import Implementation
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import services as voting_services
from wspolnota.voting.tests.factories import (
    cast_online,
    close_vote,
    confirmed,
    identity_of,
    make_voting_edition,
    on_ballot,
)

pytestmark = pytest.mark.django_db


def _page(client: Client, project) -> str:
    response = client.get(reverse("budget:project_detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _thread(page: str) -> str:
    assert 'id="thread-title"' in page, "the page has no thread"
    return page.split('id="thread-title"')[1].split("</section>")[0]


@pytest.fixture
def verified_ready(edition, resident, official, krakow):
    """A project with its supporters, in verification, formal check passed."""
    project = _with_supporters(
        submitted_project(author=resident, pool=pool_for(edition, 1)), krakow
    )
    unit = official.role_assignments.get().city_unit
    services.verification_start(actor=official, project=project, unit=unit, official=official)
    formal = project.reviews.get(stage="formal")
    services.review_complete(actor=official, review=formal, checklist=ALL_FORMAL, passed=True)
    project.refresh_from_db()
    return project


@pytest.fixture
def voted(krakow, official) -> Edition:
    """An edition whose vote is open, three ballots cast; the citywide pool affords the first
    two projects (100,000 and 200,000 zł) only."""
    edition = make_voting_edition(districts=krakow, coordinator=official)
    Edition.objects.filter(pk=edition.pk).update(is_published=True)
    Pool.objects.filter(pk=pool_for(edition, None).pk).update(budget=350_000)
    for index in range(3):
        user = confirmed(UserFactory(district=krakow[1]))
        cast_online(edition, user, identity_of(edition, index), krakow[1])
    return edition


def _publish(edition, official) -> Edition:
    edition = close_vote(edition)
    voting_services.edition_count(actor=official, edition=edition, at=timezone.now())
    voting_services.results_publish(actor=official, edition=edition, at=timezone.now())
    return edition


def test_a_winning_project_page_shows_selected_points_rank_and_links_to_results_and_building(
    client, voted, official
):
    edition = _publish(voted, official)
    winner = on_ballot(edition, None)[0]
    implementation = Implementation.objects.get(project=winner)
    thread = _thread(_page(client, winner))
    assert "wybrany w głosowaniu" in thread
    assert "miejsce 1 z 4 w puli" in thread and "punkty: 9" in thread
    assert reverse("voting:pool_results", args=[edition.year, winner.pool_id]) in thread
    assert reverse("implementation:detail", args=[implementation.pk]) in thread
    assert "w realizacji" in thread and 'max="100" value="0"' in thread


def test_a_losing_project_page_says_not_selected_with_its_points(client, voted, official):
    edition = _publish(voted, official)
    loser = on_ballot(edition, None)[3]
    thread = _thread(_page(client, loser))
    assert "niewybrany w głosowaniu" in thread and "miejsce 4 z 4 w puli" in thread
    assert "implementation" not in thread.replace("/realizacja", "")


def test_the_project_page_shows_no_points_and_no_outcome_while_the_vote_is_open(client, voted):
    project = on_ballot(voted, None)[0]
    thread = _thread(_page(client, project))
    assert "Na liście do głosowania" in thread and "Głosowanie" in thread
    assert "wybrany" not in thread and "punkty" not in thread and "miejsce" not in thread


def test_a_rejected_project_page_shows_the_reasons_and_the_appeal(
    client, verified_ready, official, resident
):
    project = _negative(verified_ready, official)
    services.appeal_submit(
        actor=resident, project=project, justification="Działka jest miejska: KW KR1P/1."
    )
    thread = _thread(_page(client, project))
    assert "Zweryfikowany negatywnie" in thread and "Teren nie należy do miasta." in thread
    assert "Odwołanie" in thread and 'class="thread-step thread-current"' in thread


def test_the_catalogue_filters_by_selected_not_selected_built_and_done(client, voted, official):
    edition = _publish(voted, official)
    city = on_ballot(edition, None)
    Implementation.objects.filter(project=city[1]).update(status="completed", progress=100)
    url = reverse("budget:catalogue", args=[edition.year])

    def titles(stage: str) -> set[str]:
        page = client.get(url, {"status": stage, "pool": "citywide"}).content.decode()
        return {p.title for p in city if f">{p.title}</a>" in page}

    winners = {p.title for p in city if Implementation.objects.filter(project=p).exists()}
    assert winners and titles("selected") == winners
    assert titles("not_selected") == {p.title for p in city} - winners
    assert titles("completed") == {city[1].title}
    assert titles("in_progress") == winners - {city[1].title}
    page = client.get(url, {"pool": "citywide"}).content.decode()
    assert "zrealizowany" in page and "niewybrany w głosowaniu" in page


def test_before_publication_the_catalogue_stage_filters_find_nothing(client, voted):
    url = reverse("budget:catalogue", args=[voted.year])
    page = client.get(url, {"status": "selected"}).content.decode()
    assert "Znaleziono 0 projektów" in page


def test_the_catalogue_with_published_results_runs_the_same_number_of_queries(
    client, voted, official
):
    edition = _publish(voted, official)
    url = reverse("budget:catalogue", args=[edition.year])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for project in on_ballot(edition, 18)[:2]:
        Implementation.objects.filter(project=project).delete()
    for index in range(20):
        ProjectFactory(pool=pool_for(edition, 1), title=f"Kolejny projekt {index}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"per_page": 50})
    assert response.status_code == 200
    assert len(many) == len(few) <= 14


def test_the_results_page_links_each_winner_to_its_implementation(client, voted, official):
    edition = _publish(voted, official)
    winner = on_ballot(edition, None)[0]
    implementation = Implementation.objects.get(project=winner)
    page = client.get(
        reverse("voting:pool_results", args=[edition.year, winner.pool_id])
    ).content.decode()
    assert reverse("implementation:detail", args=[implementation.pk]) in page


def test_a_follower_hears_of_each_step_verification_vote_and_building(
    client, verified_ready, official, krakow, django_capture_on_commit_callbacks
):
    follower = UserFactory(district=krakow[5])
    client.force_login(follower)
    response = client.post(reverse("budget:project_follow", args=[verified_ready.pk]))
    assert response.status_code == 302
    assert ProjectFollow.objects.filter(project=verified_ready, user=follower).exists()
    with django_capture_on_commit_callbacks(execute=True):
        _negative(verified_ready, official)
    notices = OutboxMessage.objects.filter(user=follower, kind="budget.project_followed")
    assert notices.count() == 1 and "zweryfikowany negatywnie" in notices.get().subject
    # unfollowing stops the notices
    client.post(reverse("budget:project_follow", args=[verified_ready.pk]), {"stop": "1"})
    assert not ProjectFollow.objects.filter(project=verified_ready, user=follower).exists()


def test_followers_hear_the_vote_outcome_and_the_building(
    voted, official, krakow, django_capture_on_commit_callbacks
):
    winner = on_ballot(voted, None)[0]
    loser = on_ballot(voted, None)[3]
    follower = UserFactory(district=krakow[5])
    services.project_follow(user=follower, project=winner)
    services.project_follow(user=follower, project=loser)
    with django_capture_on_commit_callbacks(execute=True):
        edition = _publish(voted, official)
    subjects = set(
        OutboxMessage.objects.filter(user=follower, kind="budget.project_followed").values_list(
            "subject", flat=True
        )
    )
    assert any("wybrany w głosowaniu" in s and winner.number in s for s in subjects)
    assert any("niewybrany w głosowaniu" in s and loser.number in s for s in subjects)
    from wspolnota.implementation.services import implementation_change

    implementation = Implementation.objects.get(project=winner)
    with django_capture_on_commit_callbacks(execute=True):
        implementation_change(
            actor=official,
            implementation=implementation,
            status="design",
            progress=5,
            actual_cost=None,
            responsible_unit=implementation.responsible_unit,
            note="Projektujemy.",
        )
    assert OutboxMessage.objects.filter(user=follower, kind="implementation.update").count() == 1
    assert edition.pk


def test_following_needs_a_signed_in_person_and_a_public_project(client, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    response = Client().post(reverse("budget:project_follow", args=[project.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ProjectFollow.objects.exists()
    assert project.status == ProjectStatus.SUBMITTED
