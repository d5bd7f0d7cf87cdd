"""Every command of the command line, run as clerk, reviewer and admin, against the one permission table.

`desktop.domain.accounts.USE_CASE_PERMISSIONS` (with `ROLE_PERMISSIONS`) says which role may run which use
case; COMMANDS below says which use case each command is. A role the table allows must succeed; a role it
does not must be refused with exit 1, one line on stderr, and a `denied` entry in the access log.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from desktop.cli import build_parser
from desktop.domain.accounts import Role, UseCase, may
from desktop.services import demo
from desktop.services.workspace import Workspace
from tests.conftest import DEMO_10K_TODAY, CliResult

ROLES = (Role.CLERK, Role.REVIEWER, Role.ADMIN)


@dataclass(frozen=True)
class Command:
    argv: Callable[[Path, dict[str, str]], list[str]]  # (tmp folder, facts about the data dir) -> arguments
    use_case: UseCase | None  # None: no role (a new data dir, a pure calculation, the recovery key)
    data: str = "cases"  # the data dir it runs on: "cases" (demo cases), "empty" (users, no cases)


def _eml(tmp: Path) -> str:
    message = EmailMessage()
    message["From"] = "Maija Meikäläinen <maija@example.fi>"
    message["To"] = "kirjaamo@testivirasto.example"
    message["Subject"] = "Tietopyyntö"
    message["Date"] = "Fri, 06 Nov 2026 10:00:00 +0200"
    message.set_content("Pyydän kopiot minua koskevista tiedoista.\nMaija Meikäläinen\n")
    path = tmp / "pyynto.eml"
    path.write_bytes(bytes(message))
    return str(path)


def _request_file(tmp: Path) -> str:
    path = tmp / "request.json"
    path.write_text(
        '{"right": "access", "channel": "post", "received": "2026-11-06", "registers": '
        '["te-asiakasrekisteri"], "signed": true, "requester": {"name": "Maija Meikäläinen", '
        '"language": "fi", "address": {"street": "Katu 1", "postcode": "00100", "city": "Helsinki"}}}',
        encoding="utf-8",
    )
    return str(path)


def _attachment(tmp: Path) -> str:
    path = tmp / "note.txt"
    path.write_text("allekirjoitettu lomake", encoding="utf-8")
    return str(path)


# Every subcommand of `kirjaamo` (design §10 and whatever cli.py has); the test below checks none is missing.
COMMANDS: dict[str, Command] = {
    "init": Command(
        lambda tmp, f: ["--data-dir", tmp / "new", "init", "--office-prefix", "KEHA", "--office-name", "X"],
        None,
    ),
    "demo": Command(lambda tmp, f: ["demo", "--cases", "3"], UseCase.DEMO, data="empty"),
    "cases list": Command(lambda tmp, f: ["cases", "list", "--json"], UseCase.READ_CASES),
    "cases show": Command(lambda tmp, f: ["cases", "show", f["diary"], "--json"], UseCase.READ_CASES),
    "cases register": Command(
        lambda tmp, f: ["cases", "register", "--json", _request_file(tmp)], UseCase.PROCESS_CASES
    ),
    "attach": Command(lambda tmp, f: ["attach", f["diary"], _attachment(tmp)], UseCase.PROCESS_CASES),
    "import-email": Command(
        lambda tmp, f: ["import-email", _eml(tmp), "--case", f["diary"]], UseCase.PROCESS_CASES
    ),
    "deadline": Command(lambda tmp, f: ["--data-dir", f["data_dir"], "deadline", "2026-11-06"], None),
    "letter": Command(
        lambda tmp, f: ["letter", f["diary"], "--kind", "acknowledgement", "--out", tmp / "a.pdf"],
        UseCase.READ_CASES,
    ),
    "dispatch-list": Command(lambda tmp, f: ["dispatch-list", "--out", tmp / "d.pdf"], UseCase.READ_CASES),
    "report": Command(
        lambda tmp, f: ["report", "--format", "csv", "--out", tmp / "r.csv"], UseCase.READ_CASES
    ),
    "report --cases": Command(
        lambda tmp, f: ["report", "--cases", "--format", "csv", "--out", tmp / "c.csv"], UseCase.EXPORT_CASES
    ),
    "dossier": Command(lambda tmp, f: ["dossier", f["diary"], "--out", tmp / "dossier.pdf"], UseCase.DOSSIER),
    "rebuild": Command(lambda tmp, f: ["rebuild"], UseCase.REBUILD),
    "verify": Command(lambda tmp, f: ["verify"], UseCase.VERIFY),
    "backup": Command(lambda tmp, f: ["backup", tmp / "b.tar"], UseCase.BACKUP),
    "restore": Command(
        lambda tmp, f: ["--data-dir", tmp / "restored", "restore", f["backup"]], UseCase.RESTORE
    ),
    "recover": Command(lambda tmp, f: ["--data-dir", f["encrypted"], "recover"], None),
}
# Run elsewhere, not per role here: with reasons.
ELSEWHERE = {
    "gui": "interactive; the GUI signs in through its dialog (tests/ui)",
    "bench": "builds its own data dir, no role (tests/test_bench_smoke.py)",
    "server init": "needs PostgreSQL (tests/sync/test_server_roles.py)",
    "sync": "needs PostgreSQL (tests/sync/test_server_roles.py)",
    "server reseal": "needs PostgreSQL and a previous release's server (tests/sync)",
    "desk enrol": "needs PostgreSQL; DeskService checks UseCase.ENROL_DESK's permission (tests/sync)",
    "desk list": "needs PostgreSQL; DeskService checks UseCase.ENROL_DESK's permission (tests/sync)",
    "desk remove": "needs PostgreSQL; DeskService checks UseCase.ENROL_DESK's permission (tests/sync)",
}


def _subcommands() -> set[str]:
    parser = build_parser()
    names: set[str] = set()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    for name, sub in commands.choices.items():
        nested = [a for a in sub._actions if getattr(a, "choices", None) and a.dest.endswith("_command")]
        if nested:
            names |= {f"{name} {child}" for child in nested[0].choices}
        else:
            names.add(name)
    return names


def test_the_table_covers_every_command() -> None:
    covered = {name.split(" --")[0] for name in COMMANDS} | set(ELSEWHERE)
    assert _subcommands() == covered


@pytest.fixture(scope="session")
def roles_template(make_demo_template) -> Path:
    return make_demo_template("roles", 12, 3, DEMO_10K_TODAY)


def _denied(data_dir: Path, username: str) -> int:
    with sqlite3.connect(data_dir / "kirjaamo.sqlite3") as connection:
        return connection.execute(
            "SELECT count(*) FROM access_log WHERE action = 'denied' AND username = ?", (username,)
        ).fetchone()[0]


def _facts(data_dir: Path, tmp: Path) -> dict[str, str]:
    with sqlite3.connect(data_dir / "kirjaamo.sqlite3") as connection:
        (diary,) = connection.execute(
            "SELECT diary_number FROM cases WHERE status IN ('registered', 'in_progress') ORDER BY num LIMIT 1"
        ).fetchone()
    return {"diary": diary, "data_dir": str(data_dir)}


@pytest.mark.slow  # ~1.5 min in all: init and recover derive Argon2 keys for encrypted data dirs
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_as_each_role_follows_the_table(
    name: str,
    role: Role,
    run_cli: Callable[..., CliResult],
    roles_template: Path,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    command = COMMANDS[name]
    if command.data == "cases":
        shutil.rmtree(data_dir)
        shutil.copytree(roles_template, data_dir)
    facts = _facts(data_dir, tmp_path) if command.data == "cases" else {"data_dir": str(data_dir)}
    env: dict[str, str | None] = {"KIRJAAMO_USER": role.value}
    if name == "init":  # a new office's administrator password follows the password policy
        env["KIRJAAMO_PASSWORD"] = "Pitkä-ja-hyvä-salasana-2026"
    if name == "restore":
        backup = tmp_path / "office.tar"
        assert run_cli("--user", "admin", "backup", backup)[0] == 0
        facts["backup"] = str(backup)
    if name == "recover":
        encrypted = tmp_path / "encrypted"
        workspace = Workspace.create(encrypted, demo.office_settings(), "admin", "demo", demo=True)
        demo.ensure_demo_users(workspace)
        env["KIRJAAMO_RECOVERY_KEY"] = workspace.recovery_key
        env["KIRJAAMO_NEW_PASSWORD"] = "Uusi-pitkä-salasana-2026"
        workspace.close()
        facts["encrypted"] = str(encrypted)
    before = _denied(data_dir, role.value)

    code, out, err = run_cli("--user", role.value, *command.argv(tmp_path, facts), env=env)

    allowed = command.use_case is None or may(role, command.use_case)
    if allowed:
        assert (code, err.count("\n") <= 1) == (0, True), err
        assert _denied(data_dir, role.value) == before
    else:
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and "is not allowed" in err, err
        if name != "restore":  # the refusal happens inside the backup being restored, which is not kept
            assert _denied(data_dir, role.value) == before + 1


def test_a_clerk_is_refused_demo_and_rebuild_and_it_is_logged(
    run_cli: Callable[..., CliResult], roles_template: Path, data_dir: Path
) -> None:
    shutil.rmtree(data_dir)
    shutil.copytree(roles_template, data_dir)
    with sqlite3.connect(data_dir / "kirjaamo.sqlite3") as connection:
        cases = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    for argv in (["demo", "--cases", "5"], ["rebuild"]):
        code, out, err = run_cli("--user", "clerk", *argv)
        assert (code, out) == (1, "") and err.count("\n") == 1
        assert err.startswith("kirjaamo: clerk (clerk) is not allowed to do this")
    with sqlite3.connect(data_dir / "kirjaamo.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == cases
        details = [
            row[0]
            for row in connection.execute(
                "SELECT detail FROM access_log WHERE action = 'denied' AND username = 'clerk' ORDER BY seq"
            )
        ]
    assert len(details) == 2 and all("permission=maintain" in d for d in details)


@pytest.mark.slow
def test_demo_goes_only_into_an_empty_data_dir(
    run_cli: Callable[..., CliResult], roles_template: Path, data_dir: Path, tmp_path: Path
) -> None:
    shutil.rmtree(data_dir)
    shutil.copytree(roles_template, data_dir)
    code, out, err = run_cli("--user", "admin", "demo", "--cases", "5")
    assert (code, out) == (1, "") and "already holds cases" in err and err.count("\n") == 1

    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "letter.txt").write_text("not ours")
    code, out, err = run_cli("--data-dir", tmp_path / "folder", "demo", "--cases", "2")
    assert code == 1 and "not empty" in err

    # A fresh checkout's `make run`: a folder that does not exist yet, or an empty one.
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "new", tmp_path / "empty"):
        code, out, err = run_cli(
            "--data-dir", target, "demo", "--cases", "2", "--unencrypted", env={"KIRJAAMO_USER": None}
        )
        assert (code, err) == (0, ""), err
        assert "2 cases" in out
