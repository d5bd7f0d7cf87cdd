""" "New today" counts by the office's calendar day (Helsinki), over the index on the registration instant."""

from __future__ import annotations

from datetime import UTC, date, datetime

from desktop.services.clock import HELSINKI


def test_registered_on_is_the_helsinki_day(clerk_service, clock, paper_request):
    late_evening = datetime(2026, 11, 23, 23, 30, tzinfo=HELSINKI)  # 21:30 UTC, still the 23rd here
    clock.set(late_evening.astimezone(UTC))
    evening = clerk_service.register(paper_request)
    clock.set(datetime(2026, 11, 24, 0, 15, tzinfo=HELSINKI).astimezone(UTC))  # 22:15 UTC on the 23rd
    after_midnight = clerk_service.register(paper_request)

    def registered_on(day: date) -> list[str]:
        return [row.diary_number for row in clerk_service.rows(clerk_service.query(registered_on=day))]

    assert registered_on(date(2026, 11, 23)) == [evening.diary_number]
    assert registered_on(date(2026, 11, 24)) == [after_midnight.diary_number]
    with clerk_service.workspace.engine.connect() as connection:
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM cases WHERE registered_at >= ? AND registered_at < ?",
                ("2026-11-22T22:00:00.000000+00:00", "2026-11-23T22:00:00.000000+00:00"),
            )
        )
    assert "ix_cases_registered" in plan
