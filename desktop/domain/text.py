"""What counts as text: the one place names and free text are checked, and text is made safe to show.

A name (one line) refuses control characters of every kind, tab and newline included; free text (a
note, the details of a request) keeps newlines and tabs but refuses the rest. Both refuse bidirectional
overrides and isolates (they make a line read differently from what it holds), lone surrogates (not text
at all) and values that are not text (`"name": true`).
"""

from __future__ import annotations

import unicodedata

from desktop.domain.errors import N_, DomainError

# Explicit bidirectional embeddings, overrides and isolates; and the line/paragraph separators.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SEPARATORS = frozenset("\u2028\u2029\u0085")


def _bad_character(text: str, multiline: bool) -> str | None:
    for char in text:
        code = ord(char)
        if multiline and char in "\n\t":
            continue
        if char in _BIDI or char in _SEPARATORS or 0xD800 <= code <= 0xDFFF:
            return char
        if unicodedata.category(char) == "Cc":
            return char
    return None


def check_text(
    value: object, field: str, limit: int, *, multiline: bool = False, numbers: bool = False
) -> str:
    """`value` as clean text (stripped; CRLF made LF), or one DomainError naming the field."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DomainError(N_("The field {field} must be text."), field=field)
    if isinstance(value, int):
        if not numbers:
            raise DomainError(N_("The field {field} must be text."), field=field)
        if abs(value) >= 10**40:
            raise DomainError(
                N_("The field {field} is too long (at most {limit} characters)."), field=field, limit=limit
            )
        value = str(value)
    text = value.replace("\r\n", "\n").strip() if multiline else value.strip()
    if len(text) > limit:
        raise DomainError(
            N_("The field {field} is too long (at most {limit} characters)."), field=field, limit=limit
        )
    bad = _bad_character(text, multiline)
    if bad is not None:
        raise DomainError(
            N_("The field {field} contains a character that is not allowed there ({code})."),
            field=field,
            code=f"U+{ord(bad):04X}",
        )
    return text


def printable(value: object) -> str:
    """Text safe for a terminal or a one-line message: control, bidi and unpaired characters escaped."""
    text = str(value)
    if _bad_character(text, multiline=False) is None:
        return text
    out = []
    for char in text:
        if _bad_character(char, multiline=False) is None:
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


__all__ = ["check_text", "printable"]
