from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from wspolnota.core.models import AuditLogEntry
from wspolnota.organisations import services
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.models import (
    DocumentKind,
    LegalForm,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    PersonRole,
    VerificationStatus,
)
from wspolnota.organisations.rules import age_on, completeness_problems, group_problems
from wspolnota.organisations.tests.factories import (
    IndividualFactory,
    InformalGroupFactory,
    OrganisationFactory,
    valid_nip,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ngo_data(**overrides):
    data = {
        "kind": OrganisationKind.NGO,
        "name": "Fundacja Zielony Kazimierz",
        "legal_form": LegalForm.FOUNDATION,
        "krs": "123456",
        "nip": "526-025-02-74",
        "regon": "012100784",
        "postal_code": "31-004",
        "city": "Kraków",
    }
    data.update(overrides)
    return data


# --- identifiers -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_normalises_valid_identifiers_and_pads_the_krs_number(resident):
    organisation = services.organisation_register(user=resident, **ngo_data())
    assert organisation.krs == "0000123456"
    assert organisation.nip == "5260250274"
    assert organisation.regon == "012100784"
    assert organisation.status == VerificationStatus.NEW
    assert Membership.objects.get(organisation=organisation).user == resident


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nip", "5260250275", "nip_invalid"),
        ("nip", "", "nip_required"),
        ("regon", "012100785", "regon_invalid"),
        ("regon", "1234", "regon_invalid"),
        ("krs", "12345678901", "krs_invalid"),
        ("krs", "12a", "krs_invalid"),
        ("krs", "", "krs_required"),
    ],
)
@pytest.mark.django_db
def test_it_rejects_bad_identifiers_naming_the_field(resident, field, value, code):
    with pytest.raises(OrganisationsError) as caught:
        services.organisation_register(user=resident, **ngo_data(**{field: value}))
    assert caught.value.field == field and caught.value.code == code
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_an_ordinary_association_needs_no_krs_number(resident):
    organisation = services.organisation_register(
        user=resident, **ngo_data(legal_form=LegalForm.ORDINARY_ASSOCIATION, krs="")
    )
    assert organisation.krs == ""


def test_a_padded_fourteen_digit_regon_is_kept_as_nine_digits():
    assert services.regon_normalise("01210078400000") == "012100784"


@pytest.mark.django_db
def test_a_second_entry_with_the_same_krs_or_nip_as_a_verified_one_is_refused(
    resident, resident_other_district
):
    first = services.organisation_register(user=resident, **ngo_data())
    type(first).objects.filter(pk=first.pk).update(status="verified")
    with pytest.raises(OrganisationsError) as caught:
        services.organisation_register(user=resident_other_district, **ngo_data(nip=valid_nip(5)))
    assert caught.value.code == "krs_taken"
    with pytest.raises(OrganisationsError) as caught:
        services.organisation_register(user=resident_other_district, **ngo_data(krs="777"))
    assert caught.value.code == "nip_taken"


@pytest.mark.django_db
def test_groups_and_individuals_carry_no_identifiers(resident):
    group = services.organisation_register(
        user=resident, kind=OrganisationKind.INFORMAL_GROUP, name="Sąsiedzi", nip="5260250274"
    )
    assert group.nip == "" and group.krs == ""


# --- composition of groups and individuals ------------------------------------------------------


def test_age_counts_full_years():
    assert age_on(date(2005, 6, 15), date(2023, 6, 14)) == 17
    assert age_on(date(2005, 6, 15), date(2023, 6, 15)) == 18
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17


@pytest.mark.django_db
def test_an_informal_group_needs_three_adults_and_one_adult_leader(krakow):
    group = InformalGroupFactory(members=False)
    today = date(2025, 5, 1)
    services_people = []
    assert {p.code for p in group_problems(services_people, today)} == {
        "group_adults",
        "group_leader",
    }
    from wspolnota.organisations.models import OrganisationPerson

    leader = OrganisationPerson(
        organisation=group, full_name="L", role=PersonRole.GROUP_LEADER, birth_date=date(2010, 1, 1)
    )
    adults = [
        OrganisationPerson(
            organisation=group,
            full_name=f"M{i}",
            role=PersonRole.GROUP_MEMBER,
            birth_date=date(1990, 1, 1),
        )
        for i in range(3)
    ]
    problems = {p.code for p in group_problems([leader, *adults], today)}
    assert problems == {"group_leader_adult"}
    leader.birth_date = date(2000, 1, 1)
    assert group_problems([leader, *adults[:2]], today) == []
    messages = [str(p) for p in group_problems([leader, adults[0]], today)]
    assert messages == [
        "Grupa nieformalna to co najmniej 3 osoby pełnoletnie; teraz pełnoletnich jest 2."
    ]


@pytest.mark.django_db
def test_a_minor_applying_alone_needs_an_adult_guardian(resident):
    minor = services.organisation_register(
        user=resident,
        kind=OrganisationKind.INDIVIDUAL,
        name="Ola Młoda",
        birth_date=date(2010, 4, 1),
    )
    problems = completeness_problems(
        minor, people=list(minor.people.all()), documents=[], day=date(2025, 5, 1)
    )
    assert [p.code for p in problems] == ["guardian"]
    with pytest.raises(OrganisationsError) as caught:
        services.person_add(
            actor=resident,
            organisation=minor,
            full_name="Brat",
            role=PersonRole.GUARDIAN,
            birth_date=date(2009, 1, 1),
        )
    assert caught.value.field == "birth_date"
    services.person_add(
        actor=resident,
        organisation=minor,
        full_name="Mama",
        role=PersonRole.GUARDIAN,
        birth_date=date(1980, 1, 1),
    )
    problems = completeness_problems(
        minor, people=list(minor.people.all()), documents=[], day=date(2025, 5, 1)
    )
    assert problems == []


@pytest.mark.django_db
def test_a_role_from_another_kind_of_applicant_is_refused(resident):
    group = InformalGroupFactory(created_by=resident)
    with pytest.raises(OrganisationsError) as caught:
        services.person_add(
            actor=resident, organisation=group, full_name="X", role=PersonRole.BOARD_MEMBER
        )
    assert caught.value.field == "role"


# --- verification ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verification_is_requested_only_when_nothing_is_missing(resident):
    organisation = services.organisation_register(user=resident, **ngo_data())
    with pytest.raises(OrganisationsError) as caught:
        services.organisation_request_verification(actor=resident, organisation=organisation)
    assert "reprezentowania" in str(caught.value) and "statut" in str(caught.value)
    services.person_add(
        actor=resident,
        organisation=organisation,
        full_name="Ewa Prezes",
        role=PersonRole.BOARD_MEMBER,
        function="prezes",
        may_represent=True,
    )
    services.document_add(
        actor=resident,
        organisation=organisation,
        kind=DocumentKind.STATUTE,
        title="Statut",
        upload=SimpleUploadedFile("statut.pdf", PDF, content_type="application/pdf"),
        is_public=True,
    )
    services.organisation_request_verification(actor=resident, organisation=organisation)
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING


@pytest.mark.django_db
def test_an_official_verifies_an_entry_and_it_is_audit_logged_and_notified(
    official, resident, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(created_by=resident, status=VerificationStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(actor=official, organisation=organisation, approve=True)
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
    assert organisation.verified_by == official
    entry = AuditLogEntry.objects.get(action="organisations.verified")
    assert entry.actor == official
    assert entry.before["status"] == "pending" and entry.after["status"] == "verified"
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "zweryfikowany" in mail.outbox[0].body


@pytest.mark.django_db
def test_returning_an_entry_needs_a_reason(official, resident):
    organisation = OrganisationFactory(created_by=resident, status=VerificationStatus.PENDING)
    with pytest.raises(OrganisationsError) as caught:
        services.organisation_verify(actor=official, organisation=organisation, approve=False)
    assert caught.value.field == "note"
    services.organisation_verify(
        actor=official, organisation=organisation, approve=False, note="Brak statutu"
    )
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.REJECTED
    assert AuditLogEntry.objects.get(action="organisations.rejected").reason == "Brak statutu"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["resident", "ngo_member", "moderator", "auditor"])
def test_only_officials_verify(request, persona):
    actor = request.getfixturevalue(persona)
    organisation = OrganisationFactory(status=VerificationStatus.PENDING)
    with pytest.raises(OrganisationsError):
        services.organisation_verify(actor=actor, organisation=organisation, approve=True)
    client = request.getfixturevalue("client_for")(persona)
    response = client.post(
        f"/pl/organizacje/{organisation.pk}/weryfikacja/", {"decision": "approve"}
    )
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING


@pytest.mark.django_db
def test_changing_the_nip_of_a_verified_entry_sends_it_back_for_verification(resident):
    organisation = OrganisationFactory(created_by=resident)
    services.organisation_update(
        actor=resident,
        organisation=organisation,
        name=organisation.name,
        legal_form=organisation.legal_form,
        krs=organisation.krs,
        nip=valid_nip(999),
        regon=organisation.regon,
        description="nowy opis",
    )
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING
    assert AuditLogEntry.objects.filter(action="organisations.reverification_required").exists()


@pytest.mark.django_db
def test_a_suspension_hides_the_profile_and_blocks_changes(official, resident, client):
    organisation = OrganisationFactory(created_by=resident)
    services.organisation_set_suspended(
        actor=official, organisation=organisation, suspended=True, reason="likwidacja"
    )
    assert client.get(f"/pl/organizacje/{organisation.pk}/").status_code == 404
    organisation.refresh_from_db()
    with pytest.raises(OrganisationsError):
        services.person_add(
            actor=resident, organisation=organisation, full_name="X", role=PersonRole.BOARD_MEMBER
        )
    services.organisation_set_suspended(
        actor=official, organisation=organisation, suspended=False, reason="wznowienie"
    )
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="organisations.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["organisations.suspended", "organisations.reinstated"]


# --- members -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_are_added_by_email_and_the_last_representative_stays(
    resident, resident_other_district
):
    organisation = OrganisationFactory(created_by=resident)
    membership = services.membership_add(
        actor=resident,
        organisation=organisation,
        email=resident_other_district.email.upper(),
        role=MembershipRole.MEMBER,
    )
    with pytest.raises(OrganisationsError) as caught:
        services.membership_add(
            actor=resident,
            organisation=organisation,
            email=resident_other_district.email,
            role=MembershipRole.MEMBER,
        )
    assert caught.value.code == "already_member"
    with pytest.raises(OrganisationsError) as caught:
        services.membership_add(
            actor=resident_other_district,
            organisation=organisation,
            email="x@example.org",
            role=MembershipRole.MEMBER,
        )
    assert caught.value.code == "not_allowed"
    own = Membership.objects.get(organisation=organisation, user=resident)
    with pytest.raises(OrganisationsError) as caught:
        services.membership_remove(actor=resident, membership=own)
    assert caught.value.code == "last_representative"
    services.membership_remove(actor=resident_other_district, membership=membership)
    assert organisation.memberships.count() == 1


# --- documents ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_file_whose_content_does_not_match_its_extension_is_refused(resident):
    organisation = OrganisationFactory(created_by=resident)
    with pytest.raises(OrganisationsError) as caught:
        services.document_add(
            actor=resident,
            organisation=organisation,
            kind=DocumentKind.STATUTE,
            title="Statut",
            upload=SimpleUploadedFile("statut.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert caught.value.code == "file_content" and "PDF" in str(caught.value)
    with pytest.raises(OrganisationsError) as caught:
        services.document_add(
            actor=resident,
            organisation=organisation,
            kind=DocumentKind.STATUTE,
            title="Statut",
            upload=SimpleUploadedFile("statut.exe", PDF),
        )
    assert caught.value.code == "file_type"


@pytest.mark.django_db
def test_private_documents_are_seen_by_insiders_only(client_for, resident):
    organisation = OrganisationFactory(created_by=resident)
    private = services.document_add(
        actor=resident,
        organisation=organisation,
        kind=DocumentKind.REGISTER_EXTRACT,
        title="Odpis KRS",
        upload=SimpleUploadedFile("odpis.pdf", PDF),
    )
    public = services.document_add(
        actor=resident,
        organisation=organisation,
        kind=DocumentKind.STATUTE,
        title="Statut",
        upload=SimpleUploadedFile("statut.pdf", PDF),
        is_public=True,
    )
    base = f"/pl/organizacje/{organisation.pk}/dokumenty"
    anonymous = client_for("anonymous")
    assert anonymous.get(f"{base}/{private.pk}/").status_code == 404
    response = anonymous.get(f"{base}/{public.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert client_for("official").get(f"{base}/{private.pk}/").status_code == 200
    owner = client_for("anonymous")
    owner.force_login(resident)
    assert owner.get(f"{base}/{private.pk}/").status_code == 200


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_registering_through_the_page_keeps_what_was_typed_on_errors(client_for, resident):
    client = client_for("anonymous")
    client.force_login(resident)
    assert client.get("/pl/organizacje/zarejestruj/").status_code == 200
    data = ngo_data(nip="1234567890", regon="999", kind="ngo")
    response = client.post("/pl/organizacje/zarejestruj/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "NIP jest niepoprawny" in body and "REGON jest niepoprawny" in body
    assert 'value="Fundacja Zielony Kazimierz"' in body
    assert 'value="1234567890"' in body
    response = client.post("/pl/organizacje/zarejestruj/", ngo_data(kind="ngo"))
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pl/organizacje/{organisation.pk}/"


@pytest.mark.django_db
def test_the_public_registry_lists_verified_ngos_and_groups_only(
    client, krakow, django_assert_max_num_queries
):
    shown = OrganisationFactory(name="Widoczna Fundacja")
    shown.districts.set([krakow[3]])
    InformalGroupFactory(name="Widoczna Grupa")
    OrganisationFactory(name="Czekająca Fundacja", status=VerificationStatus.PENDING)
    IndividualFactory(name="Prywatna Osoba")
    for i in range(10):
        OrganisationFactory(name=f"Inna {i}").districts.set([krakow[1], krakow[2]])
    with django_assert_max_num_queries(8):
        body = client.get("/pl/organizacje/").content.decode()
    assert "Widoczna Fundacja" in body and "Widoczna Grupa" in body
    assert "Czekająca" not in body and "Prywatna" not in body
    body = client.get(f"/pl/organizacje/?district={krakow[3].pk}").content.decode()
    assert "Widoczna Fundacja" in body and "Inna 1" not in body
    assert client.get("/pl/organizacje/?area=nonsense").status_code == 400


@pytest.mark.django_db
def test_the_public_profile_hides_birth_dates_and_private_people(client, client_for, official):
    group = InformalGroupFactory(name="Sąsiedzi z Zabłocia")
    body = client.get(f"/pl/organizacje/{group.pk}/").content.decode()
    assert "Sąsiedzi z Zabłocia" in body and "Członek Grupy" not in body
    body = client_for("official").get(f"/pl/organizacje/{group.pk}/").content.decode()
    assert "Członek Grupy 1" in body


@pytest.mark.django_db
def test_an_official_decides_through_the_verification_page(client_for, resident):
    organisation = OrganisationFactory(created_by=resident, status=VerificationStatus.PENDING)
    client = client_for("official")
    queue = client.get("/pl/organizacje/weryfikacja/").content.decode()
    assert organisation.name in queue
    bad = client.post(f"/pl/organizacje/{organisation.pk}/weryfikacja/", {"decision": "reject"})
    assert bad.status_code == 400 and "uzasadnienie" in bad.content.decode()
    ok = client.post(
        f"/pl/organizacje/{organisation.pk}/weryfikacja/", {"decision": "approve", "note": ""}
    )
    assert ok.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.VERIFIED
