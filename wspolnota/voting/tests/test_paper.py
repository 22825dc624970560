"""The paper channel: double-key entry, review of mismatches, duplicates, closing protocol."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import pool_for
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import errors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    Ballot,
    BallotReceipt,
    CardStatus,
    Envelope,
    PaperCard,
    PaperEntry,
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
    pesel_facts,
)

pytestmark = pytest.mark.django_db


def _identity(edition, index):
    return identity_of(edition, index)


@pytest.fixture
def coordinators(krakow):
    return [UserFactory(district=krakow[1]), UserFactory(district=krakow[1])]


@pytest.fixture
def point(voting_edition, krakow, coordinators):
    return make_point(voting_edition, krakow[1], coordinators)


def _enter(edition, point, who, *, number="K-1", index=10, selection=None, receipt=""):
    return services.paper_entry_add(
        actor=who,
        point=point,
        number=number,
        identity=_identity(edition, index),
        district=point.district,
        document_kind="id_card",
        selection=selection or krakow_selection(edition),
        receipt_code=receipt,
        at=timezone.now(),
    )


def test_a_card_counts_only_after_two_matching_entries_by_different_people(
    voting_edition, point, coordinators
):
    first, second = coordinators
    card = _enter(voting_edition, point, first)
    assert card.status == CardStatus.AWAITING_SECOND and not Ballot.objects.exists()
    with pytest.raises(VotingError) as same:
        _enter(voting_edition, point, first)
    assert "inna osoba" in str(same.value)
    card = _enter(voting_edition, point, second)
    assert card.status == CardStatus.COUNTED
    assert Envelope.objects.count() == 1 and not Ballot.objects.exists()
    services.envelopes_mix(edition_id=voting_edition.pk, final=True)
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and ballot.choices.count() == 6
    assert VoterRollEntry.objects.get().point == point
    # once counted, no table keeps both the person's keys and their (sealed) choices
    assert all(e.sealed == "" and e.fingerprint == "" for e in PaperEntry.objects.all())
    assert AuditLogEntry.objects.filter(action="voting.paper_card_settled").exists()


def test_mismatched_entries_go_to_review_and_an_official_settles_them(
    voting_edition, point, coordinators, official
):
    first, second = coordinators
    _enter(voting_edition, point, first)
    selection = krakow_selection(voting_edition)
    city = pool_for(voting_edition, None).pk
    selection[city] = list(reversed(selection[city]))
    card = _enter(voting_edition, point, second, selection=selection)
    assert card.status == CardStatus.MISMATCH and not Ballot.objects.exists()
    client = Client()
    client.force_login(official)  # the commission: an official of the coordinating unit
    page = client.get(reverse("voting:paper_review", args=[voting_edition.year]))
    assert card.number in page.content.decode()
    detail = client.get(reverse("voting:paper_resolve", args=[card.pk]))
    assert detail.status_code == 200
    response = client.post(
        reverse("voting:paper_resolve", args=[card.pk]), {"choice": "2", "note": "karta czytelna"}
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == CardStatus.COUNTED and card.resolved_by == official
    assert Envelope.objects.count() == 1


def test_a_paper_ballot_of_someone_who_voted_online_is_invalid_and_recorded(
    voting_edition, point, coordinators, resident, krakow
):
    confirmed(resident)
    cast_online(voting_edition, resident, _identity(voting_edition, 11), krakow[1])
    first, second = coordinators
    _enter(voting_edition, point, first, index=11)
    card = _enter(voting_edition, point, second, index=11)
    assert card.status == CardStatus.INVALID_DUPLICATE
    assert Envelope.objects.count() == 1
    assert RefusedAttempt.objects.filter(channel="paper", point=point).count() == 1


def test_a_card_breaking_the_rules_is_invalid(voting_edition, point, coordinators):
    first, second = coordinators
    city = pool_for(voting_edition, None).pk
    selection = krakow_selection(voting_edition)
    selection[city] = selection[city] + selection[city][:1]  # four places, one project twice
    _enter(voting_edition, point, first, selection=selection)
    card = _enter(voting_edition, point, second, selection=selection)
    assert card.status == CardStatus.INVALID_RULES and not Envelope.objects.exists()


def test_only_the_points_coordinators_key_in_its_cards(
    voting_edition, point, resident, official, administrator, client_for, coordinators
):
    """Before: any official of any department could key cards at any point."""
    for outsider in (resident, official, administrator):
        with pytest.raises(VotingError):
            _enter(voting_edition, point, outsider)
    for persona in ("resident", "official"):
        page = client_for(persona).get(reverse("voting:paper_entry", args=[point.pk]))
        assert page.status_code == 403, persona
    client = Client()
    client.force_login(coordinators[0])
    assert client.get(reverse("voting:paper_entry", args=[point.pk])).status_code == 200


def test_keying_a_card_through_the_page_keeps_what_was_typed_on_error(
    voting_edition, point, coordinators
):
    client = Client()
    client.force_login(coordinators[0])
    url = reverse("voting:paper_entry", args=[point.pk])
    data = {
        "number": "K-9",
        "document_kind": "id_card",
        "district": point.district.pk,
        "full_name": "Jan Kowalski",
        "pesel": "12345678901",
        "birth_date": "1990-01-01",
        "sex": "M",
        "residence_declared": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "PESEL jest nieprawidłowy" in body and 'value="K-9"' in body
    city = pool_for(voting_edition, None).pk
    birth, sex = pesel_facts(make_pesel(12))
    data.update(
        pesel=make_pesel(12),
        birth_date=birth.isoformat(),
        sex=sex,
        **{f"pool_{city}_1": krakow_selection(voting_edition)[city][0][0]},
    )
    assert client.post(url, data).status_code == 302


def test_closing_a_point_writes_its_protocol_with_the_tallies(voting_edition, point, coordinators):
    first, second = coordinators
    _enter(voting_edition, point, first, number="K-1", index=20)
    _enter(voting_edition, point, second, number="K-1", index=20)
    _enter(voting_edition, point, first, number="K-2", index=21)
    with pytest.raises(VotingError):
        services.point_close(
            actor=first, point=point, cards_received=1, cards_unused=0, notes="", at=timezone.now()
        )
    protocol = services.point_close(
        actor=first,
        point=point,
        cards_received=50,
        cards_unused=48,
        notes="bez uwag",
        at=timezone.now(),
    )
    assert (protocol.cards_counted, protocol.cards_pending, protocol.cards_invalid) == (1, 1, 0)
    client = Client()
    client.force_login(first)
    pdf = client.get(reverse("voting:point_protocol_pdf", args=[point.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with pytest.raises(VotingError):
        _enter(voting_edition, point, second, number="K-2", index=21)


@pytest.mark.parametrize("language", ["pl", "uk", "en"])
def test_printable_ballot_cards_in_three_languages(voting_edition, language, client):
    response = client.get(f"/{language}/glosowanie/{voting_edition.year}/karta-do-glosowania-1.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_printed_card_carries_the_declarations_the_rules_require_and_a_receipt_stub(
    voting_edition, client, tmp_path
):
    """Residence declaration, data clause, signature line, statistics-consent box, a guardian's
    declaration, and the receipt code twice: on the card and on the tear-off stub."""
    import re
    import subprocess

    response = client.get(f"/pl/glosowanie/{voting_edition.year}/karta-do-glosowania-1.pdf")
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for wording in (
        "Oświadczam, że mieszkam w mieście",
        "Informacja o danych osobowych",
        "czytelny podpis głosującego",
        "przedział wieku i płeć",
        "rodzic lub opiekun prawny",
        "Odcinek dla głosującego",
    ):
        assert wording in flat, wording
    codes = re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", flat)
    assert len(codes) == 2 and codes[0] == codes[1]
    again = client.get(f"/pl/glosowanie/{voting_edition.year}/karta-do-glosowania-1.pdf")
    assert again.content != response.content  # every printed card has its own code


def test_the_receipt_code_from_the_stub_is_recorded_at_keying_and_published_as_counted(
    voting_edition, point, coordinators
):
    first, second = coordinators
    _enter(voting_edition, point, first, receipt="k7qx m2hd 9tpa")
    card = _enter(voting_edition, point, second, receipt="K7QX-M2HD-9TPA")
    assert card.status == CardStatus.COUNTED
    services.envelopes_mix(edition_id=voting_edition.pk, final=True)
    assert list(BallotReceipt.objects.values_list("code", flat=True)) == ["K7QX-M2HD-9TPA"]
    # a photocopy of the card (the same stub) is refused at keying
    with pytest.raises(VotingError) as copy:
        _enter(voting_edition, point, first, number="K-2", index=12, receipt="K7QX-M2HD-9TPA")
    assert "kopia karty" in str(copy.value)
    with pytest.raises(VotingError):
        _enter(voting_edition, point, first, number="K-3", index=13, receipt="not a code")


def test_a_card_keyed_once_at_a_point_that_closed_is_finished_by_the_commission(
    voting_edition, point, coordinators, official
):
    """Before: such a card was stuck (the closed point refused its second keying)."""
    first, _second = coordinators
    _enter(voting_edition, point, first, number="K-7", index=30)
    services.point_close(
        actor=first, point=point, cards_received=10, cards_unused=9, notes="", at=timezone.now()
    )
    card = PaperCard.objects.get(number="K-7")
    with pytest.raises(VotingError):  # the point's coordinators can no longer
        _enter(voting_edition, point, coordinators[1], number="K-7", index=30)
    finished = services.paper_card_finish(
        actor=official,
        card=card,
        identity=_identity(voting_edition, 30),
        district=point.district,
        document_kind="id_card",
        selection=krakow_selection(voting_edition),
        at=timezone.now(),
    )
    assert finished.status == CardStatus.COUNTED
    assert finished.entries.filter(role="commission").exists()
    assert VoterRollEntry.objects.count() == 1


def test_a_card_both_typists_got_wrong_gets_a_third_adjudicating_entry(
    voting_edition, point, coordinators, official
):
    """Before: the commission could only pick entry 1 or 2 or void the card."""
    first, second = coordinators
    city = pool_for(voting_edition, None).pk
    wrong_one = krakow_selection(voting_edition)
    wrong_one[city] = wrong_one[city][:1]
    wrong_two = krakow_selection(voting_edition)
    wrong_two[city] = list(reversed(wrong_two[city]))
    _enter(voting_edition, point, first, number="K-8", index=31, selection=wrong_one)
    card = _enter(voting_edition, point, second, number="K-8", index=31, selection=wrong_two)
    assert card.status == CardStatus.MISMATCH
    right = krakow_selection(voting_edition)
    adjudicated = services.paper_card_adjudicate(
        actor=official,
        card=card,
        identity=_identity(voting_edition, 31),
        district=point.district,
        document_kind="id_card",
        selection=right,
        note="oba wprowadzenia błędne",
        at=timezone.now(),
    )
    assert adjudicated.status == CardStatus.COUNTED and adjudicated.resolved_by == official
    services.envelopes_mix(edition_id=voting_edition.pk, final=True)
    ballot = Ballot.objects.get()
    city_choices = list(
        ballot.choices.filter(pool_id=city)
        .order_by("position")
        .values_list("project_id", flat=True)
    )
    assert city_choices == [pid for pid, _p in right[city]]
    # a typist of the point is not the commission
    with pytest.raises(VotingError):
        services.paper_card_adjudicate(
            actor=first,
            card=card,
            identity=_identity(voting_edition, 31),
            district=point.district,
            document_kind="id_card",
            selection=right,
            at=timezone.now(),
        )


def test_the_points_page_maps_located_points_and_lists_every_point(voting_edition, krakow):
    """Without JavaScript the map is an SVG with a link per point; a point without a location
    (or outside the city) is only in the table, and the page says how many are on the map."""
    inside = make_point(voting_edition, krakow[1])
    outside = make_point(voting_edition, krakow[2])
    outside.latitude, outside.longitude = None, None
    outside.save()
    far = make_point(voting_edition, krakow[3])
    far.latitude, far.longitude = 52.2297, 21.0122  # Warsaw
    far.save()
    body = Client().get(reverse("voting:points", args=[voting_edition.year])).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert svg.count("<circle") == 1
    assert reverse("voting:point", args=[inside.pk]) in svg
    assert "bez schodów" in svg
    table = body[body.index("<table") :]
    for point in (inside, outside, far):
        assert reverse("voting:point", args=[point.pk]) in table
    assert "Na mapie: 1 z 3 punktów." in body
    assert 'id="points-markers"' in body  # the same points for the interactive map
    for language in ("en", "uk"):
        with translation.override(language):
            response = Client().get(reverse("voting:points", args=[voting_edition.year]))
        assert response.status_code == 200


def test_the_points_page_without_located_points_has_no_map(voting_edition, krakow):
    point = make_point(voting_edition, krakow[1])
    point.latitude = None
    point.save()
    body = Client().get(reverse("voting:points", args=[voting_edition.year])).content.decode()
    assert 'id="points-map"' not in body and "<circle" not in body
    assert 'id="points-markers"' not in body
    assert point.name in body


def test_cards_are_keyed_from_the_opening_of_the_vote_until_the_results_are_published(
    voting_edition, point, coordinators
):
    start, end = voting_edition.phase_window(Phase.VOTING)
    early = dict(
        actor=coordinators[0],
        point=point,
        number="K-9",
        identity=_identity(voting_edition, 9),
        district=point.district,
        document_kind="id_card",
        selection=krakow_selection(voting_edition),
    )
    with pytest.raises(VotingError) as refused:
        services.paper_entry_add(**early, at=start - timedelta(minutes=1))
    assert refused.value.message == errors.PAPER_NOT_STARTED
    # after the close, before the results: the points key in their last cards
    services.paper_entry_add(**early, at=end + timedelta(hours=2))
    assert PaperCard.objects.filter(number="K-9").exists()
    rules = voting_edition.voting_rules
    rules.results_published_at = timezone.now()
    rules.save(update_fields=["results_published_at"])
    with pytest.raises(VotingError) as late:
        _enter(voting_edition, point, coordinators[0], number="K-10", index=11)
    assert late.value.message == errors.PAPER_AFTER_RESULTS
    assert not PaperCard.objects.filter(number="K-10").exists()
