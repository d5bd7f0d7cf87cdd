"""Text recognition of scanned request forms (Tesseract), and the form's fields read from the text.

Tesseract is an optional program: `make` installs it on Debian (tesseract-ocr with the Finnish and Swedish
data), the desk installers note it. Without it `status()` says why, and nothing else changes: the clerk
types the form as before. `KIRJAAMO_TESSERACT` names the program when it is not on PATH.

Recognition runs in a child process (`tesseract - - -l fin+swe+eng`); PDF scans are rasterised at 300 dpi
with poppler's `pdftoppm`. English data is in the language list for the few symbols (such as @) the
Finnish and Swedish models read poorly.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.errors import N_, DomainError
from desktop.domain.form_text import FormReading, read_form

LANGUAGES = ("fin", "swe")
OPTIONAL_LANGUAGES = ("eng",)
MAX_PAGES = 4  # a request form is a page or two; a long scan is read only as far as the form goes
DPI = 300
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class OcrStatus:
    available: bool
    reason: str = ""  # a message id (translated by the caller) when not available
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanReading:
    reading: FormReading
    text: str
    pages: int


def _program() -> str | None:
    named = os.environ.get("KIRJAAMO_TESSERACT")
    if named is not None:
        return named if named and Path(named).is_file() else None
    return shutil.which("tesseract")


def status() -> OcrStatus:
    """Whether recognition can run here, and if not, why."""
    program = _program()
    if program is None:
        return OcrStatus(False, N_("Text recognition is not available: Tesseract is not installed."))
    try:
        result = subprocess.run(
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return OcrStatus(False, N_("Text recognition is not available: Tesseract does not start."))
    listed = {line.strip() for line in (result.stdout + result.stderr).splitlines()}
    if not set(LANGUAGES) <= listed:
        return OcrStatus(
            False, N_("Text recognition is not available: the Finnish and Swedish language data are missing.")
        )
    return OcrStatus(True, "", tuple(lang for lang in (*LANGUAGES, *OPTIONAL_LANGUAGES) if lang in listed))


def page_images(data: bytes, filename: str = "") -> list[bytes]:
    """The scan's pages as PNG images (a PDF rasterised at 300 dpi; TIFF pages one by one)."""
    if data.startswith(b"%PDF"):
        return _pdf_pages(data)
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        pages = []
        for frame in ImageSequence.Iterator(image):
            buffer = io.BytesIO()
            frame.convert("L").save(buffer, "PNG")
            pages.append(buffer.getvalue())
            if len(pages) >= MAX_PAGES:
                break
        return pages
    except (UnidentifiedImageError, OSError):
        raise DomainError(
            N_("{name} is not a scan that text recognition can read."), name=filename or "?"
        ) from None


def _pdf_pages(data: bytes) -> list[bytes]:
    program = shutil.which("pdftoppm")
    if program is None:
        raise DomainError(
            N_("Text recognition of PDF scans needs poppler's pdftoppm, which is not installed.")
        )
    with tempfile.TemporaryDirectory(prefix="kirjaamo-ocr-") as folder:
        source = Path(folder) / "scan.pdf"
        source.write_bytes(data)
        result = subprocess.run(
            [
                program,
                "-r",
                str(DPI),
                "-gray",
                "-png",
                "-l",
                str(MAX_PAGES),
                str(source),
                str(Path(folder) / "page"),
            ],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        pages = sorted(Path(folder).glob("page*.png"))
        if result.returncode != 0 or not pages:
            raise DomainError(N_("{name} is not a scan that text recognition can read."), name="PDF")
        return [page.read_bytes() for page in pages]


def deskew(image: bytes) -> bytes:
    """The page turned straight: a scan a few degrees askew splits "Label: value" lines apart.

    The angle (±4°, half-degree steps) is the one whose row profile is sharpest: when text lines and
    rules lie level, the darkness changes most from one pixel row to the next.
    """
    from PIL import Image

    with Image.open(io.BytesIO(image)) as opened:
        page = opened.convert("L")
    small = page.copy()
    small.thumbnail((800, 800))
    inverted = small.point(lambda v: 255 - v)

    def sharpness(angle: float) -> float:
        turned = inverted.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=0)
        column = turned.resize((1, turned.height), Image.Resampling.BOX)
        rows = [float(column.getpixel((0, y)) or 0) for y in range(column.height)]  # type: ignore[arg-type]
        return float(sum((b - a) ** 2 for a, b in zip(rows, rows[1:], strict=False)))

    best = max((step / 2 for step in range(-8, 9)), key=lambda angle: (sharpness(angle), -abs(angle)))
    if best == 0:
        return image
    straight = page.rotate(best, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    buffer = io.BytesIO()
    straight.save(buffer, "PNG")
    return buffer.getvalue()


def recognise(image: bytes, languages: tuple[str, ...] | None = None) -> str:
    """The text Tesseract reads on one page image."""
    program = _program()
    if program is None:
        raise DomainError(N_("Text recognition is not available: Tesseract is not installed."))
    langs = "+".join(languages or status().languages or LANGUAGES)
    try:
        result = subprocess.run(
            [program, "-", "-", "-l", langs, "--psm", "4"],
            input=image,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DomainError(N_("Text recognition took too long and was stopped.")) from None
    if result.returncode != 0:
        raise DomainError(
            N_("Text recognition failed: {reason}"), reason=result.stderr.decode(errors="replace")[-200:]
        )
    return result.stdout.decode("utf-8", errors="replace")


def read_scan(
    data: bytes, filename: str = "", progress: Callable[[int, int], None] | None = None
) -> ScanReading:
    """Recognise a scan page by page (`progress(done, total)` after each) and find the form's fields."""
    state = status()
    if not state.available:
        raise DomainError(state.reason)
    pages = page_images(data, filename)
    texts = []
    for number, page in enumerate(pages, start=1):
        texts.append(recognise(deskew(page), state.languages))
        if progress is not None:
            progress(number, len(pages))
    text = "\n".join(texts)
    return ScanReading(read_form(text), text, len(pages))


__all__ = ["OcrStatus", "ScanReading", "page_images", "read_scan", "recognise", "status"]
