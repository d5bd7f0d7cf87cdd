"""This desk's side of sync: the outbox, the cursor, applying pulled pages, moving files.

The outbox is simply the local events the server has not numbered yet (`server_seq IS NULL`), in local
`seq` order, so it is written in the same SQLite transaction as every event. Whatever the network does,
each step leaves the desk consistent: a pushed batch is recorded in one SQLite transaction after the
server committed it (and a retry finds it there, idempotent by event id); a pulled page and the new
cursor are saved in one SQLite transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from desktop.domain.errors import N_, DomainError
from desktop.domain.events import EventType
from desktop.store import eventlog
from desktop.store.blobs import BlobStore
from desktop.store.codec import row_to_event
from desktop.store.crypto import resegment
from desktop.store.database import raw_cursor as _raw
from desktop.store.database import write_transaction
from desktop.sync.connection import SyncRefused
from desktop.sync.redaction import referenced_blobs
from desktop.sync.server import CHUNK_SIZE, LogEntry, OutgoingEvent, ServerSession, chunk_count

Progress = Callable[[str, int, int], None]  # (phase, done, total): "upload", "push", "pull", "download"
PAGE_SIZE = 5000
PUSH_BATCH_SIZE = 2000
_EVENT_COLUMNS = eventlog.EVENT_COLUMNS
_BLOB_EVENTS = (EventType.ATTACHMENT_ADDED, EventType.LETTER_PRINTED)


def _no_progress(_phase: str, _done: int, _total: int) -> None:
    pass


@dataclass
class PushStats:
    pushed: int = 0  # events new on the server
    blobs_uploaded: int = 0
    chunks_uploaded: int = 0
    assignments: dict[str, str] = field(default_factory=dict)  # provisional → final diary number


class SyncClient:
    """The local half of a sync round; the server half is a `ServerSession`."""

    def __init__(
        self,
        engine: Engine,
        blobs: BlobStore,
        *,
        new_id: Callable[[], str],
        hlc_now: Callable[[], str],
        observe: Callable[[str], None] = lambda _hlc: None,
        page_size: int | None = None,
        push_batch_size: int | None = None,
    ) -> None:
        self.engine = engine
        self.blobs = blobs
        self.new_id = new_id
        self.hlc_now = hlc_now
        self.observe = observe
        self.page_size = page_size or PAGE_SIZE
        self.push_batch_size = push_batch_size or PUSH_BATCH_SIZE

    # -- local state ---------------------------------------------------------------------------------
    def state(self) -> dict[str, str]:
        with self.engine.connect() as connection:
            return dict(_raw(connection).execute("SELECT key, value FROM sync_state").fetchall())

    def set_state(self, **values: str | None) -> None:
        """Save (or, with None, forget) sync state values in one transaction."""
        with write_transaction(self.engine) as connection:
            cursor = _raw(connection)
            for key, value in values.items():
                if value is None:
                    cursor.execute("DELETE FROM sync_state WHERE key = ?", (key,))
                else:
                    _put_state(cursor, key, value)

    def cursor(self) -> int:
        return int(self.state().get("cursor", "0"))

    def outbox_count(self) -> int:
        with self.engine.connect() as connection:
            return (
                _raw(connection).execute("SELECT count(*) FROM events WHERE server_seq IS NULL").fetchone()[0]
            )

    def outbox(self, limit: int) -> list[OutgoingEvent]:
        with self.engine.connect() as connection:
            rows = (
                _raw(connection)
                .execute(
                    f"SELECT seq, {_EVENT_COLUMNS} FROM events WHERE server_seq IS NULL ORDER BY seq LIMIT ?",
                    (limit,),
                )
                .fetchall()
            )
        return [OutgoingEvent(row_to_event(row[1:]), row[0]) for row in rows]

    def missing_blobs(self) -> list[str]:
        with self.engine.connect() as connection:
            rows = (
                _raw(connection).execute("SELECT sha256 FROM sync_missing_blobs ORDER BY sha256").fetchall()
            )
        return [row[0] for row in rows]

    # -- push ----------------------------------------------------------------------------------------
    def push(self, session: ServerSession, progress: Progress | None = None) -> PushStats:
        """Send the outbox batch by batch (files first), recording the server's numbers after each."""
        progress = progress or _no_progress
        stats = PushStats()
        total = self.outbox_count()
        done = 0
        while batch := self.outbox(self.push_batch_size):
            for sha in sorted(referenced_blobs([item.event for item in batch])):
                chunks = self.upload_blob(session, sha, progress)
                if chunks is not None:
                    stats.blobs_uploaded += 1
                    stats.chunks_uploaded += chunks
            result = session.push(batch, self.new_id, self.hlc_now)
            self._record_push(batch, result.seqs, result.created)
            stats.pushed += result.inserted
            stats.assignments.update(result.assignments)
            done += len(batch)
            progress("push", done, max(total, done))
            if len(batch) < self.push_batch_size:
                break
        return stats

    def _record_push(self, batch: list[OutgoingEvent], seqs: dict[str, int], created: list[LogEntry]) -> None:
        """The server committed: note its numbers and add what it wrote (final diary numbers), in one go."""
        with write_transaction(self.engine) as connection:
            cursor = _raw(connection)
            eventlog.mark_pushed(cursor, [(seqs[item.event.id], item.event.id) for item in batch])
            self._insert_entries(cursor, created)
            eventlog.refold(connection, sorted({entry.event.case_id for entry in created}))

    @staticmethod
    def _insert_entries(cursor, entries: list[LogEntry]) -> tuple[list[LogEntry], set[str]]:
        """Insert the entries this desk does not have; number the ones it has. Returns (new, cases reordered)."""
        inserted, reordered = eventlog.append_pulled(
            cursor, [(entry.event, entry.server_seq) for entry in entries]
        )
        return [entry for entry in entries if entry.event.id in inserted], reordered

    # -- pull ----------------------------------------------------------------------------------------
    def pull(self, session: ServerSession, progress: Progress | None = None) -> int:
        """Fetch pages after the cursor until the log is read; returns how many events were new here."""
        progress = progress or _no_progress
        cursor = self.cursor()
        total = max(0, session.last_seq() - cursor)
        done = new = 0
        while page := session.page(cursor, self.page_size):
            new += self.apply_page(page)
            cursor = page[-1].server_seq
            done += len(page)
            progress("pull", done, max(total, done))
            if len(page) < self.page_size:
                break
        return new

    def apply_page(self, page: list[LogEntry]) -> int:
        """One page and the new cursor in one SQLite transaction; the touched cases are folded again."""
        purged_files: set[str] = set()
        with write_transaction(self.engine) as connection:
            cursor = _raw(connection)
            new, reordered = self._insert_entries(cursor, page)
            touched = {entry.event.case_id for entry in new} | reordered
            missing = [
                (entry.event.payload["sha256"], entry.event.case_id)
                for entry in new
                if entry.event.type in _BLOB_EVENTS
                and entry.event.payload.get("sha256")
                and not self.blobs.exists(entry.event.payload["sha256"])
            ]
            cursor.executemany(
                "INSERT OR IGNORE INTO sync_missing_blobs (sha256, case_id) VALUES (?, ?)", missing
            )
            for case_id in sorted({e.event.case_id for e in new if e.event.type is EventType.CASE_PURGED}):
                purged_files |= _redact_local_case(cursor, case_id)
            eventlog.refold(connection, sorted(touched))
            purged_files = {sha for sha in purged_files if not _still_attached(cursor, sha)}
            _put_state(cursor, "cursor", str(page[-1].server_seq))
        for sha in sorted(purged_files):  # after the commit: a crash here leaves a file, never a hole
            self.blobs.delete(sha)
        if page:
            self.observe(max(entry.event.hlc for entry in page))
        return len(new)

    # -- files ---------------------------------------------------------------------------------------
    def upload_blob(
        self, session: ServerSession, sha256: str, progress: Progress | None = None
    ) -> int | None:
        """Send a file the server lacks, resuming from the chunks it already has.

        Returns the number of chunks sent, or None when the server already had the whole file.
        """
        progress = progress or _no_progress
        state = session.blob_state(sha256)
        if state is not None and state[0]:
            return None
        if not self.blobs.exists(sha256):
            return None  # not on this desk either (e.g. a letter printed elsewhere): nothing to send
        problem = self.blobs.verify(sha256)
        if problem:
            raise DomainError(
                N_("The file {sha} is {problem} on this desk; it cannot be sent."),
                sha=sha256[:12],
                problem=problem,
            )
        size = self.blobs.size(sha256)  # of the content: an encrypted desk sends it decrypted
        held: set[int] = set()
        if state is None:
            session.begin_blob(sha256, size)
        else:
            held = state[1]
        count = chunk_count(size)
        sent = 0
        digest = hashlib.sha256()  # of the sealed chunks: the same bytes on every upload, held or sent
        for index, chunk in enumerate(resegment(self.blobs.iter_chunks(sha256), CHUNK_SIZE)):
            if index >= count:
                break
            sealed = session.seal_chunk(sha256, index, count, chunk)
            digest.update(sealed)
            if index in held:
                continue
            session.put_chunk(sha256, index, sealed)
            sent += 1
            progress("upload", len(held) + sent, count)
        outcome = session.finish_blob(sha256, digest.hexdigest())
        if outcome == "corrupted":
            raise SyncRefused(
                N_(
                    "The file {sha} arrived damaged on the server and was discarded; it is sent again next time."
                ),
                sha=sha256[:12],
            )
        if outcome != "complete":
            raise SyncRefused(
                N_("The server did not accept the file {sha} ({outcome})."), sha=sha256[:12], outcome=outcome
            )
        return sent

    def download_blob(self, session: ServerSession, sha256: str) -> bool:
        """Fetch one file into the local store, checked against its name. False when the server lacks it."""
        if not self.blobs.exists(sha256):
            if session.blob_size(sha256) is None:
                return False
            stored = self.blobs.put_stream(session.read_blob(sha256))
            if stored.sha256 != sha256:
                if not stored.already_stored:
                    self.blobs.delete(stored.sha256)
                raise SyncRefused(N_("The file {sha} arrived damaged from the server."), sha=sha256[:12])
        with write_transaction(self.engine) as connection:
            _raw(connection).execute("DELETE FROM sync_missing_blobs WHERE sha256 = ?", (sha256,))
        return True

    def download_missing(self, session: ServerSession, progress: Progress | None = None) -> int:
        """Fetch every file pulled events refer to and this desk lacks (eager mode)."""
        progress = progress or _no_progress
        missing = self.missing_blobs()
        fetched = 0
        for done, sha in enumerate(missing, start=1):
            if self.download_blob(session, sha):
                fetched += 1
            progress("download", done, len(missing))
        return fetched

    # -- accounts ------------------------------------------------------------------------------------
    def local_accounts(self) -> list[tuple]:
        with self.engine.connect() as connection:
            rows = (
                _raw(connection)
                .execute("SELECT username, display_name, role, active, password_hash, created_at FROM users")
                .fetchall()
            )
        return [(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]

    def merge_accounts(self, rows: list[tuple]) -> int:
        """Add the server's accounts this desk does not have (existing ones are left as they are)."""
        with write_transaction(self.engine) as connection:
            return insert_accounts(_raw(connection), rows)


def insert_accounts(cursor, rows: list[tuple]) -> int:
    before = cursor.execute("SELECT count(*) FROM users").fetchone()[0]
    cursor.executemany(
        "INSERT OR IGNORE INTO users (username, display_name, role, active, password_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(r[0], r[1], r[2], int(bool(r[3])), r[4], r[5]) for r in rows],
    )
    return cursor.execute("SELECT count(*) FROM users").fetchone()[0] - before


def _put_state(cursor, key: str, value: str) -> None:
    cursor.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def put_state(cursor, key: str, value: str) -> None:
    """Save one sync state value inside the caller's transaction."""
    _put_state(cursor, key, value)


def _still_attached(cursor, sha256: str) -> bool:
    return (
        cursor.execute("SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", (sha256,)).fetchone() is not None
    )


def _redact_local_case(cursor, case_id: str) -> set[str]:
    """A purge arrived: the case's local events without the person's data (eventlog); returns its files."""
    files = eventlog.redact_case(cursor, case_id)
    cursor.execute("DELETE FROM sync_missing_blobs WHERE case_id = ?", (case_id,))
    return files


def redact_local_case(cursor, case_id: str) -> set[str]:
    """Strip the person from a case's local events (after its `CasePurged`); returns the files it used.

    Inside the caller's write transaction; the local purge (services/retention.py) uses it too.
    """
    return _redact_local_case(cursor, case_id)


__all__ = [
    "PAGE_SIZE",
    "Progress",
    "PushStats",
    "SyncClient",
    "insert_accounts",
    "put_state",
    "redact_local_case",
]
