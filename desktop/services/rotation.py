"""Key rotation (issue 14): a new data key when an account closes (a user disabled, a desk removed).

What a closed account could still hold — a copy of `keys.json` and its password, hence the old data key —
must open nothing that is stored afterwards. So: a new data key, sealed to the public key of every
remaining account and of the office recovery key (`keys.reseal`: no password is needed), the database
re-keyed (SQLCipher `PRAGMA rekey`) and every blob re-encrypted under the new blob key.

Crash safety. The new wraps and a journal are written in one atomic replace of `keys.json` (the commit
point): the journal holds the old data key sealed under the new one (purpose "rotation v1"), so whoever
opens the data dir with the new key can finish; the old key opens nothing of it. Then the database is
re-keyed (one SQLCipher transaction: before it the file is under the old key, after it under the new one),
then the blobs are resealed one by one (each a new file renamed over the old: `BlobStore.reseal`), the
journal noting how far it got; reads in between try the new key, then the old one. The next open of the
data dir (`Workspace.open_with_key`) finishes an interrupted rotation. A disable that was written but whose
rotation never began leaves `rotation_due` in the key file, and the next open starts it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from desktop.domain.accounts import Permission, User
from desktop.services import access_log, keys
from desktop.services.access_log import Action
from desktop.services.accounts import require
from desktop.store import crypto
from desktop.store.blobs import BlobCorrupted
from desktop.store.database import DATABASE_FILE, connect_raw, write_transaction

Progress = Callable[[int, int], None]  # (files done, files in all)
JOURNAL_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class RotationResult:
    key_id: str  # the new data key's fingerprint
    blobs: int  # files re-encrypted
    dropped: tuple[str, ...]  # accounts whose wrap predates key pairs: they need a new password
    new_recovery_key: str | None  # when the old recovery wrap could not be resealed: print it now


def rotate_data_key(workspace, user: User, reason: str, progress: Progress | None = None) -> RotationResult:
    """Rotate the data key of an encrypted data dir (administrators; a user disabled, a desk removed)."""
    require(user, Permission.MANAGE_USERS)
    return _rotate(workspace, user.username, reason, progress)


def mark_due(data: dict, reason: str, by: str, disable: str = "") -> None:
    """Inside a `keys.update`: a rotation must follow (started by the next open if this process dies), and
    the account `disable` be disabled (if the process died before the database said so)."""
    data["rotation_due"] = {"reason": reason, "by": by, "disable": disable}


def pending(data_dir: Path) -> bool:
    data = keys.load(Path(data_dir))
    return bool(data.get("rotation") or data.get("rotation_due"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _rotate(workspace, by: str, reason: str, progress: Progress | None) -> RotationResult:
    data_dir = workspace.data_dir
    if not workspace.encrypted:
        keys.update(data_dir, lambda data: data.pop("rotation_due", None))
        return RotationResult("", 0, (), None)
    if keys.load(data_dir).get("rotation"):
        finish(workspace, progress)  # a rotation left unfinished comes first
    old = workspace.data_key
    new = crypto.new_key()
    with workspace.engine.connect() as connection:
        rows = (
            connection.connection.driver_connection.cursor()
            .execute("SELECT username, active, password_hash FROM users")
            .fetchall()
        )
    active = {row[0]: row[2] or "" for row in rows if row[1]}

    def change(data: dict) -> tuple[list[str], str | None]:
        wraps, dropped = {}, []
        for name, entry in data["wraps"].items():
            if name not in active:
                continue  # a disabled account keeps nothing
            if entry.get("type") == "verifier":
                resealed = keys.verifier_wrap(new, name, active[name])
            else:
                resealed = keys.reseal(entry, name, new)
            if resealed is None:
                dropped.append(name)
            else:
                wraps[name] = resealed
        recovery_text = None
        recovery = keys.reseal_recovery(data["recovery"], new) if data.get("recovery") else None
        if recovery is None:
            recovery_key = crypto.new_recovery_key()
            recovery = keys.recovery_wrap(new, recovery_key)
            recovery_text = crypto.format_recovery_key(recovery_key)
        nonce, wrapped = crypto.wrap(crypto.subkey(new, "rotation v1"), old, b"rotation")
        data.update(wraps=wraps, recovery=recovery, key_id=keys.key_id(new))
        data["rotation"] = {
            "old_key_id": keys.key_id(old),
            "new_key_id": keys.key_id(new),
            "old_key": {"nonce": keys._b64(nonce), "wrapped": keys._b64(wrapped)},
            "reason": reason,
            "by": by,
            "started_at": _now(),
            "blobs_done": 0,
            "last_blob": "",
        }
        data.pop("rotation_due", None)
        return dropped, recovery_text

    dropped, recovery_text = keys.update(data_dir, change)  # type: ignore[misc]
    rekey_database(data_dir, old, new)
    workspace.use_key(new, old_key=old)
    detail = (
        f"reason={reason} key={keys.key_id(old)}->{keys.key_id(new)}"
        + (f" dropped={','.join(dropped)}" if dropped else "")
        + (" new_recovery_key" if recovery_text else "")
    )
    with write_transaction(workspace.engine) as connection:
        _log(connection, workspace, by, Action.KEY_ROTATED, detail)
    blobs = finish(workspace, progress)
    return RotationResult(keys.key_id(new), blobs, tuple(dropped), recovery_text)


def _log(connection, workspace, by: str, action: Action, detail: str) -> None:
    """An access-log entry in the name of the administrator who started the rotation."""
    row = (
        connection.connection.driver_connection.cursor()
        .execute("SELECT role FROM users WHERE username = ?", (by,))
        .fetchone()
    )
    access_log.append(
        connection,
        username=by,
        role=row[0] if row else "",
        device_id=workspace.settings.device_id,
        action=action,
        detail=detail,
    )


def old_key_of(data_dir: Path, data_key: bytes) -> bytes | None:
    """The previous data key of a rotation under way, opened with the new one; None if there is none."""
    journal = keys.load(Path(data_dir)).get("rotation")
    if not journal or journal["new_key_id"] != keys.key_id(data_key):
        return None
    return crypto.unwrap(
        crypto.subkey(data_key, "rotation v1"),
        keys._unb64(journal["old_key"]["nonce"]),
        keys._unb64(journal["old_key"]["wrapped"]),
        b"rotation",
    )


def rekey_database(data_dir: Path, old: bytes, new: bytes) -> bool:
    """Re-key the database from `old` to `new` (SQLCipher `PRAGMA rekey`, one transaction); False when it
    already was (a resumed rotation)."""
    path = Path(data_dir) / DATABASE_FILE
    try:
        connection = connect_raw(path, crypto.sqlcipher_key(old), isolation_level=None)
    except Exception as error:
        if "not a database" not in str(error):
            raise
        connect_raw(path, crypto.sqlcipher_key(new)).close()  # under the new key already (else: raises)
        return False
    try:
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute(f"PRAGMA rekey = \"x'{crypto.sqlcipher_key(new).hex()}'\"")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return True


def finish(workspace, progress: Progress | None = None) -> int:
    """Reseal every blob not yet under the new key, noting progress in the journal; then close the journal.
    Returns how many files were re-encrypted."""
    data_dir = workspace.data_dir
    journal = keys.load(data_dir).get("rotation")
    if not journal:
        return 0
    old = old_key_of(data_dir, workspace.data_key)
    if old is not None:
        rekey_database(data_dir, old, workspace.data_key)  # no-op unless the crash came before it
        workspace.blobs.set_keys(crypto.blob_key(workspace.data_key), crypto.blob_key(old))
    names = workspace.blobs.names()
    last = journal.get("last_blob", "")
    resealed = 0
    noted = time.monotonic()

    def note(done: int, sha: str) -> None:
        def change(data: dict) -> None:
            if data.get("rotation"):
                data["rotation"].update(blobs_done=done, last_blob=sha)

        keys.update(data_dir, change)

    for number, sha in enumerate(names, 1):
        if sha > last:
            with contextlib.suppress(BlobCorrupted):  # damaged before: `verify` names it, nothing to save
                resealed += workspace.blobs.reseal(sha)
            if time.monotonic() - noted > JOURNAL_EVERY_SECONDS:
                note(number, sha)
                noted = time.monotonic()
        if progress is not None:
            progress(number, len(names))

    def close(data: dict) -> None:
        data.pop("rotation", None)

    keys.update(data_dir, close)
    workspace.blobs.set_keys(crypto.blob_key(workspace.data_key), None)
    return resealed


def resume(workspace) -> None:
    """At open: finish a rotation under way, or start one that a disable asked for."""
    data = keys.load(workspace.data_dir)
    if data.get("rotation"):
        finish(workspace)
    due = keys.load(workspace.data_dir).get("rotation_due")
    if due:
        if due.get("disable"):
            with write_transaction(workspace.engine) as connection:
                cursor = connection.connection.driver_connection.cursor()
                if cursor.execute(
                    "UPDATE users SET active = 0 WHERE username = ? AND active = 1", (due["disable"],)
                ).rowcount:
                    _log(
                        connection,
                        workspace,
                        due.get("by", ""),
                        Action.USER_DISABLED,
                        f"user={due['disable']}",
                    )
        _rotate(workspace, due.get("by", ""), due.get("reason", ""), None)
