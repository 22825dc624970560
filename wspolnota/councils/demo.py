"""Demo content: the 18 district councils, the Youth Council, the Council of Kraków Seniors and a
Civic Dialogue Commission, with invented members (marked as examples), meetings, votes,
resolutions, questions and opinions. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from wspolnota.accounts.models import CityUnit, User
from wspolnota.consultations.demo import OPEN_TITLE
from wspolnota.consultations.models import Consultation
from wspolnota.councils import services
from wspolnota.councils.models import (
    Body,
    BodyKind,
    MeetingStatus,
    MemberRole,
    OpinionPosition,
    QuestionKind,
    VoteChoice,
    VoteKind,
)
from wspolnota.territory.models import District

FIRST = [
    "Anna",
    "Jan",
    "Maria",
    "Piotr",
    "Katarzyna",
    "Tomasz",
    "Agnieszka",
    "Marek",
    "Barbara",
    "Paweł",
    "Ewa",
    "Krzysztof",
    "Joanna",
    "Michał",
    "Zofia",
    "Andrzej",
    "Magdalena",
    "Adam",
    "Teresa",
    "Jakub",
    "Halina",
    "Stanisław",
    "Irena",
    "Wojciech",
    "Danuta",
]
LAST = [
    "Nowak",
    "Kowalska",
    "Wiśniewski",
    "Wójcik",
    "Kamińska",
    "Lewandowski",
    "Zielińska",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowska",
    "Jankowski",
    "Mazur",
    "Kwiatkowska",
    "Krawczyk",
    "Piotrowski",
    "Grabowska",
    "Pawłowski",
    "Michalska",
    "Król",
    "Wieczorek",
    "Jabłońska",
    "Wróbel",
    "Nowakowska",
    "Majewski",
]


def _person(n: int) -> str:
    return f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]} (przykład)"


def load() -> list[str]:
    districts = list(District.objects.order_by("number"))
    if not districts:
        return []
    created = services.district_councils_create(actor=None, districts=districts)
    today = timezone.localdate()
    term_start = date(2024, 6, 1)
    for body in Body.objects.filter(kind=BodyKind.DISTRICT_COUNCIL):
        if not body.terms.exists():
            services.term_create(
                actor=None,
                body=body,
                name="IX kadencja 2024–2029",
                starts_on=term_start,
                ends_on=date(2029, 5, 31),
            )
    council = Body.objects.get(kind=BodyKind.DISTRICT_COUNCIL, district__number=1)
    council.email = "rada1@przyklad.example"
    council.address = "ul. Przykładowa 1, 31-000 Kraków (przykład)"
    council.save()
    term = council.terms.get()
    if not term.memberships.exists():
        councillor = User.objects.filter(email="radna.staremiasto@demo.wspolnota.pl").first()
        for n in range(council.seats):
            services.membership_add(
                actor=None,
                term=term,
                person_name="Ewa Radna (przykład)" if n == 0 else _person(n),
                role=MemberRole.CHAIR
                if n == 0
                else MemberRole.VICE_CHAIR
                if n == 1
                else MemberRole.MEMBER,
                user=councillor if n == 0 else None,
                constituency=f"okręg nr {n % 3 + 1}",
            )
        services.committee_save(
            actor=None,
            term=term,
            committee=None,
            name="Komisja Budżetowa",
            description="Budżet dzielnicy i zadania powierzone.",
            members=list(term.memberships.all()[:5]),
            chair=term.memberships.all()[1],
        )
    if not council.meetings.exists():
        now = timezone.now()
        past = services.meeting_save(
            actor=None,
            body=council,
            meeting=None,
            fields={
                "number": "XII",
                "title": "XII sesja Rady Dzielnicy I",
                "starts_at": now - timedelta(days=14),
                "location": "Sala obrad, ul. Przykładowa 1",
                "agenda": "1. Otwarcie sesji.\n2. Zadania powierzone na przyszły rok.\n3. Wolne wnioski.",
                "status": MeetingStatus.HELD,
                "minutes": "Protokół przykładowy: sesję otworzyła przewodnicząca; rada przyjęła uchwałę w sprawie zadań powierzonych.",
                "recording_url": "https://www.youtube.com/results?search_query=rada+dzielnicy+I+krakow",
            },
        )
        services.meeting_save(
            actor=None,
            body=council,
            meeting=None,
            fields={
                "number": "XIII",
                "title": "XIII sesja Rady Dzielnicy I",
                "starts_at": now + timedelta(days=10),
                "location": "Sala obrad, ul. Przykładowa 1",
                "agenda": "1. Otwarcie sesji.\n2. Opinia o projekcie planu miejscowego.\n3. Wolne wnioski.",
            },
        )
        draft = services.resolution_draft_save(
            actor=None,
            body=council,
            resolution=None,
            subject="zadań powierzonych Dzielnicy I na przyszły rok (przykład)",
            text="§ 1. Rada Dzielnicy I wskazuje zadania: remont chodnika, doposażenie placu zabaw.\n§ 2. Uchwała wchodzi w życie z dniem podjęcia.",
            meeting=past,
        )
        members = services.members_on(council, timezone.localtime(past.starts_at).date())
        choices = {m.pk: VoteChoice.FOR for m in members}
        choices[members[-1].pk] = VoteChoice.AGAINST
        choices[members[-2].pk] = VoteChoice.ABSENT
        services.vote_record(
            actor=None,
            meeting=past,
            subject="Projekt uchwały w sprawie zadań powierzonych",
            kind=VoteKind.ROLL_CALL,
            resolution=draft,
            choices=choices,
        )
        services.resolution_publish(
            actor=None,
            resolution=draft,
            number=f"XII/45/{today.year}",
            adopted_on=timezone.localtime(past.starts_at).date(),
            meeting=past,
        )
    resident = User.objects.filter(email="mieszkanka@demo.wspolnota.pl").first()
    if resident is not None and not council.questions.exists():
        services.question_ask(
            user=resident,
            body=council,
            kind=QuestionKind.MOTION,
            subject="Ławki na skwerze przy ul. Przykładowej",
            text="Proszę o ustawienie dwóch ławek na skwerze — starsi mieszkańcy nie mają gdzie odpocząć.",
            is_public=True,
        )
    lines = [f"Councils: {len(created)} district councils created"]
    lines += _advisory(today)
    return lines


def _advisory(today: date) -> list[str]:
    lines = []
    youth, made = Body.objects.get_or_create(
        slug="mlodziezowa-rada-krakowa",
        defaults={
            "kind": BodyKind.YOUTH_COUNCIL,
            "name": "Młodzieżowa Rada Krakowa",
            "seats": 60,
            "description": "Uczniowie krakowskich szkół ponadpodstawowych wybrani w swoich szkołach.",
        },
    )
    if made:
        term = services.term_create(
            actor=None,
            body=youth,
            name="kadencja 2025–2027",
            starts_on=date(2025, 10, 1),
            ends_on=date(2027, 9, 30),
        )
        for n, school in enumerate(
            [
                "I Liceum Ogólnokształcące (przykład)",
                "Technikum Łączności (przykład)",
                "V Liceum Ogólnokształcące (przykład)",
            ]
        ):
            election = services.school_election_record(
                actor=None,
                term=term,
                school_name=school,
                held_on=date(2025, 9, 20 + n),
                eligible_voters=600 + 100 * n,
                votes_cast=310 + 40 * n,
            )
            services.membership_add(
                actor=None,
                term=term,
                person_name=_person(30 + n),
                school_election=election,
                role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
            )
        lines.append("Councils: Youth Council of Kraków with 3 school elections")
    seniors, made = Body.objects.get_or_create(
        slug="rada-krakowskich-seniorow",
        defaults={
            "kind": BodyKind.SENIORS_COUNCIL,
            "name": "Rada Krakowskich Seniorów",
            "seats": 25,
            "min_member_age": 60,
            "description": "25 osób w wieku 60+, wybranych przez zgromadzenie organizacji senioralnych i uniwersytetów trzeciego wieku.",
        },
    )
    if made:
        term = services.term_create(
            actor=None,
            body=seniors,
            name="kadencja 2024–2027",
            starts_on=date(2024, 3, 1),
            ends_on=date(2027, 2, 28),
        )
        members = [
            services.membership_add(
                actor=None,
                term=term,
                person_name=_person(50 + n),
                birth_date=date(1950 + n % 12, 1 + n % 12, 1 + n),
                organisation_name="Uniwersytet Trzeciego Wieku (przykład)",
                role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
            )
            for n in range(25)
        ]
        for k, name in enumerate(
            [
                "Komisja Zdrowia i Polityki Społecznej",
                "Komisja Kultury",
                "Komisja Mieszkalnictwa i Transportu",
                "Komisja Aktywności Obywatelskiej",
                "Komisja Bezpieczeństwa",
            ]
        ):
            chosen = members[k * 5 : (k + 1) * 5]
            services.committee_save(
                actor=None,
                term=term,
                committee=None,
                name=name,
                description="",
                members=chosen,
                chair=chosen[0],
            )
        opinion = services.opinion_save(
            actor=None,
            body=seniors,
            opinion=None,
            fields={
                "draft_title": "Projekt programu „Kraków dla seniorów” (przykład)",
                "requested_by": "Wydział Polityki Społecznej i Zdrowia",
                "requested_on": today - timedelta(days=20),
                "due_on": today + timedelta(days=10),
            },
        )
        services.opinion_adopt(
            actor=None,
            opinion=opinion,
            position=OpinionPosition.WITH_REMARKS,
            text="Rada popiera program; prosi o więcej zajęć w Centrach Aktywności Seniorów w dzielnicach peryferyjnych.",
            adopted_on=today - timedelta(days=3),
        )
        planty = Consultation.objects.filter(title=OPEN_TITLE, published_at__isnull=False).first()
        if planty is not None:
            on_planty = services.opinion_save(
                actor=None,
                body=seniors,
                opinion=None,
                fields={
                    "draft_title": "Koncepcja zmian na Plantach (przykład)",
                    "requested_by": "Wydział Komunikacji Społecznej",
                    "requested_on": today - timedelta(days=3),
                    "due_on": today + timedelta(days=18),
                    "consultation": planty,
                },
            )
            services.opinion_adopt(
                actor=None,
                opinion=on_planty,
                position=OpinionPosition.WITH_REMARKS,
                text="Rada popiera koncepcję; ławki z oparciami i podłokietnikami co 40 metrów są "
                "dla seniorów warunkiem korzystania z Plant.",
                adopted_on=today - timedelta(days=1),
            )
        lines.append("Councils: Council of Kraków Seniors with 25 members and 5 committees")
    unit = CityUnit.objects.filter(code="WPS").first()
    if unit is not None and not Body.objects.filter(city_unit=unit).exists():
        kdo = services.body_create(
            actor=None,
            kind=BodyKind.DIALOGUE_COMMISSION,
            name="Komisja Dialogu Obywatelskiego ds. Polityki Społecznej",
            seats=15,
            city_unit=unit,
            slug="kdo-polityka-spoleczna",
            description="Organizacje pozarządowe współpracujące z Wydziałem Polityki Społecznej i Zdrowia.",
        )
        term = services.term_create(
            actor=None,
            body=kdo,
            name="kadencja 2025–2027",
            starts_on=date(2025, 1, 1),
            ends_on=date(2027, 12, 31),
        )
        for n in range(6):
            services.membership_add(
                actor=None,
                term=term,
                person_name=_person(80 + n),
                organisation_name=f"Stowarzyszenie Przykładowe nr {n + 1}",
                role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
            )
        lines.append("Councils: a Civic Dialogue Commission")
    return lines
