"""Counters the fault loop and the fuzz pass fill in; conftest prints them at the end of the run."""

from __future__ import annotations

from collections import Counter

COUNTS: dict[str, Counter] = {}


def count(section: str, key: str, n: int = 1) -> None:
    COUNTS.setdefault(section, Counter())[key] += n
