"""Properties of `fold`: random lives of a case, built only from steps the workflow allows, always fold
to the same state however they are replayed, and the state keeps its promises at every point."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain import identifiers
from desktop.domain.deadlines import WorkCalendar
from desktop.domain.events import Event, EventType, apply, field_value, fold
from desktop.domain.model import (
    PERSONAL_DATA_DECISIONS,
    REPLY_LETTERS,
    Address,
    AttachmentKind,
    CaseState,
    Channel,
    Decision,
    Delivery,
    IdentityMethod,
    Language,
    LetterKind,
    NewRequest,
    Requester,
    Right,
    Status,
)
from desktop.domain.workflow import Action, why_not
from desktop.services import transitions
from desktop.services.catalog import load_catalog
from desktop.store.codec import event_to_params, row_to_event

CATALOG = load_catalog()
CALENDAR = WorkCalendar()
REGISTER_IDS = CATALOG.ids()
SHAS = [c * 64 for c in "0123456789abcdef"[:5]]  # a small pool, so the same file comes twice
HETUS = ["131052-308T", "010170-123F", ""]
TEXT = st.text(alphabet=string.ascii_letters + "åäöÅÄÖ .,-", min_size=1, max_size=30).filter(str.strip)

Draw = Any  # hypothesis' `data` object
Specs = list[transitions.EventSpec]


def tracking_numbers() -> st.SearchStrategy[str]:
    return st.integers(10**7, 10**8 - 1).map(
        lambda n: f"RR{n:08d}{identifiers.s10_check_digit(f'{n:08d}')}FI"
    )


# Each step: the workflow action that `why_not` is asked about, and how to draw valid input for it.
def _attach(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.attachment_added(
        ctx,
        s,
        data.draw(st.sampled_from(SHAS)),
        data.draw(st.sampled_from(["lomake.pdf", "viesti.eml", "valtakirja.pdf"])),
        data.draw(st.sampled_from(list(AttachmentKind))),
        data.draw(st.integers(1, 10**7)),
        "application/pdf",
    )


def _identity(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    method = data.draw(st.sampled_from(list(IdentityMethod)))
    document = data.draw(st.sampled_from(["", "passi", "henkilökortti"]))
    return transitions.identity_verified(ctx, s, method, document, "clerk")


def _ask(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.clarification_requested(ctx, s, data.draw(TEXT))


def _clarified(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    assert s.open_pause is not None
    waited = (ctx.today - s.open_pause.started).days
    on = s.open_pause.started + timedelta(days=data.draw(st.integers(0, waited)))
    return transitions.clarification_received(ctx, s, on)


def _extend(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.deadline_extended(ctx, s, data.draw(TEXT))


def _decide(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    choices = list(Decision)
    if s.identity is None:
        choices = [d for d in choices if d not in (Decision.GRANTED, Decision.PARTLY_GRANTED)]
    decision = data.draw(st.sampled_from(choices))
    return transitions.decision_recorded(ctx, s, decision, data.draw(TEXT), data.draw(TEXT), data.draw(TEXT))


def _reply(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    kinds = sorted(REPLY_LETTERS)
    if s.decision not in (Decision.REFUSED, Decision.PARTLY_GRANTED):
        kinds.remove(LetterKind.REFUSAL)
    kind = data.draw(st.sampled_from(kinds))
    return transitions.letter_printed(ctx, s, kind, data.draw(st.sampled_from(list(Language))))


def _other_letter(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    kind = data.draw(st.sampled_from(sorted(set(LetterKind) - REPLY_LETTERS)))
    return transitions.letter_printed(ctx, s, kind, s.requester.language)


def _dispatch(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    deliveries = [Delivery.REGISTERED_MAIL, Delivery.PICKUP]
    if s.decision not in PERSONAL_DATA_DECISIONS:
        deliveries.append(Delivery.EMAIL)
    delivery = data.draw(st.sampled_from(deliveries))
    return transitions.dispatched(ctx, s, delivery, data.draw(tracking_numbers()))


def _hand_over(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.handed_over(ctx, s, data.draw(st.sampled_from(["passi", "ajokortti"])))


def _close(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.closed(ctx, s)


def _note(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.note_added(ctx, s, data.draw(TEXT))


def _purge(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    return transitions.purged(ctx, s)


def _correct(data: Draw, ctx: transitions.Context, s: CaseState) -> Specs:
    candidates: dict[str, st.SearchStrategy] = {
        "details": TEXT,
        "requester.name": TEXT,
        "requester.hetu": st.sampled_from(HETUS),
        "requester.language": st.sampled_from([lang.value for lang in Language]),
        "requester.address.street": TEXT,
        "requester.address.postcode": st.sampled_from(["00100", "33100", "96100"]),
        "signed": st.booleans(),
        "channel": st.sampled_from([c.value for c in Channel]),
        "right": st.sampled_from([r.value for r in Right]),
        "received": st.integers(0, 90).map(lambda n: (ctx.today - timedelta(days=n)).isoformat()),
        "registers": st.lists(st.sampled_from(REGISTER_IDS), min_size=1, max_size=2, unique=True),
    }
    fields = data.draw(st.lists(st.sampled_from(sorted(candidates)), min_size=1, max_size=3, unique=True))
    changes = {path: data.draw(candidates[path]) for path in fields}
    changes = {
        path: value
        for path, value in changes.items()
        if transitions.normalize_field(ctx, path, value) != field_value(s, path)
    }
    if not changes:
        return []  # the clerk typed what was already there: the service refuses, nothing is logged
    return transitions.fields_corrected(ctx, s, changes, data.draw(TEXT))


@dataclass(frozen=True)
class Step:
    action: Action
    build: Any


STEPS = [
    Step(Action.ATTACH, _attach),
    Step(Action.VERIFY_IDENTITY, _identity),
    Step(Action.REQUEST_CLARIFICATION, _ask),
    Step(Action.RECEIVE_CLARIFICATION, _clarified),
    Step(Action.EXTEND, _extend),
    Step(Action.RECORD_DECISION, _decide),
    Step(Action.PRINT_REPLY, _reply),
    Step(Action.ATTACH, _other_letter),  # acknowledgements and notices are allowed like an attachment
    Step(Action.DISPATCH, _dispatch),
    Step(Action.HAND_OVER, _hand_over),
    Step(Action.CLOSE, _close),
    Step(Action.CORRECT, _correct),
    Step(Action.ADD_NOTE, _note),
    Step(Action.PURGE, _purge),
]


@st.composite
def new_requests(draw: st.DrawFn) -> NewRequest:
    return NewRequest(
        right=draw(st.sampled_from(list(Right))),
        channel=draw(st.sampled_from(list(Channel))),
        received=draw(st.dates(date(2025, 1, 1), date(2026, 12, 31))),
        requester=Requester(
            name=draw(TEXT),
            hetu=draw(st.sampled_from(HETUS)),
            language=draw(st.sampled_from(list(Language))),
            email=draw(st.sampled_from(["", "maija@example.fi"])),
            address=Address(street=draw(TEXT), postcode="00100", city="HELSINKI"),
        ),
        registers=tuple(draw(st.lists(st.sampled_from(REGISTER_IDS), max_size=2, unique=True))),
        signed=draw(st.booleans()),
        details=draw(TEXT),
    )


def a_life(data: Draw) -> tuple[list[Event], list[CaseState]]:
    """Registration, then up to 30 steps on later days, each one the workflow allows at that point.

    Returns the events and the state after each of them (built one event at a time)."""
    request = data.draw(new_requests())
    day = request.received + timedelta(days=data.draw(st.integers(0, 3)))
    events: list[Event] = []
    states: list[CaseState] = []

    def record(specs: Specs) -> None:
        for event_type, payload in specs:
            at = datetime.combine(day, time(8, 0), UTC) + timedelta(seconds=len(events))
            event = Event(f"e{len(events):03d}", "case-1", event_type, payload, "clerk", at, "desk", "")
            events.append(event)
            states.append(fold([event]) if not states else apply(states[-1], event))

    ctx = transitions.Context(day, CALENDAR, CATALOG)
    record(transitions.registration(ctx, request, "KEHA/17/2026"))
    for _ in range(data.draw(st.integers(0, 30))):
        day += timedelta(days=data.draw(st.integers(0, 12)))
        allowed = [step for step in STEPS if why_not(states[-1], step.action, day) is None]
        if not allowed:
            break
        step = data.draw(st.sampled_from(allowed))
        record(step.build(data, transitions.Context(day, CALENDAR, CATALOG), states[-1]))
    return events, states


SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(st.data())
def test_fold_of_every_prefix_equals_applying_the_events_one_by_one(data: Draw) -> None:
    events, states = a_life(data)
    first = fold(events[:1])
    for k in range(1, len(events) + 1):
        assert fold(events[:k]) == reduce(apply, events[1:k], first) == states[k - 1]
    # What the log stores (JSON payloads, ISO times) folds to the very same state.
    stored = [row_to_event(event_to_params(event)) for event in events]
    assert fold(stored) == states[-1]


@SETTINGS
@given(st.data())
def test_a_closed_case_stays_closed_until_it_is_purged(data: Draw) -> None:
    _, states = a_life(data)
    for before, after in zip(states, states[1:], strict=False):
        if before.status is Status.CLOSED:
            assert after.status in (Status.CLOSED, Status.PURGED)
        if before.status is Status.PURGED:
            assert after.status is Status.PURGED
        if after.status is Status.PURGED:
            assert before.status in (Status.CLOSED, Status.PURGED)


@SETTINGS
@given(st.data())
def test_a_purged_case_keeps_its_facts_but_nothing_about_the_person(data: Draw) -> None:
    events, states = a_life(data)
    purges = [i for i, event in enumerate(events) if event.type is EventType.CASE_PURGED]
    for i in purges:
        before, after = states[i - 1], states[i]
        assert after.status is Status.PURGED
        kept = (
            "id",
            "diary_number",
            "right",
            "channel",
            "received",
            "registers",
            "due_date",
            "one_month_due",
        )
        for name in kept:
            assert getattr(after, name) == getattr(before, name), name
        assert (after.decision, after.due_dates, after.registered_at, after.closed_at) == (
            before.decision,
            before.due_dates,
            before.registered_at,
            before.closed_at,
        )
        assert after.requester.name == "" and after.requester.hetu == ""
        assert (after.requester.email, after.requester.phone, after.requester.address) == ("", "", Address())
        assert after.details == "" and after.attachments == () and after.notes == ()
        assert after.identity is None and after.decision_reasons == "" and after.extension_reason == ""
        assert all(pause.what == "" for pause in after.pauses)
        # Nothing that could arrive later brings the person back.
        assert all(s.requester.name == "" and s.attachments == () for s in states[i:])


@SETTINGS
@given(st.data())
def test_the_due_date_is_always_the_last_one_recorded(data: Draw) -> None:
    _, states = a_life(data)
    for state in states:
        assert state.due_dates, "the first due date is recorded at registration"
        assert state.due_date == state.due_dates[-1].due
