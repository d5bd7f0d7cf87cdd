"""Access-log checkpoints (issue 14 point 2, standalone desks): the log's length and head hash, authenticated,
put where a user of the desk cannot reach them afterwards — on the printed daily dispatch list and in every
backup's manifest. `kirjaamo verify --checkpoint TEXT` checks the log against one: a log rewritten with a
recomputed chain (possible to anyone holding the data key, who can drop the triggers) passes the plain
chain check, but no longer reaches the head hash on paper.

Text form (short enough to type back from paper): `KJC1-<entries>-<first 32 hex of the head hash>-<MAC>`,
the MAC the first 16 hex of HMAC-SHA256 over `<entries>:<head hash prefix>`.

The MAC key: no office signing key exists yet (Ed25519 user and office keys are being added separately),
so it is an HMAC key derived from the data key (`crypto.subkey(data key, "checkpoint v1")`) when the first
checkpoint is made, then kept in the database's settings, so it survives key rotations (a random key on an
unencrypted data dir). It shows that a checkpoint is this office's and was typed correctly; it does NOT stop
an insider who holds the data key from making new ones — the protection is the paper (or the backup) that
already carries the old one. When signing keys arrive, the MAC should become the office key's signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass

from desktop.domain.errors import N_, DomainError
from desktop.store import crypto
from desktop.store.database import write_transaction

PREFIX = "KJC1"
HEAD_HEX = 32
MAC_HEX = 16
_SETTING = "checkpoint_key"
_PATTERN = re.compile(r"^KJC1-(\d{1,12})-([0-9a-f]{32})-([0-9a-f]{16})$")


@dataclass(frozen=True)
class Checkpoint:
    entries: int  # how many access-log entries the log had
    head: str  # the hash of the last of them (GENESIS for an empty log), full length
    mac: str

    @property
    def text(self) -> str:
        return f"{PREFIX}-{self.entries}-{self.head[:HEAD_HEX]}-{self.mac}"


def _mac(key: bytes, entries: int, head_prefix: str) -> str:
    return hmac.new(key, f"{entries}:{head_prefix}".encode(), hashlib.sha256).hexdigest()[:MAC_HEX]


def _key(workspace) -> bytes:
    """The checkpoint MAC key: kept in the settings table, made once (see the module's text)."""
    with workspace.engine.connect() as connection:
        row = (
            connection.connection.driver_connection.cursor()
            .execute("SELECT value FROM settings WHERE key = ?", (_SETTING,))
            .fetchone()
        )
    if row:
        return bytes.fromhex(json.loads(row[0]))
    key = crypto.checkpoint_key(workspace.data_key) if workspace.data_key else secrets.token_bytes(32)
    with write_transaction(workspace.engine) as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
            (_SETTING, json.dumps(key.hex())),
        )
        stored = cursor.execute("SELECT value FROM settings WHERE key = ?", (_SETTING,)).fetchone()
    return bytes.fromhex(json.loads(stored[0]))


def current(workspace) -> Checkpoint:
    """The checkpoint of the access log as it is now."""
    from desktop.services.access_log import GENESIS

    key = _key(workspace)
    with workspace.engine.connect() as connection:
        row = (
            connection.connection.driver_connection.cursor()
            .execute("SELECT seq, hash FROM access_log ORDER BY seq DESC LIMIT 1")
            .fetchone()
        )
    entries, head = (row[0], row[1]) if row else (0, GENESIS)
    return Checkpoint(entries, head, _mac(key, entries, head[:HEAD_HEX]))


@dataclass(frozen=True)
class Mismatch:
    entry: int  # the first entry (seq) that no longer matches what the checkpoints say
    detail: str  # English, for the command line's problem list


def check(workspace, texts: list[str]) -> list[Mismatch]:
    """The log against checkpoints (the texts as printed). Empty when every one still matches; otherwise
    the first checkpoint that fails, naming the entry it anchors — and, when an earlier checkpoint still
    matches, the range the change lies in. DomainError for a text that is not a checkpoint of this office."""
    key = _key(workspace)
    parsed = []
    for text in texts:
        match = _PATTERN.match(text.strip().lower().replace("kjc1", PREFIX, 1))
        if match is None:
            raise DomainError(
                N_("Not an access-log checkpoint: {text} (it reads KJC1-…)."), text=text.strip()
            )
        entries, head, mac = int(match[1]), match[2], match[3]
        if not hmac.compare_digest(mac, _mac(key, entries, head)):
            raise DomainError(
                N_("The checkpoint {text} was not made by this office's data (or it was mistyped)."),
                text=text.strip(),
            )
        parsed.append((entries, head))
    with workspace.engine.connect() as connection:
        hashes = {
            seq: digest
            for seq, digest in connection.connection.driver_connection.cursor().execute(
                "SELECT seq, hash FROM access_log"
            )
        }
    last_good = 0
    for entries, head in sorted(parsed):
        if entries == 0:
            continue
        digest = hashes.get(entries)
        if digest is not None and digest.startswith(head):
            last_good = entries
            continue
        since = f"; it matched the checkpoint at entry {last_good}: the change is in entries {last_good + 1}–{entries}"
        if digest is None:
            have = max(hashes, default=0)
            return [
                Mismatch(
                    entries if have >= entries else have + 1,
                    f"the checkpoint counts {entries} entries, the log has {len(hashes)}: "
                    f"entries were removed{since if last_good else ''}",
                )
            ]
        return [
            Mismatch(
                entries,
                f"entry {entries} is not the one the checkpoint anchors: it or an entry before it was "
                f"changed or removed{since if last_good else ''}",
            )
        ]
    return []
