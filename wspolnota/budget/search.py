"""Search text without diacritics, the same on SQLite and PostgreSQL.

Services store ``normalise(title + descriptions + number + address)`` in ``Project.search_text``;
selectors normalise the query the same way and match every word, so „żółw”, „zolw” and „ŻÓŁW”
find each other on any database, with no extension or collation needed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_DECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss"}
)
_WORD = re.compile(r"\w+")
MAX_TERMS = 8


def normalise(text: str) -> str:
    """Lower case, no diacritics (ł → l too), words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NOT_DECOMPOSED))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain.casefold()))


def search_terms(query: str) -> list[str]:
    """The words of a query, normalised, at most ``MAX_TERMS`` of them."""
    return list(_cached_terms(query))


@lru_cache(maxsize=2048)
def _cached_terms(query: str) -> tuple[str, ...]:
    # The same few searches come back again and again (the catalogue's links keep them); the
    # query is short (the filter form allows 200 characters), so the cache stays small.
    return tuple(normalise(query).split()[:MAX_TERMS])
