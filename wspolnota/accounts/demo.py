"""Demo users, one per role, all with the password DEMO_PASSWORD (printed when the demo starts)."""

from __future__ import annotations

from wspolnota.accounts.models import CityUnit, RoleAssignment, User
from wspolnota.accounts.roles import Role
from wspolnota.territory.models import District

DEMO_PASSWORD = "Krakow2030-demo"

CITY_UNITS = [
    ("WKS", "Wydział Komunikacji Społecznej"),
    ("KBO", "Kancelaria Budżetu Obywatelskiego"),
    ("WPS", "Wydział Polityki Społecznej i Zdrowia"),
    ("WPL", "Wydział Planowania Przestrzennego"),
    ("WOM", "Wydział Obsługi Mieszkańców"),
]
# Units that run a counter or the phone line (their officials may find people and act for them).
COUNTER_UNITS = {"WOM"}

# email, full name, district number, language, role, scope
DEMO_USERS: list[tuple[str, str, int, str, Role | None, str | None]] = [
    ("mieszkanka@demo.wspolnota.pl", "Anna Mieszkańska", 1, "pl", None, None),
    ("mieszkaniec.nowahuta@demo.wspolnota.pl", "Olena Kowalenko", 18, "uk", None, None),
    ("resident.en@demo.wspolnota.pl", "John Resident", 5, "en", None, None),
    ("urzednik@demo.wspolnota.pl", "Piotr Urzędniczy", 1, "pl", Role.OFFICIAL, "KBO"),
    ("okienko@demo.wspolnota.pl", "Beata Okienkowa", 2, "pl", Role.COUNTER_CLERK, "WOM"),
    ("moderator@demo.wspolnota.pl", "Maria Moderatorska", 2, "pl", Role.MODERATOR, None),
    ("radna.staremiasto@demo.wspolnota.pl", "Ewa Radna", 1, "pl", Role.DISTRICT_COUNCILLOR, "1"),
    ("ngo@demo.wspolnota.pl", "Tomasz Społeczny", 13, "pl", Role.NGO_MEMBER, None),
    ("audytor@demo.wspolnota.pl", "Krystyna Audytorka", 3, "pl", Role.AUDITOR, None),
    ("admin@demo.wspolnota.pl", "Adam Administrator", 1, "pl", Role.ADMINISTRATOR, None),
]


def load() -> list[str]:
    units = {}
    for code, name in CITY_UNITS:
        units[code], _ = CityUnit.objects.update_or_create(
            code=code, defaults={"name": name, "counter_duties": code in COUNTER_UNITS}
        )
    districts = {d.number: d for d in District.objects.all()}
    lines = ["", "Demo log-ins (password for all: " + DEMO_PASSWORD + "):"]
    for email, name, district_no, language, role, scope in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                full_name=name,
                district=districts.get(district_no),
                preferred_language=language,
            )
        if role is not None and not RoleAssignment.objects.filter(user=user, role=role).exists():
            RoleAssignment.objects.create(
                user=user,
                role=role,
                district=districts.get(int(scope))
                if role == Role.DISTRICT_COUNCILLOR and scope
                else None,
                city_unit=units[scope]
                if role in (Role.OFFICIAL, Role.COUNTER_CLERK) and scope
                else None,
            )
        label = Role(role).label if role else "mieszkaniec / resident"
        lines.append(f"  {email:45} {label}")
    lines.append("")
    return lines
