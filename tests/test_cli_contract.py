"""The `kirjaamo` command line as a contract (design §10): output formats, exit codes, and that bad input
is refused with one line on stderr and leaves the data dir exactly as it was."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.deadlines import due_date
from desktop.domain.model import AttachmentKind, IdentityMethod
from desktop.services import accounts
from desktop.services.cases import CaseService
from desktop.services.clock import Clock
from desktop.services.workspace import Workspace
from desktop.store.database import DATABASE_FILE

# The command line runs on the real clock, so dates in these tests are counted from the real today.
TODAY = Clock().today()
Run = Callable[..., tuple[int, str, str]]


def pdf_bytes(text: str = "Allekirjoitettu tarkastuspyyntö") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 760, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def request_json(tmp_path: Path, data: object, name: str = "request.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def request_data(paper_request: dict) -> dict:
    paper_request["received"] = (TODAY - timedelta(days=3)).isoformat()
    return paper_request


@pytest.fixture
def live_service(workspace: Workspace) -> CaseService:
    """The clerk's case service on the real clock, to set up cases the command line then works on."""
    with workspace.engine.connect() as connection:
        return CaseService(workspace, accounts.find_user(connection, "clerk"), Clock())


def register(run_cli: Run, tmp_path: Path, data: dict) -> str:
    code, out, err = run_cli("cases", "register", "--json", request_json(tmp_path, data))
    assert (code, err) == (0, ""), err
    return out.strip()


def show(run_cli: Run, diary: str) -> dict:
    code, out, err = run_cli("cases", "show", diary, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def listed(run_cli: Run, *options: str) -> list[str]:
    code, out, err = run_cli("cases", "list", "--json", *options)
    assert (code, err) == (0, ""), err
    return [row["diary_number"] for row in json.loads(out)]


# ---------------------------------------------------------------------------------------------------
# deadline


@pytest.mark.parametrize(
    ("received", "options", "due"),
    [
        ("2026-03-05", (), "2026-04-07"),  # 5.4. is Easter Sunday, 6.4. Easter Monday
        ("2026-11-24", (), "2026-12-28"),  # 24.–26.12. are holidays, 27.12. a Sunday
        ("2026-01-31", (), "2026-03-02"),  # 28.2. is a Saturday
        ("2026-11-06", (), "2026-12-07"),
        ("2026-03-05", ("--extended",), "2026-06-05"),  # three months from receipt, not from 7.4.
        ("2026-11-06", ("--extended",), "2027-02-08"),
    ],
)
def test_deadline_prints_the_due_date(run_cli: Run, received: str, options: tuple, due: str) -> None:
    assert run_cli("deadline", received, *options) == (0, due + "\n", "")


def test_deadline_uses_the_offices_closing_days(run_cli: Run, workspace: Workspace) -> None:
    settings = workspace.settings
    settings.closing_days = ["2026-04-07"]
    workspace.save_settings(settings)
    assert run_cli("--data-dir", workspace.data_dir, "deadline", "2026-03-05") == (0, "2026-04-08\n", "")


# ---------------------------------------------------------------------------------------------------
# cases register / show / attach

SHOW_KEYS = {
    "right",
    "channel",
    "received",
    "registers",
    "signed",
    "details",
    "requester",
    "diary_number",
    "status",
    "due_date",
    "attachments",
    "events",
}


def test_register_prints_the_diary_number_and_show_gives_every_field(
    run_cli: Run, tmp_path: Path, request_data: dict
) -> None:
    code, out, err = run_cli("cases", "register", "--json", request_json(tmp_path, request_data))
    assert (code, err) == (0, "")
    assert out == f"KEHA/1/{TODAY.year}\n"
    diary = out.strip()

    shown = show(run_cli, diary)
    assert shown.keys() >= SHOW_KEYS
    assert {"name", "hetu", "language", "email", "phone", "address"} <= shown["requester"].keys()
    assert {"street", "postcode", "city", "country"} <= shown["requester"]["address"].keys()
    assert shown["diary_number"] == diary
    assert shown["status"] == "registered"
    for key in ("right", "channel", "received", "registers", "signed", "details"):
        assert shown[key] == request_data[key], key
    requester = shown["requester"]
    assert (requester["name"], requester["hetu"], requester["language"]) == (
        "Maija Meikäläinen",
        "131052-308T",
        "fi",
    )
    assert (requester["email"], requester["phone"]) == ("maija.meikalainen@example.fi", "040 1234567")
    assert requester["address"] == {
        "street": "Mannerheimintie 1 A 2",
        "postcode": "00100",
        "city": "HELSINKI",
        "country": "",
    }
    assert shown["due_date"] == due_date(TODAY - timedelta(days=3)).isoformat()
    assert shown["attachments"] == []
    [event] = shown["events"]
    assert (event["type"], event["actor"]) == ("CaseRegistered", "clerk")
    assert date.fromisoformat(event["at"][:10]) >= TODAY - timedelta(days=1)

    # The plain (human) form names the same case.
    code, out, err = run_cli("cases", "show", diary)
    assert (code, err) == (0, "")
    assert out.startswith(f"{diary}  registered\n")
    assert "Maija Meikäläinen" in out


def test_registration_accepts_a_minimal_request(run_cli: Run, tmp_path: Path) -> None:
    minimal = {
        "right": "erasure",
        "channel": "in_person",
        "received": TODAY.isoformat(),
        "requester": {"name": "Matti Virtanen"},
    }
    diary = register(run_cli, tmp_path, minimal)
    shown = show(run_cli, diary)
    assert (shown["right"], shown["channel"], shown["registers"], shown["signed"]) == (
        "erasure",
        "in_person",
        [],
        False,
    )
    assert shown["requester"]["hetu"] == ""


def test_attach_stores_the_file_and_show_lists_it(run_cli: Run, tmp_path: Path, request_data: dict) -> None:
    diary = register(run_cli, tmp_path, request_data)
    scan = tmp_path / "lomake.pdf"
    scan.write_bytes(pdf_bytes())
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()

    code, out, err = run_cli("attach", diary, scan, "--kind", "signed_form")
    assert (code, out, err) == (0, f"{sha}  {diary}\n", "")
    shown = show(run_cli, diary)
    assert shown["attachments"] == [
        {"sha256": sha, "filename": "lomake.pdf", "kind": "signed_form", "size": scan.stat().st_size}
    ]
    assert [e["type"] for e in shown["events"]] == ["CaseRegistered", "AttachmentAdded"]

    code, out, err = run_cli("attach", diary, scan)
    assert (code, err) == (0, "")
    assert "already attached" in out and sha[:12] in out
    assert len(show(run_cli, diary)["attachments"]) == 1

    eml = tmp_path / "viesti.eml"
    eml.write_text(
        "From: maija@example.fi\r\nSubject: Tietopyyntö\r\nDate: Mon, 2 Nov 2026 09:00:00 +0200\r\n\r\nHei\r\n"
    )
    assert run_cli("attach", diary, eml, "--kind", "email")[0] == 0
    kinds = [a["kind"] for a in show(run_cli, diary)["attachments"]]
    assert kinds == ["signed_form", "email"]


# ---------------------------------------------------------------------------------------------------
# cases list


@pytest.fixture
def listing(live_service: CaseService, request_data: dict) -> dict[str, str]:
    """Five cases: overdue, due within a week, due in a month, closed, waiting for the requester."""

    def received(days_ago: int) -> str:
        return (TODAY - timedelta(days=days_ago)).isoformat()

    # A receipt day whose due date falls 1–7 days from today, whatever today is.
    soon = next(d for d in range(20, 40) if 1 <= (due_date(TODAY - timedelta(days=d)) - TODAY).days <= 7)
    people = {
        "overdue": ("Matti Virtanen", "010170-123F", "33100", received(45)),
        "soon": ("Aino Korhonen", "", "20100", received(soon)),
        "fresh": ("Maija Meikäläinen", "131052-308T", "00100", received(0)),
        "closed": ("Juhani Mäkinen", "", "90100", received(45)),
        "waiting": ("Helmi Nieminen", "", "40100", received(45)),
    }
    diaries = {}
    for key, (name, hetu, postcode, day) in people.items():
        data = json.loads(json.dumps(request_data))
        data["received"] = day
        data["requester"].update(name=name, hetu=hetu, email="")
        data["requester"]["address"]["postcode"] = postcode
        diaries[key] = live_service.register(data).diary_number
    live_service.withdraw(diaries["closed"], "Peruttu.")
    live_service.close(diaries["closed"])
    live_service.verify_identity(diaries["waiting"], IdentityMethod.SIGNATURE)
    live_service.request_clarification(diaries["waiting"], "Valtakirja puuttuu.")
    return diaries


def test_list_json_holds_every_case_in_diary_order_with_the_hetu_masked(
    run_cli: Run, listing: dict[str, str]
) -> None:
    code, out, err = run_cli("cases", "list", "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [row["diary_number"] for row in rows] == list(listing.values())
    overdue = rows[0]
    assert overdue["requester"] == "Matti Virtanen"
    assert overdue["hetu"] == "010170-****"
    assert {
        "diary_number",
        "status",
        "right",
        "channel",
        "received",
        "due_date",
        "registers",
    } <= overdue.keys()
    assert "010170-123F" not in out and "131052-308T" not in out

    code, out, err = run_cli("cases", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == list(listing.values())
    assert "131052-****" in out and "131052-308T" not in out


def test_list_filters(run_cli: Run, listing: dict[str, str]) -> None:
    assert listed(run_cli, "--status", "closed") == [listing["closed"]]
    assert listed(run_cli, "--status", "waiting,closed") == [listing["closed"], listing["waiting"]]
    assert listed(run_cli, "--status", "REGISTERED") == [
        listing["overdue"],
        listing["soon"],
        listing["fresh"],
    ]
    assert listed(run_cli, "--overdue") == [listing["overdue"]]  # not the closed one, not the waiting one
    assert listed(run_cli, "--due-within", "7") == [listing["soon"]]
    assert listed(run_cli, "--due-within", "40") == [listing["soon"], listing["fresh"]]
    assert listed(run_cli, "--search", "meikalainen") == [listing["fresh"]]
    assert listed(run_cli, "--search", "33100") == [listing["overdue"]]
    assert listed(run_cli, "--search", "010170-123F") == [listing["overdue"]]
    assert listed(run_cli, "--search", listing["soon"]) == [listing["soon"]]
    assert listed(run_cli, "--search", "Mäkinen", "--status", "closed") == [listing["closed"]]
    assert listed(run_cli, "--search", "ei ketään") == []


def test_list_limit(run_cli: Run, listing: dict[str, str]) -> None:
    everything = list(listing.values())
    assert listed(run_cli, "--limit", "2") == everything[:2]
    assert listed(run_cli, "--limit", "0") == []
    assert listed(run_cli, "--limit", "99") == everything
    assert listed(run_cli, "--status", "registered", "--limit", "1") == [listing["overdue"]]


# ---------------------------------------------------------------------------------------------------
# Bad input: exit 1, one line on stderr, nothing changed


def data_dir_digest(data_dir: Path) -> dict[str, str]:
    """A digest of every table's rows and the list of files in the blob store.

    Not of the access log: a command signs in, and a refused one is logged (issue 6) — by design.
    """
    connection = sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'access_log' ORDER BY name"
            )
        ]
        digest = {}
        for table in tables:
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            digest[table] = hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()
    finally:
        connection.close()
    blobs = data_dir / "blobs"
    digest["<blobs>"] = repr(
        sorted((str(p.relative_to(blobs)), p.stat().st_size) for p in blobs.rglob("*") if p.is_file())
    )
    return digest


@pytest.fixture
def office(
    live_service: CaseService, workspace: Workspace, tmp_path: Path, request_data: dict
) -> dict[str, object]:
    """A data dir with an open case (a file attached) and a closed one, and files to feed the command."""
    # Signing in remembers the user on the desk (settings.last_user); clerk was the last one here already.
    settings = workspace.settings
    settings.last_user = "clerk"
    workspace.save_settings(settings)
    open_diary = live_service.register(request_data).diary_number
    live_service.attach_bytes(open_diary, pdf_bytes(), "lomake.pdf", AttachmentKind.SIGNED_FORM)
    closed_diary = live_service.register(request_data).diary_number
    live_service.withdraw(closed_diary, "Peruttu.")
    live_service.close(closed_diary)
    other_scan = tmp_path / "toinen.pdf"
    other_scan.write_bytes(pdf_bytes("Toinen lomake"))
    fake_pdf = tmp_path / "kuva.pdf"
    fake_pdf.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))

    def with_(**changes: object) -> Path:
        data = json.loads(json.dumps(request_data))
        for path, value in changes.items():
            target = data
            *parents, last = path.split("__")
            for parent in parents:
                target = target[parent]
            target[last] = value
        return request_json(tmp_path, data, "bad.json")

    return {
        "open": open_diary,
        "closed": closed_diary,
        "scan": other_scan,
        "fake_pdf": fake_pdf,
        "with": with_,
        "tmp": tmp_path,
    }


def _raw(tmp: Path, text: str) -> Path:
    path = tmp / "raw.json"
    path.write_text(text, encoding="utf-8")
    return path


BAD_INPUTS: dict[str, tuple[Callable[[dict], list], str]] = {
    "unknown right": (
        lambda o: ["cases", "register", "--json", o["with"](right="teleport")],
        "Unknown right “teleport”",
    ),
    "invalid received date": (
        lambda o: ["cases", "register", "--json", o["with"](received="31.12.2026")],
        "Not a valid date",
    ),
    "received in the future": (
        lambda o: [
            "cases",
            "register",
            "--json",
            o["with"](received=(TODAY + timedelta(days=2)).isoformat()),
        ],
        "is in the future",
    ),
    "invalid deadline date": (lambda o: ["deadline", "2026-02-30"], "Not a valid date"),
    "malformed JSON": (
        lambda o: ["cases", "register", "--json", _raw(o["tmp"], '{"right": "access",')],
        "not valid JSON",
    ),
    "JSON array": (
        lambda o: ["cases", "register", "--json", _raw(o["tmp"], '[{"right": "access"}]')],
        "must be a JSON object",
    ),
    "JSON file missing": (
        lambda o: ["cases", "register", "--json", o["tmp"] / "ei-ole.json"],
        "Cannot read",
    ),
    "missing field": (
        lambda o: ["cases", "register", "--json", _raw(o["tmp"], '{"right": "access"}')],
        "The field channel is missing",
    ),
    "invalid henkilötunnus": (
        lambda o: ["cases", "register", "--json", o["with"](requester__hetu="131052-308A")],
        "check character should be T, not A",
    ),
    "henkilötunnus with an impossible date": (
        lambda o: ["cases", "register", "--json", o["with"](requester__hetu="310252-308T")],
        "31.2.1952 .* does not exist",
    ),
    "invalid postcode": (
        lambda o: ["cases", "register", "--json", o["with"](requester__address__postcode="123")],
        "A postcode has exactly five digits; 123 does not",
    ),
    "unknown register": (
        lambda o: ["cases", "register", "--json", o["with"](registers=["ei-tällaista"])],
        "Unknown register ei-tällaista",
    ),
    "unknown diary number (show)": (lambda o: ["cases", "show", "KEHA/999/2026"], "No case KEHA/999/2026"),
    "unknown diary number (attach)": (
        lambda o: ["attach", "KEHA/999/2026", o["scan"]],
        "No case KEHA/999/2026",
    ),
    "attach to a closed case": (lambda o: ["attach", o["closed"], o["scan"]], "is closed"),
    "attach a file whose content is not what its name says": (
        lambda o: ["attach", o["open"], o["fake_pdf"]],
        "content is image/png",
    ),
    "missing file for attach": (lambda o: ["attach", o["open"], o["tmp"] / "ei-ole.pdf"], "No such file"),
    "negative limit": (lambda o: ["cases", "list", "--limit", "-1"], "limit cannot be negative"),
    "negative days": (lambda o: ["cases", "list", "--due-within", "-3"], "cannot be negative"),
    "limit not a number": (lambda o: ["cases", "list", "--limit", "kymmenen"], "invalid int value"),
    "unknown status": (lambda o: ["cases", "list", "--status", "lost"], "Unknown status “lost”"),
    "unknown subcommand option": (
        lambda o: ["cases", "list", "--colour"],
        "unrecognized arguments: --colour",
    ),
    "unknown global option": (lambda o: ["--verbose", "cases", "list"], "unrecognized arguments: --verbose"),
    "unknown command": (lambda o: ["frobnicate"], "invalid choice: 'frobnicate'"),
    "unknown attachment kind": (
        lambda o: ["attach", o["open"], o["scan"], "--kind", "selfie"],
        "invalid choice: 'selfie'",
    ),
    "missing argument": (lambda o: ["cases", "show"], "the following arguments are required: diary"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_with_one_line_and_changes_nothing(
    run_cli: Run, office: dict, data_dir: Path, case: str
) -> None:
    make_args, message = BAD_INPUTS[case]
    args = make_args(office)
    before = data_dir_digest(data_dir)
    code, out, err = run_cli(*args)
    assert code == 1
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.endswith("\n")
    assert err.startswith("kirjaamo")
    assert re.search(message, err), err
    assert data_dir_digest(data_dir) == before


@pytest.mark.parametrize(
    ("env", "command"),
    [
        ({"KIRJAAMO_PASSWORD": "wrong"}, "list"),
        ({"KIRJAAMO_PASSWORD": ""}, "list"),
        ({"KIRJAAMO_USER": "nobody"}, "list"),
        ({"KIRJAAMO_PASSWORD": "wrong"}, "attach"),
        ({"KIRJAAMO_PASSWORD": "wrong"}, "register"),
    ],
    ids=["wrong password", "empty password", "unknown user", "attach", "register"],
)
def test_wrong_credentials_are_refused_with_one_line_and_change_nothing(
    run_cli: Run, office: dict, data_dir: Path, env: dict, command: str
) -> None:
    args = {
        "list": ["cases", "list"],
        "attach": ["attach", office["open"], office["scan"]],
        "register": ["cases", "register", "--json", office["with"]()],
    }[command]
    before = data_dir_digest(data_dir)
    code, out, err = run_cli(*args, env=env)
    assert (code, out) == (1, "")
    assert err == "kirjaamo: Wrong user name or password.\n"
    assert data_dir_digest(data_dir) == before


def test_the_digest_sees_a_change(run_cli: Run, office: dict, data_dir: Path) -> None:
    """The unchanged-data checks above would notice a write: a successful attach changes the digest."""
    before = data_dir_digest(data_dir)
    assert run_cli("attach", office["open"], office["scan"])[0] == 0
    after = data_dir_digest(data_dir)
    assert after["events"] != before["events"]
    assert after["attachments"] != before["attachments"]
    assert after["<blobs>"] != before["<blobs>"]
