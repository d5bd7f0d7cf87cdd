"""The deadlines report as a PDF: headings, tables and charts drawn with ReportLab's own graphics.

Takes plain, already translated values (`ReportDocument`); the services decide what the numbers are and
which of them may be shown. Charts are vector drawings (`reportlab.graphics.charts`), not screenshots.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.printing.layout import FONT, FONT_BOLD, PDF_LANGUAGE, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
CHART_HEIGHT = 70 * mm
GRID = colors.HexColor("#cfd8dc")
TEXT = colors.HexColor("#263238")
LEGEND_ROW = 11


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: tuple[float, ...]
    color: str = ""  # one colour for the series...
    colors: tuple[str, ...] = ()  # ...or one per category (a single-series chart, a pie)


@dataclass(frozen=True)
class ChartSpec:
    """`kind`: "stacked" (vertical, stacked), "bars", "hbars", "hstacked" (horizontal) or "pie"."""

    kind: str
    categories: tuple[str, ...]
    series: tuple[ChartSeries, ...]


@dataclass(frozen=True)
class TableSpec:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # text; every column after the first is a number column
    note: str = ""


@dataclass(frozen=True)
class ReportSection:
    title: str
    chart: ChartSpec | None
    table: TableSpec | None


@dataclass(frozen=True)
class ReportDocument:
    title: str
    heading: tuple[str, ...]  # lines under the title: office, period, register, date
    sections: tuple[ReportSection, ...]
    note: str  # printed at the foot of every page
    language: str = "fi"
    empty_chart_text: str = "–"  # shown where a chart has nothing to draw


def _color(value: str) -> colors.Color:
    return colors.HexColor(value) if value else colors.HexColor("#607d8b")


def _nice_step(maximum: float) -> int:
    """A whole-number tick step giving about five ticks."""
    raw = max(maximum / 5, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _value_axis(axis, maximum: float) -> None:
    step = _nice_step(maximum)
    axis.valueMin = 0
    axis.valueStep = step
    axis.valueMax = max(step, -(-maximum // step) * step)
    axis.labels.fontName = FONT
    axis.labels.fontSize = 7
    axis.labelTextFormat = "%d"
    axis.visibleGrid = True
    axis.gridStrokeColor = GRID
    axis.gridStrokeWidth = 0.4


def _legend(drawing: Drawing, series: Sequence[ChartSeries], x: float, y: float, columns: int) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = FONT
    legend.fontSize = 7
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = max(1, -(-len(series) // columns))
    legend.deltax = CONTENT_WIDTH / columns
    legend.dx = legend.dy = 6
    legend.deltay = LEGEND_ROW
    legend.colorNamePairs = [(_color(s.color), s.name) for s in series]
    drawing.add(legend)


def _stacked_total(spec: ChartSpec) -> float:
    return max((sum(values) for values in zip(*(s.values for s in spec.series), strict=True)), default=0)


def _vertical(spec: ChartSpec) -> Drawing:
    stacked = spec.kind == "stacked" and len(spec.series) > 1
    legend_rows = -(-len(spec.series) // 4) if stacked else 0
    many = len(spec.categories) > 12
    legend_height = legend_rows * LEGEND_ROW + (6 if legend_rows else 0)
    bottom = 16 + (26 if many else 0) + legend_height
    drawing = Drawing(CONTENT_WIDTH, CHART_HEIGHT + legend_height)
    chart = VerticalBarChart()
    chart.x, chart.y = 32, bottom
    chart.width, chart.height = CONTENT_WIDTH - 40, drawing.height - bottom - 8
    chart.data = [s.values for s in spec.series]
    chart.categoryAxis.categoryNames = list(spec.categories)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    if many:
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dy = -4
    if stacked:
        chart.categoryAxis.style = "stacked"
    maximum = (
        _stacked_total(spec) if stacked else max((max(s.values, default=0) for s in spec.series), default=0)
    )
    _value_axis(chart.valueAxis, maximum)
    chart.barSpacing = 1
    chart.groupSpacing = 6
    chart.bars.strokeWidth = 0
    chart.bars.strokeColor = None
    for i, series in enumerate(spec.series):
        chart.bars[i].fillColor = _color(series.color)
        for j, color in enumerate(series.colors):
            chart.bars[(i, j)].fillColor = _color(color)
    drawing.add(chart)
    if stacked:
        _legend(drawing, spec.series, 10, legend_height, 4)
    return drawing


def _horizontal(spec: ChartSpec) -> Drawing:
    stacked = spec.kind == "hstacked" and len(spec.series) > 1
    legend_rows = -(-len(spec.series) // 3) if stacked else 0
    row_height = 16
    label_width = 150
    plot_height = max(len(spec.categories), 1) * row_height
    legend_height = legend_rows * LEGEND_ROW + (6 if legend_rows else 0)
    bottom = 18 + legend_height
    drawing = Drawing(CONTENT_WIDTH, plot_height + bottom + 10)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, bottom
    chart.width, chart.height = CONTENT_WIDTH - label_width - 10, plot_height
    chart.data = [s.values for s in spec.series]
    chart.categoryAxis.categoryNames = [_shorten(c, 34) for c in spec.categories]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.reverseDirection = True  # the first category at the top, as in the table
    if stacked:
        chart.categoryAxis.style = "stacked"
    maximum = (
        _stacked_total(spec) if stacked else max((max(s.values, default=0) for s in spec.series), default=0)
    )
    _value_axis(chart.valueAxis, maximum)
    chart.bars.strokeWidth = 0
    chart.bars.strokeColor = None
    chart.barSpacing = 1
    chart.groupSpacing = 4
    for i, series in enumerate(spec.series):
        chart.bars[i].fillColor = _color(series.color)
        for j, color in enumerate(series.colors):
            chart.bars[(i, j)].fillColor = _color(color)
    drawing.add(chart)
    if stacked:
        _legend(drawing, spec.series, 10, legend_height, 3)
    return drawing


def _pie(spec: ChartSpec, empty_text: str) -> Drawing:
    drawing = Drawing(CONTENT_WIDTH, CHART_HEIGHT)
    series = spec.series[0]
    total = sum(series.values)
    if total <= 0:
        drawing.add(
            String(
                CONTENT_WIDTH / 2,
                CHART_HEIGHT / 2,
                empty_text,
                fontName=FONT,
                fontSize=10,
                textAnchor="middle",
            )
        )
        return drawing
    pie = Pie()
    size = CHART_HEIGHT - 20
    pie.x, pie.y = 20, 10
    pie.width = pie.height = size
    pie.data = list(series.values)
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    pie.startAngle = 90
    pie.direction = "clockwise"
    for i, color in enumerate(series.colors):
        pie.slices[i].fillColor = _color(color)
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = size + 60, CHART_HEIGHT / 2 + 20
    legend.fontName = FONT
    legend.fontSize = 9
    legend.alignment = "right"
    legend.dy = legend.dx = 8
    legend.deltay = 14
    legend.colorNamePairs = [
        (_color(color), f"{name}: {value:g} ({value / total * 100:.0f} %)")
        for name, value, color in zip(spec.categories, series.values, series.colors, strict=True)
    ]
    drawing.add(legend)
    return drawing


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def chart_drawing(spec: ChartSpec, empty_text: str = "–") -> Drawing:
    """One chart as a ReportLab drawing (a flowable), as wide as the text column."""
    if spec.kind == "pie":
        return _pie(spec, empty_text)
    if spec.kind in ("hbars", "hstacked"):
        return _horizontal(spec)
    return _vertical(spec)


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    return {
        "title": ParagraphStyle(
            "title", fontName=FONT_BOLD, fontSize=17, leading=21, textColor=TEXT, spaceAfter=6
        ),
        "heading": ParagraphStyle("heading", fontName=FONT, fontSize=10, leading=13, textColor=TEXT),
        "section": ParagraphStyle(
            "section",
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            textColor=TEXT,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
        # Headers break between words only ("Rectification" must not become "Rectificati on").
        "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=7.5, leading=9, splitLongWords=0),
        "head_number": ParagraphStyle(
            "head_number", fontName=FONT_BOLD, fontSize=7.5, leading=9, alignment=2, splitLongWords=0
        ),
        "note": ParagraphStyle(
            "note", fontName=FONT, fontSize=8, leading=10, textColor=colors.HexColor("#546e7a")
        ),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(spec: TableSpec, styles: dict[str, ParagraphStyle]) -> list:
    columns = len(spec.headers)
    padding = 6
    # The first column as wide as its longest text (at most 40 %); the numbers share the rest.
    longest = max(
        (pdfmetrics.stringWidth(str(row[0]), FONT, 8) for row in spec.rows),
        default=0,
    )
    first = min(
        max(longest, pdfmetrics.stringWidth(spec.headers[0], FONT_BOLD, 8)) + padding, CONTENT_WIDTH * 0.4
    )
    if columns <= 3:
        first = max(first, CONTENT_WIDTH * 0.4)
    rest = (CONTENT_WIDTH - first) / max(columns - 1, 1)
    data = [
        [
            Paragraph(_escape(h), styles["head" if i == 0 else "head_number"])
            for i, h in enumerate(spec.headers)
        ]
    ]
    for row in spec.rows:
        data.append([Paragraph(_escape(row[0]), styles["cell"]), *row[1:]])
    table = Table(data, colWidths=[first, *([rest] * (columns - 1))], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, TEXT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), padding / 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding / 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    parts: list = [table]
    if spec.note:
        parts += [Spacer(1, 2), Paragraph(_escape(spec.note), styles["note"])]
    return parts


def _numbered_canvas(note: str):
    """A canvas that writes `n (N)` and the note on every page once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for state in self._saved:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(TEXT)
                self.drawRightString(
                    PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 12 * mm, f"{self._pageNumber} ({total})"
                )
                self.drawString(MARGIN, 10 * mm, note)
                super().showPage()
            super().save()

    return NumberedCanvas


def render_report(document: ReportDocument) -> bytes:
    """The report as PDF bytes: title and heading, then each section's chart and table."""
    styles = _styles()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=document.title,
        author=document.heading[0] if document.heading else "",
        subject=document.title,
        lang=PDF_LANGUAGE.get(document.language, document.language),
    )
    story: list = [Paragraph(_escape(document.title), styles["title"])]
    story += [Paragraph(_escape(line), styles["heading"]) for line in document.heading]
    story.append(Spacer(1, 4 * mm))
    for section in document.sections:
        block: list = [Paragraph(_escape(section.title), styles["section"])]
        if section.chart is not None:
            block += [chart_drawing(section.chart, document.empty_chart_text), Spacer(1, 3 * mm)]
        if section.table is not None:
            tables = _table(section.table, styles)
            # Keep the heading with the chart and the start of the table; long tables go on over pages.
            story.append(KeepTogether(block + tables[:1]))
            story += tables[1:]
        else:
            story.append(KeepTogether(block))
    pdf.build(story, canvasmaker=_numbered_canvas(document.note))
    return buffer.getvalue()


__all__ = [
    "ChartSeries",
    "ChartSpec",
    "ReportDocument",
    "ReportSection",
    "TableSpec",
    "chart_drawing",
    "render_report",
]
