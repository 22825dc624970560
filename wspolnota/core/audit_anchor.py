"""Signed checkpoints of the audit chain, kept outside the database (docs/audit.md).

A checkpoint says "entry #id, with this hash, was the N-th entry of the chain at this time",
signed with an Ed25519 key that lives in a file, never in the database. Checkpoints are
appended, one JSON object a line, to ``AUDIT_CHECKPOINT_DIR/checkpoints.jsonl`` and mailed to
the auditors. Anyone holding the public key (``AUDIT_CHECKPOINT_PUBLIC_KEY``) can check them;
only the holder of the private key can make one, so an administrator who rewrites the log
cannot make the checkpoints agree with the rewritten chain.

Each checkpoint carries its number and the digest of the previous line, so a line removed from
the middle of the file shows too. This module knows keys, the line format and files; the
selectors compare checkpoints with the chain and the services write them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT_VERSION = 1
FILE_NAME = "checkpoints.jsonl"
# The audit-log actions that record a checkpoint written and a break found.
CHECKPOINT_ACTION = "core.audit_checkpoint"
CHAIN_BROKEN_ACTION = "core.audit_chain_broken"
_SIGNED_FIELDS = ("v", "seq", "site", "entry_id", "entry_hash", "count", "created_at", "prev")


class AnchorKeyError(Exception):
    """The signing or verifying key is missing or unusable; the message names the setting."""


# --- Keys ---------------------------------------------------------------------------------------


def generate_private_key_pem() -> tuple[bytes, str]:
    """A new key: its PEM (PKCS#8, for the key file) and its public half (base64)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, public_key_text(key.public_key())


def load_private_key(
    path: Path | str | None, *, setting: str = "AUDIT_CHECKPOINT_KEY_FILE"
) -> Ed25519PrivateKey:
    if not path:
        raise AnchorKeyError(
            f"{setting} is not set: checkpoints are signed with a key kept in a file outside the "
            "database (create one with 'manage.py audit_keygen PATH')"
        )
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnchorKeyError(f"{setting}={path} cannot be read: {exc.strerror}") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise AnchorKeyError(
            f"{setting}={path} is not an unencrypted PEM private key (make one with "
            "'manage.py audit_keygen PATH')"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorKeyError(f"{setting}={path} must hold an Ed25519 key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_public_key(
    text: str | None, *, setting: str = "AUDIT_CHECKPOINT_PUBLIC_KEY"
) -> Ed25519PublicKey:
    if not text:
        raise AnchorKeyError(
            f"{setting} is not set: checkpoints are checked with the public key printed by "
            "'manage.py audit_keygen'"
        )
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise AnchorKeyError(
            f"{setting} must be the base64 text of a 32-byte Ed25519 public key"
        ) from None


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --- Checkpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    site: str
    entry_id: int
    entry_hash: str
    count: int
    created_at: str
    prev: str
    key_id: str
    signature: str
    line: str = ""

    def signed_part(self) -> dict[str, Any]:
        return {
            "v": FORMAT_VERSION,
            "seq": self.seq,
            "site": self.site,
            "entry_id": self.entry_id,
            "entry_hash": self.entry_hash,
            "count": self.count,
            "created_at": self.created_at,
            "prev": self.prev,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.signed_part(), "key_id": self.key_id, "sig": self.signature}


def _message(signed: dict[str, Any]) -> bytes:
    return json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def line_digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def sign(
    key: Ed25519PrivateKey,
    *,
    seq: int,
    site: str,
    entry_id: int,
    entry_hash: str,
    count: int,
    created_at: str,
    prev: str,
) -> Checkpoint:
    unsigned = Checkpoint(seq, site, entry_id, entry_hash, count, created_at, prev, "", "")
    signature = base64.b64encode(key.sign(_message(unsigned.signed_part()))).decode("ascii")
    done = Checkpoint(
        seq,
        site,
        entry_id,
        entry_hash,
        count,
        created_at,
        prev,
        key_id(key.public_key()),
        signature,
    )
    line = json.dumps(done.as_dict(), sort_keys=True, ensure_ascii=False)
    return Checkpoint(**{**done.__dict__, "line": line})


class BadCheckpoint(Exception):
    """A line that is not a checkpoint (``format``), signed by another key (``key``) or whose
    signature does not hold (``signature``)."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(detail)


def parse_and_check(line: str, public_key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint on one line, only if the public key's holder signed exactly this."""
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            seq=int(data["seq"]),
            site=str(data["site"]),
            entry_id=int(data["entry_id"]),
            entry_hash=str(data["entry_hash"]),
            count=int(data["count"]),
            created_at=str(data["created_at"]),
            prev=str(data["prev"]),
            key_id=str(data["key_id"]),
            signature=str(data["sig"]),
            line=line,
        )
        if data.get("v") != FORMAT_VERSION or set(data) != {*_SIGNED_FIELDS, "key_id", "sig"}:
            raise BadCheckpoint("format", "not a checkpoint of this format")
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error, AttributeError):
        raise BadCheckpoint("format", "not a checkpoint") from None
    if checkpoint.key_id != key_id(public_key):
        raise BadCheckpoint("key", f"key id {checkpoint.key_id}")
    try:
        public_key.verify(signature, _message(checkpoint.signed_part()))
    except InvalidSignature:
        raise BadCheckpoint("signature", "the signature does not match") from None
    return checkpoint


def read_lines(path: Path) -> list[str] | None:
    """The file's non-empty lines, or None when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return [line for line in text.splitlines() if line.strip()]


def append_line(path: Path, line: str) -> None:
    """Append one line and make it durable before anyone is told about it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
