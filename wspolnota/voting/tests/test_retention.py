"""Retention that is applied (issue 14): the privacy page names a voter-roll retention period,
and the daily purge applies it — before, nothing did."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from wspolnota.budget.models import EditionPhase, Phase
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import selectors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    Ballot,
    CastCode,
    IdentityClaim,
    PaperCard,
    PaperEntry,
    RefusedAttempt,
    VoterDistrict,
    VoterRollEntry,
    VotingRules,
)
from wspolnota.voting.tests.factories import (
    cast_online,
    close_vote,
    confirmed,
    identity_of,
    krakow_selection,
    make_point,
)

pytestmark = pytest.mark.django_db


def test_voter_rolls_paper_entries_and_district_choices_are_purged_after_the_retention_period(
    voting_edition, krakow, official, settings
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "voter_roll": 365}
    voters = [confirmed(UserFactory(district=krakow[1])) for _ in range(3)]
    for index, voter in enumerate(voters):
        services.voter_district_choose(user=voter, edition=voting_edition, district=krakow[1])
        services.identity_check_online(
            edition=voting_edition,
            rules=voting_edition.voting_rules,
            identity=identity_of(voting_edition, index),
            user=voter,
            at=timezone.now(),
        )
        cast_online(voting_edition, voter, identity_of(voting_edition, index), krakow[1])
    typists = [UserFactory(district=krakow[1]), UserFactory(district=krakow[1])]
    point = make_point(voting_edition, krakow[1], typists)
    for typist in typists:
        services.paper_entry_add(
            actor=typist,
            point=point,
            number="K-1",
            identity=identity_of(voting_edition, 50),
            district=krakow[1],
            document_kind="id_card",
            selection=krakow_selection(voting_edition),
            receipt_code="K7QX-M2HD-9TPA",
            at=timezone.now(),
        )
    with pytest.raises(VotingError):  # an already-voted person, refused and recorded
        cast_online(voting_edition, voters[0], identity_of(voting_edition, 0), krakow[1])
    services.cast_code_issue(
        user=voters[1],
        edition=voting_edition,
        identity=identity_of(voting_edition, 9),
        at=timezone.now(),
    )
    edition = close_vote(voting_edition)
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    turnout_before = selectors.turnout(edition=edition).total
    end = edition.phase_window(Phase.VOTING)[1]
    assert VoterRollEntry.objects.count() == 4 and PaperEntry.objects.count() == 2
    # a day before the period ends nothing goes
    services.voting_personal_data_purge(now=end + timedelta(days=364))
    assert VoterRollEntry.objects.count() == 4
    # the daily command, once the period is over
    EditionPhase.objects.filter(edition=edition, kind=Phase.VOTING).update(
        ends_at=timezone.now() - timedelta(days=366), starts_at=timezone.now() - timedelta(days=380)
    )
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "purged the voter rolls of 1 editions" in out.getvalue()
    for model in (
        VoterRollEntry,
        PaperEntry,
        VoterDistrict,
        RefusedAttempt,
        IdentityClaim,
        CastCode,
    ):
        assert not model.objects.exists(), model
    assert not PaperCard.objects.exclude(receipt_key="").exists()
    rules = VotingRules.objects.get(edition=edition)
    assert rules.identity_salt == "" and rules.roll_purged_at is not None
    # the ballots, the results and turnout stay: they hold nobody
    assert Ballot.objects.count() == 4
    fresh = type(edition).objects.get(pk=edition.pk)
    assert selectors.turnout(edition=fresh).total == turnout_before == 4


def test_an_unpublished_vote_keeps_its_roll_until_the_results_are_out(
    voting_edition, krakow, settings
):
    voter = confirmed(UserFactory(district=krakow[1]))
    cast_online(voting_edition, voter, identity_of(voting_edition, 1), krakow[1])
    later = timezone.now() + timedelta(days=5 * 365)
    assert services.voting_personal_data_purge(now=later)["editions"] == 0
    assert VoterRollEntry.objects.count() == 1


def test_supporters_names_dates_of_birth_and_addresses_go_with_the_voter_roll(
    voting_edition, krakow, official, settings
):
    """Kept past the vote, a supporter list with names, dates of birth and home addresses is
    a register of who backed what; it goes with the roll, the counts and districts stay."""
    from datetime import date

    from wspolnota.budget.models import Project, Support, SupportCheck

    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "voter_roll": 365}
    project = Project.objects.filter(edition=voting_edition).first()
    Support.objects.create(
        project=project,
        user=UserFactory(district=krakow[1]),
        address="ul. Rajska 1",
        district=krakow[1],
        verified_by="identity",
        identity_check=SupportCheck.CONFIRMED,
        full_name="Ewa Zając",
        birth_date=date(1980, 5, 17),
    )
    edition = close_vote(voting_edition)
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    EditionPhase.objects.filter(edition=edition, kind=Phase.VOTING).update(
        ends_at=timezone.now() - timedelta(days=366), starts_at=timezone.now() - timedelta(days=380)
    )
    purged = services.voting_personal_data_purge(now=timezone.now())
    assert purged["supporters"] == 1
    support = Support.objects.get()
    assert (support.full_name, support.birth_date, support.address) == ("", None, "")
    assert support.district == krakow[1] and support.identity_check == SupportCheck.CONFIRMED
