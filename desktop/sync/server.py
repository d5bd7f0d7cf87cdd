"""What a workstation does on the server, one method per round trip: push a batch, read a page, move blobs.

The push is one PostgreSQL transaction that, once everything is checked, takes the log's lock (the single
`sync_counter` row) for the instant of stamping, inserting and committing: pushes therefore commit one
after another in the order of the numbers they stamp, and a client reading `server_seq > cursor` can never
pass a row that commits later with a lower number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC

import psycopg

from desktop.domain.errors import N_
from desktop.domain.events import Event, EventType
from desktop.store.codec import dumps
from desktop.sync.connection import ServerInfo, SyncRefused, connect, server_errors, server_info
from desktop.sync.redaction import redact
from desktop.sync.sealing import TAG, OfficeSeal, SealedEvent, chunked_size

CHUNK_SIZE = 1 << 20  # bytes per blob chunk on the server
SERVER_ACTOR = "server"
SERVER_DEVICE = "server"
_LOG_COLUMNS = "server_seq, id, case_id, type, payload, actor, at, device_id, hlc"
_INSERT_COLUMNS = f"{_LOG_COLUMNS}, diary, blob_ref, device_seq"
_PROVISIONAL = re.compile(r"^(?P<prefix>[^/]+)/P(?P<n>\d+)/(?P<year>\d{4})$")
_FINAL = re.compile(r"^(?P<prefix>[^/]+)/(?P<n>\d+)/(?P<year>\d{4})$")


@dataclass(frozen=True)
class OutgoingEvent:
    event: Event
    device_seq: int  # the pushing desk's local `seq`: increases with every event it records


@dataclass(frozen=True)
class LogEntry:
    server_seq: int
    event: Event


@dataclass
class PushResult:
    seqs: dict[str, int] = field(default_factory=dict)  # event id → server_seq, for each event of the batch
    created: list[LogEntry] = field(default_factory=list)  # events the server wrote (final diary numbers)
    inserted: int = 0  # how many of the pushed events were new on the server
    assignments: dict[str, str] = field(default_factory=dict)  # provisional → final diary number


def provisional_parts(diary_number: str) -> tuple[str, int] | None:
    """(prefix, year) of a provisional number like `KEHA/P3/2026`; None for a final one."""
    match = _PROVISIONAL.match(diary_number)
    return (match["prefix"], int(match["year"])) if match else None


def chunk_count(size: int) -> int:
    return (size + CHUNK_SIZE - 1) // CHUNK_SIZE


def plain_row(event: Event) -> SealedEvent:
    """A server-made event (a final diary number) as stored: the server holds no key, nothing personal in it."""
    return SealedEvent(
        event.id,
        event.case_id,
        event.type.value,
        dumps(event.payload),
        event.actor,
        event.at.isoformat(timespec="microseconds"),
        event.device_id,
        event.hlc,
        None,
        None,
    )


def _row_params(row: SealedEvent) -> tuple:
    return (row.id, row.case_id, row.type, row.sealed, row.actor, row.at, row.device_id, row.hlc)


class ServerSession:
    """One open connection to the server, its schema checked; `seal` (the office's keys) seals and opens."""

    def __init__(
        self, connection: psycopg.Connection, info: ServerInfo, seal: OfficeSeal | None = None
    ) -> None:
        self.connection = connection
        self.info = info
        self._seal = seal
        # Fault injection for tests: called inside the push transaction just before it commits.
        self.before_commit: Callable[[psycopg.Cursor], None] | None = None

    @classmethod
    def open(cls, url: str, seal: OfficeSeal | None = None, password: str | None = None) -> ServerSession:
        connection = connect(url, password=password)
        try:
            return cls(connection, server_info(connection), seal)
        except BaseException:
            connection.close()
            raise

    @property
    def seal(self) -> OfficeSeal:
        if self._seal is None:
            raise SyncRefused(N_("This desk holds no office key: it has to be enrolled before it can sync."))
        return self._seal

    def _open(self, row) -> Event:
        return self.seal.open_event(row)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> ServerSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the log -------------------------------------------------------------------------------------
    def last_seq(self) -> int:
        with server_errors():
            return self.connection.execute("SELECT last_seq FROM sync_counter").fetchone()[0]

    def page(self, after: int, limit: int) -> list[LogEntry]:
        """The next committed entries after `after`, in server order."""
        with server_errors():
            rows = self.connection.execute(
                f"SELECT {_LOG_COLUMNS} FROM change_log WHERE server_seq > %s ORDER BY server_seq LIMIT %s",
                (after, limit),
            ).fetchall()
        return [LogEntry(row[0], self._open(row[1:])) for row in rows]

    def case_log(self, cursor: psycopg.Cursor, case_id: str) -> list[LogEntry]:
        rows = cursor.execute(
            f"SELECT {_LOG_COLUMNS} FROM change_log WHERE case_id = %s ORDER BY server_seq", (case_id,)
        ).fetchall()
        return [LogEntry(row[0], self._open(row[1:])) for row in rows]

    def push(
        self, batch: list[OutgoingEvent], new_id: Callable[[], str], hlc_now: Callable[[], str]
    ) -> PushResult:
        """Append the batch in one transaction: idempotent by event id, in device order, final diary numbers."""
        ids = [item.event.id for item in batch]
        if len(set(ids)) != len(ids):
            raise SyncRefused(N_("The batch names the same event twice; nothing was sent."))
        with server_errors(), self.connection.transaction(), self.connection.cursor() as cur:
            now = cur.execute("SELECT now()").fetchone()[0].astimezone(UTC)
            existing = dict(
                cur.execute("SELECT id, server_seq FROM change_log WHERE id = ANY(%s)", (ids,)).fetchall()
            )
            new = [item for item in batch if item.event.id not in existing]
            last_by_device = self._check_device_order(cur, new)
            self._check_blobs(cur, new)
            purged = self._purged_cases(cur, {item.event.case_id for item in new})
            result = PushResult(seqs=dict(existing))
            rows: list[tuple[Event, int | None]] = []
            for item in new:
                event = item.event
                if event.case_id in purged:
                    event = redact(event)  # a desk that had not heard of the purge yet
                rows.append((event, item.device_seq))
                if event.type is EventType.CASE_REGISTERED:
                    assigned = self._assign_number(cur, event, now, new_id, hlc_now)
                    if assigned is not None:
                        rows.append((assigned, None))
                        result.assignments[assigned.payload["provisional"]] = assigned.payload["diary_number"]
            self._known_assignments(cur, [item.event for item in batch if item.event.id in existing], result)
            if rows:
                # The log's lock, taken only now (everything else is checked) and held until commit.
                base = cur.execute("SELECT kirjaamo_stamp(%s)", (len(rows),)).fetchone()[0]
                params = []
                for i, (event, device_seq) in enumerate(rows, start=1):
                    row = plain_row(event) if device_seq is None else self.seal.seal_event(event)
                    params.append((base + i, *_row_params(row), row.diary, row.blob_ref, device_seq))
                cur.executemany(
                    f"INSERT INTO change_log ({_INSERT_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                    params,
                )
                written = cur.execute(
                    "SELECT count(*) FROM change_log WHERE server_seq > %s", (base,)
                ).fetchone()[0]
                if written != len(rows):  # never leave a hole in the numbering
                    raise SyncRefused(N_("The server log changed during the push; nothing was sent."))
                for seq, (event, device_seq) in enumerate(rows, start=base + 1):
                    if device_seq is None:
                        result.created.append(LogEntry(seq, event))
                    result.seqs[event.id] = seq
                result.inserted = len(new)
            result.seqs = {event_id: result.seqs[event_id] for event_id in ids}
            cur.executemany(
                "INSERT INTO devices (device_id, last_device_seq) VALUES (%s, %s) ON CONFLICT (device_id) "
                "DO UPDATE SET last_device_seq = excluded.last_device_seq, last_push = now()",
                list(last_by_device.items()),
            )
            if self.before_commit is not None:
                self.before_commit(cur)
        return result

    def _check_device_order(self, cur: psycopg.Cursor, new: list[OutgoingEvent]) -> dict[str, int]:
        devices = sorted({item.event.device_id for item in new})
        last = dict(
            cur.execute(
                "SELECT device_id, last_device_seq FROM devices WHERE device_id = ANY(%s) FOR UPDATE",
                (devices,),
            ).fetchall()
        )
        for item in new:
            previous = last.get(item.event.device_id, 0)
            if item.device_seq <= previous:
                raise SyncRefused(
                    N_(
                        "The server refused an out-of-order batch: event {seq} of desk {device} comes "
                        "after {previous}; nothing was sent."
                    ),
                    seq=item.device_seq,
                    device=item.event.device_id,
                    previous=previous,
                )
            last[item.event.device_id] = item.device_seq
        return {device: last[device] for device in devices}

    def _check_blobs(self, cur: psycopg.Cursor, new: list[OutgoingEvent]) -> None:
        needed = {
            self.seal.blob_name(item.event.payload["sha256"]): item.event.payload["sha256"]
            for item in new
            if item.event.type is EventType.ATTACHMENT_ADDED
        }
        if not needed:
            return
        complete = {
            row[0]
            for row in cur.execute(
                "SELECT sha256 FROM blobs WHERE complete AND sha256 = ANY(%s)", (sorted(needed),)
            ).fetchall()
        }
        missing = sorted(needed[name] for name in set(needed) - complete)
        if missing:
            raise SyncRefused(
                N_("The file {sha} has not reached the server yet; nothing was sent."), sha=missing[0][:12]
            )

    @staticmethod
    def _purged_cases(cur: psycopg.Cursor, case_ids: set[str]) -> set[str]:
        if not case_ids:
            return set()
        rows = cur.execute(
            "SELECT DISTINCT case_id FROM change_log WHERE type = %s AND case_id = ANY(%s)",
            (EventType.CASE_PURGED.value, sorted(case_ids)),
        ).fetchall()
        return {row[0] for row in rows}

    def _assign_number(self, cur: psycopg.Cursor, registered: Event, now, new_id, hlc_now) -> Event | None:
        number = registered.payload["diary_number"]
        provisional = provisional_parts(number)
        if provisional is None:
            final = _FINAL.match(number)
            if final:  # numbered by a standalone desk: the office's counter moves past it
                cur.execute(
                    "INSERT INTO diary_counters (prefix, year, last) VALUES (%s, %s, %s) "
                    "ON CONFLICT (prefix, year) DO UPDATE SET last = GREATEST(diary_counters.last, excluded.last)",
                    (final["prefix"], int(final["year"]), int(final["n"])),
                )
            return None
        prefix, year = provisional
        received = str(registered.payload.get("received", ""))
        if received[:4].isdigit() and 2000 <= int(received[:4]) <= now.year:
            year = int(received[:4])  # the series of the year the request came in, never a desk's clock
        else:
            year = min(year, now.year)
        known = cur.execute("SELECT 1 FROM case_numbers WHERE case_id = %s", (registered.case_id,)).fetchone()
        if known:
            return None
        last = cur.execute(
            "INSERT INTO diary_counters (prefix, year, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = diary_counters.last + 1 RETURNING last",
            (prefix, year),
        ).fetchone()[0]
        final_number = f"{prefix}/{last}/{year}"
        event = Event(
            id=new_id(),
            case_id=registered.case_id,
            type=EventType.DIARY_NUMBER_ASSIGNED,
            payload={"diary_number": final_number, "provisional": number},
            actor=SERVER_ACTOR,
            at=now,
            device_id=SERVER_DEVICE,
            hlc=hlc_now(),
        )
        cur.execute(
            "INSERT INTO case_numbers (case_id, diary_number, provisional, event_id) VALUES (%s, %s, %s, %s)",
            (registered.case_id, final_number, number, event.id),
        )
        return event

    def _known_assignments(self, cur: psycopg.Cursor, retried: list[Event], result: PushResult) -> None:
        """A retried push of registrations already on the server: hand back their numbers again."""
        case_ids = [e.case_id for e in retried if e.type is EventType.CASE_REGISTERED]
        if not case_ids:
            return
        rows = cur.execute(
            "SELECT l.server_seq, l.id, l.case_id, l.type, l.payload, l.actor, l.at, l.device_id, l.hlc "
            "FROM case_numbers n JOIN change_log l ON l.id = n.event_id WHERE n.case_id = ANY(%s) "
            "ORDER BY l.server_seq",
            (case_ids,),
        ).fetchall()
        for row in rows:
            entry = LogEntry(row[0], self._open(row[1:]))
            result.created.append(entry)
            result.assignments[entry.event.payload["provisional"]] = entry.event.payload["diary_number"]

    # -- blobs ---------------------------------------------------------------------------------------
    # The server names a file by `seal.blob_name(sha256)` and holds only sealed chunks; callers speak of
    # the content's SHA-256, as the local blob store does.
    def blob_state(self, sha256: str) -> tuple[bool, set[int]] | None:
        """(complete, chunk indexes held) of a blob, None when the server has never heard of it."""
        name = self.seal.blob_name(sha256)
        with server_errors():
            row = self.connection.execute("SELECT complete FROM blobs WHERE sha256 = %s", (name,)).fetchone()
            if row is None:
                return None
            if row[0]:
                return True, set()
            held = self.connection.execute(
                "SELECT idx FROM blob_chunks WHERE sha256 = %s", (name,)
            ).fetchall()
        return False, {r[0] for r in held}

    def begin_blob(self, sha256: str, size: int) -> None:
        with server_errors():
            self.connection.execute(
                "INSERT INTO blobs (sha256, size, chunk_count) VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                (self.seal.blob_name(sha256), chunked_size(size, CHUNK_SIZE), chunk_count(size)),
            )

    def seal_chunk(self, sha256: str, index: int, count: int, data: bytes) -> bytes:
        """The chunk as the server stores it (the same bytes on every upload of the same file)."""
        return self.seal.seal_chunk(self.seal.blob_name(sha256), CHUNK_SIZE, index, count, data)

    def put_chunk(self, sha256: str, index: int, sealed: bytes) -> None:
        """One sealed chunk, committed on its own: an upload cut in the middle keeps what arrived."""
        with server_errors():
            self.connection.execute(
                "INSERT INTO blob_chunks (sha256, idx, data) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (self.seal.blob_name(sha256), index, sealed),
            )

    def finish_blob(self, sha256: str, digest: str) -> str:
        """'complete', 'incomplete', 'corrupted' (the chunks were thrown away) or 'missing'.

        `digest` is the SHA-256 of the sealed chunks in order: the server checks what it holds against it.
        """
        with server_errors():
            return self.connection.execute(
                "SELECT kirjaamo_finish_blob(%s, %s)", (self.seal.blob_name(sha256), digest)
            ).fetchone()[0]

    def blob_size(self, sha256: str) -> int | None:
        """The size of the file's content, None when the server has no complete copy."""
        with server_errors():
            row = self.connection.execute(
                "SELECT size, chunk_count FROM blobs WHERE sha256 = %s AND complete",
                (self.seal.blob_name(sha256),),
            ).fetchone()
        return None if row is None else int(row[0]) - int(row[1]) * TAG

    def read_blob(self, sha256: str) -> Iterator[bytes]:
        """The content of a complete blob, chunk by chunk, each opened (memory stays at one chunk)."""
        name = self.seal.blob_name(sha256)
        with server_errors():
            count = self.connection.execute(
                "SELECT chunk_count FROM blobs WHERE sha256 = %s AND complete", (name,)
            ).fetchone()
        if count is None:
            raise SyncRefused(N_("The file {sha} is not on the server."), sha=sha256[:12])
        for index in range(count[0]):
            with server_errors():
                row = self.connection.execute(
                    "SELECT data FROM blob_chunks WHERE sha256 = %s AND idx = %s", (name, index)
                ).fetchone()
            if row is None:
                raise SyncRefused(N_("The file {sha} is not on the server."), sha=sha256[:12])
            yield self.seal.open_chunk(name, CHUNK_SIZE, index, count[0], bytes(row[0]))

    # -- accounts and office (sealed records) --------------------------------------------------------
    def _records(self, kind: str) -> list[object]:
        with server_errors():
            rows = self.connection.execute(
                "SELECT name, sealed FROM sealed_records WHERE kind = %s ORDER BY name", (kind,)
            ).fetchall()
        return [self.seal.open_record(kind, name, bytes(sealed)) for name, sealed in rows]

    def _offer_records(self, kind: str, values: list[tuple[str, object]]) -> int:
        if not values:
            return 0
        sealed = [(kind, *self.seal.seal_record(kind, key, value)) for key, value in values]
        with server_errors(), self.connection.transaction(), self.connection.cursor() as cur:
            before = cur.execute("SELECT count(*) FROM sealed_records WHERE kind = %s", (kind,)).fetchone()[0]
            cur.executemany(
                "INSERT INTO sealed_records (kind, name, sealed) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                sealed,
            )
            return (
                cur.execute("SELECT count(*) FROM sealed_records WHERE kind = %s", (kind,)).fetchone()[0]
                - before
            )

    def accounts(self) -> list[tuple]:
        """(username, display_name, role, active, password_hash, created_at) of every account."""
        return sorted(tuple(row) for row in self._records("account"))  # type: ignore[arg-type]

    def offer_accounts(self, rows: list[tuple]) -> int:
        """Add accounts the server does not have yet (existing ones are never overwritten)."""
        return self._offer_records("account", [(row[0], list(row)) for row in rows])

    def office(self) -> dict[str, object]:
        records = self._records("office")
        return dict(records[0]) if records else {}  # type: ignore[call-overload]

    def offer_office(self, values: dict[str, object]) -> None:
        """The first desk to sync gives the server its office settings; later offers change nothing."""
        self._offer_records("office", [("settings", values)])


__all__ = [
    "CHUNK_SIZE",
    "LogEntry",
    "OutgoingEvent",
    "PushResult",
    "ServerSession",
    "chunk_count",
    "provisional_parts",
]
