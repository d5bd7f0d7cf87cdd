"""Attaching real files of each kind: type from content, bit-exact storage, limits, damage, duplicates."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from evidence_samples import (
    jpeg_photo,
    png_image,
    pypdf_pdf,
    reportlab_pdf,
    tiff_multipage,
)

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind
from desktop.services import filetypes
from desktop.services.evidence import EvidenceService

SAMPLES = {
    "lomake-reportlab.pdf": (reportlab_pdf, "application/pdf"),
    "valtakirja-pypdf.pdf": (pypdf_pdf, "application/pdf"),
    "skannaus.tif": (tiff_multipage, "image/tiff"),
    "kuva.jpg": (jpeg_photo, "image/jpeg"),
    "kuva.png": (png_image, "image/png"),
}


def blob_files(workspace) -> list[str]:
    root = workspace.blobs.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def event_count(workspace) -> int:
    with workspace.engine.connect() as connection:
        return (
            connection.connection.driver_connection.cursor()
            .execute("SELECT count(*) FROM events")
            .fetchone()[0]
        )


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_kind_is_stored_bit_exact_with_its_type(evidence, diary, tmp_path, name):
    make, media_type = SAMPLES[name]
    data = make()
    path = tmp_path / name
    path.write_bytes(data)
    batch = evidence.attach_file(diary, path, AttachmentKind.SIGNED_FORM)
    main = batch.main
    assert main.sha256 == hashlib.sha256(data).hexdigest()
    assert (main.media_type, main.size, main.warning, main.already_attached) == (
        media_type,
        len(data),
        "",
        False,
    )
    [attachment] = batch.state.attachments
    assert (attachment.filename, attachment.kind, attachment.media_type) == (
        name,
        AttachmentKind.SIGNED_FORM,
        media_type,
    )
    stored = evidence.read(main.sha256)
    assert stored == data and hashlib.sha256(stored).hexdigest() == main.sha256


def test_tiff_pages_are_counted(evidence):
    assert evidence.check(tiff_multipage(4), "scan.tiff").pages == 4


def test_qt_written_pdf_is_accepted(evidence, diary, qapp):
    from evidence_samples import qt_pdf

    data = qt_pdf()
    batch = evidence.attach_bytes(diary, data, "scanner.pdf", AttachmentKind.SIGNED_FORM)
    assert batch.main.warning == "" and evidence.read(batch.main.sha256) == data


def test_the_same_file_twice_is_stored_once_and_shown_as_already_attached(
    evidence, diary, workspace, tmp_path
):
    data = reportlab_pdf()
    first = evidence.attach_bytes(diary, data, "lomake.pdf", AttachmentKind.SIGNED_FORM)
    copy = tmp_path / "kopio.pdf"
    copy.write_bytes(data)
    events = event_count(workspace)
    second = evidence.attach_file(diary, copy, AttachmentKind.OTHER)
    assert (first.main.already_attached, second.main.already_attached) == (False, True)
    assert [a.filename for a in second.state.attachments] == ["lomake.pdf"]
    assert event_count(workspace) == events  # nothing new in the log
    assert len(blob_files(workspace)) == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("lomake.pdf", jpeg_photo, "named as application/pdf but its content is image/jpeg"),
        ("kuva.png", reportlab_pdf, "named as image/png but its content is application/pdf"),
        ("viesti.eml", png_image, "named as message/rfc822"),
        ("lomake.pdf", lambda: b"MZ\x90\x00" + os.urandom(200), "is not a PDF, JPEG, PNG, TIFF or e-mail"),
        ("tyhja.pdf", lambda: b"", "is empty"),
    ],
    ids=["jpeg-as-pdf", "pdf-as-png", "png-as-eml", "program", "empty"],
)
def test_wrong_content_is_refused_and_nothing_is_stored(
    evidence, diary, workspace, tmp_path, name, content, expected
):
    path = tmp_path / name
    path.write_bytes(content())
    before = (blob_files(workspace), event_count(workspace))
    with pytest.raises(DomainError) as refused:
        evidence.attach_file(diary, path, AttachmentKind.SIGNED_FORM)
    assert expected in str(refused.value)
    assert (blob_files(workspace), event_count(workspace)) == before


def test_an_office_document_is_not_taken_for_an_outlook_message(evidence, diary):
    import olefile  # noqa: F401 - comes with extract-msg
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    writer.addEntry("WordDocument", b"\x00" * 4096)
    import io

    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DomainError, match="Office document, not an Outlook message"):
        evidence.attach_bytes(diary, out.getvalue(), "asiakirja.msg", AttachmentKind.EMAIL)


def test_size_limit_from_settings_with_a_clear_message(evidence, diary, workspace, tmp_path):
    workspace.settings.attachment_limit_mb = 1
    big = tmp_path / "iso.pdf"
    big.write_bytes(reportlab_pdf()[:-6] + b" " * (1024 * 1024) + b"%%EOF\n")
    before = blob_files(workspace)
    with pytest.raises(DomainError, match=r"iso.pdf is larger than the limit of 1 MB"):
        evidence.attach_file(diary, big, AttachmentKind.SIGNED_FORM)
    assert blob_files(workspace) == before


@pytest.mark.parametrize(
    ("name", "make", "warning"),
    [
        ("katkennut.pdf", lambda: reportlab_pdf()[:-300], filetypes.TRUNCATED_PDF),
        ("katkennut.jpg", lambda: jpeg_photo()[:-500], filetypes.TRUNCATED_JPEG),
        ("rikki.png", lambda: png_image()[:-40], filetypes.DAMAGED_PNG),
        ("katkennut.tif", lambda: tiff_multipage()[:-2000], filetypes.DAMAGED_TIFF),
        ("vain-otsake.pdf", lambda: b"%PDF-1.7\n", filetypes.TRUNCATED_PDF),
    ],
)
def test_damaged_files_are_kept_with_a_visible_warning(evidence, diary, name, make, warning):
    data = make()
    batch = evidence.attach_bytes(diary, data, name, AttachmentKind.SIGNED_FORM)
    assert batch.main.warning == warning
    [attachment] = batch.state.attachments
    assert attachment.warning == warning  # in the log, shown in the list
    assert evidence.read(batch.main.sha256) == data


@pytest.mark.parametrize(
    "outside_name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\Windows\\system32\\x.pdf",
        "/tmp/abs.pdf",
        "C:\\temp\\lomake.pdf",
        "a\x00b.pdf",
    ],
)
def test_names_from_outside_never_become_paths(evidence, diary, workspace, outside_name):
    batch = evidence.attach_bytes(diary, reportlab_pdf(), outside_name, AttachmentKind.OTHER)
    name = batch.main.filename
    assert "/" not in name and "\\" not in name and ".." not in name and "\x00" not in name
    # The stored file lives only under its hash; nothing was written outside the blob store.
    assert all(
        part == "blobs" or len(part) in (2, 62)
        for part in workspace.blobs.path_for(batch.main.sha256).parts[-3:]
    )


def test_a_folder_or_a_missing_file_is_refused_clearly(evidence, diary, tmp_path):
    with pytest.raises(DomainError, match="is not a file"):
        evidence.attach_file(diary, tmp_path, AttachmentKind.OTHER)
    with pytest.raises(DomainError, match="Cannot read ei-ole.pdf"):
        evidence.attach_file(diary, tmp_path / "ei-ole.pdf", AttachmentKind.OTHER)


def test_attaching_to_a_closed_case_is_refused_before_storing(evidence, clerk_service, diary, workspace):
    clerk_service.withdraw(diary, "Pyytäjä peruutti pyynnön puhelimessa.")
    clerk_service.close(diary)
    before = (blob_files(workspace), event_count(workspace))
    with pytest.raises(DomainError, match="is closed"):
        evidence.attach_bytes(diary, png_image(), "myohassa.png", AttachmentKind.OTHER)
    assert (blob_files(workspace), event_count(workspace)) == before


def test_file_types_sniffed_from_content_not_extension(evidence):
    assert evidence.check(reportlab_pdf(), "skannaus").media_type == "application/pdf"
    assert evidence.check(tiff_multipage(), "SKANNAUS.TIFF").media_type == "image/tiff"


def test_read_file_does_not_read_past_the_limit(evidence, workspace, tmp_path):
    workspace.settings.attachment_limit_mb = 1
    path = tmp_path / "kasvaa.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    with pytest.raises(DomainError, match="larger than the limit"):
        evidence.read_file(path)


def test_evidence_service_is_usable_from_the_services_package():
    assert EvidenceService.__module__ == "desktop.services.evidence"
    assert Path(filetypes.__file__).name == "filetypes.py"
