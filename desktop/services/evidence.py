"""Evidence intake: files attached to a case, the scanner's inbox folder, and saved e-mails.

Every file is checked completely (size, type from content, integrity) before anything is stored, so a
refusal leaves the file store and the event log as they were. Stored files are content-addressed: the
same bytes are kept once and shown as already attached.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.domain.accounts import Permission
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import AttachmentKind, CaseState
from desktop.services import transitions
from desktop.services.accounts import require
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI
from desktop.services.email_import import (
    EncryptedEmail,
    ImportedEmail,
    SmimeKeys,
    load_smime_keys,
    read_email,
    request_from_email,
)
from desktop.services.filetypes import OUTLOOK, Inspection, inspect_content, safe_filename
from desktop.store.database import raw_cursor

DIARY_AT_START = re.compile(r"^([A-Za-z0-9]{1,12}/\d+/\d{4})(?:\s|$)")
EMAIL_TYPES = ("message/rfc822", OUTLOOK)
ENCRYPTED_NOT_READ = N_(
    "The message is encrypted (S/MIME) and the office's key is not configured: its attachments were not "
    "extracted."
)
UNREADABLE_EMAIL = N_(
    "The message could not be read; it is kept as received, but its attachments were not extracted."
)


@dataclass(frozen=True)
class AttachedFile:
    filename: str
    sha256: str
    size: int
    media_type: str
    kind: AttachmentKind
    already_attached: bool
    warning: str = ""


@dataclass(frozen=True)
class AttachBatch:
    """What one attach did: the file itself first, then the files taken out of an e-mail."""

    state: CaseState
    files: tuple[AttachedFile, ...]
    skipped: tuple[tuple[str, DomainError], ...] = ()  # e-mail attachments not kept separately, and why
    notes: tuple[str, ...] = ()  # message ids

    @property
    def main(self) -> AttachedFile:
        return self.files[0]


@dataclass(frozen=True)
class _Checked:
    filename: str
    data: bytes
    kind: AttachmentKind
    inspection: Inspection


@dataclass(frozen=True)
class EmailImport:
    """A message read for a new request: the bytes as received, what was read, and the intake prefill."""

    filename: str
    data: bytes
    mail: ImportedEmail
    request: dict


@dataclass(frozen=True)
class Scan:
    name: str
    size: int
    modified: float
    ready: bool  # unchanged for the settle time: the scanner has finished writing it


class EvidenceService:
    def __init__(self, cases: CaseService) -> None:
        self.cases = cases
        self.workspace = cases.workspace

    # -- checks (no side effects) -----------------------------------------------------------------
    @property
    def limit_bytes(self) -> int:
        return int(self.workspace.settings.attachment_limit_mb) * 1024 * 1024

    def read_file(self, path: Path) -> bytes:
        """The bytes of a file chosen by the clerk, refused when unreadable, not a file, empty or too large."""
        name = safe_filename(path.name)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise DomainError(N_("{name} is not a file."), name=name)
            self._check_size(info.st_size, name)
            with open(path, "rb") as handle:
                data = handle.read(self.limit_bytes + 1)
        except OSError as error:
            raise DomainError(
                N_("Cannot read {name}: {reason}"), name=name, reason=error.strerror or str(error)
            ) from None
        self._check_size(len(data), name)  # it may have grown since the stat
        return data

    def _check_size(self, size: int, name: str) -> None:
        if size == 0:
            raise DomainError(N_("The file {name} is empty."), name=name)
        limit = int(self.workspace.settings.attachment_limit_mb)
        if size > limit * 1024 * 1024:
            raise DomainError(
                N_("The file {name} is larger than the limit of {limit} MB."), name=name, limit=limit
            )

    def check(self, data: bytes, filename: str) -> Inspection:
        """Type from content, agreement with the name, integrity; raises DomainError when refused."""
        name = safe_filename(filename)
        self._check_size(len(data), name)
        return inspect_content(name, data)

    def smime_keys(self) -> SmimeKeys | None:
        settings = self.workspace.settings
        return load_smime_keys(
            getattr(settings, "smime_cert_path", "") or "", getattr(settings, "smime_key_path", "") or ""
        )

    # -- attaching ---------------------------------------------------------------------------------
    def attach_file(self, ref: str, path: Path, kind: AttachmentKind) -> AttachBatch:
        return self.attach_bytes(ref, self.read_file(path), path.name, kind)

    def attach_bytes(self, ref: str, data: bytes, filename: str, kind: AttachmentKind) -> AttachBatch:
        """Attach a file; an e-mail's own attachments are stored as separate files too."""
        require(self.cases.user, Permission.PROCESS)
        name = safe_filename(filename)
        inspection = self.check(data, name)
        if inspection.media_type not in EMAIL_TYPES:
            return self._store(ref, [_Checked(name, data, kind, inspection)])
        notes: list[str] = []
        mail: ImportedEmail | None = None
        try:
            mail = read_email(data, name, self.smime_keys())
        except EncryptedEmail:
            notes.append(ENCRYPTED_NOT_READ)
        except DomainError:
            notes.append(UNREADABLE_EMAIL)
        return self._attach_email(ref, name, data, inspection, kind, mail, notes)

    def attach_email(self, ref: str, imported: EmailImport) -> AttachBatch:
        """Attach a message already read (new request from e-mail): the original unchanged, then its files."""
        require(self.cases.user, Permission.PROCESS)
        inspection = self.check(imported.data, imported.filename)
        return self._attach_email(
            ref, imported.filename, imported.data, inspection, AttachmentKind.EMAIL, imported.mail, []
        )

    def _attach_email(
        self,
        ref: str,
        name: str,
        data: bytes,
        inspection: Inspection,
        kind: AttachmentKind,
        mail: ImportedEmail | None,
        notes: list[str],
    ) -> AttachBatch:
        if kind in (AttachmentKind.OTHER, AttachmentKind.SIGNED_FORM):
            kind = (
                AttachmentKind.EMAIL
            )  # a message is kept as an e-mail unless it is e.g. a power of attorney
        checked = [_Checked(name, data, kind, inspection)]
        skipped: list[tuple[str, DomainError]] = []
        for part in mail.attachments if mail else ():
            try:
                part_inspection = self.check(part.data, part.filename)
            except DomainError as error:
                skipped.append((part.filename, error))
                continue
            if part_inspection.media_type in EMAIL_TYPES:
                part_kind = AttachmentKind.EMAIL
            else:
                part_kind = AttachmentKind.OTHER
            checked.append(_Checked(part.filename, part.data, part_kind, part_inspection))
        if mail:
            notes.extend(mail.notes)
        return self._store(ref, checked, tuple(skipped), tuple(notes))

    def _store(
        self,
        ref: str,
        checked: list[_Checked],
        skipped: tuple[tuple[str, DomainError], ...] = (),
        notes: tuple[str, ...] = (),
    ) -> AttachBatch:
        """Store the checked files, then record them all in one transaction of the event log."""
        self.cases._check_attachable(ref)
        before = {a.sha256 for a in self.cases.get(ref).attachments}
        files: list[AttachedFile] = []
        for item in checked:
            stored = self.workspace.blobs.put_bytes(item.data)
            files.append(
                AttachedFile(
                    filename=item.filename,
                    sha256=stored.sha256,
                    size=stored.size,
                    media_type=item.inspection.media_type,
                    kind=item.kind,
                    already_attached=stored.sha256 in before,
                    warning=item.inspection.warning,
                )
            )

        def step(ctx: transitions.Context, state: CaseState) -> list[transitions.EventSpec]:
            specs: list[transitions.EventSpec] = []
            seen = {a.sha256 for a in state.attachments}
            for f in files:
                if f.sha256 in seen:
                    continue
                seen.add(f.sha256)
                specs += transitions.attachment_added(
                    ctx, state, f.sha256, f.filename, f.kind, f.size, f.media_type, f.warning
                )
            return specs

        state = self.cases._change(ref, step)
        return AttachBatch(state, tuple(files), skipped, notes)

    # -- reading back ------------------------------------------------------------------------------
    def read(self, sha256: str, case_ref: str = "") -> bytes:
        """A stored file, its hash verified (the view logged against `case_ref` when given)."""
        return self.cases.read_attachment(sha256, case_ref)

    def read_stored_email(self, sha256: str, filename: str = "message.eml") -> ImportedEmail:
        return self.parse_email(self.read(sha256), filename)

    def parse_email(self, data: bytes, filename: str) -> ImportedEmail:
        """A message's headers, text and attachments; S/MIME decrypted with the office's key when set."""
        return read_email(data, filename, self.smime_keys())

    def cases_holding(self, sha256: str) -> list[str]:
        """Diary numbers of the cases that already have these bytes attached."""
        require(self.cases.user, Permission.VIEW)
        with self.workspace.engine.connect() as connection:
            cursor = raw_cursor(connection)
            rows = cursor.execute(
                "SELECT c.diary_number FROM attachments a JOIN cases c ON c.id = a.case_id "
                "WHERE a.sha256 = ? ORDER BY c.num",
                (sha256,),
            ).fetchall()
        return [row[0] for row in rows]

    def find_case(self, text: str) -> str:
        """The id of the case meant by a diary number or a search that matches exactly one case."""
        text = text.strip()
        match = DIARY_AT_START.match(text)
        if match:
            return self.cases.get(match.group(1)).id
        if not text:
            raise DomainError(N_("Give the diary number of the case, or search for it by name."))
        rows = self.cases.rows(self.cases.query(text=text), 6)
        if len(rows) == 1:
            return rows[0].id
        if not rows:
            raise DomainError(N_("No case matches “{text}”."), text=text)
        raise DomainError(
            N_("Several cases match “{text}”: type the diary number or choose one from the list."), text=text
        )

    def suggest_cases(self, text: str, limit: int = 12) -> list[tuple[str, str]]:
        """(diary number, requester name) of the cases a search finds, for completing as the clerk types."""
        if len(text.strip()) < 2:
            return []
        return [
            (r.diary_number, r.requester_name) for r in self.cases.rows(self.cases.query(text=text), limit)
        ]

    # -- e-mail ------------------------------------------------------------------------------------
    def import_email(self, path: Path) -> EmailImport:
        """Read a saved .eml or .msg for a new request; S/MIME is decrypted with the office's key."""
        data = self.read_file(path)
        return self.import_email_bytes(data, path.name)

    def import_email_bytes(self, data: bytes, filename: str) -> EmailImport:
        name = safe_filename(filename)
        inspection = self.check(data, name)
        if inspection.media_type not in EMAIL_TYPES:
            raise DomainError(N_("The file {name} is not an e-mail message (.eml or .msg)."), name=name)
        mail = read_email(data, name, self.smime_keys())
        request = request_from_email(mail, self.cases.clock.today(), HELSINKI)
        return EmailImport(name, data, mail, request)

    def attach_email_file(self, ref: str, path: Path) -> AttachBatch:
        """A saved message onto an existing case: refused unless it is an e-mail (.eml or .msg)."""
        data = self.read_file(path)
        name = safe_filename(path.name)
        if self.check(data, name).media_type not in EMAIL_TYPES:
            raise DomainError(N_("The file {name} is not an e-mail message (.eml or .msg)."), name=name)
        return self.attach_bytes(ref, data, name, AttachmentKind.EMAIL)

    def register_from_email(self, imported: EmailImport, request: dict | None = None) -> AttachBatch:
        """A new case from a message: registered from `request` (default: the prefill), then the files."""
        state = self.cases.register(request if request is not None else imported.request)
        return self.attach_email(state.id, imported)

    # -- the scan inbox ----------------------------------------------------------------------------
    def scan_inbox(self, settle_seconds: float = 2.0) -> ScanInbox | None:
        """The scanner's folder from the settings, or None when none is set."""
        folder = (getattr(self.workspace.settings, "scan_inbox_dir", "") or "").strip()
        return ScanInbox(Path(folder), settle_seconds) if folder else None

    def file_scan(
        self, inbox: ScanInbox, name: str, ref: str, kind: AttachmentKind = AttachmentKind.SIGNED_FORM
    ) -> AttachBatch:
        """Attach a scan to a case; it leaves the inbox only once stored and its stored copy verified.

        Crash-safe by order: store (fsync) → record → verify → remove. Killed anywhere before the removal,
        the scan is still in the inbox, and filing it again stores nothing new (same content address).
        """
        data = self.read_file(inbox.path_of(name))
        batch = self.attach_bytes(ref, data, name, kind)
        problem = self.workspace.blobs.verify(batch.main.sha256)
        if problem is not None:
            raise DomainError(
                N_(
                    "The stored copy of {name} could not be verified ({problem}); the scan stays in the inbox."
                ),
                name=name,
                problem=problem,
            )
        inbox.remove(name, batch.main.sha256)
        return batch


class ScanInbox:
    """The folder the network scanner writes to. Only plain files directly in it are scans."""

    IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", "~")

    def __init__(
        self, folder: Path, settle_seconds: float = 2.0, now: Callable[[], float] = time.time
    ) -> None:
        self.folder = folder
        self.settle_seconds = settle_seconds
        self._now = now

    def scans(self) -> list[Scan]:
        """The scans waiting, oldest first."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError as error:
            raise DomainError(
                N_("The scan folder {path} cannot be read: {reason}"),
                path=str(self.folder),
                reason=error.strerror or str(error),
            ) from None
        now = self._now()
        found = []
        for entry in entries:
            name = entry.name
            if name.startswith((".", "~$")) or name.lower().endswith(self.IGNORED_SUFFIXES):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone while we looked
            if not stat.S_ISREG(info.st_mode):
                continue  # folders, links and devices are not scans
            ready = now - info.st_mtime >= self.settle_seconds and info.st_size > 0
            found.append(Scan(name, info.st_size, info.st_mtime, ready))
        return sorted(found, key=lambda s: (s.modified, s.name))

    def path_of(self, name: str) -> Path:
        """The path of a scan named in the list; anything that is not a plain file directly here is refused."""
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
            raise DomainError(N_("No scan {name} in the inbox."), name=name)
        path = self.folder / name
        try:
            info = path.lstat()
        except OSError:
            raise DomainError(N_("No scan {name} in the inbox."), name=name) from None
        if not stat.S_ISREG(info.st_mode):
            raise DomainError(N_("No scan {name} in the inbox."), name=name)
        return path

    def remove(self, name: str, sha256: str) -> bool:
        """Remove a filed scan, but only if the file still holds the bytes that were stored."""
        try:
            path = self.path_of(name)
        except DomainError:
            return False  # already gone
        digest = hashlib.sha256()
        with open(path, "rb") as source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            return False  # the scanner wrote a new file with the same name: that is a new scan
        path.unlink()
        _fsync_dir(self.folder)
        return True


def _fsync_dir(directory: Path) -> None:
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
