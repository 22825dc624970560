"""Checks of uploaded documents, shared by the registry and the grants app.

A file is accepted when its extension is on the list, its first bytes match that extension
(so a renamed executable is refused) and it is not larger than the limit. The SHA-256 of the
content is kept so that anyone can later prove which file was filed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile

from wspolnota.organisations import errors
from wspolnota.organisations.errors import OrganisationsError

MAX_UPLOAD_MB = 10

_ZIP = b"PK\x03\x04"
# extension → (content type, accepted leading bytes)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "odt": ("application/vnd.oasis.opendocument.text", (_ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (_ZIP,)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (_ZIP,),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload: UploadedFile[bytes], *, field: str = "file") -> CheckedFile:
    """Validate an uploaded document; raise a translated error naming ``field`` if it is bad."""
    name = PurePath(upload.name or "plik").name[-150:]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise OrganisationsError(errors.FILE_TYPE, field=field, code="file_type")
    size = upload.size or 0
    if size == 0:
        raise OrganisationsError(errors.FILE_EMPTY, field=field, code="file_empty")
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        raise OrganisationsError(
            errors.FILE_TOO_LARGE,
            field=field,
            code="file_too_large",
            params={"limit": MAX_UPLOAD_MB},
        )
    content_type, signatures = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    if not any(head.startswith(signature) for signature in signatures):
        raise OrganisationsError(
            errors.FILE_CONTENT, field=field, code="file_content", params={"ext": extension.upper()}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name=name, content_type=content_type, size=size, sha256=digest.hexdigest())
