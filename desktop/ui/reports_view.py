"""The Reports page: how many requests came, of what kind, and whether they were answered in time.

Charts (QtCharts) show the exact figures of the chosen period and register; hovering a bar or a slice
shows its number. Exports (CSV, XLSX, PDF) suppress small groups — that is the services' business.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QPieSeries,
    QPieSlice,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.model import Channel, Right
from desktop.i18n import N_, _, format_number
from desktop.services import reports as rep
from desktop.services.reports import ReportFigures, ReportQuery, ReportService, Timeliness
from desktop.ui import theme
from desktop.ui.date_field import DateField
from desktop.ui.operations import CaseChanges, CaseOp, notifier
from desktop.ui.runner import DbRunner

CHART_KEYS = ("by_right", "by_channel", "deadlines", "outcomes", "open_by_age", "registers")
# Short words for the pie's legend (the same message ids as the register table's columns).
PIE_LABELS = {
    Timeliness.ONE_MONTH: N_("Within one month"),
    Timeliness.EXTENSION: N_("Within the extension"),
    Timeliness.LATE: N_("Late"),
}


def _nice_step(maximum: float) -> int:
    raw = max(maximum / 5, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _short_month(month: str) -> str:
    """ "2026-11" as "11/26": twelve of them fit under a chart without being cut."""
    year, number = month.split("-")
    return f"{int(number)}/{year[2:]}"


def _shorten(text: str, length: int = 32) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


class ReportChart(QChartView):
    """One chart; remembers what hovering last showed (the tooltip's text)."""

    hovered_text = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend_font = QFont()
        legend_font.setPointSize(8)  # seven rights side by side in Finnish
        chart.legend().setFont(legend_font)
        title_font = QFont()
        title_font.setBold(True)
        title_font.setPointSize(11)
        chart.setTitleFont(title_font)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(270)
        self.bar_sets: list[QBarSet] = []
        self.categories: list[str] = []
        self.last_hover = ""

    def clear(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.bar_sets = []
        self.categories = []

    def _show_hover(self, text: str) -> None:
        self.last_hover = text
        QToolTip.showText(QCursor.pos(), text, self)
        self.hovered_text.emit(text)

    def _bar_hovered(self, bar_set: QBarSet, state: bool, index: int) -> None:
        if not state:
            QToolTip.hideText()
            return
        category = self.categories[index] if 0 <= index < len(self.categories) else ""
        value = format_number(bar_set.at(index))
        label = bar_set.label()
        self._show_hover(f"{label} – {category}: {value}" if label else f"{category}: {value}")

    def _axes(self, series, categories: Sequence[str], maximum: float, horizontal: bool) -> None:
        chart = self.chart()
        category_axis = QBarCategoryAxis()
        category_axis.append(list(categories))
        value_axis = QValueAxis()
        step = _nice_step(maximum)
        value_axis.setRange(0, max(step, -(-maximum // step) * step))
        value_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        value_axis.setTickAnchor(0)
        value_axis.setTickInterval(step)
        value_axis.setLabelFormat("%d")
        if horizontal:
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom)
        else:
            chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(category_axis)
        series.attachAxis(value_axis)

    def show_bars(
        self,
        title: str,
        categories: Sequence[str],
        sets: Sequence[tuple[str, Sequence[float], str]],
        *,
        stacked: bool = False,
        horizontal: bool = False,
        full_categories: Sequence[str] | None = None,
    ) -> None:
        """Bars (grouped or stacked, vertical or horizontal): one set per (label, values, colour)."""
        self.clear()
        chart = self.chart()
        chart.setTitle(title)
        if horizontal:
            series = QHorizontalStackedBarSeries() if stacked else QHorizontalBarSeries()
            # Qt draws the first category at the bottom; readers expect it at the top, as in the tables.
            categories = list(reversed(categories))
            full_categories = list(reversed(full_categories)) if full_categories else None
            sets = [(label, list(reversed(values)), color) for label, values, color in sets]
        else:
            series = QStackedBarSeries() if stacked else QBarSeries()
        self.categories = list(full_categories or categories)
        for label, values, color in sets:
            bar_set = QBarSet(label)
            bar_set.append([float(v) for v in values])
            bar_set.setColor(QColor(color))
            bar_set.setBorderColor(QColor(color))
            bar_set.hovered.connect(lambda state, index, s=bar_set: self._bar_hovered(s, state, index))
            series.append(bar_set)
            self.bar_sets.append(bar_set)
        series.setBarWidth(0.7)
        chart.addSeries(series)
        if stacked:
            maximum = max((sum(column) for column in zip(*(s[1] for s in sets), strict=True)), default=0)
        else:
            maximum = max((max(s[1], default=0) for s in sets), default=0)
        self._axes(series, categories, maximum, horizontal)
        chart.legend().setVisible(len(sets) > 1)

    def show_pie(self, title: str, slices: Sequence[tuple[str, float, str]], empty_text: str) -> None:
        self.clear()
        chart = self.chart()
        chart.setTitle(title)
        series = QPieSeries()
        series.setHoleSize(0.35)
        total = sum(value for _label, value, _color in slices)
        for label, value, color in slices:
            share = f" ({format_number(round(value / total * 100, 1))} %)" if total else ""
            pie_slice = series.append(f"{label}: {format_number(value)}{share}", float(value))
            pie_slice.setColor(QColor(color))
            pie_slice.setBorderColor(QColor("white"))
        series.hovered.connect(self._slice_hovered)
        chart.addSeries(series)
        chart.legend().setVisible(True)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        if not total:
            chart.setTitle(f"{title} – {empty_text}")

    def _slice_hovered(self, pie_slice: QPieSlice, state: bool) -> None:
        pie_slice.setExploded(state)
        if state:
            self._show_hover(pie_slice.label())
        else:
            QToolTip.hideText()


class FigureTile(QLabel):
    """A key number with its caption."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setMinimumWidth(150)
        self.setStyleSheet(
            f"QLabel {{ background: {theme.hex_of('tile_background')}; color: palette(window-text);"
            f" border: 1px solid {theme.hex_of('tile_border')}; border-left: 6px solid {color};"
            " border-radius: 4px; padding: 8px; }"
        )
        self.value = ""

    def set(self, value: str, caption: str) -> None:
        self.value = value
        self.setText(f"<div style='font-size:20px; font-weight:bold'>{value}</div><div>{caption}</div>")
        self.setAccessibleName(f"{caption}: {value}")


class ReportsView(QWidget):
    loaded = Signal()  # new figures are on screen
    exported = Signal(str)  # the path written

    def __init__(self, reports: ReportService, runner: DbRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._reports = reports
        self._runner = runner
        self._generation = 0
        notifier(runner).changed.connect(self._changes_made)
        self.figures: ReportFigures | None = None
        self.query: ReportQuery = reports.default_query()

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.from_label, self.to_label, self.register_label = QLabel(), QLabel(), QLabel()
        self.from_edit, self.to_edit = DateField(), DateField()
        for edit, value in ((self.from_edit, self.query.start), (self.to_edit, self.query.end)):
            edit.setMaximumWidth(120)
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.setDate(QDate(value.year, value.month, value.day))
        self.from_label.setBuddy(self.from_edit)
        self.to_label.setBuddy(self.to_edit)
        self.register_combo = QComboBox()
        self.register_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.register_combo.setMinimumContentsLength(24)
        self.register_combo.currentTextChanged.connect(self.register_combo.setToolTip)
        self.register_label.setBuddy(self.register_combo)
        self.export_csv_button = QPushButton()
        self.export_xlsx_button = QPushButton()
        self.export_pdf_button = QPushButton()
        self.export_cases_button = QPushButton()
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.hover_label = QLabel()  # the last hovered number, also for screen readers
        self.hover_label.setStyleSheet(theme.text_style("muted"))

        self.tiles = {
            "total": FigureTile(theme.hex_of("queue_new_today")),
            "one_month": FigureTile(rep.TIMELINESS_COLORS[Timeliness.ONE_MONTH]),
            "extension": FigureTile(rep.TIMELINESS_COLORS[Timeliness.EXTENSION]),
            "late": FigureTile(rep.TIMELINESS_COLORS[Timeliness.LATE]),
            "median": FigureTile(theme.hex_of("queue_ready_to_print")),
            "p90": FigureTile(theme.hex_of("queue_ready_to_print")),
            "open": FigureTile(rep.TIMELINESS_COLORS[Timeliness.OVERDUE]),
        }
        self.charts = {key: ReportChart() for key in CHART_KEYS}
        for chart in self.charts.values():
            chart.hovered_text.connect(self.hover_label.setText)

        filters = QHBoxLayout()
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit, self.register_label):
            filters.addWidget(widget)
        filters.addWidget(self.register_combo, 1)
        exports = QHBoxLayout()  # a row of its own: the filters and the buttons fit a 1280-pixel screen
        for button in (
            self.export_csv_button,
            self.export_xlsx_button,
            self.export_pdf_button,
            self.export_cases_button,
        ):
            exports.addWidget(button)
        exports.addStretch(1)
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        grid = QGridLayout()
        for position, key in enumerate(CHART_KEYS):
            grid.addWidget(self.charts[key], position // 2, position % 2)
        grid.setRowMinimumHeight(0, 320)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(tiles)
        body_layout.addLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addLayout(exports)
        layout.addWidget(self.message_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.hover_label)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(250)
        self._reload_timer.timeout.connect(self.reload)
        self.from_edit.dateChanged.connect(self._filters_changed)
        self.to_edit.dateChanged.connect(self._filters_changed)
        self.register_combo.currentIndexChanged.connect(self._filters_changed)
        self.export_csv_button.clicked.connect(lambda: self._ask_and_export(rep.ExportFormat.CSV))
        self.export_xlsx_button.clicked.connect(lambda: self._ask_and_export(rep.ExportFormat.XLSX))
        self.export_pdf_button.clicked.connect(lambda: self._ask_and_export(rep.ExportFormat.PDF))
        self.export_cases_button.clicked.connect(self._ask_and_export_cases)
        self._fill_registers()
        self.retranslate()

    # -- filters and loading ------------------------------------------------------------------------
    def _fill_registers(self) -> None:
        current = self.register_combo.currentData() or ""
        self.register_combo.blockSignals(True)
        self.register_combo.clear()
        self.register_combo.addItem(_("All registers"), "")
        for register_id, name in self._reports.registers():
            self.register_combo.addItem(_shorten(name, 60), register_id)
            self.register_combo.setItemData(
                self.register_combo.count() - 1, name, Qt.ItemDataRole.ToolTipRole
            )
        self.register_combo.setCurrentIndex(max(0, self.register_combo.findData(current)))
        self.register_combo.blockSignals(False)

    def current_query(self) -> ReportQuery:
        start, end = self.from_edit.date(), self.to_edit.date()
        return ReportQuery(
            date(start.year(), start.month(), start.day()),
            date(end.year(), end.month(), end.day()),
            self.register_combo.currentData() or "",
        )

    def _filters_changed(self, *_args) -> None:
        self._reload_timer.start()

    def reload(self) -> None:
        """Compute the figures for the filters on the database worker; show them when they arrive."""
        self._reload_timer.stop()
        query = self.current_query()
        if query.start > query.end:
            self.message_label.setText(_("The period starts after it ends."))
            return
        self._generation += 1
        generation = self._generation
        reports = self._reports
        self._runner.run(
            lambda: reports.figures(query),
            lambda figures: self._show(generation, figures),
            self._show_error,
        )

    def _show(self, generation: int, figures: ReportFigures) -> None:
        if generation != self._generation:
            return  # the filters changed meanwhile; newer figures are on their way
        self.figures = figures
        self.query = figures.query
        self.message_label.setText("")
        self._render()
        self.loaded.emit()

    def _show_error(self, message: str) -> None:
        self.message_label.setText("<span style='color:{}'>{}</span>".format(theme.hex_of("error"), message))

    # -- drawing ------------------------------------------------------------------------------------
    def _render(self) -> None:
        f = self.figures
        if f is None:
            return
        self._render_tiles(f)
        months = [rep.month_label(m) for m in f.months]
        short_months = [_short_month(m) for m in f.months]
        for key, data, codes, labels, colors, title in (
            (
                "by_right",
                f.by_month_right,
                list(Right),
                rep.RIGHT_LABELS,
                rep.RIGHT_COLORS,
                _("Requests per month by right"),
            ),
            (
                "by_channel",
                f.by_month_channel,
                list(Channel),
                rep.CHANNEL_LABELS,
                rep.CHANNEL_COLORS,
                _("Requests per month by channel"),
            ),
        ):
            sets = [
                (_(labels[code]), [data.get(m, {}).get(code.value, 0) for m in f.months], colors[code])
                for code in codes
            ]
            self.charts[key].show_bars(title, short_months, sets, stacked=True, full_categories=months)
        self.charts["deadlines"].show_pie(
            _("Share answered in time (of the answered)"),
            [(_(PIE_LABELS[k]), f.timeliness.get(k, 0), rep.TIMELINESS_COLORS[k]) for k in rep.ANSWERED],
            _("nothing answered yet"),
        )
        outcome_codes = list(rep.OUTCOME_LABELS)
        outcome_names = [_(rep.OUTCOME_LABELS[c]) for c in outcome_codes]
        self.charts["outcomes"].show_bars(
            _("Outcomes"),
            [_shorten(n, 28) for n in outcome_names],
            [(_("Requests"), [f.outcomes.get(c, 0) for c in outcome_codes], "#546e7a")],
            horizontal=True,
            full_categories=outcome_names,
        )
        self.charts["open_by_age"].show_bars(
            _("Open requests by age (days since receipt)"),
            [_(rep.AGE_LABELS[key]) for key, _a, _b in rep.AGE_BUCKETS],
            [
                (
                    _("Open requests"),
                    [f.open_by_age.get(key, 0) for key, _a, _b in rep.AGE_BUCKETS],
                    rep.AGE_COLOR,
                )
            ],
        )
        register_ids = list(f.registers)
        register_names = [self._reports.register_name(r) for r in register_ids]
        self.charts["registers"].show_bars(
            _("Requests per register"),
            [_shorten(n, 28) for n in register_names],
            [
                (
                    _(rep.TIMELINESS_LABELS[k]),
                    [f.registers[r].get(k, 0) for r in register_ids],
                    rep.TIMELINESS_COLORS[k],
                )
                for k in Timeliness
            ],
            stacked=True,
            horizontal=True,
            full_categories=register_names,
        )

    def _render_tiles(self, f: ReportFigures) -> None:
        def percent(share: float | None) -> str:
            return "–" if share is None else f"{format_number(round(share * 100, 1))} %"

        def days(value: float | None) -> str:
            return "–" if value is None else format_number(round(value, 1))

        t = self.tiles
        t["total"].set(format_number(f.total), _("requests received"))
        t["one_month"].set(percent(f.share(Timeliness.ONE_MONTH)), _("answered within one month"))
        t["extension"].set(percent(f.share(Timeliness.EXTENSION)), _("answered within the extension"))
        t["late"].set(percent(f.share(Timeliness.LATE)), _("answered late"))
        t["median"].set(days(f.days.median), _("median days to reply"))
        t["p90"].set(days(f.days.p90), _("90th percentile, days"))
        t["open"].set(
            format_number(f.not_answered),
            _("open, {overdue} past due").format(
                overdue=format_number(f.timeliness.get(Timeliness.OVERDUE, 0))
            ),
        )

    # -- exports ------------------------------------------------------------------------------------
    def _ask_path(self, title: str, suffix: str, name: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, title, name, f"*.{suffix}")
        if not path:
            return None
        chosen = Path(path)
        return (
            chosen if chosen.suffix.lower() == f".{suffix}" else chosen.with_name(chosen.name + f".{suffix}")
        )

    def _file_name(self, stem: str, suffix: str) -> str:
        q = self.current_query()
        return f"{stem}_{q.start.isoformat()}_{q.end.isoformat()}.{suffix}"

    def _ask_and_export(self, fmt: rep.ExportFormat) -> None:
        path = self._ask_path(_("Export the report"), fmt.value, self._file_name(_("report"), fmt.value))
        if path is not None:
            self.export_report(fmt, path)

    def _ask_and_export_cases(self) -> None:
        path = self._ask_path(_("Export the cases"), "xlsx", self._file_name(_("cases"), "xlsx"))
        if path is not None:
            fmt = rep.ExportFormat.CSV if path.suffix.lower() == ".csv" else rep.ExportFormat.XLSX
            self.export_cases(fmt, path)

    def export_report(self, fmt: rep.ExportFormat, path: Path) -> None:
        """Write the figures of the current filters (small groups suppressed) to `path`, off the GUI thread."""
        query, reports = self.current_query(), self._reports
        self._run_export(lambda: reports.export(query, fmt, path), path)

    def export_cases(self, fmt: rep.ExportFormat, path: Path) -> None:
        """The case-level export of the current filters (recorded in the access log)."""
        query, reports = self.current_query(), self._reports
        self._run_export(lambda: reports.export_cases(query, fmt, path), path)

    def _run_export(self, op: Callable[[], object], path: Path) -> None:
        self.message_label.setText(_("Exporting…"))

        def done(_result: object) -> None:
            self.message_label.setText(_("Saved {file}").format(file=str(path)))
            self.exported.emit(str(path))

        # An export writes a file and the access log (case-level data): a write through the one door.
        CaseOp(self._runner, op).success(done).failure(self._show_error).run()

    def _changes_made(self, changes: CaseChanges) -> None:
        """Figures on screen follow every change of cases; a hidden page reloads when it is shown."""
        if changes.cases_changed and self.isVisible():
            self.reload()

    # -- language -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.heading.setText(_("Reports"))
        self.from_edit.retranslate()
        self.to_edit.retranslate()
        self.from_label.setText(_("&Received from"))
        self.to_label.setText(_("&to"))
        self.register_label.setText(_("Re&gister"))
        self.from_edit.setAccessibleName(_("Received from"))
        self.to_edit.setAccessibleName(_("Received to"))
        self.register_combo.setAccessibleName(_("Register"))
        self.export_csv_button.setText(_("Export CSV…"))
        self.export_xlsx_button.setText(_("Export XLSX…"))
        self.export_pdf_button.setText(_("Export PDF…"))
        self.export_cases_button.setText(_("Case-level export…"))
        for button, name in (
            (self.export_csv_button, _("Export the report as CSV")),
            (self.export_xlsx_button, _("Export the report as XLSX")),
            (self.export_pdf_button, _("Export the report as PDF")),
            (self.export_cases_button, _("Export one row per case (logged)")),
        ):
            button.setAccessibleName(name)
        small_groups = _("Exports show groups of fewer than 5 requests as “< 5”.")
        for button in (self.export_csv_button, self.export_xlsx_button, self.export_pdf_button):
            button.setToolTip(small_groups)
        allowed = self._reports.can_export_cases
        self.export_cases_button.setEnabled(allowed)
        self.export_cases_button.setToolTip(
            _("Diary number, dates, right, register, outcome and days to reply; no requester data. Logged.")
            if allowed
            else _("Needs the export permission (reviewer or administrator).")
        )
        self._fill_registers()
        self.register_combo.setItemText(0, _("All registers"))
        self._render()
