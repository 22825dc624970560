"""A volunteering agreement over 30 days is made in writing (art. 44 of the Act on public benefit
activity and volunteering): signed with a qualified or trusted-profile signature file, or on
paper as the organiser records — never by a click (issue 21)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from wspolnota.community import permissions, services
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import VolunteerAgreement, VolunteerHours
from wspolnota.community.tests.factories import VolunteerOfferFactory, VolunteerProfileFactory
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory


def pades(extra: bytes = b"") -> bytes:
    """A PDF with one signature dictionary whose /ByteRange leaves out exactly its /Contents."""
    head = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
    )
    contents = b"<" + b"30" * 64 + b">"
    tail = b" >>\nendobj\n" + extra + b"%%EOF\n"
    placeholder = b"/ByteRange [0000000000 0000000000 0000000000 0000000000] /Contents "
    start = len(head) + len(placeholder)
    end = start + len(contents)
    total = end + len(tail)
    byte_range = b"/ByteRange [%010d %010d %010d %010d] /Contents " % (0, start, end, total - end)
    return head + byte_range + contents + tail


XADES = b"""<?xml version="1.0" encoding="UTF-8"?>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="sig-1">
  <ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
    <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
    <ds:Reference URI="porozumienie.pdf"><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>
  </ds:SignedInfo>
  <ds:SignatureValue>QUJD</ds:SignatureValue>
  <ds:Object><xades:QualifyingProperties xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"/></ds:Object>
</ds:Signature>
"""


@pytest.fixture
def long_volunteering(krakow, ngo_member):
    """An accepted application for 60 days of volunteering: a written agreement is drawn up."""
    today = timezone.localdate()
    offer = VolunteerOfferFactory(
        created_by=ngo_member,
        starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=55),
    )
    volunteer = UserFactory(full_name="Jan Wolontariusz")
    VolunteerProfileFactory(user=volunteer)
    application = services.volunteer_apply(user=volunteer, offer=offer)
    services.volunteer_application_decide(actor=ngo_member, application=application, accept=True)
    agreement = VolunteerAgreement.objects.get(application=application)
    return agreement, volunteer, ngo_member


def _log(volunteer, agreement):
    return services.volunteer_hours_log(
        user=volunteer,
        application=agreement.application,
        day=timezone.localdate(),
        hours=Decimal("2"),
        description="Pomoc w świetlicy",
    )


@pytest.mark.django_db
def test_clicking_sign_on_the_page_does_not_make_a_written_agreement_and_hours_stay_refused(
    long_volunteering, client
):
    """The attack: both sides "sign" by a click (today's page) and the volunteer logs hours."""
    agreement, volunteer, organiser = long_volunteering
    page = f"/pl/spolecznosc/wolontariat/zgloszenia/{agreement.application_id}/porozumienie/"
    client.force_login(organiser)
    client.post(page, {"confirm": "on", "guardian_name": ""})
    client.force_login(volunteer)
    client.post(page, {"confirm": "on"})
    agreement.refresh_from_db()
    assert not agreement.is_signed

    hours_page = f"/pl/spolecznosc/wolontariat/zgloszenia/{agreement.application_id}/"
    form = {"day": timezone.localdate().isoformat(), "hours": "2", "description": "Pomoc"}
    response = client.post(hours_page, form)
    assert response.status_code == 400
    assert "po podpisaniu porozumienia" in response.content.decode()
    english = client.post(
        f"/en/spolecznosc/wolontariat/zgloszenia/{agreement.application_id}/", form
    )
    assert english.status_code == 400
    assert "once the agreement is signed" in english.content.decode()
    assert not VolunteerHours.objects.exists()

    with pytest.raises(CommunityError) as caught:
        _log(volunteer, agreement)
    assert caught.value.code == "agreement_not_signed"


@pytest.mark.django_db
def test_the_organiser_signs_with_a_pades_file_kept_with_its_sha256(long_volunteering):
    agreement, volunteer, organiser = long_volunteering
    content = pades()
    signed = services.volunteer_agreement_sign_with_file(
        actor=organiser,
        agreement=agreement,
        upload=SimpleUploadedFile("porozumienie.pdf", content, content_type="application/pdf"),
    )
    signed.refresh_from_db()
    assert signed.is_signed and signed.signed_via == "file"
    assert signed.signature_sha256 == hashlib.sha256(content).hexdigest()
    assert signed.signature_file.read() == content
    assert signed.signed_on == timezone.localdate()
    assert signed.signature_recorded_by == organiser
    entry = AuditLogEntry.objects.get(action="community.agreement_signed_with_file")
    assert entry.actor == organiser
    assert entry.after["signature_sha256"] == signed.signature_sha256
    assert _log(volunteer, agreement).hours == Decimal("2")
    with pytest.raises(CommunityError):  # signed once; a second record is refused
        services.volunteer_agreement_record_paper(
            actor=organiser, agreement=signed, signed_on=timezone.localdate()
        )


@pytest.mark.django_db
def test_an_xades_signature_file_is_accepted(long_volunteering):
    agreement, _volunteer, organiser = long_volunteering
    signed = services.volunteer_agreement_sign_with_file(
        actor=organiser,
        agreement=agreement,
        upload=SimpleUploadedFile("porozumienie.pdf.xades", XADES, content_type="text/xml"),
    )
    assert signed.is_signed and signed.signature_sha256 == hashlib.sha256(XADES).hexdigest()


@pytest.mark.parametrize(
    "name,content",
    [
        ("porozumienie.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"),
        # the words are there, but no signature dictionary whose byte range frames its contents
        ("porozumienie.pdf", b"%PDF-1.7\n% /ByteRange /Contents\n%%EOF"),
        ("porozumienie.xml", b"<?xml version='1.0'?><umowa>podpis</umowa>"),
        (
            "porozumienie.xml",
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><ds:Signature "
            b"xmlns:ds='http://www.w3.org/2000/09/xmldsig#'>&a;</ds:Signature>",
        ),
        ("porozumienie.docx", pades()),
        ("skan.jpg", b"\xff\xd8\xff\xe0 JFIF"),
    ],
)
@pytest.mark.django_db
def test_a_file_without_an_electronic_signature_is_refused(long_volunteering, name, content):
    agreement, volunteer, organiser = long_volunteering
    with pytest.raises(CommunityError) as caught:
        services.volunteer_agreement_sign_with_file(
            actor=organiser, agreement=agreement, upload=SimpleUploadedFile(name, content)
        )
    assert caught.value.field == "signature_file"
    agreement.refresh_from_db()
    assert not agreement.is_signed
    with pytest.raises(CommunityError):
        _log(volunteer, agreement)


@pytest.mark.django_db
def test_the_organiser_records_the_paper_agreement_with_its_date_and_an_optional_scan(
    long_volunteering,
):
    agreement, volunteer, organiser = long_volunteering
    today = timezone.localdate()
    with pytest.raises(CommunityError) as caught:
        services.volunteer_agreement_record_paper(
            actor=organiser, agreement=agreement, signed_on=today + timedelta(days=1)
        )
    assert caught.value.field == "signed_on"
    with pytest.raises(CommunityError) as caught:
        services.volunteer_agreement_record_paper(
            actor=organiser, agreement=agreement, signed_on=today - timedelta(days=400)
        )
    assert caught.value.field == "signed_on"
    scan = b"%PDF-1.4 skan porozumienia"
    signed = services.volunteer_agreement_record_paper(
        actor=organiser,
        agreement=agreement,
        signed_on=today,
        scan=SimpleUploadedFile("skan.pdf", scan),
    )
    signed.refresh_from_db()
    assert signed.signed_via == "paper" and signed.signed_on == today
    assert signed.signature_recorded_by == organiser and signed.signature_recorded_at
    assert signed.paper_scan.read() == scan
    assert signed.paper_scan_sha256 == hashlib.sha256(scan).hexdigest()
    assert (
        AuditLogEntry.objects.get(action="community.agreement_signed_on_paper").actor == organiser
    )
    assert _log(volunteer, agreement)


@pytest.mark.django_db
def test_a_minor_s_agreement_needs_the_guardian_named_before_it_counts_as_signed(
    krakow, ngo_member
):
    today = timezone.localdate()
    offer = VolunteerOfferFactory(
        created_by=ngo_member, starts_on=today, ends_on=today + timedelta(days=60)
    )
    minor = UserFactory(full_name="Ola Nowak")
    VolunteerProfileFactory(user=minor, birth_date=date(today.year - 16, 1, 1))
    application = services.volunteer_apply(user=minor, offer=offer)
    services.volunteer_application_decide(actor=ngo_member, application=application, accept=True)
    agreement = VolunteerAgreement.objects.get(application=application)
    with pytest.raises(CommunityError) as caught:
        services.volunteer_agreement_record_paper(
            actor=ngo_member, agreement=agreement, signed_on=today
        )
    assert caught.value.field == "guardian_name"
    signed = services.volunteer_agreement_record_paper(
        actor=ngo_member, agreement=agreement, signed_on=today, guardian_name="Anna Nowak"
    )
    assert signed.is_signed and signed.guardian_name == "Anna Nowak"


@pytest.mark.django_db
def test_only_the_organiser_records_the_signing(long_volunteering, ngo_member, official):
    agreement, volunteer, organiser = long_volunteering
    stranger = UserFactory()
    for person in (volunteer, stranger, official):
        assert not permissions.can_record_agreement_signature(person, agreement)
        with pytest.raises(CommunityError):
            services.volunteer_agreement_record_paper(
                actor=person, agreement=agreement, signed_on=timezone.localdate()
            )
        with pytest.raises(CommunityError):
            services.volunteer_agreement_sign_with_file(
                actor=person,
                agreement=agreement,
                upload=SimpleUploadedFile("porozumienie.pdf", pades()),
            )
    assert permissions.can_record_agreement_signature(organiser, agreement)
    assert not AuditLogEntry.objects.filter(
        action__startswith="community.agreement_signed"
    ).exists()


@pytest.mark.django_db
def test_the_pdf_is_an_agreement_to_sign_on_paper_never_signed_electronically(long_volunteering):
    agreement, _volunteer, organiser = long_volunteering
    services.volunteer_agreement_record_paper(
        actor=organiser, agreement=agreement, signed_on=timezone.localdate()
    )
    agreement.refresh_from_db()
    html = render_to_string(
        "community/pdf/agreement.html",
        {
            "agreement": agreement,
            "application": agreement.application,
            "offer": agreement.application.offer,
            "city_name": settings.CITY_NAME,
        },
    )
    assert "elektronicznie" not in html
    assert "do podpisania na papierze" in html
    assert html.count('class="signature"') >= 2
    assert "data i podpis korzystającego" in html and "data i podpis wolontariusza" in html


@pytest.mark.django_db
def test_the_organiser_uploads_the_signed_file_through_the_page_and_both_sides_download_it(
    long_volunteering, client
):
    agreement, volunteer, organiser = long_volunteering
    page = f"/pl/spolecznosc/wolontariat/zgloszenia/{agreement.application_id}/porozumienie/"
    client.force_login(volunteer)
    assert "Prześlij plik z podpisami" not in client.get(page).content.decode()
    refused = client.post(
        page, {"method": "file", "file-signature_file": SimpleUploadedFile("p.pdf", pades())}
    )
    assert refused.status_code == 403
    client.force_login(organiser)
    html = client.get(page).content.decode()
    assert "Prześlij plik z podpisami" in html and "Zapisz podpisanie na papierze" in html
    bad = client.post(
        page, {"method": "file", "file-signature_file": SimpleUploadedFile("p.pdf", b"%PDF-1.4 x")}
    )
    assert bad.status_code == 400
    assert "podpis" in bad.content.decode()
    done = client.post(
        page, {"method": "file", "file-signature_file": SimpleUploadedFile("p.pdf", pades())}
    )
    assert done.status_code == 302
    agreement.refresh_from_db()
    assert agreement.is_signed
    download = (
        f"/pl/spolecznosc/wolontariat/zgloszenia/{agreement.application_id}/porozumienie/podpis/"
    )
    client.force_login(volunteer)
    assert b"".join(client.get(download).streaming_content) == pades()
    client.force_login(UserFactory())
    assert client.get(download).status_code in (403, 404)


@pytest.mark.django_db
def test_the_organiser_records_paper_through_the_page(long_volunteering, client):
    agreement, _volunteer, organiser = long_volunteering
    page = f"/pl/spolecznosc/wolontariat/zgloszenia/{agreement.application_id}/porozumienie/"
    client.force_login(organiser)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert client.post(page, {"method": "paper", "paper-signed_on": future}).status_code == 400
    response = client.post(
        page, {"method": "paper", "paper-signed_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_via == "paper"


@pytest.mark.django_db
def test_signature_files_are_in_the_volunteer_s_data_export_and_purged_after_retention(
    long_volunteering, settings
):
    from wspolnota.accounts.services import personal_data_purge, user_export_data

    agreement, volunteer, organiser = long_volunteering
    signed = services.volunteer_agreement_sign_with_file(
        actor=organiser,
        agreement=agreement,
        upload=SimpleUploadedFile("porozumienie.pdf", pades()),
    )
    exported = str(user_export_data(user=volunteer))
    assert signed.signature_sha256 in exported
    path = signed.signature_file.name
    storage = signed.signature_file.storage
    assert storage.exists(path)

    personal_data_purge()
    assert storage.exists(path)  # kept while the organiser must keep the agreement

    later = timezone.now() + timedelta(
        days=settings.RETENTION_DAYS["volunteer_agreements"] + 60 + 5
    )
    result = personal_data_purge(now=later)
    assert result["volunteer_agreements"] == 1
    assert not storage.exists(path)
    signed.refresh_from_db()
    assert signed.signature_file.name == "" and signed.volunteer_name == ""
