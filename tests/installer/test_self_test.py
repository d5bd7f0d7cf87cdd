"""`kirjaamo --self-test` as IT runs it after an install: no display, no venv tricks, one line per check."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every check the self-test makes on Linux; a check quietly dropped would weaken what IT relies on.
EXPECTED_CHECKS = {
    "qt",
    "platform plugin offscreen",
    "platform plugin xcb",
    "image format png",
    "image format jpeg",
    "image format tiff",
    "print support",
    "qt translations",
    "resources",
    "translations",
    "data dir",
    "deadline",
    "register a case",
    "reply letter",
    "pdf viewer (QtPdf)",
    "main window",
    "babel locales",
    "pillow",
    "s/mime (cryptography)",
    "postgresql driver",
}


def _env(tmp_path: Path) -> dict[str, str]:
    """As on a desk over ssh: no display, no Qt platform chosen (the self-test picks offscreen itself)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["HOME"] = str(tmp_path)  # nothing may land in the real user's folders
    env["KIRJAAMO_DATA_DIR"] = str(tmp_path / "must-not-be-created")
    return env


def _checks(stdout: str) -> dict[str, str]:
    """{check name: "ok" or "FAIL"} from the report's check lines."""
    found = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "FAIL"):
            found[rest.strip().split(":", 1)[0]] = status
    return found


def test_self_test_passes_without_a_display(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--self-test"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = _checks(result.stdout)
    assert set(checks) == EXPECTED_CHECKS
    assert set(checks.values()) == {"ok"}
    assert result.stdout.splitlines()[-1] == f"self-test passed: {len(EXPECTED_CHECKS)} checks"
    assert not (tmp_path / "must-not-be-created").exists()
    assert not list(Path(tempfile.gettempdir()).glob("kirjaamo-selftest-*/data/kirjaamo.sqlite3"))


def test_a_failing_check_fails_the_self_test_and_the_rest_still_run(tmp_path: Path) -> None:
    # Break one check (as a missing resources/ folder in a bad bundle would) and run the real entry point.
    script = (
        "import sys, desktop.selftest as s\n"
        "def broken(ctx): raise FileNotFoundError('resources/fonts is missing')\n"
        "s._check_resources = broken\n"
        "from desktop.cli import main\n"
        "sys.exit(main(['--self-test']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    checks = _checks(result.stdout)
    assert checks.pop("resources") == "FAIL"
    assert "FAIL  resources: FileNotFoundError: resources/fonts is missing" in result.stdout
    assert set(checks.values()) == {"ok"}  # one broken part does not hide the state of the others
    assert result.stdout.splitlines()[-1] == f"self-test FAILED: 1 of {len(EXPECTED_CHECKS)} checks failed"
