"""`kirjaamo bench` keeps working: a small run prints every figure (no timing is asserted here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

EXPECTED = {
    "cold_start",
    "cold_start_empty",
    "cold_start_ratio",
    "first_page",
    "scroll_end",
    "sort_due",
    "filter",
    "search_app",
    "search_raw",
    "search_ratio",
    "save",
    "case_view",
    "letter",
    "letters_500",
    "rss",
    "sync_initial",
    "sync_round",
}


@pytest.mark.slow
def test_bench_prints_every_figure_as_json():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "bench", "--cases", "1000", "--repeat", "1", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["cases"] == 1000 and "cores" in report["machine"]
    figures = report["figures"]
    assert set(figures) >= EXPECTED
    for key in EXPECTED - {"sync_initial", "sync_round"}:
        assert isinstance(figures[key]["value"], int | float) and figures[key]["value"] >= 0, key
    assert figures["sync_round"]["value"] is None and "--server" in figures["sync_round"]["note"]
