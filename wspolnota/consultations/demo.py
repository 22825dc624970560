"""Demo consultations: one open (remarks, meeting, survey, opinion map) and one with its report."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.consultations import services
from wspolnota.consultations.models import Consultation, Statement
from wspolnota.territory.models import District

OPEN_TITLE = "Planty dla pieszych i zieleni"
STATEMENTS = [
    "Na Plantach powinno być więcej ławek w cieniu.",
    "Rowery powinny mieć osobną ścieżkę wokół Plant.",
    "Latem potrzebne są poidełka z wodą pitną.",
    "Wieczorem Planty są za słabo oświetlone.",
    "Hulajnogi elektryczne nie powinny wjeżdżać na Planty.",
]


def load() -> list[str]:
    official = User.objects.filter(email="urzednik@demo.wspolnota.pl").first()
    if official is None or Consultation.objects.filter(title=OPEN_TITLE).exists():
        return []
    unit = official.role_assignments.get(role="official").city_unit
    assert unit is not None
    now = timezone.now()
    today = timezone.localdate()
    consultation = services.consultation_create(
        actor=official,
        title=OPEN_TITLE,
        summary="Jak zmienić Planty, by były wygodniejsze dla pieszych i lepsze dla drzew?",
        title_en="Planty for pedestrians and greenery",
        summary_en="How should the Planty change to be more comfortable for walkers and better for trees?",
        title_uk="Планти для пішоходів і зелені",
        summary_uk="Як змінити Планти, щоб вони стали зручнішими для пішоходів і кращими для дерев?",
        initiating_unit=unit,
        legal_basis="uchwała nr CXI/2904/18 Rady Miasta Krakowa",
        information_from=today - timedelta(days=10),
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=25),
        forms=["document", "meeting", "survey", "opinion_map", "written"],
        languages=["pl", "en", "uk"],
        citywide=False,
        districts=list(District.objects.filter(number=1)),
        contact="Wydział Komunikacji Społecznej, 12 616 00 00",
        expert_hours="Wtorki 16:00–18:00, tel. 12 616 00 01 (architekt krajobrazu)",
    )
    services.document_add(
        actor=official,
        consultation=consultation,
        title="Koncepcja zmian na Plantach",
        text=(
            "Alejki główne pozostają dla pieszych; rowery jadą wyznaczoną ścieżką.\n\n"
            "Nowe nasadzenia: 120 drzew w miejscach po wycinkach z lat 2015–2024.\n\n"
            "Ławki co 40 metrów, w tym z oparciami i podłokietnikami."
        ),
    )
    services.meeting_add(
        actor=official,
        consultation=consultation,
        kind="meeting",
        mode="in_person",
        title="Spacer badawczy po Plantach",
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=2),
        place="Zbiórka przy Barbakanie",
        capacity=40,
        accessibility="Trasa bez schodów; tłumacz PJM na życzenie zgłoszone przy zapisie.",
    )
    consultation.published_at = now - timedelta(days=10)
    consultation.save(update_fields=["published_at"])
    services.survey_create(
        actor=official,
        consultation=consultation,
        title="Jak korzystasz z Plant?",
        intro="Pięć pytań, około trzech minut.",
        verified=False,
        questions=(
            "single | Jak często bywasz na Plantach? | codziennie; co tydzień; rzadziej\n"
            "multiple | Po co przychodzisz? | spacer; przejście; odpoczynek; z dzieckiem\n"
            "scale | Czy na Plantach jest wygodnie usiąść?\n"
            "ranking | Co zrobić najpierw? | drzewa; ławki; oświetlenie\n"
            "text* | Co jeszcze chcesz nam powiedzieć?"
        ),
    )
    # the demo's people speak as residents; the city's staff on duty (officials, counter
    # clerks) do not take part in a consultation they run or help callers with
    residents = list(
        User.objects.filter(email__endswith="@demo.wspolnota.pl")
        .exclude(role_assignments__role__in=[Role.OFFICIAL, Role.COUNTER_CLERK])
        .order_by("id")
    )
    for index, text in enumerate(STATEMENTS):
        statement = services.statement_submit(
            author=residents[index % len(residents)], consultation=consultation, text=text, at=now
        )
        services.statement_moderate(actor=official, statement=statement, accept=True)
    for person_index, person in enumerate(residents):
        for index, statement in enumerate(Statement.objects.filter(consultation=consultation)):
            choice = 1 if index in (0, 2) or (index + person_index) % 2 == 0 else -1
            services.statement_vote(user=person, statement=statement, choice=choice, at=now)
    remark = services.remark_submit(
        author=residents[0],
        consultation=consultation,
        text="Proszę o ławki z oparciami przy Teatrze Słowackiego.",
        at=now,
    )
    services.remark_answer(
        actor=official,
        remark=remark,
        disposition="accepted",
        reason="Ławki z oparciami i podłokietnikami staną co 40 metrów, także przy teatrze.",
        at=now,
    )
    services.remark_enter(
        actor=official,
        consultation=consultation,
        channel="post",
        text="Wnoszę o zakaz wjazdu hulajnóg elektrycznych na Planty.",
        author_name="Rada Dzielnicy I",
        received_on=today - timedelta(days=1),
    )
    return [
        f"Consultations: “{OPEN_TITLE}” (open, with remarks, a meeting, a survey and an opinion map)"
    ]
