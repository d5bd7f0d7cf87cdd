"""`kirjaamo server reseal`: seal in place a server made by the previous release (after `server init`).

Run from a desk that synced with that server (it holds the log and will hold the office key), with the
privileged address. In one privileged transaction: every plain payload is sealed where it stands, every
file is re-uploaded sealed under its new name and the clear copy deleted, the accounts and office settings
move into sealed records and the legacy tables are emptied, and this desk founds the server with its own
login. A crash or refusal leaves the server as it was.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import EventType
from desktop.services.accounts import require
from desktop.services.desks import DeskService, privileged_connection
from desktop.services.sync_service import OFFICE_KEY, SyncService
from desktop.services.workspace import Workspace
from desktop.store.codec import row_to_event
from desktop.sync.connection import database_name, server_errors
from desktop.sync.enrolment import create_login
from desktop.sync.sealing import ENVELOPE, SERVER_DEVICE, OfficeSeal, chunked_size, new_office_key
from desktop.sync.server import CHUNK_SIZE, chunk_count

BATCH = 2000


@dataclass(frozen=True)
class ResealResult:
    events: int
    files: int
    accounts: int
    role: str


def reseal_server(workspace: Workspace, user: User, privileged_url: str) -> ResealResult:
    """Seal the previous release's server in place and enrol this desk; then one sync round."""
    require(user, Permission.MANAGE_SETTINGS)
    desks = DeskService(workspace, user)
    client = desks.sync.client()
    state = client.state()
    connection, info = privileged_connection(privileged_url)
    try:
        with server_errors():
            sealed_already = connection.execute("SELECT sealed FROM kirjaamo_schema").fetchone()[0]
        if sealed_already:
            raise DomainError(N_("The server is sealed already; desks join it by enrolment."))
        if state.get("server_id") != info.server_id:
            raise DomainError(
                N_("Reseal from a desk that synced with this server (it holds the office's whole log).")
            )
        office_key = bytes.fromhex(state.get(OFFICE_KEY) or new_office_key().hex())
        seal = OfficeSeal(office_key)
        password = secrets.token_urlsafe(32)
        with server_errors(), connection.transaction():
            connection.execute("SELECT kirjaamo_stamp(0)")  # the log's lock: no push meanwhile
            events = _seal_events(connection, seal)
            files = _seal_files(connection, seal)
            accounts = _seal_records(connection, seal)
            role = create_login(
                connection,
                database_name(privileged_url),
                info.desk_group,
                secrets.token_hex(5),
                password,
                workspace.settings.device_id,
                valid_until=None,
                package=None,
                device_id=workspace.settings.device_id,
            )
            connection.execute("UPDATE kirjaamo_schema SET sealed = true")
    finally:
        connection.close()
    desks._remember(privileged_url, role, password, office_key)
    SyncService(workspace, user).sync_once()
    return ResealResult(events, files, accounts, role)


def _seal_events(connection, seal: OfficeSeal) -> int:
    done = 0
    after = 0
    while True:
        rows = connection.execute(
            "SELECT server_seq, id, case_id, type, payload, actor, at, device_id, hlc FROM change_log "
            "WHERE server_seq > %s AND payload NOT LIKE %s ORDER BY server_seq LIMIT %s",
            (after, ENVELOPE + "%", BATCH),
        ).fetchall()
        if not rows:
            return done
        updates = []
        for row in rows:
            event = row_to_event(row[1:])
            if event.device_id == SERVER_DEVICE and event.type is EventType.DIARY_NUMBER_ASSIGNED:
                continue  # the server's own, plain by design (a diary number, nothing personal)
            sealed = seal.seal_event(event)
            updates.append((sealed.sealed, sealed.diary, sealed.blob_ref, event.id))
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE change_log SET payload = %s, actor = '', at = '', diary = %s, blob_ref = %s WHERE id = %s",
                updates,
            )
        done += len(updates)
        after = rows[-1][0]


def _seal_files(connection, seal: OfficeSeal) -> int:
    names = [
        row[0]
        for row in connection.execute("SELECT sha256 FROM blobs WHERE complete ORDER BY sha256").fetchall()
    ]
    sealed_files = 0
    for sha in names:
        name = seal.blob_name(sha)
        size, count = connection.execute(
            "SELECT size, chunk_count FROM blobs WHERE sha256 = %s", (sha,)
        ).fetchone()
        if count != chunk_count(size):
            raise DomainError(N_("The file {sha} on the server is not in the expected chunks."), sha=sha[:12])
        connection.execute(
            "INSERT INTO blobs (sha256, size, chunk_count) VALUES (%s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
            (name, chunked_size(size, CHUNK_SIZE), count),
        )
        digest = hashlib.sha256()
        for index in range(count):
            data = bytes(
                connection.execute(
                    "SELECT data FROM blob_chunks WHERE sha256 = %s AND idx = %s", (sha, index)
                ).fetchone()[0]
            )
            digest.update(data)
            connection.execute(
                "INSERT INTO blob_chunks (sha256, idx, data) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (name, index, seal.seal_chunk(name, CHUNK_SIZE, index, count, data)),
            )
        if digest.hexdigest() != sha:
            raise DomainError(
                N_("The file {sha} on the server is damaged; nothing was changed."), sha=sha[:12]
            )
        connection.execute("UPDATE blobs SET complete = true WHERE sha256 = %s", (name,))
        connection.execute("DELETE FROM blobs WHERE sha256 = %s", (sha,))
        sealed_files += 1
    connection.execute("DELETE FROM blobs WHERE NOT complete")  # half-uploaded clear files: desks resend them
    return sealed_files


def _seal_records(connection, seal: OfficeSeal) -> int:
    accounts = connection.execute(
        "SELECT username, display_name, role, active, password_hash, created_at FROM legacy_accounts"
    ).fetchall()
    office = {
        key: json.loads(value) for key, value in connection.execute("SELECT key, value FROM legacy_office")
    }
    records = [("account", *seal.seal_record("account", row[0], list(row))) for row in accounts]
    if office:
        records.append(("office", *seal.seal_record("office", "settings", office)))
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO sealed_records (kind, name, sealed) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            records,
        )
    connection.execute("DELETE FROM legacy_accounts")
    connection.execute("DELETE FROM legacy_office")
    return len(accounts)


__all__ = ["ResealResult", "reseal_server"]
