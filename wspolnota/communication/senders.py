"""Sender names that would pass a notice off as the City's.

Only an official writes as the City (``permissions.can_sign_for_unit``); an NGO or a district
council signs with its own name. A name is compared after normalising away what a reader does
not see: case, Polish diacritics, spacing and punctuation, invisible characters, full-width
forms and letters of other alphabets that look like Latin ones. It is refused when, so
normalised, it is the city's name, contains the name of one of the city's units (or is a unit's
symbol), or uses a title of the city's offices ("Urząd Miasta", "Prezydent Miasta", "Gmina
Miejska", "Magistrat", "Miasto Kraków", "City of Kraków", "City Hall" …). District names are taken out first, so
"Rada Dzielnicy I Stare Miasto" stays a council's name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings

# Letters of other alphabets drawn like Latin ones, and digits typed for letters.
_LOOK_ALIKE = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ζ": "z",
        # digits and signs for letters
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "@": "a",
        "$": "s",
    }
)
_NOT_DECOMPOSED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ß": "ss"})
_NOT_A_LETTER = re.compile(r"[^a-z]+")

# Titles of the city's offices, matched on the name with its spaces taken out. Declined forms
# included: "Urzędu Miasta", "Urzędowi Miejskiemu", "Prezydenta Miasta" …
_OFFICE_TITLES = [
    re.compile(p)
    for p in (
        r"urz[ae]d\w{0,4}(miast|miejsk|gmin)",
        r"prezydent\w{0,3}miast",
        r"gmin\w{0,2}miejsk",
        r"magistrat",
        r"cityhall",
        r"townhall",
    )
]


def skeleton(text: str) -> str:
    """What a reader sees: lower-case Latin letters only, nothing between them.

    Full-width and other compatibility forms fold to plain letters (NFKC), invisible characters
    go, letters of other alphabets and digits that look like Latin letters become them, and
    diacritics (ł included) are dropped.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(c for c in folded if unicodedata.category(c) not in ("Cf", "Mn"))
    folded = folded.translate(_LOOK_ALIKE).translate(_NOT_DECOMPOSED)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return _NOT_A_LETTER.sub("", plain)


def impersonates_the_city(
    label: str,
    *,
    city_names: Iterable[str],
    unit_names: Iterable[str],
    unit_codes: Iterable[str] = (),
    district_names: Iterable[str] = (),
) -> bool:
    """Whether ``label`` reads as the City or one of its units (see the module's docstring)."""
    name = skeleton(label)
    for district in sorted((skeleton(d) for d in district_names), key=len, reverse=True):
        if len(district) >= 4:
            name = name.replace(district, "")
    if not name:
        return False
    if any(pattern.search(name) for pattern in _OFFICE_TITLES):
        return True
    for city in {skeleton(c) for c in city_names}:
        # "Kraków", "Miasto Kraków", "Miasta Krakowa", "Gmina Kraków", "City of Kraków".
        if city and (
            name in (city, city + "a", city + "city")
            or re.search(rf"(miast|gmin)\w{{0,2}}{city}|cityof{city}", name)
        ):
            return True
    if any(len(unit) >= 6 and unit in name for unit in (skeleton(u) for u in unit_names)):
        return True
    return name in {skeleton(code) for code in unit_codes}


def sender_name_is_the_citys(label: str) -> bool:
    """``impersonates_the_city`` against this installation's city, units and districts."""
    from wspolnota.accounts.models import CityUnit
    from wspolnota.territory.models import City, District

    units = list(CityUnit.objects.values_list("name", "code"))
    return impersonates_the_city(
        label,
        city_names=[settings.CITY_NAME, *City.objects.values_list("name", flat=True)],
        unit_names=[name for name, _code in units],
        unit_codes=[code for _name, code in units],
        district_names=District.objects.values_list("name", flat=True),
    )
