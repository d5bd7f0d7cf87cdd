"""Exports as a spreadsheet or a reader sees them: CSV, XLSX and PDF; small groups hidden; no personal data."""

from __future__ import annotations

import csv
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtPdf import QPdfDocument
from report_data import PEOPLE, PERIOD, TODAY

from desktop.domain.errors import DomainError
from desktop.i18n import set_language
from desktop.services import accounts, reports
from desktop.services.accounts import PermissionDenied
from desktop.services.reports import ReportService, default_period
from desktop.store.database import DATABASE_FILE


def logged_exports(data_dir) -> list[dict]:
    """The case-level exports written to the access log (issue 6), oldest first."""
    connection = sqlite3.connect(Path(data_dir) / DATABASE_FILE)
    try:
        rows = connection.execute(
            "SELECT username, action, detail FROM access_log WHERE action = 'export_cases' ORDER BY seq"
        ).fetchall()
    finally:
        connection.close()
    return [{"user": user, "action": action, "subject": detail} for user, action, detail in rows]


def service_of(workspace, clock, username: str) -> ReportService:
    with workspace.engine.connect() as connection:
        user = accounts.find_user(connection, username)
    return ReportService(workspace, user, clock)


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def section(rows: list[list[str]], title: str) -> list[list[str]]:
    """The header and data rows of one titled section of the CSV (up to the next blank line)."""
    start = rows.index([title]) + 1
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start:end]


def test_csv_has_the_figures_with_small_groups_suppressed(workspace, clock, fixed_cases, tmp_path):
    out = tmp_path / "report.csv"
    service_of(workspace, clock, "clerk").export(PERIOD, "csv", out)
    rows = read_csv(out)
    assert rows[0] == ["Data-subject requests: deadlines report"]
    assert ["Requests received 1.6.2026–23.11.2026"] in rows
    assert ["Register: All registers"] in rows
    summary = {row[0]: row[1:] for row in section(rows, "Summary")[1:]}
    assert summary["Requests received"] == ["12", ""]
    assert summary["Answered (the reply left the office)"] == ["6", ""]
    assert summary["Answered within one month"] == ["< 5", "–"]  # 3 requests: neither count nor share
    assert summary["Median of days to reply"] == ["35.0", ""]  # six replies: shown
    assert summary["90th percentile of days to reply"] == ["64.5", ""]
    by_right = section(rows, "Requests per month by right")
    assert by_right[0] == [
        "Month",
        "Access",
        "Rectification",
        "Erasure",
        "Restriction",
        "Objection",
        "Consent withdrawal",
        "Call recording",
        "Total",
    ]
    assert by_right[1] == ["6/2026", "< 5", "0", "0", "0", "0", "0", "0", "< 5"]
    assert by_right[5] == ["10/2026", "< 5", "0", "0", "0", "< 5", "0", "< 5", "< 5"]
    assert by_right[-1] == ["Total", "8", "< 5", "< 5", "0", "< 5", "0", "< 5", "12"]
    outcomes = {row[0]: row[1:] for row in section(rows, "Outcomes")[1:]}
    assert outcomes["Granted"] == ["7", "58.3 %"]
    assert outcomes["Withdrawn by the requester"] == ["< 5", "–"]
    registers = section(rows, "Requests per register")
    assert registers[0] == [
        "Register",
        "Received",
        "Within one month",
        "Within the extension",
        "Late",
        "Withdrawn",
        "Not yet answered",
    ]
    te = next(row for row in registers if row[0] == reports.register_name(workspace, "te-asiakasrekisteri"))
    assert te[1:] == ["9", "< 5", "0", "< 5", "< 5", "< 5"]
    text = out.read_text(encoding="utf-8-sig")
    for name, hetu in PEOPLE.values():
        assert name not in text and hetu not in text


def test_csv_numbers_follow_the_ui_language(workspace, clock, fixed_cases, tmp_path):
    set_language("fi")
    out = tmp_path / "raportti.csv"
    service_of(workspace, clock, "clerk").export(PERIOD, "csv", out)
    rows = read_csv(out)
    assert any(row[1:2] == ["35,0"] for row in rows if row)  # Finnish decimal comma; ";" separates


def test_xlsx_opens_with_the_expected_sheets_and_numbers(workspace, clock, fixed_cases, tmp_path):
    out = tmp_path / "report.xlsx"
    service_of(workspace, clock, "clerk").export(replace(PERIOD, register="te-asiakasrekisteri"), "xlsx", out)
    book = load_workbook(out)
    assert book.sheetnames == [
        "Summary",
        "Requests per month by right",
        "Requests per month by channel",
        "Outcomes",
        "Deadlines",
        "Open requests by age",
        "Requests per register",
    ]
    summary = book["Summary"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    assert values[0][0] == "Data-subject requests: deadlines report"
    assert values[3][0] == "Register: " + reports.register_name(workspace, "te-asiakasrekisteri")
    figures = {row[0]: row[1:3] for row in values if row and row[0]}
    assert figures["Requests received"] == [9, None]  # a real number
    assert figures["Answered within one month"] == ["< 5", "–"]
    assert figures["Not yet answered"] == ["< 5", None]  # G, I, J, K
    by_channel = [[c.value for c in row] for row in book["Requests per month by channel"].iter_rows()]
    assert by_channel[0] == ["Month", "Post", "Secure e-mail", "In person", "Total"]
    assert by_channel[-1] == ["Total", 5, "< 5", "< 5", 9]
    outcomes = book["Outcomes"]
    granted = next(row for row in outcomes.iter_rows() if row[0].value == "Granted")
    assert granted[1].value == 5  # A, B, D, F, K
    assert granted[2].value == pytest.approx(5 / 9)
    assert granted[2].number_format == "0.0%"


def test_pdf_has_charts_and_no_personal_data(demo_workspace, clock, tmp_path, qapp):
    out = tmp_path / "report.pdf"
    service = service_of(demo_workspace, clock, "clerk")
    figures = service.export(default_period(TODAY), "pdf", out)
    assert figures.total > 1000
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Data-subject requests: deadlines report" in text
    assert "Requests per month by right" in text and "Answered within one month" in text
    with demo_workspace.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        people = cursor.execute("SELECT requester_name, hetu FROM cases").fetchall()
    assert len(people) == 2000
    flat = text.replace("\n", " ")
    for name, hetu in people:
        assert name not in flat, name
        if hetu:
            assert hetu not in flat and hetu[:6] + hetu[7:] not in flat.replace(" ", ""), hetu
    # Page 1 carries the deadline pie, page 2 the stacked bars per month: coloured pixels, not a blank page.
    document = QPdfDocument()
    assert document.load(str(out)) == QPdfDocument.Error.None_
    assert document.pageCount() >= 3
    for page in (0, 1):
        image = document.render(page, QSize(595, 842))
        assert not image.isNull()
        coloured = sum(
            1
            for y in range(0, image.height(), 3)
            for x in range(0, image.width(), 3)
            if QColor(image.pixel(x, y)).saturation() > 100
        )
        assert coloured > 500, (page, coloured)
    image = document.render(1, QSize(1190, 1684))
    image.save(str(tmp_path / "page2.png"))
    document.close()


def test_pdf_of_a_small_office_shows_no_small_groups(workspace, clock, fixed_cases, tmp_path):
    out = tmp_path / "small.pdf"
    service_of(workspace, clock, "clerk").export(PERIOD, "pdf", out)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "< 5" in text
    assert "Nothing to show" in text  # the deadline pie would show 3, 1 and 2 requests
    for name, hetu in PEOPLE.values():
        assert name not in text and hetu not in text


def test_case_level_export_is_logged_and_has_no_requester_data(workspace, clock, fixed_cases, tmp_path):
    out = tmp_path / "cases.csv"
    count = service_of(workspace, clock, "reviewer").export_cases(PERIOD, "csv", out)
    assert count == 12
    rows = read_csv(out)
    assert rows[0] == [
        "Diary number",
        "Received",
        "Right",
        "Channel",
        "Registers",
        "Outcome",
        "Due date (one month)",
        "Due date (extended)",
        "Reply sent",
        "Days to reply",
        "Deadline",
    ]
    by_diary = {row[0]: row for row in rows[1:]}
    assert by_diary[fixed_cases["C"]] == [
        fixed_cases["C"],
        "2026-06-01",
        "Access",
        "Post",
        "kainuu-webropol",
        "Granted",
        "2026-07-01",
        "2026-09-01",
        "2026-08-25",
        "85",
        "Answered within the extension",
    ]
    assert by_diary[fixed_cases["E"]][5:] == [
        "Withdrawn by the requester",
        "2026-11-05",
        "",
        "",
        "",
        "Withdrawn",
    ]
    text = out.read_text(encoding="utf-8-sig")
    for name, hetu in PEOPLE.values():
        assert name not in text and hetu not in text
    [entry] = logged_exports(workspace.data_dir)
    assert (entry["user"], entry["action"]) == ("reviewer", "export_cases")
    assert "2026-06-01..2026-11-23" in entry["subject"] and "cases=12" in entry["subject"]
    assert "cases.csv" in entry["subject"]


def test_case_level_xlsx_has_dates_and_numbers(workspace, clock, fixed_cases, tmp_path):
    out = tmp_path / "cases.xlsx"
    service_of(workspace, clock, "admin").export_cases(PERIOD, "xlsx", out)
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Diary number"
    assert len(rows) == 13
    a = next(row for row in rows if row[0] == fixed_cases["A"])
    assert a[1].date() == date(2026, 9, 1)
    assert a[9] == 10
    assert a[10] == "Answered within one month"


def test_clerk_may_not_export_cases_and_nothing_is_written(workspace, clock, fixed_cases, tmp_path):
    out = tmp_path / "cases.csv"
    with pytest.raises(PermissionDenied):
        service_of(workspace, clock, "clerk").export_cases(PERIOD, "csv", out)
    assert not out.exists()
    assert logged_exports(workspace.data_dir) == []  # the refusal is logged as "denied", no export
    with pytest.raises(DomainError, match="CSV or XLSX"):
        service_of(workspace, clock, "reviewer").export_cases(PERIOD, "pdf", tmp_path / "cases.pdf")


def test_exports_are_whole_or_absent(workspace, clock, fixed_cases, tmp_path, monkeypatch):
    service = service_of(workspace, clock, "reviewer")
    with pytest.raises(DomainError, match="does not exist"):
        service.export(PERIOD, "csv", tmp_path / "missing" / "report.csv")
    with pytest.raises(DomainError, match="Unknown format"):
        service.export(PERIOD, "docx", tmp_path / "report.docx")

    def broken(handle, *args):
        handle.write(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reports, "write_xlsx", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "report.xlsx"
    out.write_bytes(b"the previous report")
    with pytest.raises(DomainError, match="No space left"):
        service.export(PERIOD, "xlsx", out)
    assert out.read_bytes() == b"the previous report"  # untouched
    assert sorted(p.name for p in folder.iterdir()) == ["report.xlsx"]  # no temp file left
    # A case-level export that fails to log is not written at all.
    monkeypatch.setattr(reports, "record_access", lambda *a: (_ for _ in ()).throw(DomainError("log down")))
    with pytest.raises(DomainError, match="log down"):
        service.export_cases(PERIOD, "csv", folder / "cases.csv")
    assert sorted(p.name for p in folder.iterdir()) == ["report.xlsx"]
