"""The report's SQL: every case of a period classified against its stored deadlines, in one pass.

Reads the `cases` projection and, per case, its reply date and stored one-month due date from the event log
(through ix_events_case, so the cost follows the cases in the period, not the size of the log). Nothing here
reads a requester column. The services (`desktop.services.reports`) turn the rows into figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from desktop.domain.events import EventType
from desktop.domain.model import DEADLINE_RUNNING_STATUSES, Decision
from desktop.store.database import raw_cursor


class Timeliness(StrEnum):
    """Where a request stands against its stored deadline."""

    ONE_MONTH = "one_month"
    EXTENSION = "extension"
    LATE = "late"
    WITHDRAWN = "withdrawn"
    PENDING = "pending"  # not yet answered, within the due date (or clock stopped)
    OVERDUE = "overdue"  # not yet answered, past the due date


ANSWERED = (Timeliness.ONE_MONTH, Timeliness.EXTENSION, Timeliness.LATE)
NOT_ANSWERED = (Timeliness.PENDING, Timeliness.OVERDUE)


# One row per selected case with its reply date and stored one-month due date from the log; the log is
# read through ix_events_case (case_id, seq), so the cost follows the cases in the period, not the log.
_CASES_SQL = """
SELECT num, id, diary_number, diary_year, diary_seq, received, "right" AS right_code, channel, decision,
       status, due_date, extended, registers,
       (SELECT min(coalesce(json_extract(e.payload, '$.on'), substr(e.at, 1, 10))) FROM events e
         WHERE e.case_id = c.id AND e.type IN ({reply_types})) AS replied,
       (SELECT coalesce(json_extract(e.payload, '$.one_month_due'), json_extract(e.payload, '$.due_date'))
          FROM events e
         WHERE e.case_id = c.id AND e.type IN ({due_types}) AND json_extract(e.payload, '$.due_date') IS NOT NULL
         ORDER BY e.server_seq IS NULL DESC, e.server_seq DESC, e.seq DESC LIMIT 1) AS one_month_due
  FROM cases c
 WHERE received BETWEEN :start AND :end
   AND (:register = '' OR num IN (SELECT case_num FROM case_registers WHERE register_id = :register))
"""


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# The log lookups are materialised once per case: referenced from the CASE below they would otherwise run
# again for every mention.
_BASE_CTE = "base AS MATERIALIZED ({})".format(
    _CASES_SQL.format(
        reply_types=_quoted((EventType.DISPATCHED.value, EventType.HANDED_OVER.value)),
        due_types=_quoted(
            (
                EventType.CASE_REGISTERED.value,
                EventType.CLARIFICATION_RECEIVED.value,
                EventType.FIELDS_CORRECTED.value,
            )
        ),
    )
)

_CLASSIFIED_SQL = f"""
SELECT *,
  CASE
    WHEN decision = '{Decision.WITHDRAWN.value}' THEN '{Timeliness.WITHDRAWN.value}'
    WHEN replied IS NOT NULL AND replied <= one_month_due THEN '{Timeliness.ONE_MONTH.value}'
    WHEN replied IS NOT NULL AND extended AND replied <= due_date THEN '{Timeliness.EXTENSION.value}'
    WHEN replied IS NOT NULL THEN '{Timeliness.LATE.value}'
    WHEN status IN ({_quoted(sorted(DEADLINE_RUNNING_STATUSES))}) AND due_date < :today
      THEN '{Timeliness.OVERDUE.value}'
    ELSE '{Timeliness.PENDING.value}'
  END AS timeliness
FROM base
"""

_ANSWERED_SQL = _quoted(t.value for t in ANSWERED)
_NOT_ANSWERED_SQL = _quoted(t.value for t in NOT_ANSWERED)

# Every figure in one statement over one materialised selection: one consistent snapshot of the data.
_FIGURES_SQL = f"""
WITH {_BASE_CTE}, k AS MATERIALIZED ({_CLASSIFIED_SQL})
SELECT 'right', substr(received, 1, 7), right_code, count(*) FROM k GROUP BY 2, 3
UNION ALL
SELECT 'channel', substr(received, 1, 7), channel, count(*) FROM k GROUP BY 2, 3
UNION ALL
SELECT 'outcome', NULL, decision, count(*) FROM k GROUP BY 3
UNION ALL
SELECT 'timeliness', NULL, timeliness, count(*) FROM k GROUP BY 3
UNION ALL
SELECT 'days', CAST(julianday(replied) - julianday(received) AS INTEGER), NULL, count(*) FROM k
 WHERE timeliness IN ({_ANSWERED_SQL}) GROUP BY 2
UNION ALL
SELECT 'age', CAST(julianday(:today) - julianday(received) AS INTEGER), NULL, count(*) FROM k
 WHERE timeliness IN ({_NOT_ANSWERED_SQL}) GROUP BY 2
UNION ALL
SELECT 'register', r.register_id, k.timeliness, count(*) FROM k JOIN case_registers r ON r.case_num = k.num
 WHERE :register = '' OR r.register_id = :register GROUP BY 2, 3
"""

_CASE_ROWS_SQL = f"""
WITH {_BASE_CTE}
SELECT diary_number, received, right_code, channel, registers, decision, one_month_due, extended, due_date,
       replied, timeliness
  FROM ({_CLASSIFIED_SQL}) ORDER BY diary_year, diary_seq, num
"""


def _params(start: date, end: date, register: str, today: date) -> dict[str, Any]:
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "register": register,
        "today": today.isoformat(),
    }


def figure_rows(
    connection: Connection, start: date, end: date, register: str, today: date
) -> list[tuple[Any, ...]]:
    """(kind, key, key, count) rows for every figure of the report: kinds right, channel (by month), outcome,
    timeliness, days (days to reply), age (days since receipt of open cases) and register."""
    return raw_cursor(connection).execute(_FIGURES_SQL, _params(start, end, register, today)).fetchall()


def case_rows(
    connection: Connection, start: date, end: date, register: str, today: date
) -> Iterator[tuple[Any, ...]]:
    """(diary number, received, right, channel, registers, decision, one-month due, extended, due date,
    replied, timeliness) per case in diary order, streamed."""
    cursor = raw_cursor(connection)
    cursor.execute(_CASE_ROWS_SQL, _params(start, end, register, today))
    while rows := cursor.fetchmany(2000):
        yield from rows
