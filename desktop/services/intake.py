"""Turning what the clerk (or a JSON file) gives into a valid `NewRequest`, with one clear message when not."""

from __future__ import annotations

import json
from collections.abc import Iterable

from desktop.domain import identifiers
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import Address, Channel, Language, NewRequest, Requester, Right, parse_enum
from desktop.domain.registers import RegisterCatalog
from desktop.domain.text import check_text
from desktop.services.transitions import Context, parse_received

MAX_TEXT = 20_000
# A received date further back than this is asked about before saving (a typo in the year is common).
CONFIRM_RECEIVED_DAYS = 14


MAX_REQUEST_BYTES = 1_000_000
MAX_DEPTH = 20


def load_request(raw: bytes) -> object:
    """The JSON of a request file (`cases register --json`), or one DomainError; never anything else.

    Bounded: at most MAX_REQUEST_BYTES, nesting at most MAX_DEPTH deep, numbers of sane length.
    """
    if len(raw) > MAX_REQUEST_BYTES:
        raise DomainError(N_("The request is too large (at most {limit} bytes)."), limit=MAX_REQUEST_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DomainError(
            N_("The request is not UTF-8 text (byte {position})."), position=error.start
        ) from None
    depth = deepest = 0
    in_string = escaped = False
    for char in text:  # nesting is measured before parsing: a deep document never reaches the parser
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                raise DomainError(
                    N_("The request is nested too deeply (at most {limit} levels)."), limit=MAX_DEPTH
                )
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise DomainError(
            N_("The request is not valid JSON: {reason} (line {line}, column {column})."),
            reason=error.msg,
            line=error.lineno,
            column=error.colno,
        ) from None
    except (ValueError, RecursionError) as error:
        if isinstance(error, DomainError):
            raise
        raise DomainError(N_("The request is not valid JSON: {reason}"), reason=str(error)[:200]) from None


def _bounded_int(text: str) -> int:
    if len(text) > 40:
        raise DomainError(
            N_("The request holds a number too long to be one ({digits} digits)."), digits=len(text)
        )
    return int(text)


def _no_constant(name: str) -> object:
    raise DomainError(N_("The request is not valid JSON: {reason}"), reason=name)


def _text(data: dict, key: str, limit: int = 500, *, field: str = "", multiline: bool = False) -> str:
    return check_text(data.get(key, ""), field or key, limit, multiline=multiline, numbers=True)


def parse_request(ctx: Context, data: object) -> NewRequest:
    """Validate a request as given in `cases register --json` (design §10) or by the intake form."""
    if not isinstance(data, dict):
        raise DomainError(N_("The request must be a JSON object."))
    for required in ("right", "channel", "received", "requester"):
        if required not in data:
            raise DomainError(N_("The field {field} is missing."), field=required)
    right = parse_enum(Right, data["right"], "right")
    channel = parse_enum(Channel, data["channel"], "channel")
    received = parse_received(ctx, data["received"])
    person = data["requester"]
    if not isinstance(person, dict):
        raise DomainError(N_("The field {field} must be an object."), field="requester")
    name = _text(person, "name", 200, field="requester.name")
    if not name:
        raise DomainError(N_("The requester's name is required."))
    hetu_text = _text(person, "hetu", 20, field="requester.hetu")
    hetu = identifiers.parse_hetu(hetu_text).code if hetu_text else ""
    language = parse_enum(Language, person.get("language") or "fi", "language")
    address_data = person.get("address") or {}
    if not isinstance(address_data, dict):
        raise DomainError(N_("The field {field} must be an object."), field="requester.address")
    country = _text(address_data, "country", 60, field="requester.address.country")
    postcode = _text(address_data, "postcode", 12, field="requester.address.postcode")
    if postcode and country.upper() in ("", "FI", "FINLAND", "SUOMI", "FINLAND (SUOMI)"):
        postcode = identifiers.parse_postcode(postcode)
    email = _text(person, "email", 200, field="requester.email")
    if email and ("@" not in email or " " in email):
        raise DomainError(N_("Not an e-mail address: {value}"), value=email)
    requester = Requester(
        name=name,
        hetu=hetu,
        language=language,
        email=email,
        phone=_text(person, "phone", 40, field="requester.phone"),
        address=Address(
            street=_text(address_data, "street", 200, field="requester.address.street"),
            postcode=postcode,
            city=_text(address_data, "city", 100, field="requester.address.city").upper(),
            country=country,
        ),
        representative=_text(person, "representative", 200, field="requester.representative"),
    )
    registers_data = data.get("registers") or []
    if isinstance(registers_data, str):
        registers_data = [registers_data]
    if not isinstance(registers_data, list):
        raise DomainError(N_("The field {field} must be a list."), field="registers")
    registers = tuple(
        dict.fromkeys(
            ctx.catalog.get(check_text(r, "registers", 100, numbers=True)).id for r in registers_data
        )
    )
    signed = data.get("signed", False)
    if not isinstance(signed, bool):
        raise DomainError(N_("The field {field} must be true or false."), field="signed")
    details = _text(data, "details", MAX_TEXT, multiline=True)
    return NewRequest(
        right=right,
        channel=channel,
        received=received,
        requester=requester,
        registers=registers,
        signed=signed,
        details=details,
    )


def applicability_notes(
    catalog: RegisterCatalog, right: Right | str, register_ids: Iterable[str], language: str
) -> list[tuple[str, str]]:
    """The chosen registers to which `right` does not apply: (register name, the register's reason or "").

    The request is still registered; the clerk is told that the decision will be a refusal.
    """
    code = right.value if isinstance(right, Right) else str(right)
    notes = []
    for register_id in register_ids:
        register = catalog.get(register_id)
        if not register.applies(code):
            notes.append((register.name.get(language), register.right_note(code, language) or ""))
    return notes


def questions_before_registering(ctx: Context, request: NewRequest) -> list[DomainError]:
    """What the clerk is asked to confirm before the request is registered (each as a message to show)."""
    asked = []
    days = (ctx.today - request.received).days
    if days > CONFIRM_RECEIVED_DAYS:
        asked.append(
            DomainError(
                N_("The request was received on {date}, {days} days ago. Is the date right?"),
                date=f"{request.received.day}.{request.received.month}.{request.received.year}",
                days=days,
            )
        )
    if not request.registers:
        asked.append(
            DomainError(
                N_("No register is ticked: the reply cannot say which register was searched. Save anyway?")
            )
        )
    return asked
