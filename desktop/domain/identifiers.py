"""Finnish identifiers: henkilötunnus, Y-tunnus, postcode and Posti (UPU S10) tracking numbers.

Every `parse_*` function returns the normalized form or raises `DomainError` whose message says why
the text was refused, so that the clerk can fix the typo instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from desktop.domain.errors import N_, DomainError

__all__ = [
    "HetuInfo",
    "is_s10",
    "is_valid_business_id",
    "is_valid_hetu",
    "is_valid_postcode",
    "mask_hetu",
    "parse_business_id",
    "parse_hetu",
    "parse_postcode",
    "parse_tracking_number",
]

# ---------------------------------------------------------------------------------------------------
# Henkilötunnus

HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"

# The 2023 reform added Y/X/W/V/U and B–F so that the code space does not run out; older codes keep
# their sign, so all of them stay valid.
CENTURY_SIGNS: dict[str, int] = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}

# [0-9] rather than \d: \d also matches other scripts' digits, which int() would happily accept.
# The century position is any non-space character here so that a wrong sign gets its own message.
_HETU_SHAPE = re.compile(r"[0-9]{6}\S[0-9]{3}[0-9A-Z]")


@dataclass(frozen=True, slots=True)
class HetuInfo:
    """A parsed, valid henkilötunnus."""

    code: str
    birth_date: date
    individual_number: int
    temporary: bool
    sex: str


def hetu_check_char(date_part: str, individual_part: str) -> str:
    """The check character for `DDMMYY` and `ZZZ` (both digit strings)."""
    return HETU_CHECK_CHARS[int(date_part + individual_part) % 31]


def parse_hetu(text: str) -> HetuInfo:
    """Validate a henkilötunnus and return its parts; raise `DomainError` saying what is wrong."""
    code = (text or "").strip().upper()
    if not code:
        raise DomainError(N_("The personal identity code is empty."))
    if len(code) != 11 or not _HETU_SHAPE.fullmatch(code):
        # The code itself stays out of the message: error texts end up in logs.
        raise DomainError(N_("A personal identity code has the form DDMMYYCZZZQ (11 characters)."))
    date_part, sign, individual_part, check = code[:6], code[6], code[7:10], code[10]
    century = CENTURY_SIGNS.get(sign)
    if century is None:
        raise DomainError(N_("Unknown century sign {sign} in the personal identity code."), sign=sign)
    day, month, year = int(date_part[:2]), int(date_part[2:4]), century + int(date_part[4:6])
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise DomainError(
            N_("The date {date} in the personal identity code does not exist."),
            date=f"{day}.{month}.{year}",
        ) from None
    number = int(individual_part)
    if number < 2:
        raise DomainError(
            N_("The individual number {number} is out of range; it must be between 002 and 999."),
            number=individual_part,
        )
    expected = hetu_check_char(date_part, individual_part)
    if check != expected:
        raise DomainError(
            N_("The check character is wrong: the check character should be {expected}, not {actual}."),
            expected=expected,
            actual=check,
        )
    return HetuInfo(
        code=code,
        birth_date=birth_date,
        individual_number=number,
        temporary=number >= 900,
        sex="female" if number % 2 == 0 else "male",
    )


def is_valid_hetu(text: str) -> bool:
    """Whether `text` is a valid henkilötunnus (surrounding whitespace and lowercase allowed)."""
    try:
        parse_hetu(text)
    except DomainError:
        return False
    return True


def mask_hetu(code: str | None) -> str:
    """Hide the individual number and check character: `131052-308T` → `131052-****`."""
    if not code:
        return ""
    code = code.strip().upper()
    if len(code) <= 4:
        return "*" * len(code)
    return code[:-4] + "****"


# ---------------------------------------------------------------------------------------------------
# Y-tunnus

_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_BUSINESS_ID_SHAPE = re.compile(r"[0-9]{7}-[0-9]")


def business_id_check_digit(digits: str) -> int | None:
    """The check digit for seven digits, or None when no number with these digits is valid (r == 1)."""
    r = sum(int(c) * w for c, w in zip(digits, _BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if r == 0:
        return 0
    if r == 1:
        return None
    return 11 - r


def parse_business_id(text: str) -> str:
    """Validate a Y-tunnus `NNNNNNN-C` and return it stripped; raise `DomainError` saying why not."""
    code = (text or "").strip()
    if not code:
        raise DomainError(N_("The business ID is empty."))
    if not _BUSINESS_ID_SHAPE.fullmatch(code):
        raise DomainError(
            N_("A business ID has the form NNNNNNN-C (seven digits, hyphen, check digit); {code} does not."),
            code=code,
        )
    expected = business_id_check_digit(code[:7])
    if expected is None:
        raise DomainError(
            N_("No business ID can begin with {digits}: these digits have no valid check digit."),
            digits=code[:7],
        )
    if int(code[8]) != expected:
        raise DomainError(
            N_("The check digit of the business ID is wrong: it should be {expected}, not {actual}."),
            expected=expected,
            actual=code[8],
        )
    return code


def is_valid_business_id(text: str) -> bool:
    """Whether `text` is a valid Y-tunnus."""
    try:
        parse_business_id(text)
    except DomainError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------
# Postcode

_POSTCODE_SHAPE = re.compile(r"[0-9]{5}")


def parse_postcode(text: str) -> str:
    """Validate a Finnish postcode (exactly five digits) and return it stripped."""
    code = (text or "").strip()
    if not code:
        raise DomainError(N_("The postcode is empty."))
    if not _POSTCODE_SHAPE.fullmatch(code):
        raise DomainError(N_("A postcode has exactly five digits; {code} does not."), code=code)
    return code


def is_valid_postcode(text: str) -> bool:
    """Whether `text` is a Finnish postcode."""
    try:
        parse_postcode(text)
    except DomainError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------
# Tracking numbers

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10_SHAPE = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
# Other carriers' numbers have no common check rule, so only their alphabet and length are checked.
_OTHER_TRACKING_SHAPE = re.compile(r"[A-Z0-9]{6,40}")


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit for an eight-digit serial number."""
    c = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    if c == 10:
        return 0
    if c == 11:
        return 5
    return c


def _normalize_tracking(text: str) -> str:
    # Clerks copy numbers from letters and web pages, where they are printed in groups.
    return re.sub(r"\s+", "", text or "").upper()


def parse_tracking_number(text: str) -> str:
    """Normalize a tracking number; S10 numbers (`RR123456785FI`) must have a correct check digit."""
    code = _normalize_tracking(text)
    if not code:
        raise DomainError(N_("The tracking number is empty."))
    if _S10_SHAPE.fullmatch(code):
        expected = s10_check_digit(code[2:10])
        if int(code[10]) != expected:
            raise DomainError(
                N_("The check digit of the tracking number {code} is wrong: it should be {expected}."),
                code=code,
                expected=expected,
            )
        return code
    if not _OTHER_TRACKING_SHAPE.fullmatch(code):
        raise DomainError(
            N_("A tracking number has 6 to 40 letters and digits only; {code} does not."), code=code
        )
    return code


def is_s10(text: str) -> bool:
    """Whether `text` is a UPU S10 tracking number with a correct check digit."""
    code = _normalize_tracking(text)
    return bool(_S10_SHAPE.fullmatch(code)) and int(code[10]) == s10_check_digit(code[2:10])
