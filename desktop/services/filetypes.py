"""What a file is, judged by its content, and whether its name agrees."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
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


# -- integrity: is the whole file there? -----------------------------------------------------------
#
# A damaged scan is still what the office received, so it is stored, but with a warning the clerk sees
# (the `warning` of AttachmentAdded). The warnings are message ids, translated where they are shown.

TRUNCATED_PDF = N_("The PDF seems to be cut short (no end-of-file marker); check that it opens completely.")
ENCRYPTED_PDF = N_("The PDF is password-protected; it may not open in the preview.")
TRUNCATED_JPEG = N_("The JPEG image seems to be cut short; part of the picture may be missing.")
DAMAGED_PNG = N_("The PNG image is damaged or cut short; part of the picture may be missing.")
DAMAGED_TIFF = N_("The TIFF image is damaged or cut short; some pages may be missing.")
DAMAGED_MSG = N_("The Outlook message file is damaged; its contents may not be readable.")

MAX_TIFF_PAGES = 10_000


@dataclass(frozen=True)
class Inspection:
    """What a file is and whether it looks whole: `warning` is "" or a message id to show the clerk."""

    media_type: str
    warning: str = ""
    pages: int | None = None  # for TIFF: the number of images (pages) found


def inspect_content(filename: str, data: bytes) -> Inspection:
    """The media type (refusing what `media_type_for` refuses) and a warning when the file looks damaged."""
    media_type = media_type_for(filename, data[:8192])
    check = _CHECKS.get(media_type)
    if check is None:
        return Inspection(media_type)
    warning, pages = check(data)
    if media_type == OUTLOOK and warning is NOT_A_MESSAGE:
        raise DomainError(
            N_("The file {name} is an Office document, not an Outlook message; it was not attached."),
            name=filename,
        )
    return Inspection(media_type, warning, pages)


OUTLOOK = "application/vnd.ms-outlook"
NOT_A_MESSAGE = "not-a-message"  # a sentinel: an OLE file (e.g. .doc, .xls) that is not an Outlook .msg
OFFICE_STREAMS = frozenset({"WordDocument", "Workbook", "Book", "PowerPoint Document", "VisioDocument"})


def _check_pdf(data: bytes) -> tuple[str, int | None]:
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        return TRUNCATED_PDF, None
    if b"/Encrypt" in data[-65536:]:  # the trailer names the encryption dictionary
        return ENCRYPTED_PDF, None
    return "", None


def _check_jpeg(data: bytes) -> tuple[str, int | None]:
    # Scanners and cameras sometimes pad after the end-of-image marker; only a missing marker is damage.
    tail = data[-4096:].rstrip(b"\x00")
    return ("" if tail.endswith(b"\xff\xd9") or b"\xff\xd9" in tail[-64:] else TRUNCATED_JPEG), None


def _check_png(data: bytes) -> tuple[str, int | None]:
    position = 8
    seen_header = False
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            return DAMAGED_PNG, None
        body = data[position + 4 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : end])
        if zlib.crc32(body) != crc:
            return DAMAGED_PNG, None
        if not seen_header and kind != b"IHDR":
            return DAMAGED_PNG, None
        seen_header = True
        if kind == b"IEND":
            return "", None
        position = end
    return DAMAGED_PNG, None


_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 16: 8}


def _check_tiff(data: bytes) -> tuple[str, int | None]:
    """Walk the chain of image directories; every page's strips (or tiles) must lie inside the file."""
    order = "<" if data[:2] == b"II" else ">"
    size = len(data)
    if size < 8:
        return DAMAGED_TIFF, None
    (offset,) = struct.unpack(order + "I", data[4:8])
    pages = 0
    seen: set[int] = set()
    while offset:
        if offset in seen or offset + 2 > size or pages >= MAX_TIFF_PAGES:
            return DAMAGED_TIFF, pages or None
        seen.add(offset)
        (count,) = struct.unpack(order + "H", data[offset : offset + 2])
        entries_end = offset + 2 + 12 * count
        if entries_end + 4 > size:
            return DAMAGED_TIFF, pages or None
        tags: dict[int, list[int]] = {}
        for i in range(count):
            entry = data[offset + 2 + 12 * i : offset + 14 + 12 * i]
            tag, kind, n = struct.unpack(order + "HHI", entry[:8])
            if tag in (273, 279, 324, 325):  # strip/tile offsets and byte counts
                values = _tiff_values(data, order, kind, n, entry[8:12])
                if values is None:
                    return DAMAGED_TIFF, pages or None
                tags[tag] = values
        for offsets_tag, counts_tag in ((273, 279), (324, 325)):
            starts, lengths = tags.get(offsets_tag, []), tags.get(counts_tag, [])
            if any(start + length > size for start, length in zip(starts, lengths, strict=False)):
                return DAMAGED_TIFF, pages + 1
        pages += 1
        (offset,) = struct.unpack(order + "I", data[entries_end : entries_end + 4])
    return ("" if pages else DAMAGED_TIFF), pages


def _tiff_values(data: bytes, order: str, kind: int, n: int, inline: bytes) -> list[int] | None:
    width = {3: 2, 4: 4, 16: 8}.get(kind)
    if width is None or n > 1_000_000:
        return None
    total = width * n
    if total <= 4:
        raw = inline[:total]
    else:
        (where,) = struct.unpack(order + "I", inline)
        if where + total > len(data):
            return None
        raw = data[where : where + total]
    code = {2: "H", 4: "I", 8: "Q"}[width]
    return list(struct.unpack(f"{order}{n}{code}", raw))


def _check_msg(data: bytes) -> tuple[str, int | None]:
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile comes with extract-msg
        return "", None
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = ole.listdir(streams=True, storages=False)
            names = {"/".join(entry) for entry in streams}
            if names & OFFICE_STREAMS:
                return NOT_A_MESSAGE, None  # Word, Excel, PowerPoint… use the same container
            for entry in streams:  # every stream must be readable to its stated size
                if len(ole.openstream(entry).read()) != ole.get_size(entry):
                    return DAMAGED_MSG, None
    except Exception:  # olefile raises many kinds of error on damaged input
        return DAMAGED_MSG, None
    if "__properties_version1.0" not in names:
        # A message's directory without its property stream: damaged, or some other compound document.
        damaged = not names or any(n.startswith("__substg1.0_") for n in names)
        return (DAMAGED_MSG if damaged else NOT_A_MESSAGE), None
    return "", None


_CHECKS = {
    "application/pdf": _check_pdf,
    "image/jpeg": _check_jpeg,
    "image/png": _check_png,
    "image/tiff": _check_tiff,
    OUTLOOK: _check_msg,
}
