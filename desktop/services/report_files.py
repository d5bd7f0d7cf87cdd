"""Writing report files: cells in the UI language, CSV, XLSX (openpyxl), and the atomic write they all use."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import IO

from desktop.domain.errors import N_, DomainError
from desktop.i18n import BABEL_LOCALES, current_language

SUPPRESSED = "< 5"  # a group too small to show in an export
NOT_SHOWN = "–"  # a share or statistic resting on such a group, or on nothing


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


class Percent(float):
    """A share from 0 to 1 (exports write it as a percentage)."""


class Days(float):
    """A number of days, written with one decimal."""


Cell = int | float | str | date | None


@dataclass(frozen=True)
class ReportTable:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


def _number_text(value: float, decimals: int = 1) -> str:
    from babel.numbers import format_decimal

    return format_decimal(
        round(value, decimals), format="0." + "0" * decimals, locale=BABEL_LOCALES[current_language()]
    )


def cell_text(value: Cell) -> str:
    """A cell as text in the UI language (CSV and the PDF)."""
    if value is None:
        return ""
    if isinstance(value, Percent):
        return _number_text(value * 100) + " %"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


CSV_DELIMITER = ";"  # what spreadsheets in Finnish and Swedish locales split on; decimals keep their comma


def csv_writer(handle: IO[bytes]):
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    return text, csv.writer(text, delimiter=CSV_DELIMITER)


def write_csv(handle: IO[bytes], heading: list[str], tables: list[ReportTable], note: str) -> None:
    text, writer = csv_writer(handle)
    for line in heading:
        writer.writerow([line])
    writer.writerow([note])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([cell_text(c) for c in row])
        if table.note:
            writer.writerow([table.note])
    text.flush()
    text.detach()


def sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip() or "Sheet"
    candidate, n = clean, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def xlsx_cell(sheet, value: Cell, bold: bool = False):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Percent):
        cell.value = float(value)
        cell.number_format = "0.0%"
    elif isinstance(value, float):
        cell.number_format = "0.0"
    elif isinstance(value, date):
        cell.number_format = "d.m.yyyy"
    elif value in (SUPPRESSED, NOT_SHOWN):
        cell.alignment = Alignment(horizontal="right")
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(handle: IO[bytes], heading: list[str], tables: list[ReportTable], note: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for index, table in enumerate(tables):
        sheet = book.create_sheet(sheet_title(table.title, used))
        sheet.column_dimensions["A"].width = 44
        for column in "BCDEFGHI":
            sheet.column_dimensions[column].width = 16
        if index == 0:
            sheet.append([xlsx_cell(sheet, heading[0], bold=True)])
            for line in (*heading[1:], note):
                sheet.append([line])
            sheet.append([])
        sheet.append([xlsx_cell(sheet, h, bold=True) for h in table.headers])
        for row in table.rows:
            sheet.append([xlsx_cell(sheet, c) for c in row])
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    book.save(handle)


def check_folder(path: Path) -> Path:
    """The folder the file goes in, which must exist (checked before any work is done)."""
    folder = Path(path).parent
    if not folder.is_dir():
        raise DomainError(N_("The folder {folder} does not exist."), folder=str(folder))
    return folder


def atomic_write(
    path: Path, write: Callable[[IO[bytes]], None], before_commit: Callable[[], None] | None = None
) -> None:
    """Write `path` through a temp file in the same folder, fsync and rename: never half a file."""
    path = Path(path)
    folder = check_folder(path)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise DomainError(
            N_("Cannot write {file}: {reason}"), file=str(path), reason=error.strerror or str(error)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if before_commit is not None:
            before_commit()
        os.replace(temp, path)
    except OSError as error:
        raise DomainError(
            N_("Cannot write {file}: {reason}"), file=str(path), reason=error.strerror or str(error)
        ) from None
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def parse_format(value: str) -> ExportFormat:
    try:
        return ExportFormat(str(value).strip().lower())
    except ValueError:
        raise DomainError(
            N_("Unknown format “{value}”; allowed: {allowed}"),
            value=value,
            allowed=", ".join(f.value for f in ExportFormat),
        ) from None


def write_rows_csv(handle: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """One table (a header row, then the rows, streamed); returns the number of rows."""
    text, writer = csv_writer(handle)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([cell_text(c) for c in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_rows_xlsx(
    handle: IO[bytes],
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths: Sequence[int] = (),
) -> int:
    """One sheet, written as it streams (a million rows fit in memory); returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title, set()))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([xlsx_cell(sheet, h, bold=True) for h in headers])
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(sheet, c) for c in row])
        count += 1
    book.save(handle)
    return count
