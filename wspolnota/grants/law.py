"""The law and the city's rules as dated data.

Limits that come from the act on public-benefit activity and volunteering (consolidated text
Dz.U. 2023 poz. 571) and those that are only the city's own choices are rows of ``LegalRule``
with their source and basis; a new act is a new row with the date it takes effect. Messages
say which is which: "the act (art. 19a ust. 1 pkt 2) allows…" against "the city's rules…".

What the act says about small grants (art. 19a), as checked against the consolidated text:
- ust. 1 pkt 1: the grant is at most 10,000 PLN; pkt 2: the task lasts at most 90 days;
- ust. 1a: all money given this way in a year is at most 20% of the grants planned in that
  budget year for public tasks run by NGOs;
- ust. 2: repealed (it once capped one organisation at 20,000 PLN a year — now at most a city's
  own rule);
- ust. 3: within 7 working days of receiving the offer the city publishes it for 7 days (public
  bulletin, notice board, website); ust. 4: anyone may send remarks within those 7 days; ust. 5:
  then the agreement is signed without delay.
The 30-day lead before the start is not in the act either: a city rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

import holidays
from django.db.models import F, Q
from django.utils import timezone

from wspolnota.grants.models import LegalRule, RuleKey, RuleSource

# The rows the platform starts with (also written by the data migration); officials add newer
# rows when the law or the city's rules change.
INITIAL_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        RuleKey.SMALL_GRANT_MAX_AMOUNT,
        "10000",
        RuleSource.STATUTE,
        "art. 19a ust. 1 pkt 1 ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)",
    ),
    (
        RuleKey.SMALL_GRANT_MAX_DAYS,
        "90",
        RuleSource.STATUTE,
        "art. 19a ust. 1 pkt 2 ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)",
    ),
    (
        RuleKey.SMALL_GRANT_SHARE_PERCENT,
        "20",
        RuleSource.STATUTE,
        "art. 19a ust. 1a ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)",
    ),
    (
        RuleKey.SMALL_GRANT_PUBLICATION_WORKING_DAYS,
        "7",
        RuleSource.STATUTE,
        "art. 19a ust. 3 ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)",
    ),
    (
        RuleKey.SMALL_GRANT_REMARKS_DAYS,
        "7",
        RuleSource.STATUTE,
        "art. 19a ust. 3–4 ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)",
    ),
    (
        RuleKey.COMPETITION_ANNOUNCEMENT_DAYS,
        "21",
        RuleSource.STATUTE,
        "art. 13 ust. 1 ustawy o działalności pożytku publicznego i o wolontariacie (Dz.U. 2023 poz. 571)",
    ),
    (
        RuleKey.SMALL_GRANT_CITY_YEARLY_CAP,
        "20000",
        RuleSource.CITY,
        "zasady Miasta Krakowa (ustawa takiego limitu nie przewiduje; dawny art. 19a ust. 2 uchylono)",
    ),
    (
        RuleKey.SMALL_GRANT_CITY_LEAD_DAYS,
        "30",
        RuleSource.CITY,
        "zasady Miasta Krakowa (ustawa nie wymaga złożenia oferty z wyprzedzeniem)",
    ),
    (
        RuleKey.LOCAL_INITIATIVE_PASS_SCORE,
        "60",
        RuleSource.CITY,
        "uchwała nr CXIX/1874/14 Rady Miasta Krakowa",
    ),
    (
        RuleKey.LOCAL_INITIATIVE_PURPOSE_POINTS,
        "45",
        RuleSource.CITY,
        "uchwała nr CXIX/1874/14 Rady Miasta Krakowa",
    ),
    (
        RuleKey.LOCAL_INITIATIVE_CONTRIBUTION_POINTS,
        "45",
        RuleSource.CITY,
        "uchwała nr CXIX/1874/14 Rady Miasta Krakowa",
    ),
    (
        RuleKey.LOCAL_INITIATIVE_OTHER_POINTS,
        "10",
        RuleSource.CITY,
        "uchwała nr CXIX/1874/14 Rady Miasta Krakowa",
    ),
    (
        RuleKey.CORRECTION_DAYS,
        "7",
        RuleSource.CITY,
        "zasady Miasta Krakowa: termin na uzupełnienie braków formalnych oferty",
    ),
    (
        RuleKey.RETURN_DAYS,
        "15",
        RuleSource.STATUTE,
        "art. 251 ust. 1 ustawy o finansach publicznych (Dz.U. 2023 poz. 1270)",
    ),
    (
        RuleKey.AMENDMENT_MIN_DAYS_LEFT,
        "7",
        RuleSource.CITY,
        "zasady Miasta Krakowa: po zmianie ogłoszenia wnioskodawcy mają co najmniej tyle dni",
    ),
)


@dataclass(frozen=True)
class Rule:
    key: str
    value: Decimal
    source: str
    legal_basis: str
    effective_from: date | None

    @property
    def label(self) -> str:
        return str(RuleKey(self.key).label)

    @property
    def is_statute(self) -> bool:
        return self.source == RuleSource.STATUTE

    @property
    def days(self) -> int:
        return int(self.value)


def rule(key: str, *, on: date | None = None) -> Rule:
    """The rule in force on ``on`` (today by default): the newest row that took effect by then,
    or the base row when none had."""
    day = on or timezone.localdate()
    row = (
        LegalRule.objects.filter(key=key)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=day))
        .order_by(F("effective_from").desc(nulls_last=True))
        .first()
    )
    if row is None:
        for k, value, source, basis in INITIAL_RULES:
            if k == key:
                return Rule(key, Decimal(value), source, basis, None)
        raise LookupError(key)
    return Rule(row.key, row.value, row.source, row.legal_basis, row.effective_from)


def rules_in_force(*, on: date | None = None) -> list[Rule]:
    return [rule(key, on=on) for key in RuleKey.values]


@lru_cache(maxsize=8)
def _polish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("PL", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _polish_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (Saturdays, Sundays and Polish public
    holidays do not count; ``start`` itself does not either)."""
    day = start
    left = count
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day
