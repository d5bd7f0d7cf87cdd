"""Known-answer tests of the key hierarchy and the blob format (issue 13 point 8): per-purpose keys derived
with HKDF-SHA256 from the data key, and AES-GCM nonces that never repeat under one key."""

from __future__ import annotations

import hashlib
import hmac
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from desktop.store import crypto
from desktop.store.blobs import BlobStore

DATA_KEY = bytes(range(32))


def reference_hkdf(ikm: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 written out (no salt = 32 zero bytes), independent of the code under test."""
    prk = hmac.new(b"\0" * 32, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def test_per_purpose_keys_are_hkdf_of_the_data_key_with_their_label() -> None:
    # Pinned: these labels are part of the stored format (a changed label locks every data dir out).
    assert crypto.sqlcipher_key(DATA_KEY).hex() == (
        "01a85d3ea6c8233a2f419617367ba1af17f30a9b763d4c7b3fafb764ada14da8"
    )
    assert (
        crypto.blob_key(DATA_KEY).hex() == "7e96d6a99b7f7473a257a0e7ea5fd3c38a41295a2202df2390e1c1afba016b33"
    )
    for label in crypto.PURPOSES:
        assert crypto.subkey(DATA_KEY, label) == reference_hkdf(DATA_KEY, b"kirjaamo " + label.encode())
    derived = [crypto.subkey(DATA_KEY, label) for label in crypto.PURPOSES]
    assert len(set(derived + [DATA_KEY])) == len(derived) + 1  # db key ≠ blob key ≠ … ≠ data key
    with pytest.raises(ValueError):
        crypto.subkey(DATA_KEY, "no such purpose")


def test_a_workspace_keys_its_database_and_blobs_with_different_derived_keys(sign_in) -> None:
    workspace, _user = sign_in("admin")
    data_key = workspace.data_key
    assert data_key is not None
    blob_key = workspace.blobs._key
    assert blob_key == crypto.blob_key(data_key)
    assert len({data_key, blob_key, crypto.sqlcipher_key(data_key)}) == 3
    # The database opens with the derived key only, not with the data key or the blob key.
    from desktop.store.database import DATABASE_FILE, connect_raw

    connect_raw(workspace.data_dir / DATABASE_FILE, crypto.sqlcipher_key(data_key)).close()
    for wrong in (data_key, blob_key):
        with pytest.raises(Exception, match="not a database"):
            connect_raw(workspace.data_dir / DATABASE_FILE, wrong)


def reference_blob(key: bytes, plaintext: bytes, file_nonce: bytes, segment: int = crypto.SEGMENT) -> bytes:
    """The documented blob format, written out with AES-GCM directly (the format of every release so far)."""
    header = struct.pack(">4sIQ12sI", b"KJB\x01", segment, len(plaintext), file_nonce, 0)
    sha = hashlib.sha256(plaintext).digest()
    pieces = [plaintext[i : i + segment] for i in range(0, len(plaintext), segment)] or [b""]
    out = [header]
    for index, piece in enumerate(pieces):
        nonce = (int.from_bytes(file_nonce, "big") ^ index).to_bytes(12, "big")
        aad = header + sha + struct.pack(">QB", index, 1 if index == len(pieces) - 1 else 0)
        out.append(AESGCM(key).encrypt(nonce, piece, aad))
    return b"".join(out)


def reference_nonces(blob: bytes) -> list[bytes]:
    _magic, segment, size, file_nonce, _ = struct.unpack(">4sIQ12sI", blob[:32])
    return [
        (int.from_bytes(file_nonce, "big") ^ i).to_bytes(12, "big")
        for i in range(crypto.segment_count(size, segment))
    ]


def test_the_blob_format_is_the_documented_one(tmp_path: Path) -> None:
    key = crypto.blob_key(DATA_KEY)
    plaintext = bytes(range(256)) * (crypto.SEGMENT // 128 + 3)  # three segments, the last short
    file_nonce = bytes.fromhex("00112233445566778899aabb")
    known = reference_blob(key, plaintext, file_nonce)
    assert len(known) == 32 + len(plaintext) + 3 * 16
    assert hashlib.sha256(known).hexdigest() == (
        "c7bdd8155109334abefc87d340123881dc78fdae6ce79a9c10278a0b90ae2905"
    )  # fixed key, nonce and plaintext: fixed bytes
    # A file written by earlier releases (the same format) reads with today's code …
    sha = hashlib.sha256(plaintext).hexdigest()
    store = BlobStore(tmp_path / "blobs", key)
    store.path_for(sha).parent.mkdir(parents=True)
    store.path_for(sha).write_bytes(known)
    assert store.read(sha) == plaintext and store.verify(sha) is None
    # … and what today's code writes reads with the reference (same header, nonces, AAD).
    fresh = BlobStore(tmp_path / "fresh", key)
    fresh.put_bytes(plaintext)
    written = fresh.path_for(sha).read_bytes()
    assert written[:16] == known[:16] and written != known  # same header fields, another random nonce
    assert reference_blob(key, plaintext, written[16:28]) == written


class RecordingAESGCM:
    """The real AES-GCM, noting every (key, nonce) it encrypts with."""

    used: list[tuple[bytes, bytes]] = []

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._aead = AESGCM(key)

    def encrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        RecordingAESGCM.used.append((self._key, nonce))
        return self._aead.encrypt(nonce, data, aad)

    def decrypt(self, nonce: bytes, data: bytes, aad: bytes | None) -> bytes:
        return self._aead.decrypt(nonce, data, aad)


def test_no_nonce_repeats_within_or_across_blobs_under_one_key(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(crypto, "AESGCM", RecordingAESGCM)
    RecordingAESGCM.used = []
    key = crypto.blob_key(DATA_KEY)
    store = BlobStore(tmp_path / "blobs", key)
    source = tmp_path / "source.bin"
    shas = []
    for n in range(6):  # multi-segment blobs through every write path
        data = bytes([n]) * (2 * crypto.SEGMENT + 1 + 1000 * n)
        source.write_bytes(data)
        writer = (store.put_bytes, lambda d: store.put_file(source), lambda d: store.put_stream(iter([d])))[
            n % 3
        ]
        shas.append(writer(data).sha256)
    # The same content once more, after a repair (a rewrite draws a new file nonce).
    store.path_for(shas[0]).unlink()
    assert not store.put_bytes(bytes([0]) * (2 * crypto.SEGMENT + 1)).already_stored

    under_key = [nonce for used_key, nonce in RecordingAESGCM.used if used_key == key]
    assert len(under_key) == 7 * 3
    assert len(set(under_key)) == len(under_key), "an AES-GCM nonce was used twice under the blob key"
    # What is on disk says the same: every segment's nonce, from the headers, distinct.
    on_disk = [n for sha in shas for n in reference_nonces(store.path_for(sha).read_bytes())]
    assert len(on_disk) == 6 * 3 and len(set(on_disk)) == len(on_disk)
    assert set(on_disk) <= set(under_key)
