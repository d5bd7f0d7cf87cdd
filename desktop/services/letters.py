"""Letters as use cases: which letter a case needs, the letter as PDF, keeping it as evidence, the dispatch list.

The GUI ("Prepare reply"), the command line (`kirjaamo letter`, `kirjaamo dispatch-list`) and batch printing
all come through here. Rendering is pure (a preview changes nothing). What the record says must have happened:
`save_reply` (a printer took the job) stores the PDF as an attachment of kind `reply` and records
`LetterPrinted`; `keep_reply` stores it and records only `ReplyKept`; a cancelled or failed print records nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from desktop.domain.accounts import Permission
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import (
    PERSONAL_DATA_DECISIONS,
    REPLY_LETTERS,
    AttachmentKind,
    CaseState,
    Decision,
    Delivery,
    Language,
    LetterKind,
    Right,
    Status,
    is_ready_to_print,
    parse_enum,
)
from desktop.domain.workflow import Action, check
from desktop.i18n import error_text, format_date
from desktop.printing import letter as printing
from desktop.printing.dispatch_list import DispatchItem, render_dispatch_list
from desktop.printing.letter import LetterData, Office
from desktop.services import access_log, checkpoint
from desktop.services.accounts import require
from desktop.services.cases import CaseService
from desktop.services.settings import OfficeSettings
from desktop.store.database import raw_cursor

_GRANTED = (Decision.GRANTED, Decision.PARTLY_GRANTED)
_REFUSED = (Decision.REFUSED, Decision.PARTLY_GRANTED)


def missing_enclosure(state: CaseState, kind: LetterKind) -> bool:
    """The access reply says the data is enclosed: true when no extract is attached to enclose."""
    return kind is LetterKind.ACCESS_REPLY and not any(
        a.kind is AttachmentKind.EXTRACT for a in state.attachments
    )


def suggested_kind(state: CaseState) -> LetterKind:
    """The letter the case needs next, from its decision and right (before a decision: a notice)."""
    decision = state.decision
    if decision is None:
        if state.status is Status.WAITING and LetterKind.CLARIFICATION.value not in state.letters:
            return LetterKind.CLARIFICATION
        if state.extended and LetterKind.EXTENSION.value not in state.letters:
            return LetterKind.EXTENSION
        return LetterKind.ACKNOWLEDGEMENT
    if state.status is Status.AWAITING_PICKUP and LetterKind.PICKUP_NOTICE.value not in state.letters:
        return LetterKind.PICKUP_NOTICE
    if decision in _REFUSED:
        return LetterKind.REFUSAL
    if decision is Decision.NO_DATA:
        return LetterKind.NO_DATA
    if decision is Decision.GRANTED:
        return {
            Right.ACCESS: LetterKind.ACCESS_REPLY,
            Right.RECTIFICATION: LetterKind.RECTIFICATION_DONE,
            Right.RECORDING: LetterKind.RECORDING_APPOINTMENT,
        }.get(state.right, LetterKind.REPLY)
    return LetterKind.REPLY  # transferred, withdrawn


def check_letter(state: CaseState, kind: LetterKind) -> None:
    """Raise `DomainError` unless the case's workflow allows this kind of letter now."""
    if state.status is Status.PURGED:
        raise DomainError(
            N_("Case {diary} has been purged; it can no longer be changed."), diary=state.diary_number
        )
    decision = state.decision
    if (kind in REPLY_LETTERS or kind is LetterKind.PICKUP_NOTICE) and decision is None:
        raise DomainError(N_("Record the decision before printing the reply."))
    if kind is LetterKind.REFUSAL and decision not in _REFUSED:
        raise DomainError(N_("A refusal certificate needs a refusal decision."))
    if kind is LetterKind.ACCESS_REPLY:
        if decision not in _GRANTED:
            raise DomainError(N_("An access reply needs a decision that grants access."))
        if not state.registers:
            raise DomainError(
                N_("Choose the register the request concerns before printing the access reply.")
            )
    if kind is LetterKind.NO_DATA and decision is not Decision.NO_DATA:
        raise DomainError(N_("A “no data held” reply needs the decision “no data found”."))
    if kind is LetterKind.RECTIFICATION_DONE and (
        decision not in _GRANTED or state.right is not Right.RECTIFICATION
    ):
        raise DomainError(N_("A rectification notice needs a rectification request that was granted."))
    if kind is LetterKind.RECORDING_APPOINTMENT and (
        decision not in _GRANTED or state.right is not Right.RECORDING
    ):
        raise DomainError(N_("A recording appointment needs a granted request to listen to a recording."))
    if kind is LetterKind.EXTENSION and not state.extended:
        raise DomainError(N_("Record the extension and its reasons before printing the extension notice."))
    if kind is LetterKind.CLARIFICATION and not state.pauses:
        raise DomainError(
            N_("Record what the requester must clarify before printing the request for clarification.")
        )


def office_of(settings: OfficeSettings, language: Language | str = "fi") -> Office:
    """The sender block of letters from the office settings, in the letter's language."""
    lang = language.value if isinstance(language, Language) else str(language)

    def text(name: str) -> str:
        return settings.in_language(name, lang)

    return Office(
        name=text("office_name") or settings.office_prefix,
        street=text("office_street"),
        postcode=settings.office_postcode,
        city=text("office_city"),
        phone=settings.office_phone,
        email=settings.office_email,
        visiting_address=text("office_visiting_address"),
        opening_hours=text("office_opening_hours"),
        logo=settings.office_logo,
        registered_mail_marking=text("registered_mail_marking"),
        confidentiality_marking=text("confidentiality_marking"),
    )


def _language(value: Language | str | None, state: CaseState) -> Language:
    if value is None or value == "":
        return state.requester.language
    return value if isinstance(value, Language) else parse_enum(Language, value, "language")


def _kind(value: LetterKind | str) -> LetterKind:
    return value if isinstance(value, LetterKind) else parse_enum(LetterKind, value, "letter kind")


def _registered(state: CaseState, kind: LetterKind, delivery: Delivery | None) -> bool:
    """Whether the envelope goes as registered mail (the marking above the name)."""
    delivery = delivery or state.delivery
    if delivery is not None:
        return delivery is Delivery.REGISTERED_MAIL
    return kind in REPLY_LETTERS and state.decision in PERSONAL_DATA_DECISIONS


def letter_data(
    service: CaseService,
    state: CaseState,
    kind: LetterKind | str,
    language: Language | str | None = None,
    free_text: str = "",
    *,
    delivery: Delivery | None = None,
    appointment: str = "",
    pickup_until: date | None = None,
    id_document: str = "",
) -> LetterData:
    """The plain values one letter needs, from the case, the register catalog and the office settings."""
    kind = _kind(kind)
    language = _language(language, state)
    settings = service.workspace.settings
    registers = tuple(service.workspace.catalog.get(register_id) for register_id in state.registers)
    pause = state.open_pause or (state.pauses[-1] if state.pauses else None)
    extracts = tuple(a.filename for a in state.attachments if a.kind is AttachmentKind.EXTRACT)
    user = service.user
    return LetterData(
        kind=kind,
        language=language,
        office=office_of(settings, language),
        recipient=state.requester,
        diary_number=state.diary_number,
        date=format_date(service.clock.today()),
        right=state.right,
        received=format_date(state.received),
        due_date=format_date(state.due_date),
        registered_mail=_registered(state, kind, delivery),
        confidential=bool(settings.confidentiality_marking.strip()),
        decision=state.decision,
        reasons=state.decision_reasons,
        legal_basis=state.legal_basis,
        transferred_to=state.transferred_to,
        extension_reason=state.extension_reason,
        clarification=pause.what if pause else "",
        details=state.details,
        registers=registers,
        enclosures=extracts,
        free_text=free_text,
        signer_name=user.display_name or user.username,
        signer_role=user.role.value,
        pickup_until=format_date(pickup_until) if pickup_until else "",
        appointment=appointment.strip(),
        id_document=id_document.strip() or state.handed_over_id_document,
    )


def render_letter(
    service: CaseService,
    ref: str,
    kind: LetterKind | str,
    language: Language | str | None = None,
    free_text: str = "",
    *,
    delivery: Delivery | None = None,
    appointment: str = "",
    pickup_until: date | None = None,
) -> bytes:
    """The letter of case `ref` as PDF bytes, in the requester's language unless `language` is given.

    Changes nothing: use `save_reply` to keep the printed letter with the case.
    """
    state = service.get(ref)
    kind = _kind(kind)
    check_letter(state, kind)
    if kind is LetterKind.PICKUP_NOTICE and pickup_until is None:
        pickup_until = default_pickup_until(service.clock.today())
    data = letter_data(
        service,
        state,
        kind,
        language,
        free_text,
        delivery=delivery,
        appointment=appointment,
        pickup_until=pickup_until,
    )
    pdf = printing.render_letter(data)
    # A letter shows the requester's data: every rendering (preview, print, file) is in the access log.
    access_log.record(
        service.workspace,
        service.user,
        access_log.Action.PRINT,
        state.id,
        state.diary_number,
        f"letter={kind.value} lang={data.language.value}",
        at=service.clock.now(),
    )
    return pdf


def ready_to_print(service: CaseService) -> list[tuple[str, LetterKind]]:
    """Cases whose reply is decided but not printed, with the letter each needs (for batch printing).

    The same query as the Today tile (`CaseService.ready_to_print_query`): one rule, one count.
    """
    ready = []
    for row in service.rows(service.ready_to_print_query()):
        state = service.get(row.id)
        if not is_ready_to_print(state.status, state.decision):
            continue  # changed since the list was read (another desk)
        ready.append((state.diary_number, suggested_kind(state)))
    return ready


# Characters no file name may hold on Windows or Linux (and control characters), as one class.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_part(text: str) -> str:
    """`text` usable in a file name on Windows and Linux: `KEHA/1155/2026` → `KEHA-1155-2026`."""
    return _UNSAFE.sub("-", text).strip(" .") or "letter"


def letter_filename(state: CaseState, kind: LetterKind | str, language: Language | str) -> str:
    """`access_reply_fi_KEHA-1155-2026.pdf`: the attachment's name, safe on every file system."""
    kind_value = _kind(kind).value
    lang = language.value if isinstance(language, Language) else str(language)
    return f"{kind_value}_{lang}_{safe_file_part(state.diary_number)}.pdf"


def print_file_name(diary_number: str, kind: LetterKind | str) -> str:
    """The default name when a letter is printed to a file: `KEHA-1155-2026_access_reply.pdf`."""
    return f"{safe_file_part(diary_number)}_{_kind(kind).value}.pdf"


def save_reply(
    service: CaseService,
    ref: str,
    kind: LetterKind | str,
    pdf_bytes: bytes,
    language: Language | str | None = None,
    filename: str = "",
) -> CaseState:
    """Keep the printed letter as an attachment of kind `reply` and record `LetterPrinted` with its SHA-256."""
    state = service.get(ref)
    kind = _kind(kind)
    lang = _language(language, state)
    if not pdf_bytes.startswith(b"%PDF"):
        raise DomainError(N_("The letter to be saved is not a PDF document."))
    check_letter(state, kind)
    # The workflow is checked before the bytes are stored, so a refused save leaves nothing behind.
    if kind in REPLY_LETTERS:
        check(state, Action.PRINT_REPLY, service.clock.today(), kind=kind)
    else:
        check(state, Action.ATTACH, service.clock.today())
    result = service.attach_bytes(
        ref, pdf_bytes, filename or letter_filename(state, kind, lang), AttachmentKind.REPLY
    )
    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    assert sha256 == result.sha256
    return service.mark_letter_printed(ref, kind, lang, sha256)


def keep_reply(
    service: CaseService,
    ref: str,
    kind: LetterKind | str,
    pdf_bytes: bytes,
    language: Language | str | None = None,
) -> CaseState:
    """ "Save without printing": the letter is kept as an attachment of kind `reply` and `ReplyKept` recorded.

    Nothing says it was printed: the case stays ready to print until a printer takes the letter.
    """
    state = service.get(ref)
    kind = _kind(kind)
    lang = _language(language, state)
    if not pdf_bytes.startswith(b"%PDF"):
        raise DomainError(N_("The letter to be saved is not a PDF document."))
    check_letter(state, kind)
    check(state, Action.ATTACH, service.clock.today())
    service.attach_bytes(ref, pdf_bytes, letter_filename(state, kind, lang), AttachmentKind.REPLY)
    return service.mark_reply_kept(ref, kind, lang)


@dataclass(frozen=True)
class ReadyLetter:
    """One reply of a batch, rendered and waiting for the printer."""

    case_id: str
    diary_number: str
    kind: LetterKind
    language: Language
    pdf: bytes


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch print recorded: the letters printed, and those that were not (with the reason)."""

    printed: tuple[str, ...] = ()  # case ids with LetterPrinted recorded
    not_printed: tuple[tuple[str, str], ...] = ()  # (diary number, reason in words)

    @property
    def diaries_not_printed(self) -> tuple[str, ...]:
        return tuple(diary for diary, _reason in self.not_printed)


def ready_replies(service: CaseService) -> list[ReadyLetter]:
    """Every reply ready to print (the one rule), rendered in the requester's language, nothing recorded yet."""
    letters = []
    for diary, kind in ready_to_print(service):
        state = service.get(diary)
        pdf = render_letter(service, state.id, kind)
        letters.append(ReadyLetter(state.id, state.diary_number, kind, state.requester.language, pdf))
    return letters


def record_batch(
    service: CaseService, letters: Sequence[ReadyLetter], printed: Sequence[bool], failure: str = ""
) -> BatchOutcome:
    """After the printer answered: `LetterPrinted` for exactly the letters it took, nothing for the others.

    `printed[i]` says whether letter i went to a printer whose job was accepted; `failure` is the reason
    shown for those that did not. A letter the case no longer allows (changed meanwhile) is reported, not lost.
    """
    if len(printed) != len(letters):
        raise DomainError(N_("The printer's answer does not match the letters sent."))
    done: list[str] = []
    missed: list[tuple[str, str]] = []
    for letter, ok in zip(letters, printed, strict=True):
        if not ok:
            missed.append((letter.diary_number, failure))
            continue
        try:
            save_reply(service, letter.case_id, letter.kind, letter.pdf, letter.language)
        except DomainError as error:
            missed.append((letter.diary_number, error_text(error)))
            continue
        done.append(letter.case_id)
    return BatchOutcome(tuple(done), tuple(missed))


def pickup_receipt_pdf(
    service: CaseService, ref: str, id_document: str = "", language: Language | str | None = None
) -> bytes:
    """The receipt signed at the desk when the reply is handed over (the ID document type seen, signatures)."""
    state = service.get(ref)
    if state.decision is None:
        raise DomainError(N_("Record the decision before printing the reply."))
    data = letter_data(service, state, LetterKind.REPLY, language, id_document=id_document)
    if not data.id_document:
        raise DomainError(N_("Record which ID document was seen before handing over the reply."))
    replies = tuple(
        a.filename for a in state.attachments if a.kind in (AttachmentKind.REPLY, AttachmentKind.EXTRACT)
    )
    return printing.render_pickup_receipt(replace(data, enclosures=replies))


def _dispatched_case_ids(service: CaseService, day: date) -> list[str]:
    """Ids of cases with a registered-mail dispatch recorded on `day` (read from the event log)."""
    with service.workspace.engine.connect() as connection:
        cursor = raw_cursor(connection)
        rows = cursor.execute(
            "SELECT DISTINCT case_id FROM events WHERE type = 'Dispatched' "
            "AND json_extract(payload, '$.on') = ? AND json_extract(payload, '$.delivery') = ?",
            (day.isoformat(), Delivery.REGISTERED_MAIL.value),
        ).fetchall()
    return [row[0] for row in rows]


def _diary_key(diary_number: str) -> tuple:
    parts = diary_number.split("/")
    try:
        return (parts[0], int(parts[-1]), int(parts[1].lstrip("P")), diary_number)
    except (IndexError, ValueError):
        return (diary_number, 0, 0, diary_number)


def dispatch_items(service: CaseService, day: date) -> list[DispatchItem]:
    """The registered letters dispatched on `day`, by diary number."""
    require(service.user, Permission.VIEW)
    items = []
    for case_id in _dispatched_case_ids(service, day):
        state = service.get(case_id)
        if state.status is Status.PURGED or state.delivery is not Delivery.REGISTERED_MAIL:
            continue
        if state.dispatched_on != day:
            continue
        replies = [k for k in state.letters if LetterKind(k) in REPLY_LETTERS]
        kind = replies[-1] if replies else (state.letters[-1] if state.letters else "")
        items.append(
            DispatchItem(
                diary_number=state.diary_number,
                recipient=state.requester.name,
                postcode=state.requester.address.postcode,
                tracking_number=state.tracking_number,
                kind=kind,
            )
        )
    return sorted(items, key=lambda item: _diary_key(item.diary_number))


def dispatch_list_pdf(
    service: CaseService,
    day: date | None = None,
    language: str | None = None,
    items: list[DispatchItem] | None = None,
) -> bytes:
    """The day's registered-mail dispatch list (today by default) for the Posti counter."""
    day = day or service.clock.today()
    settings = service.workspace.settings
    if items is None:
        items = dispatch_items(service, day)
    anchor = checkpoint.current(service.workspace).text  # the access log as it is, on paper
    pdf = render_dispatch_list(
        office_of(settings, language or settings.ui_language),
        format_date(day),
        items,
        language or settings.ui_language,
        checkpoint=anchor,
    )
    access_log.record(
        service.workspace,
        service.user,
        access_log.Action.PRINT,
        detail=f"dispatch_list={day.isoformat()} letters={len(items)}",
        at=service.clock.now(),
    )
    return pdf


def render_calibration_page(service: CaseService | None = None, language: str | None = None) -> bytes:
    """The printer calibration page (window outline, address band, fold marks, a 100 mm scale)."""
    if service is None:
        return printing.render_calibration_page(language or "fi")
    settings = service.workspace.settings
    return printing.render_calibration_page(
        language or settings.ui_language,
        office_of(settings, language or settings.ui_language),
        format_date(service.clock.today()),
    )


def default_pickup_until(today: date, days: int = 14) -> date:
    """How long a reply waits at the desk by default: two weeks, like a registered letter at Posti."""
    return today + timedelta(days=days)


__all__ = [
    "BatchOutcome",
    "ReadyLetter",
    "check_letter",
    "dispatch_items",
    "dispatch_list_pdf",
    "keep_reply",
    "letter_data",
    "letter_filename",
    "office_of",
    "pickup_receipt_pdf",
    "print_file_name",
    "ready_replies",
    "ready_to_print",
    "record_batch",
    "render_calibration_page",
    "render_letter",
    "safe_file_part",
    "save_reply",
    "suggested_kind",
]
