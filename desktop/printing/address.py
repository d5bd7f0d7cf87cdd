"""The recipient's address as it must stand in the envelope window: at most 6 lines of 30 characters.

Posti reads the last lines first (postcode and post office, country), so those are never cut; a long name
or street is wrapped at word boundaries and, when there is still no room, shortened with an ellipsis.
"""

from __future__ import annotations

MAX_LINES = 6
MAX_CHARS = 30
ELLIPSIS = "…"
# Country names that mean "this is a domestic letter": no country line is printed for them.
_DOMESTIC = frozenset({"", "FI", "FIN", "FINLAND", "SUOMI", "SUOMI FINLAND"})


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def shorten(text: str, width: int = MAX_CHARS) -> str:
    """`text` cut to `width` characters, the cut marked with an ellipsis."""
    text = _clean(text)
    return text if len(text) <= width else text[: width - 1].rstrip() + ELLIPSIS


def wrap(text: str, width: int = MAX_CHARS) -> list[str]:
    """Word-wrap to lines of at most `width` characters; a word longer than a line is split."""
    lines: list[str] = []
    current = ""
    for word in _clean(text).split(" "):
        if not word:
            continue
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _fit(lines: list[str], room: int) -> list[str]:
    if len(lines) <= room:
        return lines
    if room <= 0:
        return []
    kept = lines[:room]
    kept[-1] = shorten(" ".join(lines[room - 1 :]))
    return kept


def is_domestic(country: str) -> bool:
    return _clean(country).upper() in _DOMESTIC


def address_lines(
    name: str, street: str, postcode: str, city: str, country: str = "", marking: str = ""
) -> list[str]:
    """The lines of the window address: [marking], name, street, `00100 HELSINKI`, [COUNTRY].

    Empty lines are left out; the result has at most `MAX_LINES` lines of at most `MAX_CHARS` characters.
    """
    head = [shorten(marking)] if _clean(marking) else []
    tail = []
    postal = _clean(f"{_clean(postcode)} {_clean(city).upper()}")
    if postal:
        tail.append(shorten(postal))
    if not is_domestic(country):
        tail.append(shorten(_clean(country).upper()))
    room = MAX_LINES - len(head) - len(tail)
    name_lines = wrap(name)
    street_lines = [line for part in (street or "").splitlines() for line in wrap(part)]
    # The street gets what it needs but leaves the name at least one line; the name gets the rest.
    street_room = min(len(street_lines), room - 1 if name_lines else room)
    name_room = room - street_room
    return [*head, *_fit(name_lines, name_room), *_fit(street_lines, street_room), *tail]
