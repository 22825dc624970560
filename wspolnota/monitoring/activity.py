"""What the platform's own records say was done under each key action in a year.

The annual report lists, under each of the 17 key actions, the entries the strategy office added
(``ImplementationLink``) and what the platform itself recorded that year: the budget edition,
consultations announced, grant calls, notices, council meetings, advisory-body opinions, the
senior centres open at the year's end, events and volunteer offers. Which record belongs to which
key action is an editorial mapping stated here (``ACTIVITY_ACTIONS``); an app that is not
installed simply contributes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext


@dataclass(frozen=True)
class ActivityItem:
    """One line of "what the platform recorded": a title, a count and the platform page."""

    title: str
    path: str  # without the language prefix, like ``ImplementationLink.platform_path``
    kind: str
    count: int | None = None


def _path(name: str, **kwargs: object) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            url = reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return ""
    prefix = f"/{settings.LANGUAGE_CODE}"
    return url[len(prefix) :] if url.startswith(prefix + "/") else url


def _budget(year: int) -> list[tuple[int, ActivityItem]]:
    """The year's edition and the projects residents submitted to it."""
    from wspolnota.budget.models import Edition, Project, ProjectStatus

    items = []
    for edition in Edition.objects.filter(year=year).order_by("id"):
        path = _path("budget:edition", bo_year=edition.year)
        items.append(
            (
                2,
                ActivityItem(
                    gettext("Budżet obywatelski %(year)s") % {"year": edition.year}, path, "budget"
                ),
            )
        )
        submitted = (
            Project.objects.filter(edition=edition)
            .exclude(status__in=(ProjectStatus.DRAFT, ProjectStatus.WITHDRAWN))
            .count()
        )
        if submitted:
            title = gettext(
                "Projekty zgłoszone przez mieszkańców do budżetu obywatelskiego %(year)s: %(count)s"
            )
            items.append(
                (
                    2,
                    ActivityItem(
                        title % {"year": edition.year, "count": submitted},
                        _path("budget:catalogue", bo_year=edition.year) or path,
                        "budget",
                        submitted,
                    ),
                )
            )
    return items


def _budget_completed(year: int) -> list[tuple[int, ActivityItem]]:
    """Budget projects (of any edition) whose implementation was completed in the year."""
    from wspolnota.implementation.models import Implementation, ImplementationStatus

    completed = Implementation.objects.filter(
        status=ImplementationStatus.COMPLETED, completed_on__year=year
    ).count()
    if not completed:
        return []
    title = gettext("Projekty budżetu obywatelskiego zrealizowane w %(year)s roku: %(count)s")
    return [
        (
            2,
            ActivityItem(
                title % {"year": year, "count": completed},
                _path("implementation:index"),
                "budget",
                completed,
            ),
        )
    ]


def _consultations(year: int) -> list[tuple[int, ActivityItem]]:
    from wspolnota.consultations.models import Consultation

    rows = Consultation.objects.filter(published_at__year=year).order_by("starts_on", "id")
    return [
        (
            2,
            ActivityItem(
                c.title, _path("consultations:detail", consultation_pk=c.pk), "consultation"
            ),
        )
        for c in rows
    ]


def _grants(year: int) -> list[tuple[int, ActivityItem]]:
    from wspolnota.grants.models import Call, ProgrammeKind

    items = []
    local = (ProgrammeKind.MICRO_GRANT, ProgrammeKind.LOCAL_INITIATIVE)
    for call in (
        Call.objects.filter(year=year, published_at__isnull=False)
        .select_related("programme")
        .order_by("published_at", "id")
    ):
        action = 3 if call.programme.kind in local else 9
        items.append(
            (
                action,
                ActivityItem(
                    call.title, _path("grants:call_detail", grant_call_id=call.pk), "grants"
                ),
            )
        )
    return items


def _notices(year: int) -> list[tuple[int, ActivityItem]]:
    from wspolnota.communication.models import Notice

    count = Notice.objects.filter(valid_from__year=year).count()
    if not count:
        return []
    title = gettext("Ogłoszenia dla mieszkańców (także SMS, telefon, druk): %(count)s") % {
        "count": count
    }
    return [(4, ActivityItem(title, _path("communication:archive"), "notice", count))]


def _councils(year: int) -> list[tuple[int, ActivityItem]]:
    from wspolnota.councils.models import ADVISORY_KINDS, BodyKind, Meeting, MeetingStatus

    held = Meeting.objects.filter(starts_at__year=year).exclude(status=MeetingStatus.CANCELLED)
    items = []
    district = held.filter(body__kind=BodyKind.DISTRICT_COUNCIL).count()
    if district:
        items.append(
            (
                7,
                ActivityItem(
                    gettext("Posiedzenia rad dzielnic: %(count)s") % {"count": district},
                    _path("councils:index"),
                    "council",
                    district,
                ),
            )
        )
    advisory = held.filter(body__kind__in=ADVISORY_KINDS).count()
    if advisory:
        items.append(
            (
                6,
                ActivityItem(
                    gettext("Posiedzenia gremiów doradczych: %(count)s") % {"count": advisory},
                    _path("councils:index"),
                    "council",
                    advisory,
                ),
            )
        )
    return items


def _community(year: int) -> list[tuple[int, ActivityItem]]:
    from django.db.models import Q

    from wspolnota.community.models import Event, EventStatus, Place, PlaceKind

    day = date(year, 12, 31)
    centres = (
        Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, opened_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .count()
    )
    items = []
    if centres:
        items.append(
            (
                16,
                ActivityItem(
                    gettext("Centra Aktywności Seniorów czynne na koniec roku: %(count)s")
                    % {"count": centres},
                    _path("community:place_list"),
                    "place",
                    centres,
                ),
            )
        )
    events = Event.objects.filter(starts_at__year=year, status=EventStatus.PUBLISHED)
    senior_events = events.filter(place__kind=PlaceKind.SENIOR_CENTRE).count()
    if senior_events:
        items.append(
            (
                15,
                ActivityItem(
                    gettext("Wydarzenia w Centrach Aktywności Seniorów: %(count)s")
                    % {"count": senior_events},
                    _path("community:index"),
                    "place",
                    senior_events,
                ),
            )
        )
    others = events.count() - senior_events
    if others:
        items.append(
            (
                5,
                ActivityItem(
                    gettext("Wydarzenia w miejscach aktywności lokalnej: %(count)s")
                    % {"count": others},
                    _path("community:index"),
                    "place",
                    others,
                ),
            )
        )
    return items


def _open_at_year_end(year: int, kinds: tuple[str, ...]) -> int:
    from django.db.models import Q

    from wspolnota.community.models import Place

    day = date(year, 12, 31)
    return (
        Place.objects.filter(kind__in=kinds, opened_on__lte=day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .count()
    )


def _groups(year: int) -> list[tuple[int, ActivityItem]]:
    """Events held for the groups several key actions name (children and youth, families, people
    with disabilities, migrants; intergenerational and intercultural programmes), facilities for
    children, youth and people with disabilities, and consultations offered in Ukrainian or
    English. An event may serve more than one key action and is then listed under each."""
    from django.db.models import Q

    from wspolnota.community.models import (
        Audience,
        Event,
        EventLanguage,
        EventStatus,
        PlaceKind,
        Programme,
    )

    held = Event.objects.filter(starts_at__year=year, status=EventStatus.PUBLISHED)
    foreign = (EventLanguage.UKRAINIAN, EventLanguage.ENGLISH, EventLanguage.MULTILINGUAL)
    counted = [
        (
            1,
            held.filter(audience__in=(Audience.CHILDREN, Audience.YOUTH)).count(),
            gettext("Wydarzenia dla dzieci i młodzieży: %(count)s"),
        ),
        (
            8,
            _open_at_year_end(year, (PlaceKind.YOUTH_CLUB, PlaceKind.DAY_CENTRE)),
            gettext(
                "Kluby młodzieżowe i ośrodki dzienne dla osób z niepełnosprawnościami czynne na "
                "koniec roku: %(count)s"
            ),
        ),
        (
            11,
            held.filter(
                programme__in=(Programme.INTERGENERATIONAL, Programme.INTERCULTURAL)
            ).count(),
            gettext("Wydarzenia programów międzypokoleniowych i międzykulturowych: %(count)s"),
        ),
        (
            12,
            held.filter(programme=Programme.FAMILY).count(),
            gettext("Wydarzenia programów rodzinnych: %(count)s"),
        ),
        (
            13,
            held.filter(audience=Audience.FAMILIES).count(),
            gettext("Wydarzenia dla rodzin z dziećmi: %(count)s"),
        ),
        (
            14,
            held.filter(audience=Audience.DISABILITIES).count(),
            gettext("Wydarzenia dla osób z niepełnosprawnościami: %(count)s"),
        ),
        (
            17,
            held.filter(
                Q(programme=Programme.MIGRANTS)
                | Q(audience=Audience.MIGRANTS)
                | Q(language__in=foreign)
            ).count(),
            gettext("Wydarzenia dla migrantów i migrantek lub w ich językach: %(count)s"),
        ),
    ]
    return [
        (number, ActivityItem(title % {"count": count}, _path("community:index"), "place", count))
        for number, count, title in counted
        if count
    ]


def _consultations_in_other_languages(year: int) -> list[tuple[int, ActivityItem]]:
    from wspolnota.consultations.models import Consultation

    rows = Consultation.objects.filter(published_at__year=year).values_list("languages", flat=True)
    count = sum(1 for languages in rows if {"uk", "en"} & set(languages or []))
    if not count:
        return []
    title = gettext("Konsultacje prowadzone także po ukraińsku lub angielsku: %(count)s")
    return [
        (
            17,
            ActivityItem(
                title % {"count": count}, _path("consultations:list"), "consultation", count
            ),
        )
    ]


def _volunteering(year: int) -> list[tuple[int, ActivityItem]]:
    from wspolnota.community.models import VolunteerOffer

    count = VolunteerOffer.objects.filter(created_at__year=year).count()
    if not count:
        return []
    return [
        (
            10,
            ActivityItem(
                gettext("Oferty wolontariatu: %(count)s") % {"count": count},
                _path("community:index"),
                "place",
                count,
            ),
        )
    ]


SOURCES: list[Callable[[int], list[tuple[int, ActivityItem]]]] = [
    _budget,
    _budget_completed,
    _consultations,
    _grants,
    _notices,
    _councils,
    _community,
    _groups,
    _consultations_in_other_languages,
    _volunteering,
]

# Which key action each kind of record is listed under (stated on the report's method page).
ACTIVITY_ACTIONS = {
    1: "events for children and youth",
    2: "budget editions, projects submitted, budget projects completed, consultations",
    3: "micro-grants and local initiative calls",
    4: "notices",
    5: "events in community places",
    6: "advisory-body meetings",
    7: "district council meetings",
    8: "youth clubs and day centres for people with disabilities open at the year's end",
    9: "small grants and open competitions",
    10: "volunteer offers",
    11: "events of intergenerational and intercultural programmes",
    12: "events of family programmes",
    13: "events for families with children",
    14: "events for people with disabilities",
    15: "events in senior centres",
    16: "senior centres open at the year's end",
    17: "events for migrants or in their languages, consultations also in Ukrainian or English",
}


def platform_activity(*, year: int) -> dict[int, list[ActivityItem]]:
    """Key action number → what the platform recorded under it in ``year``."""
    found: dict[int, list[ActivityItem]] = defaultdict(list)
    for source in SOURCES:
        try:
            rows = source(year)
        except (ImportError, LookupError, AttributeError):
            continue  # an app not installed or changed: it contributes nothing
        for number, item in rows:
            found[number].append(item)
    return dict(found)
