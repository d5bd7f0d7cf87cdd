"""A case with a clarification, an extension, a refusal and a dispatch, brought through the real services."""

from __future__ import annotations

import io
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from PIL import Image

from desktop.domain.model import AttachmentKind, Decision, Delivery, IdentityMethod, LetterKind
from desktop.services import letters
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI, FixedClock

OTHER_REQUESTER = "Kalle Toinen-Ulkopuolinen"
REFUSAL_BASIS = "EU:n yleinen tietosuoja-asetus 17 artiklan 3 kohdan b alakohta; laki 916/2012."


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=HELSINKI).astimezone(UTC)


@dataclass(frozen=True)
class StoryCase:
    diary: str
    other_diary: str


def _scan() -> bytes:
    image = Image.new("RGB", (200, 280), "white")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def story_case(
    clerk_service: CaseService, reviewer_service: CaseService, clock: FixedClock, paper_request: dict
) -> StoryCase:
    """Received 31.1.2026 (due 2.3.2026: 28.2. is a Saturday); clock stopped 10.2.–25.2.; extended 2.3.
    with notice; refused 20.4. by the reviewer; the refusal dispatched by registered mail."""
    clock.set(at("2026-02-02"))
    request = deepcopy(paper_request)
    request["received"] = "2026-01-31"
    request["right"] = "erasure"
    diary = clerk_service.register(request).diary_number
    other = deepcopy(paper_request)
    other["received"] = "2026-02-01"
    other["requester"].update(name=OTHER_REQUESTER, hetu="010190-123M")
    other_diary = clerk_service.register(other).diary_number
    clerk_service.attach_bytes(diary, _scan(), "lomake.png", AttachmentKind.SIGNED_FORM)
    clerk_service.open_case(diary)  # a view, for the access log

    def keep(kind: LetterKind) -> None:
        pdf = letters.render_letter(clerk_service, diary, kind)
        letters.save_reply(clerk_service, diary, kind, pdf)

    clock.set(at("2026-02-10"))
    clerk_service.request_clarification(diary, "Allekirjoitus puuttuu lomakkeesta.")
    keep(LetterKind.CLARIFICATION)
    clock.set(at("2026-02-25"))
    clerk_service.receive_clarification(diary)
    clerk_service.verify_identity(diary, IdentityMethod.SIGNATURE)
    clock.set(at("2026-03-02"))
    clerk_service.extend(diary, "Pyyntö koskee useita rekistereitä.")
    keep(LetterKind.EXTENSION)
    clock.set(at("2026-04-20"))
    reviewer_service.record_decision(
        diary, Decision.REFUSED, "Tiedot ovat tarpeen lakisääteisten tehtävien hoitamiseksi.", REFUSAL_BASIS
    )
    pdf = letters.render_letter(reviewer_service, diary, LetterKind.REFUSAL)
    letters.save_reply(reviewer_service, diary, LetterKind.REFUSAL, pdf)
    clock.set(at("2026-04-21"))
    clerk_service.dispatch(diary, Delivery.REGISTERED_MAIL, "RR123456785FI")
    clock.set(at("2026-05-04"))
    return StoryCase(diary, other_diary)
