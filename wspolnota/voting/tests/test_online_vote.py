"""The online vote through the pages: district and identity, SMS, ballot, review, cast, receipt."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.budget.tests.factories import pool_for
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    Ballot,
    BallotChoice,
    BallotReceipt,
    Channel,
    Envelope,
    RefusedAttempt,
    VoterRollEntry,
)
from wspolnota.voting.tests.factories import (
    cast_online,
    confirmed,
    identity_of,
    make_pesel,
    on_ballot,
    pesel_facts,
)

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _identity(client, edition, district, pesel, **extra):
    birth, sex = pesel_facts(pesel)
    data = {
        "district": district.pk,
        "full_name": "Anna Nowak",
        "pesel": pesel,
        "birth_date": birth.isoformat(),
        "sex": sex,
        "residence_declared": "on",
        **extra,
    }
    return client.post(reverse("voting:vote_identity", args=[edition.year]), data)


def _sms_code() -> str:
    from wspolnota.communication.transports import memory_outbox

    return "".join(ch for ch in memory_outbox[-1].text.split(" to ")[-1] if ch.isdigit())[:6]


def _review_and_cast(client, edition, data, capture):
    """The ballot's review page sends the cast's own SMS code; the cast carries it."""
    with capture(execute=True):
        review = client.post(reverse("voting:vote_ballot", args=[edition.year]), data)
    assert review.status_code == 200, review.content.decode()[:2000]
    return review, client.post(
        reverse("voting:vote_cast", args=[edition.year]), {**data, "code": _sms_code()}
    )


def _ballot_data(edition, district_number=1):
    city = on_ballot(edition, None)
    local = on_ballot(edition, district_number)
    cp, dp = pool_for(edition, None).pk, pool_for(edition, district_number).pk
    return {
        f"pool_{cp}_1": city[0].pk,
        f"pool_{cp}_2": city[1].pk,
        f"pool_{cp}_3": city[2].pk,
        f"pool_{dp}_1": local[3].pk,
        f"pool_{dp}_2": local[0].pk,
        f"pool_{dp}_3": local[1].pk,
    }


def test_a_resident_votes_online_and_gets_a_receipt_code(
    voting_edition, krakow, resident, django_capture_on_commit_callbacks
):
    confirmed(resident)
    client = _signed_in(resident)
    year = voting_edition.year
    assert client.get(reverse("voting:vote_identity", args=[year])).status_code == 200
    response = _identity(client, voting_edition, krakow[1], make_pesel(1), consent_statistics="on")
    assert response.status_code == 302 and response["Location"].endswith("/glosuj/karta/")
    assert client.get(reverse("voting:vote_ballot", args=[year])).status_code == 200
    data = _ballot_data(voting_edition)
    review, cast = _review_and_cast(
        client, voting_edition, data, django_capture_on_commit_callbacks
    )
    assert "Sprawdź swój wybór" in review.content.decode()
    # post/redirect/get: the receipt page is a GET, so reloading it shows the code again
    assert cast.status_code == 303
    assert cast["Location"] == reverse("voting:vote_receipt", args=[year])
    # the cast wrote a sealed envelope; the mixer puts the ballot in the box later
    assert not Ballot.objects.exists()
    services.envelopes_mix(edition_id=voting_edition.pk, final=True)
    ballot = Ballot.objects.get()
    code = BallotReceipt.objects.get().code
    assert code not in cast.content.decode()
    for _reload in range(2):
        receipt = client.get(cast["Location"])
        assert receipt.status_code == 200
        assert code in receipt.content.decode()
    assert ballot.age_band == "30-44" and ballot.sex == "F"
    points = sorted(BallotChoice.objects.values_list("points", flat=True))
    assert points == [1, 1, 2, 2, 3, 3]
    entry = VoterRollEntry.objects.get()
    assert entry.channel == Channel.ONLINE and entry.district == krakow[1]
    assert make_pesel(1) not in entry.pesel_key and entry.user == resident


def test_it_rejects_a_second_ballot_from_the_same_person_and_records_the_attempt(
    voting_edition, krakow, resident, django_capture_on_commit_callbacks
):
    confirmed(resident)
    client = _signed_in(resident)
    _identity(client, voting_edition, krakow[1], make_pesel(2))
    _review_and_cast(
        client, voting_edition, _ballot_data(voting_edition), django_capture_on_commit_callbacks
    )
    other = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    again = _identity(_signed_in(other), voting_edition, krakow[1], make_pesel(2))
    assert again.status_code == 409
    assert "już głosowała" in again.content.decode()
    assert RefusedAttempt.objects.filter(reason="already_voted", channel="online").count() == 1
    # the same browser casting again (a resent form) finds the identity step gone
    second = client.post(
        reverse("voting:vote_cast", args=[voting_edition.year]), _ballot_data(voting_edition)
    )
    assert second.status_code == 302
    assert Envelope.objects.count() == 1 and VoterRollEntry.objects.count() == 1


def test_an_invalid_ballot_is_refused_with_a_clear_message_and_keeps_the_choices(
    voting_edition, krakow, resident
):
    confirmed(resident)
    client = _signed_in(resident)
    _identity(client, voting_edition, krakow[1], make_pesel(3))
    data = _ballot_data(voting_edition)
    cp = pool_for(voting_edition, None).pk
    data[f"pool_{cp}_2"] = data[f"pool_{cp}_1"]  # the same project twice
    response = client.post(reverse("voting:vote_ballot", args=[voting_edition.year]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "więcej niż raz" in body
    assert f'<option value="{data[f"pool_{cp}_3"]}" selected>' in body
    assert not Ballot.objects.exists()


def test_places_must_be_filled_in_order_and_all_six_when_the_edition_requires(
    voting_edition, krakow, resident
):
    rules = voting_edition.voting_rules
    district = krakow[1]
    city_pool = pool_for(voting_edition, None).pk
    projects = on_ballot(voting_edition, None)
    with pytest.raises(VotingError) as gap:
        services.ballot_validate(
            rules=rules,
            edition=voting_edition,
            district=district,
            selection={city_pool: [(None, 0), (projects[0].pk, 0)]},
        )
    assert "po kolei" in str(gap.value)
    rules.require_all_picks = True
    with pytest.raises(VotingError) as few:
        services.ballot_validate(
            rules=rules,
            edition=voting_edition,
            district=district,
            selection={city_pool: [(projects[0].pk, 0)]},
        )
    assert "dokładnie 3" in str(few.value)


def test_voting_online_needs_a_phone_confirmed_by_sms(
    voting_edition, krakow, resident, django_capture_on_commit_callbacks
):
    from wspolnota.communication.transports import memory_outbox

    client = _signed_in(resident)
    response = _identity(client, voting_edition, krakow[1], make_pesel(4))
    assert response["Location"].endswith("/glosuj/telefon/")
    ballot_page = client.get(reverse("voting:vote_ballot", args=[voting_edition.year]))
    assert ballot_page.status_code == 302
    url = reverse("voting:vote_phone", args=[voting_edition.year])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"phone-phone": "600 100 200", "send": "1"})
    digits = "".join(ch for ch in memory_outbox[-1].text if ch.isdigit())[:6]
    wrong = client.post(
        url, {"code-code": "000000" if digits != "000000" else "111111", "confirm": "1"}
    )
    assert wrong.status_code == 400
    ok = client.post(url, {"code-code": digits, "confirm": "1"})
    assert ok.status_code == 302
    assert client.get(reverse("voting:vote_ballot", args=[voting_edition.year])).status_code == 200


def test_the_district_of_residence_can_change_until_the_cast_then_not(
    voting_edition, krakow, resident
):
    services.voter_district_choose(user=resident, edition=voting_edition, district=krakow[1])
    changed = services.voter_district_choose(
        user=resident, edition=voting_edition, district=krakow[18]
    )
    assert changed.district == krakow[18]
    confirmed(resident)
    cast_online(voting_edition, resident, identity_of(voting_edition, 5), krakow[18])
    with pytest.raises(VotingError) as exc:
        services.voter_district_choose(user=resident, edition=voting_edition, district=krakow[1])
    assert "nie można jej zmienić" in str(exc.value)


def test_people_without_pesel_vote_with_date_of_birth_and_sex_and_any_age_by_default(
    voting_edition, krakow
):
    rules = voting_edition.voting_rules
    now = timezone.now()
    child = services.identity_for(
        rules=rules,
        full_name="Łucja Żak",
        birth_date=now.date().replace(year=now.year - 9),
        sex="F",
        at=now,
    )
    assert child.minor_without_guardian
    same = services.identity_for(
        rules=rules,
        full_name="  lucja  ZAK ",
        birth_date=now.date().replace(year=now.year - 9),
        sex="F",
        at=now,
    )
    assert child.person_key == same.person_key
    rules.minimum_age = 16
    with pytest.raises(VotingError):
        services.identity_for(
            rules=rules,
            full_name="Łucja Żak",
            birth_date=now.date().replace(year=now.year - 9),
            sex="F",
            at=now,
        )
    with pytest.raises(VotingError):
        services.identity_for(
            rules=rules,
            full_name="Jan Nowak",
            pesel="12345678901",
            birth_date=now.date().replace(year=now.year - 30),
            sex="M",
            at=now,
        )


def test_a_failure_in_the_middle_of_a_cast_leaves_neither_an_envelope_nor_a_roll_mark(
    voting_edition, krakow, resident, monkeypatch
):
    confirmed(resident)
    identity = identity_of(voting_edition, 5)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Envelope.objects, "create", broken)
    with pytest.raises(RuntimeError):
        cast_online(voting_edition, resident, identity, krakow[1])
    assert not VoterRollEntry.objects.exists()
    assert not Envelope.objects.exists()


def test_voting_pages_refuse_outside_the_voting_phase(krakow, resident):
    from wspolnota.budget.models import Phase
    from wspolnota.voting.tests.factories import make_voting_edition

    edition = make_voting_edition(districts=krakow, phase=Phase.FINAL_LIST)
    response = _signed_in(confirmed(resident)).get(
        reverse("voting:vote_identity", args=[edition.year])
    )
    assert response.status_code == 403
    assert "Głosowanie nie trwa" in response.content.decode()


def test_the_receipt_code_is_shown_only_to_the_voter_in_the_browser_that_cast_it(
    voting_edition, krakow, resident, settings, django_capture_on_commit_callbacks
):
    """It is carried in a signed cookie of the voter's own browser, never in the server's session
    (which would join the voter to the ballot); another account, a forged cookie or an expired one
    gets the edition page with an explanation instead."""
    from django.contrib.sessions.models import Session

    confirmed(resident)
    client = _signed_in(resident)
    year = voting_edition.year
    _identity(client, voting_edition, krakow[1], make_pesel(4))
    _review, cast = _review_and_cast(
        client, voting_edition, _ballot_data(voting_edition), django_capture_on_commit_callbacks
    )
    services.envelopes_mix(edition_id=voting_edition.pk, final=True)
    code = BallotReceipt.objects.get().code
    cookie = cast.cookies["wsp_receipt"]
    assert cookie["httponly"] and cookie["max-age"] == 15 * 60
    assert all(code not in str(s.get_decoded()) for s in Session.objects.all())
    # another account in the same browser
    other = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    client.force_login(other)
    client.cookies["wsp_receipt"] = cookie.value
    refused = client.get(reverse("voting:vote_receipt", args=[year]), follow=True)
    assert code not in refused.content.decode()
    assert "przez 15 minut" in refused.content.decode()
    # a forged cookie (the right shape, no valid signature)
    client.force_login(resident)
    client.cookies["wsp_receipt"] = f"{resident.pk}:{code}:forged"
    forged = client.get(reverse("voting:vote_receipt", args=[year]))
    assert forged.status_code == 302 and code not in forged.content.decode()
