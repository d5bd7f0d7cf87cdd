"""What a file is, judged by its content, and whether its name agrees."""

from __future__ import annotations

from pathlib import PurePath

from desktop.domain.errors import N_, DomainError

_BY_EXTENSION = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".txt": "text/plain",
}


def sniff(head: bytes) -> str | None:
    """The media type from the first bytes, or None when unknown."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/vnd.ms-outlook"
    text = head[:4096]
    try:
        decoded = text.decode("utf-8", errors="strict") if text.isascii() else text.decode("latin-1")
    except UnicodeDecodeError:
        return None
    first_lines = decoded.lstrip().splitlines()[:40]
    header_names = {
        line.split(":", 1)[0].strip().lower()
        for line in first_lines
        if ":" in line and not line.startswith((" ", "\t"))
    }
    if {"from", "date"} <= header_names or {"from", "subject"} <= header_names or "received" in header_names:
        return "message/rfc822"
    return None


def media_type_for(filename: str, head: bytes) -> str:
    """The content's media type; refuse a file whose content contradicts its name or is not a kind we keep."""
    if not head:
        raise DomainError(N_("The file {name} is empty."), name=filename)
    found = sniff(head)
    expected = _BY_EXTENSION.get(PurePath(filename).suffix.lower())
    if found is None:
        if expected == "text/plain":
            return "text/plain"
        raise DomainError(
            N_("The file {name} is not a PDF, JPEG, PNG, TIFF or e-mail message; it was not attached."),
            name=filename,
        )
    if expected is not None and expected != found:
        raise DomainError(
            N_("The file {name} is named as {expected} but its content is {found}; it was not attached."),
            name=filename,
            expected=expected,
            found=found,
        )
    return found


def safe_filename(name: str) -> str:
    """The last path component only, without control characters: names from outside never become paths."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in '/\\:*?"<>|').strip(" .")
    return cleaned[:200] or "attachment"
