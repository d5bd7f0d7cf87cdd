"""The privileged purge on the server: append `CasePurged` and strip the person from the case's history.

Runs with the privileged role (the workstation role may not rewrite the log). The purge event then
reaches every desk by the ordinary pull, which folds the case into a tombstone and redacts its local copy.
"""

from __future__ import annotations

from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event, EventType, fold
from desktop.domain.workflow import Action, why_not
from desktop.store.codec import dumps, event_to_params
from desktop.sync.connection import server_errors
from desktop.sync.redaction import redact, referenced_blobs
from desktop.sync.server import ServerSession


def purge_case(url: str, event: Event, today) -> int:
    """Append the purge `event` (type CasePurged) and redact the case on the server; returns its server_seq."""
    if event.type is not EventType.CASE_PURGED:
        raise DomainError(N_("Not a purge: {type}"), type=event.type)
    with ServerSession.open(url) as session, server_errors():
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
            cur.execute(
                "INSERT INTO change_log (server_seq, id, case_id, type, payload, actor, at, device_id, hlc) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (base + 1, *event_to_params(event)),
            )
            for entry in history:
                redacted = redact(entry.event)
                if redacted is not entry.event:
                    cur.execute(
                        "UPDATE change_log SET payload = %s WHERE id = %s",
                        (dumps(redacted.payload), entry.event.id),
                    )
            files = referenced_blobs([entry.event for entry in history])
            for sha in sorted(files):
                others = cur.execute(
                    "SELECT 1 FROM change_log WHERE case_id <> %s AND type IN (%s, %s) AND payload LIKE %s LIMIT 1",
                    (
                        event.case_id,
                        EventType.ATTACHMENT_ADDED.value,
                        EventType.LETTER_PRINTED.value,
                        f"%{sha}%",
                    ),
                ).fetchone()
                if others is None:
                    cur.execute("DELETE FROM blobs WHERE sha256 = %s", (sha,))
    return base + 1
