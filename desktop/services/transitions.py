"""Each use case as a pure step: (context, case state, what the clerk entered) → the events to append.

The case service wraps these in a transaction; the demo generator chains them in memory. Either way the
same checks run and the same events come out, so there is one place for every rule of a step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop.domain import identifiers
from desktop.domain.deadlines import WorkCalendar, due_date, extension_allowed_until
from desktop.domain.errors import N_, DomainError
from desktop.domain.events import CORRECTABLE_FIELDS, EventType, field_value
from desktop.domain.model import (
    AttachmentKind,
    CaseState,
    Channel,
    Decision,
    Delivery,
    IdentityMethod,
    Language,
    LetterKind,
    NewRequest,
    Right,
    parse_enum,
)
from desktop.domain.registers import RegisterCatalog
from desktop.domain.text import check_text
from desktop.domain.workflow import Action, check

EventSpec = tuple[EventType, dict]


@dataclass(frozen=True)
class Context:
    today: date
    calendar: WorkCalendar
    catalog: RegisterCatalog


MAX_FREE_TEXT = 20_000


def registration(ctx: Context, request: NewRequest, diary_number: str) -> list[EventSpec]:
    due = due_date(request.received, calendar=ctx.calendar)
    payload = {
        "diary_number": diary_number,
        "right": request.right.value,
        "channel": request.channel.value,
        "received": request.received.isoformat(),
        "registers": list(request.registers),
        "signed": request.signed,
        "details": request.details,
        "requester": request.requester.to_dict(),
        "due_date": due.isoformat(),
    }
    return [(EventType.CASE_REGISTERED, payload)]


def attachment_added(
    ctx: Context,
    state: CaseState,
    sha256: str,
    filename: str,
    kind: AttachmentKind,
    size: int,
    media_type: str,
    warning: str = "",
) -> list[EventSpec]:
    check(state, Action.ATTACH, ctx.today)
    if any(a.sha256 == sha256 for a in state.attachments):
        return []  # the same bytes are already attached: nothing new to record
    payload = {
        "sha256": sha256,
        "filename": filename,
        "kind": kind.value,
        "size": size,
        "media_type": media_type,
    }
    if warning:
        payload["warning"] = warning
    return [(EventType.ATTACHMENT_ADDED, payload)]


def attachment_detached(ctx: Context, state: CaseState, sha256: str, reason: str) -> list[EventSpec]:
    check(state, Action.ATTACH, ctx.today)
    current = next((a for a in state.attachments if a.sha256 == sha256), None)
    if current is None:
        raise DomainError(N_("That file is not attached to this case."))
    if not reason.strip():
        raise DomainError(N_("Say why the file is detached; the reason is kept in the log."))
    payload = {"sha256": sha256, "filename": current.filename, "reason": reason.strip()}
    return [(EventType.ATTACHMENT_DETACHED, payload)]


def attachment_relabelled(
    ctx: Context, state: CaseState, sha256: str, kind: AttachmentKind, filename: str = ""
) -> list[EventSpec]:
    check(state, Action.ATTACH, ctx.today)
    current = next((a for a in state.attachments if a.sha256 == sha256), None)
    if current is None:
        raise DomainError(N_("That file is not attached to this case."))
    filename = filename.strip()
    if kind is current.kind and (not filename or filename == current.filename):
        raise DomainError(N_("The new label is the same as the old one; nothing to change."))
    payload = {"sha256": sha256, "kind": kind.value, "old_kind": current.kind.value}
    if filename and filename != current.filename:
        payload.update(filename=filename, old_filename=current.filename)
    return [(EventType.ATTACHMENT_RELABELLED, payload)]


def identity_verified(
    ctx: Context, state: CaseState, method: IdentityMethod, document: str, verified_by: str
) -> list[EventSpec]:
    check(state, Action.VERIFY_IDENTITY, ctx.today)
    if (
        method is not IdentityMethod.SIGNATURE
        and method is not IdentityMethod.STRONG_EID
        and not document.strip()
    ):
        document = method.value
    return [
        (
            EventType.IDENTITY_VERIFIED,
            {"method": method.value, "document": document.strip(), "verified_by": verified_by},
        )
    ]


def clarification_requested(ctx: Context, state: CaseState, what: str) -> list[EventSpec]:
    check(state, Action.REQUEST_CLARIFICATION, ctx.today, what=what)
    return [(EventType.CLARIFICATION_REQUESTED, {"what": what.strip(), "on": ctx.today.isoformat()})]


def clarification_received(ctx: Context, state: CaseState, on: date) -> list[EventSpec]:
    check(state, Action.RECEIVE_CLARIFICATION, ctx.today, on=on)
    # The clock restarts: the period is counted anew from the day the information arrived.
    due = due_date(on, extended=state.extended, calendar=ctx.calendar)
    one_month = extension_allowed_until(on, calendar=ctx.calendar)
    return [
        (
            EventType.CLARIFICATION_RECEIVED,
            {"on": on.isoformat(), "due_date": due.isoformat(), "one_month_due": one_month.isoformat()},
        )
    ]


def _period_start(state: CaseState) -> date:
    """The day the running period counts from: receipt, or the last clarification's arrival."""
    ended = [p.ended for p in state.pauses if p.ended is not None]
    return ended[-1] if ended else state.received


def deadline_extended(ctx: Context, state: CaseState, reason: str) -> list[EventSpec]:
    check(state, Action.EXTEND, ctx.today, reason=reason)
    due = due_date(_period_start(state), extended=True, calendar=ctx.calendar)
    return [(EventType.DEADLINE_EXTENDED, {"reason": reason.strip(), "due_date": due.isoformat()})]


def decision_recorded(
    ctx: Context,
    state: CaseState,
    decision: Decision,
    reasons: str = "",
    legal_basis: str = "",
    transferred_to: str = "",
) -> list[EventSpec]:
    check(
        state,
        Action.RECORD_DECISION,
        ctx.today,
        decision=decision,
        reasons=reasons,
        legal_basis=legal_basis,
        transferred_to=transferred_to,
    )
    payload = {"decision": decision.value, "reasons": reasons.strip(), "legal_basis": legal_basis.strip()}
    if transferred_to.strip():
        payload["transferred_to"] = transferred_to.strip()
    return [(EventType.DECISION_RECORDED, payload)]


def letter_printed(
    ctx: Context, state: CaseState, kind: LetterKind, language: Language, sha256: str = ""
) -> list[EventSpec]:
    from desktop.domain.model import REPLY_LETTERS

    if kind in REPLY_LETTERS:
        check(state, Action.PRINT_REPLY, ctx.today, kind=kind)
    else:
        check(state, Action.ATTACH, ctx.today)
    payload = {"kind": kind.value, "language": language.value}
    if sha256:
        payload["sha256"] = sha256
    return [(EventType.LETTER_PRINTED, payload)]


def reply_kept(ctx: Context, state: CaseState, kind: LetterKind, language: Language) -> list[EventSpec]:
    """The letter was saved with the case without printing: on record, but not "printed"."""
    check(state, Action.ATTACH, ctx.today)
    return [(EventType.REPLY_KEPT, {"kind": kind.value, "language": language.value})]


def dispatched(
    ctx: Context, state: CaseState, delivery: Delivery, tracking_number: str = ""
) -> list[EventSpec]:
    check(state, Action.DISPATCH, ctx.today, delivery=delivery, tracking_number=tracking_number)
    payload = {"delivery": delivery.value, "on": ctx.today.isoformat()}
    if delivery is Delivery.REGISTERED_MAIL:
        payload["tracking_number"] = identifiers.parse_tracking_number(tracking_number)
    return [(EventType.DISPATCHED, payload)]


def handed_over(ctx: Context, state: CaseState, id_document: str) -> list[EventSpec]:
    check(state, Action.HAND_OVER, ctx.today, id_document=id_document)
    return [(EventType.HANDED_OVER, {"id_document": id_document.strip(), "on": ctx.today.isoformat()})]


def closed(ctx: Context, state: CaseState) -> list[EventSpec]:
    check(state, Action.CLOSE, ctx.today)
    return [(EventType.CASE_CLOSED, {})]


def note_added(ctx: Context, state: CaseState, text: str) -> list[EventSpec]:
    check(state, Action.ADD_NOTE, ctx.today)
    text = check_text(text, "text", MAX_FREE_TEXT, multiline=True)
    if not text:
        raise DomainError(N_("The note is empty."))
    return [(EventType.NOTE_ADDED, {"text": text})]


def purged(ctx: Context, state: CaseState) -> list[EventSpec]:
    check(state, Action.PURGE, ctx.today)
    return [(EventType.CASE_PURGED, {"outcome": state.decision.value if state.decision else ""})]


def conflict_resolved(ctx: Context, state: CaseState, field: str, value: object) -> list[EventSpec]:
    check(state, Action.RESOLVE_CONFLICT, ctx.today, field=field)
    return [(EventType.CONFLICT_RESOLVED, {"field": field, "value": normalize_field(ctx, field, value)})]


def normalize_field(ctx: Context, path: str, value: object) -> object:
    """Validate a corrected value and put it in the form the log keeps."""
    if path not in CORRECTABLE_FIELDS:
        raise DomainError(N_("The field {field} cannot be corrected."), field=path)
    if path == "requester.hetu":
        text = str(value or "").strip()
        return identifiers.parse_hetu(text).code if text else ""
    if path == "requester.address.postcode":
        text = str(value or "").strip()
        return identifiers.parse_postcode(text) if text else ""
    if path == "requester.language":
        return parse_enum(Language, value, "language").value
    if path == "requester.address.city":
        return check_text(value, path, 100).upper()  # the post office in capitals, as at intake
    if path == "requester.name":
        text = check_text(value, path, 200)
        if not text:
            raise DomainError(N_("The requester's name is required."))
        return text
    if path == "right":
        return parse_enum(Right, value, "right").value
    if path == "channel":
        return parse_enum(Channel, value, "channel").value
    if path == "signed":
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes", "kyllä", "ja")
    if path == "received":
        return parse_received(ctx, value).isoformat()
    if path == "registers":
        items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
        return [ctx.catalog.get(check_text(item, path, 100, numbers=True)).id for item in items]
    return check_text(value, path, MAX_FREE_TEXT, multiline=path == "details", numbers=True)


def parse_received(ctx: Context, value: object) -> date:
    try:
        received = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(N_("Not a valid date: “{value}” (use YYYY-MM-DD)."), value=value) from None
    if received > ctx.today:
        raise DomainError(N_("The received date {date} is in the future."), date=received.isoformat())
    if received.year < 2000:
        raise DomainError(N_("The received date {date} is too far in the past."), date=received.isoformat())
    return received


def fields_corrected(
    ctx: Context, state: CaseState, changes: dict[str, object], reason: str
) -> list[EventSpec]:
    check(state, Action.CORRECT, ctx.today, reason=reason)
    if not changes:
        raise DomainError(N_("Nothing to correct."))
    logged: dict[str, dict] = {}
    for path, value in changes.items():
        new = normalize_field(ctx, path, value)
        old = field_value(state, path)
        if new != old:
            logged[path] = {"old": old, "new": new}
    if not logged:
        raise DomainError(N_("The new values are the same as the old ones; nothing to correct."))
    payload: dict = {"changes": logged, "reason": check_text(reason, "reason", MAX_FREE_TEXT, multiline=True)}
    if "received" in logged and not state.pauses:
        received = date.fromisoformat(logged["received"]["new"])
        payload["due_date"] = due_date(received, extended=state.extended, calendar=ctx.calendar).isoformat()
        payload["one_month_due"] = extension_allowed_until(received, calendar=ctx.calendar).isoformat()
    return [(EventType.FIELDS_CORRECTED, payload)]
