"""Identifiers of events and cases: UUIDv7 (time-ordered) and a hybrid logical clock."""

from __future__ import annotations

import os
import threading
import time
import uuid


def uuid7() -> str:
    """A UUID version 7: 48 bits of Unix milliseconds, then randomness, so ids sort by creation time."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


class HybridClock:
    """Hybrid logical clock: wall-clock milliseconds, bumped so it never goes back and respects what was seen.

    Rendered as `MMMMMMMMMMMMM-CCCC-device`, which sorts in causal order as a plain string.
    """

    def __init__(self, device_id: str, last: str = "") -> None:
        self.device_id = device_id
        self._lock = threading.Lock()
        self._millis, self._counter = self._parse(last)

    @staticmethod
    def _parse(value: str) -> tuple[int, int]:
        try:
            millis, counter, _ = value.split("-", 2)
            return int(millis), int(counter)
        except ValueError:
            return 0, 0

    def now(self, wall_millis: int | None = None) -> str:
        wall = time.time_ns() // 1_000_000 if wall_millis is None else wall_millis
        with self._lock:
            if wall > self._millis:
                self._millis, self._counter = wall, 0
            else:
                self._counter += 1
            return f"{self._millis:013d}-{self._counter:04d}-{self.device_id}"

    def observe(self, remote: str) -> None:
        """Move past a timestamp received from another desk."""
        millis, counter = self._parse(remote)
        with self._lock:
            if (millis, counter) > (self._millis, self._counter):
                self._millis, self._counter = millis, counter
