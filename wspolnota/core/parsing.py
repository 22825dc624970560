"""One way to read numbers, ids, pages and choices from a request: never a 500.

Views and API endpoints never call ``int()`` on request data. ``"²".isdigit()`` is true and
``int("²")`` fails; ``int("9223372036854775808")`` works and then overflows the database; a
page size nobody bounded returns the whole catalogue. The helpers here accept ASCII digits
only, check bounds that fit every database column they are compared with, and raise
:class:`InputError` — a :class:`DomainError` with a translated message that the middleware turns
into a 400 page and the API into a 400 JSON answer.

For django-ninja, :class:`BoundedPagination` bounds ``limit`` and ``offset`` (an answer of 422 with
translated messages, see :func:`validation_messages`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError

# Ids are compared with bigint columns; other numbers with integer ones (PostgreSQL's 4 bytes).
MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1
MAX_PAGE = 100_000
API_PAGE_SIZE = 100
API_MAX_PAGE_SIZE = 500
API_MAX_OFFSET = 10_000_000

_INTEGER = re.compile(r"-?[0-9]{1,19}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:[.,][0-9]{1,6})?")

T = TypeVar("T")
_REQUIRED: Any = object()


class InputError(DomainError):
    """A value in the request cannot be read (shown as 400 with the message)."""

    default_code = "invalid_input"


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def _error(message: Any, field: str | None, **params: Any) -> InputError:
    return InputError(message, field=field, params=params)


def parse_int(
    raw: object,
    *,
    default: Any = _REQUIRED,
    min_value: int | None = None,
    max_value: int = MAX_INT,
    field: str | None = None,
) -> Any:
    """An integer written in ASCII digits within ``[min_value, max_value]``.

    Empty or missing gives ``default`` (an error when there is none).
    """
    text = _text(raw)
    if not text:
        if default is _REQUIRED:
            raise _error(_("Podaj liczbę."), field)
        return default
    if not _INTEGER.fullmatch(text):
        raise _error(_("Podaj liczbę całkowitą zapisaną cyframi 0–9."), field)
    value = int(text)
    low = -MAX_INT - 1 if min_value is None else min_value
    if not low <= value <= max_value:
        raise _error(_("Podaj liczbę od %(min)s do %(max)s."), field, min=low, max=max_value)
    return value


def parse_id(raw: object, *, default: Any = _REQUIRED, field: str | None = None) -> Any:
    """A database id: a positive integer that fits a bigint column."""
    return parse_int(raw, default=default, min_value=1, max_value=MAX_ID, field=field)


def parse_ids(raws: Iterable[object], *, field: str | None = None) -> list[int]:
    """Several ids (``request.POST.getlist(...)``); empty entries are skipped."""
    return [parse_id(raw, field=field) for raw in raws if _text(raw)]


def parse_page(raw: object, *, field: str = "page") -> int:
    """A page number, from 1; missing means the first page."""
    return int(parse_int(raw, default=1, min_value=1, max_value=MAX_PAGE, field=field))


def parse_per_page(
    raw: object, *, allowed: Collection[int], default: int, field: str = "per_page"
) -> int:
    """A page size, one of the sizes the page offers; missing gives ``default``."""
    if not _text(raw):
        return default
    value = parse_int(raw, min_value=1, max_value=max(allowed), field=field)
    if value not in allowed:
        raise _error(
            _("Wybierz jedną z dozwolonych wartości: %(allowed)s."),
            field,
            allowed=", ".join(str(size) for size in sorted(allowed)),
        )
    return int(value)


def parse_decimal(
    raw: object,
    *,
    default: Any = _REQUIRED,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    field: str | None = None,
) -> Any:
    """A decimal number (a dot or a comma), at most 15 digits before the point and 6 after."""
    text = _text(raw)
    if not text:
        if default is _REQUIRED:
            raise _error(_("Podaj liczbę."), field)
        return default
    if not _DECIMAL.fullmatch(text):
        raise _error(_("Podaj liczbę zapisaną cyframi 0–9, np. 1250,50."), field)
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid numbers
        raise _error(_("Podaj liczbę."), field) from exc
    if (min_value is not None and value < min_value) or (
        max_value is not None and value > max_value
    ):
        raise _error(
            _("Podaj liczbę od %(min)s do %(max)s."),
            field,
            min=min_value if min_value is not None else "",
            max=max_value if max_value is not None else "",
        )
    return value


def parse_choice(
    raw: object,
    choices: Collection[T] | Mapping[T, Any],
    *,
    default: Any = _REQUIRED,
    field: str | None = None,
) -> Any:
    """One of ``choices`` (compared as text); empty gives ``default``."""
    text = _text(raw)
    if not text:
        if default is _REQUIRED:
            raise _error(_("Wybierz jedną z dozwolonych wartości."), field)
        return default
    for choice in choices:
        if str(choice) == text:
            return choice
    raise _error(_("Wybierz jedną z dozwolonych wartości."), field)


def is_number(raw: object, *, max_value: int = MAX_INT) -> bool:
    """Whether ``raw`` is a non-negative integer in ASCII digits that ``parse_int`` would read."""
    text = _text(raw)
    return bool(_INTEGER.fullmatch(text)) and 0 <= int(text) <= max_value


def total_forms(data: Mapping[str, Any], prefix: str, *, max_num: int = 1000) -> int | None:
    """A formset's ``<prefix>-TOTAL_FORMS`` when it is a number up to ``max_num``, else ``None``.

    For views that add a row themselves ("add a row" without JavaScript): on ``None`` leave the
    data as it is and let the formset report its management form as a form error.
    """
    raw = data.get(f"{prefix}-TOTAL_FORMS")
    return int(_text(raw)) if is_number(raw, max_value=max_num) else None


# --- django-ninja ---------------------------------------------------------------------------

try:  # the API is optional for the parsers above
    from ninja import Field, Schema
    from ninja.pagination import LimitOffsetPagination
except ImportError:  # pragma: no cover
    pass
else:

    class BoundedPagination(LimitOffsetPagination):
        """``limit`` and ``offset`` with bounds: ``?limit=100000000`` is a 422, not the catalogue."""

        class Input(Schema):
            limit: int = Field(API_PAGE_SIZE, ge=1, le=API_MAX_PAGE_SIZE)
            offset: int = Field(0, ge=0, le=API_MAX_OFFSET)

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(max_limit=API_MAX_PAGE_SIZE, **kwargs)


_MESSAGES = {
    "int_parsing": _("Podaj liczbę całkowitą zapisaną cyframi 0–9."),
    "int_from_float": _("Podaj liczbę całkowitą zapisaną cyframi 0–9."),
    "int_parsing_size": _("Liczba jest za duża."),
    "float_parsing": _("Podaj liczbę."),
    "decimal_parsing": _("Podaj liczbę."),
    "finite_number": _("Podaj liczbę."),
    "less_than_equal": _("Podaj liczbę nie większą niż %(le)s."),
    "less_than": _("Podaj liczbę mniejszą niż %(lt)s."),
    "greater_than_equal": _("Podaj liczbę nie mniejszą niż %(ge)s."),
    "greater_than": _("Podaj liczbę większą niż %(gt)s."),
    "string_too_long": _("Tekst jest za długi (najwyżej %(max_length)s znaków)."),
    "bool_parsing": _("Podaj true albo false."),
    "date_parsing": _("Podaj datę w formacie RRRR-MM-DD."),
    "date_from_datetime_parsing": _("Podaj datę w formacie RRRR-MM-DD."),
    "datetime_parsing": _("Podaj datę i godzinę w formacie ISO 8601."),
    "missing": _("To pole jest wymagane."),
}


def validation_messages(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's validation errors as ``{"field", "message"}`` in the request's language."""
    result = []
    for error in errors:
        template = _MESSAGES.get(str(error.get("type", "")))
        if template is None:
            message = gettext("Niepoprawna wartość.")
        else:
            context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
            try:
                message = str(template) % context if "%(" in str(template) else str(template)
            except (KeyError, ValueError):
                message = gettext("Niepoprawna wartość.")
        location = [str(p) for p in error.get("loc", [])[1:]]
        result.append({"field": ".".join(location) or None, "message": message})
    return result
