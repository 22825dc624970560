"""Demo content: the strategy tree and indicators, a demonstration population table and survey,
and this year's values computed by whichever providers have data. Idempotent.

The population table and the survey are synthetic (labelled "dane demonstracyjne"): the age and
sex structure below is applied to each district's registered population, and the survey answers
come from a seeded random generator, so every run gives the same numbers.
"""

from __future__ import annotations

import random
from datetime import date

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from wspolnota.accounts.models import User
from wspolnota.core.errors import DomainError
from wspolnota.monitoring import permissions, selectors, services
from wspolnota.monitoring.models import (
    ImplementationLink,
    Indicator,
    NodeKind,
    PopulationTable,
    Status,
    StrategyNode,
    Survey,
)
from wspolnota.territory.selectors import default_city, district_list

DEMO_SOURCE = "dane demonstracyjne platformy Wspólnota"
# Share of residents by age band and sex (female, male) used for the demonstration table.
AGE_STRUCTURE = [
    (0, 17, 0.084, 0.088),
    (18, 29, 0.072, 0.066),
    (30, 44, 0.125, 0.120),
    (45, 59, 0.090, 0.082),
    (60, 74, 0.101, 0.078),
    (75, None, 0.059, 0.035),
]


def demo_population_csv() -> str:
    lines = ["dzielnica,plec,wiek_od,wiek_do,liczba"]
    for district in district_list(city=default_city()):
        for low, high, female, male in AGE_STRUCTURE:
            upper = "" if high is None else str(high)
            lines.append(f"{district.number},K,{low},{upper},{round(district.population * female)}")
            lines.append(f"{district.number},M,{low},{upper},{round(district.population * male)}")
    return "\n".join(lines) + "\n"


def demo_survey_csv(*, respondents: int = 600, seed: int = 2030) -> str:
    """Answers skewed towards younger people and the centre, as an online survey would be."""
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not security)
    numbers = [d.number for d in district_list(city=default_city())]
    district_weights = [3 if n <= 5 else 1 for n in numbers]
    lines = ["dzielnica,plec,wiek,zadowolony"]
    for _ in range(respondents):
        district = rng.choices(numbers, weights=district_weights)[0]
        sex = rng.choice("KKKM")
        age = min(90, int(rng.triangular(18, 85, 32)))
        chance = 0.55 - (age - 18) * 0.004 + (0.05 if district <= 5 else 0)
        lines.append(f"{district},{sex},{age},{1 if rng.random() < chance else 0}")
    return "\n".join(lines) + "\n"


# Sample "what was done" entries of the strategy office, one per key action the demo's own
# records leave empty in the year its report covers; each is marked as demo data wherever shown.
DEMO_ENTRIES: dict[int, tuple[str, str]] = {
    1: ("community:index", "Zajęcia obywatelskie dla dzieci i młodzieży w miejscach aktywności"),
    2: ("budget:index", "Budżet obywatelski i konsultacje na platformie"),
    3: ("grants:index", "Mikrogranty i inicjatywy lokalne"),
    4: ("communication:archive", "Ogłoszenia także SMS-em, telefonicznie i w druku"),
    5: ("community:place_list", "Domy kultury i biblioteki jako miejsca aktywności mieszkańców"),
    6: ("councils:index", "Posiedzenia gremiów doradczych"),
    7: ("councils:index", "Posiedzenia rad dzielnic"),
    8: ("community:place_list", "Placówki dla dzieci, młodzieży i osób z niepełnosprawnościami"),
    9: ("grants:index", "Nabory grantowe dla organizacji pozarządowych"),
    10: ("community:index", "Oferty wolontariatu"),
    11: ("community:index", "Programy integracji międzypokoleniowej i międzykulturowej"),
    12: ("community:index", "Wydarzenia dla rodzin"),
    13: ("community:index", "Zajęcia dla rodzin z dziećmi w domach kultury i bibliotekach"),
    14: ("community:index", "Wsparcie rodzin z dziećmi z niepełnosprawnością"),
    15: ("community:place_list", "Informacja i usługi dostosowane do potrzeb osób starszych"),
    16: ("community:place_list", "Sieć Centrów Aktywności Seniorów"),
    17: ("consultations:list", "Konsultacje i wydarzenia po ukraińsku i angielsku"),
}
DEMO_ENTRY_NOTE = (
    "Wpis demonstracyjny: w prawdziwym wdrożeniu biuro strategii opisuje tu, co w danym roku "
    "zrobiono w ramach działania."
)


def demo_entries_load(*, actor: User, year: int) -> int:
    """Give each key action with nothing recorded in ``year`` (no entry, no platform record) a
    sample entry marked as demo, so the demo's report shows what the section looks like."""
    from wspolnota.monitoring.activity import platform_activity

    activity = platform_activity(year=year)
    added = 0
    for action in StrategyNode.objects.filter(kind=NodeKind.ACTION).order_by("number"):
        number = action.number or 0
        if number not in DEMO_ENTRIES or activity.get(number):
            continue
        if ImplementationLink.objects.filter(
            node__number=number, node__kind=NodeKind.ACTION, year=year
        ).exists():
            continue
        url_name, title = DEMO_ENTRIES[number]
        with translation.override(settings.LANGUAGE_CODE):
            try:
                address = reverse(url_name)
            except NoReverseMatch:
                continue
        services.link_add(
            actor=actor,
            node=action,
            year=year,
            title=title,
            description=DEMO_ENTRY_NOTE,
            address=address,
            demo=True,
        )
        added += 1
    return added


def load() -> list[str]:
    lines = [services.strategy_load().summary()]
    official = User.objects.filter(email="urzednik@demo.wspolnota.pl").first()
    approver = User.objects.filter(email="admin@demo.wspolnota.pl").first()
    if official is None or approver is None or default_city() is None:
        return lines
    # Values are entered by the strategy office (MONITORING_STRATEGY_UNIT; the demo's is KBO, the
    # demo official's unit). When the official is not of that unit, the administrator imports the
    # tables, the platform computes the values (no one entered them) and the administrator
    # approves; a survey result the administrator proposed waits for a second pair of eyes.
    in_office = permissions.can_manage_monitoring(official)
    entrant = official if in_office else approver
    today = timezone.localdate()
    if not PopulationTable.objects.filter(source=DEMO_SOURCE).exists():
        services.population_table_import(
            actor=entrant,
            title="Ludność według dzielnicy, płci i wieku (demonstracyjna)",
            reference_date=date(2019, 12, 31),
            source=DEMO_SOURCE,
            upload=demo_population_csv(),
        )
        lines.append("Monitoring: demonstracyjna tabela ludności (dzielnica × płeć × wiek).")
    satisfaction = Indicator.objects.filter(code="zadowolenie-z-wplywu").first()
    if satisfaction and not Survey.objects.filter(source=DEMO_SOURCE).exists():
        survey = services.survey_import(
            actor=entrant,
            title="Badanie demonstracyjne: wpływ na władze miasta",
            year=today.year - 1,
            fieldwork_end=date(today.year - 1, 11, 30),
            source=DEMO_SOURCE,
            question="Czy jest Pan/Pani zadowolony/a z możliwości wpływania na władze miasta?",
            upload=demo_survey_csv(),
        )
        table = selectors.latest_population_table()
        if table is not None:
            proposed = services.survey_measurement_propose(
                actor=entrant, survey=survey, table=table, indicator=satisfaction, demo=True
            )
            if in_office:
                services.batch_approve(actor=approver, batch=proposed.batch)
            lines.append(
                f"Monitoring: badanie demonstracyjne zważone, wynik {proposed.value:.1f}%."
            )
    for indicator in Indicator.objects.all():
        year = today.year - 1
        if (
            indicator.measurements.filter(year=year, status=Status.APPROVED)
            .exclude(method="strategy")
            .exists()
        ):
            continue
        try:
            # computed from the demo's sample records: marked as demo wherever shown
            rows = services.measurement_compute(
                actor=official if in_office else None, indicator=indicator, year=year, demo=True
            )
        except DomainError:
            continue
        services.batch_approve(actor=approver, batch=rows[0].batch)
        lines.append(f"Monitoring: {indicator.code} {year} = {rows[0].value} (z danych platformy).")
    added = 0
    if permissions.can_manage_monitoring(entrant):
        added = demo_entries_load(actor=entrant, year=today.year - 1)
    if added:
        lines.append(f"Monitoring: {added} przykładowych wpisów pod działaniami kluczowymi.")
    return lines
