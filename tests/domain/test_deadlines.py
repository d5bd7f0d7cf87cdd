from __future__ import annotations

import calendar
from datetime import date, timedelta

import holidays
import pytest

from desktop.domain.deadlines import (
    FINNISH_CALENDAR,
    DaysLeft,
    Urgency,
    WorkCalendar,
    add_months,
    days_left,
    due_date,
    extension_allowed_until,
    urgency,
)

D = date.fromisoformat


# ---------------------------------------------------------------------------------------------------
# add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-03-05", 1, "2026-04-05"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-03-31", 3, "2026-06-30"),
        ("2026-01-31", 3, "2026-04-30"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2026-03-15", -3, "2025-12-15"),
        ("2026-05-31", 0, "2026-05-31"),
    ],
)
def test_add_months(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)


# ---------------------------------------------------------------------------------------------------
# The calendar


def test_midsummer_eve_and_christmas_eve_are_holidays() -> None:
    # Act 150/1930 §5 makes them days off; the design relies on `holidays` listing them.
    for d in (D("2026-06-19"), D("2026-12-24"), D("2027-06-25"), D("2027-12-24")):
        assert d.weekday() < 5
        assert not FINNISH_CALENDAR.is_working_day(d)
    assert FINNISH_CALENDAR.holiday_name(D("2026-06-19")) == "Midsummer Eve"
    assert FINNISH_CALENDAR.holiday_name(D("2026-12-24")) == "Christmas Eve"
    assert WorkCalendar(language="fi").holiday_name(D("2026-12-24")) == "Jouluaatto"
    assert FINNISH_CALENDAR.holiday_name(D("2026-04-07")) is None


def test_is_working_day() -> None:
    assert FINNISH_CALENDAR.is_working_day(D("2026-04-07"))  # Tuesday after Easter
    assert not FINNISH_CALENDAR.is_working_day(D("2026-04-06"))  # Easter Monday
    assert not FINNISH_CALENDAR.is_working_day(D("2026-04-03"))  # Good Friday
    assert FINNISH_CALENDAR.is_working_day(D("2026-04-02"))  # Maundy Thursday is a working day
    assert not FINNISH_CALENDAR.is_working_day(D("2026-03-07"))  # Saturday
    assert not FINNISH_CALENDAR.is_working_day(D("2026-03-08"))  # Sunday


def test_next_working_day() -> None:
    assert FINNISH_CALENDAR.next_working_day(D("2026-04-07")) == D("2026-04-07")
    assert FINNISH_CALENDAR.next_working_day(D("2026-04-03")) == D("2026-04-07")
    assert FINNISH_CALENDAR.next_working_day(D("2026-12-24")) == D("2026-12-28")


def test_closing_days_are_not_working_days() -> None:
    office = WorkCalendar(closing_days=[D("2026-04-07"), D("2026-04-08")])
    assert not office.is_working_day(D("2026-04-07"))
    assert office.holiday_name(D("2026-04-07")) is None
    assert office.next_working_day(D("2026-04-03")) == D("2026-04-09")
    assert FINNISH_CALENDAR.is_working_day(D("2026-04-07"))  # the default is not affected


def test_holidays_are_fetched_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", counting)  # deadlines imports it on first use
    work = WorkCalendar()
    d = D("2026-01-01")
    for _ in range(3):
        for offset in range(730):
            work.is_working_day(d + timedelta(days=offset))
    assert calls == [2026, 2027]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-09", "2026-03-09", 0),  # same day
        ("2026-03-09", "2026-03-10", 1),  # the start does not count, the end does
        ("2026-03-09", "2026-03-13", 4),  # Monday → Friday
        ("2026-03-13", "2026-03-16", 1),  # Friday → Monday
        ("2026-03-13", "2026-03-15", 0),  # Friday → Sunday
        ("2026-04-01", "2026-04-07", 2),  # Thu 2.4. and Tue 7.4.; Easter in between
        ("2026-03-10", "2026-03-09", -1),
        ("2026-03-16", "2026-03-13", -1),  # (Fri, Mon]: only Monday
        ("2026-04-07", "2026-04-01", -2),
        ("2026-01-01", "2027-01-01", 252),  # 261 weekdays in (1.1., 1.1.], 9 of them holidays
    ],
)
def test_working_days_between(start: str, end: str, expected: int) -> None:
    assert FINNISH_CALENDAR.working_days_between(D(start), D(end)) == expected


# ---------------------------------------------------------------------------------------------------
# Due dates


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2026-03-05", "2026-04-07"),  # 5.4. Easter Sunday, 6.4. Easter Monday
        ("2026-11-06", "2026-12-07"),  # 6.12. Independence Day (a Sunday)
        ("2026-01-31", "2026-03-02"),  # no 31.2. → 28.2., a Saturday
        ("2026-11-24", "2026-12-28"),  # Christmas Eve, Christmas Day, Boxing Day, Sunday
        ("2026-05-19", "2026-06-22"),  # Midsummer Eve, Midsummer Day, Sunday
        ("2024-01-31", "2024-02-29"),  # leap year, a Thursday
        ("2026-03-09", "2026-04-09"),  # plain weekday
        ("2026-12-01", "2027-01-04"),  # 1.1.2027 New Year's Day (Fri), then the weekend
    ],
)
def test_due_date(received: str, expected: str) -> None:
    assert due_date(D(received)) == D(expected)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # 5.6.2026 is a Friday and not a holiday (Midsummer is 19.–20.6.).
        ("2026-03-05", "2026-06-05"),
        ("2026-03-31", "2026-06-30"),  # no 31.6.; 30.6. is a Tuesday
        ("2026-01-31", "2026-04-30"),  # three months from receipt, not two from 28.2. (= 28.4.)
        ("2025-11-30", "2026-03-02"),  # 28.2.2026 is a Saturday
        ("2026-09-24", "2026-12-28"),
    ],
)
def test_extended_due_date(received: str, expected: str) -> None:
    assert due_date(D(received), extended=True) == D(expected)


def test_closing_days_move_the_due_date() -> None:
    office = WorkCalendar(closing_days=[D("2026-04-07")])
    assert due_date(D("2026-03-05"), calendar=office) == D("2026-04-08")
    # Closed between Christmas and New Year: 28.–31.12., then New Year's Day and a weekend.
    closed = WorkCalendar(closing_days=[D("2026-12-28") + timedelta(days=i) for i in range(4)])
    assert due_date(D("2026-11-24"), calendar=closed) == D("2027-01-04")
    # A closing day that is not the last day of the period changes nothing.
    assert due_date(D("2026-03-09"), calendar=WorkCalendar([D("2026-03-20")])) == D("2026-04-09")


def test_clarification_restarts_the_period_from_the_day_the_information_arrived() -> None:
    received, information_arrived = D("2026-03-05"), D("2026-03-20")
    assert due_date(received) == D("2026-04-07")
    assert due_date(information_arrived) == D("2026-04-20")
    assert due_date(information_arrived, extended=True) == D("2026-06-22")  # 20.6. Midsummer Day (Sat)


def test_extension_allowed_until_is_the_one_month_due_date() -> None:
    assert extension_allowed_until(D("2026-03-05")) == D("2026-04-07")
    office = WorkCalendar(closing_days=[D("2026-04-07")])
    assert extension_allowed_until(D("2026-03-05"), calendar=office) == D("2026-04-08")


# ---------------------------------------------------------------------------------------------------
# The same rule formulated independently, checked for every receipt day of 2024–2030


def reference_due_date(received: date, months: int, public_holidays: holidays.HolidayBase) -> date:
    year, month = received.year, received.month
    for _ in range(months):
        month += 1
        if month == 13:
            year, month = year + 1, 1
    last_day = calendar.monthrange(year, month)[1]
    end = date(year, month, received.day if received.day <= last_day else last_day)
    while end.weekday() in (calendar.SATURDAY, calendar.SUNDAY) or end in public_holidays:
        end = date.fromordinal(end.toordinal() + 1)
    return end


def test_due_dates_match_an_independent_formulation_for_2024_to_2030() -> None:
    public_holidays = holidays.Finland(years=range(2024, 2032), language="en_US")
    received = date(2024, 1, 1)
    checked = 0
    while received.year <= 2030:
        assert due_date(received) == reference_due_date(received, 1, public_holidays), received
        assert due_date(received, extended=True) == reference_due_date(received, 3, public_holidays), received
        checked += 1
        received += timedelta(days=1)
    assert checked == 2557  # 7 years, two of them leap years


# ---------------------------------------------------------------------------------------------------
# Days left and urgency


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        ("2026-04-07", "2026-04-01", DaysLeft(calendar_days=6, working_days=2)),
        ("2026-04-07", "2026-04-07", DaysLeft(calendar_days=0, working_days=0)),
        ("2026-04-07", "2026-04-06", DaysLeft(calendar_days=1, working_days=1)),
        ("2026-04-07", "2026-04-09", DaysLeft(calendar_days=-2, working_days=-2)),
        ("2026-04-07", "2026-04-13", DaysLeft(calendar_days=-6, working_days=-4)),
    ],
)
def test_days_left(due: str, today: str, expected: DaysLeft) -> None:
    assert days_left(D(due), D(today)) == expected


def test_days_left_uses_the_given_calendar() -> None:
    office = WorkCalendar(closing_days=[D("2026-04-02")])
    assert days_left(D("2026-04-07"), D("2026-04-01"), calendar=office) == DaysLeft(6, 1)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-30, Urgency.OVERDUE),
        (-1, Urgency.OVERDUE),
        (0, Urgency.SOON),
        (1, Urgency.SOON),
        (7, Urgency.SOON),
        (8, Urgency.OK),
        (60, Urgency.OK),
    ],
)
def test_urgency(days: int, expected: Urgency) -> None:
    today = D("2026-04-01")
    assert urgency(today + timedelta(days=days), today) is expected


def test_urgency_values_are_strings() -> None:
    assert [u.value for u in Urgency] == ["overdue", "soon", "ok"]
    assert Urgency("soon") is Urgency.SOON
    assert Urgency.OVERDUE == "overdue"


def test_the_extension_limit_is_the_one_month_due_date_in_one_place() -> None:
    from desktop.domain.deadlines import may_extend

    limit = extension_allowed_until(D("2026-03-05"))  # 7.4.2026 (Easter moves it)
    assert may_extend(limit, limit) and not may_extend(limit, limit + timedelta(days=1))
