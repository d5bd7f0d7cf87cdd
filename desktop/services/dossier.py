"""The case dossier for the Data Protection Ombudsman: one case, everything the office did, in one PDF/A.

What the request was and how it arrived, the timeline in words, every due date with its counting spelled
out (by the domain's own deadline rule), the identity check, the decision and its legal basis, every
letter as sent (embedded, with its SHA-256), dispatch and handover, the evidence files (embedded when
asked), and the access-log entries of the case with their hash-chain anchors. Nothing about anyone else:
only this case's events, files and log entries are read.

A manifest (JSON, embedded as `dossier-manifest.json`) lists the hashes the dossier stands on, so that
`verify_dossier` can check a dossier file against the register later. Exporting is for reviewers and
administrators and is written to the access log before anything is rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from desktop.domain.accounts import Permission
from desktop.domain.deadlines import DueDateSteps, WorkCalendar, due_date_steps
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import Event, EventType
from desktop.domain.identifiers import mask_hetu
from desktop.domain.model import AttachmentKind, CaseState
from desktop.i18n import LANGUAGES, format_date
from desktop.printing.dossier import DossierDocument, Fields, Grid, Heading, Text, render_dossier
from desktop.printing.pdfa import EmbeddedFile, PdfaMetadata, embedded_files
from desktop.services import access_log
from desktop.services.access_log import AccessEntry
from desktop.services.accounts import require
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI
from desktop.services.timeline import Translate, event_sentence, translator, word
from desktop.services.words import (
    ACCESS_ACTIONS,
    ATTACHMENT_KINDS,
    CHANNELS,
    DECISIONS,
    DELIVERIES,
    IDENTITY_METHODS,
    LETTER_KINDS,
    RIGHTS,
    ROLES,
    STATUSES,
)
from desktop.services.words import (
    LANGUAGES as LANGUAGE_WORDS,
)
from desktop.store.database import raw_cursor

MANIFEST_NAME = "dossier-manifest.json"
MANIFEST_FORMAT = "kirjaamo-dossier/1"
HOLIDAY_LANGUAGE = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}
_COLUMNS = "seq, at, username, role, device_id, action, case_id, diary_number, detail, prev_hash, hash"


# -- what the dossier stands on ------------------------------------------------------------------------------


def event_digest(event: Event) -> str:
    """SHA-256 of an event's canonical form (id, type, actor, time, payload): what the dossier records."""
    canonical = json.dumps(
        [event.id, event.type.value, event.actor, event.at.isoformat(), event.payload],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _case_log(service: CaseService, state: CaseState) -> tuple[list[AccessEntry], AccessEntry | None]:
    """The access-log entries of this case (by id, or by diary number before the id was logged), and the
    newest entry of the whole log: the chain head the dossier is anchored to."""
    with service.workspace.engine.connect() as connection:
        cursor = raw_cursor(connection)
        numbers = {state.diary_number, state.provisional_diary_number} - {""}
        marks = ", ".join("?" for _ in numbers)
        rows = cursor.execute(
            f"SELECT {_COLUMNS} FROM access_log WHERE case_id = ? OR diary_number IN ({marks}) ORDER BY seq",
            (state.id, *sorted(numbers)),
        ).fetchall()
        head = cursor.execute(f"SELECT {_COLUMNS} FROM access_log ORDER BY seq DESC LIMIT 1").fetchone()
    return [AccessEntry(*row) for row in rows], (AccessEntry(*head) if head else None)


# -- words -----------------------------------------------------------------------------------------------------


def _when(moment: datetime) -> str:
    local = moment.astimezone(HELSINKI)
    return f"{format_date(local.date())} {local:%H:%M}"


def _day_month(d: date) -> str:
    return f"{d.day}.{d.month}."


def explain_steps(steps: DueDateSteps, tr: Translate, start_word: str) -> str:
    """'Received 31.1.2026 → one month → 28.2.2026 (…) → 28.2.2026 is a Saturday → due 2.3.2026'."""
    parts = [
        tr("{what} {date} (that day does not count)").format(what=start_word, date=format_date(steps.start))
    ]
    period = tr("one month") if steps.months == 1 else tr("three months")
    end = format_date(steps.period_end)
    if steps.month_shortened:
        end += " " + tr("({day} does not exist in that month: its last day)").format(
            day=f"{steps.start.day}.{steps.period_end.month}."
        )
    parts.append(f"{period} → {end}")
    for skipped in steps.skipped:
        if skipped.why == "saturday":
            reason = tr("{date} is a Saturday")
        elif skipped.why == "sunday":
            reason = tr("{date} is a Sunday")
        elif skipped.why == "holiday":
            reason = tr("{date} is a public holiday ({name})")
        else:
            reason = tr("{date} is an office closing day")
        parts.append(reason.format(date=_day_month(skipped.day), name=skipped.holiday))
    parts.append(tr("due {date}").format(date=format_date(steps.due)))
    return " → ".join(parts)


@dataclass(frozen=True)
class DueDateLine:
    """One due date the case had: when and why it was set, the counting, and whether it matches."""

    set_on: datetime
    reason: str
    steps: DueDateSteps
    recorded: date  # the date the event stored (what the clerk saw)

    @property
    def matches(self) -> bool:
        return self.steps.due == self.recorded


def due_date_lines(events: list[Event], calendar: WorkCalendar) -> list[DueDateLine]:
    """Every due date in the case's log, counted again by the domain's deadline rule."""
    lines: list[DueDateLine] = []
    extended = False
    period_start: date | None = None
    received: date | None = None
    for event in events:
        p = event.payload
        if event.type is EventType.CASE_REGISTERED:
            received = period_start = date.fromisoformat(p["received"])
            lines.append(
                DueDateLine(
                    event.at, "received", due_date_steps(received, calendar=calendar), _d(p["due_date"])
                )
            )
        elif event.type is EventType.CLARIFICATION_RECEIVED:
            period_start = date.fromisoformat(p["on"])
            steps = due_date_steps(period_start, extended=extended, calendar=calendar)
            lines.append(DueDateLine(event.at, "clarification_received", steps, _d(p["due_date"])))
        elif event.type is EventType.DEADLINE_EXTENDED:
            extended = True
            assert period_start is not None
            steps = due_date_steps(period_start, extended=True, calendar=calendar)
            lines.append(DueDateLine(event.at, "extended", steps, _d(p["due_date"])))
        elif event.type is EventType.FIELDS_CORRECTED and "due_date" in p:
            new = p.get("changes", {}).get("received", {}).get("new")
            received = period_start = date.fromisoformat(new) if new else received
            assert period_start is not None
            steps = due_date_steps(period_start, extended=extended, calendar=calendar)
            lines.append(DueDateLine(event.at, "corrected", steps, _d(p["due_date"])))
    return lines


def _d(value: str) -> date:
    return date.fromisoformat(value)


# -- the document ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    state: CaseState
    events: list[Event]
    log: list[AccessEntry]
    head: AccessEntry | None
    letters: list[tuple[Event, bytes | None]]  # LetterPrinted events and the letter's bytes
    evidence: list[tuple[object, bytes | None]]


def _document(
    service: CaseService, parts: _Parts, language: str, include_files: bool, now: datetime
) -> bytes:
    tr = translator(language)
    state, events = parts.state, parts.events
    settings = service.workspace.settings
    office = settings.office_name or settings.office_prefix
    blocks: list = []

    # 1. The case in short.
    registers = ", ".join(_register_name(service, r, language) for r in state.registers) or "–"
    address = state.requester.address
    postal = ", ".join(
        x for x in (address.street, f"{address.postcode} {address.city}".strip(), address.country) if x
    )
    blocks += [
        Heading(tr("The case in short")),
        Fields(
            (
                (tr("Diary number"), state.diary_number),
                (tr("Right"), word(RIGHTS, state.right, tr)),
                (tr("Channel"), word(CHANNELS, state.channel, tr)),
                (tr("Received"), format_date(state.received)),
                (tr("Registers"), registers),
                (tr("Signed"), tr("yes") if state.signed else tr("no")),
                (tr("Status"), word(STATUSES, state.status, tr)),
                (tr("Requester"), state.requester.name or "–"),
                (tr("Personal identity code"), mask_hetu(state.requester.hetu) or "–"),
                (tr("Address"), postal or "–"),
                (tr("Language"), word(LANGUAGE_WORDS, state.requester.language, tr)),
                (tr("Details of the request"), state.details or "–"),
                (tr("Dossier made"), f"{_when(now)} – {service.user.display_name or service.user.username}"),
            )
        ),
    ]

    # 2. Due dates, each counted again by the domain's rule.
    blocks.append(Heading(tr("Due dates and how they were counted")))
    start_words = {
        "received": tr("Received"),
        "clarification_received": tr("Clarification arrived"),
        "extended": tr("Period start"),
        "corrected": tr("Received (corrected)"),
    }
    reasons = {
        "received": tr("On registration"),
        "clarification_received": tr("Clock restarted after the clarification"),
        "extended": tr("Extended by two months (GDPR 12(3))"),
        "corrected": tr("Received date corrected"),
    }
    calendar = WorkCalendar(service.workspace.calendar.closing_days, language=HOLIDAY_LANGUAGE[language])
    rows = []
    for line in due_date_lines(events, calendar):
        text = explain_steps(line.steps, tr, start_words[line.reason])
        if not line.matches:
            text += " " + tr("(the case recorded {recorded}; the calendar has changed since)").format(
                recorded=format_date(line.recorded)
            )
        rows.append((_when(line.set_on), reasons[line.reason], text))
    blocks.append(Grid((tr("Set"), tr("Why"), tr("Counting")), tuple(rows), (0.16, 0.24, 0.60), small=False))
    for pause in state.pauses:
        if pause.ended:
            text = tr("Clock stopped {start}–{end}: {what}").format(
                start=format_date(pause.started), end=format_date(pause.ended), what=pause.what
            )
        else:
            text = tr("Clock stopped since {start}: {what}").format(
                start=format_date(pause.started), what=pause.what
            )
        blocks.append(Text(text))
    extension = next((e for e in events if e.type is EventType.DEADLINE_EXTENDED), None)
    if extension is not None:
        notices = [
            e for e in events if e.type is EventType.LETTER_PRINTED and e.payload["kind"] == "extension"
        ]
        text = tr("Extended on {date} by {who}: {reason}.").format(
            date=_when(extension.at),
            who=extension.actor,
            reason=extension.payload.get("reason", "").rstrip("."),
        )
        if notices:
            notice_day = notices[0].at.astimezone(HELSINKI).date()
            text += " " + tr(
                "The extension notice was printed on {date}; the one-month due date was {due} ({verdict})."
            ).format(
                date=_when(notices[0].at),
                due=format_date(state.one_month_due),
                verdict=tr("in time") if notice_day <= state.one_month_due else tr("late"),
            )
        else:
            text += " " + tr("No extension notice is recorded.")
        blocks.append(Text(text))
    blocks.append(Text(tr("Current due date: {due}").format(due=format_date(state.due_date))))

    # 3. Identity and decision.
    blocks.append(Heading(tr("Identity check")))
    if state.identity is not None:
        identity = state.identity
        blocks.append(
            Fields(
                (
                    (tr("Method"), word(IDENTITY_METHODS, identity.method, tr)),
                    (tr("Document seen"), identity.document or "–"),
                    (tr("Checked by"), identity.verified_by),
                    (tr("Checked on"), _when(identity.verified_at)),
                )
            )
        )
    else:
        blocks.append(Text(tr("No identity check is recorded.")))
    blocks.append(Heading(tr("Decision")))
    decision_event = next((e for e in reversed(events) if e.type is EventType.DECISION_RECORDED), None)
    if state.decision is not None and decision_event is not None:
        rows2 = [
            (tr("Decision"), word(DECISIONS, state.decision, tr)),
            (tr("Legal basis"), state.legal_basis or "–"),
            (tr("Reasons"), state.decision_reasons or "–"),
            (tr("Recorded"), f"{_when(decision_event.at)} – {decision_event.actor}"),
        ]
        if state.transferred_to:
            rows2.append((tr("Transferred to"), state.transferred_to))
        blocks.append(Fields(tuple(rows2)))
    else:
        blocks.append(Text(tr("No decision is recorded.")))

    # 4. Letters as sent, dispatch and delivery.
    blocks.append(Heading(tr("Letters as sent")))
    letter_rows = []
    for event, data in parts.letters:
        p = event.payload
        letter_rows.append(
            (
                _when(event.at),
                event.actor,
                word(LETTER_KINDS, p["kind"], tr),
                word(LANGUAGE_WORDS, p.get("language", ""), tr),
                _letter_name(state, p.get("sha256", "")) if p.get("sha256") else "–",
                p.get("sha256", "") or tr("not kept"),
                tr("embedded") if data is not None else "–",
            )
        )
    if letter_rows:
        blocks.append(
            Grid(
                (
                    tr("Printed"),
                    tr("By"),
                    tr("Letter"),
                    tr("Language"),
                    tr("File"),
                    "SHA-256",
                    tr("In this PDF"),
                ),
                tuple(letter_rows),
                (0.12, 0.09, 0.15, 0.09, 0.17, 0.28, 0.10),
            )
        )
    else:
        blocks.append(Text(tr("No letter is recorded.")))
    blocks.append(Heading(tr("Dispatch and delivery")))
    delivery_rows = []
    for event in events:
        p = event.payload
        if event.type is EventType.DISPATCHED:
            what = word(DELIVERIES, p["delivery"], tr)
            if p.get("tracking_number"):
                what += " – " + tr("tracking number {number}").format(number=p["tracking_number"])
            delivery_rows.append((_when(event.at), event.actor, what))
        elif event.type is EventType.HANDED_OVER:
            delivery_rows.append(
                (
                    _when(event.at),
                    event.actor,
                    tr("Handed over at the desk; ID document seen: {document}").format(
                        document=p.get("id_document", "")
                    ),
                )
            )
    if delivery_rows:
        blocks.append(
            Grid((tr("When"), tr("Who"), tr("What")), tuple(delivery_rows), (0.16, 0.12, 0.72), small=False)
        )
    else:
        blocks.append(Text(tr("No dispatch or handover is recorded.")))
    blocks.append(
        Text(
            tr(
                "Kirjaamo records the dispatch (with the registered-mail tracking number) and handovers at the desk; "
                "Posti's delivery outcome is not recorded in the register."
            ),
            small=True,
        )
    )

    # 5. Evidence files.
    blocks.append(Heading(tr("Evidence files")))
    evidence_rows = []
    for attachment, data in parts.evidence:
        evidence_rows.append(
            (
                _when(attachment.added_at),
                attachment.added_by,
                word(ATTACHMENT_KINDS, attachment.kind, tr),
                attachment.filename,
                str(attachment.size),
                attachment.sha256,
                tr("embedded") if data is not None else tr("listed only"),
            )
        )
    if evidence_rows:
        blocks.append(
            Grid(
                (tr("Added"), tr("By"), tr("Kind"), tr("File"), tr("Bytes"), "SHA-256", tr("In this PDF")),
                tuple(evidence_rows),
                (0.12, 0.09, 0.13, 0.18, 0.08, 0.29, 0.11),
            )
        )
    else:
        blocks.append(Text(tr("No evidence files are attached.")))

    # 6. The timeline in words.
    blocks.append(Heading(tr("Timeline")))
    blocks.append(
        Grid(
            (tr("When"), tr("Who"), tr("What")),
            tuple((_when(e.at), e.actor, event_sentence(e, tr)) for e in events),
            (0.16, 0.12, 0.72),
            small=False,
        )
    )

    # 7. The access log of the case and its anchors.
    blocks.append(Heading(tr("Who saw the case (access log)")))
    log_rows = tuple(
        (
            str(entry.seq),
            _when(entry.when),
            f"{entry.username} ({word(ROLES, entry.role, tr)})",
            word(ACCESS_ACTIONS, entry.action, tr),
            entry.detail,
            f"{entry.prev_hash}\n→ {entry.hash}",
        )
        for entry in parts.log
    )
    blocks.append(
        Grid(
            ("#", tr("When"), tr("Who"), tr("What"), tr("Detail"), tr("Previous hash → entry hash")),
            log_rows,
            (0.06, 0.12, 0.14, 0.13, 0.17, 0.38),
        )
    )
    if parts.head is not None:
        blocks.append(
            Text(
                tr("Chain head when this dossier was made: entry {seq}, hash {hash}.").format(
                    seq=parts.head.seq, hash=parts.head.hash
                )
            )
        )
    blocks.append(
        Text(
            tr(
                "Each entry's hash is SHA-256 over the previous entry's hash, a line feed, and the JSON array "
                "[seq, time, user, role, device, action, case id, diary number, detail] written without spaces; "
                "anyone holding the office's access log can recompute the chain and find these entries in it."
            ),
            small=True,
        )
    )

    # The embedded files, and the manifest that names every hash.
    files: list[EmbeddedFile] = []
    for event, data in parts.letters:
        if data is not None:
            files.append(
                EmbeddedFile(
                    _letter_name(state, event.payload["sha256"]),
                    data,
                    "application/pdf",
                    f"{word(LETTER_KINDS, event.payload['kind'], tr)} – SHA-256 {event.payload['sha256']}",
                    "Source",
                )
            )
    for attachment, data in parts.evidence:
        if data is not None:
            files.append(
                EmbeddedFile(
                    f"evidence-{attachment.sha256[:12]}-{attachment.filename}",
                    data,
                    attachment.media_type,
                    f"{word(ATTACHMENT_KINDS, attachment.kind, tr)} – SHA-256 {attachment.sha256}",
                    "Supplement",
                )
            )
    manifest = _manifest(parts, now, language, include_files, files)
    files.append(
        EmbeddedFile(
            MANIFEST_NAME,
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode(),
            "application/json",
            tr("The hashes this dossier stands on (for `kirjaamo dossier verify`)"),
            "Data",
        )
    )
    title = tr("Case dossier {diary}").format(diary=state.diary_number)
    document = DossierDocument(
        title=title,
        office=tr("{office} – for the Data Protection Ombudsman").format(office=office),
        diary_number=state.diary_number,
        running_head=f"{office} · {title}",
        page_word=tr("page"),
        blocks=tuple(blocks),
        metadata=PdfaMetadata(
            title=title,
            author=office,
            subject=tr("A data-subject request and how it was handled"),
            language={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[language],
            created=now,
        ),
        files=tuple(files),
    )
    return render_dossier(document)


def _letter_name(state: CaseState, sha256: str) -> str:
    for attachment in state.attachments:
        if attachment.sha256 == sha256:
            return f"letter-{sha256[:12]}-{attachment.filename}"
    return f"letter-{sha256[:12]}.pdf"


def _register_name(service: CaseService, register_id: str, language: str) -> str:
    try:
        return service.workspace.catalog.get(register_id).name.get(language)
    except DomainError:
        return register_id


def _manifest(
    parts: _Parts, now: datetime, language: str, include_files: bool, files: list[EmbeddedFile]
) -> dict:
    state = parts.state
    return {
        "format": MANIFEST_FORMAT,
        "case_id": state.id,
        "diary_number": state.diary_number,
        "made_at": now.isoformat(),
        "language": language,
        "files_included": include_files,
        "events": [{"id": e.id, "type": e.type.value, "sha256": event_digest(e)} for e in parts.events],
        "letters": [
            {"kind": e.payload["kind"], "sha256": e.payload.get("sha256", ""), "embedded": data is not None}
            for e, data in parts.letters
        ],
        "evidence": [
            {"filename": a.filename, "sha256": a.sha256, "embedded": data is not None}
            for a, data in parts.evidence
        ],
        "embedded": {f.name: hashlib.sha256(f.data).hexdigest() for f in files},
        "access_log": [{"seq": e.seq, "hash": e.hash, "prev_hash": e.prev_hash} for e in parts.log],
        "chain_head": {"seq": parts.head.seq, "hash": parts.head.hash} if parts.head else None,
    }


# -- the use cases ---------------------------------------------------------------------------------------------


def _language(value: str | None, state: CaseState) -> str:
    if not value:
        return state.requester.language.value
    value = value.strip().lower()
    if value not in LANGUAGES:
        raise DomainError(
            N_("Unknown {what} “{value}”; allowed: {allowed}"),
            what="language",
            value=value,
            allowed="fi, sv, en",
        )
    return value


def build_dossier(
    service: CaseService, ref: str, language: str | None = None, include_files: bool = False
) -> bytes:
    """The dossier of case `ref` as PDF/A bytes. Reviewers and administrators; logged before it is made."""
    require(service.user, Permission.DOSSIER)
    state, events = _load(service, ref)
    if state.status.value == "purged":
        raise DomainError(
            N_("Case {diary} has been purged; it can no longer be changed."), diary=state.diary_number
        )
    lang = _language(language, state)
    now = service.clock.now()
    # Logged first: the export's own entry is the newest anchor the dossier shows.
    access_log.record(
        service.workspace,
        service.user,
        access_log.Action.EXPORT,
        state.id,
        state.diary_number,
        f"dossier lang={lang} files={'yes' if include_files else 'no'}",
        at=now,
    )
    log, head = _case_log(service, state)
    blobs = service.workspace.blobs
    letters = []
    for event in events:
        if event.type is EventType.LETTER_PRINTED:
            sha = event.payload.get("sha256", "")
            letters.append((event, _read(blobs, sha, state) if sha else None))
    evidence = [
        (a, _read(blobs, a.sha256, state) if include_files else None)
        for a in state.attachments
        if a.kind is not AttachmentKind.REPLY
    ]
    parts = _Parts(state, events, log, head, letters, evidence)
    return _document(service, parts, lang, include_files, now)


def _read(blobs, sha256: str, state: CaseState) -> bytes:
    if not blobs.exists(sha256):
        raise DomainError(
            N_("The file {sha} of case {diary} is not on this desk; synchronise first."),
            sha=sha256[:12],
            diary=state.diary_number,
        )
    return blobs.read(sha256)


def _load(service: CaseService, ref: str) -> tuple[CaseState, list[Event]]:
    from desktop.domain.events import fold

    events = service.timeline(ref)
    return fold(events), events


def write_dossier(
    service: CaseService, ref: str, path: Path, language: str | None = None, include_files: bool = False
) -> Path:
    """Make the dossier and write it to `path` whole or not at all."""
    path = Path(path)
    if not path.parent.is_dir():
        raise DomainError(N_("The folder {folder} does not exist."), folder=str(path.parent))
    pdf = build_dossier(service, ref, language, include_files)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pdf)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise DomainError(
            N_("Cannot write {file}: {reason}"), file=str(path), reason=error.strerror or str(error)
        ) from None
    return path


# -- checking a dossier against the register --------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    what: str  # "file", "letter", "evidence", "event", "access_log", "manifest"
    subject: str
    detail: str


def verify_dossier(service: CaseService, path: Path) -> list[Difference]:
    """What differs between a dossier file and the register (empty: it matches)."""
    require(service.user, Permission.DOSSIER)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DomainError(
            N_("Cannot read {name}: {reason}"), name=str(path), reason=error.strerror or str(error)
        ) from None
    try:
        files = embedded_files(data)
        manifest = json.loads(files[MANIFEST_NAME])
        if manifest.get("format") != MANIFEST_FORMAT:
            raise ValueError(manifest.get("format"))
    except Exception:  # noqa: BLE001 - any unreadable file is "not a dossier", said once
        raise DomainError(N_("{name} is not a Kirjaamo case dossier."), name=Path(path).name) from None

    state, events = _load(service, manifest["case_id"])
    access_log.record(
        service.workspace,
        service.user,
        access_log.Action.VIEW,
        state.id,
        state.diary_number,
        f"dossier verify file={Path(path).name}",
        at=service.clock.now(),
    )
    differences: list[Difference] = []
    listed = manifest.get("embedded", {})
    attached = {a.sha256 for a in state.attachments}
    for name, content in files.items():
        if name == MANIFEST_NAME:
            continue
        actual = hashlib.sha256(content).hexdigest()
        if listed.get(name) != actual:
            differences.append(
                Difference(
                    "file", name, f"sha256 {actual} but the dossier lists {listed.get(name) or 'nothing'}"
                )
            )
        if actual not in attached:
            differences.append(
                Difference("file", name, f"sha256 {actual} is not a file of {state.diary_number}")
            )
    for name in set(listed) - set(files):
        differences.append(Difference("file", name, "listed in the dossier but not embedded"))
    for item in manifest.get("letters", []) + manifest.get("evidence", []):
        if item.get("sha256") and item["sha256"] not in attached:
            differences.append(
                Difference("file", item["sha256"], f"not a file of {state.diary_number} in the register")
            )

    digests = {e.id: event_digest(e) for e in events}
    for item in manifest.get("events", []):
        if item["id"] not in digests:
            differences.append(Difference("event", item["id"], "not in the register"))
        elif digests[item["id"]] != item["sha256"]:
            differences.append(Difference("event", item["id"], f"{item['type']} differs from the register"))
    if (
        manifest.get("diary_number") != state.diary_number
        and manifest.get("diary_number") != state.provisional_diary_number
    ):
        differences.append(
            Difference(
                "manifest", manifest.get("diary_number", ""), f"the register says {state.diary_number}"
            )
        )

    with service.workspace.engine.connect() as connection:
        cursor = raw_cursor(connection)
        anchors = list(manifest.get("access_log", []))
        if manifest.get("chain_head"):
            anchors.append(manifest["chain_head"])
        for anchor in anchors:
            row = cursor.execute("SELECT hash FROM access_log WHERE seq = ?", (anchor["seq"],)).fetchone()
            if row is None:
                differences.append(
                    Difference("access_log", str(anchor["seq"]), "entry missing from the register")
                )
            elif row[0] != anchor["hash"]:
                differences.append(
                    Difference("access_log", str(anchor["seq"]), f"register hash {row[0]} differs")
                )
        chain = access_log.verify_chain(connection)
    if chain.broken is not None:
        differences.append(
            Difference("access_log", str(chain.broken.seq), f"the register's chain is broken: {chain.reason}")
        )
    return differences


__all__ = [
    "MANIFEST_NAME",
    "Difference",
    "DueDateLine",
    "build_dossier",
    "due_date_lines",
    "event_digest",
    "explain_steps",
    "verify_dossier",
    "write_dossier",
]
