"""Retention (design §2.7): closed cases kept for the office's retention period, then purged by a reviewer.

A purge appends `CasePurged`, strips the person from the case's events (the redaction sync uses, so a
desk that later syncs converges), deletes the case's files that no other case uses, and keeps a tombstone
(diary number, dates, right, outcome). On a desk that syncs, the purge is made on the server (privileged
connection) and reaches every desk by sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import CaseState, Status
from desktop.domain.redaction import referenced_blobs
from desktop.services import access_log, transitions
from desktop.services.access_log import Action
from desktop.services.accounts import require
from desktop.services.cases import CaseService
from desktop.services.clock import Clock
from desktop.services.workspace import Workspace
from desktop.store import eventlog, queries
from desktop.store.database import raw_cursor, write_transaction


@dataclass(frozen=True)
class PurgeCandidate:
    case_id: str
    diary_number: str
    closed_on: date
    right: str
    decision: str


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class RetentionService:
    def __init__(self, workspace: Workspace, user: User, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.user = access_log.bind(workspace, user)
        self.clock = clock or Clock()

    def cutoff(self) -> date:
        """Cases closed before this day have been kept long enough."""
        return _years_before(self.clock.today(), int(self.workspace.settings.retention_years))

    def due_for_purge(self) -> list[PurgeCandidate]:
        """Closed cases past the retention period, oldest first (reviewers: they approve purges)."""
        require(self.user, Permission.PURGE)
        with self.workspace.engine.connect() as connection:
            rows = (
                raw_cursor(connection)
                .execute(
                    'SELECT id, diary_number, closed_at, "right", decision FROM cases '
                    "WHERE status = ? AND closed_at <> '' AND closed_at < ? ORDER BY closed_at, num",
                    (Status.CLOSED.value, self.cutoff().isoformat()),
                )
                .fetchall()
            )
        return [PurgeCandidate(r[0], r[1], date.fromisoformat(r[2][:10]), r[3], r[4]) for r in rows]

    def purge(self, ref: str) -> CaseState:
        """Purge one closed case past its retention period on this (standalone) desk."""
        require(self.user, Permission.PURGE)
        if self.workspace.settings.server_url:
            raise DomainError(
                N_(
                    "This desk syncs with a server: a purge is made on the server with its privileged "
                    "connection (Purge through the server), and reaches every desk by sync."
                )
            )
        orphaned: list[str] = []

        def step(ctx: transitions.Context, state: CaseState) -> list[transitions.EventSpec]:
            self._check_due(state)
            return transitions.purged(ctx, state)

        def then(connection: Connection, before: CaseState, _after: CaseState) -> None:
            # The append has redacted the case's events; the files they used that no case uses now go.
            cursor = raw_cursor(connection)
            files = referenced_blobs(eventlog.case_events(connection, before.id))
            orphaned.extend(
                sorted(
                    sha
                    for sha in files
                    if cursor.execute("SELECT 1 FROM attachments WHERE sha256 = ? LIMIT 1", (sha,)).fetchone()
                    is None
                )
            )
            closed = before.closed_at.date().isoformat() if before.closed_at else ""
            access_log.record_in(
                connection,
                self.workspace,
                self.user,
                Action.PURGE,
                before.id,
                before.diary_number,
                f"files_deleted={len(orphaned)} closed={closed}",
            )

        case_id = (
            CaseService(self.workspace, self.user, self.clock).change(ref, step, Permission.PURGE, then).id
        )
        for sha in orphaned:  # after the commit: a crash here leaves a file, never a hole
            self.workspace.blobs.delete(sha)
        self._compact()
        with self.workspace.engine.connect() as connection:
            purged = eventlog.load_state(connection, case_id)
        assert purged is not None
        return purged

    def purge_through_server(self, ref: str, privileged_url: str) -> CaseState:
        """On a syncing desk: the purge on the server (privileged role), then sync brings it here."""
        from desktop.services.sync_service import SyncService

        require(self.user, Permission.PURGE)
        with self.workspace.engine.connect() as connection:
            state = eventlog.load_state(connection, self._resolve(connection, ref))
        assert state is not None
        self._check_due(state)
        purged = SyncService(self.workspace, self.user, self.clock).purge(state.id, privileged_url)
        access_log.record(
            self.workspace, self.user, Action.PURGE, state.id, state.diary_number, "through the server"
        )
        return purged

    def _resolve(self, connection, ref: str) -> str:
        ref = ref.strip()
        case_id = queries.find_case_id(connection, ref) if "/" in ref else ref
        if not case_id or not eventlog.case_events(connection, case_id):
            raise DomainError(N_("No case {diary}."), diary=ref)
        return case_id

    def _check_due(self, state: CaseState) -> None:
        if state.status is Status.CLOSED and state.closed_at is not None:
            closed = state.closed_at.date()
            if closed >= self.cutoff():
                years = int(self.workspace.settings.retention_years)
                raise DomainError(
                    N_("Case {diary} is kept until {date} (retention {years} years after closing)."),
                    diary=state.diary_number,
                    date=_years_before(closed, -years).isoformat(),
                    years=years,
                )

    def _compact(self) -> None:
        """Merge the search index (a deleted row's words linger in old segments) and empty the WAL."""
        with write_transaction(self.workspace.engine) as connection:
            cursor = raw_cursor(connection)
            cursor.execute("PRAGMA secure_delete = ON")
            try:
                cursor.execute("INSERT INTO cases_fts (cases_fts) VALUES ('optimize')")
            finally:
                cursor.execute("PRAGMA secure_delete = OFF")
        with self.workspace.engine.connect() as connection:
            raw_cursor(connection).execute("PRAGMA wal_checkpoint(TRUNCATE)")
