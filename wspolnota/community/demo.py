"""Demo content: the sample CAS list, other places with rooms and activities, events, volunteering."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.community import services
from wspolnota.community.models import (
    Activity,
    ActivitySignup,
    Audience,
    Event,
    EventLanguage,
    OrganiserKind,
    Place,
    PlaceKind,
    Programme,
    RegistrationStatus,
    Room,
    Skill,
    VolunteerOffer,
)
from wspolnota.territory.models import District

SAMPLE_FILE = Path(__file__).resolve().parent / "data" / "cas-krakow-przyklad.csv"
SKILLS = [
    "prowadzenie zajęć komputerowych",
    "język ukraiński",
    "język angielski",
    "opieka nad dziećmi",
    "pierwsza pomoc",
    "prace ogrodowe",
    "fotografia",
    "prawo jazdy kat. B",
]

# Weekly activities offered by the senior activity centres: (title, weekday, start, end, capacity).
CAS_ACTIVITIES = [
    ("Gimnastyka dla seniorów", 0, time(10), time(11), 15),
    ("Pamięć i koncentracja", 3, time(10), time(11), 2),
    ("Warsztaty komputerowe", 2, time(12), time(14), 8),
    ("Klub dyskusyjny", 4, time(16), time(18), 20),
    ("Nordic walking", 1, time(9), time(10, 30), 12),
    ("Zajęcia z języka angielskiego", 3, time(11), time(12, 30), 10),
    ("Taniec w kręgu", 1, time(15), time(16, 30), 16),
]
# Demo residents who sign up; the small "Pamięć i koncentracja" class fills and has a waiting list.
SIGNUP_EMAILS = [
    "mieszkanka@demo.wspolnota.pl",
    "mieszkaniec.nowahuta@demo.wspolnota.pl",
    "resident.en@demo.wspolnota.pl",
]

OTHER_PLACES = [
    {
        "slug": "biblioteka-krowoderska-filia-przyklad",
        "kind": PlaceKind.LIBRARY,
        "name": "Biblioteka Kraków, filia przy ul. Królewskiej (przykład)",
        "street_address": "ul. Królewska 59",
        "postal_code": "30-081",
        "district": 5,
        "latitude": Decimal("50.073800"),
        "longitude": Decimal("19.916000"),
        "operator": "Biblioteka Kraków",
        "phone": "+48 12 300 20 01",
        "hours": "pn.–pt. 10:00–19:00; sob. 9:00–14:00",
        "access": (True, True, True, False),
    },
    {
        "slug": "dom-kultury-podgorze-przyklad",
        "kind": PlaceKind.CULTURE_CENTRE,
        "name": "Dom Kultury Podgórze (przykład)",
        "street_address": "ul. Sokolska 13",
        "postal_code": "30-510",
        "district": 13,
        "latitude": Decimal("50.045500"),
        "longitude": Decimal("19.947900"),
        "operator": "Podgórski Dom Kultury",
        "phone": "+48 12 300 20 02",
        "hours": "pn.–pt. 9:00–21:00; sob. 10:00–16:00",
        "access": (True, True, True, True),
    },
    {
        "slug": "klub-mlodziezowy-nowa-huta-przyklad",
        "kind": PlaceKind.YOUTH_CLUB,
        "name": "Klub Młodzieżowy „Na Osiedlu” (przykład)",
        "street_address": "os. Teatralne 4",
        "postal_code": "31-945",
        "district": 18,
        "latitude": Decimal("50.076000"),
        "longitude": Decimal("20.031500"),
        "operator": "Stowarzyszenie Przykładowe „Młodzi Razem”",
        "phone": "+48 12 300 20 03",
        "hours": "pn.–pt. 14:00–20:00",
        "access": (False, False, False, False),
    },
    {
        "slug": "osrodek-dzienny-pradnik-przyklad",
        "kind": PlaceKind.DAY_CENTRE,
        "name": "Środowiskowy Dom Samopomocy „Przystań” (przykład)",
        "street_address": "ul. Dobrego Pasterza 90",
        "postal_code": "31-416",
        "district": 3,
        "latitude": Decimal("50.084500"),
        "longitude": Decimal("19.975000"),
        "operator": "Fundacja Przykładowa „Przystań”",
        "phone": "+48 12 300 20 04",
        "hours": "pn.–pt. 8:00–16:00",
        "access": (True, True, True, True),
    },
    {
        "slug": "centrum-organizacji-pozarzadowych-przyklad",
        "kind": PlaceKind.NGO_PREMISES,
        "name": "Centrum Obywatelskie — siedziba organizacji (przykład)",
        "street_address": "ul. Reformacka 3",
        "postal_code": "31-012",
        "district": 1,
        "latitude": Decimal("50.063700"),
        "longitude": Decimal("19.938700"),
        "operator": "Federacja Przykładowych Organizacji",
        "phone": "+48 12 300 20 05",
        "hours": "pn.–pt. 10:00–20:00",
        "access": (True, True, False, False),
    },
]


def load() -> list[str]:
    lines = [services.senior_centres_import(actor=None, content=SAMPLE_FILE.read_bytes()).summary()]
    districts = {d.number: d for d in District.objects.all()}
    if not districts:
        return lines
    for item in OTHER_PLACES:
        if Place.objects.filter(slug=item["slug"]).exists():
            continue
        step_free, toilet, loop, pjm = item["access"]  # type: ignore[misc]
        services.place_save(
            actor=None,
            place=None,
            fields={
                "slug": item["slug"],
                "kind": item["kind"],
                "name": item["name"],
                "street_address": item["street_address"],
                "postal_code": item["postal_code"],
                "district": districts[item["district"]],  # type: ignore[index]
                "latitude": item["latitude"],
                "longitude": item["longitude"],
                "operator": item["operator"],
                "phone": item["phone"],
                "step_free": step_free,
                "accessible_toilet": toilet,
                "induction_loop": loop,
                "sign_language": pjm,
            },
            hours_text=str(item["hours"]),
        )
    for name in SKILLS:
        Skill.objects.get_or_create(name=name)
    culture = Place.objects.get(slug="dom-kultury-podgorze-przyklad")
    ngo_house = Place.objects.get(slug="centrum-organizacji-pozarzadowych-przyklad")
    cas = Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE).order_by("source_id").first()
    for place, name, capacity in (
        (culture, "Sala widowiskowa", 80),
        (culture, "Sala warsztatowa", 20),
        (ngo_house, "Sala spotkań", 30),
    ):
        Room.objects.get_or_create(
            place=place, name=name, defaults={"capacity": capacity, "step_free": True}
        )
    lines.append(_load_activities())
    organiser = (
        User.objects.filter(email="ngo@demo.wspolnota.pl").first()
        or User.objects.filter(email="urzednik@demo.wspolnota.pl").first()
    )
    if organiser is None:
        return lines
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    events = [
        (
            "Piknik rodzinny na Zabłociu",
            Programme.FAMILY,
            Audience.FAMILIES,
            EventLanguage.POLISH,
            culture,
            6,
            40,
        ),
        (
            "Babcia, dziadek i ja: warsztaty międzypokoleniowe",
            Programme.INTERGENERATIONAL,
            Audience.FAMILIES,
            EventLanguage.POLISH,
            cas,
            9,
            12,
        ),
        (
            "Kawiarenka językowa polsko-ukraińska",
            Programme.INTERCULTURAL,
            Audience.MIGRANTS,
            EventLanguage.MULTILINGUAL,
            ngo_house,
            4,
            None,
        ),
        (
            "Porady dla migrantów: meldunek, praca, szkoła",
            Programme.MIGRANTS,
            Audience.MIGRANTS,
            EventLanguage.UKRAINIAN,
            ngo_house,
            12,
            20,
        ),
    ]
    for title, programme, audience, language, place, days, capacity in events:
        if Event.objects.filter(title=title).exists() or place is None:
            continue
        starts = now + timedelta(days=days, hours=2)
        services.event_save(
            actor=organiser,
            event=None,
            fields={
                "title": title,
                "description": "Wydarzenie przykładowe w wersji demonstracyjnej platformy.",
                "organiser_kind": OrganiserKind.NGO,
                "organiser_name": place.operator or "Organizacja przykładowa",
                "place": place,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "programme": programme,
                "audience": audience,
                "language": language,
                "capacity": capacity,
                "step_free": place.step_free,
                "induction_loop": place.induction_loop,
                "sign_language": place.sign_language,
            },
        )
    today = timezone.localdate()
    offers = [
        (
            "Pomoc w nauce dla dzieci z Ukrainy",
            ["język ukraiński", "opieka nad dziećmi"],
            ngo_house,
            90,
            18,
            {"weekday_afternoons": True},
        ),
        (
            "Wsparcie seniorów w korzystaniu ze smartfona",
            ["prowadzenie zajęć komputerowych"],
            cas,
            20,
            16,
            {"weekday_mornings": True},
        ),
        (
            "Sprzątanie i sadzenie zieleni nad Wisłą",
            ["prace ogrodowe"],
            culture,
            1,
            13,
            {"weekends": True},
        ),
    ]
    for title, skills, place, days, min_age, when in offers:
        if VolunteerOffer.objects.filter(title=title).exists() or place is None:
            continue
        services.volunteer_offer_save(
            actor=organiser,
            offer=None,
            fields={
                "title": title,
                "task": "Zadanie przykładowe w wersji demonstracyjnej platformy.",
                "organiser_kind": OrganiserKind.NGO,
                "organiser_name": place.operator or "Organizacja przykładowa",
                "organiser_address": place.address,
                "place": place,
                "starts_on": today + timedelta(days=7),
                "ends_on": today + timedelta(days=7 + days),
                "time_commitment": "2–3 godziny w tygodniu",
                "min_age": min_age,
                **when,
            },
            skills=list(Skill.objects.filter(name__in=skills)),
        )
    lines.append(
        f"Community: {Place.objects.count()} places, {Event.objects.count()} events, "
        f"{VolunteerOffer.objects.count()} volunteering offers"
    )
    return lines


def _load_activities() -> str:
    """Three or four weekly activities in every open CAS, and a few sign-ups by demo residents."""
    today = timezone.localdate()
    centres = [
        place
        for place in Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, is_published=True).order_by(
            "source_id", "id"
        )
        if place.is_open_on(today)
    ]
    for index, place in enumerate(centres):
        count = 3 + index % 2
        for offset in range(count):
            title, weekday, start, end, capacity = CAS_ACTIVITIES[
                (index + offset) % len(CAS_ACTIVITIES)
            ]
            if Activity.objects.filter(place=place, title=title).exists():
                continue
            services.activity_save(
                actor=None,
                place=place,
                activity=None,
                fields={
                    "title": title,
                    "description": "Zajęcia przykładowe w wersji demonstracyjnej platformy.",
                    "weekday": weekday,
                    "starts_at": start,
                    "ends_at": end,
                    "capacity": capacity,
                    "audience": Audience.SENIORS,
                    "price": Decimal("0.00") if offset % 3 else Decimal("5.00"),
                },
            )
    people = list(User.objects.filter(email__in=SIGNUP_EMAILS).order_by("email"))
    for place in centres[:3]:
        for activity in Activity.objects.filter(place=place, is_active=True):
            for person in people:
                if (
                    ActivitySignup.objects.filter(activity=activity, user=person)
                    .exclude(status=RegistrationStatus.CANCELLED)
                    .exists()
                ):
                    continue
                services.activity_sign_up(user=person, activity=activity)
    return (
        f"Community: {Activity.objects.filter(is_active=True).count()} recurring activities, "
        f"{ActivitySignup.objects.exclude(status=RegistrationStatus.CANCELLED).count()} sign-ups"
    )
