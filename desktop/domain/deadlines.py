"""Response deadlines (design §4): GDPR 12(3) periods counted by Regulation 1182/71 art. 3.

A period in months ends on the same date of the last month (or that month's last day if the date does
not exist); the day of receipt itself does not count. A period ending on a Saturday, Sunday, Finnish
public holiday or office closing day ends on the next working day instead.
"""

from __future__ import annotations

import calendar as _calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "FINNISH_CALENDAR",
    "DaysLeft",
    "DueDateSteps",
    "SkippedDay",
    "Urgency",
    "WorkCalendar",
    "add_months",
    "days_left",
    "due_date",
    "due_date_steps",
    "extension_allowed_until",
    "may_extend",
    "urgency",
]

ONE_DAY = timedelta(days=1)
SOON_DAYS = 7


def add_months(d: date, months: int) -> date:
    """The same day-of-month `months` later, or that month's last day if the day does not exist."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


class WorkCalendar:
    """Finnish working days: Monday–Friday, minus public holidays and the office's closing days."""

    def __init__(self, closing_days: Iterable[date] = (), *, language: str = "en_US") -> None:
        self.closing_days: frozenset[date] = frozenset(closing_days)
        # An explicit language: otherwise `holidays` picks one from the process locale.
        self._language = language
        # Deadline lists evaluate this for every case on every repaint, so holidays are fetched once
        # per year and then looked up in plain dicts.
        self._holidays: dict[int, dict[date, str]] = {}

    def _holidays_of(self, year: int) -> dict[date, str]:
        found = self._holidays.get(year)
        if found is None:
            import holidays  # imported on first use: it is a tenth of a second of every start

            found = dict(holidays.country_holidays("FI", years=year, language=self._language).items())
            self._holidays[year] = found
        return found

    def holiday_name(self, d: date) -> str | None:
        """The name of the public holiday on `d`, or None (closing days have no name here)."""
        return self._holidays_of(d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        """Monday–Friday that is neither a public holiday nor a closing day."""
        return d.weekday() < 5 and d not in self._holidays_of(d.year) and d not in self.closing_days

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (counting (end, start]) when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        d = start + ONE_DAY
        while d <= end:
            if self.is_working_day(d):
                count += 1
            d += ONE_DAY
        return count


FINNISH_CALENDAR = WorkCalendar()


@dataclass(frozen=True, slots=True)
class SkippedDay:
    """A day on which a period could not end, and why: "saturday", "sunday", "holiday" or "closing_day"."""

    day: date
    why: str
    holiday: str = ""  # the holiday's name when `why` is "holiday"


@dataclass(frozen=True, slots=True)
class DueDateSteps:
    """How a due date was counted, step by step (the case dossier spells these out)."""

    start: date  # the day of receipt (or of the clarification's arrival); it does not count itself
    months: int
    period_end: date  # the same date `months` later, or that month's last day
    month_shortened: bool  # the date did not exist in that month (31.1. → 28.2.)
    skipped: tuple[SkippedDay, ...]  # period_end and the days after it that were not working days
    due: date


def _skip_reason(calendar: WorkCalendar, d: date) -> SkippedDay:
    if d.weekday() == 5:
        return SkippedDay(d, "saturday")
    if d.weekday() == 6:
        return SkippedDay(d, "sunday")
    name = calendar.holiday_name(d)
    if name is not None:
        return SkippedDay(d, "holiday", name)
    return SkippedDay(d, "closing_day")


def due_date_steps(
    start: date, *, extended: bool = False, calendar: WorkCalendar = FINNISH_CALENDAR
) -> DueDateSteps:
    """The reply deadline for a request received (or clarified) on `start`, with each step of counting it.

    One month, three if extended; the extended period is counted from `start` itself, not from the
    one-month due date.
    """
    months = 3 if extended else 1
    period_end = add_months(start, months)
    skipped: list[SkippedDay] = []
    due = period_end
    while not calendar.is_working_day(due):
        skipped.append(_skip_reason(calendar, due))
        due += ONE_DAY
    return DueDateSteps(
        start=start,
        months=months,
        period_end=period_end,
        month_shortened=period_end.day != start.day,
        skipped=tuple(skipped),
        due=due,
    )


def due_date(start: date, *, extended: bool = False, calendar: WorkCalendar = FINNISH_CALENDAR) -> date:
    """The reply deadline for a request received (or clarified) on `start`: one month, three if extended.

    The extended period is counted from `start` itself, not from the one-month due date.
    """
    return due_date_steps(start, extended=extended, calendar=calendar).due


def extension_allowed_until(start: date, calendar: WorkCalendar = FINNISH_CALENDAR) -> date:
    """The last day on which the extension may be recorded for a period counted from `start` (receipt, or
    the clarification's arrival): the one-month due date. Stored on the case as `one_month_due`."""
    return due_date(start, calendar=calendar)


def may_extend(one_month_due: date, today: date) -> bool:
    """GDPR 12(3): the requester must be told of the extension within the first month (up to its last day)."""
    return today <= one_month_due


@dataclass(frozen=True, slots=True)
class DaysLeft:
    """Time until a due date; both numbers are negative once it has passed."""

    calendar_days: int
    working_days: int


def days_left(due: date, today: date, calendar: WorkCalendar = FINNISH_CALENDAR) -> DaysLeft:
    """Calendar and working days from `today` to `due` (working days counted in (today, due])."""
    return DaysLeft(
        calendar_days=(due - today).days,
        working_days=calendar.working_days_between(today, due),
    )


class Urgency(enum.StrEnum):
    """How the case list colours a deadline: red when overdue, amber within a week."""

    OVERDUE = "overdue"
    SOON = "soon"
    OK = "ok"


def urgency(due: date, today: date) -> Urgency:
    """Overdue after the due date, soon within 7 calendar days of it (inclusive), else ok."""
    remaining = (due - today).days
    if remaining < 0:
        return Urgency.OVERDUE
    if remaining <= SOON_DAYS:
        return Urgency.SOON
    return Urgency.OK
