"""What a signed volunteering agreement file must look like before the platform keeps it.

Poland's signing tools (a qualified signature's software, the trusted profile at gov.pl) give
back either the PDF with the signature embedded (PAdES: a signature dictionary whose
``/ByteRange`` covers the whole file except the ``/Contents`` hex string that holds the CMS
signature) or a separate XML signature (XAdES: an ``ds:Signature`` element of the xmldsig
namespace with its ``SignedInfo`` and ``SignatureValue``). The platform checks that shape,
keeps the file and its SHA-256; validating the certificate chain against the trusted lists is
the organiser's signature software's job.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from wspolnota.community import errors
from wspolnota.community.errors import CommunityError

MAX_MB = 20
MAX_BYTES = MAX_MB * 1024 * 1024
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_HEX_STRING = re.compile(rb"<[0-9A-Fa-f\s]+>")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    sha256: str


def _name(upload: Any) -> str:
    return (getattr(upload, "name", "") or "plik").replace("\\", "/").rsplit("/", 1)[-1][:200]


def _read(upload: Any) -> bytes:
    upload.seek(0)
    content: bytes = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    return content


def is_pades(content: bytes) -> bool:
    """A PDF with at least one signature dictionary: its ``/ByteRange [0 a b c]`` starts at the
    file's first byte, leaves out exactly one hex string (the ``/Contents``, the signature) and
    ends within the file."""
    if not content.startswith(b"%PDF-"):
        return False
    for match in _BYTE_RANGE.finditer(content):
        first, length, second, rest = (int(g) for g in match.groups())
        if first != 0 or not 0 < length < second or second + rest > len(content):
            continue
        gap = content[length:second]
        if _HEX_STRING.fullmatch(gap) and b"/Contents" in content[max(0, length - 200) : length]:
            return True
    return False


def is_xades(content: bytes) -> bool:
    """An XML document with an xmldsig ``Signature`` holding ``SignedInfo`` and a non-empty
    ``SignatureValue``. Documents declaring a DTD or entities are refused unread."""
    head = content.lstrip()
    if not head.startswith(b"<") or b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        return False
    try:
        # No DTD and no entity declaration got this far: nothing left for expat to expand.
        root = ElementTree.fromstring(content)  # noqa: S314
    except ElementTree.ParseError:
        return False
    candidates = [root] if root.tag == f"{{{XMLDSIG}}}Signature" else []
    candidates += list(root.iter(f"{{{XMLDSIG}}}Signature"))
    for signature in candidates:
        value = signature.find(f"{{{XMLDSIG}}}SignatureValue")
        if (
            signature.find(f"{{{XMLDSIG}}}SignedInfo") is not None
            and value is not None
            and (value.text or "").strip()
        ):
            return True
    return False


def check_signature_file(upload: Any) -> CheckedFile:
    """The agreement signed with a qualified or trusted-profile signature: PAdES or XAdES."""
    content = _read(upload)
    name = _name(upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    signed = False
    if len(content) <= MAX_BYTES:
        if extension == "pdf":
            signed = is_pades(content)
        elif extension in ("xml", "xades"):
            signed = is_xades(content)
    if not signed:
        raise CommunityError(
            errors.AGREEMENT_SIGNATURE_FILE,
            field="signature_file",
            code="signature_file",
            params={"size": MAX_MB},
        )
    return CheckedFile(name=name, sha256=hashlib.sha256(content).hexdigest())


def check_scan(upload: Any) -> CheckedFile:
    """A scan of the paper agreement: a PDF, JPEG or PNG, read by its first bytes."""
    content = _read(upload)
    name = _name(upload)
    kinds = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
    if len(content) > MAX_BYTES or not content.startswith(kinds):
        raise CommunityError(
            errors.AGREEMENT_SCAN_FILE,
            field="paper_scan",
            code="scan_file",
            params={"size": MAX_MB},
        )
    return CheckedFile(name=name, sha256=hashlib.sha256(content).hexdigest())
