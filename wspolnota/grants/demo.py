"""Demo grants: one programme of each kind, with calls in every phase and applications at
every stage, all made through the services (so the audit log and the notices are real).

- micro-grants: a spring call with published results, one grant awarded, paid and settled
  (Fundacja Wspólne Podwórko, represented by ``ngo@demo.wspolnota.pl``), one refused; and a
  draft call for next year;
- local initiative: a rolling call with a neighbours' application scored by the commission;
- small grants (art. 19a): an offer published for seven days of public remarks, with a remark;
- open competitions: a closed call under merit assessment with three ranked offers, an open
  call where the NGO keeps a draft, and one announced that opens in ten days.

Runs after the registry demo (``wspolnota.organisations.demo``), whose entries apply here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.grants import services
from wspolnota.grants.models import (
    Application,
    Call,
    CostCategory,
    Programme,
    ProgrammeKind,
    Report,
    ReportKind,
)
from wspolnota.organisations.models import Organisation
from wspolnota.territory.models import District

OFFICIAL_EMAIL = "urzednik@demo.wspolnota.pl"
EXPERT_EMAIL = "ekspertka.granty@demo.wspolnota.pl"
MICRO_PROGRAMME = "Mikrogranty „Działaj lokalnie”"
BANK_ACCOUNT = "PL61 1090 1014 0000 0712 1981 2874"

D = Decimal
NONE = Decimal(0)


@dataclass(frozen=True)
class Cost:
    category: str
    description: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal
    grant: Decimal = NONE
    own: Decimal = NONE
    in_kind: Decimal = NONE
    volunteer: Decimal = NONE


@dataclass(frozen=True)
class Draft:
    """What an applicant types into the form."""

    applicant: str
    title: str
    summary: str
    description: str
    start: date
    days: int
    costs: Sequence[Cost]
    results: Sequence[tuple[str, str, str]]
    district: int | None = None
    location: str = ""
    target_group: str = ""
    residents_contribution: str = ""
    experience: str = ""


def _volunteers(hours: int, rate: int = 40) -> Cost:
    return Cost(
        CostCategory.VOLUNTEER,
        "Praca wolontariuszy",
        "godz.",
        D(hours),
        D(rate),
        volunteer=D(hours * rate),
    )


class Loader:
    def __init__(self, official: User, expert: User) -> None:
        self.official = official
        self.expert = expert
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.districts = {d.number: d for d in District.objects.all()}
        self.applicants = {o.name: o for o in Organisation.objects.all()}

    def ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    # --- calls -------------------------------------------------------------------------------

    def programme(self, kind: str, name: str, description: str) -> Programme:
        return services.programme_create(
            actor=self.official, kind=kind, name=name, description=description
        )

    def call(
        self,
        programme: Programme,
        title: str,
        *,
        pool: int,
        opens: datetime,
        closes: datetime | None,
        description: str,
        publish_at: datetime | None,
        commission: bool = True,
    ) -> Call:
        call = services.call_create(
            actor=self.official,
            programme=programme,
            title=title,
            year=timezone.localtime(opens).year,
            pool_amount=D(pool),
            opens_at=opens,
            closes_at=closes,
            description=description,
        )
        if publish_at is not None:
            services.call_publish(actor=self.official, call=call, at=publish_at)
        if commission and publish_at is not None:
            services.commission_member_add(
                actor=self.official, call=call, email=OFFICIAL_EMAIL, role="chair"
            )
            services.commission_member_add(
                actor=self.official, call=call, email=EXPERT_EMAIL, role="member"
            )
        return call

    # --- applications ---------------------------------------------------------------------------

    def draft(self, call: Call, data: Draft, *, at: datetime) -> tuple[Application, User]:
        applicant = self.applicants[data.applicant]
        membership = applicant.memberships.filter(role="representative").order_by("pk").first()
        assert membership is not None, data.applicant
        person = membership.user
        application = services.application_start(
            user=person, call=call, applicant=applicant, title=data.title, at=at
        )
        end = data.start + timedelta(days=data.days - 1)
        services.application_update(
            user=person,
            application=application,
            title=data.title,
            summary=data.summary,
            description=data.description,
            target_group=data.target_group,
            district=self.districts.get(data.district) if data.district else None,
            location=data.location,
            start_date=data.start,
            end_date=end,
            residents_contribution=data.residents_contribution,
            experience=data.experience,
            public_task_sphere="local_community",
            contact_name=person.get_full_name() or person.email,
            contact_email=person.email,
            social_change=data.summary or data.description,
            resources=data.experience or data.residents_contribution or data.description,
        )
        services.declarations_save(
            user=person,
            application=application,
            declarations={
                "within_statutory_activity": True,
                "registry_data_true": True,
                "information_true": True,
                "gdpr_obligations": True,
                "no_tax_arrears": "yes",
                "no_social_security_arrears": "yes",
            },
        )
        services.budget_replace(
            user=person,
            application=application,
            rows=[
                services.BudgetRow(
                    category=c.category,
                    description=c.description,
                    unit=c.unit,
                    quantity=c.quantity,
                    unit_cost=c.unit_cost,
                    grant_amount=c.grant,
                    own_amount=c.own,
                    in_kind_amount=c.in_kind,
                    volunteer_amount=c.volunteer,
                    action_position=2,
                )
                for c in data.costs
            ],
        )
        middle = data.start + timedelta(days=max(data.days // 3, 1))
        services.schedule_replace(
            user=person,
            application=application,
            rows=[
                services.ScheduleRow("Przygotowanie i zaproszenie mieszkańców", data.start, middle),
                services.ScheduleRow("Realizacja działań", middle, end, data.applicant),
            ],
        )
        services.results_replace(
            user=person,
            application=application,
            rows=[services.ResultRow(*result) for result in data.results],
        )
        return application, person

    def submit(self, call: Call, data: Draft, *, at: datetime) -> tuple[Application, User]:
        application, person = self.draft(call, data, at=at)
        services.application_submit(user=person, application=application, at=at)
        return application, person

    def score(
        self, application: Application, sheets: Sequence[Sequence[int]], at: datetime
    ) -> None:
        application.refresh_from_db()
        criteria = list(application.call.criteria.all())
        for user, points in zip((self.official, self.expert), sheets, strict=True):
            services.conflict_declare(user=user, application=application, has_conflict=False)
            services.assessment_save(
                user=user,
                application=application,
                points={c.pk: D(p) for c, p in zip(criteria, points, strict=True)},
                comment="Ocena zgodna z kryteriami regulaminu naboru.",
                submit=True,
                at=at,
            )

    # --- the programmes ---------------------------------------------------------------------------

    def micro_grants(self) -> list[str]:
        programme = self.programme(
            ProgrammeKind.MICRO_GRANT,
            MICRO_PROGRAMME,
            "Do 5000 zł na sąsiedzkie pomysły grup nieformalnych, młodzieży i organizacji.",
        )
        call = self.call(
            programme,
            "Mikrogranty — nabór wiosenny",
            pool=6_000,
            opens=self.ago(200),
            closes=self.ago(170),
            publish_at=self.ago(200),
            description="Wnioski przyjmujemy przez 30 dni; komisja ocenia je w ciągu 10 dni.",
        )
        garden = Draft(
            applicant="Fundacja Wspólne Podwórko",
            title="Ogródek społeczny na skwerze przy Limanowskiego",
            summary="Sąsiedzi zakładają warzywnik i rabaty na zaniedbanym skwerze.",
            description="Cztery warsztaty ogrodnicze, budowa skrzyń i wspólne sadzenie.",
            start=self.day(-150),
            days=60,
            district=13,
            location="skwer przy ul. Limanowskiego 24",
            costs=[
                Cost(
                    CostCategory.MATERIALS,
                    "Drewno na skrzynie",
                    "kpl.",
                    D(6),
                    D(450),
                    grant=D(2_700),
                ),
                Cost(
                    CostCategory.MATERIALS,
                    "Ziemia, nasiona, sadzonki",
                    "kpl.",
                    D(1),
                    D(1_200),
                    grant=D(1_200),
                ),
                Cost(
                    CostCategory.PROMOTION, "Plakaty i ulotki", "kpl.", D(1), D(600), grant=D(600)
                ),
                _volunteers(40),
            ],
            results=[
                ("Skrzynie z warzywami i ziołami", "6 skrzyń", "zdjęcia"),
                ("Uczestnicy warsztatów", "60 osób", "listy obecności"),
            ],
        )
        cinema = Draft(
            applicant="Sąsiedzi z Kazimierza",
            title="Kino na podwórku przy Estery",
            summary="Trzy letnie seanse filmów o Kazimierzu na wspólnym podwórku.",
            description="Projekcje z rozmową z historykiem dzielnicy.",
            start=self.day(-140),
            days=45,
            district=1,
            location="podwórko przy ul. Estery 6",
            costs=[
                Cost(
                    CostCategory.SERVICES,
                    "Wynajem projektora i ekranu",
                    "seans",
                    D(3),
                    D(800),
                    grant=D(2_400),
                ),
                Cost(
                    CostCategory.SERVICES, "Licencje na pokaz", "film", D(3), D(200), grant=D(600)
                ),
            ],
            results=[("Widzowie seansów", "150 osób", "liczenie uczestników")],
        )
        won, representative = self.submit(call, garden, at=self.ago(190))
        lost, _ = self.submit(call, cinema, at=self.ago(185))
        services.call_close(actor=self.official, call=call, at=self.ago(170))
        for application in (won, lost):
            services.formal_check(
                actor=self.official, application=application, passed=True, at=self.ago(168)
            )
        self.score(won, [[9, 8, 9], [8, 9, 8]], self.ago(165))
        self.score(lost, [[6, 5, 6], [5, 6, 4]], self.ago(165))
        services.award_grant(
            actor=self.official, application=won, amount=D(4_500), at=self.ago(160)
        )
        services.application_refuse(
            actor=self.official,
            application=lost,
            reason="Po przyznaniu wsparcia wnioskowi wyżej ocenionemu w puli zostało 1500 zł.",
            at=self.ago(160),
        )
        services.call_publish_results(actor=self.official, call=call, at=self.ago(159))
        won.refresh_from_db()
        assert won.start_date is not None and won.end_date is not None
        agreement = services.agreement_save(
            actor=self.official,
            application=won,
            start_date=won.start_date,
            end_date=won.end_date,
            report_due_date=won.end_date + timedelta(days=30),
            city_signatory="Dyrektor Kancelarii Budżetu Obywatelskiego",
            applicant_signatories="Tomasz Społeczny, Magdalena Zielińska",
            bank_account=BANK_ACCOUNT,
        )
        services.tranches_set(
            actor=self.official, agreement=agreement, tranches=[(D(4_500), won.start_date)]
        )
        services.agreement_sign(actor=self.official, agreement=agreement, signed_on=self.day(-155))
        services.tranche_mark_paid(
            actor=self.official, tranche=agreement.tranches.get(), paid_on=self.day(-152)
        )
        report = services.report_start(
            user=representative,
            agreement=agreement,
            kind=ReportKind.FINAL,
            period_from=won.start_date,
            period_to=won.end_date,
        )
        report = Report.objects.get(pk=report.pk)
        costs = {}
        for line in report.lines.select_related("budget_line"):
            planned = line.budget_line
            costs[line.pk] = services.ActualCost(
                actual_grant=planned.grant_amount,
                actual_own=planned.own_amount,
                actual_in_kind=planned.in_kind_amount,
                actual_volunteer=planned.volunteer_amount
                + (D(120) if planned.volunteer_amount else D(0)),
                explanation="Sąsiedzi przepracowali 3 godziny więcej."
                if planned.volunteer_amount
                else "",
            )
        services.report_update(
            user=representative,
            report=report,
            narrative=(
                "Na skwerze stanęło sześć skrzyń z warzywami i ziołami; w czterech warsztatach "
                "wzięło udział 72 sąsiadów, a ogródkiem opiekuje się teraz grupa 15 rodzin."
            ),
            costs=costs,
            achieved={
                r.pk: ("6 skrzyń" if i == 0 else "72 osoby")
                for i, r in enumerate(report.results.all())
            },
        )
        services.report_submit(user=representative, report=report, at=self.ago(80))
        services.report_review(actor=self.official, report=report, accept=True, at=self.ago(75))

        next_year = self.call(
            programme,
            "Mikrogranty — nabór zimowy",
            pool=40_000,
            opens=self.now + timedelta(days=45),
            closes=self.now + timedelta(days=75),
            publish_at=None,
            description="Projekt naboru: czeka na zatwierdzenie puli.",
        )
        return [
            f"  micro-grants: “{call.title}” results published; {won.number} awarded 4500 zł, "
            f"paid and settled; {lost.number} refused; “{next_year.title}” is a draft"
        ]

    def local_initiative(self) -> list[str]:
        programme = self.programme(
            ProgrammeKind.LOCAL_INITIATIVE,
            "Inicjatywa lokalna",
            "Miasto daje wsparcie rzeczowe, mieszkańcy pracę, rzeczy lub pieniądze.",
        )
        call = self.call(
            programme,
            "Inicjatywa lokalna — nabór ciągły",
            pool=150_000,
            opens=self.ago(60),
            closes=None,
            publish_at=self.ago(60),
            description="Wnioski przyjmujemy do wyczerpania środków; ocena w ciągu 30 dni.",
        )
        data = Draft(
            applicant="Sąsiedzi z Kazimierza",
            title="Zielone podwórko przy ul. Estery",
            summary="Mieszkańcy odnawiają podwórko: ławki, donice, pnącza.",
            description="Miasto dostarcza materiały i donice; sąsiedzi wykonują wszystkie prace.",
            start=self.day(20),
            days=30,
            district=1,
            location="podwórko przy ul. Estery 6",
            residents_contribution="60 godzin pracy 12 sąsiadów, narzędzia, poczęstunek.",
            costs=[
                Cost(
                    CostCategory.MATERIALS,
                    "Donice i ziemia (wsparcie miasta)",
                    "kpl.",
                    D(1),
                    D(6_500),
                    grant=D(6_500),
                ),
                Cost(
                    CostCategory.MATERIALS,
                    "Ławki z drewna (wsparcie miasta)",
                    "szt.",
                    D(3),
                    D(900),
                    grant=D(2_700),
                ),
                Cost(
                    CostCategory.OTHER,
                    "Narzędzia mieszkańców",
                    "kpl.",
                    D(1),
                    D(500),
                    in_kind=D(500),
                ),
                _volunteers(60),
            ],
            results=[("Odnowione podwórko", "1 podwórko, 3 ławki, 12 donic", "zdjęcia")],
        )
        application, _ = self.submit(call, data, at=self.ago(10))
        services.formal_check(
            actor=self.official, application=application, passed=True, at=self.ago(8)
        )
        self.score(application, [[40, 38, 8], [38, 40, 9]], self.ago(5))
        return [
            f"  local initiative: “{call.title}” open; {application.number} scored 86.5/100, "
            "awaiting the decision"
        ]

    def small_grants(self) -> list[str]:
        programme = self.programme(
            ProgrammeKind.SMALL_GRANT,
            "Małe granty",
            "Do 10 000 zł na zadania do 90 dni, w trybie uproszczonym (art. 19a).",
        )
        call = self.call(
            programme,
            "Małe granty — tryb art. 19a",
            pool=100_000,
            opens=self.ago(90),
            closes=None,
            publish_at=self.ago(90),
            description="Ofertę składa się co najmniej 30 dni przed rozpoczęciem zadania.",
            commission=False,
        )
        data = Draft(
            applicant="Towarzystwo Przyjaciół Bronowic",
            title="Spacery śladami „Wesela” po Bronowicach",
            summary="Sześć spacerów z przewodnikiem dla mieszkańców i szkół.",
            description="Spacery od Rydlówki do kościoła św. Antoniego, z opowieścią o weselu "
            "Lucjana Rydla i broszurą dla uczestników.",
            start=self.day(40),
            days=60,
            district=6,
            location="Rydlówka, ul. Tetmajera 28",
            costs=[
                Cost(
                    CostCategory.PERSONNEL,
                    "Honorarium przewodnika",
                    "spacer",
                    D(6),
                    D(600),
                    grant=D(3_600),
                ),
                Cost(CostCategory.PROMOTION, "Druk broszury", "szt.", D(500), D(8), grant=D(4_000)),
                Cost(
                    CostCategory.ADMINISTRATION,
                    "Obsługa księgowa",
                    "mies.",
                    D(2),
                    D(300),
                    own=D(600),
                ),
            ],
            results=[("Uczestnicy spacerów", "180 osób", "listy obecności")],
        )
        offer, _ = self.submit(call, data, at=self.ago(2))
        services.formal_check(actor=self.official, application=offer, passed=True, at=self.ago(1))
        offer.refresh_from_db()
        resident = User.objects.filter(email="mieszkanka@demo.wspolnota.pl").first()
        if resident is not None:
            services.remark_add(
                user=resident,
                application=offer,
                text="Proszę dodać jeden spacer w sobotę, żeby mogły przyjść osoby pracujące.",
                author_name="Anna M.",
            )
        return [
            f"  small grants: offer {offer.number} published for remarks until "
            f"{timezone.localtime(offer.remarks_until).date() if offer.remarks_until else '—'}"
        ]

    def open_competitions(self) -> list[str]:
        programme = self.programme(
            ProgrammeKind.OPEN_COMPETITION,
            "Otwarte konkursy ofert",
            "Konkursy na zadania publiczne ogłaszane co najmniej 21 dni przed terminem.",
        )
        closed = self.call(
            programme,
            "Kultura w dzielnicach",
            pool=40_000,
            opens=self.ago(80),
            closes=self.ago(45),
            publish_at=self.ago(80),
            description="Wydarzenia kulturalne tworzone z mieszkańcami dzielnic.",
        )
        offers = [
            (
                Draft(
                    applicant="Stowarzyszenie Razem w Nowej Hucie",
                    title="Święto sąsiadów z całego świata",
                    summary="Festyn kuchni i muzyki sąsiadów z Polski, Ukrainy i innych krajów.",
                    description="Warsztaty kulinarne, koncert, gry dla dzieci na placu Centralnym.",
                    experience="Od 2022 roku prowadzimy kursy polskiego i zajęcia dla 300 rodzin.",
                    start=self.day(30),
                    days=40,
                    district=18,
                    costs=[
                        Cost(
                            CostCategory.SERVICES,
                            "Scena i nagłośnienie",
                            "dzień",
                            D(1),
                            D(9_000),
                            grant=D(9_000),
                        ),
                        Cost(
                            CostCategory.MATERIALS,
                            "Produkty na warsztaty",
                            "kpl.",
                            D(1),
                            D(5_000),
                            grant=D(4_000),
                            own=D(1_000),
                        ),
                        Cost(
                            CostCategory.PERSONNEL,
                            "Koordynacja",
                            "mies.",
                            D(2),
                            D(2_500),
                            grant=D(5_000),
                        ),
                        _volunteers(80),
                    ],
                    results=[("Uczestnicy festynu", "1500 osób", "szacunek organizatora")],
                ),
                [[9, 18, 8, 9], [8, 17, 9, 9]],
            ),
            (
                Draft(
                    applicant="Towarzystwo Przyjaciół Bronowic",
                    title="Wesele po bronowicku — warsztaty tradycji",
                    summary="Warsztaty pieśni, tańca i stroju krakowskiego dla trzech pokoleń.",
                    description="Osiem warsztatów i pokaz finałowy w Rydlówce.",
                    experience="Od 2010 roku organizujemy wystawy i spacery w Bronowicach.",
                    start=self.day(35),
                    days=60,
                    district=6,
                    costs=[
                        Cost(
                            CostCategory.PERSONNEL,
                            "Instruktorzy",
                            "warsztat",
                            D(8),
                            D(1_000),
                            grant=D(8_000),
                        ),
                        Cost(
                            CostCategory.MATERIALS,
                            "Materiały i stroje",
                            "kpl.",
                            D(1),
                            D(4_000),
                            grant=D(4_000),
                        ),
                    ],
                    results=[("Uczestnicy warsztatów", "80 osób", "listy obecności")],
                ),
                [[7, 15, 6, 8], [8, 14, 7, 8]],
            ),
            (
                Draft(
                    applicant="Fundacja Wspólne Podwórko",
                    title="Teatr na podwórkach Podgórza",
                    summary="Spektakle tworzone z dziećmi i seniorami z podgórskich kamienic.",
                    description="Dziesięć prób i cztery spektakle na podwórkach Podgórza.",
                    experience="Od 2019 roku ożywiamy podwórka Podgórza z mieszkańcami.",
                    start=self.day(30),
                    days=60,
                    district=13,
                    costs=[
                        Cost(
                            CostCategory.PERSONNEL,
                            "Reżyserka i aktorzy",
                            "próba",
                            D(10),
                            D(1_000),
                            grant=D(10_000),
                        ),
                        Cost(
                            CostCategory.MATERIALS,
                            "Scenografia i kostiumy",
                            "kpl.",
                            D(1),
                            D(5_000),
                            grant=D(5_000),
                        ),
                        _volunteers(50),
                    ],
                    results=[("Widzowie spektakli", "400 osób", "liczenie widzów")],
                ),
                [[9, 16, 7, 9], [8, 17, 8, 8]],
            ),
        ]
        submitted = []
        for data, _sheets in offers:
            application, _ = self.submit(closed, data, at=self.ago(50))
            submitted.append(application)
        services.call_close(actor=self.official, call=closed, at=self.ago(45))
        for application, (_data, sheets) in zip(submitted, offers, strict=True):
            services.formal_check(
                actor=self.official, application=application, passed=True, at=self.ago(40)
            )
            self.score(application, sheets, self.ago(35))

        open_call = self.call(
            programme,
            "Aktywni seniorzy",
            pool=60_000,
            opens=self.ago(2),
            closes=self.now + timedelta(days=30),
            publish_at=self.ago(2),
            description="Zajęcia ruchowe, kulturalne i cyfrowe dla osób 60+ w dzielnicach.",
        )
        draft, _ = self.draft(
            open_call,
            Draft(
                applicant="Fundacja Wspólne Podwórko",
                title="Seniorzy na podwórku",
                summary="Cotygodniowe spotkania seniorów na podwórkach: gimnastyka, gry, ogród.",
                description="Dwadzieścia spotkań z instruktorką i wolontariuszami.",
                experience="Od 2019 roku ożywiamy podwórka Podgórza z mieszkańcami.",
                start=self.day(60),
                days=90,
                district=13,
                costs=[
                    Cost(
                        CostCategory.PERSONNEL,
                        "Instruktorka",
                        "spotkanie",
                        D(20),
                        D(250),
                        grant=D(5_000),
                    ),
                    _volunteers(40),
                ],
                results=[("Seniorzy na zajęciach", "30 osób", "listy obecności")],
            ),
            at=self.now,
        )
        upcoming = self.call(
            programme,
            "Sport dla wszystkich",
            pool=80_000,
            opens=self.now + timedelta(days=10),
            closes=self.now + timedelta(days=45),
            publish_at=self.now,
            description="Zajęcia sportowe otwarte dla mieszkańców w każdym wieku.",
        )
        return [
            f"  open competitions: “{closed.title}” closed, {len(submitted)} offers ranked; "
            f"“{open_call.title}” open (a draft of Fundacja Wspólne Podwórko: “{draft.title}”); "
            f"“{upcoming.title}” opens in 10 days"
        ]


def load() -> list[str]:
    official = User.objects.filter(email=OFFICIAL_EMAIL).first()
    if (
        official is None
        or not Organisation.objects.filter(name="Fundacja Wspólne Podwórko").exists()
    ):
        return []
    if Programme.objects.filter(name=MICRO_PROGRAMME).exists():
        return ["Grants: demo programmes already loaded"]
    expert = User.objects.filter(email=EXPERT_EMAIL).first() or User.objects.create_user(
        email=EXPERT_EMAIL, password=None, full_name="Ewa Ekspertka", preferred_language="pl"
    )
    loader = Loader(official, expert)
    lines = ["Grants (one programme of each kind, calls in every phase):"]
    lines += loader.micro_grants()
    lines += loader.local_initiative()
    lines += loader.small_grants()
    lines += loader.open_competitions()
    return lines
