"""A clerk's work through the case service, on a real data dir: every rule of the workflow that the
foundation promises (design §2, §4), with the log, the projection and the file store checked after each."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.errors import DomainError
from desktop.domain.events import EventType
from desktop.domain.model import (
    AttachmentKind,
    Decision,
    Delivery,
    IdentityMethod,
    LetterKind,
    Status,
)
from desktop.services.accounts import PermissionDenied
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI, FixedClock
from desktop.services.maintenance import verify
from desktop.services.workspace import Workspace

D = date.fromisoformat


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(D(day), datetime.min.time().replace(hour=hour), HELSINKI).astimezone(UTC)


def scanned_form() -> bytes:
    """A two-page 'scanned' signed request, as a real PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.drawString(72, 760, "Tarkastuspyyntö – Maija Meikäläinen, 131052-308T")
    canvas.showPage()
    canvas.drawString(72, 760, "Allekirjoitus: Maija Meikäläinen")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def blob_files(workspace: Workspace) -> list[str]:
    root = workspace.blobs.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def event_types(service: CaseService, diary: str) -> list[EventType]:
    return [e.type for e in service.timeline(diary)]


def projection(service: CaseService, diary: str):
    [row] = [r for r in service.rows(service.query()) if r.diary_number == diary]
    return row


def decided(service: CaseService, request: dict, decision: Decision = Decision.GRANTED) -> str:
    """A registered request, identity checked, decided; returns its diary number."""
    diary = service.register(request).diary_number
    service.verify_identity(diary, IdentityMethod.SIGNATURE)
    service.record_decision(diary, decision)
    return diary


def closed_case(service: CaseService, request: dict) -> str:
    diary = service.register(request).diary_number
    service.withdraw(diary, "Pyytäjä peruutti pyynnön puhelimessa.")
    service.close(diary)
    return diary


# ---------------------------------------------------------------------------------------------------
# From intake to closing


def test_paper_access_request_from_intake_to_closed(
    clerk_service: CaseService, workspace: Workspace, paper_request: dict
) -> None:
    state = clerk_service.register(paper_request)
    diary = state.diary_number
    assert diary == "KEHA/1/2026"
    assert state.status is Status.REGISTERED
    assert state.received == D("2026-11-06")
    assert state.due_date == D("2026-12-07")  # 6.12. is a Sunday (and Independence Day)
    assert state.one_month_due == D("2026-12-07")
    assert state.requester.address.city == "HELSINKI"

    pdf = scanned_form()
    result = clerk_service.attach_bytes(diary, pdf, "tarkastuspyyntö.pdf", AttachmentKind.SIGNED_FORM)
    assert not result.already_attached
    assert result.sha256 == hashlib.sha256(pdf).hexdigest()
    [attachment] = result.state.attachments
    assert (attachment.filename, attachment.kind, attachment.size) == (
        "tarkastuspyyntö.pdf",
        AttachmentKind.SIGNED_FORM,
        len(pdf),
    )
    assert attachment.media_type == "application/pdf"
    assert clerk_service.read_attachment(result.sha256) == pdf
    assert blob_files(workspace) == [f"{result.sha256[:2]}/{result.sha256[2:]}"]

    state = clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    assert state.status is Status.IN_PROGRESS
    assert state.identity is not None
    assert (state.identity.method, state.identity.verified_by) == (IdentityMethod.SIGNATURE, "clerk")

    state = clerk_service.record_decision(diary, Decision.GRANTED)
    assert (state.status, state.decision) == (Status.DECIDED, Decision.GRANTED)

    state = clerk_service.mark_letter_printed(diary, LetterKind.ACCESS_REPLY)
    assert state.status is Status.PRINTED
    assert state.letters == ("access_reply",)

    state = clerk_service.dispatch(diary, Delivery.REGISTERED_MAIL, "rr 1234 5678 5fi")
    assert state.status is Status.SENT
    assert state.tracking_number == "RR123456785FI"
    assert state.dispatched_on == D("2026-11-23")

    state = clerk_service.close(diary)
    assert state.status is Status.CLOSED
    assert state.closed_at is not None
    assert state.due_date == D("2026-12-07")
    assert [d.due for d in state.due_dates] == [D("2026-12-07")]

    assert event_types(clerk_service, diary) == [
        EventType.CASE_REGISTERED,
        EventType.ATTACHMENT_ADDED,
        EventType.IDENTITY_VERIFIED,
        EventType.DECISION_RECORDED,
        EventType.LETTER_PRINTED,
        EventType.DISPATCHED,
        EventType.CASE_CLOSED,
    ]
    assert {e.actor for e in clerk_service.timeline(diary)} == {"clerk"}
    assert clerk_service.get(diary) == state  # what was returned is what the log folds to

    row = projection(clerk_service, diary)
    assert (row.status, row.right, row.channel) == ("closed", "access", "post")
    assert (row.received, row.due_date) == ("2026-11-06", "2026-12-07")
    assert (row.requester_name, row.hetu) == ("Maija Meikäläinen", "131052-308T")
    assert (row.postcode, row.city, row.registers) == ("00100", "HELSINKI", "te-asiakasrekisteri")
    assert (row.decision, row.delivery, row.tracking_number) == (
        "granted",
        "registered_mail",
        "RR123456785FI",
    )
    assert (row.diary_year, row.diary_seq) == (2026, 1)
    assert verify(workspace) == []


def test_diary_numbers_count_up_within_the_year(clerk_service: CaseService, paper_request: dict) -> None:
    numbers = [clerk_service.register(paper_request).diary_number for _ in range(3)]
    assert numbers == ["KEHA/1/2026", "KEHA/2/2026", "KEHA/3/2026"]


# ---------------------------------------------------------------------------------------------------
# Extension of the deadline


def test_extension_needs_a_reason_and_gives_three_months_from_receipt(
    clerk_service: CaseService, paper_request: dict
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    for reason in ("", "   "):
        with pytest.raises(DomainError, match="reasons for the extension"):
            clerk_service.extend(diary, reason)
    assert event_types(clerk_service, diary) == [EventType.CASE_REGISTERED]

    state = clerk_service.extend(diary, "Pyyntö koskee laajaa aineistoa useasta järjestelmästä.")
    # 6.2.2027 is a Saturday: the extended period ends on Monday 8.2.2027.
    assert state.due_date == D("2027-02-08")
    assert state.extended
    assert state.extension_reason == "Pyyntö koskee laajaa aineistoa useasta järjestelmästä."
    assert [(d.due, d.reason) for d in state.due_dates] == [
        (D("2026-12-07"), "received"),
        (D("2027-02-08"), "extended"),
    ]
    assert projection(clerk_service, diary).due_date == "2027-02-08"
    assert projection(clerk_service, diary).extended

    with pytest.raises(DomainError, match="already been extended once"):
        clerk_service.extend(diary, "Vielä lisää aikaa.")
    assert clerk_service.get(diary).due_date == D("2027-02-08")


def test_extension_is_possible_until_the_one_month_due_date_and_not_after(
    clerk_service: CaseService, clock: FixedClock, paper_request: dict
) -> None:
    on_time = clerk_service.register(paper_request).diary_number
    late = clerk_service.register(paper_request).diary_number

    clock.set(at("2026-12-07"))  # the one-month due date itself
    assert clerk_service.extend(on_time, "Laaja aineisto.").due_date == D("2027-02-08")

    clock.set(at("2026-12-08"))
    with pytest.raises(DomainError, match=r"within the first month, by 2026-12-07"):
        clerk_service.extend(late, "Laaja aineisto.")
    state = clerk_service.get(late)
    assert (state.extended, state.due_date) == (False, D("2026-12-07"))
    assert event_types(clerk_service, late) == [EventType.CASE_REGISTERED]


# ---------------------------------------------------------------------------------------------------
# Clarification: the clock stops and restarts


def test_clarification_stops_the_clock_and_restarts_it_from_the_arrival_day(
    clerk_service: CaseService, clock: FixedClock, paper_request: dict
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    with pytest.raises(DomainError, match="Say what the requester must clarify"):
        clerk_service.request_clarification(diary, " ")

    state = clerk_service.request_clarification(diary, "Allekirjoitus puuttuu.")
    assert state.status is Status.WAITING
    assert state.open_pause is not None and state.open_pause.started == D("2026-11-23")
    assert projection(clerk_service, diary).status == "waiting"
    # While the clock is stopped the case is neither overdue nor due soon, whatever its old due date.
    clock.set(at("2026-12-10"))
    assert clerk_service.rows(clerk_service.query(overdue=True)) == []
    assert clerk_service.rows(clerk_service.query(due_within=30)) == []
    with pytest.raises(DomainError, match="stopped while waiting"):
        clerk_service.extend(diary, "Laaja aineisto.")

    with pytest.raises(DomainError, match=r"before it was asked for \(2026-11-23\)"):
        clerk_service.receive_clarification(diary, D("2026-11-20"))
    with pytest.raises(DomainError, match="in the future"):
        clerk_service.receive_clarification(diary, D("2026-12-11"))
    assert clerk_service.get(diary).status is Status.WAITING

    state = clerk_service.receive_clarification(diary, D("2026-11-30"))
    assert state.status is Status.REGISTERED
    assert state.pauses[-1].ended == D("2026-11-30")
    assert state.open_pause is None
    assert state.due_date == D("2026-12-30")  # one month from the arrival, not from the receipt
    assert state.one_month_due == D("2026-12-30")
    assert [(d.due, d.reason) for d in state.due_dates] == [
        (D("2026-12-07"), "received"),
        (D("2026-12-30"), "clarification_received"),
    ]
    assert projection(clerk_service, diary).due_date == "2026-12-30"
    [row] = clerk_service.rows(clerk_service.query(due_within=30))
    assert row.diary_number == diary

    # The extension now also counts from the arrival: 28.2.2027 is a Sunday.
    assert clerk_service.extend(diary, "Laaja aineisto.").due_date == D("2027-03-01")


def test_clarification_on_the_day_it_was_asked_is_accepted(
    clerk_service: CaseService, paper_request: dict
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    clerk_service.request_clarification(diary, "Mitä rekisteriä pyyntö koskee?")
    state = clerk_service.receive_clarification(diary, D("2026-11-23"))
    assert state.status is Status.IN_PROGRESS  # identity had been checked before the pause
    assert state.due_date == D("2026-12-23")


# ---------------------------------------------------------------------------------------------------
# Refusal: reasons, legal basis, and who may refuse


@pytest.mark.parametrize("decision", [Decision.REFUSED, Decision.PARTLY_GRANTED])
def test_only_a_reviewer_may_refuse_and_only_with_reasons_and_legal_basis(
    clerk_service: CaseService, reviewer_service: CaseService, paper_request: dict, decision: Decision
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    reasons = "Tiedot ovat salassa pidettäviä."
    basis = "JulkL 24 § 1 mom. 25 k."

    with pytest.raises(PermissionDenied, match=r"clerk \(clerk\) is not allowed"):
        clerk_service.record_decision(diary, decision, reasons, basis)
    for missing in (("", basis), (reasons, ""), ("  ", "  ")):
        with pytest.raises(DomainError, match=r"reasons and the legal basis \(GDPR 12\(4\)\)"):
            reviewer_service.record_decision(diary, decision, *missing)
    assert clerk_service.get(diary).decision is None
    assert EventType.DECISION_RECORDED not in event_types(clerk_service, diary)

    state = reviewer_service.record_decision(diary, decision, reasons, basis)
    assert (state.status, state.decision) == (Status.DECIDED, decision)
    assert (state.decision_reasons, state.legal_basis) == (reasons, basis)
    [decided_event] = [e for e in clerk_service.timeline(diary) if e.type is EventType.DECISION_RECORDED]
    assert decided_event.actor == "reviewer"
    assert decided_event.payload["legal_basis"] == basis

    # The clerk carries on: printing the refusal certificate is ordinary processing.
    assert clerk_service.mark_letter_printed(diary, LetterKind.REFUSAL).status is Status.PRINTED


def test_a_clerk_may_grant_but_not_before_identity_is_checked(
    clerk_service: CaseService, paper_request: dict
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    with pytest.raises(DomainError, match="Verify the requester's identity"):
        clerk_service.record_decision(diary, Decision.GRANTED)
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    assert clerk_service.record_decision(diary, Decision.GRANTED).decision is Decision.GRANTED


# ---------------------------------------------------------------------------------------------------
# Delivery of the reply


def test_a_reply_with_personal_data_never_goes_by_ordinary_email(
    clerk_service: CaseService, paper_request: dict
) -> None:
    diary = decided(clerk_service, paper_request, Decision.GRANTED)
    clerk_service.mark_letter_printed(diary, LetterKind.ACCESS_REPLY)
    with pytest.raises(DomainError, match="cannot be sent by ordinary e-mail"):
        clerk_service.dispatch(diary, Delivery.EMAIL)
    with pytest.raises(DomainError, match="needs the tracking number"):
        clerk_service.dispatch(diary, Delivery.REGISTERED_MAIL, "")
    with pytest.raises(DomainError, match="check digit .* should be 5"):
        clerk_service.dispatch(diary, Delivery.REGISTERED_MAIL, "RR123456784FI")
    state = clerk_service.get(diary)
    assert (state.status, state.delivery) == (Status.PRINTED, None)
    assert EventType.DISPATCHED not in event_types(clerk_service, diary)

    # A reply that holds no personal data ("no data found") may go by e-mail.
    other = decided(clerk_service, paper_request, Decision.NO_DATA)
    clerk_service.mark_letter_printed(other, LetterKind.NO_DATA)
    state = clerk_service.dispatch(other, Delivery.EMAIL)
    assert (state.status, state.delivery) == (Status.SENT, Delivery.EMAIL)


def test_pickup_at_the_desk_needs_the_id_document(clerk_service: CaseService, paper_request: dict) -> None:
    diary = decided(clerk_service, paper_request)
    clerk_service.mark_letter_printed(diary, LetterKind.ACCESS_REPLY)
    with pytest.raises(DomainError, match="not waiting for pickup"):
        clerk_service.hand_over(diary, "passi")
    state = clerk_service.dispatch(diary, Delivery.PICKUP)
    assert state.status is Status.AWAITING_PICKUP
    assert projection(clerk_service, diary).status == "awaiting_pickup"
    with pytest.raises(DomainError, match="cannot be closed"):
        clerk_service.close(diary)
    for document in ("", "   "):
        with pytest.raises(DomainError, match="which ID document was seen"):
            clerk_service.hand_over(diary, document)
    assert clerk_service.get(diary).status is Status.AWAITING_PICKUP

    state = clerk_service.hand_over(diary, "passi")
    assert (state.status, state.handed_over_id_document) == (Status.HANDED_OVER, "passi")
    assert clerk_service.close(diary).status is Status.CLOSED


# ---------------------------------------------------------------------------------------------------
# Corrections


def test_a_correction_logs_old_and_new_values_and_the_reason(
    clerk_service: CaseService, paper_request: dict
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    with pytest.raises(DomainError, match="needs a reason"):
        clerk_service.correct(diary, {"requester.address.street": "Hämeenkatu 5"}, "")
    with pytest.raises(DomainError, match="same as the old ones"):
        clerk_service.correct(diary, {"requester.address.street": "Mannerheimintie 1 A 2"}, "Tarkistus")
    with pytest.raises(DomainError, match="check character"):
        clerk_service.correct(diary, {"requester.hetu": "131052-308A"}, "Näppäilyvirhe")
    assert event_types(clerk_service, diary) == [EventType.CASE_REGISTERED]

    state = clerk_service.correct(
        diary,
        {"requester.address.street": "Hämeenkatu 5", "requester.address.postcode": "33100"},
        "Pyytäjä ilmoitti uuden osoitteen puhelimessa.",
    )
    assert state.requester.address.street == "Hämeenkatu 5"
    [event] = [e for e in clerk_service.timeline(diary) if e.type is EventType.FIELDS_CORRECTED]
    assert event.actor == "clerk"
    assert event.payload["reason"] == "Pyytäjä ilmoitti uuden osoitteen puhelimessa."
    assert event.payload["changes"] == {
        "requester.address.street": {"old": "Mannerheimintie 1 A 2", "new": "Hämeenkatu 5"},
        "requester.address.postcode": {"old": "00100", "new": "33100"},
    }
    assert projection(clerk_service, diary).postcode == "33100"
    assert [r.diary_number for r in clerk_service.rows(clerk_service.query(text="Hämeenkatu"))] == [diary]
    assert clerk_service.rows(clerk_service.query(text="Mannerheimintie")) == []


def test_correcting_the_received_date_recomputes_the_due_date(
    clerk_service: CaseService, paper_request: dict
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    state = clerk_service.correct(diary, {"received": "2026-11-02"}, "Leimattu saapuneeksi 2.11.")
    assert state.received == D("2026-11-02")
    assert state.due_date == D("2026-12-02")
    assert [(d.due, d.reason) for d in state.due_dates][-1] == (D("2026-12-02"), "corrected")
    [event] = [e for e in clerk_service.timeline(diary) if e.type is EventType.FIELDS_CORRECTED]
    assert event.payload["changes"] == {"received": {"old": "2026-11-06", "new": "2026-11-02"}}
    row = projection(clerk_service, diary)
    assert (row.received, row.due_date) == ("2026-11-02", "2026-12-02")


# ---------------------------------------------------------------------------------------------------
# A closed case


def test_a_closed_case_refuses_changes(
    clerk_service: CaseService, reviewer_service: CaseService, workspace: Workspace, paper_request: dict
) -> None:
    diary = closed_case(clerk_service, paper_request)
    before = clerk_service.timeline(diary)
    refused = [
        lambda: clerk_service.attach_bytes(diary, scanned_form(), "lomake.pdf", AttachmentKind.SIGNED_FORM),
        lambda: clerk_service.verify_identity(diary, IdentityMethod.PASSPORT, "passi"),
        lambda: clerk_service.request_clarification(diary, "Allekirjoitus puuttuu."),
        lambda: clerk_service.extend(diary, "Laaja aineisto."),
        lambda: reviewer_service.record_decision(diary, Decision.REFUSED, "Syy", "Peruste"),
        lambda: clerk_service.mark_letter_printed(diary, LetterKind.REPLY),
        lambda: clerk_service.dispatch(diary, Delivery.REGISTERED_MAIL, "RR123456785FI"),
        lambda: clerk_service.close(diary),
    ]
    for action in refused:
        with pytest.raises(DomainError, match=r"Case KEHA/1/2026 is closed\."):
            action()
    assert clerk_service.timeline(diary) == before
    assert blob_files(workspace) == []  # the refused attachment left no file behind
    assert clerk_service.get(diary).status is Status.CLOSED


# ---------------------------------------------------------------------------------------------------
# Attachments


def test_the_same_file_attached_twice_is_stored_once(
    clerk_service: CaseService, workspace: Workspace, paper_request: dict, tmp_path: Path
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    pdf = scanned_form()
    first = clerk_service.attach_bytes(diary, pdf, "lomake.pdf", AttachmentKind.SIGNED_FORM)
    path = tmp_path / "skannattu uudelleen.pdf"
    path.write_bytes(pdf)
    second = clerk_service.attach_file(diary, path, AttachmentKind.OTHER)

    assert (first.already_attached, second.already_attached) == (False, True)
    assert second.sha256 == first.sha256
    assert [a.filename for a in second.state.attachments] == ["lomake.pdf"]
    assert blob_files(workspace) == [f"{first.sha256[:2]}/{first.sha256[2:]}"]
    assert event_types(clerk_service, diary).count(EventType.ATTACHMENT_ADDED) == 1

    # The same bytes on another case are a second attachment but still one file in the store.
    other = clerk_service.register(paper_request).diary_number
    third = clerk_service.attach_bytes(other, pdf, "kopio.pdf", AttachmentKind.SIGNED_FORM)
    assert not third.already_attached
    assert len(blob_files(workspace)) == 1


PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "lomake.pdf", "named as application/pdf but its content is image/png"),
        (b"%PDF-1.4\n" + bytes(64), "kuva.jpg", "named as image/jpeg but its content is application/pdf"),
        (JPEG, "viesti.eml", "named as message/rfc822 but its content is image/jpeg"),
        (b"MZ\x90\x00" + bytes(64), "lomake.pdf", "not a PDF, JPEG, PNG, TIFF or e-mail"),
        (b"", "tyhja.pdf", "is empty"),
    ],
)
def test_a_file_whose_content_does_not_match_is_refused_and_nothing_is_stored(
    clerk_service: CaseService,
    workspace: Workspace,
    paper_request: dict,
    tmp_path: Path,
    content: bytes,
    name: str,
    message: str,
) -> None:
    diary = clerk_service.register(paper_request).diary_number
    with pytest.raises(DomainError, match=message):
        clerk_service.attach_bytes(diary, content, name, AttachmentKind.SIGNED_FORM)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DomainError, match=message):
        clerk_service.attach_file(diary, path, AttachmentKind.SIGNED_FORM)
    assert blob_files(workspace) == []
    assert clerk_service.get(diary).attachments == ()
    assert event_types(clerk_service, diary) == [EventType.CASE_REGISTERED]
