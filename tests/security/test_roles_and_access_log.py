"""Roles are enforced by the services (not only hidden in the GUI) and every refusal, view, search, print
and export lands in the hash-chained access log; a changed entry makes `kirjaamo verify` fail and name it."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from security_helpers import raw_connection

from desktop.domain.accounts import Role
from desktop.domain.model import Decision, IdentityMethod, LetterKind
from desktop.services import letters
from desktop.services.access_log import AccessLogService
from desktop.services.accounts import PermissionDenied
from desktop.services.backup import backup
from desktop.services.cases import CaseService
from desktop.services.clock import FixedClock
from desktop.services.office import OfficeService
from desktop.services.reports import ReportService, default_period
from desktop.services.retention import RetentionService
from desktop.services.users import UserService


@pytest.fixture
def case(sign_in, clock: FixedClock, paper_request: dict) -> str:
    workspace, clerk = sign_in("clerk")
    service = CaseService(workspace, clerk, clock)
    diary = service.register(paper_request).diary_number
    service.verify_identity(diary, IdentityMethod.SIGNATURE)
    return diary


def denied_entries(workspace) -> list[tuple[str, str]]:
    with workspace.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT username, detail FROM access_log WHERE action = 'denied' ORDER BY seq"
        ).fetchall()
    return [tuple(row) for row in rows]


FORBIDDEN = {
    "clerk": [
        (
            "record a refusal",
            lambda w, u, c, d: CaseService(w, u, c).record_decision(d, Decision.REFUSED, "x", "y"),
        ),
        ("purge", lambda w, u, c, d: RetentionService(w, u, c).purge(d)),
        ("list cases due for purge", lambda w, u, c, d: RetentionService(w, u, c).due_for_purge()),
        ("create a user", lambda w, u, c, d: UserService(w, u).create("mallory", "M", Role.ADMIN, "secret")),
        ("change a role", lambda w, u, c, d: UserService(w, u).change_role("clerk", Role.ADMIN)),
        (
            "save office settings",
            lambda w, u, c, d: OfficeService(w, u).save(replace(w.settings, retention_years=1)),
        ),
        ("read the access log", lambda w, u, c, d: AccessLogService(w, u).entries()),
        ("export cases", lambda w, u, c, d: ReportService(w, u, c).case_rows(default_period(c.today()))),
    ],
    "reviewer": [
        (
            "reset a password",
            lambda w, u, c, d: UserService(w, u).reset_password("admin", "varattu-tunnus-42"),
        ),
        ("disable a user", lambda w, u, c, d: UserService(w, u).disable("admin")),
        (
            "save office settings",
            lambda w, u, c, d: OfficeService(w, u).save(replace(w.settings, retention_years=1)),
        ),
        ("read the access log", lambda w, u, c, d: AccessLogService(w, u).entries()),
        (
            "back up",
            lambda w, u, c, d: backup(w, u, Path("unused.tar")),
        ),
    ],
}


@pytest.mark.parametrize(
    ("role", "index"),
    [(role, i) for role, actions in FORBIDDEN.items() for i in range(len(actions))],
    ids=[f"{role}: {name}" for role, actions in FORBIDDEN.items() for name, _ in actions],
)
def test_a_forbidden_action_is_refused_by_the_service_and_logged(sign_in, clock, case, role, index) -> None:
    workspace, user = sign_in(role)
    _name, action = FORBIDDEN[role][index]
    before = denied_entries(workspace)
    with pytest.raises(PermissionDenied):
        action(workspace, user, clock, case)
    after = denied_entries(workspace)
    assert len(after) == len(before) + 1
    username, detail = after[-1]
    assert username == role and "permission=" in detail and "call=" in detail


def test_a_reviewer_may_refuse_and_a_clerk_may_not(sign_in, clock, case) -> None:
    workspace, reviewer = sign_in("reviewer")
    state = CaseService(workspace, reviewer, clock).record_decision(
        case, Decision.REFUSED, "Perusteet", "JulkL 24 §"
    )
    assert state.decision is Decision.REFUSED


def test_views_searches_prints_and_exports_are_logged(sign_in, clock, case, tmp_path: Path) -> None:
    workspace, reviewer = sign_in("reviewer")
    service = CaseService(workspace, reviewer, clock)
    rows = service.rows(service.query())  # a plain list: not a search
    state, _events = service.open_case(case)
    assert state.requester.hetu == "131052-308T"  # in full in the case view …
    assert service.rows(service.query(text="Meikäläinen"))[0].hetu == "131052-308T"
    letters.render_letter(service, case, LetterKind.ACKNOWLEDGEMENT)
    ReportService(workspace, reviewer, clock).export_cases(
        default_period(clock.today()), "csv", tmp_path / "c.csv"
    )
    assert len(rows) == 1

    workspace_admin, admin = sign_in("admin")
    log = AccessLogService(workspace_admin, admin)
    mine = [(e.action, e.diary_number, e.detail) for e in reversed(log.entries(username="reviewer"))]
    assert [a for a, _d, _t in mine] == ["sign_in", "view", "search", "print", "export_cases"]
    assert mine[1][1] == case
    assert mine[2][2] == "list: Meikäläinen"
    assert "letter=acknowledgement" in mine[3][2]
    for_case = {e.action for e in log.entries(diary=case)}
    assert for_case == {"view", "print"}

    out = tmp_path / "log.csv"
    assert log.export_csv(out, diary=case) == 2
    with open(out, encoding="utf-8-sig", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert [row["action"] for row in exported] == ["view", "print"]
    assert log.entries(username="admin")[0].action == "log_exported"  # reading the log is logged too


def test_the_database_refuses_to_change_or_delete_log_entries(enc_dir: Path, sign_in) -> None:
    sign_in("clerk")
    connection = raw_connection(enc_dir)
    try:
        for statement in ("UPDATE access_log SET username = 'x'", "DELETE FROM access_log"):
            with pytest.raises(Exception, match="append-only"):
                connection.execute(statement)
    finally:
        connection.close()


def test_changing_one_byte_of_an_entry_makes_verify_fail_and_name_it(
    enc_dir: Path, sign_in, case, run_cli
) -> None:
    workspace, clerk = sign_in("clerk")
    CaseService(workspace, clerk).open_case(case)
    workspace.close()
    assert run_cli("--data-dir", enc_dir, "--user", "admin", "verify")[0] == 0

    # Below the services: the SQLCipher connection, the trigger dropped, one character of one entry changed.
    connection = raw_connection(enc_dir)
    try:
        seq, at, diary = connection.execute(
            "SELECT seq, at, diary_number FROM access_log WHERE action = 'view'"
        ).fetchone()
        total = connection.execute("SELECT count(*) FROM access_log").fetchone()[0]
        assert seq < total  # entries follow it: the break is in the middle of the chain
        connection.execute("DROP TRIGGER access_log_no_update")
        connection.execute(
            "UPDATE access_log SET diary_number = ? WHERE seq = ?",
            (diary[:-1] + chr(ord(diary[-1]) ^ 1), seq),
        )
    finally:
        connection.close()

    code, out, err = run_cli("--data-dir", enc_dir, "--user", "admin", "verify")
    assert code == 1 and out == ""
    first = err.splitlines()[0].split("\t")
    assert first[0] == "access_log_broken"
    assert first[1] == f"entry {seq}"
    assert first[2].startswith(at) and "changed after it was written" in first[2]
    assert err.splitlines()[-1] == "Verification failed: 1 problem(s)."
