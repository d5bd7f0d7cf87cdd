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
from desktop.store.codec import dumps, event_to_params, row_to_event
from desktop.sync.connection import ServerInfo, SyncRefused, connect, server_errors, server_info
from desktop.sync.redaction import redact

CHUNK_SIZE = 1 << 20  # bytes per blob chunk on the server
SERVER_ACTOR = "server"
SERVER_DEVICE = "server"
_LOG_COLUMNS = "server_seq, id, case_id, type, payload, actor, at, device_id, hlc"
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


class ServerSession:
    """One open connection to the server, its schema checked."""

    def __init__(self, connection: psycopg.Connection, info: ServerInfo) -> None:
        self.connection = connection
        self.info = info
        # Fault injection for tests: called inside the push transaction just before it commits.
        self.before_commit: Callable[[psycopg.Cursor], None] | None = None

    @classmethod
    def open(cls, url: str) -> ServerSession:
        connection = connect(url)
        try:
            return cls(connection, server_info(connection))
        except BaseException:
            connection.close()
            raise

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
        return [LogEntry(row[0], row_to_event(row[1:])) for row in rows]

    def case_log(self, cursor: psycopg.Cursor, case_id: str) -> list[LogEntry]:
        rows = cursor.execute(
            f"SELECT {_LOG_COLUMNS} FROM change_log WHERE case_id = %s ORDER BY server_seq", (case_id,)
        ).fetchall()
        return [LogEntry(row[0], row_to_event(row[1:])) for row in rows]

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
                params = [
                    (base + i, *event_to_params(event), device_seq)
                    for i, (event, device_seq) in enumerate(rows, start=1)
                ]
                cur.executemany(
                    f"INSERT INTO change_log ({_LOG_COLUMNS}, device_seq) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
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
            item.event.payload["sha256"] for item in new if item.event.type is EventType.ATTACHMENT_ADDED
        }
        if not needed:
            return
        complete = {
            row[0]
            for row in cur.execute(
                "SELECT sha256 FROM blobs WHERE complete AND sha256 = ANY(%s)", (sorted(needed),)
            ).fetchall()
        }
        missing = needed - complete
        if missing:
            raise SyncRefused(
                N_("The file {sha} has not reached the server yet; nothing was sent."), sha=min(missing)[:12]
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

    @staticmethod
    def _known_assignments(cur: psycopg.Cursor, retried: list[Event], result: PushResult) -> None:
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
            entry = LogEntry(row[0], row_to_event(row[1:]))
            result.created.append(entry)
            result.assignments[entry.event.payload["provisional"]] = entry.event.payload["diary_number"]

    # -- blobs ---------------------------------------------------------------------------------------
    def blob_state(self, sha256: str) -> tuple[bool, set[int]] | None:
        """(complete, chunk indexes held) of a blob, None when the server has never heard of it."""
        with server_errors():
            row = self.connection.execute(
                "SELECT complete FROM blobs WHERE sha256 = %s", (sha256,)
            ).fetchone()
            if row is None:
                return None
            if row[0]:
                return True, set()
            held = self.connection.execute(
                "SELECT idx FROM blob_chunks WHERE sha256 = %s", (sha256,)
            ).fetchall()
        return False, {r[0] for r in held}

    def begin_blob(self, sha256: str, size: int) -> None:
        with server_errors():
            self.connection.execute(
                "INSERT INTO blobs (sha256, size, chunk_count) VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                (sha256, size, chunk_count(size)),
            )

    def put_chunk(self, sha256: str, index: int, data: bytes) -> None:
        """One chunk, committed on its own: an upload cut in the middle keeps what arrived."""
        with server_errors():
            self.connection.execute(
                "INSERT INTO blob_chunks (sha256, idx, data) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (sha256, index, data),
            )

    def finish_blob(self, sha256: str) -> str:
        """'complete', 'incomplete', 'corrupted' (the chunks were thrown away) or 'missing'."""
        with server_errors():
            return self.connection.execute("SELECT kirjaamo_finish_blob(%s)", (sha256,)).fetchone()[0]

    def blob_size(self, sha256: str) -> int | None:
        with server_errors():
            row = self.connection.execute(
                "SELECT size FROM blobs WHERE sha256 = %s AND complete", (sha256,)
            ).fetchone()
        return None if row is None else int(row[0])

    def read_blob(self, sha256: str) -> Iterator[bytes]:
        """The chunks of a complete blob, in order, one round trip each (memory stays at one chunk)."""
        with server_errors():
            count = self.connection.execute(
                "SELECT chunk_count FROM blobs WHERE sha256 = %s AND complete", (sha256,)
            ).fetchone()
        if count is None:
            raise SyncRefused(N_("The file {sha} is not on the server."), sha=sha256[:12])
        for index in range(count[0]):
            with server_errors():
                row = self.connection.execute(
                    "SELECT data FROM blob_chunks WHERE sha256 = %s AND idx = %s", (sha256, index)
                ).fetchone()
            if row is None:
                raise SyncRefused(N_("The file {sha} is not on the server."), sha=sha256[:12])
            yield bytes(row[0])

    # -- accounts and office -------------------------------------------------------------------------
    def accounts(self) -> list[tuple]:
        """(username, display_name, role, active, password_hash, created_at) of every account."""
        with server_errors():
            return self.connection.execute(
                "SELECT username, display_name, role, active, password_hash, created_at FROM accounts "
                "ORDER BY username"
            ).fetchall()

    def offer_accounts(self, rows: list[tuple]) -> int:
        """Add accounts the server does not have yet (existing ones are never overwritten)."""
        if not rows:
            return 0
        with server_errors(), self.connection.transaction(), self.connection.cursor() as cur:
            before = cur.execute("SELECT count(*) FROM accounts").fetchone()[0]
            cur.executemany(
                "INSERT INTO accounts (username, display_name, role, active, password_hash, created_at) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (username) DO NOTHING",
                rows,
            )
            return cur.execute("SELECT count(*) FROM accounts").fetchone()[0] - before

    def office(self) -> dict[str, object]:
        import json

        with server_errors():
            rows = self.connection.execute("SELECT key, value FROM office").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def offer_office(self, values: dict[str, object]) -> None:
        """The first desk to sync gives the server its office settings; later offers change nothing."""
        with server_errors(), self.connection.transaction(), self.connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO office (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                [(key, dumps(value)) for key, value in values.items()],
            )


__all__ = [
    "CHUNK_SIZE",
    "LogEntry",
    "OutgoingEvent",
    "PushResult",
    "ServerSession",
    "chunk_count",
    "provisional_parts",
]
