"""The registered-mail dispatch list of a day: the day's letters with their tracking numbers, and totals."""

from __future__ import annotations

from datetime import date, timedelta

from printing_helpers import all_text, font_problems, page_count, runs

from desktop.domain.identifiers import s10_check_digit
from desktop.domain.model import Delivery, LetterKind
from desktop.services import letters


def _tracking(serial: int) -> str:
    digits = f"{serial:08d}"
    return f"RR{digits}{s10_check_digit(digits)}FI"


def _send(service, diary: str, tracking: str) -> None:
    pdf = letters.render_letter(service, diary, letters.suggested_kind(service.get(diary)))
    letters.save_reply(service, diary, letters.suggested_kind(service.get(diary)), pdf)
    service.dispatch(diary, Delivery.REGISTERED_MAIL, tracking)


def test_dispatch_list_of_the_day(make_case, clerk_service, clock):
    today = clerk_service.clock.today()
    sent = {}
    for serial, kind in enumerate(
        (LetterKind.ACCESS_REPLY, LetterKind.REFUSAL, LetterKind.NO_DATA), start=12345670
    ):
        diary = make_case(kind)
        sent[diary] = _tracking(serial)
        _send(clerk_service, diary, sent[diary])
    picked_up = make_case(LetterKind.PICKUP_NOTICE)  # handed over at the desk: not on the list
    clock.set(clock.instant + timedelta(days=1))
    tomorrow_case = make_case(LetterKind.ACCESS_REPLY)
    _send(clerk_service, tomorrow_case, _tracking(99999990))

    items = letters.dispatch_items(clerk_service, today)
    assert [item.diary_number for item in items] == sorted(sent, key=lambda d: int(d.split("/")[1]))
    assert [item.tracking_number for item in items] == [sent[d] for d in (i.diary_number for i in items)]
    assert {item.kind for item in items} == {"access_reply", "refusal", "no_data"}

    pdf = letters.dispatch_list_pdf(clerk_service, today)
    text = all_text(pdf)
    for diary, tracking in sent.items():
        assert tracking in text
        assert diary in text
    assert _tracking(99999990) not in text
    assert picked_up not in text
    assert "Kirjattuja kirjeitä yhteensä: 3" in text
    assert "Testivirasto" in text and "23.11.2026" in text
    assert "Maija Meikäläinen" in text and "00100" in text
    assert "Kieltäytymistodistus" in text  # the kind, named in the office's language
    assert font_problems(pdf) == []
    first = runs(pdf)
    number = next(run for run in first if run.text == f"1 ({page_count(pdf)})")
    assert number.x > 170


def test_dispatch_list_of_a_quiet_day(clerk_service):
    pdf = letters.dispatch_list_pdf(clerk_service, date(2026, 11, 1))
    text = all_text(pdf)
    assert "LÄHETYSLUETTELO" in text
    assert "Tältä päivältä ei ole kirjattuja lähetyksiä." in text


def test_dispatch_list_runs_over_pages_with_headers(make_case, clerk_service):
    today = clerk_service.clock.today()
    for serial in range(40):
        diary = make_case(LetterKind.NO_DATA)
        _send(clerk_service, diary, _tracking(20000000 + serial))
    pdf = letters.dispatch_list_pdf(clerk_service, today, "sv")
    assert page_count(pdf) >= 2
    for page in range(page_count(pdf)):
        texts = [run.text for run in runs(pdf, page)]
        if any(text.startswith("RR2000") for text in texts):
            assert "Försändelsenummer" in texts  # the column captions repeat on every page of the table
        assert f"{page + 1} ({page_count(pdf)})" in texts
    text = all_text(pdf)
    assert all(_tracking(20000000 + serial) in text for serial in range(40))
    assert "Rekommenderade brev sammanlagt: 40" in text
