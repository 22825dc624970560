"""Attacks on one person, one vote (issue 14): a determined voter with one account, one phone,
checksum-valid PESELs, and the same person with and without a PESEL, online and on paper."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import selectors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    CardStatus,
    CastCode,
    Envelope,
    IdentityClaim,
    RefusedAttempt,
    VoterRollEntry,
)
from wspolnota.voting.tests.factories import (
    cast_online,
    confirmed,
    identity_of,
    krakow_selection,
    make_pesel,
    make_point,
    make_voting_edition,
    pesel_facts,
)

pytestmark = pytest.mark.django_db


def test_one_account_cannot_cast_five_ballots_by_typing_five_pesels(voting_edition, krakow):
    """Before: signed in once, phone confirmed once, five checksum-valid PESELs → 5 ballots."""
    voter = confirmed(UserFactory(district=krakow[1]))
    cast_online(voting_edition, voter, identity_of(voting_edition, 100), krakow[1])
    refused = []
    for index in range(101, 105):
        with pytest.raises(VotingError) as exc:
            cast_online(voting_edition, voter, identity_of(voting_edition, index), krakow[1])
        refused.append(exc.value.code)
    assert Envelope.objects.count() == 1 and VoterRollEntry.objects.count() == 1
    assert refused == ["already_voted"] * 4
    assert RefusedAttempt.objects.filter(reason="account_used", user=voter).count() == 4


def test_the_identity_step_refuses_a_second_person_from_an_account_that_voted(
    voting_edition, krakow
):
    voter = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    cast_online(voting_edition, voter, identity_of(voting_edition, 110), krakow[1])
    client = Client()
    client.force_login(voter)
    pesel = make_pesel(111)
    birth, sex = pesel_facts(pesel)
    page = client.post(
        reverse("voting:vote_identity", args=[voting_edition.year]),
        {
            "district": krakow[1].pk,
            "full_name": "Ktoś Inny",
            "pesel": pesel,
            "birth_date": birth.isoformat(),
            "sex": sex,
            "residence_declared": "on",
        },
    )
    assert page.status_code == 409
    assert "Z tego konta oddano już głos" in page.content.decode()


def test_a_phone_number_confirms_one_online_ballot_per_edition_by_default(
    voting_edition, krakow, settings
):
    """Before: phone numbers were not unique; two accounts on one phone cast two ballots."""
    first = confirmed(UserFactory(district=krakow[1]), phone="+48600999001")
    second = confirmed(UserFactory(district=krakow[1]), phone="+48600999001")
    cast_online(voting_edition, first, identity_of(voting_edition, 120), krakow[1])
    with pytest.raises(VotingError) as exc:
        cast_online(voting_edition, second, identity_of(voting_edition, 121), krakow[1])
    assert "numer telefonu potwierdził już" in str(exc.value)
    assert VoterRollEntry.objects.count() == 1
    # a city may allow a household's phone a few ballots
    settings.VOTING_BALLOTS_PER_PHONE = 2
    cast_online(voting_edition, second, identity_of(voting_edition, 121), krakow[1])
    third = confirmed(UserFactory(district=krakow[1]), phone="+48600999001")
    with pytest.raises(VotingError):
        cast_online(voting_edition, third, identity_of(voting_edition, 122), krakow[1])
    assert sorted(VoterRollEntry.objects.values_list("phone_slot", flat=True)) == [1, 2]


def test_each_cast_needs_its_own_one_time_sms_code_bound_to_it(voting_edition, krakow):
    voter = confirmed(UserFactory(district=krakow[1]))
    identity = identity_of(voting_edition, 130)
    other_identity = identity_of(voting_edition, 131)
    rules = voting_edition.voting_rules
    cast_code, code = services.cast_code_issue(
        user=voter, edition=voting_edition, identity=identity, at=timezone.now()
    )
    base = dict(
        user=voter,
        edition=voting_edition,
        rules=rules,
        district=krakow[1],
        selection=krakow_selection(voting_edition),
        at=timezone.now(),
    )
    with pytest.raises(VotingError) as missing:
        services.ballot_cast_online(**base, identity=identity, cast_code_id=None, code="")
    assert missing.value.code == "code_required"
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(VotingError) as bad:
        services.ballot_cast_online(
            **base, identity=identity, cast_code_id=cast_code.pk, code=wrong
        )
    assert bad.value.code == "code_wrong"
    # the code was sent for this person: it does not confirm anyone else's cast
    with pytest.raises(VotingError):
        services.ballot_cast_online(
            **base, identity=other_identity, cast_code_id=cast_code.pk, code=code
        )
    services.ballot_cast_online(**base, identity=identity, cast_code_id=cast_code.pk, code=code)
    assert not CastCode.objects.exists()  # used up by the cast, in its transaction
    with pytest.raises(VotingError):
        services.ballot_cast_online(**base, identity=identity, cast_code_id=cast_code.pk, code=code)
    assert Envelope.objects.count() == 1


def test_the_cast_code_travels_by_sms_through_the_platforms_transport(
    voting_edition, krakow, django_capture_on_commit_callbacks
):
    from wspolnota.communication.transports import memory_outbox

    voter = confirmed(UserFactory(district=krakow[1]))
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_code_send(
            user=voter,
            edition=voting_edition,
            identity=identity_of(voting_edition, 132),
            at=timezone.now(),
        )
    assert memory_outbox[-1].to == voter.phone
    assert "oddanie głosu" in memory_outbox[-1].text


def test_the_same_person_with_a_pesel_online_and_without_on_paper_votes_once(
    voting_edition, krakow
):
    """Before: the two paths hashed different strings, so both ballots counted."""
    voter = confirmed(UserFactory(district=krakow[1]))
    pesel = make_pesel(140)
    birth, sex = pesel_facts(pesel)
    online = services.identity_for(
        rules=voting_edition.voting_rules,
        full_name="Anna Kowalska-Nowak",
        pesel=pesel,
        birth_date=birth,
        sex=sex,
        at=timezone.now(),
    )
    cast_online(voting_edition, voter, online, krakow[1])
    paper = services.identity_for(
        rules=voting_edition.voting_rules,
        full_name="  NOWAK kowalska  anna ",  # case, spaces, hyphen, order: the same person
        birth_date=birth,
        sex=sex,
        at=timezone.now(),
    )
    typists = [UserFactory(district=krakow[1]), UserFactory(district=krakow[1])]
    point = make_point(voting_edition, krakow[1], typists)
    for typist in typists:
        card = services.paper_entry_add(
            actor=typist,
            point=point,
            number="K-140",
            identity=paper,
            district=krakow[1],
            document_kind="id_card",
            selection=krakow_selection(voting_edition),
            at=timezone.now(),
        )
    assert card.status == CardStatus.INVALID_DUPLICATE
    assert VoterRollEntry.objects.count() == 1 and Envelope.objects.count() == 1


def test_names_are_normalised_for_case_diacritics_spaces_hyphens_and_order(voting_edition):
    rules = voting_edition.voting_rules
    now = timezone.now()
    birth = now.date().replace(year=now.year - 40)

    def key(name):
        return services.identity_for(
            rules=rules, full_name=name, birth_date=birth, sex="F", at=now
        ).person_key

    same = {
        key(n)
        for n in ("Łucja Żak-Wróbel", "lucja zak wrobel", "ŁUCJA  ŻAK WRÓBEL", "Żak-Wróbel Łucja")
    }
    assert len(same) == 1
    assert key("Łucja Żak") not in same


def test_a_pesel_must_agree_with_the_date_of_birth_and_sex_entered(voting_edition):
    pesel = make_pesel(150)
    birth, sex = pesel_facts(pesel)
    with pytest.raises(VotingError) as exc:
        services.identity_for(
            rules=voting_edition.voting_rules,
            full_name="Jan Kowalski",
            pesel=pesel,
            birth_date=birth.replace(day=birth.day % 28 + 1),
            sex=sex,
            at=timezone.now(),
        )
    assert exc.value.field == "pesel" and "nie zgadzają się" in str(exc.value)
    with pytest.raises(VotingError):
        services.identity_for(
            rules=voting_edition.voting_rules,
            full_name="Jan Kowalski",
            pesel=pesel,
            birth_date=birth,
            sex="M" if sex == "F" else "F",
            at=timezone.now(),
        )


def test_roll_keys_of_one_person_cannot_be_linked_across_editions(voting_edition, krakow):
    """Before: the identity hash was the same every year."""
    next_year = make_voting_edition(districts=krakow, year=voting_edition.year + 1)
    this = identity_of(voting_edition, 160)
    that = identity_of(next_year, 160)
    assert this.person_key != that.person_key and this.pesel_key != that.pesel_key


def test_the_commission_lists_suspicious_patterns_without_anyones_choices(
    voting_edition, krakow, official, client_for
):
    tried = confirmed(UserFactory(district=krakow[1], email="wielu@example.org"))
    rules = voting_edition.voting_rules
    for index in (170, 171, 172):
        services.identity_check_online(
            edition=voting_edition,
            rules=rules,
            identity=identity_of(voting_edition, index),
            user=tried,
            at=timezone.now(),
        )
    cast_online(voting_edition, tried, identity_of(voting_edition, 170), krakow[1])
    child = confirmed(UserFactory(district=krakow[1], email="dziecko@example.org"))
    now = timezone.now()
    little = services.identity_for(
        rules=rules,
        full_name="Mała Osoba",
        birth_date=now.date().replace(year=now.year - 6),
        sex="F",
        at=now,
    )
    cast_online(voting_edition, child, little, krakow[1])
    assert IdentityClaim.objects.filter(user=tried).count() == 3
    patterns = selectors.suspicious_patterns(edition=voting_edition)
    kinds = {(p.kind, tuple(p.accounts)) for p in patterns}
    assert ("account", ("wielu@example.org",)) in kinds
    assert ("minor", ("dziecko@example.org",)) in kinds
    page = client_for("official").get(reverse("voting:suspicious", args=[voting_edition.year]))
    body = page.content.decode()
    assert page.status_code == 200 and "wielu@example.org" in body
    for project in krakow_selection(voting_edition).values():
        for project_id, _points in project:
            from wspolnota.budget.models import Project

            assert Project.objects.get(pk=project_id).title not in body
    assert client_for("resident").get(
        reverse("voting:suspicious", args=[voting_edition.year])
    ).status_code in (302, 403)
