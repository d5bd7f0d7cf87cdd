"""Encryption at rest (issue 6): a data dir made by `kirjaamo demo` holds nothing readable without a
password; with the right one everything opens, with a wrong one nothing does."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from security_helpers import PASSWORD, raw_connection, raw_files

from desktop.services.cases import CaseService
from desktop.services.workspace import Workspace, WorkspaceLocked
from desktop.store import crypto
from desktop.store.blobs import BlobCorrupted, BlobStore
from desktop.store.database import DATABASE_FILE


@pytest.fixture
def demo_dir(run_cli, tmp_path: Path) -> Path:
    """`kirjaamo demo --cases 50`, run as an administrator would."""
    target = tmp_path / "demo"
    code, out, err = run_cli("--data-dir", target, "demo", "--cases", "50")
    assert (code, err) == (0, ""), err
    assert "recovery key" in out
    return target


def test_demo_data_dir_holds_no_readable_personal_data(demo_dir: Path, run_cli) -> None:
    # What is inside, read through the right password: names, henkilötunnukset, a Meikäläinen.
    connection = raw_connection(demo_dir)
    try:
        people = connection.execute(
            "SELECT requester_name, hetu FROM cases WHERE hetu <> '' ORDER BY num LIMIT 5"
        ).fetchall()
        attachments = connection.execute("SELECT DISTINCT sha256 FROM attachments").fetchall()
    finally:
        connection.close()
    assert len(people) == 5 and attachments
    needles = {"Meikäläinen".encode()}
    for name, hetu in people:
        needles |= {name.encode(), hetu.encode(), name.split()[-1].encode()}
    # The e-mail sample attached to demo cases names Maija Meikäläinen; the signed form is a PDF.
    needles |= {b"%PDF-1.", b"Tietopyynt", b"maija.meikalainen@example.fi"}

    # A workspace kept open while we look: the WAL and shared memory files exist too.
    workspace, _user = Workspace.unlock(demo_dir, "clerk", PASSWORD)
    try:
        CaseService(workspace, _user).add_note(
            CaseService(workspace, _user).rows(CaseService(workspace, _user).query(), 1)[0].id,
            "Soitettu Maija Meikäläiselle, 131052-308T.",
        )
        files = raw_files(demo_dir)
    finally:
        workspace.close()
    names = {path.name for path in files}
    assert DATABASE_FILE in names and "keys.json" in names
    assert any(path.parent.parent.name == "blobs" for path in files)
    assert any(name.endswith("-wal") for name in names)
    needles |= {b"131052-308T", "Meikäläiselle".encode()}
    for path, data in files.items():
        for needle in needles:
            assert needle not in data, f"{needle!r} readable in {path.relative_to(demo_dir)}"
    for path, data in raw_files(demo_dir).items():  # and after the WAL was checkpointed on close
        for needle in needles:
            assert needle not in data, f"{needle!r} readable in {path.relative_to(demo_dir)}"


def test_right_password_opens_everything_and_a_wrong_one_nothing(demo_dir: Path, run_cli) -> None:
    code, out, err = run_cli("--data-dir", demo_dir, "cases", "list", "--json")
    assert (code, err) == (0, "")
    assert len(json.loads(out)) == 50
    assert (
        run_cli("--data-dir", demo_dir, "--user", "admin", "verify")[0] == 0
    )  # every file decrypts to its name

    code, out, err = run_cli("--data-dir", demo_dir, "cases", "list", env={"KIRJAAMO_PASSWORD": "wrong"})
    assert (code, out, err) == (1, "", "kirjaamo: Wrong user name or password.\n")
    code, out, err = run_cli("--data-dir", demo_dir, "verify", env={"KIRJAAMO_USER": "nobody"})
    assert (code, out, err) == (1, "", "kirjaamo: Wrong user name or password.\n")
    with pytest.raises(WorkspaceLocked, match="locked: sign in"):
        Workspace.open(demo_dir)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(demo_dir / DATABASE_FILE).execute("SELECT count(*) FROM cases").fetchone()


def test_a_copied_data_dir_is_unreadable_without_a_password(demo_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "stolen"
    shutil.copytree(demo_dir, copy)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(copy / DATABASE_FILE).execute("SELECT * FROM sqlite_master").fetchall()
    with pytest.raises(Exception, match="not a database"):
        # Even with a key: only the right one opens it.
        from desktop.store.database import connect_raw

        connect_raw(copy / DATABASE_FILE, crypto.new_key())
    blob = next(p for p in (copy / "blobs").rglob("*") if p.is_file())
    store = BlobStore(copy / "blobs", crypto.blob_key(crypto.new_key()))
    with pytest.raises(BlobCorrupted):
        store.read(blob.parent.name + blob.name)
    with pytest.raises(WorkspaceLocked):
        Workspace.open(copy)
    # The copy opens like the original for a person who knows a password.
    workspace, user = Workspace.unlock(copy, "reviewer", PASSWORD)
    workspace.close()


@pytest.mark.parametrize("size", [0, 1, crypto.SEGMENT - 1, crypto.SEGMENT, 3 * crypto.SEGMENT + 17])
def test_encrypted_blobs_round_trip_in_segments(tmp_path: Path, size: int) -> None:
    store = BlobStore(tmp_path / "blobs", crypto.blob_key(crypto.new_key()))
    data = random.Random(size).randbytes(size)
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    for stored in (
        store.put_file(source),
        store.put_bytes(data),
        store.put_stream(iter([data[:5], data[5:]])),
    ):
        assert stored.sha256 == sha and stored.size == size
    assert [s.already_stored for s in (store.put_bytes(data),)] == [True]
    on_disk = store.path_for(sha).read_bytes()
    assert len(on_disk) == 32 + size + 16 * crypto.segment_count(size)
    assert size < 64 or data[:64] not in on_disk
    assert store.read(sha) == data and store.size(sha) == size and store.verify(sha) is None
    assert b"".join(store.iter_chunks(sha)) == data


def test_a_changed_moved_or_cut_blob_is_refused(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs", crypto.blob_key(crypto.new_key()))
    first = store.put_bytes(b"A" * (crypto.SEGMENT + 100)).sha256
    second = store.put_bytes(b"B" * (crypto.SEGMENT + 100)).sha256
    path = store.path_for(first)
    original = path.read_bytes()

    damaged = bytearray(original)
    damaged[40] ^= 1
    path.write_bytes(bytes(damaged))
    assert store.verify(first) == "corrupted"
    with pytest.raises(BlobCorrupted):
        store.read(first)

    path.write_bytes(original[: crypto.SEGMENT + 48])  # the last segment cut off
    assert store.verify(first) == "corrupted"

    path.write_bytes(store.path_for(second).read_bytes())  # another file under this name
    assert store.verify(first) == "corrupted"
    path.write_bytes(original)
    assert store.verify(first) is None
