"""Encryption at rest: the key hierarchy's primitives and the encrypted blob format.

One random 32-byte *data key* per data dir. From it (HKDF-SHA256, one registered label each: `PURPOSES`,
`subkey`) come the SQLCipher key of the database, the AES-256-GCM key of the blob files and the other
per-purpose keys; the data key itself encrypts nothing. The data key itself is only ever stored
wrapped (AES-256-GCM) under a key derived from a user's password (Argon2id) or the office recovery key.

Blob file format (all integers big-endian)::

    header (32 bytes): b"KJB\\x01" | segment size u32 | plaintext size u64 | file nonce (12) | 0 u32
    then ceil(size / segment size) segments (at least one): ciphertext + 16-byte GCM tag

Segment i is encrypted with nonce = file nonce XOR i and AAD = header | sha256(plaintext) | i u64 |
last-segment flag, so a segment cannot be moved, dropped, swapped between files or the file truncated
without the tag check failing; the plaintext's SHA-256 names the file, as for plaintext blobs.

Nonces under the blob key: the file nonce is 96 random bits drawn for every file written (also when the
same content is written again, or re-encrypted under a new key), and XOR with the segment index makes the
segments of one file distinct. Two files' nonces can only meet if their file nonces differ in nothing but
the low bits that segment indices reach (≤ 2^44 segments of a 16 TiB file): for n segments in all under
one key, the chance is below n² / 2^96 — about 10^-17 for a million segments. The spool's throw-away key
is used for one stream only, with a counter.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from argon2.low_level import Type, hash_secret, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
MAGIC = b"KJB\x01"
SEGMENT = 1 << 20
HEADER = struct.Struct(">4sIQ12sI")
TAG = 16
SQLITE_MAGIC = b"SQLite format 3\x00"


class DecryptionFailed(Exception):
    """A tag did not verify: wrong key, or the bytes were changed."""


# -- keys ----------------------------------------------------------------------------------------------


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# Every key derived from the data key, by purpose: HKDF-SHA256 (no salt: the data key is uniformly random)
# with info = b"kirjaamo " + label. One label, one use; a new use gets a new label here (never reuse one).
# The labels are part of the stored format: changing one makes existing data dirs unreadable (a known-answer
# test pins them). relay-enrol adds the labels of the sync payloads and blob chunks.
PURPOSES: dict[str, str] = {
    "sqlcipher v1": "the SQLCipher key of the database (raw 256-bit key)",
    "blobs v1": "AES-256-GCM key of the blob files",
    "key id": "public fingerprint of the data key (first 8 bytes, hex)",
    "checkpoint v1": "HMAC-SHA256 key of the access-log checkpoints",
    "rotation v1": "AES-256-GCM key wrapping the old data key in a key-rotation journal",
    # From the OFFICE key (sync/sealing.py), not a desk's data key: what leaves a desk for the server.
    "sync events v1": "office key: AES-256-GCM key of the event envelopes on the server",
    "sync blobs v1": "office key: AES-256-GCM key of the file chunks on the server",
    "sync blob nonces v1": "office key: HMAC-SHA256 key deriving each file chunk's nonce",
    "sync blob names v1": "office key: HMAC-SHA256 key naming files on the server",
    "sync records v1": "office key: AES-256-GCM key of the sealed accounts and office settings",
    "sync record names v1": "office key: HMAC-SHA256 key naming the sealed records",
    "sync office id v1": "office key: public fingerprint of the office key (first 8 bytes, hex)",
}


def subkey(data_key: bytes, purpose: str) -> bytes:
    """The 32-byte key for one registered purpose (`PURPOSES`), derived from the data key with HKDF-SHA256.

    Keys of different purposes are independent: knowing one (e.g. the database key, which SQLCipher keeps
    in memory) tells nothing about another or about the data key.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unregistered key purpose {purpose!r}")
    if len(data_key) != KEY_BYTES:
        raise ValueError("a data key has 32 bytes")
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"kirjaamo " + purpose.encode()
    ).derive(data_key)


def sqlcipher_key(data_key: bytes) -> bytes:
    return subkey(data_key, "sqlcipher v1")


def blob_key(data_key: bytes) -> bytes:
    return subkey(data_key, "blobs v1")


def checkpoint_key(data_key: bytes) -> bytes:
    return subkey(data_key, "checkpoint v1")


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost: about 0.2 s on a 2-core desk (sign-in stays well under half a second)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    def to_json(self) -> dict:
        return {"alg": "argon2id", "t": self.time_cost, "m": self.memory_kib, "p": self.parallelism}

    @classmethod
    def from_json(cls, data: dict) -> KdfParams:
        if data.get("alg") != "argon2id":
            raise ValueError(f"unknown key derivation {data.get('alg')!r}")
        return cls(int(data["t"]), int(data["m"]), int(data["p"]))


def password_kek(password: str, salt: bytes, params: KdfParams) -> bytes:
    """The key-encryption key of a password (Argon2id, raw 32 bytes)."""
    return hash_secret_raw(
        password.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def verifier_kek(verifier: str, salt: bytes) -> bytes:
    """A key-encryption key from an Argon2 password hash string (accounts that came from the sync server)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"kirjaamo verifier wrap"
    ).derive(verifier.encode("ascii"))


def rebuild_verifier(password: str, verifier_prefix: str) -> str | None:
    """The Argon2 hash string `$argon2id$v=19$m=…,t=…,p=…$salt$hash` of `password` with the stored salt and
    parameters (`verifier_prefix` is the string without its last `$hash` part); None if it cannot be parsed."""
    try:
        _empty, variant, version, params, salt_b64, hash_len = verifier_prefix.split("$")
        if variant != "argon2id" or version != "v=19":
            return None
        values = dict(part.split("=") for part in params.split(","))
        salt = base64.b64decode(salt_b64 + "=" * (-len(salt_b64) % 4))
        encoded = hash_secret(
            password.encode("utf-8"),
            salt,
            time_cost=int(values["t"]),
            memory_cost=int(values["m"]),
            parallelism=int(values["p"]),
            hash_len=int(hash_len),
            type=Type.ID,
        )
    except (ValueError, KeyError):
        return None
    return encoded.decode("ascii")


def verifier_prefix(verifier: str) -> str | None:
    """What of an Argon2id hash string may be stored openly: everything but the hash, plus its length."""
    parts = verifier.split("$")
    if len(parts) != 6 or parts[1] != "argon2id":
        return None
    raw = base64.b64decode(parts[5] + "=" * (-len(parts[5]) % 4))
    return "$".join(parts[:5]) + f"${len(raw)}"


def recovery_kek(recovery_key: bytes, salt: bytes) -> bytes:
    # The recovery key is 200 random bits: no slow derivation needed.
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"kirjaamo recovery wrap"
    ).derive(recovery_key)


def wrap(kek: bytes, data_key: bytes, context: bytes) -> tuple[bytes, bytes]:
    """(nonce, wrapped) — the data key sealed under `kek`, bound to `context` (e.g. the user name)."""
    nonce = secrets.token_bytes(12)
    return nonce, AESGCM(kek).encrypt(nonce, data_key, b"kirjaamo key wrap\x00" + context)


def unwrap(kek: bytes, nonce: bytes, wrapped: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, b"kirjaamo key wrap\x00" + context)
    except InvalidTag:
        raise DecryptionFailed("wrong key") from None


# -- sealing to a public key (X25519) ---------------------------------------------------------------------
# A user's password (or the recovery key) unwraps that user's X25519 private key; the data key is sealed to
# the public key. An administrator can so seal a *new* data key for every remaining user without knowing
# their passwords (key rotation), and a removed user's old private key opens only the old data key.


def new_key_pair() -> tuple[bytes, bytes]:
    """(private, public) raw 32-byte X25519 keys."""
    private = X25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes_raw()


def public_of(private: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=b"kirjaamo sealed key"
    ).derive(shared)


def seal(public: bytes, secret: bytes, context: bytes) -> tuple[bytes, bytes, bytes]:
    """(ephemeral public key, nonce, ciphertext): `secret` readable only with the private key of `public`."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public))
    nonce = secrets.token_bytes(12)
    box = AESGCM(_box_key(shared, ephemeral_public, public))
    return ephemeral_public, nonce, box.encrypt(nonce, secret, b"kirjaamo sealed\x00" + context)


def open_sealed(private: bytes, ephemeral: bytes, nonce: bytes, sealed: bytes, context: bytes) -> bytes:
    key = X25519PrivateKey.from_private_bytes(private)
    shared = key.exchange(X25519PublicKey.from_public_bytes(ephemeral))
    box = AESGCM(_box_key(shared, ephemeral, key.public_key().public_bytes_raw()))
    try:
        return box.decrypt(nonce, sealed, b"kirjaamo sealed\x00" + context)
    except InvalidTag:
        raise DecryptionFailed("wrong key") from None


def recovery_private_key(recovery_key: bytes, salt: bytes) -> bytes:
    """The X25519 private key of the office recovery key (derived: the recovery key is all one keeps)."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"kirjaamo recovery x25519"
    ).derive(recovery_key)


# -- recovery key text ---------------------------------------------------------------------------------

RECOVERY_BYTES = 25  # 200 bits = 40 base32 characters


def new_recovery_key() -> bytes:
    return secrets.token_bytes(RECOVERY_BYTES)


def format_recovery_key(key: bytes) -> str:
    """`ABCDE-FGHIJ-…`: eight groups of five base32 characters, easy to print and type."""
    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 5] for i in range(0, len(text), 5))


def parse_recovery_key(text: str) -> bytes | None:
    cleaned = "".join(c for c in text.upper() if c.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")  # typed from paper
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError:
        return None
    return key if len(key) == RECOVERY_BYTES else None


# -- blobs ---------------------------------------------------------------------------------------------


def _nonce(file_nonce: bytes, index: int) -> bytes:
    return (int.from_bytes(file_nonce, "big") ^ index).to_bytes(12, "big")


def _aad(header: bytes, sha_raw: bytes, index: int, last: bool) -> bytes:
    return header + sha_raw + struct.pack(">QB", index, 1 if last else 0)


def segment_count(size: int, segment: int = SEGMENT) -> int:
    return max(1, -(-size // segment))


def encrypt_segments(key: bytes, sha256: str, size: int, segments: Iterable[bytes]) -> Iterator[bytes]:
    """The encrypted file, piece by piece: the header, then each plaintext segment sealed.

    `segments` must be the plaintext cut into SEGMENT-sized pieces (the last may be shorter; an empty
    file is one empty segment) whose total is `size` and whose SHA-256 is `sha256`.
    """
    file_nonce = secrets.token_bytes(12)
    header = HEADER.pack(MAGIC, SEGMENT, size, file_nonce, 0)
    yield header
    aead = AESGCM(key)
    sha_raw = bytes.fromhex(sha256)
    total = segment_count(size)
    index = 0
    for index, plain in enumerate(segments):  # noqa: B007 — the count is checked after the loop
        if index >= total:
            raise ValueError("more plaintext than announced")
        yield aead.encrypt(_nonce(file_nonce, index), plain, _aad(header, sha_raw, index, index == total - 1))
    if index != total - 1:
        raise ValueError("less plaintext than announced")


def read_header(source: BinaryIO) -> tuple[bytes, int, int, bytes]:
    """(header bytes, segment size, plaintext size, file nonce); DecryptionFailed when not our format."""
    header = source.read(HEADER.size)
    if len(header) != HEADER.size:
        raise DecryptionFailed("short header")
    magic, segment, size, file_nonce, _reserved = HEADER.unpack(header)
    if magic != MAGIC or not 0 < segment <= 64 << 20:
        raise DecryptionFailed("not an encrypted Kirjaamo file")
    return header, segment, size, file_nonce


def decrypt_segments(key: bytes, sha256: str, source: BinaryIO) -> Iterator[bytes]:
    """The plaintext of an encrypted blob, segment by segment, each authenticated before it is yielded."""
    header, segment, size, file_nonce = read_header(source)
    aead = AESGCM(key)
    sha_raw = bytes.fromhex(sha256)
    total = segment_count(size, segment)
    for index in range(total):
        length = segment if index < total - 1 else size - segment * (total - 1)
        sealed = source.read(length + TAG)
        if len(sealed) != length + TAG:
            raise DecryptionFailed("truncated")
        try:
            yield aead.decrypt(
                _nonce(file_nonce, index), sealed, _aad(header, sha_raw, index, index == total - 1)
            )
        except InvalidTag:
            raise DecryptionFailed(f"segment {index}") from None
    if source.read(1):
        raise DecryptionFailed("trailing bytes")


def plaintext_size(source: BinaryIO) -> int:
    return read_header(source)[2]


def resegment(chunks: Iterable[bytes], size: int = SEGMENT) -> Iterator[bytes]:
    """The same bytes in pieces of exactly `size` (the last shorter; at least one piece)."""
    buffer = bytearray()
    produced = False
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
            produced = True
    if buffer or not produced:
        yield bytes(buffer)


class Spool:
    """A temporary file of plaintext segments sealed under a throw-away key: lets a stream be hashed first
    and encrypted for real afterwards without the plaintext ever touching the disk."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._aead = AESGCM(new_key())
        self._count = 0
        self._lengths: list[int] = []
        self.size = 0
        self._digest = hashlib.sha256()

    def write(self, segment: bytes) -> None:
        self._digest.update(segment)
        self.size += len(segment)
        sealed = self._aead.encrypt(self._count.to_bytes(12, "big"), segment, None)
        self._handle.write(sealed)
        self._lengths.append(len(sealed))
        self._count += 1

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def segments(self) -> Iterator[bytes]:
        self._handle.flush()
        self._handle.seek(0)
        for index, length in enumerate(self._lengths):
            yield self._aead.decrypt(index.to_bytes(12, "big"), self._handle.read(length), None)


def is_encrypted_database(path: os.PathLike | str) -> bool:
    """A SQLCipher file has random bytes where a plain SQLite file says "SQLite format 3"."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    return len(head) == len(SQLITE_MAGIC) and head != SQLITE_MAGIC
