"""The reports page of advisors (their cases) and supervisors (their firm's): open cases by
stage and visa type, days per stage, review waiting time, outcomes by month, cases opened
and closed per week. Each report is a table, most with an SVG bar chart drawn on the server
(``templates/cases/_bar_chart.html``: no script, no inline style), and a CSV download through
``portal.audit.csv_response`` (formula escaping). Figures: ``cases/selectors/reports.py``."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.forms.reports import ReportFilterForm
from cases.models import MAIN_LINE, OPEN_STAGES, Stage
from cases.selectors import reports as selectors
from portal.audit import csv_response

# Bar colours (SVG fill attributes), distinguishable with the common colour-vision deficiencies.
COLOURS = ("#0b5cad", "#b35806", "#5e3c99")
REPORT_SLUGS = frozenset({"open", "stages", "reviews", "outcomes", "weeks"})


@dataclass
class Bar:
    value: float
    text: str
    # Geometry in the chart's 600-unit-wide viewBox, set by ``Report.scale``.
    x: int = 0
    y: int = 0
    width: float = 0.0
    fill: str = ""
    text_x: float = 0.0
    text_y: int = 0


@dataclass
class Row:
    label: str
    bars: list[Bar]
    label_y: int = 0


# Chart layout (viewBox units): labels on the left, bars from BAR_X up to BAR_X + BAR_SPAN.
LABEL_X, BAR_X, BAR_SPAN, BAR_HEIGHT, ROW_GAP = 4, 200, 330, 14, 10


@dataclass
class Report:
    slug: str
    title: str
    header: list[str]
    rows: list[list[object]]
    series: list[str] = field(default_factory=list)
    chart: list[Row] = field(default_factory=list)

    def scale(self) -> None:
        """Lay the bars out: one group per row, one bar per series, longest bar full width."""
        most = max([0.0, *(b.value for r in self.chart for b in r.bars)]) or 1.0
        y = ROW_GAP
        for row in self.chart:
            row.label_y = y + BAR_HEIGHT - 3
            for i, bar in enumerate(row.bars):
                bar.x, bar.y = BAR_X, y
                bar.width = round(BAR_SPAN * bar.value / most, 1)
                bar.fill = COLOURS[i % len(COLOURS)]
                bar.text_x, bar.text_y = BAR_X + bar.width + 4, y + BAR_HEIGHT - 3
                y += BAR_HEIGHT + 2
            y += ROW_GAP

    @property
    def chart_height(self) -> int:
        bars = sum(len(r.bars) for r in self.chart)
        return ROW_GAP + bars * (BAR_HEIGHT + 2) + len(self.chart) * ROW_GAP

    @property
    def legend(self) -> list[tuple[str, str]]:
        return list(zip(self.series, COLOURS, strict=False))


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def build_reports(*, cases, filters: selectors.ReportFilters, now: dt.datetime) -> list[Report]:  # type: ignore[no-untyped-def]
    """Every report of the page from one scoped queryset of cases: seven queries in all."""
    stages = [*MAIN_LINE[:6], Stage.ON_HOLD]
    open_counts = selectors.open_by_stage_and_visa(cases)
    codes = sorted({code for _stage, code in open_counts})
    open_report = Report(
        "open",
        _("Open cases by stage and visa type"),
        [_("Stage"), *codes, _("Total")],
        [],
        series=[_("Open cases")],
    )
    for stage in stages:
        counts = [open_counts.get((stage, c), 0) for c in codes]
        label = str(Stage(stage).label)
        open_report.rows.append([label, *counts, sum(counts)])
        open_report.chart.append(Row(label, [Bar(sum(counts), str(sum(counts)))]))
    spreads = selectors.days_per_stage(cases, filters)
    stage_report = Report(
        "stages",
        _("Days spent in each stage"),
        [_("Stage"), _("Stays ended"), _("Median days"), _("90th percentile days")],
        [],
        series=[_("Median days"), _("90th percentile days")],
    )
    for stage in [s for s in MAIN_LINE if s in OPEN_STAGES or s == Stage.DECIDED] + [Stage.ON_HOLD]:
        spread = spreads.get(stage, selectors.Spread(0, None, None))
        label = str(Stage(stage).label)
        stage_report.rows.append([label, spread.count, _days(spread.median), _days(spread.p90)])
        stage_report.chart.append(
            Row(
                label,
                [
                    Bar(spread.median or 0.0, _days(spread.median)),
                    Bar(spread.p90 or 0.0, _days(spread.p90)),
                ],
            )
        )
    waiting = selectors.review_waiting(cases, filters, now=now)
    review_report = Report(
        "reviews",
        _("Review waiting time"),
        [
            _("Reviews done"),
            _("Median days to review"),
            _("90th percentile days"),
            _("Files waiting now"),
            _("Oldest waiting (days)"),
        ],
        [
            [
                waiting.done.count,
                _days(waiting.done.median),
                _days(waiting.done.p90),
                waiting.waiting,
                _days(waiting.oldest_waiting_days),
            ]
        ],
    )
    outcome_report = Report(
        "outcomes",
        _("Outcomes by month and visa type"),
        [_("Month"), _("Visa type"), _("Approved"), _("Refused"), _("Withdrawn")],
        [],
        series=[_("Approved"), _("Refused"), _("Withdrawn")],
    )
    for o in selectors.outcomes_by_month(cases, filters):
        month = o.month.strftime("%Y-%m")
        outcome_report.rows.append([month, o.visa_code, o.approved, o.refused, o.withdrawn])
        outcome_report.chart.append(
            Row(
                f"{month} {o.visa_code}",
                [
                    Bar(o.approved, str(o.approved)),
                    Bar(o.refused, str(o.refused)),
                    Bar(o.withdrawn, str(o.withdrawn)),
                ],
            )
        )
    flow = selectors.opened_closed_per_week(cases, filters)
    week_report = Report(
        "weeks",
        _("Cases opened and closed per week"),
        [_("Week from"), _("Opened"), _("Closed or withdrawn")],
        [],
        series=[_("Opened"), _("Closed or withdrawn")],
    )
    for w in flow.weeks:
        week_report.rows.append([w.start.isoformat(), w.opened, w.closed])
        week_report.chart.append(
            Row(w.start.isoformat(), [Bar(w.opened, str(w.opened)), Bar(w.closed, str(w.closed))])
        )
    reports = [open_report, stage_report, review_report, outcome_report, week_report]
    for report in reports:
        report.scale()
    return reports


def _filters(request: HttpRequest) -> tuple[ReportFilterForm, selectors.ReportFilters]:
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None, user=request.user, today=today)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.ReportFilters(data["start"], data["end"], data["visa_type"])
    end = today
    return form, selectors.ReportFilters(end - dt.timedelta(days=83), end, "")


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    cases = selectors.report_cases_for_user(user=request.user, filters=filters)
    reports = build_reports(cases=cases, filters=filters, now=timezone.now())
    return render(
        request,
        "cases/reports.html",
        {"form": form, "filters": filters, "reports": reports, "query": request.GET.urlencode()},
    )


@login_required
@require_GET
def report_csv(request: HttpRequest, report: str) -> StreamingHttpResponse:
    if report not in REPORT_SLUGS:
        raise Http404("No such report.")
    _form, filters = _filters(request)
    cases = selectors.report_cases_for_user(user=request.user, filters=filters)
    reports = build_reports(cases=cases, filters=filters, now=timezone.now())
    match = next((r for r in reports if r.slug == report), None)
    if match is None:
        raise Http404("No such report.")
    name = f"report-{match.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    return csv_response(name, [str(h) for h in match.header], match.rows)
