"""The resident's thread in a real browser (issue 16): axe finds nothing on project pages at each
stage (rejected with an appeal, selected and being built, not selected), on the catalogue
filtered by those stages and on the results page that links to them, in pl, en and uk."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wspolnota.budget import services
from wspolnota.budget.models import Edition, Pool, ProjectStatus
from wspolnota.budget.tests.factories import ProjectFactory, pool_for
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import check_urls, log_in
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_project_pages_at_every_stage_and_the_stage_filters_pass_axe(browser, live_server, krakow):
    official = UserFactory(district=krakow[2], password=PASSWORD)
    from wspolnota.accounts.roles import Role
    from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory

    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    edition = make_voting_edition(districts=krakow, coordinator=official)
    Edition.objects.filter(pk=edition.pk).update(is_published=True)
    Pool.objects.filter(pk=pool_for(edition, None).pk).update(budget=350_000)
    rejected = ProjectFactory(
        pool=pool_for(edition, 1),
        title="Odrzucony projekt",
        status=ProjectStatus.VERIFIED_NEGATIVE,
        verification_reasons="Teren nie należy do miasta.",
        verified_at=timezone.now(),
    )
    for index in range(3):
        cast_online(
            edition,
            confirmed(UserFactory(district=krakow[1])),
            identity_of(edition, index),
            krakow[1],
        )
    edition = close_vote(edition)
    voting_services.edition_count(actor=official, edition=edition, at=timezone.now())
    voting_services.results_publish(actor=official, edition=edition, at=timezone.now())
    winner, loser = on_ballot(edition, None)[0], on_ballot(edition, None)[3]
    follower = UserFactory(district=krakow[1], password=PASSWORD)
    services.project_follow(user=follower, project=winner)
    base = live_server.url
    pages = [
        f"/budzet-obywatelski/projekty/{winner.pk}/",
        f"/budzet-obywatelski/projekty/{loser.pk}/",
        f"/budzet-obywatelski/projekty/{rejected.pk}/",
        f"/budzet-obywatelski/{edition.year}/projekty/?status=selected",
        f"/budzet-obywatelski/{edition.year}/projekty/?status=not_selected",
        f"/budzet-obywatelski/{edition.year}/projekty/?status=in_progress",
        f"/glosowanie/{edition.year}/wyniki/{pool_for(edition, None).pk}/",
    ]
    failures = []
    for language in ("pl", "en", "uk"):
        context = browser.new_context()
        page = context.new_page()
        failures += check_urls(page, [f"{base}/{language}{url}" for url in pages])
        log_in(page, base, follower.email, PASSWORD, language)
        failures += check_urls(page, [f"{base}/{language}{pages[0]}"])  # "stop following"
        context.close()
    assert not failures, "\n\n".join(failures)
