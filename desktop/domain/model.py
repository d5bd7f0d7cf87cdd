"""The vocabulary of a data-subject request: rights, channels, statuses, decisions and the case state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from desktop.domain.errors import N_, DomainError


class Right(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    RECORDING = "recording"


class Channel(StrEnum):
    POST = "post"
    SECURE_EMAIL = "secure_email"
    IN_PERSON = "in_person"


class Status(StrEnum):
    """Where a case stands. The order is the order of the workflow."""

    REGISTERED = "registered"  # received and diarised, nothing done yet
    WAITING = "waiting"  # waiting for the requester (clock stopped)
    IN_PROGRESS = "in_progress"  # identity checked, being processed
    DECIDED = "decided"  # decision recorded; the reply is to be printed
    PRINTED = "printed"  # reply printed; to be dispatched or handed over
    SENT = "sent"  # dispatched by registered mail (or other allowed delivery)
    AWAITING_PICKUP = "awaiting_pickup"  # waits at the desk for the requester
    HANDED_OVER = "handed_over"  # handed over at the desk after an ID check
    CLOSED = "closed"
    PURGED = "purged"  # personal content removed after retention; tombstone only


# Statuses in which the reply has not yet left the office: the deadline still runs.
OPEN_STATUSES = frozenset(
    {Status.REGISTERED, Status.WAITING, Status.IN_PROGRESS, Status.DECIDED, Status.PRINTED}
)
# The clock is stopped while waiting for the requester.
DEADLINE_RUNNING_STATUSES = OPEN_STATUSES - {Status.WAITING}
# Not yet closed (for "same person already has an open case").
ACTIVE_STATUSES = frozenset(Status) - {Status.CLOSED, Status.PURGED}


class Decision(StrEnum):
    GRANTED = "granted"
    PARTLY_GRANTED = "partly_granted"
    REFUSED = "refused"
    NO_DATA = "no_data"
    TRANSFERRED = "transferred"
    WITHDRAWN = "withdrawn"


# Decisions after which no reply letter is printed: a withdrawn request is closed without one.
NO_REPLY_DECISIONS = frozenset({Decision.WITHDRAWN})
# Where a reply waits for the printer: decided, and the decision is one that gets a letter.
READY_TO_PRINT_STATUS = Status.DECIDED


def is_ready_to_print(status: Status, decision: Decision | None) -> bool:
    """The one rule of "ready to print" (the Today tile and the batch both use it, through one query)."""
    return status is READY_TO_PRINT_STATUS and decision is not None and decision not in NO_REPLY_DECISIONS


# A reply under these decisions carries personal data (or confirms that it is held).
PERSONAL_DATA_DECISIONS = frozenset({Decision.GRANTED, Decision.PARTLY_GRANTED, Decision.REFUSED})


class Delivery(StrEnum):
    REGISTERED_MAIL = "registered_mail"
    PICKUP = "pickup"
    EMAIL = "email"  # ordinary e-mail: only for replies without personal data


class IdentityMethod(StrEnum):
    SIGNATURE = "signature"  # signature on a written request, compared with records
    PASSPORT = "passport"
    ID_CARD = "id_card"
    DRIVING_LICENCE = "driving_licence"
    STRONG_EID = "strong_eid"


class AttachmentKind(StrEnum):
    SIGNED_FORM = "signed_form"
    EMAIL = "email"
    POWER_OF_ATTORNEY = "power_of_attorney"
    EXTRACT = "extract"
    REPLY = "reply"
    OTHER = "other"


class Language(StrEnum):
    FI = "fi"
    SV = "sv"
    EN = "en"


class LetterKind(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    CLARIFICATION = "clarification"
    EXTENSION = "extension"
    ACCESS_REPLY = "access_reply"
    NO_DATA = "no_data"
    RECTIFICATION_DONE = "rectification_done"
    REFUSAL = "refusal"
    PICKUP_NOTICE = "pickup_notice"
    RECORDING_APPOINTMENT = "recording_appointment"
    REPLY = "reply"  # a generic reply (erasure done, restriction done, transfer notice...)


# Letters that are the reply to the request: printing one moves the case to PRINTED.
REPLY_LETTERS = frozenset(
    {
        LetterKind.ACCESS_REPLY,
        LetterKind.NO_DATA,
        LetterKind.RECTIFICATION_DONE,
        LetterKind.REFUSAL,
        LetterKind.RECORDING_APPOINTMENT,
        LetterKind.REPLY,
    }
)


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: object, what: str) -> E:
    """Turn user input into an enum member, or say which values are allowed."""
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise DomainError(
            N_("Unknown {what} “{value}”; allowed: {allowed}"), what=what, value=value, allowed=allowed
        ) from None


@dataclass(frozen=True)
class Address:
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not (self.street or self.postcode or self.city or self.country)

    def is_complete(self) -> bool:
        """Enough for a letter to arrive: street, post office, and a postcode (or a country abroad)."""
        return bool(
            self.street.strip() and self.city.strip() and (self.postcode.strip() or self.country.strip())
        )


@dataclass(frozen=True)
class Requester:
    name: str
    hetu: str = ""
    language: Language = Language.FI
    email: str = ""
    phone: str = ""
    address: Address = Address()
    representative: str = ""  # who acts for the data subject, with a power of attorney

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "hetu": self.hetu,
            "language": self.language.value,
            "email": self.email,
            "phone": self.phone,
            "address": {
                "street": self.address.street,
                "postcode": self.address.postcode,
                "city": self.address.city,
                "country": self.address.country,
            },
            "representative": self.representative,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Requester:
        address = data.get("address") or {}
        return cls(
            name=data.get("name", ""),
            hetu=data.get("hetu", "") or "",
            language=Language(data.get("language") or "fi"),
            email=data.get("email", "") or "",
            phone=data.get("phone", "") or "",
            address=Address(
                street=address.get("street", "") or "",
                postcode=address.get("postcode", "") or "",
                city=address.get("city", "") or "",
                country=address.get("country", "") or "",
            ),
            representative=data.get("representative", "") or "",
        )


@dataclass(frozen=True)
class IdentityCheck:
    method: IdentityMethod
    document: str  # e.g. passport number's last digits are NOT stored; only what was seen ("passport")
    verified_by: str
    verified_at: datetime


@dataclass(frozen=True)
class Pause:
    """A clock stop while the requester is asked for identification or clarification."""

    started: date
    what: str
    ended: date | None = None


@dataclass(frozen=True)
class DueDateEntry:
    """A due date as the clerk saw it, and why it was set."""

    due: date
    reason: str  # "received", "extended", "clarification_received", "corrected"
    at: datetime


@dataclass(frozen=True)
class Attachment:
    sha256: str
    filename: str
    kind: AttachmentKind
    size: int
    media_type: str
    added_at: datetime
    added_by: str
    warning: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    type: str
    at: datetime
    actor: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Conflict:
    """The same field changed concurrently on two desks: both values stay, a person decides."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class CaseState:
    """The current state of one case: what `fold` makes of its events."""

    id: str
    diary_number: str
    right: Right
    channel: Channel
    received: date
    registers: tuple[str, ...]
    signed: bool
    details: str
    requester: Requester
    status: Status
    due_date: date
    one_month_due: date  # the first due date; an extension must be recorded by then
    registered_at: datetime
    registered_by: str
    updated_at: datetime
    due_dates: tuple[DueDateEntry, ...] = ()
    extended: bool = False
    extension_reason: str = ""
    identity: IdentityCheck | None = None
    pauses: tuple[Pause, ...] = ()
    decision: Decision | None = None
    decision_reasons: str = ""
    legal_basis: str = ""
    transferred_to: str = ""
    letters: tuple[str, ...] = ()  # kinds printed, in order
    delivery: Delivery | None = None
    tracking_number: str = ""
    dispatched_on: date | None = None
    handed_over_id_document: str = ""
    closed_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    notes: tuple[str, ...] = ()
    provisional_diary_number: str = ""  # the number shown before the server assigned the final one
    conflicts: tuple[Conflict, ...] = ()

    @property
    def waiting(self) -> bool:
        return self.status is Status.WAITING

    @property
    def open_pause(self) -> Pause | None:
        return self.pauses[-1] if self.pauses and self.pauses[-1].ended is None else None

    def with_changes(self, **changes: Any) -> CaseState:
        return replace(self, **changes)


@dataclass(frozen=True)
class NewRequest:
    """What the clerk enters at intake (or `cases register --json`)."""

    right: Right
    channel: Channel
    received: date
    requester: Requester
    registers: tuple[str, ...] = ()
    signed: bool = False
    details: str = ""
