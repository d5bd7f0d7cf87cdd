from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.errors import DomainError
from desktop.domain.identifiers import (
    HetuInfo,
    is_s10,
    is_valid_business_id,
    is_valid_hetu,
    is_valid_postcode,
    mask_hetu,
    parse_business_id,
    parse_hetu,
    parse_postcode,
    parse_tracking_number,
)

# Written out independently of the module under test, so that a typo there cannot hide here.
ALPHABET = "0123456789ABCDEFHJKLMNPRSTUVWXY"
SIGNS_BY_CENTURY = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


def build_hetu(birth: date, number: int, sign: str) -> str:
    ddmmyy = birth.strftime("%d%m") + f"{birth.year % 100:02d}"
    remainder = (int(ddmmyy) * 1000 + number) % 31
    return f"{ddmmyy}{sign}{number:03d}{ALPHABET[remainder]}"


# ---------------------------------------------------------------------------------------------------
# Henkilötunnus

REFORM_EXAMPLES = [
    "010594Y9032", "010594Y9021", "020594X903P", "020594X902N", "030594W903B", "030694W9024",
    "040594V9030", "040594V902Y", "050594U903M", "050594U902L", "010516B903X", "010516B902W",
    "020516C903K", "020516C902J", "030516D9037", "030516D9026", "010501E9032", "020502E902X",
    "020503F9037", "020504A902E", "020504B904H",
]  # fmt: skip


def test_classic_example() -> None:
    assert parse_hetu("131052-308T") == HetuInfo(
        code="131052-308T",
        birth_date=date(1952, 10, 13),
        individual_number=308,
        temporary=False,
        sex="female",
    )


@pytest.mark.parametrize("code", REFORM_EXAMPLES)
def test_2023_reform_examples(code: str) -> None:
    info = parse_hetu(code)
    century = 1900 if code[6] in "YXWVU" else 2000
    assert info.birth_date == date(century + int(code[4:6]), int(code[2:4]), int(code[:2]))
    assert info.individual_number == int(code[7:10])
    assert info.temporary  # all published examples use the 900 range
    assert build_hetu(info.birth_date, info.individual_number, code[6]) == code


@pytest.mark.parametrize(
    ("sign", "year"),
    [("+", 1800), ("-", 1900), ("U", 1900), ("Y", 1900), ("A", 2000), ("F", 2000)],
)
def test_century_signs(sign: str, year: int) -> None:
    assert parse_hetu(build_hetu(date(year + 5, 1, 1), 234, sign)).birth_date == date(year + 5, 1, 1)


def test_sex_follows_parity_of_individual_number() -> None:
    assert parse_hetu(build_hetu(date(1980, 6, 1), 123, "-")).sex == "male"
    assert parse_hetu(build_hetu(date(1980, 6, 1), 124, "-")).sex == "female"


def test_normalizes_case_and_surrounding_whitespace() -> None:
    code = build_hetu(date(2004, 5, 2), 902, "A")  # ends in a letter, so lowercase matters
    assert code[-1].isalpha()
    assert parse_hetu(f"  {code.lower()}\t\n").code == code
    assert is_valid_hetu(f" {code.lower()} ")


@pytest.mark.parametrize(
    ("birth", "sign"),
    [(date(2000, 2, 29), "A"), (date(2024, 2, 29), "B"), (date(1996, 2, 29), "-"), (date(1896, 2, 29), "+")],
)
def test_leap_days_that_exist(birth: date, sign: str) -> None:
    assert parse_hetu(build_hetu(birth, 234, sign)).birth_date == birth


@pytest.mark.parametrize("text", ["290200-2345", "290223A2345", "290223-2345", "290200+2345"])
def test_leap_days_that_do_not_exist(text: str) -> None:
    # 1900 and 1800 are not leap years (divisible by 100, not by 400); 2023 and 1923 are not either.
    # The check character is irrelevant: the date is refused before it is looked at.
    with pytest.raises(DomainError) as info:
        parse_hetu(text)
    assert info.value.message == "The date {date} in the personal identity code does not exist."


def test_29_february_1900_vs_2000() -> None:
    # Same digits and check character; only the century sign differs.
    assert not is_valid_hetu(build_hetu(date(2000, 2, 29), 234, "-"))
    assert parse_hetu(build_hetu(date(2000, 2, 29), 234, "A")).birth_date == date(2000, 2, 29)
    assert parse_hetu(build_hetu(date(2000, 2, 28), 234, "-")).birth_date == date(1900, 2, 28)


@pytest.mark.parametrize("number", [900, 901, 950, 999])
def test_temporary_numbers_are_valid_but_flagged(number: int) -> None:
    info = parse_hetu(build_hetu(date(1990, 1, 15), number, "-"))
    assert info.temporary
    assert info.individual_number == number


@pytest.mark.parametrize("number", [2, 3, 500, 899])
def test_normal_numbers_are_not_temporary(number: int) -> None:
    assert not parse_hetu(build_hetu(date(1990, 1, 15), number, "-")).temporary


def error_of(text: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        parse_hetu(text)
    assert not is_valid_hetu(text)
    return info.value


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty(text: str) -> None:
    assert error_of(text).message == "The personal identity code is empty."


@pytest.mark.parametrize(
    "text",
    [
        "131052-308",  # too short
        "131052-308TT",  # too long
        "131052 -308T",  # inner whitespace
        "131052- 308T",
        "131052 308T",  # space instead of the century sign
        "13105A-308T",  # letter in the date
        "131052-3O8T",  # letter O for zero in the individual number
        "131052-308!",
        "١٣١٠٥٢-٣٠٨T",  # Arabic-Indic digits would pass int() but are not a hetu
    ],
)
def test_wrong_shape(text: str) -> None:
    error = error_of(text)
    assert error.message == "A personal identity code has the form DDMMYYCZZZQ (11 characters)."
    assert error.params == {}  # the code itself is personal data and must not leak into logs


@pytest.mark.parametrize("sign", ["G", "Z", "*", "/", "Ä"])
def test_unknown_century_sign(sign: str) -> None:
    error = error_of(f"131052{sign}308T")
    assert error.message == "Unknown century sign {sign} in the personal identity code."
    assert error.params == {"sign": sign}
    assert sign in str(error)


@pytest.mark.parametrize("text", ["320152-308T", "310452-308T", "001052-308T", "131352-308T", "130052-308T"])
def test_impossible_date(text: str) -> None:
    error = error_of(text)
    assert error.message == "The date {date} in the personal identity code does not exist."


@pytest.mark.parametrize("number", [0, 1])
def test_individual_number_out_of_range(number: int) -> None:
    error = error_of(build_hetu(date(1952, 10, 13), number, "-"))
    assert error.message == "The individual number {number} is out of range; it must be between 002 and 999."
    assert error.params == {"number": f"{number:03d}"}


def test_wrong_check_character_names_the_expected_one() -> None:
    error = error_of("131052-308U")
    assert error.params == {"expected": "T", "actual": "U"}
    assert "the check character should be T" in str(error)


@pytest.mark.parametrize("check", ["G", "I", "O", "Q", "Z"])
def test_letters_never_used_as_check_characters(check: str) -> None:
    assert "should be T" in str(error_of(f"131052-308{check}"))


@st.composite
def hetu_parts(draw: st.DrawFn) -> tuple[date, int, str]:
    birth = draw(st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)))
    number = draw(st.integers(min_value=2, max_value=999))
    sign = draw(st.sampled_from(SIGNS_BY_CENTURY[birth.year // 100 * 100]))
    return birth, number, sign


@given(hetu_parts())
def test_constructed_codes_parse_back(parts: tuple[date, int, str]) -> None:
    birth, number, sign = parts
    info = parse_hetu(build_hetu(birth, number, sign))
    assert (info.birth_date, info.individual_number, info.temporary) == (birth, number, number >= 900)


@given(hetu_parts(), st.sampled_from(ALPHABET + "GIOQZ"))
def test_any_other_check_character_is_refused(parts: tuple[date, int, str], replacement: str) -> None:
    code = build_hetu(*parts)
    if replacement == code[-1]:
        return
    error = error_of(code[:-1] + replacement)
    assert error.params == {"expected": code[-1], "actual": replacement}


def test_mask_hetu() -> None:
    assert mask_hetu("131052-308T") == "131052-****"
    assert mask_hetu(" 010594y9032 ") == "010594Y****"
    assert mask_hetu("") == ""
    assert mask_hetu(None) == ""
    assert mask_hetu("abc") == "***"  # never reveal a fragment, however short


# ---------------------------------------------------------------------------------------------------
# Y-tunnus

# Hand-computed with weights 7,9,10,5,8,4,2:
#   0737546: 0 + 63 + 30 + 35 + 40 + 16 + 12 = 196 = 17*11 + 9 → r = 9, check 2.
#   1572860: 7 + 45 + 70 + 10 + 64 + 24 + 0 = 220 = 20*11     → r = 0, check 0.
#   0112038: 0 + 9 + 10 + 10 + 0 + 12 + 16 = 57 = 5*11 + 2    → r = 2, check 9.
#   1234567: 7 + 18 + 30 + 20 + 40 + 24 + 14 = 153 = 13*11 + 10 → r = 10, check 1.
#   0000006: 6*2 = 12 = 11 + 1 → r = 1: no check digit exists.
VALID_BUSINESS_IDS = ["0737546-2", "1572860-0", "0112038-9", "1234567-1"]


@pytest.mark.parametrize("code", VALID_BUSINESS_IDS)
def test_valid_business_ids(code: str) -> None:
    assert parse_business_id(code) == code
    assert parse_business_id(f"  {code}\n") == code
    assert is_valid_business_id(code)


@pytest.mark.parametrize("code", VALID_BUSINESS_IDS)
def test_every_other_check_digit_is_refused(code: str) -> None:
    for digit in "0123456789":
        if digit == code[-1]:
            continue
        with pytest.raises(DomainError) as info:
            parse_business_id(code[:-1] + digit)
        assert info.value.params == {"expected": int(code[-1]), "actual": digit}


@pytest.mark.parametrize("digit", list("0123456789"))
def test_business_id_with_remainder_one_is_never_valid(digit: str) -> None:
    with pytest.raises(DomainError) as info:
        parse_business_id(f"0000006-{digit}")
    assert info.value.params == {"digits": "0000006"}


@pytest.mark.parametrize(
    "text", ["07375462", "737546-2", "0737546 -2", "0737546-22", "A737546-2", "0737546–2", "0737546_2"]
)
def test_business_id_shape(text: str) -> None:
    with pytest.raises(DomainError, match="form NNNNNNN-C"):
        parse_business_id(text)
    assert not is_valid_business_id(text)


def test_business_id_empty() -> None:
    with pytest.raises(DomainError, match="empty"):
        parse_business_id("  ")


# ---------------------------------------------------------------------------------------------------
# Postcode


@pytest.mark.parametrize(
    ("text", "expected"), [("00100", "00100"), (" 99999 ", "99999"), ("\t33100\n", "33100")]
)
def test_valid_postcodes(text: str, expected: str) -> None:
    assert parse_postcode(text) == expected
    assert is_valid_postcode(text)


@pytest.mark.parametrize("text", ["0010", "001000", "00 100", "0010A", "FI-00100", "٠٠١٠٠"])
def test_invalid_postcodes(text: str) -> None:
    with pytest.raises(DomainError, match="five digits"):
        parse_postcode(text)
    assert not is_valid_postcode(text)


def test_empty_postcode() -> None:
    with pytest.raises(DomainError, match="empty"):
        parse_postcode("")


# ---------------------------------------------------------------------------------------------------
# Tracking numbers

# Weights 8,6,4,2,3,5,9,7:
#   12345678: 8+12+12+8+15+30+63+56 = 204 = 18*11 + 6 → c = 5.
#   00000012: 9+14 = 23 = 2*11 + 1 → c = 10 → 0.
#   00000008: 56 = 5*11 + 1 → c = 10 → 0.
#   00000015: 9+35 = 44 = 4*11 → c = 11 → 5.
#   00000000: 0 → c = 11 → 5.
VALID_S10 = ["RR123456785FI", "JJ000000120FI", "RR000000080FI", "EE000000155FI", "CP000000005FI"]


@pytest.mark.parametrize("code", VALID_S10)
def test_valid_s10(code: str) -> None:
    assert parse_tracking_number(code) == code
    assert is_s10(code)


def test_tracking_number_is_normalized() -> None:
    assert parse_tracking_number("  rr 1234 5678 5fi ") == "RR123456785FI"
    assert is_s10("rr 123 456 785 fi")


@pytest.mark.parametrize("code", VALID_S10)
def test_wrong_s10_check_digit(code: str) -> None:
    for digit in "0123456789":
        if digit == code[10]:
            continue
        wrong = code[:10] + digit + code[11:]
        with pytest.raises(DomainError) as info:
            parse_tracking_number(wrong)
        assert info.value.message.startswith("The check digit of the tracking number")
        assert info.value.params == {"code": wrong, "expected": int(code[10])}
        assert not is_s10(wrong)


@pytest.mark.parametrize(
    "code", ["JJFI65432100000000001", "1Z999AA10123456784", "123456", "ABCDEF" * 6 + "1234"]
)
def test_other_carriers_are_accepted_as_is(code: str) -> None:
    assert parse_tracking_number(code) == code
    assert not is_s10(code)


@pytest.mark.parametrize(
    "text", ["", "   ", "12345", "A" * 41, "RR-123456785-FI", "RR123456785FI!", "ÄÄ123456785FI"]
)
def test_invalid_tracking_numbers(text: str) -> None:
    with pytest.raises(DomainError):
        parse_tracking_number(text)
    assert not is_s10(text)
