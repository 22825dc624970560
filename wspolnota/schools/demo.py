"""Demo content: a confirmed school whose coordinator is the demo resident (a teacher), with a
finished edition (ideas checked with reasons, two classes' codes, pupils' votes, published
results with explanations) and a new edition collecting ideas. Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.test import override_settings
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.schools import permissions, services
from wspolnota.schools.models import School, SchoolEdition, SchoolStatus

SCHOOL = "Szkoła Podstawowa nr 12 w Krakowie (przykład)"
IDEAS = [
    ("Ławki i stoliki na boisku", "Miejsce do odrabiania lekcji i rozmów na przerwie.", 1800),
    ("Gry planszowe do świetlicy", "Kilkanaście gier dla wszystkich klas.", 600),
    ("Stojaki na rowery", "Bezpieczne miejsce na rowery i hulajnogi.", 1200),
    ("Ogródek z ziołami", "Skrzynie, ziemia i sadzonki; opiekuje się nim koło przyrodnicze.", 500),
    ("Basen na dachu", "Basen dla całej szkoły.", 2900),
]


def load() -> list[str]:
    coordinator = User.objects.filter(email="mieszkanka@demo.wspolnota.pl").first()
    official = User.objects.filter(email="urzednik@demo.wspolnota.pl").first()
    if coordinator is None or official is None or School.objects.filter(name=SCHOOL).exists():
        return []
    with override_settings(SCHOOLS_MIX_BATCH=1000):
        return _load(coordinator, official)


def _load(coordinator: User, official: User) -> list[str]:
    school = services.school_register(
        actor=coordinator, name=SCHOOL, kind="school", location="ul. Szkolna 12"
    )
    if permissions.can_decide_school(official, school):
        services.school_decide(actor=official, school=school, confirm=True)
    else:  # no education unit configured: the demo confirms its example itself
        School.objects.filter(pk=school.pk).update(status=SchoolStatus.CONFIRMED)
        school.refresh_from_db()
    now = timezone.now()
    start = now - timedelta(days=40)
    edition = services.school_edition_create(
        actor=coordinator,
        school=school,
        title="Szkolny budżet obywatelski – jesień",
        amount=Decimal("3000"),
        ballot_kind="approval",
        approval_max=2,
        counting_rule="equalshares",
        ideas_from=start,
        ideas_until=start + timedelta(days=14),
        checking_until=start + timedelta(days=21),
        vote_from=start + timedelta(days=21),
        vote_until=start + timedelta(days=24),
    )
    at_ideas = start + timedelta(days=1)
    ideas = [
        services.idea_key(
            actor=coordinator,
            edition=edition,
            title=title,
            description=text,
            cost=Decimal(cost),
            class_label=label,
            at=at_ideas,
        )
        for (title, text, cost), label in zip(IDEAS, ["6a", "4b", "7c", "5a", "6a"], strict=True)
    ]
    at_check = start + timedelta(days=15)
    for idea in ideas:
        if idea.title.startswith("Basen"):
            services.idea_check(
                actor=coordinator,
                idea=idea,
                accept=False,
                reason="Za 2900 zł nie da się zbudować basenu, a dach szkoły go nie utrzyma.",
                at=at_check,
            )
        else:
            services.idea_check(
                actor=coordinator,
                idea=idea,
                accept=True,
                reason="Zgodny z regulaminem; dyrekcja zgadza się na realizację.",
                at=at_check,
            )
    at_vote = start + timedelta(days=22)
    rng = random.Random(12)  # noqa: S311 - the demo's invented votes, the same every time
    on_ballot = [i.number for i in ideas if i.status == "accepted"]
    for label, size in (("4b", 24), ("6a", 26)):
        issued = services.class_sheet_issue(
            actor=coordinator, edition=edition, label=label, size=size, at=at_vote
        )
        for code in issued.codes[: size - 5]:
            picks = sorted(rng.sample(on_ballot, rng.choice([1, 2])))
            services.school_vote_cast(edition=edition, code=code, picks=picks, at=at_vote)
    services.school_results_publish(
        actor=coordinator, edition=edition, at=start + timedelta(days=25)
    )
    services.school_edition_create(
        actor=coordinator,
        school=school,
        **{
            **services.edition_template_values(
                template="klasowy", start=(now - timedelta(days=2)).date()
            ),
            "title": "Szkolny budżet obywatelski – wiosna",
        },
    )
    return [
        f"Szkolny budżet: {school.name}, {SchoolEdition.objects.filter(school=school).count()} "
        "edycje (koordynatorka: mieszkanka@demo.wspolnota.pl)"
    ]
