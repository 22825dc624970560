"""Drafts, the budget table and its CSV import, submission with a numbered PDF receipt."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import ApplicationStatus, CostCategory, ProgrammeKind
from wspolnota.grants.tests.factories import make_application, make_call, make_programme
from wspolnota.organisations.models import Membership, MembershipRole
from wspolnota.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CSV_HEADER = (
    "kategoria;rodzaj kosztu;jednostka;liczba;koszt jednostkowy;dotacja;wkład własny;"
    "wkład rzeczowy;wolontariat\n"
)


@pytest.fixture
def ngo(resident):
    return OrganisationFactory(created_by=resident)


def test_the_budget_table_computes_costs_and_the_requested_amount(ngo, resident):
    application = make_application(make_call(), ngo, complete=False)
    services.budget_replace(
        user=resident,
        application=application,
        rows=[
            services.BudgetRow(
                category=CostCategory.MATERIALS,
                description="Farby",
                unit="l",
                quantity=Decimal("12.5"),
                unit_cost=Decimal("40.00"),
                grant_amount=Decimal("400.00"),
                own_amount=Decimal("100.00"),
            ),
            services.BudgetRow(
                category=CostCategory.VOLUNTEER,
                description="Malowanie",
                unit="h",
                quantity=Decimal(20),
                unit_cost=Decimal(40),
                volunteer_amount=Decimal(800),
            ),
        ],
    )
    application.refresh_from_db()
    assert application.requested_amount == Decimal("400.00")
    assert application.total_cost == Decimal("1300.00")
    assert [line.total for line in application.budget_lines.all()] == [Decimal(500), Decimal(800)]


def test_a_budget_imported_from_csv_replaces_the_table(ngo, resident):
    application = make_application(make_call(), ngo)
    content = CSV_HEADER + (
        "materiały i wyposażenie;Farby;l;12,5;40;400;100;0;0\n"
        "\n"
        "volunteer;Malowanie;h;20;40;0;0;0;800\n"
    )
    services.budget_import_csv(
        user=resident,
        application=application,
        upload=SimpleUploadedFile("kosztorys.csv", content.encode("utf-8")),
    )
    lines = list(application.budget_lines.all())
    assert [(line.position, line.description, line.total) for line in lines] == [
        (1, "Farby", Decimal("500.00")),
        (2, "Malowanie", Decimal("800.00")),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "materiały i wyposażenie;Farby;l;12,5;czterdzieści;400;100;0;0\n",
            "Wiersz 2, kolumna „koszt jednostkowy”: „czterdzieści” nie jest liczbą.",
        ),
        ("materiały;Farby;l;1;40;40\n", "Wiersz 2: oczekiwano 9 kolumn, jest 6."),
        (
            "materiały i wyposażenie;Farby;l;1;40;40;0;0;0\nkwiaty;Róże;szt.;1;5;5;0;0;0\n",
            "Wiersz 3: nieznana kategoria „kwiaty”.",
        ),
    ],
)
def test_a_malformed_csv_names_the_line(ngo, resident, body, expected):
    application = make_application(make_call(), ngo)
    before = list(application.budget_lines.values_list("description", flat=True))
    with pytest.raises(GrantsError) as caught:
        services.budget_import_csv(
            user=resident,
            application=application,
            upload=SimpleUploadedFile("k.csv", (CSV_HEADER + body).encode("utf-8")),
        )
    assert str(caught.value) == expected and caught.value.field == "file"
    assert list(application.budget_lines.values_list("description", flat=True)) == before


def test_a_csv_in_another_encoding_or_without_headers_is_explained(ngo, resident):
    application = make_application(make_call(), ngo)
    with pytest.raises(GrantsError) as caught:
        services.budget_import_csv(
            user=resident,
            application=application,
            upload=SimpleUploadedFile(
                "k.csv", (CSV_HEADER + "inne;Żółć;l;1;1;1;0;0;0\n").encode("cp1250")
            ),
        )
    assert caught.value.code == "csv_encoding"
    with pytest.raises(GrantsError) as caught:
        services.budget_import_csv(
            user=resident,
            application=application,
            upload=SimpleUploadedFile("k.csv", b"Farby;l;1;40\n"),
        )
    assert caught.value.code == "csv_header"


def test_the_budget_page_imports_a_csv_and_shows_a_bad_line_without_losing_the_table(
    client, ngo, resident
):
    application = make_application(make_call(), ngo)
    client.force_login(resident)
    url = f"/pl/granty/wnioski/{application.pk}/kosztorys/"
    bad = client.post(
        url,
        {
            "import": "1",
            "file": SimpleUploadedFile(
                "k.csv", (CSV_HEADER + "inne;A;szt.;x;1;1;0;0;0\n").encode()
            ),
        },
    )
    assert bad.status_code == 400
    assert "Wiersz 2, kolumna „liczba”: „x” nie jest liczbą." in bad.content.decode()
    assert application.budget_lines.count() == 1


def test_the_budget_page_saves_rows_and_keeps_what_was_typed_on_errors(client, ngo, resident):
    application = make_application(make_call(), ngo, complete=False)
    client.force_login(resident)
    url = f"/pl/granty/wnioski/{application.pk}/kosztorys/"
    data = {
        "save": "1",
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "1000",
        "budget-0-category": "materials",
        "budget-0-description": "Farby",
        "budget-0-unit": "l",
        "budget-0-quantity": "10",
        "budget-0-unit_cost": "40,50",
        "budget-0-grant_amount": "405",
        "budget-1-category": "services",
        "budget-1-description": "Transport",
        "budget-1-unit": "kurs",
        "budget-1-quantity": "dwa",
        "budget-1-unit_cost": "100",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'value="Transport"' in body and 'value="dwa"' in body and "Wiersz 2" in body
    data["budget-1-quantity"] = "2"
    data["budget-1-grant_amount"] = "200"
    assert client.post(url, data).status_code == 302
    assert application.budget_lines.count() == 2
    application.refresh_from_db()
    assert application.requested_amount == Decimal("605.00")


def test_only_a_representative_submits_and_members_prepare_drafts(ngo, resident_other_district):
    Membership.objects.create(
        organisation=ngo, user=resident_other_district, role=MembershipRole.MEMBER
    )
    application = make_application(make_call(), ngo)
    services.application_update(
        user=resident_other_district,
        application=application,
        title="Nowy tytuł",
        summary="Krótko",
        start_date=application.start_date,
        end_date=application.end_date,
    )
    with pytest.raises(GrantsError) as caught:
        services.application_submit(user=resident_other_district, application=application)
    assert caught.value.code == "not_allowed"


def test_submission_numbers_the_application_freezes_it_and_issues_a_pdf_receipt(
    ngo, resident, django_capture_on_commit_callbacks
):
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    application = make_application(call, ngo, grant=2_500)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(user=resident, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.number == f"MG/{call.year}/{call.pk}/0001"
    assert application.content_sha256 == services.content_checksum(application)
    pdf = application.receipt_pdf.read()
    assert pdf.startswith(b"%PDF-")
    assert application.receipt_sha256 == hashlib.sha256(pdf).hexdigest()
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        assert application.number in text
        assert application.content_sha256 in text.replace("\n", "")
    entry = AuditLogEntry.objects.get(action="grants.application_submitted")
    assert entry.after["content_sha256"] == application.content_sha256
    with pytest.raises(GrantsError) as caught:
        services.application_update(user=resident, application=application, title="Zmiana")
    assert caught.value.code == "not_draft"


def test_a_changed_budget_would_change_the_checksum(ngo, resident):
    application = make_application(make_call(), ngo, grant=2_500)
    services.application_submit(user=resident, application=application)
    original = application.content_sha256
    line = application.budget_lines.get()
    line.grant_amount = Decimal("2499.99")
    line.save()
    assert services.content_checksum(application) != original


def test_the_receipt_is_downloaded_with_its_checksum(client, ngo, resident):
    application = make_application(make_call(), ngo)
    services.application_submit(user=resident, application=application)
    client.force_login(resident)
    response = client.get(f"/pl/granty/wnioski/{application.pk}/potwierdzenie.pdf")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()
    stranger = client.__class__()
    assert stranger.get(f"/pl/granty/wnioski/{application.pk}/potwierdzenie.pdf").status_code == 302


def test_numbers_follow_each_other_within_a_call(ngo, resident):
    call = make_call()
    first = make_application(call, ngo)
    other = OrganisationFactory()
    second = make_application(call, other)
    services.application_submit(user=resident, application=first)
    services.application_submit(user=other.created_by, application=second)
    assert (first.number[-4:], second.number[-4:]) == ("0001", "0002")


def test_a_withdrawn_application_is_audit_logged_and_frees_the_call(ngo, resident):
    call = make_call()
    application = make_application(call, ngo)
    services.application_submit(user=resident, application=application)
    services.application_withdraw(user=resident, application=application, reason="zmiana planów")
    assert AuditLogEntry.objects.filter(action="grants.application_withdrawn").exists()
    again = services.application_start(user=resident, call=call, applicant=ngo, title="Od nowa")
    assert again.status == ApplicationStatus.DRAFT


def test_attachments_keep_their_checksum_and_a_fake_pdf_is_refused(ngo, resident):
    application = make_application(make_call(), ngo)
    pdf = b"%PDF-1.4\nzalacznik\n"
    attachment = services.attachment_add(
        user=resident,
        application=application,
        title="List poparcia",
        upload=SimpleUploadedFile("list.pdf", pdf),
    )
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    with pytest.raises(GrantsError) as caught:
        services.attachment_add(
            user=resident,
            application=application,
            title="X",
            upload=SimpleUploadedFile("x.pdf", b"GIF89a"),
        )
    assert caught.value.field == "file" and caught.value.code == "file_content"


def test_the_checklist_page_lists_every_broken_limit(client, ngo, resident):
    application = make_application(make_call(), ngo, grant=9_000, summary="")
    client.force_login(resident)
    body = client.get(f"/pl/granty/wnioski/{application.pk}/").content.decode()
    assert "Dodaj krótki opis zadania." in body
    assert "przekracza największą dozwoloną (5\xa0000,00 zł)" in body
    response = client.post(f"/pl/granty/wnioski/{application.pk}/zloz/", follow=True)
    assert "Dodaj krótki opis zadania." in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
