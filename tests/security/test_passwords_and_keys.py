"""Passwords are keys: changing or resetting one rewraps the data key (the old password opens nothing, the
new one and the office recovery key do); wrong passwords slow down, survive a restart and are logged."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from security_helpers import PASSWORD

from desktop.domain.accounts import Role
from desktop.domain.errors import DomainError
from desktop.services import keys
from desktop.services.access_log import AccessLogService
from desktop.services.users import UserService, recover
from desktop.services.workspace import Workspace


def opens(data_dir: Path, username: str, password: str) -> bool:
    try:
        workspace, _user = Workspace.unlock(data_dir, username, password)
    except DomainError:
        return False
    workspace.close()
    return True


def test_changing_a_password_rewraps_the_key(enc_dir: Path, sign_in, recovery_key: str, run_cli) -> None:
    workspace, clerk = sign_in("clerk")
    with pytest.raises(DomainError, match="present password"):
        UserService(workspace, clerk).change_own_password("wrong", "uusi-salasana-9")
    UserService(workspace, clerk).change_own_password(PASSWORD, "uusi-salasana-9")
    workspace.close()
    assert not opens(enc_dir, "clerk", PASSWORD)
    assert opens(enc_dir, "clerk", "uusi-salasana-9")

    # The recovery key still opens the data: it sets a new password (the command line, as documented).
    code, out, err = run_cli(
        "--data-dir", enc_dir, "--user", "clerk", "recover",
        env={"KIRJAAMO_RECOVERY_KEY": recovery_key.lower().replace("-", " "), "KIRJAAMO_NEW_PASSWORD": "kolmas-tunnus-7"},
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    assert not opens(enc_dir, "clerk", "uusi-salasana-9") and opens(enc_dir, "clerk", "kolmas-tunnus-7")
    code, _out, err = run_cli(
        "--data-dir", enc_dir, "--user", "clerk", "recover",
        env={"KIRJAAMO_RECOVERY_KEY": "AAAAA-" * 7 + "AAAAA", "KIRJAAMO_NEW_PASSWORD": "x1234-pitkä-tunnus"},
    )  # fmt: skip
    assert code == 1 and "not the recovery key" in err


def test_an_admin_resets_disables_and_enables_accounts(enc_dir: Path, sign_in) -> None:
    workspace, admin = sign_in("admin")
    users = UserService(workspace, admin)
    users.reset_password("reviewer", "nollattu-tunnus-5")
    assert not opens(enc_dir, "reviewer", PASSWORD) and opens(enc_dir, "reviewer", "nollattu-tunnus-5")

    users.create("maija", "Maija Virtanen", Role.CLERK, "alku-tunnus-hyvä")
    assert opens(enc_dir, "maija", "alku-tunnus-hyvä")
    users.disable("maija")
    assert "maija" not in keys.load(enc_dir)["wraps"]  # even a copy made now does not open for her
    assert not opens(enc_dir, "maija", "alku-tunnus-hyvä")
    users.enable("maija", "uudestaan-avattu-3")
    assert opens(enc_dir, "maija", "uudestaan-avattu-3")
    users.change_role("maija", Role.REVIEWER)
    assert {a.username: (a.role, a.active, a.has_key) for a in users.accounts()}["maija"] == (
        Role.REVIEWER,
        True,
        True,
    )

    with pytest.raises(DomainError, match="your own account"):
        users.disable("admin")
    with pytest.raises(DomainError, match="at least one active administrator"):
        users.change_role("admin", Role.CLERK)

    actions = [e.action for e in reversed(AccessLogService(workspace, admin).entries(username="admin"))]
    for expected in ("password_reset", "user_created", "user_disabled", "user_enabled", "role_changed"):
        assert expected in actions


def test_wrong_passwords_slow_down_survive_a_restart_and_are_logged(enc_dir: Path, sign_in) -> None:
    for _attempt in range(keys.FREE_ATTEMPTS):
        with pytest.raises(DomainError, match="Wrong user name or password"):
            Workspace.unlock(enc_dir, "clerk", "arvaus")
    # The waiting is in the key file: a restarted app (a new process) waits just the same.
    guard = json.loads((enc_dir / "keys.json").read_text())["guard"]["clerk"]
    assert guard["failures"] == keys.FREE_ATTEMPTS
    with pytest.raises(keys.SignInDelayed, match="wait 2 seconds"):
        Workspace.unlock(enc_dir, "clerk", PASSWORD)  # even the right password waits
    assert keys.wait_seconds(4) == 4 and keys.wait_seconds(20) == keys.MAX_WAIT_SECONDS

    keys.check_guard(enc_dir, "clerk", now=time.time() + 3)  # after the wait it is let through
    guard_entry = keys.load(enc_dir)["guard"]["clerk"]
    keys.update(enc_dir, lambda data: data["guard"]["clerk"].update(last=guard_entry["last"] - 3))
    workspace, admin = sign_in("admin")
    _ws, _clerk = sign_in("clerk")
    assert "clerk" not in keys.load(enc_dir)["guard"]  # a right password resets the count

    failed = [e for e in AccessLogService(workspace, admin).entries() if e.action == "sign_in_failed"]
    assert [e.username for e in failed] == ["clerk"] * keys.FREE_ATTEMPTS
    assert keys.load(enc_dir)["failures"] == []


def test_an_unknown_user_name_is_answered_like_a_wrong_password(enc_dir: Path) -> None:
    with pytest.raises(DomainError) as unknown:
        Workspace.unlock(enc_dir, "nobody", PASSWORD)
    with pytest.raises(DomainError) as wrong:
        Workspace.unlock(enc_dir, "clerk", "wrong")
    assert str(unknown.value) == str(wrong.value) == "Wrong user name or password."


def test_the_key_file_holds_no_secret_in_the_clear(enc_dir: Path, recovery_key: str) -> None:
    text = (enc_dir / "keys.json").read_text()
    assert PASSWORD not in text.replace('"demo"', "")
    assert recovery_key.replace("-", "") not in text.replace("-", "")
    data = json.loads(text)
    assert set(data["wraps"]) == {"admin", "clerk", "reviewer"}
    assert {entry["kdf"]["alg"] for entry in data["wraps"].values()} == {"argon2id"}


def test_recover_refuses_an_unencrypted_data_dir(data_dir: Path, recovery_key: str) -> None:
    with pytest.raises(DomainError, match="not encrypted"):
        recover(data_dir, recovery_key, "admin", "uusi1-pitkä-tunnus")
