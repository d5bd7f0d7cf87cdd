"""The access log (design §3): who saw, printed, exported or searched what, and every sign-in, refusal and
administrative act — append-only and hash-chained, so a changed or removed entry shows.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical JSON form; the
database refuses UPDATE and DELETE on the table (migration 0003). `verify_chain` recomputes it all.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.services.accounts import require
from desktop.store.database import raw_cursor, write_transaction

GENESIS = "0" * 64
_COLUMNS = "seq, at, username, role, device_id, action, case_id, diary_number, detail, prev_hash, hash"


class Action(StrEnum):
    VIEW = "view"  # a case opened (requester's data in full)
    VIEW_FILE = "view_file"  # an attached file opened
    PRINT = "print"  # a letter or list with personal data rendered
    EXPORT = "export"  # a file with case data written
    SEARCH = "search"  # a search whose results show personal data (the query in `detail`)
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    UNLOCK = "unlock"  # the idle lock opened again
    DENIED = "denied"  # an action the user's role does not allow
    PURGE = "purge"
    BACKUP = "backup"
    RESTORE = "restore"
    USER_CREATED = "user_created"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    ROLE_CHANGED = "role_changed"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    RECOVERY_KEY_USED = "recovery_key_used"
    KEY_ROTATED = "key_rotated"  # a new data key (an account closed); `detail` says why
    LOG_EXPORTED = "log_exported"


@dataclass(frozen=True)
class AccessEntry:
    seq: int
    at: str  # UTC, ISO 8601 with microseconds
    username: str
    role: str
    device_id: str
    action: str
    case_id: str
    diary_number: str
    detail: str
    prev_hash: str
    hash: str

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)


def entry_hash(prev_hash: str, seq: int, at: str, username: str, role: str, device_id: str, action: str,
               case_id: str, diary_number: str, detail: str) -> str:  # fmt: skip
    canonical = json.dumps(
        [seq, at, username, role, device_id, action, case_id, diary_number, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def append(
    connection,
    *,
    username: str,
    role: str,
    device_id: str,
    action: str,
    case_id: str = "",
    diary_number: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> AccessEntry:
    """Append one entry inside the caller's write transaction (which holds the write lock: no two
    writers can chain onto the same previous entry)."""
    cursor = raw_cursor(connection)
    last = cursor.execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    values = (username, role, device_id, str(action), case_id, diary_number, detail)
    digest = entry_hash(prev, seq, when, *values)
    cursor.execute(
        f"INSERT INTO access_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, when, *values, prev, digest),
    )
    return AccessEntry(seq, when, *values, prev, digest)


def record_in(connection, workspace, user: User, action: Action | str, case_id: str = "", diary_number: str = "",
              detail: str = "", at: datetime | None = None) -> AccessEntry:  # fmt: skip
    """Log an act of `user` inside the caller's transaction (it is committed with the act, or not at all)."""
    return append(
        connection,
        username=user.username,
        role=user.role.value,
        device_id=workspace.settings.device_id,
        action=action,
        case_id=case_id,
        diary_number=diary_number,
        detail=detail,
        at=at,
    )


def record(workspace, user: User, action: Action | str, case_id: str = "", diary_number: str = "",
           detail: str = "", at: datetime | None = None) -> AccessEntry:  # fmt: skip
    """Log an act of `user` durably (its own transaction) before the caller shows or writes anything."""
    with write_transaction(workspace.engine) as connection:
        return record_in(connection, workspace, user, action, case_id, diary_number, detail, at)


# -- refusals ------------------------------------------------------------------------------------------------


def _refused_call() -> str:
    """The service method that was refused (the first frame outside the permission check)."""
    frame = sys._getframe(1)
    skip = {__file__, sys.modules["desktop.services.accounts"].__file__}
    while frame is not None and frame.f_code.co_filename in skip:
        frame = frame.f_back
    if frame is None:
        return ""
    module = frame.f_globals.get("__name__", "")
    return f"{module.rsplit('.', 1)[-1]}.{getattr(frame.f_code, 'co_qualname', frame.f_code.co_name)}"


def bind(workspace, user: User) -> User:
    """The user, with refusals written to this data dir's access log."""

    def denied(who: User, permission: Permission) -> None:
        detail = f"permission={permission.value}"
        call = _refused_call()
        if call:
            detail += f" call={call}"
        record(workspace, who, Action.DENIED, detail=detail)

    return replace(user, on_denied=denied)


# -- reading and checking ------------------------------------------------------------------------------------


def _entry(row) -> AccessEntry:
    return AccessEntry(*row)


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken: AccessEntry | None  # the first entry whose hash or link does not hold
    reason: str = ""


def verify_chain(connection) -> ChainCheck:
    """Recompute every hash in order: the first entry that was changed, removed under or reordered."""
    cursor = raw_cursor(connection)
    cursor.execute(f"SELECT {_COLUMNS} FROM access_log ORDER BY seq")
    prev, expected_seq, count = GENESIS, 1, 0
    while rows := cursor.fetchmany(5000):
        for row in rows:
            entry = _entry(row)
            count += 1
            reason = ""
            if entry.seq != expected_seq:
                reason = "missing entries before it"
            elif entry.prev_hash != prev:
                reason = "does not link to the entry before it"
            elif entry.hash != entry_hash(
                entry.prev_hash, entry.seq, entry.at, entry.username, entry.role, entry.device_id,
                entry.action, entry.case_id, entry.diary_number, entry.detail,
            ):  # fmt: skip
                reason = "changed after it was written"
            if reason:
                return ChainCheck(count, entry, reason)
            prev, expected_seq = entry.hash, entry.seq + 1
    return ChainCheck(count, None)


class AccessLogService:
    """Reading and exporting the log: administrators only (and that is logged too)."""

    def __init__(self, workspace, user: User) -> None:
        self.workspace = workspace
        self.user = bind(workspace, user)

    def entries(self, diary: str = "", username: str = "", limit: int | None = 5000) -> list[AccessEntry]:
        """Newest first; `diary` (a diary number) and `username` narrow it."""
        require(self.user, Permission.VIEW_ACCESS_LOG)
        return self._select(diary, username, limit)

    def _select(self, diary: str, username: str, limit: int | None) -> list[AccessEntry]:
        where, params = [], []
        if diary.strip():
            where.append("diary_number = ?")
            params.append(diary.strip())
        if username.strip():
            where.append("username = ?")
            params.append(username.strip())
        sql = f"SELECT {_COLUMNS} FROM access_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self.workspace.engine.connect() as connection:
            return [_entry(row) for row in raw_cursor(connection).execute(sql, params).fetchall()]

    def export_csv(self, path: Path, diary: str = "", username: str = "") -> int:
        """Write the (filtered) log as CSV, oldest first, whole or not at all. Returns the number of entries."""
        require(self.user, Permission.VIEW_ACCESS_LOG)
        path = Path(path)
        if not path.parent.is_dir():
            raise DomainError(N_("The folder {folder} does not exist."), folder=str(path.parent))
        rows = list(reversed(self._select(diary, username, None)))
        detail = f"file={path.name} entries={len(rows)}"
        if diary.strip():
            detail += f" diary={diary.strip()}"
        if username.strip():
            detail += f" user={username.strip()}"
        record(self.workspace, self.user, Action.LOG_EXPORTED, detail=detail)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(_COLUMNS.split(", "))
                for entry in rows:
                    writer.writerow(
                        [entry.seq, entry.at, entry.username, entry.role, entry.device_id, entry.action,
                         entry.case_id, entry.diary_number, entry.detail, entry.prev_hash, entry.hash]
                    )  # fmt: skip
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except OSError as error:
            Path(temp).unlink(missing_ok=True)
            raise DomainError(
                N_("Cannot write {file}: {reason}"), file=str(path), reason=error.strerror or str(error)
            ) from None
        return len(rows)


__all__ = [
    "Action",
    "AccessEntry",
    "AccessLogService",
    "ChainCheck",
    "bind",
    "record",
    "record_in",
    "verify_chain",
]
