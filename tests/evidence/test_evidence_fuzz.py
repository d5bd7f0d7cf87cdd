"""Fuzzed evidence: random bytes, truncated files, wrong extensions, huge headers. The importer answers with
a clear refusal or stores the file whole; it never crashes and never leaves half of an attachment behind."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib

import pytest
from evidence_samples import (
    build_email,
    build_msg,
    email_bytes,
    jpeg_photo,
    png_image,
    reportlab_pdf,
    tiff_multipage,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind
from desktop.services.email_import import read_email

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EXTENSIONS = [
    "pdf",
    "PDF",
    "jpg",
    "jpeg",
    "png",
    "tif",
    "tiff",
    "eml",
    "msg",
    "txt",
    "doc",
    "exe",
    "",
    "pdf.exe",
]
SAMPLES = {
    "pdf": reportlab_pdf(),
    "jpeg": jpeg_photo(),
    "png": png_image(),
    "tiff": tiff_multipage(),
    "eml": email_bytes(build_email(attachments=[("lomake.pdf", reportlab_pdf(1), "application/pdf")])),
    "msg": build_msg(
        "Pyyntö",
        "Hei",
        "Maija Meikäläinen",
        "m@example.fi",
        dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        [("a.pdf", reportlab_pdf(1))],
    ),
}


def _snapshot(workspace) -> tuple[list[str], int]:
    root = workspace.blobs.root
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
    with workspace.engine.connect() as connection:
        events = (
            connection.connection.driver_connection.cursor()
            .execute("SELECT count(*) FROM events")
            .fetchone()[0]
        )
    return files, events


def _attach_or_refuse(evidence, workspace, diary, data: bytes, name: str) -> None:
    before = _snapshot(workspace)
    try:
        batch = evidence.attach_bytes(diary, data, name, AttachmentKind.OTHER)
    except DomainError as refusal:
        assert str(refusal)  # a message to show
        assert _snapshot(workspace) == before  # nothing half-stored: no file, no event
        return
    # Stored: every file whole under its hash, and no stray temporary files in the store.
    files, _events = _snapshot(workspace)
    assert not [f for f in files if ".incoming-" in f]
    for item in batch.files:
        assert hashlib.sha256(evidence.read(item.sha256)).hexdigest() == item.sha256
    assert batch.main.sha256 == hashlib.sha256(data).hexdigest()


@FUZZ
@given(data=st.binary(min_size=0, max_size=4096), extension=st.sampled_from(EXTENSIONS))
def test_random_bytes(evidence, workspace, diary, data, extension):
    _attach_or_refuse(evidence, workspace, diary, data, f"tiedosto.{extension}")


@FUZZ
@given(kind=st.sampled_from(sorted(SAMPLES)), cut=st.floats(0, 1), extension=st.sampled_from(EXTENSIONS))
def test_truncated_files_with_any_extension(evidence, workspace, diary, kind, cut, extension):
    sample = SAMPLES[kind]
    _attach_or_refuse(evidence, workspace, diary, sample[: int(len(sample) * cut)], f"katkennut.{extension}")


@FUZZ
@given(
    kind=st.sampled_from(sorted(SAMPLES)),
    position=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=64),
)
def test_files_with_corrupted_bytes(evidence, workspace, diary, kind, position, junk):
    sample = SAMPLES[kind]
    at = int(len(sample) * position)
    corrupted = sample[:at] + junk + sample[at + len(junk) :]
    _attach_or_refuse(
        evidence, workspace, diary, corrupted, f"rikki.{ {'jpeg': 'jpg', 'tiff': 'tif'}.get(kind, kind) }"
    )


@FUZZ
@given(
    header_length=st.integers(1, 200_000),
    header_count=st.integers(0, 3_000),
    value=st.text(min_size=1, max_size=30),
    nesting=st.integers(0, 40),
)
def test_huge_headers_and_deep_nesting(
    evidence, workspace, diary, header_length, header_count, value, nesting
):
    head = (
        b"From: Maija <m@example.fi>\r\nDate: Thu, 05 Nov 2026 10:00:00 +0200\r\n"
        + b"Subject: "
        + value.encode("utf-8", "replace") * (header_length // max(len(value), 1) + 1)
        + b"\r\n"
        + b"".join(
            b"X-Filler-%d: %s\r\n" % (i, value.encode("utf-8", "replace")) for i in range(header_count)
        )
    )
    body = b""
    for level in range(nesting):
        body += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    body += b"Content-Type: text/plain\r\n\r\nHei\r\n"
    data = head + b"MIME-Version: 1.0\r\n" + body
    with contextlib.suppress(DomainError):
        read_email(data, "iso.eml")
    _attach_or_refuse(evidence, workspace, diary, data, "iso.eml")


@FUZZ
@given(data=st.binary(max_size=2048))
def test_the_email_reader_alone_refuses_or_reads(data):
    for name in ("viesti.eml", "viesti.msg"):
        try:
            read_email(b"From: a@b.fi\r\nSubject: x\r\n" + data, name)
            read_email(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data, name)
        except DomainError:
            pass


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_prefix_of_the_first_kilobyte(evidence, workspace, diary, kind):
    sample = SAMPLES[kind]
    for length in range(0, 1024, 37):
        _attach_or_refuse(evidence, workspace, diary, sample[:length], f"alku.{kind}")
