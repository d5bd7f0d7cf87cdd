"""A desk killed in the middle of writing (power cut, task manager): what is on disk is whole and consistent."""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.domain.events import EventType
from desktop.services import demo, keys
from desktop.services.clock import Clock
from desktop.services.workspace import Workspace
from desktop.store import crypto
from desktop.store.database import DATABASE_FILE, connect_raw

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL"),
]

REPO = Path(__file__).resolve().parents[1]
DEMO_BATCH = inspect.signature(demo.generate).parameters["batch"].default
Run = Callable[..., tuple[int, str, str]]


_keys: dict[Path, bytes] = {}


def database_key(data_dir: Path) -> bytes | None:
    """The SQLCipher key of the demo's (encrypted) data dir, unwrapped with admin's password; None before
    the key file is there."""
    if data_dir not in _keys:
        entry = keys.load(data_dir)["wraps"].get("admin")
        if entry is None:
            return None
        _keys[data_dir] = crypto.sqlcipher_key(keys.unwrap_password(entry, "admin", demo.DEMO_PASSWORD)[0])
    return _keys[data_dir]


def count_cases(database: Path) -> int:
    """Committed cases, read on a separate connection (0 while the schema is not there yet)."""
    if not database.exists():
        return 0
    key = database_key(database.parent)
    if key is None:
        return 0
    try:
        connection = connect_raw(database, key, timeout=1)
        try:
            return connection.execute("SELECT count(*) FROM cases").fetchone()[0]
        finally:
            connection.close()
    except Exception:  # no table yet, or the file is being created
        return 0


def kill_mid_demo(data_dir: Path, timeout: float = 120.0) -> None:
    """Start `kirjaamo demo --cases 50000` and SIGKILL it once some batches are in but not all."""
    env = {**os.environ, "KIRJAAMO_PASSWORD": "demo", "KIRJAAMO_LANG": "en"}
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(data_dir), "demo", "--cases", "50000"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    database = data_dir / DATABASE_FILE
    deadline = time.monotonic() + timeout
    try:
        while count_cases(database) < 2 * DEMO_BATCH:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"the demo finished (exit {process.returncode}) before it was killed: {err}")
            if time.monotonic() > deadline:
                pytest.fail(f"no cases appeared within {timeout} s")
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def test_a_killed_demo_leaves_whole_batches_of_whole_cases(
    run_cli: Run, tmp_path: Path, paper_request: dict
) -> None:
    data_dir = tmp_path / "killed"
    kill_mid_demo(data_dir)

    workspace, _admin = Workspace.unlock(data_dir, "admin", demo.DEMO_PASSWORD)  # opens, recovers the WAL
    workspace.close()
    code, out, err = run_cli("--data-dir", data_dir, "--user", "admin", "verify")
    assert (code, err) == (0, ""), err

    connection = connect_raw(data_dir / DATABASE_FILE, database_key(data_dir))
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
        assert 2 * DEMO_BATCH <= cases < 50_000
        assert cases % DEMO_BATCH == 0  # whole batches of whole cases

        # Every case has a projection, and every projection a registration event.
        assert (
            connection.execute(
                "SELECT count(DISTINCT case_id) FROM events WHERE case_id NOT IN (SELECT id FROM cases)"
            ).fetchone()[0]
            == 0
        )
        registered = connection.execute(
            "SELECT count(*) FROM cases c WHERE EXISTS (SELECT 1 FROM events e "
            "WHERE e.case_id = c.id AND e.type = ? AND e.seq = c.num)",
            (EventType.CASE_REGISTERED.value,),
        ).fetchone()[0]
        assert registered == cases
        assert connection.execute("SELECT count(*) FROM cases_fts").fetchone()[0] == cases

        # The diary counters are exactly the highest number given out per year: nothing skipped or reused.
        counters = dict(
            connection.execute("SELECT year, last FROM diary_counters WHERE prefix = 'KEHA'").fetchall()
        )
        highest = dict(connection.execute("SELECT diary_year, max(diary_seq) FROM cases GROUP BY diary_year"))
        assert counters == highest
        per_year = dict(connection.execute("SELECT diary_year, count(*) FROM cases GROUP BY diary_year"))
        assert per_year == highest  # numbers 1..N, each once
        assert connection.execute("SELECT count(DISTINCT diary_number) FROM cases").fetchone()[0] == cases
    finally:
        connection.close()

    # The desk carries on: a new request gets the next number of this year's diary.
    paper_request["received"] = Clock().today().isoformat()
    request = tmp_path / "request.json"
    request.write_text(json.dumps(paper_request), encoding="utf-8")
    year = Clock().today().year
    code, out, err = run_cli("--data-dir", data_dir, "cases", "register", "--json", request)
    assert (code, err) == (0, "")
    assert out == f"KEHA/{counters.get(year, 0) + 1}/{year}\n"
