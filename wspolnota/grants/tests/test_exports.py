"""Officials' exports of applications, awards and settlements (CSV and XLSX), scoped to the
calls of the official's own unit; a cell that a spreadsheet would run as a formula is text."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from wspolnota.accounts.roles import Role
from wspolnota.grants import services
from wspolnota.grants.models import ApplicationStatus, Award, ProgrammeKind
from wspolnota.grants.tests.factories import make_application, make_call, make_programme
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
IBAN = "PL61 1090 1014 0000 0712 1981 2874"


def _official():
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    ours, theirs = _official(), _official()
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=ours), created_by=ours)
    other = make_call(
        make_programme(ProgrammeKind.MICRO_GRANT, created_by=theirs), created_by=theirs
    )
    awarded = make_application(
        call,
        OrganisationFactory(name='=HYPERLINK("http://evil")'),
        grant=4_000,
        status=ApplicationStatus.AWARDED,
        submitted_at=timezone.now(),
        number="MZ/2026/1/0001",
    )
    Award.objects.create(application=awarded, call=call, amount=Decimal(4_000), decided_by=ours)
    agreement = services.agreement_save(
        actor=ours,
        application=awarded,
        start_date=awarded.start_date,
        end_date=awarded.start_date + timedelta(days=29),
        report_due_date=awarded.start_date + timedelta(days=59),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account=IBAN,
    )
    make_application(
        call,
        OrganisationFactory(name="Fundacja Druga"),
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=timezone.now(),
        number="MZ/2026/1/0002",
    )
    make_application(
        other,
        OrganisationFactory(name="Obca Fundacja"),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        number="MG/2026/9/0001",
    )
    return {"ours": ours, "theirs": theirs, "call": call, "agreement": agreement}


def _csv(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_applications_export_holds_only_the_officials_unit(world):
    rows = _csv(_client(world["ours"]).get("/pl/granty/urzad/eksport/wnioski.csv"))
    numbers = {row[0] for row in rows[1:]}
    assert numbers == {"MZ/2026/1/0001", "MZ/2026/1/0002"}
    theirs = _csv(_client(world["theirs"]).get("/pl/granty/urzad/eksport/wnioski.csv"))
    assert {row[0] for row in theirs[1:]} == {"MG/2026/9/0001"}


def test_a_formula_in_a_name_is_exported_as_text(world):
    rows = _csv(_client(world["ours"]).get("/pl/granty/urzad/eksport/wnioski.csv"))
    names = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert names and all(name.startswith("'") for name in names)


def test_awards_and_settlements_as_xlsx(world):
    client = _client(world["ours"])
    response = client.get("/pl/granty/urzad/eksport/dotacje.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][0] == "MZ/2026/1/0001"
    assert Decimal(str(values[1][4])) == Decimal(4_000)
    settlements = _csv(client.get("/pl/granty/urzad/eksport/rozliczenia.csv"))
    assert [row[0] for row in settlements[1:]] == [world["agreement"].number]


def test_the_export_of_one_call_and_who_may_ask(world, client):
    call = world["call"]
    ours = _client(world["ours"])
    rows = _csv(ours.get(f"/pl/granty/urzad/eksport/wnioski.csv?nabor={call.pk}"))
    assert len(rows) == 3
    # Another unit's official asking for our call gets nothing of it.
    theirs = _client(world["theirs"]).get(f"/pl/granty/urzad/eksport/wnioski.csv?nabor={call.pk}")
    assert theirs.status_code == 403
    assert client.get("/pl/granty/urzad/eksport/wnioski.csv").status_code in (302, 403)
    resident = _client(UserFactory()).get("/pl/granty/urzad/eksport/wnioski.csv")
    assert resident.status_code == 403
    assert ours.get("/pl/granty/urzad/eksport/wnioski.csv?nabor=x").status_code == 400
    assert ours.get("/pl/granty/urzad/eksport/nic.csv").status_code == 404
