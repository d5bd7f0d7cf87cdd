"""Backup and restore: one archive file with a consistent snapshot of the database (SQLite backup API, still
encrypted), the blob files (as stored: encrypted) and the key file — checked after it is written.

The archive is a plain tar: `manifest.json` (what is inside, each file's SHA-256), `kirjaamo.sqlite3`,
`keys.json` and `blobs/ab/cdef…`. It reveals nothing without a password or the office recovery key.
Restoring unpacks into an empty data dir, signs in with an account of the backup, gives the desk a new
device id (a restored desk must not continue another desk's sequence on the sync server) and verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.services import access_log, checkpoint, keys
from desktop.services.access_log import Action
from desktop.services.accounts import require
from desktop.services.workspace import Workspace
from desktop.store import crypto
from desktop.store.database import DATABASE_FILE, connect_raw
from desktop.store.database import write_transaction as _write

FORMAT = "kirjaamo-backup"
VERSION = 1
MANIFEST = "manifest.json"
_BLOB_NAME = re.compile(r"^blobs/[0-9a-f]{2}/[0-9a-f]{62}$")
_PIECE = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_MANIFEST = 64 << 20


def _database_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.DatabaseError, DBAPIError]
    try:
        from sqlcipher3 import dbapi2

        errors.append(dbapi2.DatabaseError)
    except ImportError:
        pass
    return tuple(errors)


_DATABASE_ERRORS = _database_errors()


@dataclass(frozen=True)
class BackupReport:
    path: Path
    cases: int
    files: int
    size: int  # bytes of the archive


def _sha_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while piece := source.read(_PIECE):
            digest.update(piece)
    return digest.hexdigest()


def _db_key(workspace: Workspace) -> bytes | None:
    return crypto.sqlcipher_key(workspace.data_key) if workspace.data_key else None


def backup(workspace: Workspace, user: User, path: Path) -> BackupReport:
    """Write the archive (administrators). It is complete and verified, or not there at all."""
    user = access_log.bind(workspace, user)
    require(user, Permission.MANAGE_SETTINGS)
    path = Path(path)
    if not path.parent.is_dir():
        raise DomainError(N_("The folder {folder} does not exist."), folder=str(path.parent))
    # Logged first: the snapshot then holds the record of its own making.
    access_log.record(workspace, user, Action.BACKUP, detail=f"file={path.name}")
    anchor = checkpoint.current(workspace)  # the log up to this backup's own entry, kept outside the desk
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        snapshot = work / DATABASE_FILE
        _snapshot(workspace, snapshot)
        members: list[tuple[str, Path]] = [(DATABASE_FILE, snapshot)]
        key_path = keys.key_file(workspace.data_dir)
        if workspace.encrypted:
            copied = work / keys.KEY_FILE
            shutil.copyfile(key_path, copied)
            members.append((keys.KEY_FILE, copied))
        blobs_root = workspace.blobs.root
        if blobs_root.exists():
            for file in sorted(blobs_root.rglob("*")):
                name = file.relative_to(workspace.data_dir).as_posix()
                if file.is_file() and _BLOB_NAME.match(name):
                    members.append((name, file))
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "office_prefix": workspace.settings.office_prefix,
            "device_id": workspace.settings.device_id,
            "encrypted": workspace.encrypted,
            "key_id": keys.key_id(workspace.data_key) if workspace.data_key else "",
            "access_log_checkpoint": anchor.text,
            "files": {},
        }
        archive = work / "archive.tar"
        with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
            for name, file in members:
                manifest["files"][name] = {"sha256": _sha_of_file(file), "size": file.stat().st_size}
                tar.add(file, arcname=name, recursive=False, filter=_private)
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            info.mode = 0o600
            import io

            tar.addfile(info, io.BytesIO(data))
        os.chmod(archive, 0o600)  # personal data and the wrapped keys: the owner's alone
        with open(archive, "rb+") as handle:
            os.fsync(handle.fileno())
        cases = _check_archive(archive, workspace.data_key, work / "check")
        os.replace(archive, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupReport(
        path, cases, sum(1 for name, _ in members if name.startswith("blobs/")), path.stat().st_size
    )


def _snapshot(workspace: Workspace, target: Path) -> None:
    """A consistent copy of the live database through the SQLite backup API, encrypted with the same key."""
    destination = connect_raw(target, _db_key(workspace))
    try:
        with workspace.engine.connect() as connection:
            connection.connection.driver_connection.backup(destination)
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        if member.size > _MAX_MANIFEST:
            raise ValueError("manifest too large")
        manifest = json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]
    except (KeyError, ValueError, AttributeError, RecursionError, tarfile.TarError):
        raise DomainError(N_("This file is not a Kirjaamo backup.")) from None
    return check_manifest(manifest)


def check_manifest(manifest: object) -> dict:
    """The manifest if its shape is the one `backup` writes; else one DomainError (never a KeyError)."""
    if not isinstance(manifest, dict):
        raise DomainError(N_("This file is not a Kirjaamo backup."))
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise DomainError(N_("This file is not a Kirjaamo backup of a version this program knows."))
    files = manifest.get("files")
    if not isinstance(files, dict) or DATABASE_FILE not in files:
        raise DomainError(N_("The backup is damaged: its list of files is unreadable."))
    for name, entry in files.items():
        if name not in (DATABASE_FILE, keys.KEY_FILE) and not _BLOB_NAME.match(name):
            raise DomainError(N_("The backup holds an unexpected file {name}."), name=name)
        sha = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
            raise DomainError(N_("The backup is damaged: {name} has no valid checksum."), name=name)
    return manifest


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _extract(tar: tarfile.TarFile, manifest: dict, target: Path) -> None:
    """Every listed file to `target`, each checked against the manifest's SHA-256 as it is written."""
    names = {m.name: m for m in tar.getmembers() if m.isfile()}
    for name, expected in manifest["files"].items():
        member = names.get(name)
        if member is None:
            raise DomainError(N_("The backup is damaged: {name} is missing."), name=name)
        out_path = target / name
        out_path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        source = tar.extractfile(member)
        assert source is not None
        with open(out_path, "wb") as out:
            while piece := source.read(_PIECE):
                digest.update(piece)
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected["sha256"]:
            raise DomainError(N_("The backup is damaged: {name} does not match its checksum."), name=name)


def _check_archive(archive: Path, data_key: bytes | None, scratch: Path) -> int:
    """Read the archive back: every file against its checksum, the database opens and is whole, every
    file a case refers to is inside and decrypts to its name. Returns the number of cases."""
    scratch.mkdir()
    with tarfile.open(archive, "r") as tar:
        manifest = _read_manifest(tar)
        _extract(tar, manifest, scratch)
    blob_key = crypto.blob_key(data_key) if data_key else None
    from desktop.store.blobs import BlobStore

    store = BlobStore(scratch / "blobs", blob_key)
    connection = connect_raw(scratch / DATABASE_FILE, crypto.sqlcipher_key(data_key) if data_key else None)
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise DomainError(N_("The backup's database did not pass the integrity check."))
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
        shas = {row[0] for row in connection.execute("SELECT DISTINCT sha256 FROM attachments")}
        not_fetched = {row[0] for row in connection.execute("SELECT sha256 FROM sync_missing_blobs")}
    finally:
        connection.close()
    for sha in sorted(shas - not_fetched):
        problem = store.verify(sha)
        if problem:
            raise DomainError(
                N_("The backup is not whole: the file {sha} is {problem}."), sha=sha[:12], problem=problem
            )
    return cases


def restore(archive: Path, data_dir: Path, username: str, password: str) -> tuple[Workspace, User]:
    """Unpack a backup into an empty data dir (an administrator of the backup signs in); then verify.

    Returns the opened workspace and the signed-in user.
    """
    from desktop.services.maintenance import verify

    archive, data_dir = Path(archive), Path(data_dir)
    if not archive.is_file():
        raise DomainError(N_("No such file: {file}"), file=str(archive))
    if data_dir.exists() and any(data_dir.iterdir()):
        raise DomainError(
            N_("{path} is not empty: a backup is restored into an empty (or new) data dir."),
            path=str(data_dir),
        )
    staging = data_dir.with_name(f".{data_dir.name}.restore")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        try:
            with tarfile.open(archive, "r") as tar:
                _extract(tar, _read_manifest(tar), staging)
        except tarfile.TarError:
            raise DomainError(N_("This file is not a Kirjaamo backup.")) from None
        try:
            workspace, user = Workspace.unlock(staging, username, password, remember=False)
        except _DATABASE_ERRORS:
            raise DomainError(N_("The backup's database is damaged and cannot be opened.")) from None
        try:
            require(user, Permission.MANAGE_SETTINGS)
            old_device = workspace.settings.device_id
            settings = replace(workspace.settings, device_id=uuid.uuid4().hex[:12])
            workspace.save_settings(settings)
            with _write(workspace.engine) as connection:
                access_log.record_in(
                    connection,
                    workspace,
                    user,
                    Action.RESTORE,
                    detail=f"file={archive.name} previous_device={old_device}",
                )
            problems = verify(workspace)
            if problems:
                first = problems[0]
                raise DomainError(
                    N_("The restored data did not verify: {what} {subject} {detail}"),
                    what=first.what,
                    subject=first.subject,
                    detail=first.detail,
                )
            data_key = workspace.data_key
        finally:
            workspace.close()
        if data_dir.exists():
            data_dir.rmdir()
        os.replace(staging, data_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    restored = Workspace.open_with_key(data_dir, data_key) if data_key else Workspace.open(data_dir)
    return restored, access_log.bind(restored, user)
