"""The day's registered-mail dispatch list for the Posti counter: date, sender, one row per letter, totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.units import mm

from desktop.printing.layout import (
    BODY_LEADING,
    FONT,
    FONT_BOLD,
    LEFT,
    RIGHT,
    Flow,
    Header,
    Metadata,
    Rule,
    Text,
    compose,
    to_pdf,
    width,
    wrap_width,
)
from desktop.printing.letter import Office, flow_blocks, office_footer
from desktop.printing.templates import Block, BlockKind, labels

TABLE_SIZE = 8.5
ROW_LEADING = 11
# Column left edges: number, diary number, recipient, postcode, tracking number, letter kind (to 190 mm).
COLUMNS = (LEFT, LEFT + 8 * mm, LEFT + 38 * mm, LEFT + 82 * mm, LEFT + 100 * mm, LEFT + 130 * mm)
_EDGES = (*COLUMNS[1:], RIGHT)


@dataclass(frozen=True)
class DispatchItem:
    """One registered letter on the list."""

    diary_number: str
    recipient: str
    postcode: str
    tracking_number: str
    kind: str = ""  # a LetterKind value (named in the list's language), or free text


def _fit(text: str, max_width: float, font: str = FONT) -> str:
    if width(text, font, TABLE_SIZE) <= max_width:
        return text
    while text and width(text + "…", font, TABLE_SIZE) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def _table_header(flow: Flow, texts: dict) -> None:
    captions = (
        texts["number"],
        texts["diary"],
        texts["recipient"],
        texts["postcode"],
        texts["tracking"],
        texts["kind"],
    )
    flow.ensure(3 * ROW_LEADING)
    flow.y += ROW_LEADING
    for x, right, caption in zip(COLUMNS, _EDGES, captions, strict=True):
        size = TABLE_SIZE
        while size > 6 and width(caption, FONT_BOLD, size) > right - x - 1.5 * mm:
            size -= 0.25
        flow.add(Text(x, flow.y, caption, FONT_BOLD, size))
    flow.add(Rule(LEFT, flow.y + 3, RIGHT, flow.y + 3, 0.6))


def render_dispatch_list(
    office: Office, date: str, items: Sequence[DispatchItem], language: str = "fi", checkpoint: str = ""
) -> bytes:
    """The dispatch list as PDF bytes; items in the order given (the service sorts them by diary number).
    `checkpoint`: the access log's checkpoint, printed at the end (`kirjaamo verify --checkpoint`)."""
    all_texts = labels(language)
    texts = all_texts["dispatch"]
    kind_names = all_texts["kinds"]
    flow = Flow(first_top=40 * mm)
    for text in wrap_width(texts["title"], RIGHT - LEFT, FONT_BOLD):
        flow.line(LEFT, text, FONT_BOLD)
    flow.skip(BODY_LEADING / 2)
    sender = ", ".join(
        part for part in (office.name, office.street, f"{office.postcode} {office.city}".strip()) if part
    )
    flow_blocks(
        flow,
        [
            Block(BlockKind.LINE, f"{texts['sender']}: {sender}"),
            Block(BlockKind.LINE, f"{texts['date']}: {date}"),
        ],
    )
    flow.skip(BODY_LEADING / 2)
    if not items:
        flow_blocks(flow, [Block(BlockKind.PARAGRAPH, texts["none"])])
    else:
        flow.on_new_page = lambda f: _table_header(f, texts)
        _table_header(flow, texts)
        for number, item in enumerate(items, start=1):
            kind_lines = wrap_width(
                kind_names.get(item.kind, item.kind), _EDGES[5] - COLUMNS[5] - 1 * mm, FONT, TABLE_SIZE
            )
            cells = (
                str(number),
                item.diary_number,
                item.recipient,
                item.postcode,
                item.tracking_number,
            )
            rows = max(1, len(kind_lines))
            flow.ensure(rows * ROW_LEADING + 4)
            flow.y += ROW_LEADING + 2
            top = flow.y
            for x, right, cell in zip(COLUMNS, _EDGES, cells, strict=False):
                flow.add(Text(x, top, _fit(cell, right - x - 2 * mm), FONT, TABLE_SIZE))
            for i, text in enumerate(kind_lines):
                flow.add(Text(COLUMNS[5], top + i * ROW_LEADING, text, FONT, TABLE_SIZE))
            flow.y = top + (rows - 1) * ROW_LEADING
            flow.add(Rule(LEFT, flow.y + 3.5, RIGHT, flow.y + 3.5, 0.3, 0.6))
        flow.on_new_page = None
        flow.skip(BODY_LEADING)
        flow.line(LEFT, f"{texts['total']}: {len(items)}", FONT_BOLD)
    flow_blocks(
        flow,
        [
            Block(BlockKind.SPACE),
            Block(BlockKind.SIGNATURE, label=texts["handed_by"]),
            Block(BlockKind.SIGNATURE, label=texts["posti"]),
        ],
    )
    if checkpoint:
        flow.skip(BODY_LEADING)
        flow.line(LEFT, f"{texts['checkpoint']}:", FONT, TABLE_SIZE)
        flow.line(LEFT, checkpoint, FONT, TABLE_SIZE)
    header = Header(sender=(office.name,), doctype=texts["doctype"], date=date)
    pages = compose(flow.pages, header, office_footer(office, language))
    metadata = Metadata(
        title=f"{texts['doctype'].capitalize()} {date}",
        author=office.name,
        subject=texts["title"],
        language=language,
    )
    return to_pdf(pages, metadata)
