"""The server as an untrusted relay: it holds no personal data, and only enrolled desks get in."""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
import pytest
from conftest import assert_converged, sync_all

from desktop.domain.errors import DomainError
from desktop.domain.model import AttachmentKind
from desktop.services import demo
from desktop.services.desks import DeskService, join
from desktop.sync.connection import LoginRefused
from desktop.sync.enrolment import EnrolmentRefused

pytestmark = pytest.mark.postgres

SECRET_FILE = b"%PDF-1.4\nLiite: Salainen Sointu, henkilotunnus 010203A9988, Kuusitie 7 B 12\n"


def _server_dump(server) -> tuple[str, bytes]:
    """Every row of every table of the server as text (rows cast to text) and every bytea value raw."""
    texts: list[str] = []
    raw: list[bytes] = []
    with server.connect() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        ]
        assert {"change_log", "blob_chunks", "sealed_records", "desks"} <= set(tables)
        for table in tables:
            texts += [row[0] for row in connection.execute(f'SELECT t::text FROM "{table}" t').fetchall()]
            for row in connection.execute(f'SELECT * FROM "{table}"').fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw.append(bytes(value))
                    elif value is not None:
                        raw.append(str(value).encode("utf-8"))
    return "\n".join(texts), b"\n".join(raw)


def _needles(desk) -> set[str]:
    found: set[str] = set()
    for case in desk.everything().values():
        requester = case["requester"]
        found |= {requester.get("name") or "", requester.get("hetu") or "", requester.get("email") or ""}
        found.add((requester.get("address") or {}).get("street") or "")
    return {needle for needle in found if len(needle) >= 6}


@pytest.mark.slow
def test_the_server_holds_no_personal_data_and_desks_still_converge(server, make_desk):
    a = make_desk("a", server)
    demo.generate(a.workspace, 40, seed=7, today=a.clock.today())
    case_id = a.register("Salainen Sointu", details="Pyydän tiedot, hetu 010203A9988.")
    sha = a.cases.attach_bytes(case_id, SECRET_FILE, "lomake.pdf", AttachmentKind.SIGNED_FORM).sha256
    a.cases.add_note(case_id, "Soitin Sointu Salaiselle numeroon 040 765 4321.")
    a.sync()
    b = make_desk("b", server)  # enrolled by a code made on a
    sync_all([a, b])
    shown = assert_converged([a, b], server)
    assert shown[case_id]["requester"]["name"] == "Salainen Sointu"
    assert b.cases.read_attachment(sha) == SECRET_FILE

    needles = _needles(a) | {
        "Salainen Sointu",
        "010203A9988",
        "Kuusitie 7 B 12",
        "040 765 4321",
        "Meikäläinen",
    }
    assert len(needles) > 40  # names, henkilötunnukset, streets and e-mails of the demo's cases
    with a.workspace.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        files = [row[0] for row in cursor.execute("SELECT DISTINCT sha256 FROM attachments").fetchall()]
    assert len(files) >= 2  # the demo's scanned form and e-mail, and the secret file
    attachment_bytes = [SECRET_FILE[9:60], b"Meik\xc3\xa4l\xc3\xa4inen"]
    for file_sha in files:
        data = a.workspace.blobs.read(file_sha)
        attachment_bytes.append(data[len(data) // 2 : len(data) // 2 + 40])
    text, raw = _server_dump(server)
    for needle in sorted(needles):
        assert needle not in text, needle
        assert needle.encode("utf-8") not in raw, needle
    for snippet in attachment_bytes:
        assert snippet not in raw
    assert sha not in text  # the server cannot even confirm which file it holds
    assert "$argon2" not in text  # no password hash a desk's login could read
    plain = server.query(
        "SELECT DISTINCT type, device_id FROM change_log WHERE payload NOT LIKE %s", ("kjs1:%",)
    )
    assert plain == [("DiaryNumberAssigned", "server")]  # only the server's own final numbers are plain


def test_removing_a_desk_stops_its_login(server, make_desk):
    a, b = make_desk("a", server), make_desk("b", server)
    b.register()
    sync_all([a, b])
    role = urlsplit(b.url).username
    roles = {desk.role for desk in DeskService(a.workspace, a.user).desks(server.privileged_url)}
    assert role in roles

    DeskService(a.workspace, a.user).remove(server.privileged_url, role)
    with pytest.raises(LoginRefused, match="not enrolled or was removed"):
        b.sync()
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        server.connect(role)
    states = {desk.role: desk.state for desk in DeskService(a.workspace, a.user).desks(server.privileged_url)}
    assert states[role] == "removed"
    a.sync()  # the others work on


def test_an_enrolment_code_needs_a_password_works_once_and_not_after_removal(server, make_desk, tmp_path):
    a = make_desk("a", server)
    a.register()
    a.sync()
    admin = DeskService(a.workspace, a.user)
    code = admin.enrol(server.privileged_url, "reception").code
    with pytest.raises(DomainError, match="Wrong user name or password"):
        join(tmp_path / "new", server.privileged_url, code, "clerk", "not the password")
    assert not (tmp_path / "new").exists()
    workspace = join(tmp_path / "new", server.privileged_url, code, "clerk", demo.DEMO_PASSWORD)
    workspace.close()  # the wrong password did not use the code up; the right one did
    with pytest.raises(EnrolmentRefused, match="already used"):
        join(tmp_path / "again", server.privileged_url, code, "clerk", demo.DEMO_PASSWORD)
    with pytest.raises(EnrolmentRefused, match="not an enrolment code"):
        join(tmp_path / "again", server.privileged_url, "ABCDE-FGHIJ", "clerk", demo.DEMO_PASSWORD)

    waiting = admin.enrol(server.privileged_url, "withdrawn")
    admin.remove(server.privileged_url, waiting.role)  # an unused code can be withdrawn too
    with pytest.raises(EnrolmentRefused):
        join(tmp_path / "third", server.privileged_url, waiting.code, "clerk", demo.DEMO_PASSWORD)

    expired = admin.enrol(server.privileged_url, "late")
    server.query("UPDATE desks SET expires_at = now() - interval '1 minute' WHERE role = %s", (expired.role,))
    with pytest.raises(EnrolmentRefused, match="expired"):
        join(tmp_path / "fourth", server.privileged_url, expired.code, "clerk", demo.DEMO_PASSWORD)


def test_desk_commands_on_the_command_line(server, make_desk, run_cli, tmp_path):
    a = make_desk("a", server)
    a.sync()
    data_dir = str(a.workspace.data_dir)
    code, out, err = run_cli(
        "--data-dir", data_dir, "--user", "admin", "desk", "enrol", "--server", server.privileged_url
    )
    assert (code, err) == (0, ""), err
    enrolment = out.splitlines()[-1].strip()
    assert len(enrolment.split("-")) == 7
    code, out, err = run_cli(
        "--data-dir",
        tmp_path / "new",
        "--user",
        "reviewer",
        "sync",
        "--server",
        server.privileged_url,
        "--enrolment-code",
        enrolment,
    )
    assert (code, err) == (0, ""), err
    code, out, err = run_cli(
        "--data-dir", data_dir, "--user", "admin", "desk", "list", "--server", server.privileged_url
    )
    assert code == 0 and out.count("enrolled") == 2
    new_role = next(line.split("\t")[0] for line in out.splitlines() if urlsplit(a.url).username not in line)
    code, out, err = run_cli(
        "--data-dir",
        data_dir,
        "--user",
        "admin",
        "desk",
        "remove",
        new_role,
        "--server",
        server.privileged_url,
    )
    assert (code, err) == (0, "") and new_role in out
    code, out, err = run_cli("--data-dir", tmp_path / "new", "--user", "reviewer", "sync")
    assert code == 1 and err.count("\n") == 1 and "removed" in err

    # Only the privileged role may enrol: a desk's own login is refused in one line.
    code, out, err = run_cli("--data-dir", data_dir, "--user", "admin", "desk", "enrol", "--server", a.url)
    assert code == 1 and err.count("\n") == 1 and "privileged role" in err
