"""The server commands of the command line as clerk, reviewer and admin, against the permission table
(the other commands: tests/test_permission_table.py). A new desk's first sync is authorised by the
enrolment code an administrator issued (tests/sync/test_push_pull.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop.domain.accounts import Role, UseCase, may

pytestmark = pytest.mark.postgres

ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)


def _denied(data_dir: Path, username: str) -> int:
    with sqlite3.connect(data_dir / "kirjaamo.sqlite3") as connection:
        return connection.execute(
            "SELECT count(*) FROM access_log WHERE action = 'denied' AND username = ?", (username,)
        ).fetchone()[0]


def _check(role: Role, use_case: UseCase, result: tuple[int, str, str], data_dir: Path, before: int) -> None:
    code, out, err = result
    if may(role, use_case):
        assert (code, err.count("\n") <= 1) == (0, True), err
        assert _denied(data_dir, role.value) == before
    else:
        assert code == 1 and err.count("\n") == 1 and "is not allowed" in err, err
        assert _denied(data_dir, role.value) == before + 1


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_server_commands_follow_the_table(role, empty_database, server, make_desk, run_cli, tmp_path):
    where = make_desk("standalone").workspace.data_dir
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{empty_database}"
    before = _denied(where, role.value)
    result = run_cli("--data-dir", where, "--user", role.value, "server", "init", "--url", url)
    _check(role, UseCase.SERVER_INIT, result, where, before)

    syncing = make_desk("syncing", server).workspace.data_dir
    before = _denied(syncing, role.value)
    result = run_cli("--data-dir", syncing, "--user", role.value, "sync")
    _check(role, UseCase.SYNC, result, syncing, before)
