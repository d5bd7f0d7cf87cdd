"""The letter renderer: `LetterData` + a template → an A4 PDF in SFS 2487 layout for a window envelope.

Also the calibration page (where the window and the fold are on this printer) and the pickup receipt.
Imports `desktop.domain` only; the services build `LetterData` from a case, the catalog and the settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm

from desktop.domain.errors import N_, DomainError
from desktop.domain.model import Decision, Language, LetterKind, Requester, Right
from desktop.domain.registers import RIGHTS, Register
from desktop.printing import LETTERS_DIR
from desktop.printing.address import address_lines
from desktop.printing.layout import (
    ADDRESS_BOTTOM,
    ADDRESS_TOP,
    ADDRESS_X,
    BODY_LEADING,
    BODY_SIZE,
    BODY_WIDTH,
    BODY_X,
    FIRST_PAGE_BODY_TOP,
    FOLD_MARKS,
    FONT,
    FONT_BOLD,
    FULL_WIDTH,
    LEFT,
    TAB,
    WINDOW_H,
    WINDOW_W,
    WINDOW_X,
    WINDOW_Y,
    Box,
    Flow,
    Footer,
    Header,
    Metadata,
    Page,
    Rule,
    Text,
    address_items,
    compose,
    fold_mark_items,
    to_pdf,
    width,
    wrap_width,
)
from desktop.printing.templates import Block, BlockKind, RenderedText, labels, render

RECEIPT = "pickup_receipt"


@dataclass(frozen=True)
class Office:
    """The sender: the office's header and footer data and its markings (from the office settings)."""

    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    visiting_address: str = ""
    opening_hours: str = ""
    logo: str = ""  # path of an image file; empty for none
    registered_mail_marking: str = "KIRJATTU"
    confidentiality_marking: str = ""


@dataclass(frozen=True)
class LetterData:
    """Everything one letter says, as plain values. Dates are already written `d.M.yyyy`."""

    kind: LetterKind
    language: Language
    office: Office
    recipient: Requester
    diary_number: str
    date: str
    right: Right
    received: str
    due_date: str = ""
    registered_mail: bool = False
    confidential: bool = True
    decision: Decision | None = None
    reasons: str = ""
    legal_basis: str = ""
    transferred_to: str = ""
    extension_reason: str = ""
    clarification: str = ""
    details: str = ""
    registers: tuple[Register, ...] = ()
    enclosures: tuple[str, ...] = ()
    free_text: str = ""
    signer_name: str = ""
    signer_role: str = ""
    pickup_until: str = ""
    appointment: str = ""
    id_document: str = ""


def check_letter_data(data: LetterData) -> None:
    """The rules a letter's content must meet whatever the template says (GDPR 12(4) for a refusal)."""
    if data.kind is LetterKind.REFUSAL and (not data.reasons.strip() or not data.legal_basis.strip()):
        raise DomainError(N_("A refusal certificate needs the reasons and the legal basis of the refusal."))
    if data.kind is LetterKind.EXTENSION and (not data.extension_reason.strip() or not data.due_date):
        raise DomainError(N_("An extension notice needs the reasons for the extension and the new due date."))
    if not data.recipient.name.strip():
        raise DomainError(N_("The letter has no recipient."))


# -- template context ------------------------------------------------------------------------------------


def _register_context(register: Register, language: str) -> dict[str, Any]:
    notes = {code: register.right_note(code, language) or "" for code in RIGHTS}
    return {
        "id": register.id,
        "name": register.name.get(language),
        "controller": register.controller.name.get(language),
        "controller_address": register.controller.address,
        "controller_email": register.controller.email,
        "controller_phone": register.controller.phone,
        "contact_email": register.contact.email,
        "dpo_name": register.dpo.name,
        "dpo_email": register.dpo.email,
        "purposes": list(register.purposes.get(language)),
        "legal_basis": register.legal_basis.get(language),
        "data_content": list(register.data_content.get(language)),
        "sources": register.sources.get(language),
        "disclosures": register.disclosures.get(language),
        "retention": register.retention.get(language),
        "applicable": [
            {"code": code, "note": notes[code]}
            for code in RIGHTS
            if register.applies(code) and code != "recording"
        ],
        "not_applicable": [
            {"code": code, "note": notes[code]}
            for code in RIGHTS
            if not register.applies(code) and code != "recording" and notes[code]
        ],
        "recording_note": notes["recording"] if register.recordings else "",
    }


def _unbroken(text: str) -> str:
    """Join the groups of a phone number with no-break spaces, so that a line never splits it."""
    return "\u00a0".join(text.split())


def template_context(data: LetterData, directory: Path = LETTERS_DIR) -> dict[str, Any]:
    """The variables a letter template sees (documented in resources/letters/README.md)."""
    language = data.language.value
    texts = labels(language, directory)
    office = data.office
    registers = [_register_context(register, language) for register in data.registers]
    return {
        "lang": language,
        "kind": data.kind.value if isinstance(data.kind, LetterKind) else str(data.kind),
        "labels": texts,
        "office": {
            "name": office.name,
            "street": office.street,
            "postcode": office.postcode,
            "city": office.city,
            "phone": _unbroken(office.phone),
            "email": office.email,
            "visiting_address": office.visiting_address,
            "opening_hours": office.opening_hours,
        },
        "recipient": data.recipient.name,
        "representative": data.recipient.representative,
        "diary_number": data.diary_number,
        "date": data.date,
        "received": data.received,
        "due_date": data.due_date,
        "right": data.right.value,
        "right_name": texts["rights"][data.right.value],
        "request": texts["requests"][data.right.value],
        "decision": data.decision.value if data.decision else "",
        "reasons": data.reasons.strip(),
        "legal_basis": data.legal_basis.strip(),
        "transferred_to": data.transferred_to.strip(),
        "extension_reason": data.extension_reason.strip(),
        "clarification": data.clarification.strip(),
        "details": data.details.strip(),
        "registers": registers,
        "register_names": ", ".join(r["name"] for r in registers),
        "enclosures": list(data.enclosures),
        "free_text": data.free_text.strip(),
        "signer_name": data.signer_name,
        "signer_role": data.signer_role,
        "pickup_until": data.pickup_until,
        "appointment": data.appointment,
        "id_document": data.id_document,
        "registered_mail": data.registered_mail,
    }


# -- laying out the text ---------------------------------------------------------------------------------


def _subject(flow: Flow, subject: str) -> None:
    for text in wrap_width(subject, FULL_WIDTH, FONT_BOLD, BODY_SIZE):
        flow.line(LEFT, text, FONT_BOLD)
    flow.skip(BODY_LEADING)


def _lines(flow: Flow, x: float, lines: list[str], font: str = FONT, keep: int = 2) -> None:
    """Lines of one paragraph; at least `keep` of them stay together at a page break."""
    if len(lines) >= keep:
        flow.ensure(keep * BODY_LEADING)
    for text in lines:
        flow.line(x, text, font)


def _line_run(blocks: Sequence[Block], start: int) -> int:
    count = 0
    while start + count < len(blocks) and blocks[start + count].kind is BlockKind.LINE:
        count += 1
    return count


def _kept_together(blocks: Sequence[Block], index: int, previous: BlockKind | None) -> float:
    """Height that must stay on one page from here: a block of kept lines (an address, a signature),
    together with a one-line paragraph just before it (the complimentary close)."""
    block = blocks[index]
    if block.kind is BlockKind.LINE and previous is not BlockKind.LINE:
        return min(_line_run(blocks, index), 10) * BODY_LEADING
    if block.kind is BlockKind.PARAGRAPH and len(wrap_width(block.text, BODY_WIDTH)) == 1:
        after = index + 1
        gap = 0.0
        if after < len(blocks) and blocks[after].kind is BlockKind.SPACE:
            after, gap = after + 1, BODY_LEADING * 0.75
        run = min(_line_run(blocks, after), 10)
        if run:
            return (1 + run) * BODY_LEADING + gap
    return 0.0


def flow_blocks(flow: Flow, blocks: Sequence[Block]) -> None:
    """Place parsed template blocks: headings at 20 mm, everything else in the body column at 43 mm."""
    previous: BlockKind | None = None
    for index, block in enumerate(blocks):
        kind = block.kind
        together = _kept_together(blocks, index, previous)
        if together:
            flow.ensure(together)
        if kind is BlockKind.SPACE:
            flow.skip(BODY_LEADING * 0.75)
        elif kind is BlockKind.HEADING:
            if previous not in (None, BlockKind.SPACE):
                flow.skip(BODY_LEADING * 0.75)
            flow.ensure(3 * BODY_LEADING)  # never a heading alone at the foot of a page
            _lines(flow, LEFT, wrap_width(block.text, FULL_WIDTH, FONT_BOLD), FONT_BOLD)
            flow.skip(2)
        elif kind is BlockKind.SUBHEADING:
            if previous not in (None, BlockKind.SPACE, BlockKind.HEADING):
                flow.skip(BODY_LEADING * 0.4)
            flow.ensure(3 * BODY_LEADING)
            _lines(flow, BODY_X, wrap_width(block.text, BODY_WIDTH, FONT_BOLD), FONT_BOLD)
        elif kind is BlockKind.PARAGRAPH:
            _lines(flow, BODY_X, wrap_width(block.text, BODY_WIDTH))
        elif kind is BlockKind.BULLET:
            if previous is BlockKind.BULLET:
                flow.skip(2)
            indent = 4.5 * mm
            lines = wrap_width(block.text, BODY_WIDTH - indent)
            flow.ensure(min(len(lines), 2) * BODY_LEADING)
            for i, text in enumerate(lines):
                flow.line(BODY_X + indent, text)
                if i == 0:
                    flow.add(Text(BODY_X, flow.y, "–"))
        elif kind is BlockKind.LINE:
            if block.text:
                _lines(flow, BODY_X, wrap_width(block.text, BODY_WIDTH), keep=1)
            else:
                flow.line(BODY_X, "")
        elif kind is BlockKind.FIELD:
            label_fits = width(block.label, FONT, 10) <= TAB - 2 * mm
            lines = wrap_width(block.text, BODY_WIDTH) or [""]
            if block.label and not label_fits:
                flow.line(LEFT, block.label, FONT, 10)
                _lines(flow, BODY_X, lines)
            else:
                flow.ensure(min(len(lines), 2) * BODY_LEADING)
                for i, text in enumerate(lines):
                    flow.line(BODY_X, text)
                    if i == 0 and block.label:
                        flow.add(Text(LEFT, flow.y, block.label, FONT, 10))
        elif kind is BlockKind.SIGNATURE:
            flow.ensure(16 * mm)
            flow.skip(12 * mm)
            flow.add(Rule(BODY_X, flow.y, BODY_X + 80 * mm, flow.y, 0.6))
            flow.line(BODY_X, block.label, FONT, 8, leading=10)
            flow.skip(4 * mm)
        previous = kind


# -- the documents ---------------------------------------------------------------------------------------


def _header(data: LetterData, rendered: RenderedText, texts: dict[str, Any]) -> Header:
    office = data.office
    logo = Path(office.logo) if office.logo and Path(office.logo).is_file() else None
    return Header(
        sender=(office.name,),
        doctype=rendered.doctype,
        date=data.date,
        diary_number=data.diary_number,
        diary_label=texts["header"]["diary"],
        marking=_marking(office.confidentiality_marking, texts) if data.confidential else "",
        logo=logo,
    )


def _marking(marking: str, texts: dict[str, Any]) -> str:
    """The office's confidentiality marking; the standard Finnish one is given in the letter's language."""
    if marking.strip() == labels("fi")["header"]["confidential"]:
        return texts["header"]["confidential"]
    return marking


def office_footer(office: Office, language: str) -> Footer:
    texts = labels(language)["footer"]
    postal = [line for line in (office.street, f"{office.postcode} {office.city}".strip()) if line]
    contact = []
    if office.phone:
        contact.append(f"{texts['phone']} {office.phone}".strip())
    if office.email:
        contact.append(f"{texts['email']} {office.email}".strip())
    visiting = [f"{texts['visiting']} {office.visiting_address}".strip()] if office.visiting_address else []
    if office.opening_hours:
        visiting.append(office.opening_hours)
    return Footer(office.name, (postal, contact, visiting))


def _document(
    data: LetterData, template: str, window_address: bool, directory: Path
) -> tuple[RenderedText, list[Page]]:
    texts = labels(data.language.value, directory)
    rendered = render(template, data.language.value, template_context(data, directory), directory)
    flow = Flow(first_top=FIRST_PAGE_BODY_TOP if window_address else 40 * mm)
    _subject(flow, rendered.subject)
    flow_blocks(flow, rendered.blocks)
    extra: list[Text | Rule | Box] = [*fold_mark_items()]
    if window_address:
        address = data.recipient.address
        marking = data.office.registered_mail_marking if data.registered_mail else ""
        extra.extend(
            address_items(
                address_lines(
                    data.recipient.name,
                    address.street,
                    address.postcode,
                    address.city,
                    address.country,
                    marking,
                )
            )
        )
    pages = compose(
        flow.pages, _header(data, rendered, texts), office_footer(data.office, data.language.value), extra
    )
    return rendered, pages


def _metadata(data: LetterData, rendered: RenderedText) -> Metadata:
    return Metadata(
        title=rendered.title or rendered.doctype,
        author=data.office.name,
        subject=f"{rendered.doctype} {data.diary_number}".strip(),
        language=data.language.value,
        keywords=f"{data.diary_number} {data.kind}",
    )


def render_letter(data: LetterData, directory: Path = LETTERS_DIR) -> bytes:
    """The letter as PDF bytes (byte-stable for the same data)."""
    check_letter_data(data)
    rendered, pages = _document(data, data.kind.value, True, directory)
    logo = Path(data.office.logo) if data.office.logo and Path(data.office.logo).is_file() else None
    return to_pdf(pages, _metadata(data, rendered), logo)


def render_pickup_receipt(data: LetterData, directory: Path = LETTERS_DIR) -> bytes:
    """The receipt signed at the desk when a reply is handed over (ID document type seen, signatures)."""
    rendered, pages = _document(data, RECEIPT, False, directory)
    logo = Path(data.office.logo) if data.office.logo and Path(data.office.logo).is_file() else None
    return to_pdf(pages, _metadata(data, rendered), logo)


def render_calibration_page(
    language: str = "fi", office: Office | None = None, date: str = "", directory: Path = LETTERS_DIR
) -> bytes:
    """A test page: the envelope window, the address band, a sample address, the fold marks and a 100 mm scale."""
    texts = labels(language, directory)
    cal = texts["calibration"]
    office = office or Office(name="Kirjaamo")
    items: list[Text | Rule | Box] = []
    items.append(Box(WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H, 0.8, (4, 2)))
    items.append(Text(WINDOW_X, WINDOW_Y + WINDOW_H + 4 * mm, cal["window"], FONT, 8))
    for y in (ADDRESS_TOP, ADDRESS_BOTTOM):
        items.append(Rule(ADDRESS_X, y, WINDOW_X + WINDOW_W - 5 * mm, y, 0.3, 0.5, (1, 2)))
    items.append(Text(WINDOW_X, WINDOW_Y + WINDOW_H + 7.5 * mm, cal["band"], FONT, 8))
    items.extend(address_items(address_lines(*_sample_address(cal["sample"]))))
    for y in FOLD_MARKS:
        items.append(Rule(0, y, 12 * mm, y, 0.8))
        items.append(Rule(198 * mm, y, 210 * mm, y, 0.8))
        items.append(Text(14 * mm, y + 1 * mm, f"{cal['fold']} {y / mm:.1f} mm".replace(".", ","), FONT, 8))
    scale_y = 100 * mm
    items.append(Rule(LEFT, scale_y, LEFT + 100 * mm, scale_y, 0.8))
    for i in range(11):
        tick = 3 * mm if i % 5 == 0 else 1.5 * mm
        items.append(Rule(LEFT + i * 10 * mm, scale_y - tick, LEFT + i * 10 * mm, scale_y, 0.5))
    items.append(Text(LEFT + 102 * mm, scale_y, cal["scale"], FONT, 9))
    flow = Flow(first_top=112 * mm)
    for text in wrap_width(cal["title"], FULL_WIDTH, FONT_BOLD):
        flow.line(LEFT, text, FONT_BOLD)
    flow.skip(BODY_LEADING / 2)
    for number, instruction in enumerate(cal["instructions"], start=1):
        flow_blocks(flow, [Block(BlockKind.PARAGRAPH, f"{number}. {instruction}")])
        flow.skip(4)
    header = Header(sender=(office.name,), doctype=cal["doctype"], date=date)
    pages = compose(flow.pages, header, office_footer(office, language), items)
    metadata = Metadata(title=cal["title"], author=office.name, subject=cal["doctype"], language=language)
    return to_pdf(pages, metadata)


def _sample_address(lines: list[str]) -> tuple[str, str, str, str, str, str]:
    marking, name, street, postal = (lines + ["", "", "", ""])[:4]
    postcode, _, city = postal.partition(" ")
    return name, street, postcode, city, "", marking
