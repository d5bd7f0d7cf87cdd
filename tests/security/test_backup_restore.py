"""Backup → wipe → restore gives back every case exactly (and its files), with a passing verify and a new
device id; the archive is encrypted and is checked after it is written."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas
from security_helpers import PASSWORD

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind
from desktop.services.backup import backup, restore
from desktop.services.cases import CaseService
from desktop.services.workspace import Workspace


def pdf_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 760, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture
def office(enc_dir: Path, sign_in, clock, paper_request: dict) -> list[str]:
    workspace, clerk = sign_in("clerk")
    service = CaseService(workspace, clerk, clock)
    diaries = []
    for index, name in enumerate(("Maija Meikäläinen", "Björn Åkerblom", "Aino Korhonen")):
        paper_request["requester"]["name"] = name
        diary = service.register(paper_request).diary_number
        service.attach_bytes(
            diary, pdf_bytes(f"Lomake {index}"), f"lomake{index}.pdf", AttachmentKind.SIGNED_FORM
        )
        diaries.append(diary)
    service.withdraw(diaries[2], "Peruttu.")
    workspace.close()
    return diaries


def show_all(run_cli, data_dir: Path, diaries: list[str]) -> dict[str, dict]:
    shown = {}
    for diary in diaries:
        code, out, err = run_cli("--data-dir", data_dir, "cases", "show", diary, "--json")
        assert (code, err) == (0, ""), err
        shown[diary] = json.loads(out)
    return shown


def test_backup_wipe_restore_gives_identical_cases(
    enc_dir: Path, office: list[str], run_cli, tmp_path: Path
) -> None:
    before = show_all(run_cli, enc_dir, office)
    archive = tmp_path / "varmuuskopio.tar"

    code, out, err = run_cli("--data-dir", enc_dir, "backup", archive)
    assert code == 1 and "manage_settings" in err  # a clerk may not
    code, out, err = run_cli("--data-dir", enc_dir, "backup", archive, env={"KIRJAAMO_USER": "admin"})
    assert (code, err) == (0, ""), err
    assert "3 cases, 3 files" in out and archive.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left

    raw = archive.read_bytes()
    for needle in ("Meikäläinen", "Åkerblom", "131052-308T", "%PDF-1."):
        assert needle.encode() not in raw
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "kirjaamo.sqlite3", "keys.json"} <= set(tar.getnames())

    with _closing(enc_dir) as ws:
        device = ws.settings.device_id
    shutil.rmtree(enc_dir)  # the desk is lost

    code, out, err = run_cli("--data-dir", enc_dir, "restore", archive, env={"KIRJAAMO_USER": "admin"})
    assert (code, err) == (0, ""), err
    assert show_all(run_cli, enc_dir, office) == before
    assert run_cli("--data-dir", enc_dir, "--user", "admin", "verify")[0] == 0
    with _closing(enc_dir) as ws:
        assert ws.settings.device_id not in ("", device)

    # Not over existing data, and only a backup.
    code, out, err = run_cli("--data-dir", enc_dir, "restore", archive, env={"KIRJAAMO_USER": "admin"})
    assert code == 1 and "not empty" in err
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all" * 100)
    code, out, err = run_cli("--data-dir", tmp_path / "new", "restore", junk, env={"KIRJAAMO_USER": "admin"})
    assert code == 1 and "not a Kirjaamo backup" in err
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())


def test_a_damaged_archive_is_not_restored(enc_dir: Path, office: list[str], sign_in, tmp_path: Path) -> None:
    workspace, admin = sign_in("admin")
    archive = tmp_path / "b.tar"
    report = backup(workspace, admin, archive)
    assert (report.cases, report.files) == (3, 3)
    with pytest.raises(DomainError, match="Wrong user name or password"):
        restore(archive, tmp_path / "other", "admin", "wrong")
    assert not (tmp_path / "other").exists()
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("blobs/"))
    data = bytearray(archive.read_bytes())
    data[member.offset_data + 100] ^= 0xFF  # one byte inside a file's stored (encrypted) content
    archive.write_bytes(bytes(data))
    with pytest.raises(DomainError, match="damaged"):
        restore(archive, tmp_path / "restored", "admin", PASSWORD)
    assert not (tmp_path / "restored").exists()


class _closing:
    def __init__(self, data_dir: Path) -> None:
        self.workspace, _user = Workspace.unlock(data_dir, "admin", PASSWORD)

    def __enter__(self) -> Workspace:
        return self.workspace

    def __exit__(self, *exc) -> None:
        self.workspace.close()
