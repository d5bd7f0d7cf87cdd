"""The letter use cases: which letter, workflow checks, the requester's language, keeping the reply as evidence."""

from __future__ import annotations

import hashlib

import pytest
from printing_helpers import all_text, find, runs

from desktop.domain.errors import DomainError
from desktop.domain.events import EventType
from desktop.domain.model import AttachmentKind, Decision, IdentityMethod, LetterKind, Status
from desktop.services import letters


def test_suggested_kind_follows_the_case(clerk_service, reviewer_service, paper_request):
    diary = clerk_service.register(paper_request).diary_number
    assert letters.suggested_kind(clerk_service.get(diary)) is LetterKind.ACKNOWLEDGEMENT
    clerk_service.request_clarification(diary, "Allekirjoitus puuttuu.")
    assert letters.suggested_kind(clerk_service.get(diary)) is LetterKind.CLARIFICATION
    clerk_service.receive_clarification(diary)
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    assert letters.suggested_kind(clerk_service.get(diary)) is LetterKind.ACKNOWLEDGEMENT
    clerk_service.record_decision(diary, Decision.GRANTED)
    assert letters.suggested_kind(clerk_service.get(diary)) is LetterKind.ACCESS_REPLY


@pytest.mark.parametrize(
    ("right", "decision", "expected"),
    [
        ("access", Decision.GRANTED, LetterKind.ACCESS_REPLY),
        ("rectification", Decision.GRANTED, LetterKind.RECTIFICATION_DONE),
        ("recording", Decision.GRANTED, LetterKind.RECORDING_APPOINTMENT),
        ("erasure", Decision.GRANTED, LetterKind.REPLY),
        ("access", Decision.NO_DATA, LetterKind.NO_DATA),
        ("access", Decision.REFUSED, LetterKind.REFUSAL),
        ("access", Decision.PARTLY_GRANTED, LetterKind.REFUSAL),
        ("access", Decision.TRANSFERRED, LetterKind.REPLY),
        ("access", Decision.WITHDRAWN, LetterKind.REPLY),
    ],
)
def test_suggested_kind_from_decision_and_right(
    right, decision, expected, clerk_service, reviewer_service, paper_request
):
    paper_request["right"] = right
    paper_request["registers"] = ["palkkaturva-puhelut" if right == "recording" else "kainuu-webropol"]
    diary = clerk_service.register(paper_request).diary_number
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    reviewer_service.record_decision(
        diary,
        decision,
        "Perustelut.",
        "Oikeusperuste.",
        "Kansaneläkelaitos" if decision is Decision.TRANSFERRED else "",
    )
    assert letters.suggested_kind(clerk_service.get(diary)) is expected


def test_a_reply_needs_a_decision(clerk_service, paper_request):
    diary = clerk_service.register(paper_request).diary_number
    for kind in (LetterKind.ACCESS_REPLY, LetterKind.REFUSAL, LetterKind.NO_DATA, LetterKind.REPLY):
        with pytest.raises(DomainError, match="Record the decision"):
            letters.render_letter(clerk_service, diary, kind)
    with pytest.raises(DomainError, match="extension"):
        letters.render_letter(clerk_service, diary, LetterKind.EXTENSION)
    with pytest.raises(DomainError, match="clarify"):
        letters.render_letter(clerk_service, diary, LetterKind.CLARIFICATION)
    with pytest.raises(DomainError, match="Unknown letter kind"):
        letters.render_letter(clerk_service, diary, "love_letter")


def test_kind_must_match_the_decision(make_case, clerk_service):
    diary = make_case(LetterKind.NO_DATA)
    with pytest.raises(DomainError, match="access reply needs a decision that grants"):
        letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    with pytest.raises(DomainError, match="rectification"):
        letters.render_letter(clerk_service, diary, LetterKind.RECTIFICATION_DONE)


def test_requesters_language_by_default_other_on_request(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY, "sv")
    swedish = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    assert find(runs(swedish), "SVAR")
    assert "Svar på er begäran om tillgång" in all_text(swedish)
    finnish = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY, "fi")
    assert find(runs(finnish), "VASTAUS")
    with pytest.raises(DomainError, match="Unknown language"):
        letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY, "de")


def test_rendering_is_byte_stable_and_changes_nothing(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY)
    before = clerk_service.timeline(diary)
    first = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    assert first == letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY)
    assert clerk_service.timeline(diary) == before


def test_save_reply_keeps_the_pdf_and_records_the_print(make_case, clerk_service):
    diary = make_case(LetterKind.ACCESS_REPLY)
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACCESS_REPLY, free_text="Lisäkappale.")
    state = letters.save_reply(clerk_service, diary, LetterKind.ACCESS_REPLY, pdf)
    sha = hashlib.sha256(pdf).hexdigest()
    assert state.status is Status.PRINTED
    assert state.letters[-1] == LetterKind.ACCESS_REPLY.value
    reply = [a for a in state.attachments if a.kind is AttachmentKind.REPLY]
    assert [(a.sha256, a.filename, a.media_type) for a in reply] == [
        (sha, "access_reply_fi_KEHA-1-2026.pdf", "application/pdf")
    ]
    assert clerk_service.read_attachment(sha) == pdf
    printed = [e for e in clerk_service.timeline(diary) if e.type is EventType.LETTER_PRINTED]
    assert printed[-1].payload == {"kind": "access_reply", "language": "fi", "sha256": sha}


def test_save_reply_refused_leaves_nothing_behind(make_case, clerk_service):
    diary = make_case(LetterKind.ACKNOWLEDGEMENT)
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACKNOWLEDGEMENT)
    before = clerk_service.get(diary)
    with pytest.raises(DomainError, match="Record the decision"):
        letters.save_reply(clerk_service, diary, LetterKind.ACCESS_REPLY, pdf)
    with pytest.raises(DomainError, match="not a PDF"):
        letters.save_reply(clerk_service, diary, LetterKind.ACKNOWLEDGEMENT, b"hello")
    assert clerk_service.get(diary) == before
    assert not clerk_service.workspace.blobs.exists(hashlib.sha256(pdf).hexdigest())


def test_notice_letters_are_kept_without_moving_the_case(make_case, clerk_service):
    diary = make_case(LetterKind.ACKNOWLEDGEMENT)
    pdf = letters.render_letter(clerk_service, diary, LetterKind.ACKNOWLEDGEMENT)
    state = letters.save_reply(clerk_service, diary, LetterKind.ACKNOWLEDGEMENT, pdf, "en")
    assert state.status is Status.REGISTERED
    assert state.letters == ("acknowledgement",)
    assert state.attachments[-1].filename == "acknowledgement_en_KEHA-1-2026.pdf"


def test_pickup_receipt_names_the_id_document_and_has_signature_lines(make_case, clerk_service):
    diary = make_case(LetterKind.PICKUP_NOTICE)
    with pytest.raises(DomainError, match="ID document"):
        letters.pickup_receipt_pdf(clerk_service, diary)
    pdf = letters.pickup_receipt_pdf(clerk_service, diary, "ajokortti")
    text = " ".join(all_text(pdf).split())
    assert "LUOVUTUSKUITTI" in text
    assert "Henkilöllisyys todettu asiakirjasta: ajokortti" in text
    assert "Vastaanottajan allekirjoitus ja nimenselvennys" in text
    assert "Luovuttajan allekirjoitus ja nimenselvennys" in text
    assert "23.11.2026" in text


def test_ready_to_print_lists_decided_cases_with_their_letter(make_case, clerk_service):
    access = make_case(LetterKind.ACCESS_REPLY)
    refusal = make_case(LetterKind.REFUSAL, "sv")
    make_case(LetterKind.ACKNOWLEDGEMENT)  # no decision yet
    printed = make_case(LetterKind.NO_DATA)
    letters.save_reply(
        clerk_service,
        printed,
        LetterKind.NO_DATA,
        letters.render_letter(clerk_service, printed, LetterKind.NO_DATA),
    )
    assert letters.ready_to_print(clerk_service) == [
        (access, LetterKind.ACCESS_REPLY),
        (refusal, LetterKind.REFUSAL),
    ]
