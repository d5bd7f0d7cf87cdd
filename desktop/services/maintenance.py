"""Keeping the data honest: rebuild projections from the log, verify blobs and projections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.domain.accounts import UseCase, User
from desktop.domain.events import fold
from desktop.services import access_log, checkpoint
from desktop.services.access_log import verify_chain
from desktop.services.accounts import permit
from desktop.services.workspace import Workspace
from desktop.store import eventlog
from desktop.store.database import raw_cursor


@dataclass(frozen=True)
class Problem:
    what: str  # "blob_missing", "blob_corrupted", "projection_mismatch", "projection_missing", "orphan_projection",
    # "access_log_broken", "access_log_checkpoint"
    subject: str  # a sha256 or a diary number / case id
    detail: str = ""


class MaintenanceService:
    """`rebuild` and `verify` as a signed-in person runs them: the role checked, a refusal logged."""

    def __init__(self, workspace: Workspace, user: User) -> None:
        self.workspace = workspace
        self.user = access_log.bind(workspace, user)

    def rebuild(self) -> int:
        permit(self.user, UseCase.REBUILD)
        return rebuild(self.workspace)

    def verify(self, checkpoints: Sequence[str] = ()) -> list[Problem]:
        permit(self.user, UseCase.VERIFY)
        return verify(self.workspace, checkpoints)


def rebuild(workspace: Workspace) -> int:
    """Replay the whole log into fresh projections. Returns the number of cases.

    The mechanism, for services that have checked the role (a person runs it through MaintenanceService).
    """
    return eventlog.rebuild(workspace.engine)


def verify(workspace: Workspace, checkpoints: Sequence[str] = ()) -> list[Problem]:
    """The access log's hash chain unbroken, every attached file intact on disk, every projection row equal
    to the fold of its events; and the log still reaching each of `checkpoints` (as printed, `checkpoint`).
    A text that is not a checkpoint of this office raises DomainError before anything is checked."""
    problems: list[Problem] = [
        Problem("access_log_checkpoint", f"entry {m.entry}", m.detail)
        for m in checkpoint.check(workspace, list(checkpoints))
    ]
    with workspace.engine.connect() as connection:
        chain = verify_chain(connection)
        if chain.broken is not None:
            entry = chain.broken
            problems.append(
                Problem(
                    "access_log_broken", f"entry {entry.seq}", f"{entry.at} {entry.action}: {chain.reason}"
                )
            )
        cursor = raw_cursor(connection)
        # Files a syncing desk has not fetched yet (on-demand download) are on the server, not lost.
        not_fetched = {row[0] for row in cursor.execute("SELECT sha256 FROM sync_missing_blobs").fetchall()}
        for sha, filename, diary in cursor.execute(
            "SELECT a.sha256, a.filename, c.diary_number FROM attachments a JOIN cases c ON c.id = a.case_id ORDER BY c.num"
        ).fetchall():
            status = workspace.blobs.verify(sha)
            if status and not (status == "missing" and sha in not_fetched):
                problems.append(Problem(f"blob_{status}", sha, f"{diary} {filename}"))
        problems.extend(_check_projections(connection))
    return problems


def _check_projections(connection) -> list[Problem]:
    cursor = raw_cursor(connection)
    problems: list[Problem] = []
    stored = {row[1]: row for row in cursor.execute("SELECT * FROM cases").fetchall()}
    # The side tables too: a search index or attachment list that lost rows hides cases and files.
    registers: dict[int, list[str]] = defaultdict(list)
    for register_id, num in cursor.execute("SELECT register_id, case_num FROM case_registers"):
        registers[num].append(register_id)
    attachments: dict[str, list[tuple]] = defaultdict(list)
    for row in cursor.execute("SELECT case_id, sha256, filename, kind, size, media_type FROM attachments"):
        attachments[row[0]].append(tuple(row))
    search = {
        row[0]: tuple(row)
        for row in cursor.execute("SELECT rowid, diary_number, name, hetu, address, text FROM cases_fts")
    }
    registered = eventlog.registration_seqs(cursor)
    seen: set[str] = set()
    seen_nums: set[int] = set()
    for events in eventlog.grouped_events(raw_cursor(connection)):
        state = fold(events)
        num = registered[state.id]
        seen.add(state.id)
        seen_nums.add(num)
        expected = eventlog.projection_params(state, num)
        row = stored.get(state.id)
        if row is None:
            problems.append(Problem("projection_missing", state.diary_number))
        elif tuple(row) != expected:
            differing = [str(i) for i, (a, b) in enumerate(zip(row, expected, strict=True)) if a != b]
            problems.append(
                Problem("projection_mismatch", state.diary_number, "columns " + ", ".join(differing))
            )
        tables = []
        if sorted(registers.get(num, ())) != sorted(set(state.registers)):
            tables.append("case_registers")
        if sorted(attachments.get(state.id, ())) != sorted(eventlog.attachment_rows(state)):
            tables.append("attachments")
        if search.get(num) != eventlog.fts_row(state, num):
            tables.append("cases_fts")
        if tables:
            problems.append(Problem("projection_mismatch", state.diary_number, "tables " + ", ".join(tables)))
    for case_id, row in stored.items():
        if case_id not in seen:
            problems.append(Problem("orphan_projection", row[2]))
    for num in sorted((registers.keys() | search.keys()) - seen_nums):
        problems.append(Problem("orphan_projection", f"#{num}"))
    for case_id in sorted(attachments.keys() - seen):
        problems.append(Problem("orphan_projection", case_id, "attachments"))
    return problems
