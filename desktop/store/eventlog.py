"""The one path by which the events table is written (tests/gates check that no other module does):

- `append`: one case's new events (a change made on this desk, a purge with its redaction);
- `append_new_cases`: many brand-new cases in bulk (demo data, benchmarks);
- `append_pulled` and `mark_pushed`: events from the sync server, and the server's numbers for ours;
- `redact_case`: the one sanctioned rewrite, stripping the person from a purged case's events.

Projections are updated in the same transaction as the events they fold.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, Engine

from desktop.domain.events import Event, EventType, fold
from desktop.domain.model import CaseState
from desktop.domain.redaction import redact, referenced_blobs
from desktop.store.codec import event_to_params, row_to_event
from desktop.store.database import raw_cursor

EVENT_COLUMNS = "id, case_id, type, payload, actor, at, device_id, hlc"
# Synced events in the server's order first, then this desk's unsynced ones in local order:
# every desk folds the same shared prefix the same way.
FOLD_ORDER = "server_seq IS NULL, server_seq, seq"

_NAME_KEY = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}"})


def name_sort_key(name: str) -> str:
    """Case-insensitive key that puts å, ä, ö after z, as in the Finnish and Swedish alphabets."""
    return name.casefold().translate(_NAME_KEY)


def _diary_parts(diary_number: str) -> tuple[int, int]:
    parts = diary_number.split("/")
    try:
        return int(parts[-1]), int(parts[-2].lstrip("P"))
    except (ValueError, IndexError):
        return 0, 0


def projection_params(state: CaseState, num: int) -> tuple[Any, ...]:
    year, seq = _diary_parts(state.diary_number)
    r = state.requester
    return (
        num,
        state.id,
        state.diary_number,
        year,
        seq,
        state.status.value,
        state.right.value,
        state.channel.value,
        state.received.isoformat(),
        state.due_date.isoformat(),
        state.registered_at.isoformat(timespec="microseconds"),
        state.updated_at.isoformat(timespec="microseconds"),
        r.name,
        name_sort_key(r.name),
        r.hetu,
        r.language.value,
        r.address.postcode,
        r.address.city,
        " ".join(state.registers),
        state.decision.value if state.decision else "",
        int(state.extended),
        state.delivery.value if state.delivery else "",
        state.tracking_number,
        int(bool(state.conflicts)),
        state.closed_at.isoformat(timespec="microseconds") if state.closed_at else "",
    )


_CASE_INSERT = (
    'INSERT OR REPLACE INTO cases (num, id, diary_number, diary_year, diary_seq, status, "right", channel, '
    "received, due_date, registered_at, updated_at, requester_name, name_key, hetu, language, postcode, city, "
    "registers, decision, extended, delivery, tracking_number, conflict, closed_at) "
    "VALUES (" + ", ".join("?" * 25) + ")"
)


def fts_row(state: CaseState, num: int) -> tuple[Any, ...]:
    r = state.requester
    address = " ".join(part for part in (r.address.street, r.address.postcode, r.address.city) if part)
    text = " ".join(part for part in (state.details, *state.notes, state.tracking_number, r.email) if part)
    return (num, state.diary_number, r.name, r.hetu, address, text)


_REGISTER_INSERT = "INSERT OR IGNORE INTO case_registers (register_id, case_num) VALUES (?, ?)"
_ATTACHMENT_INSERT = (
    "INSERT INTO attachments (case_id, sha256, filename, kind, size, media_type) VALUES (?, ?, ?, ?, ?, ?)"
)
_FTS_INSERT = (
    "INSERT INTO cases_fts (rowid, diary_number, name, hetu, address, text) VALUES (?, ?, ?, ?, ?, ?)"
)


def attachment_rows(state: CaseState) -> list[tuple[Any, ...]]:
    return [(state.id, a.sha256, a.filename, a.kind.value, a.size, a.media_type) for a in state.attachments]


def write_projection(cursor: sqlite3.Cursor, state: CaseState, num: int) -> None:
    """Replace the case's projection rows (list row, registers, attachments, search index) by `state`."""
    cursor.execute(_CASE_INSERT, projection_params(state, num))
    cursor.execute("DELETE FROM case_registers WHERE case_num = ?", (num,))
    cursor.executemany(_REGISTER_INSERT, [(register_id, num) for register_id in state.registers])
    cursor.execute("DELETE FROM attachments WHERE case_id = ?", (state.id,))
    cursor.executemany(_ATTACHMENT_INSERT, attachment_rows(state))
    cursor.execute("DELETE FROM cases_fts WHERE rowid = ?", (num,))
    cursor.execute(_FTS_INSERT, fts_row(state, num))


def append_new_cases(connection: Connection, cases: list[tuple[list[Event], CaseState]]) -> None:
    """Append many brand-new cases (events + projections) with a few bulk statements.

    The same rows as `append` would write, for bulk producers (demo data, benchmarks): local seqs are
    assigned here, under the write lock the caller's transaction holds.
    """
    cursor = raw_cursor(connection)
    next_seq = (cursor.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0] or 0) + 1
    event_rows: list[tuple[Any, ...]] = []
    case_rows: list[tuple[Any, ...]] = []  # the same rows as _insert_projection, in bulk
    register_rows: list[tuple[Any, ...]] = []
    attachment_batch: list[tuple[Any, ...]] = []
    fts_rows: list[tuple[Any, ...]] = []
    for events, state in cases:
        if not events or events[0].type is not EventType.CASE_REGISTERED:
            raise ValueError("append_new_cases takes whole new cases, beginning with their registration")
        num = next_seq
        for event in events:
            event_rows.append((next_seq, *event_to_params(event)))
            next_seq += 1
        case_rows.append(projection_params(state, num))
        register_rows.extend((register_id, num) for register_id in state.registers)
        attachment_batch.extend(attachment_rows(state))
        fts_rows.append(fts_row(state, num))
    cursor.executemany(
        f"INSERT INTO events (seq, {EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", event_rows
    )
    cursor.executemany(_CASE_INSERT, case_rows)
    cursor.executemany(_REGISTER_INSERT, register_rows)
    cursor.executemany(_ATTACHMENT_INSERT, attachment_batch)
    cursor.executemany(_FTS_INSERT, fts_rows)


def append(connection: Connection, events: list[Event], state: CaseState) -> int:
    """Append one case's new events and store `state` (their fold) as its projection. Returns the case num.

    Must run inside a write transaction; the caller has checked the workflow rules. A `CasePurged` among
    the events also strips the person from the case's earlier events (`redact_case`), with SQLite's
    secure delete on, so nothing of them stays in free pages.
    """
    cursor = raw_cursor(connection)
    if any(event.type is EventType.CASE_PURGED for event in events):
        cursor.execute("PRAGMA secure_delete = ON")
        try:
            num = _append(cursor, events, state)
            redact_case(cursor, state.id)
            refold(connection, [state.id])
        finally:
            cursor.execute("PRAGMA secure_delete = OFF")
        return num
    return _append(cursor, events, state)


def _append(cursor: sqlite3.Cursor, events: list[Event], state: CaseState) -> int:
    num = None
    for event in events:
        cursor.execute(
            f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", event_to_params(event)
        )
        if event.type is EventType.CASE_REGISTERED:
            num = cursor.lastrowid
    if num is None:
        row = cursor.execute("SELECT num FROM cases WHERE id = ?", (state.id,)).fetchone()
        num = row[0]
    write_projection(cursor, state, num)
    return int(num)


def mark_pushed(cursor: sqlite3.Cursor, numbers: Iterable[tuple[int, str]]) -> None:
    """The server's numbers (server_seq, event id) for this desk's events it has taken."""
    cursor.executemany("UPDATE events SET server_seq = ? WHERE id = ? AND server_seq IS NULL", list(numbers))


def append_pulled(cursor: sqlite3.Cursor, entries: list[tuple[Event, int]]) -> tuple[set[str], set[str]]:
    """Events from the server, each with its server_seq: the ones this desk lacks are inserted, the ones it
    has get their number. Returns (ids inserted, ids of cases whose known events were numbered). The caller
    refolds the touched cases in the same transaction."""
    if not entries:
        return set(), set()
    ids = [event.id for event, _seq in entries]
    known: dict[str, int | None] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        known.update(
            cursor.execute(
                f"SELECT id, server_seq FROM events WHERE id IN ({', '.join('?' * len(part))})", part
            ).fetchall()
        )
    new = [(event, seq) for event, seq in entries if event.id not in known]
    unnumbered = [(event, seq) for event, seq in entries if event.id in known and known[event.id] is None]
    cursor.executemany(
        f"INSERT INTO events ({EVENT_COLUMNS}, server_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*event_to_params(event), seq) for event, seq in new],
    )
    mark_pushed(cursor, [(seq, event.id) for event, seq in unnumbered])
    return {event.id for event, _seq in new}, {event.case_id for event, _seq in unnumbered}


def redact_case(cursor: sqlite3.Cursor, case_id: str) -> set[str]:
    """After a case's `CasePurged`: rewrite its events without the person's data; returns the files they
    referred to. The log is append-only; this one rewrite runs under the `purging` flag the trigger knows.
    The caller refolds the case and deletes the files no other case uses."""
    rows = cursor.execute(
        f"SELECT seq, server_seq, {EVENT_COLUMNS} FROM events WHERE case_id = ? ORDER BY seq", (case_id,)
    ).fetchall()
    events = [(row[0], row[1], row_to_event(row[2:])) for row in rows]
    files = referenced_blobs([event for _, _, event in events])
    cursor.execute(
        "INSERT INTO settings (key, value) VALUES ('purging', '1') ON CONFLICT(key) DO UPDATE SET value = '1'"
    )
    try:
        cursor.execute("DELETE FROM events WHERE case_id = ?", (case_id,))
        cursor.executemany(
            f"INSERT INTO events (seq, server_seq, {EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(seq, server_seq, *event_to_params(redact(event))) for seq, server_seq, event in events],
        )
    finally:
        cursor.execute("DELETE FROM settings WHERE key = 'purging'")
    return files


def case_events(connection: Connection, case_id: str) -> list[Event]:
    cursor = raw_cursor(connection)
    rows = cursor.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE case_id = ? ORDER BY {FOLD_ORDER}", (case_id,)
    ).fetchall()
    return [row_to_event(row) for row in rows]


def load_state(connection: Connection, case_id: str) -> CaseState | None:
    events = case_events(connection, case_id)
    return fold(events) if events else None


def _insert_projection(cursor: sqlite3.Cursor, state: CaseState, num: int) -> None:
    """The projection rows of a case that has none yet (nothing to delete first)."""
    cursor.execute(_CASE_INSERT, projection_params(state, num))
    cursor.executemany(_REGISTER_INSERT, [(register_id, num) for register_id in state.registers])
    cursor.executemany(_ATTACHMENT_INSERT, attachment_rows(state))
    cursor.execute(_FTS_INSERT, fts_row(state, num))


def refold(connection: Connection, case_ids: Iterable[str], chunk: int = 400) -> None:
    """Recompute the projections of these cases from the log (after events arrived out of local order).

    Reads the events of many cases per query, and writes a new case's rows without deleting first:
    a page of pulled events touches hundreds of cases, most of them new to this desk.
    """
    cursor = raw_cursor(connection)
    ids = list(dict.fromkeys(case_ids))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        marks = ", ".join("?" * len(part))
        known = {row[0] for row in cursor.execute(f"SELECT id FROM cases WHERE id IN ({marks})", part)}
        nums = dict(
            cursor.execute(
                f"SELECT case_id, min(seq) FROM events WHERE type = ? AND case_id IN ({marks}) GROUP BY case_id",
                [EventType.CASE_REGISTERED.value, *part],
            ).fetchall()
        )
        grouped: dict[str, list[Event]] = {}
        rows = cursor.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE case_id IN ({marks}) ORDER BY case_id, {FOLD_ORDER}",
            part,
        ).fetchall()
        for row in rows:
            grouped.setdefault(row[1], []).append(row_to_event(row))
        for case_id in part:
            events = grouped.get(case_id)
            if not events or case_id not in nums:
                continue
            state = fold(events)
            if case_id in known:
                write_projection(cursor, state, nums[case_id])
            else:
                _insert_projection(cursor, state, nums[case_id])


def grouped_events(cursor: sqlite3.Cursor) -> Iterator[list[Event]]:
    """All events, one case at a time, in fold order; streamed so a million cases fit in memory."""
    cursor.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY case_id, {FOLD_ORDER}")
    current: list[Event] = []
    while rows := cursor.fetchmany(5000):
        for row in rows:
            event = row_to_event(row)
            if current and current[0].case_id != event.case_id:
                yield current
                current = []
            current.append(event)
    if current:
        yield current


def registration_seqs(cursor: sqlite3.Cursor) -> dict[str, int]:
    """Each case's num: the local seq of its registration event."""
    return dict(
        cursor.execute(
            "SELECT case_id, min(seq) FROM events WHERE type = ? GROUP BY case_id",
            (EventType.CASE_REGISTERED.value,),
        ).fetchall()
    )


def rebuild(engine: Engine, batch: int = 2000) -> int:
    """Throw the projections away and replay the whole log. Returns the number of cases."""
    count = 0
    with engine.begin() as connection:
        cursor = raw_cursor(connection)
        registration_seq = registration_seqs(cursor)
        for table in ("cases", "case_registers", "attachments", "cases_fts"):
            cursor.execute(f"DELETE FROM {table}")
        pending: list[tuple[CaseState, int]] = []
        # Events are read on a second cursor of the same transaction: nothing else writes meanwhile.
        for events in grouped_events(raw_cursor(connection)):
            state = fold(events)
            pending.append((state, registration_seq[state.id]))
            count += 1
            if len(pending) >= batch:
                for state, num in pending:
                    write_projection(cursor, state, num)
                pending.clear()
        for state, num in pending:
            write_projection(cursor, state, num)
    return count
