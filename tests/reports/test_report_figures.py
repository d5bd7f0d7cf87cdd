"""The report's figures against values worked out by hand (see conftest), and against a fold of the log."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from report_data import PERIOD, TODAY

from desktop.domain.deadlines import WorkCalendar, due_date
from desktop.domain.errors import DomainError
from desktop.domain.events import EventType, fold
from desktop.domain.model import OPEN_STATUSES, Decision, Status
from desktop.services import accounts
from desktop.services.accounts import PermissionDenied
from desktop.services.cases import CaseService
from desktop.services.reports import (
    ANSWERED,
    ReportFigures,
    ReportQuery,
    ReportService,
    Timeliness,
    age_bucket,
    default_period,
    quantile,
)
from desktop.services.workspace import Workspace
from desktop.store import eventlog


def reports_for(service: CaseService, username: str | None = None) -> ReportService:
    user = service.user
    if username:
        with service.workspace.engine.connect() as connection:
            user = accounts.find_user(connection, username)
    return ReportService(service.workspace, user, service.clock)


def test_deadline_shares_use_the_stored_due_dates(clerk_service, fixed_cases):
    figures = reports_for(clerk_service).figures(PERIOD)
    assert figures.total == 12  # M was received before the period
    assert dict(figures.timeliness) == {
        "one_month": 3,  # A; D within the due date recomputed after the pause; L made ready for pickup
        "extension": 1,  # C
        "late": 2,  # B; F
        "withdrawn": 1,  # E
        "pending": 3,  # G, H, I (waiting: the clock is stopped)
        "overdue": 2,  # J, K
    }
    assert figures.answered == 6
    assert figures.share(Timeliness.ONE_MONTH) == pytest.approx(3 / 6)
    assert figures.share(Timeliness.EXTENSION) == pytest.approx(1 / 6)
    assert figures.share(Timeliness.LATE) == pytest.approx(2 / 6)
    assert figures.not_answered == 5


def test_days_to_reply_median_and_90th_percentile(clerk_service, fixed_cases):
    days = reports_for(clerk_service).figures(PERIOD).days
    # Replies after 8 (L), 10 (A), 34 (F), 36 (B), 44 (D) and 85 (C) days.
    assert days.count == 6
    assert days.median == pytest.approx(35.0)  # (34 + 36) / 2
    assert days.p90 == pytest.approx(64.5)  # rank 4.5: 44 + 0.5 * (85 - 44)


def test_outcomes_channels_rights_and_open_ages(clerk_service, fixed_cases):
    f = reports_for(clerk_service).figures(PERIOD)
    assert dict(f.outcomes) == {"granted": 7, "withdrawn": 1, "": 4}
    assert f.months == ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
    assert {m: dict(v) for m, v in f.by_month_right.items()} == {
        "2026-06": {"access": 1},
        "2026-07": {"access": 1},
        "2026-08": {"rectification": 1},
        "2026-09": {"access": 2},
        "2026-10": {"access": 2, "objection": 1, "recording": 1},
        "2026-11": {"access": 2, "erasure": 1},
    }
    assert {m: dict(v) for m, v in f.by_month_channel.items()} == {
        "2026-06": {"post": 1},
        "2026-07": {"post": 1},
        "2026-08": {"secure_email": 1},
        "2026-09": {"post": 1, "secure_email": 1},
        "2026-10": {"in_person": 2, "post": 2},
        "2026-11": {"in_person": 1, "post": 1, "secure_email": 1},
    }
    # G 3 days, H 11, I 21, J 53, K 74 days since receipt on 23.11.2026.
    assert dict(f.open_by_age) == {"0-7": 1, "8-14": 1, "15-30": 1, "31-60": 1, "60+": 1}


def test_per_register_counts_a_case_under_each_of_its_registers(clerk_service, fixed_cases):
    f = reports_for(clerk_service).figures(PERIOD)
    assert {r: dict(v) for r, v in f.registers.items()} == {
        "kainuu-webropol": {"extension": 1, "pending": 1},  # C, G
        "palkkaturva-puhelut": {"one_month": 1, "pending": 1},  # L, H
        "te-asiakasrekisteri": {"one_month": 2, "late": 2, "withdrawn": 1, "pending": 2, "overdue": 2},
    }


def test_register_filter_and_period_filter(clerk_service, fixed_cases):
    reports = reports_for(clerk_service)
    only = reports.figures(replace(PERIOD, register="te-asiakasrekisteri"))
    assert only.total == 9
    assert list(only.registers) == ["te-asiakasrekisteri"]  # G's other register is not shown
    assert dict(only.timeliness) == {"one_month": 2, "late": 2, "withdrawn": 1, "pending": 2, "overdue": 2}
    october = reports.figures(ReportQuery(date(2026, 10, 1), date(2026, 10, 31)))
    assert october.total == 4  # J, E, F, L
    assert october.months == ("2026-10",)
    whole_year = reports.figures(default_period(TODAY))
    assert whole_year.query.start == date(2025, 12, 1)
    assert whole_year.total == 13  # M too
    assert whole_year.open_by_age["60+"] == 2  # K and M (192 days)


def test_a_later_calendar_change_does_not_change_the_judgement(clerk_service, fixed_cases, workspace):
    reports = reports_for(clerk_service)
    before = reports.figures(PERIOD)
    f_state = clerk_service.get(fixed_cases["F"])
    assert f_state.due_date == date(2026, 11, 6)  # stored at registration
    # The office later declares 6.11.2026 a closing day: a due date computed now would be Monday 9.11.,
    # the day F's reply left. The report keeps to what the clerk saw: F stays late.
    settings = replace(workspace.settings, closing_days=["2026-11-06"])
    workspace.save_settings(settings)
    assert due_date(date(2026, 10, 6), calendar=WorkCalendar([date(2026, 11, 6)])) == date(2026, 11, 9)
    after = reports.figures(PERIOD)
    assert after.timeliness == before.timeliness
    assert after.timeliness["late"] == 2


def test_paused_case_is_judged_by_its_recomputed_one_month_due_date(clerk_service, fixed_cases):
    d_state = clerk_service.get(fixed_cases["D"])
    assert d_state.due_dates[0].due == date(2026, 8, 3)  # before the pause (1.8. is a Saturday)
    assert d_state.one_month_due == date(2026, 8, 20)  # counted again from the clarification, 20.7.
    rows = {r.diary_number: r for r in reports_for(clerk_service, "reviewer").case_rows(PERIOD)}
    d = rows[fixed_cases["D"]]
    assert (d.replied, d.one_month_due, d.timeliness) == (date(2026, 8, 14), date(2026, 8, 20), "one_month")
    c = rows[fixed_cases["C"]]
    assert (c.one_month_due, c.extended_due, c.days_to_reply, c.timeliness) == (
        date(2026, 7, 1),
        date(2026, 9, 1),
        85,
        "extension",
    )
    pickup = rows[fixed_cases["L"]]
    assert pickup.replied == date(2026, 10, 20)  # made ready and the requester told; handed over 27.10.
    withdrawn = rows[fixed_cases["E"]]
    assert (withdrawn.replied, withdrawn.days_to_reply, withdrawn.timeliness) == (None, None, "withdrawn")


def test_empty_period_and_bad_input(clerk_service, fixed_cases):
    reports = reports_for(clerk_service)
    empty = reports.figures(ReportQuery(date(2020, 1, 1), date(2020, 1, 31)))
    assert empty.total == 0
    assert empty.share(Timeliness.ONE_MONTH) is None
    assert (empty.days.median, empty.days.p90) == (None, None)
    with pytest.raises(DomainError, match="starts"):
        reports.figures(ReportQuery(date(2026, 2, 1), date(2026, 1, 1)))
    with pytest.raises(DomainError, match="No register"):
        reports.figures(replace(PERIOD, register="no-such-register"))


def test_permissions(clerk_service, fixed_cases):
    reports_for(clerk_service).figures(PERIOD)  # aggregates: anyone who may view cases
    with pytest.raises(PermissionDenied, match="export"):
        reports_for(clerk_service).case_rows(PERIOD)
    assert reports_for(clerk_service, "reviewer").can_export_cases
    assert reports_for(clerk_service, "admin").can_export_cases
    assert not reports_for(clerk_service).can_export_cases


def test_quantile_interpolates_like_a_spreadsheet():
    assert quantile({}, 0.5) is None
    assert quantile({7: 1}, 0.9) == 7
    assert quantile({1: 1, 2: 1, 3: 1, 4: 1}, 0.5) == pytest.approx(2.5)
    assert quantile({v: 1 for v in range(1, 11)}, 0.9) == pytest.approx(9.1)
    assert quantile({5: 3, 9: 1}, 0.5) == 5
    assert [age_bucket(d) for d in (0, 7, 8, 14, 15, 30, 31, 60, 61, 400)] == [
        "0-7",
        "0-7",
        "8-14",
        "8-14",
        "15-30",
        "15-30",
        "31-60",
        "31-60",
        "60+",
        "60+",
    ]


# -- the SQL against a plain fold of the log, on a realistic diary --------------------------------------


def reference_figures(workspace: Workspace, query: ReportQuery, today: date) -> dict:
    """The same figures computed the slow, obvious way: fold every case and look at its events."""
    timeliness: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    days: dict[int, int] = {}
    ages: dict[str, int] = {}
    by_right: dict[tuple[str, str], int] = {}
    with workspace.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        for events in eventlog.grouped_events(cursor):
            state = fold(events)
            if not (query.start <= state.received <= query.end):
                continue
            replies = [
                date.fromisoformat(e.payload["on"])
                for e in events
                if e.type in (EventType.DISPATCHED, EventType.HANDED_OVER)
            ]
            replied = min(replies) if replies else None
            if state.decision is Decision.WITHDRAWN:
                when = "withdrawn"
            elif replied is not None and replied <= state.one_month_due:
                when = "one_month"
            elif replied is not None and state.extended and replied <= state.due_date:
                when = "extension"
            elif replied is not None:
                when = "late"
            elif state.status is not Status.WAITING and state.due_date < today:
                when = "overdue"
            else:
                when = "pending"
            if when in ("pending", "overdue"):
                assert state.status in OPEN_STATUSES
                bucket = age_bucket((today - state.received).days)
                ages[bucket] = ages.get(bucket, 0) + 1
            if when in ANSWERED:
                assert replied is not None
                n = (replied - state.received).days
                days[n] = days.get(n, 0) + 1
            timeliness[when] = timeliness.get(when, 0) + 1
            decision = state.decision.value if state.decision else ""
            outcomes[decision] = outcomes.get(decision, 0) + 1
            key = (state.received.isoformat()[:7], state.right.value)
            by_right[key] = by_right.get(key, 0) + 1
    return {
        "timeliness": timeliness,
        "outcomes": outcomes,
        "median": quantile(days, 0.5),
        "p90": quantile(days, 0.9),
        "ages": ages,
        "by_right": by_right,
    }


def test_sql_figures_equal_a_fold_of_the_log(demo_workspace, clock):
    with demo_workspace.engine.connect() as connection:
        user = accounts.find_user(connection, "clerk")
    reports = ReportService(demo_workspace, user, clock)
    query = default_period(TODAY)
    figures: ReportFigures = reports.figures(query)
    expected = reference_figures(demo_workspace, query, TODAY)
    assert figures.total > 1000
    assert dict(figures.timeliness) == expected["timeliness"]
    assert dict(figures.outcomes) == expected["outcomes"]
    assert (figures.days.median, figures.days.p90) == (expected["median"], expected["p90"])
    assert {k: v for k, v in figures.open_by_age.items() if v} == expected["ages"]
    assert {(m, r): n for m, rights in figures.by_month_right.items() for r, n in rights.items()} == expected[
        "by_right"
    ]
    for timeliness in ("one_month", "extension", "late", "withdrawn", "pending", "overdue"):
        assert figures.timeliness.get(timeliness, 0) > 0, timeliness  # the demo has every kind
