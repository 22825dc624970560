"""SMS length in segments (GSM 03.38 7-bit or UCS-2) and the cost estimate before sending.

A text made only of GSM-7 characters fits 160 septets in one SMS or 153 per part when split
(the rest carries the concatenation header); characters of the extension table (``€ [ ] { } ~ ^
\\ |`` and form feed) take two septets. Any other character, including Polish diacritics and
Cyrillic, makes the whole message UCS-2: 70 UTF-16 code units alone or 67 per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count_segments(text: str) -> SegmentCount:
    """How many SMS parts the text needs, and in which encoding."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi = 160, 153
        encoding = "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
        encoding = "UCS-2"
    if units == 0:
        return SegmentCount(encoding, 0, 0)
    if units <= single:
        return SegmentCount(encoding, units, 1)
    return SegmentCount(encoding, units, -(-units // multi))


def estimate_cost(*, segments: int, price_per_segment: Decimal) -> Decimal:
    return (price_per_segment * segments).quantize(Decimal("0.01"))
