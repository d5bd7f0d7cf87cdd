"""The content-addressed file store: bytes kept exactly, named by their SHA-256, written atomically,
and checked against their name whenever they are read or verified."""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.domain.errors import DomainError
from desktop.store.blobs import CHUNK, BlobCorrupted, BlobStore


def files_under(root: Path) -> list[str]:
    """Every file (hidden temp files too) under the store, relative to it."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


def random_bytes(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize("size", [1, 4096, CHUNK + 17, 3 * CHUNK])
def test_round_trip_is_bit_exact_and_named_by_sha256(store: BlobStore, tmp_path: Path, size: int) -> None:
    data = random_bytes(size, seed=size)
    sha = hashlib.sha256(data).hexdigest()

    stored = store.put_bytes(data)
    assert (stored.sha256, stored.size, stored.already_stored) == (sha, size, False)
    assert files_under(store.root) == [f"{sha[:2]}/{sha[2:]}"]
    assert (store.root / sha[:2] / sha[2:]).read_bytes() == data
    assert store.read(sha) == data
    assert store.verify(sha) is None

    # The same bytes from a file, streamed in chunks: recognised, not written again.
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    again = store.put_file(source)
    assert (again.sha256, again.size, again.already_stored) == (sha, size, True)
    assert files_under(store.root) == [f"{sha[:2]}/{sha[2:]}"]


def test_chunks_are_stored_as_one_stream(store: BlobStore) -> None:
    parts = [b"%PDF-1.7\n", b"", bytes(range(256)) * 5, "åäö".encode()]
    stored = store.put_stream(iter(parts))
    assert store.read(stored.sha256) == b"".join(parts)
    assert stored.sha256 == hashlib.sha256(b"".join(parts)).hexdigest()


def test_a_failing_stream_leaves_nothing_behind(store: BlobStore) -> None:
    kept = store.put_bytes(b"already here")

    def chunks() -> Iterator[bytes]:
        yield random_bytes(CHUNK)
        yield random_bytes(1000, seed=2)
        raise OSError("the scanner share went away")

    with pytest.raises(OSError, match="scanner share went away"):
        store.put_stream(chunks())
    assert files_under(store.root) == [f"{kept.sha256[:2]}/{kept.sha256[2:]}"]
    assert not any(name.startswith(".incoming") for name in os.listdir(store.root))


def test_a_failing_stream_into_an_empty_store_leaves_no_file(store: BlobStore) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"x" * 10
        raise KeyboardInterrupt  # also a clerk pressing Ctrl+C half-way

    with pytest.raises(KeyboardInterrupt):
        store.put_stream(chunks())
    assert files_under(store.root) == []


def test_corrupted_bytes_are_refused_on_read_and_reported_by_verify(store: BlobStore) -> None:
    data = random_bytes(10_000)
    sha = store.put_bytes(data).sha256
    other = store.put_bytes(b"another file").sha256
    path = store.path_for(sha)
    damaged = bytearray(data)
    damaged[5000] ^= 0x01  # one bit
    path.write_bytes(bytes(damaged))

    with pytest.raises(BlobCorrupted, match=sha[:12]):
        store.read(sha)
    assert store.verify(sha) == "corrupted"
    assert store.verify(other) is None
    assert store.read(other) == b"another file"


def test_a_missing_blob_is_reported_as_missing_not_corrupted(store: BlobStore) -> None:
    sha = store.put_bytes(b"to be lost").sha256
    store.path_for(sha).unlink()
    assert store.verify(sha) == "missing"
    with pytest.raises(DomainError, match="missing") as raised:
        store.read(sha)
    assert not isinstance(raised.value, BlobCorrupted)


def test_storing_the_right_bytes_again_repairs_a_corrupted_blob(store: BlobStore) -> None:
    data = random_bytes(5000)
    sha = store.put_bytes(data).sha256
    store.path_for(sha).write_bytes(b"garbage")
    repaired = store.put_bytes(data)
    assert not repaired.already_stored
    assert store.read(sha) == data
    assert files_under(store.root) == [f"{sha[:2]}/{sha[2:]}"]


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "A" * 64, "ab", "0" * 63 + "g", "0" * 65, "../" + "0" * 61],
)
def test_only_sha256_digests_name_blobs(store: BlobStore, name: str) -> None:
    with pytest.raises(DomainError, match="Not a SHA-256 digest"):
        store.path_for(name)
    with pytest.raises(DomainError, match="Not a SHA-256 digest"):
        store.read(name)
