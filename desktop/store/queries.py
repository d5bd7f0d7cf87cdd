"""Reading the case list: filters, sorting in SQL, keyset pages, full-text search."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from desktop.domain.model import DEADLINE_RUNNING_STATUSES, NO_REPLY_DECISIONS, READY_TO_PRINT_STATUS, Status
from desktop.store.database import raw_cursor


class SortKey(StrEnum):
    DIARY = "diary"
    NAME = "name"
    RIGHT = "right"
    CHANNEL = "channel"
    RECEIVED = "received"
    DUE = "due"
    STATUS = "status"
    REGISTER = "register"


# Each sort key is one or more columns; `num` breaks ties so that keyset pages are stable.
_SORT_COLUMNS: dict[SortKey, tuple[str, ...]] = {
    SortKey.DIARY: ("diary_year", "diary_seq"),
    SortKey.NAME: ("name_key",),
    SortKey.RIGHT: ('"right"',),
    SortKey.CHANNEL: ("channel",),
    SortKey.RECEIVED: ("received",),
    SortKey.DUE: ("due_date",),
    SortKey.STATUS: ("status",),
    SortKey.REGISTER: ("registers",),
}

ROW_COLUMNS = (
    'num, id, diary_number, status, "right", channel, received, due_date, requester_name, hetu, registers, '
    "decision, extended, delivery, tracking_number, conflict, postcode, city, language, diary_year, diary_seq, "
    "name_key, registered_at"
)


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list, straight from the projection."""

    num: int
    id: str
    diary_number: str
    status: str
    right: str
    channel: str
    received: str
    due_date: str
    requester_name: str
    hetu: str
    registers: str
    decision: str
    extended: bool
    delivery: str
    tracking_number: str
    conflict: bool
    postcode: str
    city: str
    language: str
    diary_year: int
    diary_seq: int
    name_key: str
    registered_at: str


@dataclass(frozen=True)
class CaseQuery:
    """What the clerk asked to see. Empty fields filter nothing."""

    statuses: frozenset[str] = frozenset()
    right: str = ""
    register: str = ""
    channel: str = ""
    text: str = ""
    overdue: bool = False
    due_within: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    registered_on: date | None = None
    ready_to_print: bool = False  # `domain.model.is_ready_to_print`, in SQL
    today: date = field(default_factory=date.today)
    sort: SortKey = SortKey.DIARY
    descending: bool = False


_TOKEN = re.compile(r"[\w]+(?:[-/][\w]+)*", re.UNICODE)


def fts_match_expression(text: str) -> str:
    """The user's words as an FTS5 query: every word must match, each as a prefix; no FTS syntax leaks in."""
    terms = []
    for token in _TOKEN.findall(text):
        terms.append('"' + token.replace('"', '""') + '"*')
    return " AND ".join(terms)


def _where(query: CaseQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.statuses:
        clauses.append(f"status IN ({', '.join('?' * len(query.statuses))})")
        params.extend(sorted(query.statuses))
    if query.right:
        clauses.append('"right" = ?')
        params.append(query.right)
    if query.channel:
        clauses.append("channel = ?")
        params.append(query.channel)
    if query.register:
        clauses.append("num IN (SELECT case_num FROM case_registers WHERE register_id = ?)")
        params.append(query.register)
    running = sorted(s.value for s in DEADLINE_RUNNING_STATUSES)
    if query.overdue:
        clauses.append(f"status IN ({', '.join('?' * len(running))}) AND due_date < ?")
        params.extend([*running, query.today.isoformat()])
    if query.due_within is not None:
        clauses.append(f"status IN ({', '.join('?' * len(running))}) AND due_date BETWEEN ? AND ?")
        params.extend(
            [*running, query.today.isoformat(), (query.today + timedelta(days=query.due_within)).isoformat()]
        )
    if query.ready_to_print:
        no_reply = sorted(d.value for d in NO_REPLY_DECISIONS)
        clauses.append(
            f"status = ? AND decision <> '' AND decision NOT IN ({', '.join('?' * len(no_reply))})"
        )
        params.extend([READY_TO_PRINT_STATUS.value, *no_reply])
    if query.received_from:
        clauses.append("received >= ?")
        params.append(query.received_from.isoformat())
    if query.received_to:
        clauses.append("received <= ?")
        params.append(query.received_to.isoformat())
    if query.registered_on:
        # The office's calendar day as a range of UTC instants: the index on registered_at serves it.
        start, end = _utc_day(query.registered_on)
        clauses.append("registered_at >= ? AND registered_at < ?")
        params.extend([start, end])
    if query.text.strip():
        expression = fts_match_expression(query.text)
        if expression:
            clauses.append("num IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)")
            params.append(expression)
        else:
            clauses.append("0")
    return (" AND ".join(clauses) if clauses else "1"), params


_HELSINKI = ZoneInfo("Europe/Helsinki")


def _utc_day(day: date) -> tuple[str, str]:
    """The Helsinki calendar day `day` as [start, end) in the ISO form registered_at is stored in (UTC)."""
    start = datetime.combine(day, time(0, 0), _HELSINKI).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0, 0), _HELSINKI).astimezone(UTC)
    return start.isoformat(timespec="microseconds"), end.isoformat(timespec="microseconds")


def _order(query: CaseQuery) -> tuple[tuple[str, ...], str]:
    columns = (*_SORT_COLUMNS[query.sort], "num")
    direction = "DESC" if query.descending else "ASC"
    return columns, ", ".join(f"{c} {direction}" for c in columns)


def count(connection: Connection, query: CaseQuery) -> int:
    where, params = _where(query)
    return int(
        raw_cursor(connection).execute(f"SELECT count(*) FROM cases WHERE {where}", params).fetchone()[0]
    )


def sort_values(row: CaseRow, sort: SortKey) -> tuple[Any, ...]:
    """The keyset position of a row under a sort order (to ask for the page after it)."""
    values = {
        SortKey.DIARY: (row.diary_year, row.diary_seq),
        SortKey.NAME: (row.name_key,),
        SortKey.RIGHT: (row.right,),
        SortKey.CHANNEL: (row.channel,),
        SortKey.RECEIVED: (row.received,),
        SortKey.DUE: (row.due_date,),
        SortKey.STATUS: (row.status,),
        SortKey.REGISTER: (row.registers,),
    }[sort]
    return (*values, row.num)


def page(
    connection: Connection, query: CaseQuery, after: tuple[Any, ...] | None = None, limit: int = 100
) -> list[CaseRow]:
    """Up to `limit` rows in the query's order, starting after the keyset position `after`."""
    where, params = _where(query)
    columns, order = _order(query)
    if after is not None:
        operator = "<" if query.descending else ">"
        where += f" AND ({', '.join(columns)}) {operator} ({', '.join('?' * len(columns))})"
        params = [*params, *after]
    sql = f"SELECT {ROW_COLUMNS} FROM cases WHERE {where} ORDER BY {order} LIMIT ?"
    return [CaseRow(*row) for row in raw_cursor(connection).execute(sql, [*params, limit])]


def all_rows(connection: Connection, query: CaseQuery, limit: int | None = None) -> list[CaseRow]:
    where, params = _where(query)
    _, order = _order(query)
    sql = f"SELECT {ROW_COLUMNS} FROM cases WHERE {where} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return [CaseRow(*row) for row in raw_cursor(connection).execute(sql, params)]


def ids(connection: Connection, query: CaseQuery) -> list[int]:
    """Every matching case's num in order: what a list view holds to fetch its rows page by page."""
    where, params = _where(query)
    _, order = _order(query)
    cursor = raw_cursor(connection)
    return [row[0] for row in cursor.execute(f"SELECT num FROM cases WHERE {where} ORDER BY {order}", params)]


def rows_by_num(connection: Connection, nums: list[int]) -> dict[int, CaseRow]:
    """The rows of these cases in one query (order is the caller's)."""
    if not nums:
        return {}
    cursor = raw_cursor(connection)
    found: dict[int, CaseRow] = {}
    for start in range(0, len(nums), 500):
        chunk = nums[start : start + 500]
        sql = f"SELECT {ROW_COLUMNS} FROM cases WHERE num IN ({', '.join('?' * len(chunk))})"
        for row in cursor.execute(sql, chunk):
            found[row[0]] = CaseRow(*row)
    return found


def find_case_id(connection: Connection, diary_number: str) -> str | None:
    row = (
        raw_cursor(connection)
        .execute("SELECT id FROM cases WHERE diary_number = ? COLLATE NOCASE", (diary_number.strip(),))
        .fetchone()
    )
    return row[0] if row else None


def open_cases_of(connection: Connection, hetu: str, name: str, exclude_statuses: list[str]) -> list[CaseRow]:
    """Not-yet-closed cases of the same person (by henkilötunnus, else by exact name)."""
    key_sql, key = ("hetu = ?", hetu) if hetu else ("name_key = ?", name)
    sql = (
        f"SELECT {ROW_COLUMNS} FROM cases WHERE {key_sql} AND status NOT IN "
        f"({', '.join('?' * len(exclude_statuses))}) ORDER BY num"
    )
    return [CaseRow(*row) for row in raw_cursor(connection).execute(sql, [key, *exclude_statuses])]


__all__ = ["CaseQuery", "CaseRow", "SortKey", "Status"]
