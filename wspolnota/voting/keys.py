"""Keys of the roll and the seal of the envelopes: pure functions, no database.

* Roll keys are HMAC-SHA256 with ``PESEL_HASH_KEY`` over a per-edition salt and a normalised
  value, so the same person collides across channels within an edition and cannot be followed
  from one edition to the next (a new salt each time).
* Envelopes and paper entries are sealed with AES-GCM under a key derived from
  ``PESEL_HASH_KEY`` and the edition's envelope salt. The key is never stored; once the salt is
  erased (after the last envelope is in the box) no copy of the database can be opened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import unicodedata
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# Street-type words carry no identity: "ul. Rajska 1" and "Rajska 1" are one address.
ADDRESS_NOISE = frozenset(
    {"ul", "ulica", "al", "aleja", "aleje", "os", "osiedle", "pl", "plac", "m", "lok", "lokal"}
)


def _fold(text: str) -> str:
    """Lower case without diacritics (ł → l, ß → ss): the letters people type differently."""
    text = text.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def normalise_name(name: str) -> str:
    """The name as a set of words: case, diacritics, spaces, hyphens and word order do not
    matter. "Anna Kowalska-Nowak", "ANNA  kowalska nowak" and "Nowak-Kowalska Anna" agree."""
    return "".join(sorted(re.findall(r"[^\W_]+", _fold(name))))


def normalise_address(address: str) -> str:
    """Street, number and flat, whatever the punctuation and street-type words."""
    words = [w for w in re.findall(r"[^\W_]+", _fold(address)) if w not in ADDRESS_NOISE]
    return " ".join(words)


def keyed(salt: str, kind: str, value: str) -> str:
    return hmac.new(
        settings.PESEL_HASH_KEY.encode(), f"{kind}:{salt}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def _seal_key(salt: str) -> bytes:
    if not salt:
        raise SealGone
    return hmac.new(
        settings.PESEL_HASH_KEY.encode(), f"envelope:{salt}".encode(), hashlib.sha256
    ).digest()


class SealGone(Exception):
    """The edition's envelope salt was erased: sealed content can no longer be opened."""


def seal(salt: str, edition_id: int, content: dict[str, Any]) -> str:
    """Encrypt and authenticate ``content`` for one edition (random nonce: equal contents give
    unrelated texts)."""
    nonce = os.urandom(12)
    data = json.dumps(content, separators=(",", ":"), sort_keys=True).encode()
    sealed = AESGCM(_seal_key(salt)).encrypt(nonce, data, f"edition:{edition_id}".encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(salt: str, edition_id: int, text: str) -> dict[str, Any]:
    raw = base64.b64decode(text)
    try:
        data = AESGCM(_seal_key(salt)).decrypt(raw[:12], raw[12:], f"edition:{edition_id}".encode())
    except InvalidTag:
        raise SealGone from None
    content: dict[str, Any] = json.loads(data)
    return content


def fingerprint(salt: str, content: dict[str, Any]) -> str:
    """Whether two keyings of a card agree, without a hash anyone could reverse by trying the
    few hundred possible ballots: keyed with the (unstored) seal key."""
    data = json.dumps(content, separators=(",", ":"), sort_keys=True).encode()
    return hmac.new(_seal_key(salt), b"fingerprint:" + data, hashlib.sha256).hexdigest()


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def normalise_receipt(text: str) -> str:
    """``k7qx m2hd 9tpa`` → ``K7QX-M2HD-9TPA``; empty if it is not 12 characters of the code's
    alphabet."""
    raw = "".join(c for c in text.upper() if c.isalnum())
    if len(raw) != 12 or any(c not in RECEIPT_ALPHABET for c in raw):
        return ""
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
