"""Sender names that would pass a notice off as the City's.

Only an official writes as the City (``permissions.can_sign_for_unit``); an NGO or a district
council signs with its own name. A name is compared after normalising away what a reader does
not see: case, Polish diacritics, spacing and punctuation, invisible characters, full-width
forms and letters of other alphabets that look like Latin ones. It is refused when, so
normalised, it is the city's name, contains the name of one of the city's units (or is a unit's
symbol), or uses a title of the city's offices ("Urząd Miasta", "Prezydent Miasta", "Gmina
Miejska", "Magistrat", "Miasto Kraków", "City of Kraków", "City Hall" …). District names are taken out first, so
"Rada Dzielnicy I Stare Miasto" stays a council's name.

Ukrainian (and Russian) names are read twice: once with Cyrillic letters taken as the Latin
look-alikes they may be disguised as ("Urzаd" with a Cyrillic "а"), once transliterated
("Міська рада Кракова" → "miskaradakrakova"), and the name is refused when either reading is
the city's. The Ukrainian titles of a city's offices ("Міська рада", "Мерія", "Управління міста",
"Адміністрація міста", "Міський голова" …) are matched on the transliterated reading, which is
also what a Latin transliteration typed by hand gives ("Krakivska miska rada"); the city's name
is matched in its Ukrainian forms too ("Kraków" → "Краків", "Кракова", "Кракові" …).

An official signs as the City, but only as their own unit: ``names_another_unit`` refuses an
official's sender name that names a unit they do not belong to.
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

# Ukrainian (with the Russian letters it lacks) to Latin, as the official Ukrainian
# transliteration writes it; "й" and "ї" as "i", "ь" and the apostrophe dropped.
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "h",
        "ґ": "g",
        "д": "d",
        "е": "e",
        "є": "ie",
        "ж": "zh",
        "з": "z",
        "и": "y",
        "і": "i",
        "ї": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ь": "",
        "ю": "iu",
        "я": "ia",
        "ё": "e",
        "ы": "y",
        "э": "e",
        "ъ": "",
        "ј": "j",
    }
)
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
        # Ukrainian (and Russian), transliterated or typed in Latin letters: "Міська рада",
        # "міської ради", "Мерія", "Управління міста", "Адміністрація міста", "Міський голова",
        # "Міськвиконком", "Мэрия", "Городской совет". "Miska Radości" (a bowl) is not a council.
        r"misk\w{0,4}rad(?!os)",
        r"misk\w{0,4}(holov|uprav|administr|vykon)",
        r"(^|[^a])mer[iy](ia|ja|ya|ii|ji|yi|iu|ju|yu|a|i|e)(?!d|n|k|t|c)",
        r"upravlin\w{0,4}(mist|misk|miast|miejsk|horod|gorod)",
        r"administra(ts|c|z)i[iyj]?[aeiuy]?(mist|misk|miast|miejsk|horod|gorod)",
        r"vykonavch\w{0,4}komitet",
        r"(h|g)orodsk\w{0,4}(sovet|rad|uprav|administr)",
    )
]


def skeleton(text: str, *, transliterate: bool = False) -> str:
    """What a reader sees: lower-case Latin letters only, nothing between them.

    Full-width and other compatibility forms fold to plain letters (NFKC), invisible characters
    go, letters of other alphabets and digits that look like Latin letters become them, and
    diacritics (ł included) are dropped. With ``transliterate``, Cyrillic letters are
    transliterated instead (what a Ukrainian reader reads) rather than taken as look-alikes.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = "".join(c for c in folded if unicodedata.category(c) not in ("Cf", "Mn"))
    if transliterate:
        folded = folded.translate(_CYRILLIC_TO_LATIN)
    folded = folded.translate(_LOOK_ALIKE).translate(_NOT_DECOMPOSED)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return _NOT_A_LETTER.sub("", plain)


def readings(text: str) -> set[str]:
    """The skeletons a reader may see in ``text``: Cyrillic as look-alikes and transliterated."""
    return {skeleton(text), skeleton(text, transliterate=True)}


def city_name_forms(city: str) -> set[str]:
    """The skeletons of a city's name as Polish and Ukrainian write and decline it.

    A Polish name in "-ów" is "-ів" in Ukrainian ("Kraków" → "Краків", "Кракова", "Кракові",
    "Кракову", "Краковом"; "Rzeszów" → "Ряшів" is not derivable and is not tried).
    """
    forms = {city, city + "a"}
    if city.endswith("ow") and len(city) > 3:
        stem = city[:-2]
        forms |= {stem + "iv", stem + "ov"} | {stem + "ov" + e for e in ("a", "i", "u", "om")}
    return {form for form in forms if form}


def impersonates_the_city(
    label: str,
    *,
    city_names: Iterable[str],
    unit_names: Iterable[str],
    unit_codes: Iterable[str] = (),
    district_names: Iterable[str] = (),
) -> bool:
    """Whether ``label`` reads as the City or one of its units (see the module's docstring)."""
    districts = sorted(
        {r for d in district_names for r in readings(d) if len(r) >= 4}, key=len, reverse=True
    )
    cities = {form for c in city_names for form in city_name_forms(skeleton(c))}
    units = [r for u in unit_names for r in readings(u) if len(r) >= 6]
    codes = {r for code in unit_codes for r in readings(code)}
    for name in readings(label):
        for district in districts:
            name = name.replace(district, "")
        if not name:
            continue
        if any(pattern.search(name) for pattern in _OFFICE_TITLES):
            return True
        for city in cities:
            # "Kraków", "Miasto Kraków", "Miasta Krakowa", "Gmina Kraków", "City of Kraków",
            # "Місто Краків".
            if name in (city, city + "city") or re.search(
                rf"(miast|mist|gmin)\w{{0,2}}{city}|cityof{city}", name
            ):
                return True
        if any(unit in name for unit in units) or name in codes:
            return True
    return False


def _spans(needle: str, haystack: str) -> list[tuple[int, int]]:
    found = []
    start = haystack.find(needle)
    while needle and start != -1:
        found.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return found


def names_another_unit(
    label: str,
    *,
    own_units: Iterable[tuple[str, str]],
    other_units: Iterable[tuple[str, str]],
) -> bool:
    """Whether an official's sender name names a city unit other than their own.

    Units are ``(name, code)`` pairs. A name naming another unit is refused unless that mention
    lies inside a mention of one of the official's own units ("Wydział Komunikacji Społecznej"
    names "Wydział Komunikacji" too). A unit's symbol counts when it is a word of the name on
    its own ("… — ZDMK").
    """
    own = list(own_units)
    words = {r for word in re.split(r"[\s\W_]+", label) if word for r in readings(word)}
    own_codes = {r for _name, code in own for r in readings(code)}
    for reading in readings(label):
        covered = [
            span
            for name, _code in own
            for own_reading in readings(name)
            if len(own_reading) >= 6
            for span in _spans(own_reading, reading)
        ]
        for name, code in other_units:
            for other in readings(name):
                if len(other) < 6:
                    continue
                for start, end in _spans(other, reading):
                    if not any(a <= start and end <= b for a, b in covered):
                        return True
            code_readings = readings(code) - own_codes
            if any(len(c) >= 3 for c in code_readings) and (
                code_readings & words or reading in code_readings
            ):
                return True
    return False


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


def sender_name_is_another_units(label: str, *, own_unit_ids: Iterable[int]) -> bool:
    """``names_another_unit`` against this installation's units, the official's own excluded."""
    from wspolnota.accounts.models import CityUnit

    mine = set(own_unit_ids)
    own, other = [], []
    for pk, name, code in CityUnit.objects.values_list("pk", "name", "code"):
        (own if pk in mine else other).append((name, code))
    return names_another_unit(label, own_units=own, other_units=other)
