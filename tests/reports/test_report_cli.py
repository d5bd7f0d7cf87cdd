"""`kirjaamo report` (design §10): files written whole, one clear line on bad input, exit 1."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop.store.database import DATABASE_FILE

PERIOD_ARGS = ("--from", "2026-06-01", "--to", "2026-11-23")


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


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_report_in_each_format(run_cli, fixed_cases, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    code, stdout, stderr = run_cli("report", *PERIOD_ARGS, "--format", fmt, "--out", out)
    assert (code, stderr) == (0, "")
    assert "12 requests" in stdout
    if fmt == "csv":
        with open(out, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert ["Requests received", "12", ""] in rows
    elif fmt == "xlsx":
        assert load_workbook(out).sheetnames[0] == "Summary"
    else:
        assert "Requests per register" in PdfReader(out).pages[-1].extract_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [out.name]


def test_register_filter_and_default_period(run_cli, fixed_cases, tmp_path):
    out = tmp_path / "te.csv"
    code, stdout, _err = run_cli(
        "report", *PERIOD_ARGS, "--register", "te-asiakasrekisteri", "--format", "csv", "--out", out
    )
    assert code == 0 and "9 requests" in stdout
    code, stdout, _err = run_cli("report", "--to", "2026-11-23", "--format", "csv", "--out", out)
    assert code == 0 and "13 requests" in stdout  # twelve months back: 1.12.2025 on, M too


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "1.6.2026"), "Not a valid date: “1.6.2026”"),
        (("--from", "2026-12-01", "--to", "2026-11-01"), "starts (2026-12-01) after it ends"),
        (("--register", "nope"), "No register nope"),
        (("--format", "docx"), "invalid choice: 'docx'"),
    ],
)
def test_bad_input_exits_1_with_one_line(run_cli, fixed_cases, tmp_path, args, message):
    argv = ["report", "--format", "csv", "--out", tmp_path / "r.csv", *args]
    code, stdout, stderr = run_cli(*argv)
    assert code == 1
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and message in stderr
    assert not (tmp_path / "r.csv").exists()


def test_missing_folder_and_missing_out(run_cli, fixed_cases, tmp_path):
    code, _out, stderr = run_cli("report", "--format", "pdf", "--out", tmp_path / "no" / "r.pdf")
    assert code == 1 and "does not exist" in stderr and len(stderr.strip().splitlines()) == 1
    code, _out, stderr = run_cli("report", "--format", "pdf")
    assert code == 1 and "--out" in stderr


def test_case_level_export_needs_the_permission_and_is_logged(run_cli, fixed_cases, tmp_path, data_dir):
    out = tmp_path / "cases.csv"
    code, _out, stderr = run_cli("report", *PERIOD_ARGS, "--cases", "--format", "csv", "--out", out)
    assert code == 1 and "export" in stderr and not out.exists()
    code, stdout, stderr = run_cli(
        "report", *PERIOD_ARGS, "--cases", "--format", "csv", "--out", out, env={"KIRJAAMO_USER": "reviewer"}
    )
    assert (code, stderr) == (0, "")
    assert "12 cases" in stdout
    [entry] = logged_exports(data_dir)
    assert entry["user"] == "reviewer"
    code, _out, stderr = run_cli(
        "report", "--cases", "--format", "pdf", "--out", tmp_path / "c.pdf", env={"KIRJAAMO_USER": "reviewer"}
    )
    assert code == 1 and "CSV or XLSX" in stderr
