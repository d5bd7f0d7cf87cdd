"""The case use cases: the only API that the GUI, the command line and sync call to read or change cases."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import reduce
from pathlib import Path

from sqlalchemy import Connection

from desktop.domain.accounts import Permission, User
from desktop.domain.deadlines import DaysLeft, Urgency, days_left, urgency
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event, EventType, apply
from desktop.domain.model import (
    ACTIVE_STATUSES,
    AttachmentKind,
    CaseState,
    Decision,
    Delivery,
    IdentityMethod,
    Language,
    LetterKind,
    NewRequest,
    Status,
)
from desktop.domain.registers import RegisterCatalog
from desktop.domain.workflow import Action, why_not
from desktop.services import access_log, transitions
from desktop.services.access_log import Action as Access
from desktop.services.accounts import require
from desktop.services.clock import Clock
from desktop.services.filetypes import media_type_for, safe_filename
from desktop.services.ids import uuid7
from desktop.services.intake import applicability_notes, parse_request, questions_before_registering
from desktop.services.settings import OfficeSettings
from desktop.services.workspace import Workspace
from desktop.store import eventlog, queries
from desktop.store.database import raw_cursor, write_transaction
from desktop.store.eventlog import name_sort_key
from desktop.store.queries import CaseQuery, CaseRow, SortKey  # re-exported: the UI's list types


@dataclass(frozen=True)
class AttachResult:
    state: CaseState
    sha256: str
    already_attached: bool


def allocate_diary_number(connection, prefix: str, year: int, provisional: bool = False) -> str:
    """The next number of the office's diary for the year, taken inside the caller's write transaction.

    A desk that syncs with a server numbers provisionally (`KEHA/P3/2026`, its own counter); the server
    assigns the final number when the case is pushed.
    """
    cursor = raw_cursor(connection)
    row = cursor.execute(
        "INSERT INTO diary_counters (prefix, year, last) VALUES (?, ?, 1) "
        "ON CONFLICT(prefix, year) DO UPDATE SET last = last + 1 RETURNING last",
        (f"{prefix}/P" if provisional else prefix, year),
    ).fetchone()
    return f"{prefix}/{'P' if provisional else ''}{row[0]}/{year}"


class CaseService:
    def __init__(self, workspace: Workspace, user: User, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.user = access_log.bind(workspace, user)  # refusals go to this data dir's access log
        self.clock = clock or Clock()
        self.hlc = workspace.hlc  # shared with sync, which moves it past the events it pulls

    # -- helpers -------------------------------------------------------------------------------------
    def context(self) -> transitions.Context:
        return transitions.Context(self.clock.today(), self.workspace.calendar, self.workspace.catalog)

    def _events(self, case_id: str, specs: list[transitions.EventSpec]) -> list[Event]:
        now = self.clock.now()
        return [
            Event(
                id=uuid7(),
                case_id=case_id,
                type=event_type,
                payload=payload,
                actor=self.user.username,
                at=now,
                device_id=self.workspace.settings.device_id,
                hlc=self.hlc.now(),
            )
            for event_type, payload in specs
        ]

    def _resolve(self, connection, ref: str) -> str:
        ref = ref.strip()
        case_id = queries.find_case_id(connection, ref) if "/" in ref else ref
        if not case_id or eventlog.case_events(connection, case_id) == []:
            raise DomainError(N_("No case {diary}."), diary=ref)
        return case_id

    def _change(
        self,
        ref: str,
        step: Callable[[transitions.Context, CaseState], list[transitions.EventSpec]],
        permission: Permission = Permission.PROCESS,
        then: Callable[[Connection, CaseState, CaseState], None] | None = None,
    ) -> CaseState:
        """Load the case, let `step` check the rules and say what happened, append it — all in one transaction.

        `then(connection, before, after)` runs in the same transaction after the append (retention's log entry).
        """
        require(self.user, permission)
        with write_transaction(self.workspace.engine) as connection:
            case_id = self._resolve(connection, ref)
            state = eventlog.load_state(connection, case_id)
            assert state is not None
            specs = step(self.context(), state)
            if not specs:
                return state
            events = self._events(case_id, specs)
            new_state = reduce(apply, events, state)
            eventlog.append(connection, events, new_state)
            if then is not None:
                then(connection, state, new_state)
        return new_state

    def change(
        self,
        ref: str,
        step: Callable[[transitions.Context, CaseState], list[transitions.EventSpec]],
        permission: Permission,
        then: Callable[[Connection, CaseState, CaseState], None] | None = None,
    ) -> CaseState:
        """The one service path of a change, for use cases of other services (retention's purge)."""
        return self._change(ref, step, permission, then)

    # -- reading -------------------------------------------------------------------------------------
    def _log(self, action: Access, case_id: str = "", diary: str = "", detail: str = "") -> None:
        access_log.record(self.workspace, self.user, action, case_id, diary, detail, at=self.clock.now())

    def _log_search(self, query: CaseQuery, what: str) -> None:
        # A search shows personal data in its results: logged once per search, with what was asked.
        if query.text.strip():
            self._log(Access.SEARCH, detail=f"{what}: {query.text.strip()}")

    def open_case(self, ref: str) -> tuple[CaseState, list[Event]]:
        """A case as a person reads it (the requester's data in full, the timeline): written to the access log."""
        require(self.user, Permission.VIEW)
        with self.workspace.engine.connect() as connection:
            case_id = self._resolve(connection, ref)
            events = eventlog.case_events(connection, case_id)
        state = reduce(apply, events[1:], _first_state(events))
        self._log(Access.VIEW, state.id, state.diary_number)
        return state, events

    def get(self, ref: str) -> CaseState:
        """The case's state, for checks and for rendering what another logged act shows (a letter…).

        Not logged: a view of the case by a person goes through `open_case`.
        """
        require(self.user, Permission.VIEW)
        with self.workspace.engine.connect() as connection:
            case_id = self._resolve(connection, ref)
            state = eventlog.load_state(connection, case_id)
        assert state is not None
        return state

    def timeline(self, ref: str) -> list[Event]:
        require(self.user, Permission.VIEW)
        with self.workspace.engine.connect() as connection:
            case_id = self._resolve(connection, ref)
            return eventlog.case_events(connection, case_id)

    def query(self, **filters) -> CaseQuery:
        """A list query for today (the office's calendar day)."""
        return CaseQuery(today=self.clock.today(), **filters)

    def ready_to_print_query(self, **filters) -> CaseQuery:
        """The cases whose reply waits for the printer (`domain.model.is_ready_to_print`): tile and batch alike."""
        return self.query(ready_to_print=True, **filters)

    def count(self, query: CaseQuery) -> int:
        require(self.user, Permission.VIEW)
        with self.workspace.engine.connect() as connection:
            return queries.count(connection, query)

    def rows(self, query: CaseQuery, limit: int | None = None) -> list[CaseRow]:
        require(self.user, Permission.VIEW)
        self._log_search(query, "list")
        with self.workspace.engine.connect() as connection:
            return queries.all_rows(connection, query, limit)

    def page(self, query: CaseQuery, after: tuple | None = None, limit: int = 100) -> list[CaseRow]:
        require(self.user, Permission.VIEW)
        if after is None:
            self._log_search(query, "list")
        with self.workspace.engine.connect() as connection:
            return queries.page(connection, query, after, limit)

    def ids(self, query: CaseQuery, first_page_shown: bool = False) -> list[int]:
        """Every matching case's number in order. `first_page_shown`: the same search's first page was
        just read through `page` (and logged there), so it is not logged twice."""
        require(self.user, Permission.VIEW)
        if not first_page_shown:
            self._log_search(query, "list")
        with self.workspace.engine.connect() as connection:
            return queries.ids(connection, query)

    def rows_by_num(self, nums: list[int]) -> dict[int, CaseRow]:
        require(self.user, Permission.VIEW)
        with self.workspace.engine.connect() as connection:
            return queries.rows_by_num(connection, nums)

    def open_cases_of(self, hetu: str, name: str) -> list[CaseRow]:
        """Cases of the same person that are not closed (a warning at intake, never a block)."""
        require(self.user, Permission.VIEW)
        closed = sorted(s.value for s in set(Status) - ACTIVE_STATUSES)
        with self.workspace.engine.connect() as connection:
            found = queries.open_cases_of(connection, hetu, name_sort_key(name) if not hetu else "", closed)
        if found:
            self._log(Access.SEARCH, detail=f"intake duplicates: {hetu or name}")
        return found

    def allowed_actions(self, state: CaseState) -> dict[Action, DomainError | None]:
        """Every action with the reason it is not allowed now (None when it is): buttons are enabled from this."""
        today = self.clock.today()
        return {action: why_not(state, action, today) for action in Action}

    # -- what views show besides cases (so that the UI never reaches into the workspace) -------------
    @property
    def catalog(self) -> RegisterCatalog:
        """The office's registers."""
        return self.workspace.catalog

    @property
    def settings(self) -> OfficeSettings:
        """The office settings as loaded (read-only use: changes go through `OfficeService.save`)."""
        return self.workspace.settings

    def rights_not_applying(
        self, right: str, register_ids: Iterable[str], language: str
    ) -> list[tuple[str, str]]:
        """(register name, reason or "") for each chosen register to which `right` does not apply."""
        return applicability_notes(self.workspace.catalog, right, register_ids, language)

    def ui_state_path(self) -> Path:
        """Where this user's window layout on this desk is kept (an INI file in the data dir's `ui/`)."""
        return Path(self.workspace.data_dir) / "ui" / f"{self.user.username}.ini"

    def reload_settings(self) -> OfficeSettings:
        """Read the office settings again after they were saved (the window applies them)."""
        self.workspace.reload_settings()
        return self.workspace.settings

    # The other use cases of the signed-in user, so that the window never assembles them from the workspace.
    def office_service(self):
        from desktop.services.office import OfficeService

        return OfficeService(self.workspace, self.user)

    def report_service(self):
        from desktop.services.reports import ReportService

        return ReportService(self.workspace, self.user, self.clock)

    def sync_service(self):
        from desktop.services.sync_service import SyncService  # brings the PostgreSQL driver: only when used

        return SyncService(self.workspace, self.user, self.clock)

    def user_service(self):
        from desktop.services.users import UserService

        return UserService(self.workspace, self.user)

    def access_log_service(self):
        from desktop.services.access_log import AccessLogService

        return AccessLogService(self.workspace, self.user)

    def desk_service(self):
        from desktop.services.desks import DeskService

        return DeskService(self.workspace, self.user, self.clock)

    def retention_service(self):
        from desktop.services.retention import RetentionService

        return RetentionService(self.workspace, self.user, self.clock)

    def backup(self, path: Path):
        """Write and verify a backup file (administrators; the backup service checks the role)."""
        from desktop.services.backup import backup

        return backup(self.workspace, self.user, path)

    def days_left(self, due: date, today: date | None = None) -> DaysLeft:
        """Calendar and working days from today (or `today`) to `due`, by the office's calendar."""
        return days_left(due, today or self.clock.today(), self.workspace.calendar)

    def urgency(self, due: date, today: date | None = None) -> Urgency:
        """How a running deadline is coloured: overdue, soon (within `SOON_DAYS`) or ok."""
        return urgency(due, today or self.clock.today())

    def read_attachment(self, sha256: str, case_ref: str = "") -> bytes:
        """A stored file, its hash verified; the view is logged against the case it is opened from."""
        require(self.user, Permission.VIEW)
        if not self.workspace.blobs.exists(sha256) and self.workspace.settings.server_url:
            from desktop.services.sync_service import SyncService  # files fetched on demand

            SyncService(self.workspace, self.user).fetch_blob(sha256)
        data = self.workspace.blobs.read(sha256)
        with self.workspace.engine.connect() as connection:
            cursor = raw_cursor(connection)
            if case_ref:
                case_id = self._resolve(connection, case_ref)
                owner = cursor.execute(
                    "SELECT id, diary_number FROM cases WHERE id = ?", (case_id,)
                ).fetchone()
            else:
                # Any case holding the bytes (one file may be attached to many: no sorting over them all).
                owner = cursor.execute(
                    "SELECT c.id, c.diary_number FROM attachments a JOIN cases c ON c.id = a.case_id "
                    "WHERE a.sha256 = ? LIMIT 1",
                    (sha256,),
                ).fetchone()
        case_id, diary = owner or ("", "")
        self._log(Access.VIEW_FILE, case_id, diary, f"sha256={sha256}")
        return data

    # -- changing ------------------------------------------------------------------------------------
    def parse_request(self, data: object) -> NewRequest:
        return parse_request(self.context(), data)

    def register(self, request: NewRequest | dict) -> CaseState:
        """Register a new request; the diary number is assigned at once (provisional on a syncing desk)."""
        require(self.user, Permission.PROCESS)
        ctx = self.context()
        if not isinstance(request, NewRequest):
            # Anything else (a dict, or a JSON array from `cases register`) is validated as a request.
            request = parse_request(ctx, request)
        case_id = uuid7()
        with write_transaction(self.workspace.engine) as connection:
            diary = allocate_diary_number(
                connection,
                self.workspace.settings.office_prefix,
                ctx.today.year,
                provisional=bool(self.workspace.settings.server_url),
            )
            events = self._events(case_id, transitions.registration(ctx, request, diary))
            state = reduce(apply, events[1:], _first_state(events))
            eventlog.append(connection, events, state)
        return state

    def intake_questions(self, request: dict) -> list[DomainError]:
        """Validate a request without saving it; what the clerk should confirm first (may be empty)."""
        return questions_before_registering(self.context(), parse_request(self.context(), request))

    def attach_bytes(self, ref: str, data: bytes, filename: str, kind: AttachmentKind) -> AttachResult:
        name = safe_filename(filename)
        media_type = media_type_for(name, data[:8192])
        self._check_size(len(data), name)
        self._check_attachable(ref)
        stored = self.workspace.blobs.put_bytes(data)
        return self._record_attachment(ref, stored.sha256, name, kind, stored.size, media_type)

    def attach_file(self, ref: str, path: Path, kind: AttachmentKind) -> AttachResult:
        name = safe_filename(path.name)
        try:
            size = path.stat().st_size
            with open(path, "rb") as handle:
                head = handle.read(8192)
        except OSError as error:
            raise DomainError(
                N_("Cannot read {name}: {reason}"), name=name, reason=error.strerror or str(error)
            ) from None
        media_type = media_type_for(name, head)
        self._check_size(size, name)
        self._check_attachable(ref)
        stored = self.workspace.blobs.put_file(path)
        return self._record_attachment(ref, stored.sha256, name, kind, stored.size, media_type)

    def _check_attachable(self, ref: str) -> None:
        # Checked before the bytes are stored, so a refused attach leaves nothing behind.
        reason = why_not(self.get(ref), Action.ATTACH, self.clock.today())
        if reason is not None:
            raise reason

    def _check_size(self, size: int, name: str) -> None:
        limit = self.workspace.settings.attachment_limit_mb
        if size > limit * 1024 * 1024:
            raise DomainError(
                N_("The file {name} is larger than the limit of {limit} MB."), name=name, limit=limit
            )

    def _record_attachment(
        self, ref: str, sha: str, name: str, kind: AttachmentKind, size: int, media_type: str
    ) -> AttachResult:
        before = self.get(ref)
        already = any(a.sha256 == sha for a in before.attachments)
        state = self._change(
            ref, lambda ctx, s: transitions.attachment_added(ctx, s, sha, name, kind, size, media_type)
        )
        return AttachResult(state, sha, already)

    def detach_attachment(self, ref: str, sha256: str, reason: str) -> CaseState:
        """Take a wrongly attached file off the case (logged with the reason; the file stays until retention)."""
        return self._change(ref, lambda ctx, s: transitions.attachment_detached(ctx, s, sha256, reason))

    def relabel_attachment(
        self, ref: str, sha256: str, kind: AttachmentKind, filename: str = ""
    ) -> CaseState:
        """Give an attached file another kind (and name); the old label stays in the log."""
        return self._change(
            ref, lambda ctx, s: transitions.attachment_relabelled(ctx, s, sha256, kind, filename)
        )

    def verify_identity(self, ref: str, method: IdentityMethod, document: str = "") -> CaseState:
        return self._change(
            ref, lambda ctx, s: transitions.identity_verified(ctx, s, method, document, self.user.username)
        )

    def request_clarification(self, ref: str, what: str) -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.clarification_requested(ctx, s, what))

    def receive_clarification(self, ref: str, on: date | None = None) -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.clarification_received(ctx, s, on or ctx.today))

    def extend(self, ref: str, reason: str) -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.deadline_extended(ctx, s, reason))

    def record_decision(
        self, ref: str, decision: Decision, reasons: str = "", legal_basis: str = "", transferred_to: str = ""
    ) -> CaseState:
        permission = (
            Permission.REFUSE
            if decision in (Decision.REFUSED, Decision.PARTLY_GRANTED)
            else Permission.PROCESS
        )
        return self._change(
            ref,
            lambda ctx, s: transitions.decision_recorded(
                ctx, s, decision, reasons, legal_basis, transferred_to
            ),
            permission,
        )

    def withdraw(self, ref: str, note: str = "") -> CaseState:
        return self.record_decision(ref, Decision.WITHDRAWN, reasons=note)

    def transfer(self, ref: str, to_controller: str) -> CaseState:
        return self.record_decision(ref, Decision.TRANSFERRED, transferred_to=to_controller)

    def mark_letter_printed(
        self, ref: str, kind: LetterKind, language: Language | None = None, sha256: str = ""
    ) -> CaseState:
        def step(ctx, s):
            return transitions.letter_printed(ctx, s, kind, language or s.requester.language, sha256)

        return self._change(ref, step)

    def mark_reply_kept(self, ref: str, kind: LetterKind, language: Language | None = None) -> CaseState:
        """Record that a letter was kept with the case without being printed."""

        def step(ctx, s):
            return transitions.reply_kept(ctx, s, kind, language or s.requester.language)

        return self._change(ref, step)

    def dispatch(self, ref: str, delivery: Delivery, tracking_number: str = "") -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.dispatched(ctx, s, delivery, tracking_number))

    def hand_over(self, ref: str, id_document: str) -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.handed_over(ctx, s, id_document))

    def close(self, ref: str) -> CaseState:
        return self._change(ref, transitions.closed)

    def add_note(self, ref: str, text: str) -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.note_added(ctx, s, text))

    def correct(self, ref: str, changes: dict[str, object], reason: str) -> CaseState:
        """Change recorded fields; old and new values and the reason stay in the log."""
        return self._change(ref, lambda ctx, s: transitions.fields_corrected(ctx, s, changes, reason))

    def resolve_conflict(self, ref: str, field: str, value: object) -> CaseState:
        return self._change(ref, lambda ctx, s: transitions.conflict_resolved(ctx, s, field, value))


def _first_state(events: list[Event]) -> CaseState:
    from desktop.domain.events import fold

    assert events[0].type is EventType.CASE_REGISTERED
    return fold(events[:1])


__all__ = ["AttachResult", "CaseQuery", "CaseRow", "CaseService", "SortKey", "allocate_diary_number"]
