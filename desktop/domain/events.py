"""The event vocabulary and `fold`: a case's state is what its events, in log order, make of it.

Every computed date that depends on the office calendar (due dates) travels *inside* the event, so
replaying the log reproduces what the clerk saw even after the calendar setting changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from desktop.domain.errors import N_, DomainError
from desktop.domain.model import (
    REPLY_LETTERS,
    Address,
    Attachment,
    AttachmentKind,
    CaseState,
    Channel,
    Conflict,
    Decision,
    Delivery,
    DueDateEntry,
    IdentityCheck,
    IdentityMethod,
    Language,
    LetterKind,
    Pause,
    Requester,
    Right,
    Status,
)


class EventType(StrEnum):
    CASE_REGISTERED = "CaseRegistered"
    DIARY_NUMBER_ASSIGNED = "DiaryNumberAssigned"
    ATTACHMENT_ADDED = "AttachmentAdded"
    IDENTITY_VERIFIED = "IdentityVerified"
    CLARIFICATION_REQUESTED = "ClarificationRequested"
    CLARIFICATION_RECEIVED = "ClarificationReceived"
    DEADLINE_EXTENDED = "DeadlineExtended"
    NOTE_ADDED = "NoteAdded"
    DECISION_RECORDED = "DecisionRecorded"
    LETTER_PRINTED = "LetterPrinted"  # a printer took the job: the letter exists on paper
    REPLY_KEPT = "ReplyKept"  # the letter was kept with the case without printing (nothing was sent)
    DISPATCHED = "Dispatched"
    HANDED_OVER = "HandedOver"
    CASE_CLOSED = "CaseClosed"
    FIELDS_CORRECTED = "FieldsCorrected"
    CONFLICT_RESOLVED = "ConflictResolved"
    CASE_PURGED = "CasePurged"
    # A wrongly attached file leaves the case's list; its bytes stay in the store (and AttachmentAdded in
    # the log) until the case's retention ends: evidence is never silently lost.
    ATTACHMENT_DETACHED = "AttachmentDetached"
    ATTACHMENT_RELABELLED = "AttachmentRelabelled"


@dataclass(frozen=True)
class Event:
    """One immutable fact in the log."""

    id: str
    case_id: str
    type: EventType
    payload: dict[str, Any]
    actor: str
    at: datetime  # wall-clock time of the desk that recorded it, UTC
    device_id: str = ""
    hlc: str = ""


# Fields a logged correction may change, as dotted paths into the case.
CORRECTABLE_FIELDS = (
    "requester.name",
    "requester.hetu",
    "requester.language",
    "requester.email",
    "requester.phone",
    "requester.address.street",
    "requester.address.postcode",
    "requester.address.city",
    "requester.address.country",
    "requester.representative",
    "details",
    "signed",
    "channel",
    "right",
    "received",
    "registers",
)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def field_value(state: CaseState, path: str) -> object:
    """The current value of a correctable field, in its JSON form."""
    if path.startswith("requester."):
        value: object = state.requester.to_dict()
        for part in path.split(".")[1:]:
            value = value[part]  # type: ignore[index]
        return value
    value = getattr(state, path)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, StrEnum):
        return value.value
    return value


def _with_field(state: CaseState, path: str, value: object) -> CaseState:
    if path.startswith("requester."):
        data = state.requester.to_dict()
        parts = path.split(".")[1:]
        target = data
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value
        return replace(state, requester=Requester.from_dict(data))
    if path == "received":
        return replace(state, received=date.fromisoformat(str(value)))
    if path == "registers":
        return replace(state, registers=tuple(value))  # type: ignore[arg-type]
    if path == "channel":
        return replace(state, channel=Channel(str(value)))
    if path == "right":
        return replace(state, right=Right(str(value)))
    if path == "signed":
        return replace(state, signed=bool(value))
    return replace(state, **{path: value})  # type: ignore[arg-type]  # a plain field, by name


def _registered(event: Event) -> CaseState:
    p = event.payload
    due = date.fromisoformat(p["due_date"])
    return CaseState(
        id=event.case_id,
        diary_number=p["diary_number"],
        right=Right(p["right"]),
        channel=Channel(p["channel"]),
        received=date.fromisoformat(p["received"]),
        registers=tuple(p.get("registers", ())),
        signed=bool(p.get("signed", False)),
        details=p.get("details", ""),
        requester=Requester.from_dict(p["requester"]),
        status=Status.REGISTERED,
        due_date=due,
        one_month_due=due,
        registered_at=event.at,
        registered_by=event.actor,
        updated_at=event.at,
        due_dates=(DueDateEntry(due, "received", event.at),),
        provisional_diary_number="",
    )


def apply(state: CaseState, event: Event) -> CaseState:
    """The state after one more event. Never refuses: rules are checked before an event is written."""
    changed = _changes(state, event)
    if isinstance(changed, CaseState):
        return replace(changed, updated_at=event.at)
    # One `replace` per event: it is the hot path of folding a million cases.
    return replace(state, updated_at=event.at, **changed)


def _changes(s: CaseState, event: Event) -> dict[str, Any] | CaseState:
    """What an event changes: a dict of fields, or (for whole-state rewrites) the new state."""
    p = event.payload
    t = event.type
    if s.status is Status.PURGED and t is not EventType.DIARY_NUMBER_ASSIGNED:
        return {}  # a purged case stays a tombstone whatever arrives later from other desks
    if t is EventType.DIARY_NUMBER_ASSIGNED:
        return dict(provisional_diary_number=s.diary_number, diary_number=p["diary_number"])
    if t is EventType.ATTACHMENT_ADDED:
        if any(a.sha256 == p["sha256"] for a in s.attachments):
            return {}
        attachment = Attachment(
            sha256=p["sha256"],
            filename=p["filename"],
            kind=AttachmentKind(p["kind"]),
            size=int(p["size"]),
            media_type=p.get("media_type", "application/octet-stream"),
            added_at=event.at,
            added_by=event.actor,
            warning=p.get("warning", ""),
        )
        return dict(attachments=(*s.attachments, attachment))
    if t is EventType.ATTACHMENT_DETACHED:
        return dict(attachments=tuple(a for a in s.attachments if a.sha256 != p["sha256"]))
    if t is EventType.ATTACHMENT_RELABELLED:
        return dict(
            attachments=tuple(
                replace(
                    a,
                    kind=AttachmentKind(p.get("kind") or a.kind.value),
                    filename=p.get("filename") or a.filename,
                )
                if a.sha256 == p["sha256"]
                else a
                for a in s.attachments
            )
        )
    if t is EventType.IDENTITY_VERIFIED:
        identity = IdentityCheck(
            method=IdentityMethod(p["method"]),
            document=p.get("document", ""),
            verified_by=p.get("verified_by") or event.actor,
            verified_at=event.at,
        )
        status: Status = Status.IN_PROGRESS if s.status is Status.REGISTERED else s.status
        return dict(identity=identity, status=status)
    if t is EventType.CLARIFICATION_REQUESTED:
        pause = Pause(started=date.fromisoformat(p["on"]), what=p.get("what", ""))
        return dict(pauses=(*s.pauses, pause), status=Status.WAITING)
    if t is EventType.CLARIFICATION_RECEIVED:
        pauses = s.pauses
        if pauses and pauses[-1].ended is None:
            pauses = (*pauses[:-1], replace(pauses[-1], ended=date.fromisoformat(p["on"])))
        due = date.fromisoformat(p["due_date"])
        status = Status.IN_PROGRESS if s.identity else Status.REGISTERED
        one_month = date.fromisoformat(p.get("one_month_due") or p["due_date"])
        return replace(
            s,
            pauses=pauses,
            status=status if s.status is Status.WAITING else s.status,
            due_date=due,
            one_month_due=one_month,
            due_dates=(*s.due_dates, DueDateEntry(due, "clarification_received", event.at)),
        )
    if t is EventType.DEADLINE_EXTENDED:
        due = date.fromisoformat(p["due_date"])
        return replace(
            s,
            extended=True,
            extension_reason=p.get("reason", ""),
            due_date=due,
            due_dates=(*s.due_dates, DueDateEntry(due, "extended", event.at)),
        )
    if t is EventType.NOTE_ADDED:
        return dict(notes=(*s.notes, p.get("text", "")))
    if t is EventType.DECISION_RECORDED:
        return replace(
            s,
            decision=Decision(p["decision"]),
            decision_reasons=p.get("reasons", ""),
            legal_basis=p.get("legal_basis", ""),
            transferred_to=p.get("transferred_to", ""),
            status=Status.DECIDED,
        )
    if t is EventType.LETTER_PRINTED:
        kind = LetterKind(p["kind"])
        status = Status.PRINTED if kind in REPLY_LETTERS and s.status is Status.DECIDED else s.status
        return dict(letters=(*s.letters, kind.value), status=status)
    if t is EventType.REPLY_KEPT:
        return {}  # on record in the timeline; the case still waits for its letter to be printed
    if t is EventType.DISPATCHED:
        delivery = Delivery(p["delivery"])
        return replace(
            s,
            delivery=delivery,
            tracking_number=p.get("tracking_number", ""),
            dispatched_on=_date(p.get("on")),
            status=Status.AWAITING_PICKUP if delivery is Delivery.PICKUP else Status.SENT,
        )
    if t is EventType.HANDED_OVER:
        return dict(handed_over_id_document=p.get("id_document", ""), status=Status.HANDED_OVER)
    if t is EventType.CASE_CLOSED:
        return dict(status=Status.CLOSED, closed_at=event.at)
    if t is EventType.FIELDS_CORRECTED:
        return _corrected(s, event)
    if t is EventType.CONFLICT_RESOLVED:
        resolved = _with_field(s, p["field"], p["value"])
        return replace(resolved, conflicts=tuple(c for c in s.conflicts if c.field != p["field"]))
    if t is EventType.CASE_PURGED:
        return _tombstone(s)
    raise DomainError(N_("Unknown event type {type}"), type=t)


def _corrected(s: CaseState, event: Event) -> CaseState:
    p = event.payload
    conflicts = list(s.conflicts)
    for path, change in p["changes"].items():
        current = field_value(s, path)
        if current != change.get("old"):
            # Written on a desk that had not seen the latest value: keep every value, ask a person. A third
            # (fourth…) concurrent edit adds its value to the open conflict instead of replacing it.
            earlier = next((c.values for c in conflicts if c.field == path), ())
            values = tuple(dict.fromkeys((*earlier, *(str(v) for v in (current, change["new"])))))
            conflicts = [c for c in conflicts if c.field != path] + [Conflict(path, values)]
        s = _with_field(s, path, change["new"])
    if "due_date" in p:
        due = date.fromisoformat(p["due_date"])
        s = replace(
            s,
            due_date=due,
            one_month_due=date.fromisoformat(p.get("one_month_due") or p["due_date"]),
            due_dates=(*s.due_dates, DueDateEntry(due, "corrected", event.at)),
        )
    return replace(s, conflicts=tuple(conflicts))


def _tombstone(s: CaseState) -> CaseState:
    """What is kept after a purge: diary number, dates, right and outcome — nothing about the person."""
    return replace(
        s,
        status=Status.PURGED,
        requester=Requester(name="", language=s.requester.language, address=Address()),
        details="",
        attachments=(),
        notes=(),
        decision_reasons="",
        identity=None,
        tracking_number="",
        handed_over_id_document="",
        extension_reason="",
        pauses=tuple(replace(pause, what="") for pause in s.pauses),
        conflicts=(),
    )


def fold(events: Iterable[Event]) -> CaseState:
    """The state of a case from its events in log order. The first must be CaseRegistered."""
    state: CaseState | None = None
    for event in events:
        if state is None:
            if event.type is not EventType.CASE_REGISTERED:
                raise DomainError(N_("A case must begin with its registration, not {type}"), type=event.type)
            state = _registered(event)
        else:
            state = apply(state, event)
    if state is None:
        raise DomainError(N_("No events for this case"))
    return state


def utc_now() -> datetime:
    return datetime.now(UTC)


__all__ = [
    "CORRECTABLE_FIELDS",
    "Event",
    "EventType",
    "Language",
    "apply",
    "field_value",
    "fold",
    "utc_now",
]
