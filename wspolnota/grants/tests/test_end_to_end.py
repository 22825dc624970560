"""One grant's whole life for each of the four kinds of programme, through the pages only:
programme and call, registry entry, application, formal check, (remarks,) commission, award,
results, agreement, tranches, final report, acceptance, archive — every official's act audited."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.selectors import audit_chain_verify
from wspolnota.grants import limits
from wspolnota.grants.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Programme,
    ProgrammeKind,
    Report,
    ReportStatus,
)
from wspolnota.organisations.models import Organisation, VerificationStatus
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\nlist poparcia\n"


def form_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    return str(value)


def programme_form(kind: str, **overrides: Any) -> dict[str, str]:
    values = {
        "name": f"Program: {kind}",
        "cost_tolerance_percent": Decimal(10),
        "is_active": True,
        **limits.PROGRAMME_DEFAULTS[kind],
        **overrides,
    }
    return {k: form_value(v) for k, v in values.items() if form_value(v) != ""}


def formset(prefix: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = form_value(value)
    return data


def ok(response: Any) -> Any:
    assert response.status_code in (200, 302), (response.status_code, _errors(response))
    return response


def _errors(response: Any) -> list[str]:
    body = response.content.decode() if hasattr(response, "content") else ""
    return re.findall(r'class="(?:field-error|message message-error)"[^>]*>([^<]+)<', body)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


class Flow:
    """The people of one grant's life, each with a logged-in client."""

    def __init__(self, krakow: dict[int, Any], kind: str) -> None:
        self.kind = kind
        self.official = UserFactory(district=krakow[1])
        from wspolnota.tests_support.factories import CityUnitFactory

        RoleAssignmentFactory(user=self.official, role=Role.OFFICIAL, city_unit=CityUnitFactory())
        self.office = self._client(self.official)
        self.applicant_user = UserFactory(district=krakow[13])
        self.applicant = self._client(self.applicant_user)
        self.assessors = [UserFactory() for _ in range(2)]

    @staticmethod
    def _client(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    # --- office ---------------------------------------------------------------------------------

    def create_programme(self, **overrides: Any) -> Programme:
        ok(self.office.get(f"/pl/granty/urzad/programy/nowy/?rodzaj={self.kind}"))
        response = self.office.post(
            "/pl/granty/urzad/programy/nowy/",
            {"kind": self.kind, **programme_form(self.kind, **overrides)},
        )
        assert response.status_code == 302, _errors(response)
        return Programme.objects.get(kind=self.kind)

    def create_call(self, programme: Programme, *, pool: int, days_to_deadline: int | None) -> Call:
        now = timezone.localtime()
        data = {
            "title": f"Nabór {programme.get_kind_display()} {now.year}",
            "description": "Zasady naboru.",
            "year": now.year,
            "pool_amount": pool,
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=days_to_deadline)).strftime("%Y-%m-%dT%H:%M")
            if days_to_deadline
            else "",
        }
        response = self.office.post(f"/pl/granty/urzad/programy/{programme.pk}/nowy-nabor/", data)
        assert response.status_code == 302, _errors(response)
        call = Call.objects.get(programme=programme)
        for i, assessor in enumerate(self.assessors):
            ok(
                self.office.post(
                    f"/pl/granty/urzad/nabory/{call.pk}/komisja/",
                    {"email": assessor.email, "role": "chair" if i == 0 else "member"},
                )
            )
        ok(self.office.post(f"/pl/granty/urzad/nabory/{call.pk}/oglos/"))
        call.refresh_from_db()
        assert call.status == CallStatus.PUBLISHED, messages_of(
            self.office.get(f"/pl/granty/urzad/nabory/{call.pk}/")
        )
        return call

    # --- applicant --------------------------------------------------------------------------------

    def apply(
        self,
        call: Call,
        organisation: Organisation,
        *,
        budget: list[dict[str, Any]],
        start_in_days: int,
        days: int,
        extra: dict[str, Any] | None = None,
    ) -> Application:
        assert (
            "Złóż wniosek"
            in ok(self.applicant.get(f"/pl/granty/nabory/{call.pk}/")).content.decode()
        )
        response = self.applicant.post(
            f"/pl/granty/nabory/{call.pk}/nowy-wniosek/",
            {"applicant": organisation.pk, "title": "Zielone podwórko"},
        )
        assert response.status_code == 302, _errors(response)
        application = Application.objects.get(call=call, applicant=organisation)
        base = f"/pl/granty/wnioski/{application.pk}"
        start = timezone.localdate() + timedelta(days=start_in_days)
        end = start + timedelta(days=days - 1)
        ok(
            self.applicant.post(
                f"{base}/opis/",
                {
                    "title": "Zielone podwórko",
                    "summary": "Sąsiedzi sadzą rośliny i budują ławki na podwórku.",
                    "description": "Zazielenimy podwórko przy ul. Mogilskiej 12.",
                    "target_group": "Mieszkańcy kamienic i dzieci z okolicy",
                    "district": "",
                    "location": "ul. Mogilska 12",
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat(),
                    "public_task_sphere": "local_community",
                    "contact_name": "Lider Grupy",
                    "contact_email": "lider@example.org",
                    "social_change": "Sąsiedzi dbają o wspólne podwórko.",
                    "resources": "Wolontariusze i narzędzia.",
                    **(extra or {}),
                },
            )
        )
        ok(
            self.applicant.post(
                f"{base}/oswiadczenia/",
                {
                    "within_statutory_activity": "on",
                    "registry_data_true": "on",
                    "information_true": "on",
                    "gdpr_obligations": "on",
                    "no_tax_arrears": "yes",
                    "no_social_security_arrears": "yes",
                },
            )
        )
        budget = [{"action_position": 1, **row} for row in budget]
        response = self.applicant.post(
            f"{base}/kosztorys/", {"save": "1", **formset("budget", budget)}
        )
        assert response.status_code == 302, _errors(response)
        ok(
            self.applicant.post(
                f"{base}/harmonogram/",
                formset(
                    "schedule",
                    [
                        {
                            "action": "Sadzenie i budowa ławek",
                            "start_date": start,
                            "end_date": end,
                            "responsible": "Lider",
                        }
                    ],
                ),
            )
        )
        ok(
            self.applicant.post(
                f"{base}/rezultaty/",
                formset(
                    "results",
                    [
                        {
                            "description": "Posadzone krzewy",
                            "target": "30 szt.",
                            "verification": "zdjęcia",
                        }
                    ],
                ),
            )
        )
        ok(
            self.applicant.post(
                f"{base}/zalaczniki/",
                {"title": "List poparcia", "file": SimpleUploadedFile("list.pdf", PDF)},
            )
        )
        body = ok(self.applicant.get(f"{base}/")).content.decode()
        assert "Wniosek spełnia wszystkie limity programu i można go złożyć." in body, body[-3000:]
        ok(self.applicant.post(f"{base}/zloz/"))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        receipt = self.applicant.get(f"{base}/potwierdzenie.pdf")
        assert receipt.status_code == 200
        assert b"".join(receipt.streaming_content).startswith(b"%PDF-")
        return application

    # --- evaluation ------------------------------------------------------------------------------

    def formal_check(self, application: Application) -> None:
        url = f"/pl/granty/urzad/wnioski/{application.pk}/"
        ok(self.office.post(url, {"formal": "1", "decision": "pass", "note": ""}))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.IN_ASSESSMENT

    def assess(self, application: Application, points: list[int]) -> None:
        criteria = list(application.call.criteria.all())
        for assessor in self.assessors:
            client = self._client(assessor)
            url = f"/pl/granty/ocena/{application.pk}/"
            assert application.title in ok(client.get("/pl/granty/ocena/")).content.decode()
            ok(client.post(url, {"declare": "1", "has_conflict": "no"}))
            data = {f"points_{c.pk}": str(p) for c, p in zip(criteria, points, strict=True)}
            response = client.post(url, {**data, "comment": "Dobry pomysł", "submit": "1"})
            assert response.status_code == 302, _errors(response)

    def award(self, application: Application, amount: Decimal, justification: str = "") -> None:
        ranking = ok(self.office.get(f"/pl/granty/urzad/nabory/{application.call_id}/ranking/"))
        assert application.number in ranking.content.decode()
        response = self.office.post(
            f"/pl/granty/urzad/wnioski/{application.pk}/",
            {"award": "1", "amount": form_value(amount), "justification": justification},
        )
        assert response.status_code == 302, _errors(response)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWARDED

    def publish_results(self, call: Call, *, close: bool) -> None:
        if close:
            ok(self.office.post(f"/pl/granty/urzad/nabory/{call.pk}/zamknij/"))
        ok(self.office.post(f"/pl/granty/urzad/nabory/{call.pk}/opublikuj-wyniki/"))
        call.refresh_from_db()
        assert call.results_published_at is not None

    # --- agreement and settlement ---------------------------------------------------------------

    def agreement(
        self, application: Application, *, tranches: list[Decimal], **extra: Any
    ) -> Agreement:
        url = f"/pl/granty/urzad/wnioski/{application.pk}/umowa/"
        ok(self.office.get(url))
        response = self.office.post(
            url,
            {
                "start_date": application.start_date.isoformat(),
                "end_date": application.end_date.isoformat(),
                "report_due_date": (application.end_date + timedelta(days=30)).isoformat(),
                "city_signatory": "Dyrektor Wydziału Polityki Społecznej",
                "applicant_signatories": "Lider Grupy",
                "bank_account": "" if not tranches else "PL61 1090 1014 0000 0712 1981 2874",
                **extra,
            },
        )
        assert response.status_code == 302, _errors(response)
        agreement = Agreement.objects.get(application=application)
        if tranches:
            rows = [
                {"amount": amount, "due_date": application.start_date + timedelta(days=i)}
                for i, amount in enumerate(tranches)
            ]
            ok(self.office.post(url, {"tranches": "1", **formset("tranches", rows)}))
            assert agreement.tranches.count() == len(tranches)
        ok(
            self.office.post(
                f"/pl/granty/umowy/{agreement.pk}/podpisz/",
                {"signed_on": timezone.localdate().isoformat()},
            )
        )
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.SIGNED
        for tranche in agreement.tranches.all():
            ok(
                self.office.post(
                    f"/pl/granty/umowy/{agreement.pk}/transze/{tranche.pk}/przekazano/",
                    {"paid_on": timezone.localdate().isoformat()},
                )
            )
        assert not agreement.tranches.filter(paid_on__isnull=True).exists()
        pdf = ok(self.applicant.get(f"/pl/granty/umowy/{agreement.pk}/umowa.pdf"))
        assert pdf.content.startswith(b"%PDF-")
        return agreement

    def settle(self, agreement: Agreement, actual: list[tuple[Decimal, Decimal]]) -> None:
        response = self.applicant.post(
            f"/pl/granty/umowy/{agreement.pk}/sprawozdanie/",
            {
                "kind": "final",
                "period_from": agreement.start_date.isoformat(),
                "period_to": agreement.end_date.isoformat(),
            },
        )
        assert response.status_code == 302, _errors(response)
        report = Report.objects.get(agreement=agreement)
        url = f"/pl/granty/sprawozdania/{report.pk}/"
        data: dict[str, str] = {"save": "1", "narrative": "Podwórko jest zielone, ławki stoją."}
        for line, (grant, contribution) in zip(
            report.lines.select_related("budget_line"), actual, strict=True
        ):
            prefix = f"line-{line.pk}"
            data[f"{prefix}-actual_grant"] = form_value(grant)
            volunteer = line.budget_line.volunteer_amount > 0
            data[f"{prefix}-actual_volunteer" if volunteer else f"{prefix}-actual_own"] = (
                form_value(contribution)
            )
            if grant != line.budget_line.grant_amount:
                data[f"{prefix}-explanation"] = "Tańsze sadzonki"
        for result in report.results.all():
            data[f"result-{result.pk}-achieved"] = "32 szt."
        ok(self.applicant.post(url, data))
        ok(self.applicant.post(f"{url}zloz/"))
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED, messages_of(self.applicant.get(url))
        ok(self.office.post(f"{url}rozpatrz/", {"decision": "accept", "note": ""}))
        ok(self.office.post(f"/pl/granty/umowy/{agreement.pk}/archiwizuj/"))
        agreement.refresh_from_db()
        assert agreement.status == AgreementStatus.ARCHIVED

    def audited(self) -> list[str]:
        assert audit_chain_verify().valid
        return list(
            AuditLogEntry.objects.filter(action__startswith="grants.").values_list(
                "action", flat=True
            )
        )


OFFICE_ACTS = [
    "grants.programme_created",
    "grants.call_created",
    "grants.commission_added",
    "grants.commission_added",
    "grants.call_published",
    "grants.application_submitted",
    "grants.formal_passed",
]
SETTLEMENT_ACTS = [
    "grants.agreement_saved",
    "grants.agreement_signed",
    "grants.report_submitted",
    "grants.report_accepted",
    "grants.agreement_settled",
    "grants.agreement_archived",
]


def test_a_youth_micro_grant_from_registration_to_archive(krakow, client, settings):
    flow = Flow(krakow, ProgrammeKind.MICRO_GRANT)
    # The grants office also keeps the registry here (ORGANISATIONS_REGISTRY_UNIT).
    settings.ORGANISATIONS_REGISTRY_UNIT = flow.official.role_assignments.get().city_unit.code
    # Money for a minor goes through the regranting operator the city names (art. 16a).
    operator = OrganisationFactory(name="Fundacja Operator Mikrograntów")
    programme = flow.create_programme(regranting_operator=operator.pk)
    assert programme.regranting_operator == operator
    call = flow.create_call(programme, pool=20_000, days_to_deadline=14)

    # A 16-year-old registers herself with her mother as guardian; officials verify the entry.
    today = timezone.localdate()
    response = flow.applicant.post(
        "/pl/organizacje/zarejestruj/",
        {
            "kind": "individual",
            "name": "Zofia Młoda",
            "birth_date": today.replace(year=today.year - 16).isoformat(),
        },
    )
    assert response.status_code == 302, _errors(response)
    youth = Organisation.objects.get(name="Zofia Młoda")
    ok(
        flow.applicant.post(
            f"/pl/organizacje/{youth.pk}/osoby/",
            {"full_name": "Maria Młoda", "role": "guardian", "birth_date": "1980-02-02"},
        )
    )
    ok(flow.applicant.post(f"/pl/organizacje/{youth.pk}/zglos-do-weryfikacji/"))
    ok(
        flow.office.post(
            f"/pl/organizacje/{youth.pk}/weryfikacja/", {"decision": "approve", "note": ""}
        )
    )
    youth.refresh_from_db()
    assert youth.status == VerificationStatus.VERIFIED

    application = flow.apply(
        call,
        youth,
        budget=[
            {
                "category": "materials",
                "description": "Sadzonki",
                "unit": "szt.",
                "quantity": 30,
                "unit_cost": 60,
                "grant_amount": 1_800,
            },
            {
                "category": "volunteer",
                "description": "Sadzenie",
                "unit": "h",
                "quantity": 20,
                "unit_cost": 40,
                "volunteer_amount": 800,
            },
        ],
        start_in_days=20,
        days=30,
    )
    assert application.number.startswith("MG/")
    flow.formal_check(application)
    flow.assess(application, [9, 8, 10])
    flow.award(application, Decimal(1_800))
    flow.publish_results(call, close=True)
    results = client.get(f"/pl/granty/nabory/{call.pk}/wyniki/").content.decode()
    assert application.number in results and "1\xa0800,00 zł" in results
    assert "Zofia Młoda" not in results  # individuals are not named in public results
    agreement = flow.agreement(application, tranches=[Decimal(1_800)], guardian_consent="on")
    assert agreement.operator == operator  # never paid to the minor directly
    assert agreement.guardian_name == "Maria Młoda" and agreement.guardian_consent
    page = flow.office.get(f"/pl/granty/umowy/{agreement.pk}/").content.decode()
    assert "Fundacja Operator Mikrograntów" in page and "Maria Młoda" in page
    flow.settle(agreement, [(Decimal(1_750), Decimal(800)), (Decimal(0), Decimal(800))])
    acts = flow.audited()
    assert acts[: len(OFFICE_ACTS)] == OFFICE_ACTS
    assert {
        "grants.assessment_submitted",
        "grants.awarded",
        "grants.results_published",
        "grants.tranche_paid",
    } <= set(acts)
    assert acts[-1] == "grants.agreement_archived"


def test_a_local_initiative_with_in_kind_support_and_residents_work(krakow, client):
    flow = Flow(krakow, ProgrammeKind.LOCAL_INITIATIVE)
    programme = flow.create_programme()
    call = flow.create_call(programme, pool=195_000, days_to_deadline=None)
    group = _verified_group(flow.applicant_user)
    application = flow.apply(
        call,
        group,
        budget=[
            {
                "category": "materials",
                "description": "Ławki kupione przez miasto",
                "unit": "szt.",
                "quantity": 4,
                "unit_cost": 1_500,
                "grant_amount": 6_000,
            },
            {
                "category": "volunteer",
                "description": "Montaż ławek przez mieszkańców",
                "unit": "h",
                "quantity": 40,
                "unit_cost": 40,
                "volunteer_amount": 1_600,
            },
        ],
        start_in_days=10,
        days=60,
        extra={"residents_contribution": "Mieszkańcy zamontują ławki i posadzą krzewy."},
    )
    assert application.number.startswith("IL/")
    flow.formal_check(application)
    flow.assess(application, [40, 35, 8])  # 83 of 100 points, above 60
    flow.award(application, Decimal(6_000))
    flow.publish_results(call, close=False)  # rolling: results published while the call stays open
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert application.number in client.get(f"/pl/granty/nabory/{call.pk}/wyniki/").content.decode()
    agreement = flow.agreement(application, tranches=[])
    assert agreement.bank_account == "" and not agreement.tranches.exists()
    flow.settle(agreement, [(Decimal(6_000), Decimal(0)), (Decimal(0), Decimal(1_700))])
    assert flow.audited()[-1] == "grants.agreement_archived"


def test_a_small_grant_published_for_remarks_before_the_decision(krakow, client, resident):
    flow = Flow(krakow, ProgrammeKind.SMALL_GRANT)
    # The administrator records the year's planned NGO grants: the base of the art. 19a share.
    admin = UserFactory()
    RoleAssignmentFactory(user=admin, role=Role.ADMINISTRATOR)
    admin_client = Flow._client(admin)
    response = admin_client.post(
        "/pl/granty/zasady/",
        {
            "plan": "1",
            "year": timezone.localdate().year,
            "planned_ngo_grants": "2000000,00",
            "basis": "Uchwała budżetowa Miasta Krakowa, załącznik nr 10",
        },
    )
    assert response.status_code == 302, _errors(response)
    programme = flow.create_programme()
    call = flow.create_call(programme, pool=50_000, days_to_deadline=None)
    ngo = OrganisationFactory(created_by=flow.applicant_user, name="Fundacja Zielony Kraków")
    application = flow.apply(
        call,
        ngo,
        budget=[
            {
                "category": "services",
                "description": "Warsztaty ogrodnicze",
                "unit": "godz.",
                "quantity": 40,
                "unit_cost": 200,
                "grant_amount": 8_000,
            },
            {
                "category": "materials",
                "description": "Narzędzia",
                "unit": "kpl.",
                "quantity": 1,
                "unit_cost": 1_000,
                "own_amount": 1_000,
            },
        ],
        start_in_days=35,
        days=90,
    )
    assert application.number.startswith("MZ/")
    flow.formal_check(application)
    application.refresh_from_db()
    assert application.remarks_until - application.remarks_from == timedelta(days=7)
    offers = client.get("/pl/granty/uwagi/").content.decode()
    assert application.title in offers
    remarker = Client()
    remarker.force_login(resident)
    ok(
        remarker.post(
            f"/pl/granty/uwagi/{application.pk}/", {"text": "Proszę o zajęcia także w soboty."}
        )
    )
    early = flow.office.post(
        f"/pl/granty/urzad/wnioski/{application.pk}/", {"award": "1", "amount": "8000"}
    )
    assert early.status_code == 400
    assert "Decyzję można podjąć po zakończeniu publikacji oferty do uwag" in early.content.decode()
    # Seven days later (the publication period is over):
    Application.objects.filter(pk=application.pk).update(
        remarks_from=timezone.now() - timedelta(days=8),
        remarks_until=timezone.now() - timedelta(days=1),
    )
    assert (
        "Proszę o zajęcia także w soboty."
        in flow.office.get(f"/pl/granty/urzad/wnioski/{application.pk}/").content.decode()
    )
    flow.award(application, Decimal(7_500), justification="Bez jednego warsztatu")
    # Partial funding: before the agreement the applicant confirms the budget cut to 7,500 PLN.
    confirm = f"/pl/granty/wnioski/{application.pk}/kosztorys-po-decyzji/"
    assert "7\xa0500,00" in ok(flow.applicant.get(confirm)).content.decode()
    wrong = flow.applicant.post(
        confirm,
        formset(
            "budget",
            [
                {"position": 1, "grant": 8_000, "own": 0},
                {"position": 2, "grant": 0, "own": 1_000},
            ],
        ),
    )
    assert "musi równać się przyznanej kwocie" in wrong.content.decode() or any(
        "musi równać się przyznanej kwocie" in m for m in messages_of(wrong)
    )
    ok(
        flow.applicant.post(
            confirm,
            formset(
                "budget",
                [
                    {"position": 1, "grant": 7_500, "own": 0},
                    {"position": 2, "grant": 0, "own": 1_000},
                ],
            ),
        )
    )
    flow.publish_results(call, close=False)
    agreement = flow.agreement(application, tranches=[Decimal(4_000), Decimal(3_500)])
    flow.settle(agreement, [(Decimal(7_400), Decimal(0)), (Decimal(0), Decimal(1_000))])
    acts = flow.audited()
    assert "grants.assessment_submitted" not in acts  # no commission scoring for art. 19a
    assert acts[-1] == "grants.agreement_archived"


def test_an_open_competition_announced_21_days_ahead_and_assessed_by_a_commission(krakow, client):
    flow = Flow(krakow, ProgrammeKind.OPEN_COMPETITION)
    programme = flow.create_programme()
    call = flow.create_call(programme, pool=300_000, days_to_deadline=22)
    ngo = OrganisationFactory(created_by=flow.applicant_user, name="Stowarzyszenie Seniorzy Razem")
    application = flow.apply(
        call,
        ngo,
        budget=[
            {
                "category": "personnel",
                "description": "Koordynacja",
                "unit": "mies.",
                "quantity": 10,
                "unit_cost": 3_000,
                "grant_amount": 30_000,
            },
            {
                "category": "premises",
                "description": "Sala",
                "unit": "mies.",
                "quantity": 10,
                "unit_cost": 500,
                "in_kind_amount": 5_000,
            },
        ],
        start_in_days=40,
        days=300,
        extra={"experience": "Od 2015 r. prowadzimy klub seniora."},
    )
    assert application.number.startswith("OK/")
    flow.formal_check(application)
    flow.assess(application, [9, 18, 8, 9])
    flow.award(application, Decimal(30_000))
    flow.publish_results(call, close=True)
    call.refresh_from_db()
    assert call.status == CallStatus.RESULTS
    agreement = flow.agreement(application, tranches=[Decimal(15_000), Decimal(15_000)])
    flow.settle(agreement, [(Decimal(30_000), Decimal(0)), (Decimal(0), Decimal(5_000))])
    ok(flow.office.post(f"/pl/granty/urzad/nabory/{call.pk}/archiwizuj/"))
    call.refresh_from_db()
    assert call.status == CallStatus.ARCHIVED
    assert flow.audited()[-1] == "grants.call_archived"


def _verified_group(user: Any) -> Organisation:
    from wspolnota.organisations.tests.factories import InformalGroupFactory

    return InformalGroupFactory(created_by=user, name="Sąsiedzi z Mogilskiej")
