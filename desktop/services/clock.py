"""Time as the office sees it: UTC instants, Helsinki calendar days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


class Clock:
    """The source of 'now' for the services; tests and the demo generator set it."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self._now = now or (lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self._now()

    def today(self) -> date:
        return self._now().astimezone(HELSINKI).date()


class FixedClock(Clock):
    def __init__(self, instant: datetime) -> None:
        self.instant = instant
        super().__init__(lambda: self.instant)

    def set(self, instant: datetime) -> None:
        self.instant = instant
