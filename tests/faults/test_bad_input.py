"""No input ends in a traceback: every refusal is our one line (exit 1); text that would fool a reader or a
terminal is refused where it enters and escaped where it is shown."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.errors import DomainError
from desktop.i18n import error_text
from desktop.services.email_import import read_email


def _request(name: object = "Maija Meikäläinen", **extra) -> dict:
    data = {
        "right": "access",
        "channel": "post",
        "received": "2026-11-06",
        "registers": ["te-asiakasrekisteri"],
        "signed": True,
        "details": "Pyydän tietoni.\nKiitos.",
        "requester": {"name": name, "language": "fi"},
    }
    data.update(extra)
    return data


def _one_line_refusal(result) -> str:
    code, out, err = result
    assert code == 1, (code, out, err)
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("kirjaamo: "), err
    return err.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"right": ' + "9" * 5001 + "}", "number too long"),
        (json.dumps(_request("Maija \ud800")), "requester.name"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("{", "not valid JSON"),
        ('{"right": NaN}', "not valid JSON"),
    ],
    ids=["deep", "digits", "lone-surrogate", "not-utf8", "truncated", "nan"],
)
def test_hostile_request_json_is_refused_in_one_line(run_cli, tmp_path, text, expected):
    path = tmp_path / "request.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    message = _one_line_refusal(run_cli("cases", "register", "--json", path))
    assert expected in message


@pytest.mark.parametrize(
    "name",
    ["Matti\x00", "Matti \x1b[31mpunainen", "Matti \u202eoknu", "Matti\nKEHA/1/2025\tclosed", "Mat\tti"],
    ids=["nul", "ansi", "rtl-override", "fake-row", "tab"],
)
def test_names_refuse_control_and_bidi_characters(run_cli, tmp_path, name):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_request(name)), encoding="utf-8")
    message = _one_line_refusal(run_cli("cases", "register", "--json", path))
    assert "requester.name" in message and "not allowed" in message
    code, out, _err = run_cli("cases", "list")
    assert code == 0 and "Matti" not in out


def test_non_text_values_are_refused_naming_the_field(run_cli, tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(_request(True)), encoding="utf-8")
    assert _one_line_refusal(run_cli("cases", "register", "--json", path)) == (
        "kirjaamo: The field requester.name must be text."
    )
    path.write_text(json.dumps(_request(details=["a"])), encoding="utf-8")
    assert "details must be text" in _one_line_refusal(run_cli("cases", "register", "--json", path))


def test_free_text_keeps_lines_and_tabs_but_refuses_escapes():
    from desktop.domain.text import check_text

    assert check_text("rivi 1\r\nrivi\t2 ", "details", 100, multiline=True) == "rivi 1\nrivi\t2"
    with pytest.raises(DomainError) as raised:
        check_text("rivi \x1b[2J", "details", 100, multiline=True)
    assert (
        error_text(raised.value)
        == "The field details contains a character that is not allowed there (U+001B)."
    )


def test_messages_and_output_show_control_characters_escaped(run_cli):
    from desktop.domain.text import printable

    message = _one_line_refusal(run_cli("deadline", "2026-11-0\r\n\x1b[2J"))
    assert "\r" not in message and "\x1b" not in message and "\\r\\n\\u001b[2J" in message
    assert printable("Matti\nKEHA/1/2025\tclosed\u202e") == "Matti\\nKEHA/1/2025\\tclosed\\u202e"


def test_wait_seconds_speaks_in_the_right_number():
    from desktop.domain.errors import DomainError, Nn_

    def wait(seconds: int) -> str:
        error = DomainError(
            Nn_(
                "Too many wrong passwords for {username}: wait {seconds} second and try again.",
                "Too many wrong passwords for {username}: wait {seconds} seconds and try again.",
            ),
            plural_by="seconds",
            username="clerk",
            seconds=seconds,
        )
        return error_text(error)

    assert wait(1) == "Too many wrong passwords for clerk: wait 1 second and try again."
    assert wait(5) == "Too many wrong passwords for clerk: wait 5 seconds and try again."


def test_sign_in_guard_says_wait_1_second(data_dir):
    from desktop.services import keys

    for _ in range(keys.FREE_ATTEMPTS):
        keys.record_failure(data_dir, "clerk", "password", now=1000.0)
    wait = keys.wait_seconds(keys.FREE_ATTEMPTS)
    with pytest.raises(DomainError) as raised:
        keys.check_guard(data_dir, "clerk", now=1000.0 + wait - 0.5)
    assert error_text(raised.value) == "Too many wrong passwords for clerk: wait 1 second and try again."


# -- e-mail ----------------------------------------------------------------------------------------


def test_email_with_undecodable_header_bytes_is_imported(run_cli, tmp_path):
    path = tmp_path / "broken.eml"
    path.write_bytes(
        b"From: Ma\xffija M\xe4 <m@example.fi>\r\nTo: k@example.fi\r\nSubject: Pyynt\xf6 \xff\r\n"
        b"Date: Mon, 2 Nov 2026 10:00:00 +0200\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"Hei, pyyd\xe4n tietoni.\r\n"
    )
    code, out, err = run_cli("import-email", path)
    assert code == 0 and "Traceback" not in err, err
    assert out.strip().startswith("KEHA/")


def test_email_header_decoding_is_bounded():
    from desktop.services.email_import import MAX_HEADER_BYTES, bound_headers

    words = " ".join(["=?utf-8?q?Hei_maailma?="] * 20_000)
    data = (
        f"From: Maija <m@example.fi>\r\nTo: k@example.fi\r\nSubject: {words}\r\n"
        "Date: Mon, 2 Nov 2026 10:00:00 +0200\r\n\r\nHei\r\n"
    ).encode()
    bounded = bound_headers(data)
    assert len(bounded) < MAX_HEADER_BYTES * 3 and bounded.endswith(b"\r\n\r\nHei\r\n")
    mail = read_email(data, "words.eml")
    assert mail.subject.startswith("Hei maailma") and mail.body.strip() == "Hei"


# -- restore ---------------------------------------------------------------------------------------


def _tamper(source: Path, target: Path, change) -> None:
    """Copy the backup, letting `change(manifest, files)` rewrite the manifest and the members."""
    with tarfile.open(source) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    manifest = json.loads(members.pop("manifest.json"))
    change(manifest, members)
    with tarfile.open(target, "w") as tar:
        for name, data in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _corrupt_database(manifest, files):
    import hashlib

    data = bytearray(files["kirjaamo.sqlite3"])
    for offset in range(100, len(data), 997):
        data[offset] ^= 0x5A
    files["kirjaamo.sqlite3"] = bytes(data)
    manifest["files"]["kirjaamo.sqlite3"]["sha256"] = hashlib.sha256(data).hexdigest()


def _files_as_list(manifest, _files):
    manifest["files"] = sorted(manifest["files"])


def _entry_without_sha(manifest, _files):
    del manifest["files"]["kirjaamo.sqlite3"]["sha256"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_corrupt_database, "database"),
        (_files_as_list, "list of files is unreadable"),
        (_entry_without_sha, "has no valid checksum"),
    ],
    ids=["corrupt-db-fixed-checksum", "files-list", "no-sha256"],
)
def test_restore_of_a_tampered_backup_is_refused_in_one_line(run_cli, tmp_path, change, expected):
    archive = tmp_path / "backup.tar"
    code, _out, err = run_cli("backup", archive, env={"KIRJAAMO_USER": "admin"})
    assert code == 0, err
    tampered = tmp_path / "tampered.tar"
    _tamper(archive, tampered, change)
    target = tmp_path / "restored"
    message = _one_line_refusal(
        run_cli("--data-dir", target, "restore", tampered, env={"KIRJAAMO_USER": "admin"})
    )
    assert expected in message
    assert not target.exists() or not any(target.iterdir())
    assert not any(p.name.startswith(".restored") for p in tmp_path.iterdir())


def test_backup_archive_and_its_members_are_private(run_cli, tmp_path):
    archive = tmp_path / "backup.tar"
    code, _out, err = run_cli("backup", archive, env={"KIRJAAMO_USER": "admin"})
    assert code == 0, err
    assert archive.stat().st_mode & 0o777 == 0o600
    with tarfile.open(archive) as tar:
        modes = {m.name: m.mode & 0o777 for m in tar.getmembers()}
    assert modes and set(modes.values()) == {0o600}, modes


# -- the pipe --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_cases_list_into_head_ends_quietly(make_demo_template, tmp_path):
    root = make_demo_template("pipe", 1500, 3, date(2026, 11, 23))
    env = {
        **os.environ,
        "KIRJAAMO_PASSWORD": "demo",
        "KIRJAAMO_USER": "clerk",
        "KIRJAAMO_LANG": "en",
        "PYTHONUNBUFFERED": "0",
    }
    env.pop("KIRJAAMO_DEBUG", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(root), "cases", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.readline()
    child.stdout.close()  # what `head -1` does
    err = child.stderr.read().decode()
    child.stderr.close()
    code = child.wait(120)
    assert first.startswith(b"KEHA/")
    assert err == "" and code == 0, err
