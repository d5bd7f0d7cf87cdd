"""Reports: how many requests came, of what kind, and whether the office answered them in time (issue 9).

Definitions (the figures mean exactly this):
- The period selects cases by their *received* date (both ends included); a register filter selects the
  cases that name that register.
- **Answered** = the reply left the office: the first `Dispatched` or `HandedOver` event's date (for a
  pickup, `Dispatched` is when the reply was made ready and the requester told). A withdrawn request
  counts as *withdrawn*, never as answered.
- An answer is judged against the due dates **stored** on the case (what the clerk saw; clock stops and
  office closing days are in them as they were then): within one month = on or before the stored
  one-month due date (recomputed from the clarification's arrival when the clock stopped); within the
  extension = later, but the deadline was extended and the reply left by the stored extended due date;
  late = anything else. Not yet answered cases are *past the due date* when their running clock's stored
  due date is before today (a case waiting for the requester is never past it).
- Days to reply = calendar days from receipt to the reply's date; the median and the 90th percentile
  interpolate between ranks like a spreadsheet's PERCENTILE.INC.
- Open cases by age: not yet answered (nor withdrawn) cases, by calendar days since receipt today.
- Per register: a case that names two registers counts under both.

Aggregates only: no query here reads a requester column. In **exports** (CSV, XLSX, PDF) groups of 1–4
requests are shown as "< 5" and shares and day statistics resting on them as "–"; the PDF's charts draw
such groups as zero. The on-screen charts show the exact numbers: whoever sees them may open the cases.
Totals are not suppressed, so a cell can sometimes be worked out by subtraction (primary suppression only).

The case-level export (one row a case: diary number, dates, right, channel, registers, outcome, days —
no requester data) needs `Permission.EXPORT` (reviewer, admin) and is written to the access log.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from desktop.domain.accounts import Permission, User
from desktop.domain.errors import N_, DomainError
from desktop.domain.model import Channel, Decision, Right
from desktop.i18n import _, current_language, format_date
from desktop.services.accounts import require
from desktop.services.audit import record_access
from desktop.services.clock import Clock
from desktop.services.report_files import (
    NOT_SHOWN,
    SUPPRESSED,
    Cell,
    Days,
    ExportFormat,
    Percent,
    ReportTable,
    atomic_write,
    cell_text,
    check_folder,
    parse_format,
    write_csv,
    write_rows_csv,
    write_rows_xlsx,
    write_xlsx,
)
from desktop.services.words import CHANNELS, DECISIONS, RIGHTS_SHORT
from desktop.services.workspace import Workspace
from desktop.store import report_queries
from desktop.store.report_queries import ANSWERED, NOT_ANSWERED, Timeliness

SMALL_GROUP = 5  # groups smaller than this are not shown in exports


UNDECIDED = ""  # the outcome of a case without a decision yet

# (key, first day, last day or None): calendar days since receipt.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    ("31-60", 31, 60),
    ("60+", 61, None),
)

# -- words -------------------------------------------------------------------------------------------------
# The domain's words are shared with the GUI (desktop.services.words); these are the report's own.
RIGHT_LABELS = RIGHTS_SHORT
CHANNEL_LABELS = CHANNELS
OUTCOME_LABELS = {**DECISIONS, UNDECIDED: N_("Not decided yet")}
TIMELINESS_LABELS = {
    Timeliness.ONE_MONTH: N_("Answered within one month"),
    Timeliness.EXTENSION: N_("Answered within the extension"),
    Timeliness.LATE: N_("Answered late"),
    Timeliness.WITHDRAWN: N_("Withdrawn"),
    Timeliness.PENDING: N_("Not yet answered, within the due date"),
    Timeliness.OVERDUE: N_("Not yet answered, past the due date"),
}
AGE_LABELS = {
    "0-7": N_("0–7 days"),
    "8-14": N_("8–14 days"),
    "15-30": N_("15–30 days"),
    "31-60": N_("31–60 days"),
    "60+": N_("over 60 days"),
}

# Colours shared by the on-screen charts and the PDF.
RIGHT_COLORS = {
    Right.ACCESS: "#1565c0",
    Right.RECTIFICATION: "#2e7d32",
    Right.ERASURE: "#c62828",
    Right.RESTRICTION: "#ef8f00",
    Right.OBJECTION: "#6a1b9a",
    Right.CONSENT_WITHDRAWAL: "#00838f",
    Right.RECORDING: "#5d4037",
}
CHANNEL_COLORS = {Channel.POST: "#1565c0", Channel.SECURE_EMAIL: "#00838f", Channel.IN_PERSON: "#ef8f00"}
OUTCOME_COLORS = {
    Decision.GRANTED: "#2e7d32",
    Decision.PARTLY_GRANTED: "#9e9d24",
    Decision.REFUSED: "#c62828",
    Decision.NO_DATA: "#546e7a",
    Decision.TRANSFERRED: "#6a1b9a",
    Decision.WITHDRAWN: "#8d6e63",
    UNDECIDED: "#b0bec5",
}
TIMELINESS_COLORS = {
    Timeliness.ONE_MONTH: "#2e7d32",
    Timeliness.EXTENSION: "#9ccc65",
    Timeliness.LATE: "#c62828",
    Timeliness.WITHDRAWN: "#8d6e63",
    Timeliness.PENDING: "#90a4ae",
    Timeliness.OVERDUE: "#ef8f00",
}
AGE_COLOR = "#37474f"


# -- what was asked and what came out ----------------------------------------------------------------------
@dataclass(frozen=True)
class ReportQuery:
    """Cases received from `start` to `end` (inclusive); `register` is a register id, "" for all."""

    start: date
    end: date
    register: str = ""

    def check(self) -> None:
        if self.start > self.end:
            raise DomainError(
                N_("The period starts ({start}) after it ends ({end})."),
                start=self.start.isoformat(),
                end=self.end.isoformat(),
            )


def default_period(today: date, register: str = "") -> ReportQuery:
    """The twelve calendar months up to and including today's month."""
    index = today.year * 12 + today.month - 1 - 11
    return ReportQuery(date(index // 12, index % 12 + 1, 1), today, register)


@dataclass(frozen=True)
class DayStats:
    """Days from receipt to reply over the answered requests; None when nothing was answered."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class ReportFigures:
    query: ReportQuery
    today: date
    months: tuple[str, ...]  # "YYYY-MM", every month of the period
    by_month_right: Mapping[str, Mapping[str, int]]  # month -> right -> requests
    by_month_channel: Mapping[str, Mapping[str, int]]  # month -> channel -> requests
    outcomes: Mapping[str, int]  # decision ("" = not decided yet) -> requests
    timeliness: Mapping[str, int]  # Timeliness -> requests
    days: DayStats
    open_by_age: Mapping[str, int]  # AGE_BUCKETS key -> requests
    registers: Mapping[str, Mapping[str, int]]  # register id -> Timeliness -> requests
    total: int

    @property
    def answered(self) -> int:
        return sum(self.timeliness.get(t, 0) for t in ANSWERED)

    @property
    def not_answered(self) -> int:
        return sum(self.timeliness.get(t, 0) for t in NOT_ANSWERED)

    def share(self, timeliness: Timeliness) -> float | None:
        """The share (0–1) of the answered requests; None when none was answered."""
        answered = self.answered
        return self.timeliness.get(timeliness, 0) / answered if answered else None

    def month_total(self, month: str) -> int:
        return sum(self.by_month_right.get(month, {}).values())


@dataclass(frozen=True)
class CaseReportRow:
    """One case in the case-level export: no requester data."""

    diary_number: str
    received: date
    right: str
    channel: str
    registers: tuple[str, ...]
    decision: str
    one_month_due: date | None
    extended_due: date | None
    replied: date | None
    days_to_reply: int | None
    timeliness: Timeliness


def months_between(start: date, end: date) -> tuple[str, ...]:
    """Every month from start's to end's, as "YYYY-MM"."""
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return tuple(f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1))


def quantile(histogram: Mapping[int, int], p: float) -> float | None:
    """The p-quantile (0–1) of values given as value -> count, interpolated like PERCENTILE.INC."""
    n = sum(histogram.values())
    if n == 0:
        return None
    position = (n - 1) * p
    low, high = math.floor(position), math.ceil(position)

    def nth(k: int) -> int:
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if k < seen:
                return value
        raise AssertionError(k)

    low_value, high_value = nth(low), nth(high)
    return low_value + (position - low) * (high_value - low_value)


def age_bucket(days: int) -> str:
    for key, first, last in AGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return key
    return AGE_BUCKETS[0][0]  # received "in the future" (a desk's clock): the newest bucket


def compute_figures(connection, query: ReportQuery, today: date) -> ReportFigures:
    """All figures of the report from the projections and the event log, in one SQL statement."""
    query.check()
    by_right: dict[str, dict[str, int]] = {}
    by_channel: dict[str, dict[str, int]] = {}
    outcomes: dict[str, int] = {}
    timeliness: dict[str, int] = {}
    days: dict[int, int] = {}
    ages: dict[str, int] = {key: 0 for key, _first, _last in AGE_BUCKETS}
    registers: dict[str, dict[str, int]] = {}
    rows = report_queries.figure_rows(connection, query.start, query.end, query.register, today)
    for kind, a, b, n in rows:
        if kind == "right":
            by_right.setdefault(a, {})[b] = n
        elif kind == "channel":
            by_channel.setdefault(a, {})[b] = n
        elif kind == "outcome":
            outcomes[b or UNDECIDED] = outcomes.get(b or UNDECIDED, 0) + n
        elif kind == "timeliness":
            timeliness[b] = n
        elif kind == "days":
            days[int(a)] = n
        elif kind == "age":
            bucket = age_bucket(int(a))
            ages[bucket] += n
        elif kind == "register":
            registers.setdefault(a, {})[b] = n
    return ReportFigures(
        query=query,
        today=today,
        months=months_between(query.start, query.end),
        by_month_right=by_right,
        by_month_channel=by_channel,
        outcomes=outcomes,
        timeliness=timeliness,
        days=DayStats(sum(days.values()), quantile(days, 0.5), quantile(days, 0.9)),
        open_by_age=ages,
        registers=dict(sorted(registers.items())),
        total=sum(timeliness.values()),
    )


def _date_or_none(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def case_rows(connection, query: ReportQuery, today: date) -> Iterator[CaseReportRow]:
    """The selected cases in diary order, one export row each, streamed."""
    query.check()
    rows = report_queries.case_rows(connection, query.start, query.end, query.register, today)
    for diary, received, right, channel, regs, decision, one_month, extended, due, replied, when in rows:
        received_date = date.fromisoformat(received)
        replied_date = _date_or_none(replied)
        answered = when in ANSWERED
        yield CaseReportRow(
            diary_number=diary,
            received=received_date,
            right=right,
            channel=channel,
            registers=tuple(regs.split()),
            decision=decision,
            one_month_due=_date_or_none(one_month),
            extended_due=date.fromisoformat(due) if extended else None,
            replied=replied_date if answered else None,
            days_to_reply=(replied_date - received_date).days if answered and replied_date else None,
            timeliness=Timeliness(when),
        )


# -- tables: one localised shape for CSV, XLSX and the PDF -------------------------------------------------
def _label(table: Mapping, code: object) -> str:
    for key, message in table.items():
        if key == code:
            return _(message)
    return str(code)


def register_name(workspace: Workspace, register_id: str, language: str | None = None) -> str:
    if register_id in workspace.catalog:
        return workspace.catalog.get(register_id).name.get(language or current_language())
    return register_id


def month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{int(number)}/{year}"


def period_label(query: ReportQuery) -> str:
    return f"{format_date(query.start)}–{format_date(query.end)}"


@dataclass
class _Cells:
    """Turns numbers into exported cells, with or without the small-group rule."""

    suppress: bool

    def count(self, n: int) -> int | str:
        return SUPPRESSED if self.suppress and 0 < n < SMALL_GROUP else n

    def share(self, n: int, base: int) -> Percent | str:
        if base == 0:
            return NOT_SHOWN
        if self.suppress and (0 < n < SMALL_GROUP or base < SMALL_GROUP):
            return NOT_SHOWN
        return Percent(n / base)

    def days(self, value: float | None, base: int) -> Days | str:
        if value is None or (self.suppress and base < SMALL_GROUP):
            return NOT_SHOWN
        return Days(value)


def build_tables(figures: ReportFigures, workspace: Workspace, suppress: bool = True) -> list[ReportTable]:
    """The report's tables in the UI language; with `suppress`, groups under 5 are "< 5"."""
    cells = _Cells(suppress)
    f = figures
    t = f.timeliness
    answered = f.answered
    summary = (
        (_("Requests received"), cells.count(f.total), ""),
        (_("Answered (the reply left the office)"), cells.count(answered), ""),
        *(
            (_(TIMELINESS_LABELS[k]), cells.count(t.get(k, 0)), cells.share(t.get(k, 0), answered))
            for k in ANSWERED
        ),
        (_(TIMELINESS_LABELS[Timeliness.WITHDRAWN]), cells.count(t.get(Timeliness.WITHDRAWN, 0)), ""),
        (_("Not yet answered"), cells.count(f.not_answered), ""),
        (_("of which past the due date"), cells.count(t.get(Timeliness.OVERDUE, 0)), ""),
        (_("Median of days to reply"), cells.days(f.days.median, f.days.count), ""),
        (_("90th percentile of days to reply"), cells.days(f.days.p90, f.days.count), ""),
    )
    tables = [
        ReportTable(
            "summary",
            _("Summary"),
            (_("Figure"), _("Value"), _("Share of answered")),
            summary,
        )
    ]
    for key, title, data, codes, labels in (
        ("by_right", _("Requests per month by right"), f.by_month_right, list(Right), RIGHT_LABELS),
        ("by_channel", _("Requests per month by channel"), f.by_month_channel, list(Channel), CHANNEL_LABELS),
    ):
        rows = []
        for month in f.months:
            values = [data.get(month, {}).get(code.value, 0) for code in codes]
            rows.append((month_label(month), *(cells.count(v) for v in values), cells.count(sum(values))))
        totals = [sum(data.get(m, {}).get(code.value, 0) for m in f.months) for code in codes]
        rows.append((_("Total"), *(cells.count(v) for v in totals), cells.count(sum(totals))))
        headers = (_("Month"), *(_label(labels, code) for code in codes), _("Total"))
        tables.append(ReportTable(key, title, headers, tuple(rows)))
    tables.append(
        ReportTable(
            "outcomes",
            _("Outcomes"),
            (_("Outcome"), _("Requests"), _("Share")),
            tuple(
                (
                    _(OUTCOME_LABELS[code]),
                    cells.count(f.outcomes.get(code, 0)),
                    cells.share(f.outcomes.get(code, 0), f.total),
                )
                for code in OUTCOME_LABELS
            ),
        )
    )
    tables.append(
        ReportTable(
            "deadlines",
            _("Deadlines"),
            (_("Deadline"), _("Requests"), _("Share of answered")),
            tuple(
                (
                    _(TIMELINESS_LABELS[k]),
                    cells.count(t.get(k, 0)),
                    cells.share(t.get(k, 0), answered) if k in ANSWERED else "",
                )
                for k in Timeliness
            ),
            _("Judged against the due dates stored on each case, clock stops included."),
        )
    )
    age_rows = [(_(AGE_LABELS[key]), cells.count(f.open_by_age.get(key, 0))) for key, _a, _b in AGE_BUCKETS]
    age_rows.append((_("Total"), cells.count(sum(f.open_by_age.values()))))
    tables.append(
        ReportTable(
            "open_by_age",
            _("Open requests by age"),
            (_("Days since receipt"), _("Open requests")),
            tuple(age_rows),
            _("Requests not yet answered nor withdrawn, on {date}.").format(date=format_date(f.today)),
        )
    )
    register_rows = []
    for register_id, counts in f.registers.items():
        register_rows.append(
            (
                register_name(workspace, register_id),
                cells.count(sum(counts.values())),
                *(cells.count(counts.get(k, 0)) for k in (*ANSWERED, Timeliness.WITHDRAWN)),
                cells.count(sum(counts.get(k, 0) for k in NOT_ANSWERED)),
            )
        )
    tables.append(
        ReportTable(
            "registers",
            _("Requests per register"),
            (
                _("Register"),
                _("Received"),
                _("Within one month"),
                _("Within the extension"),
                _("Late"),
                _("Withdrawn"),
                _("Not yet answered"),
            ),
            tuple(register_rows),
            _("A request that concerns several registers counts under each."),
        )
    )
    return tables


def report_title() -> str:
    return _("Data-subject requests: deadlines report")


def report_heading_lines(figures: ReportFigures, workspace: Workspace) -> list[str]:
    settings = workspace.settings
    register = (
        register_name(workspace, figures.query.register) if figures.query.register else _("All registers")
    )
    return [
        settings.office_name or settings.office_prefix,
        _("Requests received {period}").format(period=period_label(figures.query)),
        _("Register: {register}").format(register=register),
        _("Compiled on {date}").format(date=format_date(figures.today)),
    ]


def suppression_note() -> str:
    return _(
        "Aggregates only: no names or identity codes. Groups of fewer than 5 requests are shown as “< 5”."
    )


# -- the PDF -----------------------------------------------------------------------------------------------
def report_document(figures: ReportFigures, workspace: Workspace):
    """The PDF's content: charts drawn from the suppressed figures, tables as exported."""
    from desktop.printing.report_pdf import ChartSeries, ChartSpec, ReportDocument, ReportSection, TableSpec

    built = {t.key: t for t in build_tables(figures, workspace, suppress=True)}
    titles = {key: table.title for key, table in built.items()}
    tables = {
        key: TableSpec(t.headers, tuple(tuple(cell_text(c) for c in row) for row in t.rows), t.note)
        for key, t in built.items()
    }
    cells = _Cells(suppress=True)

    def drawn(n: int) -> int:
        value = cells.count(n)
        return value if isinstance(value, int) else 0

    months = [month_label(m) for m in figures.months]

    def per_month(data, codes, labels, colors) -> tuple:
        return tuple(
            ChartSeries(
                _label(labels, code),
                tuple(drawn(data.get(m, {}).get(code.value, 0)) for m in figures.months),
                colors[code],
            )
            for code in codes
        )

    t = figures.timeliness
    outcome_codes = [c for c in OUTCOME_LABELS if figures.outcomes.get(c, 0)] or list(OUTCOME_LABELS)
    register_ids = list(figures.registers)
    sections = [
        ReportSection(titles["summary"], None, tables["summary"]),
        ReportSection(
            titles["deadlines"],
            ChartSpec(
                "pie",
                tuple(_(TIMELINESS_LABELS[k]) for k in ANSWERED),
                (
                    ChartSeries(
                        _("Answered"),
                        tuple(drawn(t.get(k, 0)) for k in ANSWERED),
                        "",
                        tuple(TIMELINESS_COLORS[k] for k in ANSWERED),
                    ),
                ),
            ),
            tables["deadlines"],
        ),
        ReportSection(
            titles["by_right"],
            ChartSpec(
                "stacked",
                tuple(months),
                per_month(figures.by_month_right, list(Right), RIGHT_LABELS, RIGHT_COLORS),
            ),
            tables["by_right"],
        ),
        ReportSection(
            titles["by_channel"],
            ChartSpec(
                "stacked",
                tuple(months),
                per_month(figures.by_month_channel, list(Channel), CHANNEL_LABELS, CHANNEL_COLORS),
            ),
            tables["by_channel"],
        ),
        ReportSection(
            titles["outcomes"],
            ChartSpec(
                "hbars",
                tuple(_(OUTCOME_LABELS[c]) for c in outcome_codes),
                (
                    ChartSeries(
                        _("Requests"),
                        tuple(drawn(figures.outcomes.get(c, 0)) for c in outcome_codes),
                        "",
                        tuple(OUTCOME_COLORS[c] for c in outcome_codes),
                    ),
                ),
            ),
            tables["outcomes"],
        ),
        ReportSection(
            titles["open_by_age"],
            ChartSpec(
                "bars",
                tuple(_(AGE_LABELS[key]) for key, _a, _b in AGE_BUCKETS),
                (
                    ChartSeries(
                        _("Open requests"),
                        tuple(drawn(figures.open_by_age.get(key, 0)) for key, _a, _b in AGE_BUCKETS),
                        AGE_COLOR,
                    ),
                ),
            ),
            tables["open_by_age"],
        ),
        ReportSection(
            titles["registers"],
            ChartSpec(
                "hstacked",
                tuple(register_name(workspace, r) for r in register_ids),
                tuple(
                    ChartSeries(
                        _(TIMELINESS_LABELS[k]),
                        tuple(drawn(figures.registers[r].get(k, 0)) for r in register_ids),
                        TIMELINESS_COLORS[k],
                    )
                    for k in Timeliness
                ),
            )
            if register_ids
            else None,
            tables["registers"],
        ),
    ]
    return ReportDocument(
        title=report_title(),
        heading=tuple(report_heading_lines(figures, workspace)),
        sections=tuple(sections),
        note=suppression_note(),
        language=current_language(),
        empty_chart_text=_("Nothing to show"),
    )


# -- the service -------------------------------------------------------------------------------------------
CASE_EXPORT_ACTION = "export_cases"


class ReportService:
    """Report figures and exports for the signed-in user."""

    def __init__(self, workspace: Workspace, user: User, clock: Clock | None = None) -> None:
        self.workspace = workspace
        self.user = user
        self.clock = clock or Clock()

    def default_query(self, register: str = "") -> ReportQuery:
        return default_period(self.clock.today(), register)

    def register_name(self, register_id: str, language: str | None = None) -> str:
        """A register's name in the UI language (its id when the catalog no longer has it)."""
        return register_name(self.workspace, register_id, language)

    def registers(self) -> list[tuple[str, str]]:
        """(id, name in the UI language) of every register in the catalog, for the filter."""
        return [(r.id, register_name(self.workspace, r.id)) for r in self.workspace.catalog]

    @property
    def can_export_cases(self) -> bool:
        return self.user.can(Permission.EXPORT)

    def figures(self, query: ReportQuery) -> ReportFigures:
        """The report's figures (aggregates only; anyone who may view cases may see them)."""
        require(self.user, Permission.VIEW)
        if query.register and query.register not in self.workspace.catalog:
            raise DomainError(N_("No register {register}."), register=query.register)
        with self.workspace.engine.connect() as connection:
            return compute_figures(connection, query, self.clock.today())

    def export(
        self, query: ReportQuery | ReportFigures, fmt: ExportFormat | str, path: Path
    ) -> ReportFigures:
        """Write the report (aggregates, small groups suppressed) as CSV, XLSX or PDF, atomically."""
        fmt = parse_format(fmt)
        check_folder(path)
        figures = query if isinstance(query, ReportFigures) else self.figures(query)
        require(self.user, Permission.VIEW)
        if fmt is ExportFormat.PDF:
            from desktop.printing.report_pdf import render_report

            data = render_report(report_document(figures, self.workspace))
            atomic_write(path, lambda handle: handle.write(data))
            return figures
        heading = [report_title(), *report_heading_lines(figures, self.workspace)]
        tables = build_tables(figures, self.workspace, suppress=True)
        writer = write_csv if fmt is ExportFormat.CSV else write_xlsx
        atomic_write(path, lambda handle: writer(handle, heading, tables, suppression_note()))
        return figures

    def case_rows(self, query: ReportQuery) -> list[CaseReportRow]:
        """The cases of the period, one row each, for the officer (needs the export permission)."""
        require(self.user, Permission.EXPORT)
        with self.workspace.engine.connect() as connection:
            return list(case_rows(connection, query, self.clock.today()))

    def export_cases(self, query: ReportQuery, fmt: ExportFormat | str, path: Path) -> int:
        """The case-level export (CSV or XLSX), recorded in the access log. Returns the number of cases."""
        require(self.user, Permission.EXPORT)
        fmt = parse_format(fmt)
        if fmt is ExportFormat.PDF:
            raise DomainError(N_("The case-level export is written as CSV or XLSX."))
        if query.register and query.register not in self.workspace.catalog:
            raise DomainError(N_("No register {register}."), register=query.register)
        query.check()
        check_folder(path)
        today = self.clock.today()
        written = 0

        def write(handle: IO[bytes]) -> None:
            nonlocal written
            with self.workspace.engine.connect() as connection:
                rows = (self._case_cells(row) for row in case_rows(connection, query, today))
                if fmt is ExportFormat.CSV:
                    written = write_rows_csv(handle, case_export_headers(), rows)
                else:
                    widths = (18, 12, 20, 16, 30, 30, 14, 14, 14, 10, 36)
                    written = write_rows_xlsx(handle, _("Cases"), case_export_headers(), rows, widths)

        def log() -> None:
            # Logged before the file appears: an export that is not in the log does not exist.
            subject = (
                f"{fmt.value} {query.start.isoformat()}..{query.end.isoformat()} "
                f"register={query.register or '*'} cases={written} file={Path(path).name}"
            )
            record_access(self.workspace, self.user, CASE_EXPORT_ACTION, subject)

        atomic_write(path, write, before_commit=log)
        return written

    def _case_cells(self, row: CaseReportRow) -> tuple[Cell, ...]:
        return (
            row.diary_number,
            row.received,
            _label(RIGHT_LABELS, row.right),
            _label(CHANNEL_LABELS, row.channel),
            ", ".join(row.registers),
            _label(OUTCOME_LABELS, row.decision),
            row.one_month_due,
            row.extended_due,
            row.replied,
            row.days_to_reply,
            _(TIMELINESS_LABELS[row.timeliness]),
        )


def case_export_headers() -> tuple[str, ...]:
    return (
        _("Diary number"),
        _("Received"),
        _("Right"),
        _("Channel"),
        _("Registers"),
        _("Outcome"),
        _("Due date (one month)"),
        _("Due date (extended)"),
        _("Reply sent"),
        _("Days to reply"),
        _("Deadline"),
    )


__all__ = [
    "AGE_BUCKETS",
    "SUPPRESSED",
    "CaseReportRow",
    "DayStats",
    "ExportFormat",
    "ReportFigures",
    "ReportQuery",
    "ReportService",
    "ReportTable",
    "Timeliness",
    "build_tables",
    "default_period",
    "quantile",
]
