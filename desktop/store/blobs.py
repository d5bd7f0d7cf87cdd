"""Content-addressed file store: `blobs/ab/cdef…` named by SHA-256, written atomically, verified on read."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.errors import N_, DomainError

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    already_stored: bool


class BlobCorrupted(DomainError):
    """The bytes on disk no longer match their name."""


def _fsync_dir(directory: Path) -> None:
    if os.name == "nt":
        return  # directories cannot be opened for fsync on Windows; NTFS journals the rename
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise DomainError(N_("Not a SHA-256 digest: {value}"), value=sha256)
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put_stream(self, chunks: Iterator[bytes] | list[bytes]) -> StoredBlob:
        """Store bytes: temp file, fsync, rename into place. The same content is stored once."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path_for(sha)
            if target.exists() and self._hash_file(target) == sha:
                os.unlink(temp_name)
                return StoredBlob(sha, size, already_stored=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)
            _fsync_dir(target.parent)
            return StoredBlob(sha, size, already_stored=False)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_stream([data])

    def put_file(self, path: Path) -> StoredBlob:
        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as source:
                while chunk := source.read(CHUNK):
                    yield chunk

        return self.put_stream(chunks())

    def read(self, sha256: str) -> bytes:
        """The stored bytes, after checking they still hash to their name."""
        path = self.path_for(sha256)
        if not path.exists():
            raise DomainError(N_("The file {sha} is missing from the file store."), sha=sha256[:12])
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(
                N_("The file {sha} has been changed on disk; its contents cannot be trusted."),
                sha=sha256[:12],
            )
        return data

    def verify(self, sha256: str) -> str | None:
        """None when the blob is intact, else what is wrong ("missing" or "corrupted")."""
        path = self.path_for(sha256)
        if not path.exists():
            return "missing"
        return None if self._hash_file(path) == sha256 else "corrupted"

    def delete(self, sha256: str) -> None:
        path = self.path_for(sha256)
        if path.exists():
            path.unlink()
            _fsync_dir(path.parent)

    @staticmethod
    def _hash_file(path: Path) -> str:
        digest = hashlib.sha256()
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()
