"""Turning what the clerk (or a JSON file) gives into a valid `NewRequest`, with one clear message when not."""

from __future__ import annotations

from collections.abc import Iterable

from desktop.domain import identifiers
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import Address, Channel, Language, NewRequest, Requester, Right, parse_enum
from desktop.domain.registers import RegisterCatalog
from desktop.services.transitions import Context, parse_received

MAX_TEXT = 20_000


def _text(data: dict, key: str, limit: int = 500) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise DomainError(N_("The field {field} must be text."), field=key)
    text = str(value).strip()
    if len(text) > limit:
        raise DomainError(
            N_("The field {field} is too long (at most {limit} characters)."), field=key, limit=limit
        )
    return text


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
    name = _text(person, "name", 200)
    if not name:
        raise DomainError(N_("The requester's name is required."))
    hetu_text = _text(person, "hetu", 20)
    hetu = identifiers.parse_hetu(hetu_text).code if hetu_text else ""
    language = parse_enum(Language, person.get("language") or "fi", "language")
    address_data = person.get("address") or {}
    if not isinstance(address_data, dict):
        raise DomainError(N_("The field {field} must be an object."), field="requester.address")
    country = _text(address_data, "country", 60)
    postcode = _text(address_data, "postcode", 12)
    if postcode and country.upper() in ("", "FI", "FINLAND", "SUOMI", "FINLAND (SUOMI)"):
        postcode = identifiers.parse_postcode(postcode)
    email = _text(person, "email", 200)
    if email and ("@" not in email or " " in email):
        raise DomainError(N_("Not an e-mail address: {value}"), value=email)
    requester = Requester(
        name=name,
        hetu=hetu,
        language=language,
        email=email,
        phone=_text(person, "phone", 40),
        address=Address(
            street=_text(address_data, "street", 200),
            postcode=postcode,
            city=_text(address_data, "city", 100).upper(),
            country=country,
        ),
        representative=_text(person, "representative", 200),
    )
    registers_data = data.get("registers") or []
    if isinstance(registers_data, str):
        registers_data = [registers_data]
    if not isinstance(registers_data, list):
        raise DomainError(N_("The field {field} must be a list."), field="registers")
    registers = tuple(dict.fromkeys(ctx.catalog.get(str(r).strip()).id for r in registers_data))
    signed = data.get("signed", False)
    if not isinstance(signed, bool):
        raise DomainError(N_("The field {field} must be true or false."), field="signed")
    details = _text(data, "details", MAX_TEXT)
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
