"""`kirjaamo`: the command line (design §10). Plain `kirjaamo` starts the desktop app."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from desktop import __version__
from desktop.domain.errors import DomainError
from desktop.i18n import _, error_text, set_language

EXIT_OK, EXIT_REFUSED = 0, 1


class CliError(Exception):
    """A refusal already worded for the user (translated)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # the contract: bad input exits 1, not argparse's 2
        # ...with one line on stderr: no usage block (that is what --help is for).
        from desktop.domain.text import printable

        print(f"{self.prog}: {printable(message)}", file=sys.stderr)
        sys.exit(EXIT_REFUSED)


def _cli_language() -> str:
    for variable in ("KIRJAAMO_LANG", "LANGUAGE", "LC_ALL", "LANG"):
        value = os.environ.get(variable, "")[:2].lower()
        if value in ("fi", "sv", "en"):
            return value
    return "en"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kirjaamo", description="Kirjaamo – GDPR data-subject requests at the registry office"
    )
    parser.add_argument("--version", action="version", version=f"kirjaamo {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, help="data directory (default: KIRJAAMO_DATA_DIR or the user data folder)"
    )
    parser.add_argument("--user", help="user name (default: KIRJAAMO_USER or the last user who signed in)")
    parser.add_argument(
        "--self-test", action="store_true", help="check that this installation works, then exit"
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    commands.add_parser("gui", help="the desktop app (the default)")

    init = commands.add_parser("init", help="an empty data dir with one administrator")
    init.add_argument("--office-prefix", required=True)
    init.add_argument("--office-name", required=True)

    demo = commands.add_parser(
        "demo", help="demo data: registers, users clerk/reviewer/admin (password demo), cases"
    )
    demo.add_argument("--cases", type=int, default=200)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--unencrypted", action="store_true", help="no encryption at rest (benchmarks and development only)"
    )

    cases = commands.add_parser("cases", help="list, show and register cases")
    case_commands = cases.add_subparsers(dest="cases_command", required=True, parser_class=_Parser)
    listing = case_commands.add_parser("list")
    listing.add_argument("--status")
    listing.add_argument("--overdue", action="store_true")
    listing.add_argument("--due-within", type=int, metavar="DAYS")
    listing.add_argument("--search", metavar="TEXT")
    listing.add_argument("--limit", type=int)
    listing.add_argument("--json", action="store_true")
    show = case_commands.add_parser("show")
    show.add_argument("diary")
    show.add_argument("--json", action="store_true")
    register = case_commands.add_parser("register")
    register.add_argument("--json", required=True, type=Path, metavar="FILE")

    attach = commands.add_parser("attach", help="attach a file to a case")
    attach.add_argument("diary")
    attach.add_argument("file", type=Path)
    attach.add_argument(
        "--kind", default="other", choices=["signed_form", "email", "power_of_attorney", "extract", "other"]
    )

    import_email = commands.add_parser(
        "import-email", help=".eml or .msg: a new case (or an attachment to --case DIARY)"
    )
    import_email.add_argument("file", type=Path)
    import_email.add_argument("--case", metavar="DIARY")

    deadline = commands.add_parser("deadline", help="the due date of a request received on a day")
    deadline.add_argument("received")
    deadline.add_argument("--extended", action="store_true")

    letter = commands.add_parser("letter", help="a case's letter as PDF (in the requester's language)")
    letter.add_argument("diary")
    letter.add_argument("--kind", required=True, help="acknowledgement, access_reply, refusal, ...")
    letter.add_argument("--lang", choices=["fi", "sv", "en"])
    letter.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")

    dispatch_list = commands.add_parser(
        "dispatch-list", help="the day's registered-mail dispatch list as PDF"
    )
    dispatch_list.add_argument("--date", metavar="YYYY-MM-DD", help="the day of dispatch (default: today)")
    dispatch_list.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")

    dossier = commands.add_parser(
        "dossier",
        help="a case's dossier for the Ombudsman as PDF/A (reviewer/admin; logged), or `dossier verify FILE.pdf`",
    )
    dossier.add_argument("diary", metavar="DIARY|verify")
    dossier.add_argument("file", nargs="?", type=Path, metavar="FILE.pdf", help="the dossier to verify")
    dossier.add_argument("--out", type=Path, metavar="FILE.pdf")
    dossier.add_argument("--lang", choices=["fi", "sv", "en"])
    dossier.add_argument("--include-files", action="store_true", help="embed the evidence files too")

    bench = commands.add_parser("bench", help="measure the desk's speed on a fresh data dir of N cases")
    bench.add_argument("--cases", type=int, default=100_000)
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--repeat", type=int, default=5)
    bench.add_argument("--server", metavar="URL", help="also measure sync against this PostgreSQL database")
    bench.add_argument("--json", action="store_true")

    commands.add_parser("rebuild", help="replay the event log into fresh projections")
    verify_parser = commands.add_parser(
        "verify", help="check the access log's hash chain, the files and the projections"
    )
    verify_parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="KJC1-…",
        help="an access-log checkpoint (printed on a dispatch list, in a backup's manifest) to check against",
    )
    backup = commands.add_parser(
        "backup", help="one archive file: database snapshot, files, key file (admins)"
    )
    backup.add_argument("file", type=Path)
    restore = commands.add_parser("restore", help="unpack a backup into an empty data dir, then verify")
    restore.add_argument("file", type=Path)
    commands.add_parser(
        "recover",
        help="a new password for --user with the office recovery key (KIRJAAMO_RECOVERY_KEY or prompt)",
    )

    server = commands.add_parser("server", help="the shared PostgreSQL server")
    server_commands = server.add_subparsers(dest="server_command", required=True, parser_class=_Parser)
    server_init = server_commands.add_parser("init", help="create or upgrade the server schema")
    server_init.add_argument("--url", required=True, help="postgresql+psycopg://user@host:port/database")
    server_reseal = server_commands.add_parser(
        "reseal", help="seal a server made by the previous release (privileged role, from a desk that synced)"
    )
    server_reseal.add_argument("--url", required=True, help="the server's privileged address")

    desk = commands.add_parser("desk", help="enrol or remove the office's desks (privileged server role)")
    desk_commands = desk.add_subparsers(dest="desk_command", required=True, parser_class=_Parser)
    desk_enrol = desk_commands.add_parser("enrol", help="print a one-time enrolment code for a new desk")
    desk_enrol.add_argument("--server", metavar="URL", required=True, help="the server's privileged address")
    desk_enrol.add_argument("--label", default="", help="a name for the new desk")
    desk_enrol.add_argument("--hours", type=int, default=24, help="how long the code is valid (default 24)")
    desk_list = desk_commands.add_parser("list", help="the desks and waiting enrolments")
    desk_list.add_argument("--server", metavar="URL", required=True, help="the server's privileged address")
    desk_remove = desk_commands.add_parser("remove", help="take a desk's server login away")
    desk_remove.add_argument("desk", help="the desk's login role (see “desk list”)")
    desk_remove.add_argument("--server", metavar="URL", required=True, help="the server's privileged address")

    sync = commands.add_parser(
        "sync", help="one push/pull round with the server; sets up a new desk when the data dir is new"
    )
    sync.add_argument("--server", metavar="URL", help="the server (default: the desk's setting)")
    sync.add_argument(
        "--enrolment-code", metavar="CODE", help="join the office's server with a code from an administrator"
    )

    report = commands.add_parser("report", help="the deadlines report: aggregates, groups under 5 as “< 5”")
    report.add_argument(
        "--from", dest="period_from", metavar="D", help="received from, YYYY-MM-DD (default: 12 months)"
    )
    report.add_argument(
        "--to", dest="period_to", metavar="D", help="received until, YYYY-MM-DD (default: today)"
    )
    report.add_argument("--register", metavar="ID", help="only requests concerning this register")
    report.add_argument("--format", required=True, choices=["csv", "xlsx", "pdf"])
    report.add_argument("--out", required=True, type=Path, metavar="FILE")
    report.add_argument(
        "--cases",
        action="store_true",
        help="one row per case, no requester data (csv/xlsx; export permission; logged)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    set_language(_cli_language())
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.self_test:
            from desktop.selftest import run_self_test

            return run_self_test()
        command = args.command or "gui"
        handler = _HANDLERS[command]
        return handler(args) or EXIT_OK
    except DomainError as error:
        print(f"kirjaamo: {error_text(error)}", file=sys.stderr)
        return EXIT_REFUSED
    except CliError as error:
        from desktop.domain.text import printable

        print(f"kirjaamo: {printable(str(error))}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kirjaamo cases list | head`: the reader has what it wanted
        _silence_stdout()
        return EXIT_OK
    except Exception as error:  # the last net: one line, never a traceback
        if os.environ.get("KIRJAAMO_DEBUG"):
            raise
        from desktop.domain.text import printable

        reason = printable(" ".join(str(error).split()))[:300] or type(error).__name__
        print(f"kirjaamo: {_('Unexpected error: {reason}').format(reason=reason)}", file=sys.stderr)
        return EXIT_REFUSED


def _silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so that the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# -- helpers ---------------------------------------------------------------------------------------


def _data_dir(args) -> Path:
    from desktop.services.workspace import default_data_dir

    return args.data_dir or default_data_dir()


def _username(args, data_dir: Path, default: str = "") -> str:
    from desktop.services.workspace import Workspace

    username = args.user or os.environ.get("KIRJAAMO_USER") or Workspace.last_user_hint(data_dir) or default
    if not username and not Workspace.is_encrypted(data_dir):
        workspace = Workspace.open(data_dir)  # a data dir from before encryption: its settings say
        username = workspace.settings.last_user
        workspace.close()
    if not username:
        raise CliError(_("Which user? Give --user NAME (or set KIRJAAMO_USER)."))
    return username


def _session(args, default_user: str = ""):
    """Sign in (KIRJAAMO_PASSWORD or a prompt) and open the data dir: (workspace, user).

    An encrypted data dir opens only this way: the password unwraps its key.
    """
    from desktop.services.workspace import Workspace

    data_dir = _data_dir(args)
    Workspace.database_path(data_dir)  # no data: say so before asking for a password
    username = _username(args, data_dir, default_user)
    return Workspace.unlock(
        data_dir, username, _password(_("Password for {user}: ").format(user=username)), remember=False
    )


def _workspace(args):
    return _session(args)[0]


def _password(prompt: str) -> str:
    password = os.environ.get("KIRJAAMO_PASSWORD")
    if password is not None:
        return password
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(_("A password is needed: set KIRJAAMO_PASSWORD or run in a terminal."))
    return getpass.getpass(prompt)


def _service(args):
    """The case service for the signed-in user of the command."""
    from desktop.services.cases import CaseService

    workspace, user = _session(args)
    return CaseService(workspace, user)


def _print_recovery_key(workspace) -> None:
    if workspace.recovery_key:
        print(
            _(
                "Office recovery key (shown only now: print it and keep it locked away; with it the data "
                "opens even if every password is lost):"
            )
        )
        print(f"    {workspace.recovery_key}")


def _print_json(data: object) -> None:
    from desktop.domain.text import printable

    text = json.dumps(data, ensure_ascii=False, indent=2)  # escapes C0 controls itself
    print("\n".join(printable(line) for line in text.split("\n")))  # bidi, C1, unpaired: as \uXXXX


# -- commands --------------------------------------------------------------------------------------


def cmd_gui(args) -> int:
    from desktop.ui.app import run_app

    return run_app(_data_dir(args), args.user)


def cmd_init(args) -> int:
    from desktop.services.settings import OfficeSettings
    from desktop.services.workspace import Workspace

    username = args.user or "admin"
    password = os.environ.get("KIRJAAMO_PASSWORD")
    if password is None:
        password = _password(_("New password for {user}: ").format(user=username))
        if sys.stdin.isatty() and getpass.getpass(_("Again: ")) != password:
            raise CliError(_("The passwords differ."))
    settings = OfficeSettings(
        office_prefix=args.office_prefix.strip().upper(), office_name=args.office_name.strip()
    )
    workspace = Workspace.create(_data_dir(args), settings, username, password)
    print(
        _("Created {path} for {office}; administrator: {user}").format(
            path=workspace.data_dir, office=settings.office_name, user=username
        )
    )
    _print_recovery_key(workspace)
    workspace.close()
    return EXIT_OK


def cmd_demo(args) -> int:
    """Demo data into a new or empty folder (or, for an administrator, a data dir with no cases yet)."""
    from desktop.services import demo

    if args.cases < 0:
        raise CliError(_("The number of cases cannot be negative."))
    data_dir = _data_dir(args)
    interactive = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if interactive:
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    workspace, written = demo.create_demo(
        data_dir,
        args.cases,
        args.seed,
        encrypted=not args.unencrypted,
        sign_in=lambda: _session(args, default_user="admin"),
        progress=progress,
    )
    if interactive:
        print(file=sys.stderr)
    print(
        _("Demo data in {path}: {count} cases; users clerk, reviewer, admin (password “demo”)").format(
            path=data_dir, count=written
        )
    )
    _print_recovery_key(workspace)
    workspace.close()
    return EXIT_OK


def _row_json(row) -> dict:
    from desktop.domain.identifiers import mask_hetu

    return {
        "diary_number": row.diary_number,
        "status": row.status,
        "right": row.right,
        "channel": row.channel,
        "received": row.received,
        "due_date": row.due_date,
        "requester": row.requester_name,
        "hetu": mask_hetu(row.hetu),
        "registers": row.registers.split(),
    }


def cmd_cases(args) -> int:
    service = _service(args)
    if args.cases_command == "list":
        return _cases_list(service, args)
    if args.cases_command == "show":
        return _cases_show(service, args)
    return _cases_register(service, args)


def _cases_list(service, args) -> int:
    from desktop.domain.identifiers import mask_hetu
    from desktop.domain.model import Status, parse_enum

    statuses: frozenset[str] = frozenset()
    if args.status:
        statuses = frozenset(parse_enum(Status, s, "status").value for s in args.status.split(","))
    if args.limit is not None and args.limit < 0:
        raise CliError(_("The limit cannot be negative."))
    if args.due_within is not None and args.due_within < 0:
        raise CliError(_("The number of days cannot be negative."))
    query = service.query(
        statuses=statuses, overdue=args.overdue, due_within=args.due_within, text=args.search or ""
    )
    rows = service.rows(query, args.limit)
    if args.json:
        _print_json([_row_json(row) for row in rows])
        return EXIT_OK
    from desktop.domain.text import printable

    for row in rows:
        print(
            "\t".join(
                printable(field)
                for field in (
                    row.diary_number,
                    row.status,
                    row.right,
                    row.received,
                    row.due_date,
                    row.requester_name,
                    mask_hetu(row.hetu),
                )
            )
        )
    return EXIT_OK


def case_json(state, events) -> dict:
    """`cases show --json` (design §10): the request as registered plus status, due date, files and timeline."""
    r = state.requester
    return {
        "diary_number": state.diary_number,
        "status": state.status.value,
        "right": state.right.value,
        "channel": state.channel.value,
        "received": state.received.isoformat(),
        "registers": list(state.registers),
        "signed": state.signed,
        "details": state.details,
        "requester": r.to_dict(),
        "due_date": state.due_date.isoformat(),
        "due_dates": [{"due": d.due.isoformat(), "reason": d.reason} for d in state.due_dates],
        "extended": state.extended,
        "decision": state.decision.value if state.decision else None,
        "delivery": state.delivery.value if state.delivery else None,
        "tracking_number": state.tracking_number,
        "identity": (
            {
                "method": state.identity.method.value,
                "document": state.identity.document,
                "verified_by": state.identity.verified_by,
            }
            if state.identity
            else None
        ),
        "conflicts": [{"field": c.field, "values": list(c.values)} for c in state.conflicts],
        "attachments": [
            {"sha256": a.sha256, "filename": a.filename, "kind": a.kind.value, "size": a.size}
            for a in state.attachments
        ],
        "events": [{"type": e.type.value, "at": e.at.isoformat(), "actor": e.actor} for e in events],
    }


def _cases_show(service, args) -> int:
    from desktop.i18n import format_date

    state, events = service.open_case(args.diary)  # logged: the requester's data in full
    if args.json:
        _print_json(case_json(state, events))
        return EXIT_OK
    r = state.requester
    lines = [
        f"{state.diary_number}  {state.status.value}",
        f"{_('Right')}: {state.right.value}   {_('Channel')}: {state.channel.value}",
        f"{_('Received')}: {format_date(state.received)}   {_('Due')}: {format_date(state.due_date)}",
        f"{_('Requester')}: {r.name} {r.hetu}",
        f"{_('Address')}: {r.address.street}, {r.address.postcode} {r.address.city}",
        f"{_('Registers')}: {', '.join(state.registers)}",
        f"{_('Details')}: {state.details}",
    ]
    for a in state.attachments:
        lines.append(f"  📎 {a.filename} ({a.kind.value}, {a.size} B, {a.sha256[:12]})")
    for e in events:
        lines.append(f"  {e.at.isoformat(timespec='minutes')}  {e.actor:10} {e.type.value}")
    from desktop.domain.text import printable

    print("\n".join(printable(line) for line in lines))
    return EXIT_OK


def _cases_register(service, args) -> int:
    from desktop.services.intake import load_request

    try:
        raw = args.json.read_bytes()
    except OSError as error:
        raise CliError(
            _("Cannot read {file}: {reason}").format(file=args.json, reason=error.strerror)
        ) from None
    state = service.register(load_request(raw))
    print(state.diary_number)
    return EXIT_OK


def cmd_attach(args) -> int:
    from desktop.domain.model import AttachmentKind

    service = _service(args)
    if not args.file.is_file():
        raise CliError(_("No such file: {file}").format(file=args.file))
    result = service.attach_file(args.diary, args.file, AttachmentKind(args.kind))
    if result.already_attached:
        print(
            _("{file} was already attached to {diary} ({sha})").format(
                file=args.file.name, diary=result.state.diary_number, sha=result.sha256[:12]
            )
        )
    else:
        print(f"{result.sha256}  {result.state.diary_number}")
    return EXIT_OK


def cmd_import_email(args) -> int:
    """A saved secure e-mail: a new case prefilled from it (prints the diary number), or attached to --case."""
    from desktop.services.evidence import EvidenceService

    service = _service(args)
    if not args.file.is_file():
        raise CliError(_("No such file: {file}").format(file=args.file))
    evidence = EvidenceService(service)
    if args.case:
        batch = evidence.attach_email_file(args.case, args.file)
    else:
        batch = evidence.register_from_email(evidence.import_email(args.file))
    for name, reason in batch.skipped:
        line = _("Not attached separately: {name} ({reason})").format(name=name, reason=error_text(reason))
        print(f"kirjaamo: {line}", file=sys.stderr)
    for note in batch.notes:
        print(f"kirjaamo: {_(note)}", file=sys.stderr)
    if args.case and batch.main.already_attached:
        print(
            _("{file} was already attached to {diary} ({sha})").format(
                file=args.file.name, diary=batch.state.diary_number, sha=batch.main.sha256[:12]
            )
        )
    elif args.case:
        print(f"{batch.main.sha256}  {batch.state.diary_number}")
    else:
        print(batch.state.diary_number)
    return EXIT_OK


def cmd_deadline(args) -> int:
    from desktop.domain.deadlines import FINNISH_CALENDAR, WorkCalendar, due_date

    try:
        received = date.fromisoformat(args.received)
    except ValueError:
        raise CliError(
            _("Not a valid date: “{value}” (use YYYY-MM-DD).").format(value=args.received)
        ) from None
    calendar = FINNISH_CALENDAR
    if args.data_dir:
        calendar = WorkCalendar(_workspace(args).settings.closing_dates())
    print(due_date(received, extended=args.extended, calendar=calendar).isoformat())
    return EXIT_OK


def _write_pdf(path: Path, data: bytes) -> None:
    """Write through a temp file in the target folder and rename: the file is whole or not there at all."""
    import tempfile

    folder = path.parent
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise CliError(
            _("Cannot write {file}: {reason}").format(file=path, reason=error.strerror or error)
        ) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise CliError(
            _("Cannot write {file}: {reason}").format(file=path, reason=error.strerror or error)
        ) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _check_out_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise CliError(_("No such folder: {folder}").format(folder=path.parent))


def cmd_letter(args) -> int:
    from desktop.domain.model import LetterKind, parse_enum
    from desktop.services import letters

    kind = parse_enum(LetterKind, args.kind, "letter kind")
    _check_out_folder(args.out)
    service = _service(args)
    pdf = letters.render_letter(service, args.diary, kind, args.lang)
    _write_pdf(args.out, pdf)
    print(args.out)
    return EXIT_OK


def cmd_dispatch_list(args) -> int:
    from desktop.services import letters

    day = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise CliError(
                _("Not a valid date: “{value}” (use YYYY-MM-DD).").format(value=args.date)
            ) from None
    _check_out_folder(args.out)
    service = _service(args)
    day = day or service.clock.today()
    items = letters.dispatch_items(service, day)
    _write_pdf(args.out, letters.dispatch_list_pdf(service, day, items=items))
    print(
        _("{file}: {count} registered letter(s) on {date}").format(file=args.out, count=len(items), date=day)
    )
    return EXIT_OK


def cmd_dossier(args) -> int:
    from desktop.services import dossier

    if args.diary == "verify":
        if args.file is None:
            raise CliError(_("Which dossier? Give `kirjaamo dossier verify FILE.pdf`."))
        differences = dossier.verify_dossier(_service(args), args.file)
        for difference in differences:
            print(f"{difference.what}\t{difference.subject}\t{difference.detail}", file=sys.stderr)
        if differences:
            print(
                _("{file} differs from the register: {count} difference(s).").format(
                    file=args.file, count=len(differences)
                ),
                file=sys.stderr,
            )
            return EXIT_REFUSED
        print(_("{file} matches the register.").format(file=args.file))
        return EXIT_OK
    if args.out is None:
        raise CliError(_("Where to? Give --out FILE.pdf."))
    _check_out_folder(args.out)
    path = dossier.write_dossier(_service(args), args.diary, args.out, args.lang, args.include_files)
    print(path)
    return EXIT_OK


def cmd_rebuild(args) -> int:
    from desktop.services.maintenance import MaintenanceService

    workspace, user = _session(args)
    try:
        count = MaintenanceService(workspace, user).rebuild()
    finally:
        workspace.close()
    print(_("Rebuilt {count} cases from the event log.").format(count=count))
    return EXIT_OK


def cmd_verify(args) -> int:
    from desktop.services.maintenance import MaintenanceService

    workspace, user = _session(args)
    try:
        problems = MaintenanceService(workspace, user).verify(args.checkpoint)
    finally:
        workspace.close()
    for problem in problems:
        print(f"{problem.what}\t{problem.subject}\t{problem.detail}", file=sys.stderr)
    if problems:
        print(_("Verification failed: {count} problem(s).").format(count=len(problems)), file=sys.stderr)
        return EXIT_REFUSED
    print(_("Verified: the access log, files and projections are intact."))
    return EXIT_OK


def cmd_backup(args) -> int:
    from desktop.services.backup import backup

    workspace, user = _session(args)
    try:
        report = backup(workspace, user, args.file)
    finally:
        workspace.close()
    print(
        _("Backup written and verified: {file} ({cases} cases, {files} files, {size} bytes)").format(
            file=report.path, cases=report.cases, files=report.files, size=report.size
        )
    )
    return EXIT_OK


def cmd_restore(args) -> int:
    from desktop.services.backup import restore

    data_dir = _data_dir(args)
    username = args.user or os.environ.get("KIRJAAMO_USER") or "admin"
    password = _password(_("Password for {user} (in the backup): ").format(user=username))
    workspace, _user = restore(args.file, data_dir, username, password)
    workspace.close()
    print(
        _("Restored {file} into {path}; verified; the desk has a new device id.").format(
            file=args.file, path=data_dir
        )
    )
    return EXIT_OK


def cmd_recover(args) -> int:
    from desktop.services.users import recover

    if not args.user:
        raise CliError(_("Whose password? Give --user NAME."))
    text = os.environ.get("KIRJAAMO_RECOVERY_KEY")
    if text is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError(_("The recovery key is needed: set KIRJAAMO_RECOVERY_KEY or run in a terminal."))
        text = getpass.getpass(_("Office recovery key: "))
    password = os.environ.get("KIRJAAMO_NEW_PASSWORD")
    if password is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError(_("A new password is needed: set KIRJAAMO_NEW_PASSWORD or run in a terminal."))
        password = getpass.getpass(_("New password for {user}: ").format(user=args.user))
        if getpass.getpass(_("Again: ")) != password:
            raise CliError(_("The passwords differ."))
    recover(_data_dir(args), text, args.user, password)
    print(_("{user} has a new password.").format(user=args.user))
    return EXIT_OK


def cmd_server(args) -> int:
    """`server init`: an administrator signed in to this desk creates or upgrades the server's schema."""
    from desktop.services.server_setup import init_server

    if args.server_command == "reseal":
        return _server_reseal(args)
    workspace, user = _session(args)
    try:
        result = init_server(workspace, user, args.url)
    finally:
        workspace.close()
    state = _("created") if result.before is None else _("upgraded") if result.changed else _("up to date")
    print(_("Server schema version {version} ({state}).").format(version=result.version, state=state))
    print(
        _(
            "Each desk gets its own login by enrolment; enrolling, removing desks and purges need role "
            "{privileged}."
        ).format(privileged=result.privileged_role)
    )
    return EXIT_OK


def _server_reseal(args) -> int:
    from desktop.services.reseal import reseal_server

    workspace, user = _session(args)
    try:
        result = reseal_server(workspace, user, args.url)
    finally:
        workspace.close()
    print(
        _(
            "Sealed {events} events, {files} files and {accounts} accounts; this desk is enrolled as {role}."
        ).format(events=result.events, files=result.files, accounts=result.accounts, role=result.role)
    )
    return EXIT_OK


def cmd_desk(args) -> int:
    from desktop.services.desks import DeskService

    workspace, user = _session(args)
    try:
        service = DeskService(workspace, user)
        if args.desk_command == "enrol":
            enrolment = service.enrol(args.server, args.label, args.hours)
            print(
                _("Enrolment code for {role} (once, until {until}):").format(
                    role=enrolment.role, until=enrolment.expires_at.astimezone().strftime("%Y-%m-%d %H:%M")
                )
            )
            print(f"    {enrolment.code}")
        elif args.desk_command == "list":
            for desk in service.desks(args.server):
                print(f"{desk.role}\t{desk.state}\t{desk.device_id or '-'}\t{desk.label}")
        else:
            service.remove(args.server, args.desk)
            print(_("Removed desk {role}: its login no longer works.").format(role=args.desk))
    finally:
        workspace.close()
    return EXIT_OK


def _sync_progress():
    interactive = sys.stderr.isatty()

    def progress(phase: str, done: int, total: int) -> None:
        if interactive:
            print(f"\r{phase} {done}/{total}   ", end="", file=sys.stderr, flush=True)

    return progress, interactive


def cmd_sync(args) -> int:
    from desktop.services.desks import DeskService, join
    from desktop.services.sync_service import NotEnrolled, SyncService
    from desktop.services.workspace import Workspace

    data_dir = _data_dir(args)
    progress, interactive = _sync_progress()
    if not Workspace.holds_data(data_dir):
        if not args.server:
            raise CliError(
                _(
                    "No Kirjaamo data in {path}; give --server URL to set up a new desk from the server."
                ).format(path=data_dir)
            )
        if not args.enrolment_code:
            raise NotEnrolled()
        username = args.user or os.environ.get("KIRJAAMO_USER") or ""
        if not username:
            raise CliError(_("Which user? Give --user NAME (or set KIRJAAMO_USER)."))
        password = _password(_("Password for {user}: ").format(user=username))
        workspace = join(data_dir, args.server, args.enrolment_code, username, password, progress=progress)
        if interactive:
            print(file=sys.stderr)
        print(
            _("Set up {path} from the server ({office}).").format(
                path=data_dir, office=workspace.settings.office_name
            )
        )
        _print_recovery_key(workspace)
        workspace.close()
        return EXIT_OK
    username = _username(args, data_dir)
    password = _password(_("Password for {user}: ").format(user=username))
    workspace, user = Workspace.unlock(data_dir, username, password, remember=False)
    try:
        service = SyncService(workspace, user)
        desks = DeskService(workspace, user)
        if args.enrolment_code:  # an existing desk joins the office's server
            if not args.server:
                raise CliError(_("Give --server URL with --enrolment-code."))
            join(data_dir, args.server, args.enrolment_code, username, password, workspace=workspace)
            report = service.sync_once(progress)
        else:
            if args.server and not desks.enrolled():
                desks.found(args.server)  # the first desk of a new server (privileged address)
                args.server = None
            report = service.sync_once(progress, url=args.server)
    finally:
        workspace.close()
    if interactive:
        print(file=sys.stderr)
    print(
        _("Synced: {pushed} events sent, {pulled} received, {up} files sent, {down} received.").format(
            pushed=report.pushed, pulled=report.pulled, up=report.blobs_uploaded, down=report.blobs_downloaded
        )
    )
    for provisional, final in report.final_diary_numbers.items():
        print(f"{provisional} → {final}")
    return EXIT_OK


def cmd_report(args) -> int:
    from desktop.services.reports import ReportQuery, ReportService, default_period

    def day(value: str) -> date:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise CliError(_("Not a valid date: “{value}” (use YYYY-MM-DD).").format(value=value)) from None

    # Bad input is refused before the password is asked.
    end = day(args.period_to) if args.period_to else None
    start = day(args.period_from) if args.period_from else None
    service = _service(args)
    reports = ReportService(service.workspace, service.user, service.clock)
    end = end or service.clock.today()
    query = ReportQuery(start or default_period(end).start, end, (args.register or "").strip())
    if args.cases:
        count = reports.export_cases(query, args.format, args.out)
        print(_("Wrote {count} cases to {file}").format(count=count, file=args.out))
    else:
        figures = reports.export(query, args.format, args.out)
        print(_("Wrote the report on {count} requests to {file}").format(count=figures.total, file=args.out))
    return EXIT_OK


def cmd_bench(args) -> int:
    from desktop import bench

    if args.cases < 1 or args.repeat < 1:
        raise CliError(_("The number of cases and of repeats must be positive."))
    figures = bench.run(
        args.cases,
        args.seed,
        args.repeat,
        args.server,
        progress=lambda text: print(f"… {text}", file=sys.stderr, flush=True),
    )
    if args.json:
        _print_json(bench.as_json(figures, args.cases))
    else:
        print(bench.machine_description())
        print(bench.as_table(figures))
    return EXIT_OK


_HANDLERS = {
    "gui": cmd_gui,
    "init": cmd_init,
    "desk": cmd_desk,
    "demo": cmd_demo,
    "cases": cmd_cases,
    "attach": cmd_attach,
    "import-email": cmd_import_email,
    "deadline": cmd_deadline,
    "letter": cmd_letter,
    "dispatch-list": cmd_dispatch_list,
    "dossier": cmd_dossier,
    "rebuild": cmd_rebuild,
    "verify": cmd_verify,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "recover": cmd_recover,
    "bench": cmd_bench,
    "server": cmd_server,
    "sync": cmd_sync,
    "report": cmd_report,
}


if __name__ == "__main__":
    sys.exit(main())
