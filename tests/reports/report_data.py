"""The reports' fixed set of cases, whose figures are worked out by hand.

The fixed set (received 1.6.–23.11.2026, "today" Monday 23.11.2026) — reply = first Dispatched/HandedOver:

| case | received | channel      | right         | registers                  | story                          | result    | days |
|------|----------|--------------|---------------|----------------------------|--------------------------------|-----------|------|
| A    | 1.9.     | post         | access        | te-asiakasrekisteri        | reply 11.9. (due 1.10.)        | one month | 10   |
| B    | 3.8.     | secure_email | rectification | te-asiakasrekisteri        | reply 8.9. (due 3.9.)          | late      | 36   |
| C    | 1.6.     | post         | access        | kainuu-webropol            | extended 20.6. (due 1.9.), 25.8.| extension| 85   |
| D    | 1.7.     | post         | access        | te-asiakasrekisteri        | paused 3.7.–20.7. (due 20.8.), 14.8. | one month | 44 |
| E    | 5.10.    | in_person    | objection     | te-asiakasrekisteri        | withdrawn 6.10.                | withdrawn |      |
| F    | 6.10.    | post         | access        | te-asiakasrekisteri        | reply 9.11. (stored due 6.11.) | late      | 34   |
| G    | 20.11.   | in_person    | access        | te-asiakasrekisteri, kainuu-webropol | registered           | pending (age 3)  | |
| H    | 12.11.   | secure_email | erasure       | palkkaturva-puhelut        | identity checked               | pending (age 11) | |
| I    | 2.11.    | post         | access        | te-asiakasrekisteri        | waiting for the requester      | pending (age 21) | |
| J    | 1.10.    | post         | access        | te-asiakasrekisteri        | in progress (due 2.11.)        | overdue (age 53) | |
| K    | 10.9.    | secure_email | access        | te-asiakasrekisteri        | decided, not sent (due 12.10.) | overdue (age 74) | |
| L    | 12.10.   | in_person    | recording     | palkkaturva-puhelut        | pickup: dispatched 20.10., handed over 27.10. | one month | 8 |
| M    | 15.5.    | post         | access        | te-asiakasrekisteri        | registered (outside the period) | overdue (age 192) | |
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from desktop.domain.identifiers import s10_check_digit
from desktop.domain.model import Decision, Delivery, IdentityMethod, LetterKind
from desktop.services.cases import CaseService
from desktop.services.clock import HELSINKI, FixedClock
from desktop.services.reports import ReportQuery

TODAY = date(2026, 11, 23)
PERIOD = ReportQuery(date(2026, 6, 1), TODAY)
# Names and identity codes of the fixed set: none may appear in any aggregate report.
PEOPLE = {
    "A": ("Aino Ahonen", "131052-308T"),
    "B": ("Bertil Backman", "010594Y9032"),
    "C": ("Cecilia Lindholm", "280264-051U"),
    "D": ("Daniel Sjöberg", "150377-2235"),
    "E": ("Eeva Eskola", "230983-1102"),
    "F": ("Frans Virtanen", "070855-9017"),
    "G": ("Greta Åkerblom", "311299-198L"),
    "H": ("Hilkka Hämäläinen", "020202A123C"),
    "I": ("Ilmari Ikonen", "050505-505U"),
    "J": ("Johanna Järvinen", "121212-121D"),
    "K": ("Kalle Kärkkäinen", "080888-888Y"),
    "L": ("Lotta Laine", "190619-619Y"),
    "M": ("Matti Meikäläinen", "010101-101Y"),
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=HELSINKI).astimezone(UTC)


def tracking(serial: int) -> str:
    digits = f"{serial:08d}"
    return f"RR{digits}{s10_check_digit(digits)}FI"


class Story:
    """Drives one case through the case service, moving the office clock day by day."""

    def __init__(self, service: CaseService, clock: FixedClock) -> None:
        self.service = service
        self.clock = clock
        self.serial = 10000000

    def on(self, day: date) -> CaseService:
        self.clock.set(at(day))
        return self.service

    def register(self, key: str, received: date, channel: str, right: str, registers: list[str]) -> str:
        name, hetu = PEOPLE[key]
        request = {
            "right": right,
            "channel": channel,
            "received": received.isoformat(),
            "registers": registers,
            "signed": True,
            "details": f"Pyyntö {key}",
            "requester": {
                "name": name,
                "hetu": hetu,
                "language": "fi",
                "address": {"street": "Testikatu 1", "postcode": "00100", "city": "Helsinki"},
            },
        }
        return self.on(received).register(request).diary_number

    def verify(self, diary: str, day: date) -> None:
        self.on(day).verify_identity(diary, IdentityMethod.SIGNATURE)

    def reply(
        self, diary: str, decided: date, sent: date, letter: LetterKind = LetterKind.ACCESS_REPLY
    ) -> None:
        self.on(decided).record_decision(diary, Decision.GRANTED)
        self.on(decided).mark_letter_printed(diary, letter)
        self.serial += 1
        self.on(sent).dispatch(diary, Delivery.REGISTERED_MAIL, tracking(self.serial))


def build_fixed_cases(service: CaseService, clock: FixedClock) -> dict[str, str]:
    """The fixed set of the module docstring; returns diary numbers by letter."""
    s = Story(service, clock)
    d = date
    cases: dict[str, str] = {}
    cases["M"] = s.register("M", d(2026, 5, 15), "post", "access", ["te-asiakasrekisteri"])

    cases["C"] = c = s.register("C", d(2026, 6, 1), "post", "access", ["kainuu-webropol"])
    s.verify(c, d(2026, 6, 2))
    s.on(d(2026, 6, 20)).extend(c, "Laaja aineisto useasta järjestelmästä.")
    s.reply(c, d(2026, 8, 20), d(2026, 8, 25))

    cases["D"] = dd = s.register("D", d(2026, 7, 1), "post", "access", ["te-asiakasrekisteri"])
    s.on(d(2026, 7, 3)).request_clarification(dd, "Allekirjoitus puuttuu.")
    s.on(d(2026, 7, 20)).receive_clarification(dd, d(2026, 7, 20))
    s.verify(dd, d(2026, 7, 21))
    s.reply(dd, d(2026, 8, 10), d(2026, 8, 14))

    cases["B"] = b = s.register("B", d(2026, 8, 3), "secure_email", "rectification", ["te-asiakasrekisteri"])
    s.verify(b, d(2026, 8, 4))
    s.reply(b, d(2026, 9, 7), d(2026, 9, 8), LetterKind.RECTIFICATION_DONE)

    cases["A"] = a = s.register("A", d(2026, 9, 1), "post", "access", ["te-asiakasrekisteri"])
    s.verify(a, d(2026, 9, 2))
    s.reply(a, d(2026, 9, 10), d(2026, 9, 11))

    cases["K"] = k = s.register("K", d(2026, 9, 10), "secure_email", "access", ["te-asiakasrekisteri"])
    s.verify(k, d(2026, 9, 11))
    s.on(d(2026, 10, 20)).record_decision(k, Decision.GRANTED)

    cases["J"] = j = s.register("J", d(2026, 10, 1), "post", "access", ["te-asiakasrekisteri"])
    s.verify(j, d(2026, 10, 2))

    cases["E"] = e = s.register("E", d(2026, 10, 5), "in_person", "objection", ["te-asiakasrekisteri"])
    s.on(d(2026, 10, 6)).withdraw(e, "Pyytäjä peruutti pyynnön.")
    s.on(d(2026, 10, 7)).close(e)

    cases["F"] = f = s.register("F", d(2026, 10, 6), "post", "access", ["te-asiakasrekisteri"])
    s.verify(f, d(2026, 10, 7))
    s.reply(f, d(2026, 11, 5), d(2026, 11, 9))

    cases["L"] = lo = s.register("L", d(2026, 10, 12), "in_person", "recording", ["palkkaturva-puhelut"])
    s.verify(lo, d(2026, 10, 12))
    s.on(d(2026, 10, 19)).record_decision(lo, Decision.GRANTED)
    s.on(d(2026, 10, 19)).mark_letter_printed(lo, LetterKind.RECORDING_APPOINTMENT)
    s.on(d(2026, 10, 20)).dispatch(lo, Delivery.PICKUP)
    s.on(d(2026, 10, 27)).hand_over(lo, "passi")

    cases["I"] = i = s.register("I", d(2026, 11, 2), "post", "access", ["te-asiakasrekisteri"])
    s.on(d(2026, 11, 4)).request_clarification(i, "Henkilöllisyys on todistettava.")

    cases["H"] = h = s.register("H", d(2026, 11, 12), "secure_email", "erasure", ["palkkaturva-puhelut"])
    s.verify(h, d(2026, 11, 12))

    cases["G"] = s.register(
        "G", d(2026, 11, 20), "in_person", "access", ["te-asiakasrekisteri", "kainuu-webropol"]
    )
    clock.set(at(TODAY))
    return cases
