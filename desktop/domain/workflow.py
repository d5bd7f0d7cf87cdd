"""The workflow: which action is allowed in which state, and why not when it is not.

`why_not` answers from the state alone (the GUI greys a button and shows the reason as its tooltip);
`check` also validates what the clerk entered. Both give a `DomainError` whose message is translatable.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from desktop.domain.deadlines import may_extend
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import (
    PERSONAL_DATA_DECISIONS,
    REPLY_LETTERS,
    CaseState,
    Decision,
    Delivery,
    LetterKind,
    Status,
)


class Action(StrEnum):
    ATTACH = "attach"
    VERIFY_IDENTITY = "verify_identity"
    REQUEST_CLARIFICATION = "request_clarification"
    RECEIVE_CLARIFICATION = "receive_clarification"
    EXTEND = "extend"
    RECORD_DECISION = "record_decision"
    PRINT_REPLY = "print_reply"
    DISPATCH = "dispatch"
    HAND_OVER = "hand_over"
    CLOSE = "close"
    CORRECT = "correct"
    ADD_NOTE = "add_note"
    PURGE = "purge"
    RESOLVE_CONFLICT = "resolve_conflict"


_BEFORE_DECISION = frozenset({Status.REGISTERED, Status.WAITING, Status.IN_PROGRESS})


def why_not(state: CaseState, action: Action, today: date) -> DomainError | None:
    """The reason `action` is not allowed now, judged from the case state alone; None when allowed."""
    status = state.status
    if status is Status.PURGED:
        return DomainError(
            N_("Case {diary} has been purged; it can no longer be changed."), diary=state.diary_number
        )
    if status is Status.CLOSED and action not in (Action.ADD_NOTE, Action.PURGE, Action.CORRECT):
        return DomainError(N_("Case {diary} is closed."), diary=state.diary_number)

    if action in (Action.ATTACH, Action.CORRECT, Action.ADD_NOTE):
        return None
    if action is Action.VERIFY_IDENTITY:
        if status not in _BEFORE_DECISION:
            return DomainError(
                N_("Identity is checked before the decision; a decision has already been recorded.")
            )
        return None
    if action is Action.REQUEST_CLARIFICATION:
        if status is Status.WAITING:
            pause = state.open_pause
            return DomainError(
                N_("Already waiting for the requester since {date}."),
                date=pause.started.isoformat() if pause else "",
            )
        if status not in _BEFORE_DECISION:
            return DomainError(
                N_("Clarification is asked before the decision; a decision has already been recorded.")
            )
        return None
    if action is Action.RECEIVE_CLARIFICATION:
        if status is not Status.WAITING:
            return DomainError(N_("The case is not waiting for the requester."))
        return None
    if action is Action.EXTEND:
        if state.extended:
            return DomainError(
                N_("The deadline has already been extended once; it cannot be extended again.")
            )
        if status not in (Status.REGISTERED, Status.IN_PROGRESS):
            if status is Status.WAITING:
                return DomainError(N_("The deadline is stopped while waiting for the requester."))
            return DomainError(N_("The deadline can be extended only before the decision."))
        if not may_extend(state.one_month_due, today):
            return DomainError(
                N_("An extension must be recorded within the first month, by {date}."),
                date=state.one_month_due.isoformat(),
            )
        return None
    if action is Action.RECORD_DECISION:
        if status is Status.WAITING:
            return DomainError(N_("Waiting for the requester: record the clarification first."))
        if status not in _BEFORE_DECISION:
            return DomainError(N_("A decision has already been recorded."))
        return None
    if action is Action.PRINT_REPLY:
        if state.decision is None or status not in (Status.DECIDED, Status.PRINTED):
            if state.decision is None:
                return DomainError(N_("Record the decision before printing the reply."))
            return DomainError(N_("The reply has already been sent."))
        return None
    if action is Action.DISPATCH:
        if status is not Status.PRINTED:
            if status in (Status.SENT, Status.AWAITING_PICKUP, Status.HANDED_OVER):
                return DomainError(N_("The reply has already been dispatched."))
            return DomainError(N_("Print the reply before dispatching it."))
        return None
    if action is Action.HAND_OVER:
        if status is not Status.AWAITING_PICKUP:
            return DomainError(N_("The reply is not waiting for pickup at the desk."))
        return None
    if action is Action.CLOSE:
        if status in (Status.SENT, Status.HANDED_OVER):
            return None
        if status is Status.DECIDED and state.decision is Decision.WITHDRAWN:
            return None
        return DomainError(N_("The reply has not been delivered yet; the case cannot be closed."))
    if action is Action.PURGE:
        if status is not Status.CLOSED:
            return DomainError(N_("Only closed cases can be purged."))
        return None
    if action is Action.RESOLVE_CONFLICT:
        if not state.conflicts:
            return DomainError(N_("The case has no conflicting edits to resolve."))
        return None
    raise DomainError(N_("Unknown action {action}"), action=action)


def check(state: CaseState, action: Action, today: date, **params: object) -> None:
    """Raise DomainError unless `action` with these parameters is allowed on `state` today."""
    reason = why_not(state, action, today)
    if reason is not None:
        raise reason
    if action is Action.EXTEND and not str(params.get("reason", "")).strip():
        raise DomainError(N_("Give the reasons for the extension; the requester must be told them."))
    if action is Action.RECEIVE_CLARIFICATION:
        on = params.get("on")
        pause = state.open_pause
        if isinstance(on, date) and pause and on < pause.started:
            raise DomainError(
                N_("The clarification cannot have arrived before it was asked for ({date})."),
                date=pause.started.isoformat(),
            )
        if isinstance(on, date) and on > today:
            raise DomainError(N_("The arrival date cannot be in the future."))
    if action is Action.RECORD_DECISION:
        _check_decision(state, params)
    if action is Action.PRINT_REPLY:
        _check_reply_letter(state, params.get("kind"))
    if action is Action.DISPATCH:
        _check_delivery(state, params)
    if action is Action.HAND_OVER and not str(params.get("id_document", "")).strip():
        raise DomainError(N_("Record which ID document was seen before handing over the reply."))
    if action is Action.REQUEST_CLARIFICATION and not str(params.get("what", "")).strip():
        raise DomainError(N_("Say what the requester must clarify or provide."))
    if action is Action.CORRECT and not str(params.get("reason", "")).strip():
        raise DomainError(N_("A correction needs a reason; it is kept in the log."))
    if action is Action.RESOLVE_CONFLICT:
        field = params.get("field")
        if not any(c.field == field for c in state.conflicts):
            raise DomainError(N_("There is no conflict on {field}."), field=field)


def _check_decision(state: CaseState, params: dict[str, Any]) -> None:
    decision = params.get("decision")
    if not isinstance(decision, Decision):
        raise DomainError(N_("Choose the decision."))
    if decision in (Decision.GRANTED, Decision.PARTLY_GRANTED) and state.identity is None:
        raise DomainError(N_("Verify the requester's identity before personal data is disclosed."))
    missing_grounds = (
        not str(params.get("reasons", "")).strip() or not str(params.get("legal_basis", "")).strip()
    )
    if decision in (Decision.REFUSED, Decision.PARTLY_GRANTED) and missing_grounds:
        raise DomainError(N_("A refusal must state the reasons and the legal basis (GDPR 12(4))."))
    if decision is Decision.TRANSFERRED and not str(params.get("transferred_to", "")).strip():
        raise DomainError(N_("Say to which controller the request was transferred."))


def _check_reply_letter(state: CaseState, kind: object) -> None:
    if kind is None:
        return
    if not isinstance(kind, LetterKind):
        raise DomainError(N_("Unknown letter kind {kind}"), kind=kind)
    if kind not in REPLY_LETTERS:
        return
    if kind is LetterKind.REFUSAL and state.decision not in (Decision.REFUSED, Decision.PARTLY_GRANTED):
        raise DomainError(N_("A refusal certificate needs a refusal decision."))


def _check_delivery(state: CaseState, params: dict[str, Any]) -> None:
    delivery = params.get("delivery")
    if not isinstance(delivery, Delivery):
        raise DomainError(N_("Choose how the reply is delivered."))
    if delivery is Delivery.EMAIL and state.decision in PERSONAL_DATA_DECISIONS:
        raise DomainError(
            N_(
                "A reply containing personal data cannot be sent by ordinary e-mail; "
                "send it by registered mail or hand it over at the desk."
            )
        )
    if delivery is Delivery.REGISTERED_MAIL and not state.requester.address.is_complete():
        raise DomainError(
            N_(
                "Registered mail needs the requester's complete postal address (street, postcode and "
                "post office); correct the address or hand the reply over at the desk."
            )
        )
    if delivery is Delivery.REGISTERED_MAIL and not str(params.get("tracking_number", "")).strip():
        raise DomainError(N_("Registered mail needs the tracking number."))


def allowed(state: CaseState, today: date) -> dict[Action, DomainError | None]:
    """Every action with the reason it is not allowed (None when it is)."""
    return {action: why_not(state, action, today) for action in Action}
