"""The privileged purge on the server: append `CasePurged` and strip the person from the case's history.

Runs with the privileged role (the workstation role may not rewrite the log). The purge event then
reaches every desk by the ordinary pull, which folds the case into a tombstone and redacts its local copy.
"""

from __future__ import annotations

from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event, EventType, fold
from desktop.domain.workflow import Action, why_not
from desktop.sync.connection import server_errors
from desktop.sync.redaction import redact, referenced_blobs
from desktop.sync.sealing import OfficeSeal
from desktop.sync.server import ServerSession


def purge_case(url: str, event: Event, today, seal: OfficeSeal) -> int:
    """Append the purge `event` (type CasePurged) and redact the case on the server; returns its server_seq.

    The server holds sealed payloads: the desk (which holds the office key) opens the case's history,
    redacts it and seals it again, all inside the privileged transaction.
    """
    if event.type is not EventType.CASE_PURGED:
        raise DomainError(N_("Not a purge: {type}"), type=event.type)
    with ServerSession.open(url, seal) as session, server_errors():
        connection = session.connection
        with connection.transaction(), connection.cursor() as cur:
            base = cur.execute("SELECT kirjaamo_stamp(0)").fetchone()[0]
            history = session.case_log(cur, event.case_id)
            if not history:
                raise DomainError(N_("No case {diary}."), diary=event.case_id)
            state = fold(entry.event for entry in history)
            reason = why_not(state, Action.PURGE, today)
            if reason is not None:
                raise reason
            cur.execute("SELECT kirjaamo_stamp(1)")
            row = seal.seal_event(event)
            cur.execute(
                "INSERT INTO change_log (server_seq, id, case_id, type, payload, actor, at, device_id, hlc) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    base + 1,
                    row.id,
                    row.case_id,
                    row.type,
                    row.sealed,
                    row.actor,
                    row.at,
                    row.device_id,
                    row.hlc,
                ),
            )
            for entry in history:
                redacted = redact(entry.event)
                if redacted is not entry.event:
                    cur.execute(
                        "UPDATE change_log SET payload = %s WHERE id = %s",
                        (seal.seal_event(redacted).sealed, entry.event.id),
                    )
            files = referenced_blobs([entry.event for entry in history])
            for sha in sorted(files):
                name = seal.blob_name(sha)
                others = cur.execute(
                    "SELECT 1 FROM change_log WHERE case_id <> %s AND blob_ref = %s LIMIT 1",
                    (event.case_id, name),
                ).fetchone()
                if others is None:
                    cur.execute("DELETE FROM blobs WHERE sha256 = %s", (name,))
    return base + 1
