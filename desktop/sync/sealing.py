"""End-to-end encryption at the sync boundary: what leaves the desk for the server is sealed here.

Every desk of an office holds the same random 32-byte *office key* (made when the first desk founds the
server, handed to a new desk inside its one-time enrolment package). From it come, by HKDF with one label
each, the keys below; the server never sees any of them.

- Events: the payload, the actor and the wall-clock time travel as one AES-256-GCM envelope
  (`kjs1:` + base64(nonce ‖ ciphertext ‖ tag)) under a random 96-bit nonce, with the event's id, case,
  type, device and HLC as associated data: the server cannot move a payload to another event, case or
  type without the desk noticing. The server sees only what ordering and numbering need: ids, case id,
  type, device, HLC, the diary number of a registration (office prefix and year for the counters) and
  the opaque name of a file an event needs.
- Files: the server names a file by HMAC(office, SHA-256 of the content), so it cannot confirm a guessed
  document; each 1 MiB chunk is sealed with a nonce derived from (file name, chunk size, index). The
  same name and index always carry the same plaintext (the name is the content's hash), so a nonce is
  never used for two different plaintexts, and the ciphertext is the same on every upload: a resumed
  upload and the server's check of the whole file's digest both work.
- Accounts and the office's shared settings: sealed records under their own key.

Signatures (relay-sign) are over the canonical PLAINTEXT bytes of an event; sealing happens after them,
opening before their check, so signing code never sees ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from dataclasses import dataclass, fields
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event, EventType
from desktop.store import crypto
from desktop.store.codec import dumps

ENVELOPE = "kjs1:"
NONCE = 12
TAG = 16
SERVER_DEVICE = "server"
# Events the server itself writes (it holds no key): their payload is plain and carries no personal data.
SERVER_EVENT_TYPES = frozenset({EventType.DIARY_NUMBER_ASSIGNED})
_BLOB_EVENTS = (EventType.ATTACHMENT_ADDED, EventType.LETTER_PRINTED)


class SealBroken(DomainError):
    """A sealed item did not open: another office's key, or the bytes were changed on the server."""


@dataclass(frozen=True)
class SealedEvent:
    """An event as the server stores it: the columns the server may read, and the sealed rest."""

    id: str
    case_id: str
    type: str
    sealed: str  # the envelope (or, for a server-made event, its plain JSON payload)
    actor: str  # "" for a sealed event: the author is inside the envelope
    at: str  # "" for a sealed event
    device_id: str
    hlc: str
    diary: str | None  # the diary number of a registration (the server numbers provisional ones)
    blob_ref: str | None  # the server's name of the file the event needs


def new_office_key() -> bytes:
    return crypto.new_key()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class OfficeSeal:
    """The office key's per-purpose keys and what they seal."""

    def __init__(self, office_key: bytes) -> None:
        if len(office_key) != crypto.KEY_BYTES:
            raise ValueError("an office key is 32 bytes")
        self._events = AESGCM(crypto.subkey(office_key, "sync events v1"))
        self._blobs = AESGCM(crypto.subkey(office_key, "sync blobs v1"))
        self._blob_nonces = crypto.subkey(office_key, "sync blob nonces v1")
        self._blob_names = crypto.subkey(office_key, "sync blob names v1")
        self._records = AESGCM(crypto.subkey(office_key, "sync records v1"))
        self._record_names = crypto.subkey(office_key, "sync record names v1")
        self.fingerprint = crypto.subkey(office_key, "sync office id v1")[:8].hex()

    # -- events --------------------------------------------------------------------------------------
    @staticmethod
    def _event_aad(event_id: str, case_id: str, type_: str, device_id: str, hlc: str) -> bytes:
        return "\x00".join(("kirjaamo event v1", event_id, case_id, type_, device_id, hlc)).encode("utf-8")

    def seal_event(self, event: Event) -> SealedEvent:
        diary = None
        if event.type is EventType.CASE_REGISTERED:
            diary = str(event.payload.get("diary_number") or "") or None
        blob_ref = None
        if event.type in _BLOB_EVENTS and event.payload.get("sha256"):
            blob_ref = self.blob_name(event.payload["sha256"])
        inner = dumps(_sealed_fields(event)).encode("utf-8")
        nonce = secrets.token_bytes(NONCE)
        aad = self._event_aad(event.id, event.case_id, event.type.value, event.device_id, event.hlc)
        sealed = ENVELOPE + _b64(nonce + self._events.encrypt(nonce, inner, aad))
        return SealedEvent(
            event.id,
            event.case_id,
            event.type.value,
            sealed,
            "",
            "",
            event.device_id,
            event.hlc,
            diary,
            blob_ref,
        )

    def open_event(self, row) -> Event:
        """Row columns: id, case_id, type, payload, actor, at, device_id, hlc (as the server stores them)."""
        event_id, case_id, type_, payload, actor, at, device_id, hlc = row
        if not payload.startswith(ENVELOPE):
            return _plain_server_event(row)
        try:
            raw = base64.b64decode(payload[len(ENVELOPE) :], validate=True)
            inner = self._events.decrypt(
                raw[:NONCE], raw[NONCE:], self._event_aad(event_id, case_id, type_, device_id, hlc)
            )
            data = json.loads(inner)
            known = {name: data[name] for name in _SEALED_FIELDS if name in data}
            known["at"] = datetime.fromisoformat(data["at"])
            return Event(
                id=event_id, case_id=case_id, type=EventType(type_), device_id=device_id, hlc=hlc, **known
            )
        except (InvalidTag, ValueError, KeyError, TypeError):
            raise SealBroken(
                N_("The event {id} on the server does not open with this office's key."), id=event_id
            ) from None

    # -- files ---------------------------------------------------------------------------------------
    def blob_name(self, sha256: str) -> str:
        """The server's name of a file: it cannot be linked to the content's hash without the office key."""
        return hmac.new(self._blob_names, bytes.fromhex(sha256), hashlib.sha256).hexdigest()

    def _chunk_nonce(self, name: str, chunk_size: int, index: int) -> bytes:
        data = bytes.fromhex(name) + struct.pack(">IQ", chunk_size, index)
        return hmac.new(self._blob_nonces, data, hashlib.sha256).digest()[:NONCE]

    @staticmethod
    def _chunk_aad(name: str, chunk_size: int, index: int, count: int) -> bytes:
        return b"kirjaamo chunk v1\x00" + bytes.fromhex(name) + struct.pack(">IQQ", chunk_size, index, count)

    def seal_chunk(self, name: str, chunk_size: int, index: int, count: int, data: bytes) -> bytes:
        nonce = self._chunk_nonce(name, chunk_size, index)
        return self._blobs.encrypt(nonce, data, self._chunk_aad(name, chunk_size, index, count))

    def open_chunk(self, name: str, chunk_size: int, index: int, count: int, data: bytes) -> bytes:
        try:
            return self._blobs.decrypt(
                self._chunk_nonce(name, chunk_size, index),
                data,
                self._chunk_aad(name, chunk_size, index, count),
            )
        except InvalidTag:
            raise SealBroken(N_("A file from the server does not open with this office's key.")) from None

    # -- accounts and settings -----------------------------------------------------------------------
    def record_name(self, kind: str, key: str) -> str:
        return hmac.new(self._record_names, f"{kind}\x00{key}".encode(), hashlib.sha256).hexdigest()

    def seal_record(self, kind: str, key: str, value: object) -> tuple[str, bytes]:
        """(name, sealed bytes) of one account or the office settings."""
        name = self.record_name(kind, key)
        nonce = secrets.token_bytes(NONCE)
        aad = f"kirjaamo record v1\x00{kind}\x00{name}".encode()
        return name, nonce + self._records.encrypt(nonce, dumps(value).encode("utf-8"), aad)

    def open_record(self, kind: str, name: str, sealed: bytes) -> object:
        aad = f"kirjaamo record v1\x00{kind}\x00{name}".encode()
        try:
            return json.loads(self._records.decrypt(sealed[:NONCE], sealed[NONCE:], aad))
        except (InvalidTag, ValueError):
            raise SealBroken(
                N_("The office's records on the server do not open with this office's key.")
            ) from None


# Everything of an event but what the server needs in clear goes into the envelope — also fields added to
# `Event` later (a signature over the plaintext, for instance), as long as they are JSON values.
_CLEAR_FIELDS = frozenset({"id", "case_id", "type", "device_id", "hlc"})
_SEALED_FIELDS = tuple(f.name for f in fields(Event) if f.name not in _CLEAR_FIELDS)


def _sealed_fields(event: Event) -> dict:
    data = {name: getattr(event, name) for name in _SEALED_FIELDS}
    data["at"] = event.at.isoformat(timespec="microseconds")
    return data


def _plain_server_event(row) -> Event:
    """An event the server wrote itself (a final diary number): plain, and only of the types it may write."""
    event_id, case_id, type_, payload, actor, at, device_id, hlc = row
    try:
        event_type = EventType(type_)
        if event_type not in SERVER_EVENT_TYPES or device_id != SERVER_DEVICE:
            raise ValueError(type_)
        return Event(
            event_id,
            case_id,
            event_type,
            json.loads(payload),
            actor,
            datetime.fromisoformat(at),
            device_id,
            hlc,
        )
    except (ValueError, TypeError):
        raise SealBroken(
            N_("The event {id} on the server is not sealed with this office's key."), id=event_id
        ) from None


def chunked_size(size: int, chunk_size: int) -> int:
    """The size on the server of a file of `size` bytes cut into sealed chunks."""
    count = (size + chunk_size - 1) // chunk_size
    return size + count * TAG


__all__ = [
    "ENVELOPE",
    "OfficeSeal",
    "SealBroken",
    "SealedEvent",
    "chunked_size",
    "new_office_key",
]
