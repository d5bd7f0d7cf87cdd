"""The case dossier: PDF/A structure, due dates as the domain counts them, nobody else, and verify."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from dossier_story import OTHER_REQUESTER, StoryCase

from desktop.domain.deadlines import due_date
from desktop.domain.errors import DomainError
from desktop.domain.events import fold
from desktop.i18n import format_date
from desktop.printing.pdfa import embedded_files
from desktop.services import dossier
from desktop.services.cases import CaseService


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_dossier_is_pdfa_with_letters_embedded(reviewer_service: CaseService, story_case: StoryCase) -> None:
    pdf = dossier.build_dossier(reviewer_service, story_case.diary, "fi")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
    assert len(reader.trailer["/ID"]) == 2
    assert pdf.startswith(b"%PDF-1.7\n%")
    # XMP: PDF/A-3b identification, not compressed, and the same title as /Info.
    metadata = root["/Metadata"].get_object()
    assert "/Filter" not in metadata
    xmp = metadata.get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert reader.metadata.title in xmp
    # An sRGB output intent with an RGB ICC profile.
    (intent,) = [i.get_object() for i in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[16:20] == b"RGB "
    # Every font embedded (TrueType subsets of DejaVu), none of the 14 standard fonts.
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "DejaVu" in font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
    # Each letter as sent, as an associated file with its relationship, MIME type and SHA-256.
    state = fold(reviewer_service.timeline(story_case.diary))
    replies = {a.sha256 for a in state.attachments if a.kind.value == "reply"}
    assert len(replies) == 3  # clarification, extension notice, refusal
    files = embedded_files(pdf)
    import hashlib

    embedded = {
        hashlib.sha256(data).hexdigest() for name, data in files.items() if name.startswith("letter-")
    }
    assert embedded == replies
    for spec in root["/AF"]:
        spec = spec.get_object()
        assert spec["/AFRelationship"] in ("/Source", "/Supplement", "/Data")
        assert spec["/UF"] and spec["/EF"]["/F"].get_object()["/Subtype"]
    # The evidence file is listed with its hash but not embedded unless asked.
    scan = next(a for a in state.attachments if a.kind.value == "signed_form")
    assert scan.sha256 in _text(pdf).replace("\n", "")
    assert not any(name.startswith("evidence-") for name in files)
    with_files = embedded_files(
        dossier.build_dossier(reviewer_service, story_case.diary, "fi", include_files=True)
    )
    assert any(name.startswith("evidence-") and name.endswith("lomake.png") for name in with_files)


def test_due_dates_are_the_domains(reviewer_service: CaseService, story_case: StoryCase) -> None:
    events = reviewer_service.timeline(story_case.diary)
    state = fold(events)
    calendar = reviewer_service.workspace.calendar
    lines = dossier.due_date_lines(events, calendar)
    assert [line.steps.due for line in lines] == [entry.due for entry in state.due_dates]
    assert all(line.matches for line in lines)
    received, clarified, extended = lines
    assert received.steps.due == due_date(state.received, calendar=calendar)
    assert clarified.steps.due == due_date(state.pauses[0].ended, calendar=calendar)
    assert extended.steps.due == due_date(state.pauses[0].ended, extended=True, calendar=calendar)
    # 31.1.2026 + one month: 28.2. (the 31st does not exist), a Saturday; 1.3. a Sunday; due 2.3.2026.
    assert [(s.day.isoformat(), s.why) for s in received.steps.skipped] == [
        ("2026-02-28", "saturday"),
        ("2026-03-01", "sunday"),
    ]
    text = " ".join(_text(dossier.build_dossier(reviewer_service, story_case.diary, "fi")).split())
    assert "Saapunut 31.1.2026" in text
    assert "28.2. on lauantai" in text and "1.3. on sunnuntai" in text
    assert f"määräpäivä {format_date(received.steps.due)}" in text
    assert "10.2.2026–25.2.2026" in text  # the clock stop
    assert format_date(extended.steps.due) in text
    assert "RR123456785FI" in text


def test_nothing_about_other_people(reviewer_service: CaseService, story_case: StoryCase) -> None:
    pdf = dossier.build_dossier(reviewer_service, story_case.diary, "en", include_files=True)
    text = _text(pdf)
    assert story_case.diary in text
    assert story_case.other_diary not in text and "Toinen" not in text
    everything = pdf + b"".join(embedded_files(pdf).values())
    assert OTHER_REQUESTER.encode() not in everything
    assert story_case.other_diary.encode() not in everything


def test_export_is_for_reviewers_and_logged(
    clerk_service: CaseService, reviewer_service: CaseService, story_case: StoryCase
) -> None:
    with pytest.raises(DomainError):
        dossier.build_dossier(clerk_service, story_case.diary)
    pdf = dossier.build_dossier(reviewer_service, story_case.diary, "sv")
    log = reviewer_service.workspace.engine.raw_connection()
    try:
        rows = log.execute("SELECT username, action, detail, hash FROM access_log ORDER BY seq").fetchall()
    finally:
        log.close()
    assert rows[-2][:2] == ("clerk", "denied") and "dossier" in rows[-2][2]
    assert rows[-1][:3] == ("reviewer", "export", "dossier lang=sv files=no")
    # The export's own entry is in the dossier, with its hash, as the chain head.
    assert rows[-1][3] in re.sub(r"\s", "", _text(pdf))


def _flip_in_letter(pdf: bytes) -> bytes:
    """Change one byte inside the first embedded letter (its stream is stored as is)."""
    letter = next(data for name, data in embedded_files(pdf).items() if name.startswith("letter-"))
    where = pdf.index(letter) + len(letter) // 2
    return pdf[:where] + bytes([pdf[where] ^ 0x01]) + pdf[where + 1 :]


def test_verify_matches_then_names_the_changed_letter(run_cli, story_case: StoryCase, tmp_path: Path) -> None:
    out = tmp_path / "dossier.pdf"
    code, stdout, stderr = run_cli(
        "dossier", story_case.diary, "--out", out, env={"KIRJAAMO_USER": "reviewer"}
    )
    assert (code, stderr) == (0, "")
    code, stdout, stderr = run_cli("dossier", "verify", out, env={"KIRJAAMO_USER": "reviewer"})
    assert code == 0 and "matches" in stdout
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(_flip_in_letter(out.read_bytes()))
    code, stdout, stderr = run_cli("dossier", "verify", changed, env={"KIRJAAMO_USER": "reviewer"})
    assert code == 1
    assert "letter-" in stderr and "differs from the register" in stderr


def test_cli_refuses_clerk_and_bad_input(run_cli, story_case: StoryCase, tmp_path: Path) -> None:
    code, _, stderr = run_cli("dossier", story_case.diary, "--out", tmp_path / "d.pdf")
    assert code == 1 and stderr.count("\n") == 1
    assert not (tmp_path / "d.pdf").exists()
    code, _, stderr = run_cli(
        "dossier", "verify", tmp_path / "nothing.pdf", env={"KIRJAAMO_USER": "reviewer"}
    )
    assert code == 1 and stderr.count("\n") == 1
    (tmp_path / "plain.pdf").write_bytes(b"%PDF-1.4 not really")
    code, _, stderr = run_cli("dossier", "verify", tmp_path / "plain.pdf", env={"KIRJAAMO_USER": "reviewer"})
    assert code == 1 and "not a Kirjaamo case dossier" in stderr
