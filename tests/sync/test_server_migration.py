"""A server made by the previous release is upgraded in place: `server init` (s0002), then `server reseal`.

The old server is made by the previous release's own code (checked out from git history into a temporary
folder and run as `python -m desktop.cli`): its `server init`, its demo data, its first sync through the
shared workstation role — payloads, files and password hashes in clear.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import psycopg
import pytest

from desktop.services import demo
from desktop.services.desks import DeskService, join
from desktop.services.reseal import reseal_server
from desktop.services.workspace import Workspace
from desktop.sync.server_schema import init_server, role_names

pytestmark = pytest.mark.postgres

PREVIOUS_RELEASE = "226c8b0"  # main before the server became a sealed relay (server schema s0001)
ROOT = Path(__file__).resolve().parents[2]


def _previous_release(tmp_path: Path) -> Path:
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, "desktop", "resources"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:  # pragma: no cover - a tree without history
        pytest.skip(f"the previous release is not in this checkout's history: {error}")
    target = tmp_path / "previous"
    target.mkdir()
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _old_cli(code_dir: Path, *args: str) -> str:
    env = dict(
        os.environ,
        KIRJAAMO_PASSWORD=demo.DEMO_PASSWORD,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(code_dir),
    )
    result = subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _cases(workspace: Workspace) -> list[tuple]:
    with workspace.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        return cursor.execute("SELECT id, diary_number, status FROM cases ORDER BY id").fetchall()


@pytest.mark.slow
def test_a_server_of_the_previous_release_is_sealed_in_place(empty_database, tmp_path):
    old = _previous_release(tmp_path)
    admin_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{empty_database}"
    workstation, privileged = role_names(empty_database)
    desk_dir = tmp_path / "old-desk"
    _old_cli(old, "server", "init", "--url", admin_url)
    _old_cli(old, "--data-dir", str(desk_dir), "demo", "--cases", "25", "--seed", "4")
    _old_cli(
        old,
        "--data-dir",
        str(desk_dir),
        "--user",
        "admin",
        "sync",
        "--server",
        f"postgresql+psycopg://{workstation}@127.0.0.1:5432/{empty_database}",
    )
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as connection:
        clear = connection.execute("SELECT count(*) FROM change_log WHERE payload LIKE '{%%'").fetchone()[0]
        hashes = connection.execute(
            "SELECT count(*) FROM accounts WHERE password_hash LIKE '$argon2%%'"
        ).fetchone()[0]
        old_files = connection.execute("SELECT count(*) FROM blobs WHERE complete").fetchone()[0]
    assert clear > 25 and hashes == 3 and old_files >= 1  # the previous release's server, as it was

    result = init_server(admin_url)  # the upgrade: s0001 → s0002
    assert (result.before, result.after) == ("s0001", "s0002")
    with pytest.raises(psycopg.OperationalError):  # the shared workstation role is gone
        psycopg.connect(f"host=127.0.0.1 user={workstation} dbname={empty_database}")

    workspace, admin = Workspace.unlock(desk_dir, "admin", demo.DEMO_PASSWORD, remember=False)
    try:
        privileged_url = f"postgresql+psycopg://{privileged}@127.0.0.1:5432/{empty_database}"
        sealed = reseal_server(workspace, admin, privileged_url)
        assert sealed.events >= clear - 30 and sealed.files == old_files and sealed.accounts == 3

        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={empty_database}") as connection:
            plain = connection.execute(
                "SELECT DISTINCT type FROM change_log WHERE payload NOT LIKE 'kjs1:%%'"
            ).fetchall()
            legacy = connection.execute("SELECT count(*) FROM legacy_accounts").fetchone()[0]
            dump = "\n".join(
                row[0]
                for table in (
                    "change_log",
                    "blobs",
                    "legacy_accounts",
                    "legacy_office",
                    "sealed_records",
                    "desks",
                )
                for row in connection.execute(f"SELECT t::text FROM {table} t").fetchall()
            )
        assert plain in ([], [("DiaryNumberAssigned",)]) and legacy == 0
        with workspace.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            people = [row[0] for row in cursor.execute("SELECT requester_name FROM cases").fetchall()]
        assert people and not [name for name in people if name and name in dump]
        assert "$argon2" not in dump

        # The other desks join by enrolment and converge with the resealed log.
        code = DeskService(workspace, admin).enrol(privileged_url, "second").code
        second = join(tmp_path / "second", admin_url, code, "clerk", demo.DEMO_PASSWORD)
        try:
            assert second.settings.office_prefix == workspace.settings.office_prefix
            assert _cases(second) == _cases(workspace) and len(_cases(workspace)) == 25
        finally:
            second.close()
    finally:
        workspace.close()
