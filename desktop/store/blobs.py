"""Content-addressed file store: `blobs/ab/cdef…` named by SHA-256, written atomically, verified on read.

With a key (an encrypted data dir) every file is AES-GCM encrypted in segments (`crypto.py`); the name is
still the SHA-256 of the plaintext, so the same content is stored once and `verify` works as before.
Without a key (data dirs made before encryption at rest) the files are the plaintext bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.errors import N_, DomainError
from desktop.store import crypto

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


def _corrupted(sha256: str) -> BlobCorrupted:
    return BlobCorrupted(
        N_("The file {sha} has been changed on disk; its contents cannot be trusted."), sha=sha256[:12]
    )


class BlobStore:
    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = root
        self._key = key  # the blob key (crypto.blob_key of the data key), None for plaintext files
        self._old_key: bytes | None = None  # during a key rotation: the key of files not yet resealed

    def set_keys(self, key: bytes, old_key: bytes | None = None) -> None:
        """Write with `key`; read with it, or with `old_key` while a key rotation is under way."""
        self._key, self._old_key = key, old_key

    @property
    def encrypted(self) -> bool:
        return self._key is not None

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise DomainError(N_("Not a SHA-256 digest: {value}"), value=sha256)
        return self.root / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    # -- writing -----------------------------------------------------------------------------------------
    def put_stream(self, chunks: Iterator[bytes] | list[bytes]) -> StoredBlob:
        """Store bytes: temp file, fsync, rename into place. The same content is stored once."""
        if self._key is None:
            return self._put_plain(chunks)
        self.root.mkdir(parents=True, exist_ok=True)
        # The name (and the AAD of every segment) needs the hash before the first byte is sealed:
        # the stream is spooled under a throw-away key first, so no plaintext reaches the disk.
        with tempfile.TemporaryFile(dir=self.root, prefix=".spool-") as handle:
            spool = crypto.Spool(handle)
            for segment in crypto.resegment(chunks, crypto.SEGMENT):
                spool.write(segment)
            return self._seal(spool.sha256, spool.size, spool.segments())

    def put_bytes(self, data: bytes) -> StoredBlob:
        if self._key is None:
            return self._put_plain([data])
        sha = hashlib.sha256(data).hexdigest()
        return self._seal(sha, len(data), crypto.resegment([data], crypto.SEGMENT))

    def put_file(self, path: Path) -> StoredBlob:
        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as source:
                while chunk := source.read(CHUNK):
                    yield chunk

        if self._key is None:
            return self._put_plain(chunks())
        digest = hashlib.sha256()
        size = 0
        for chunk in chunks():  # first pass: the name; the second pass seals
            digest.update(chunk)
            size += len(chunk)
        sha = digest.hexdigest()
        again = hashlib.sha256()

        def checked() -> Iterator[bytes]:
            for segment in crypto.resegment(chunks(), crypto.SEGMENT):
                again.update(segment)
                yield segment
            if again.hexdigest() != sha:
                raise DomainError(N_("The file {name} changed while it was being stored."), name=path.name)

        return self._seal(sha, size, checked())

    def _seal(self, sha: str, size: int, segments: Iterable[bytes]) -> StoredBlob:
        target = self.path_for(sha)
        if target.exists() and self._hash_file(target) == sha:
            return StoredBlob(sha, size, already_stored=True)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in crypto.encrypt_segments(self._key, sha, size, segments):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)
            _fsync_dir(target.parent)
            return StoredBlob(sha, size, already_stored=False)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise

    def _put_plain(self, chunks: Iterable[bytes]) -> StoredBlob:
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

    # -- reading -----------------------------------------------------------------------------------------
    def _missing(self, sha256: str) -> DomainError:
        return DomainError(N_("The file {sha} is missing from the file store."), sha=sha256[:12])

    def iter_chunks(self, sha256: str) -> Iterator[bytes]:
        """The stored bytes in pieces (≤ 1 MiB), decrypted; the whole is checked against the name at the end."""
        path = self.path_for(sha256)
        if not path.exists():
            raise self._missing(sha256)
        digest = hashlib.sha256()
        with open(path, "rb") as source:
            for chunk in self._plain_chunks(sha256, source):
                digest.update(chunk)
                yield chunk
        if digest.hexdigest() != sha256:
            raise _corrupted(sha256)

    def _plain_chunks(self, sha256: str, source) -> Iterator[bytes]:
        if self._key is None:
            while chunk := source.read(CHUNK):
                yield chunk
            return
        candidates = [self._key] if self._old_key is None else [self._key, self._old_key]
        for number, key in enumerate(candidates):
            source.seek(0)
            segments = crypto.decrypt_segments(key, sha256, source)
            try:
                first = next(segments)
            except crypto.DecryptionFailed:
                if number == len(candidates) - 1:
                    raise _corrupted(sha256) from None
                continue  # sealed under the old key (not yet resealed): try it
            yield first
            try:
                yield from segments
            except crypto.DecryptionFailed:
                raise _corrupted(sha256) from None
            return

    def sealed_with_current_key(self, sha256: str) -> bool:
        """Whether the file's first segment opens with the present key (False: old key, or damaged)."""
        with open(self.path_for(sha256), "rb") as source:
            try:
                next(crypto.decrypt_segments(self._key, sha256, source))  # type: ignore[arg-type]
            except crypto.DecryptionFailed:
                return False
        return True

    def reseal(self, sha256: str) -> bool:
        """Re-encrypt one file under the present key (key rotation): a new file beside it, checked, then
        renamed over it — a crash leaves the old file or the new one. False when it already was."""
        if self._key is None or self.sealed_with_current_key(sha256):
            return False
        target = self.path_for(sha256)
        with open(target, "rb") as source:
            size = crypto.read_header(source)[2]
        digest = hashlib.sha256()

        def plain() -> Iterator[bytes]:
            with open(target, "rb") as source:
                for chunk in self._plain_chunks(sha256, source):
                    digest.update(chunk)
                    yield chunk

        fd, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                for piece in crypto.encrypt_segments(self._key, sha256, size, crypto.resegment(plain())):
                    out.write(piece)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise _corrupted(sha256)
            os.replace(temp_name, target)
            _fsync_dir(target.parent)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise
        return True

    def names(self) -> list[str]:
        """Every stored file's SHA-256, sorted."""
        if not self.root.exists():
            return []
        found = []
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                found += [folder.name + f.name for f in sorted(folder.iterdir()) if len(f.name) == 62]
        return found

    def read(self, sha256: str) -> bytes:
        """The stored bytes, after checking they still hash to their name."""
        return b"".join(self.iter_chunks(sha256))

    def size(self, sha256: str) -> int:
        """The size of the stored content (not of the encrypted file)."""
        path = self.path_for(sha256)
        if not path.exists():
            raise self._missing(sha256)
        if self._key is None:
            return path.stat().st_size
        with open(path, "rb") as source:
            try:
                return crypto.plaintext_size(source)
            except crypto.DecryptionFailed:
                raise _corrupted(sha256) from None

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

    def _hash_file(self, path: Path) -> str:
        """The SHA-256 of the content (decrypted); "" when an encrypted file does not decrypt."""
        digest = hashlib.sha256()
        sha = path.parent.name + path.name
        with open(path, "rb") as source:
            try:
                for chunk in self._plain_chunks(sha, source):
                    digest.update(chunk)
            except BlobCorrupted:
                return ""
        return digest.hexdigest()
