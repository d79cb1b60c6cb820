"""The reports page of advisors (their cases) and supervisors (their firm's): open cases by
stage and visa type, days per stage, review waiting time, outcomes by month, cases opened
and closed per week. Each report is a table, most with an SVG bar chart drawn on the server
(``templates/cases/_bar_chart.html``: no script, no inline style), and a CSV download through
``portal.audit.csv_response`` (formula escaping). Figures: ``cases/selectors/reports.py``."""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.forms.reports import ReportFilterForm
from cases.models import MAIN_LINE, OPEN_STAGES, Stage
from cases.permissions import can_see_firm_figures
from cases.selectors import reports as selectors
from cases.selectors.cases import DUE_SOON_DAYS
from portal.models import User
from portal.spreadsheets import table_response

# Bar colours (SVG fill attributes), distinguishable with the common colour-vision deficiencies.
COLOURS = ("#0b5cad", "#b35806", "#5e3c99")
REPORT_SLUGS = frozenset({"open", "stages", "reviews", "outcomes", "weeks", "deadlines"})


@dataclass(frozen=True)
class Link:
    """A figure of a table that links to the cases behind it (``href``: the case list with
    matching filters); a CSV cell shows ``text``."""

    text: object
    href: str

    def __str__(self) -> str:
        return str(self.text)


def case_list_url(viewer: User, filters: selectors.ReportFilters, **params: object) -> str:
    """The case list with ``params`` and the report's visa type and advisor filters (the
    advisor one only for those who have it, ``can_see_firm_figures``)."""
    query: dict[str, object] = {}
    if filters.visa_code:
        query["visa_type"] = filters.visa_code
    if can_see_firm_figures(viewer):
        if filters.unassigned:
            query["advisor"] = "none"
        elif filters.advisor_id:
            query["advisor"] = filters.advisor_id
    query.update(params)
    if not can_see_firm_figures(viewer):
        query.pop("advisor", None)
    return reverse("cases:list") + "?" + urlencode(query)


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


def build_reports(  # type: ignore[no-untyped-def]
    *, cases, viewer: User, filters: selectors.ReportFilters, now: dt.datetime
) -> list[Report]:
    """Every report of the page from one scoped queryset of cases: ten queries in all."""
    stages = [*MAIN_LINE[:6], Stage.ON_HOLD]

    def period(
        prefix: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> dict[str, str]:
        """The case list's ``<prefix>_from``/``<prefix>_to`` filters: ``start`` to ``end``
        (a month or a week) within the report's period, or the whole period."""
        low = max(start or filters.start, filters.start)
        high = min(end or filters.end, filters.end)
        return {f"{prefix}_from": low.isoformat(), f"{prefix}_to": high.isoformat()}

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
        # The visa columns name their own visa type; the total keeps the page's filter.
        cells = [
            Link(n, case_list_url(viewer, filters, stage=stage, visa_type=c))
            for n, c in zip(counts, codes, strict=True)
        ]
        total_url = case_list_url(viewer, filters, stage=stage)
        open_report.rows.append([label, *cells, Link(sum(counts), total_url)])
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
        stays_url = case_list_url(viewer, filters, left_stage=stage, **period("left"))
        stage_report.rows.append(
            [label, Link(spread.count, stays_url), _days(spread.median), _days(spread.p90)]
        )
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
                Link(waiting.done.count, case_list_url(viewer, filters, **period("reviewed"))),
                _days(waiting.done.median),
                _days(waiting.done.p90),
                Link(waiting.waiting, case_list_url(viewer, filters, awaiting_review="on")),
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
        month_end = (o.month + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        decided = period("decided", o.month, month_end)
        visa = {"visa_type": o.visa_code}
        outcome_report.rows.append(
            [
                month,
                o.visa_code,
                Link(
                    o.approved,
                    case_list_url(viewer, filters, decision="approved", **decided, **visa),
                ),
                Link(
                    o.refused, case_list_url(viewer, filters, decision="refused", **decided, **visa)
                ),
                Link(
                    o.withdrawn,
                    case_list_url(
                        viewer,
                        filters,
                        stage=Stage.WITHDRAWN,
                        **period("closed", o.month, month_end),
                        **visa,
                    ),
                ),
            ]
        )
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
        week_end = w.start + dt.timedelta(days=6)
        week_report.rows.append(
            [
                w.start.isoformat(),
                Link(
                    w.opened, case_list_url(viewer, filters, **period("opened", w.start, week_end))
                ),
                Link(
                    w.closed, case_list_url(viewer, filters, **period("closed", w.start, week_end))
                ),
            ]
        )
        week_report.chart.append(
            Row(w.start.isoformat(), [Bar(w.opened, str(w.opened)), Bar(w.closed, str(w.closed))])
        )
    deadline_report = Report(
        "deadlines",
        _("Overdue and upcoming documents by advisor"),
        [
            _("Advisor"),
            _("Overdue now"),
            _("Due in the next %(n)d days") % {"n": DUE_SOON_DAYS},
        ],
        [],
        series=[_("Overdue now"), _("Due in the next %(n)d days") % {"n": DUE_SOON_DAYS}],
    )
    for d in selectors.deadlines_by_advisor(cases, viewer=viewer, filters=filters, now=now):
        name = d.name or _("No advisor")
        who = {"advisor": d.advisor_id or "none"}
        overdue_url = case_list_url(viewer, filters, overdue="on", **who)
        soon_url = case_list_url(viewer, filters, due_soon="on", **who)
        deadline_report.rows.append(
            [name, Link(d.overdue, overdue_url), Link(d.due_soon, soon_url)]
        )
        deadline_report.chart.append(
            Row(
                name,
                [Bar(d.overdue, str(d.overdue)), Bar(d.due_soon, str(d.due_soon))],
            )
        )
    reports = [
        open_report,
        stage_report,
        review_report,
        outcome_report,
        week_report,
        deadline_report,
    ]
    for report in reports:
        report.scale()
    return reports


def _filters(request: HttpRequest) -> tuple[ReportFilterForm, selectors.ReportFilters]:
    today = timezone.localdate()
    form = ReportFilterForm(request.GET or None, user=request.user, today=today)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        advisor = data.get("advisor") or ""
        return form, selectors.ReportFilters(
            data["start"],
            data["end"],
            data["visa_type"],
            advisor_id=int(advisor) if advisor.isdigit() else None,
            unassigned=advisor == "none",
        )
    end = today
    return form, selectors.ReportFilters(end - dt.timedelta(days=83), end, "")


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    cases = selectors.report_cases_for_user(user=request.user, filters=filters)
    reports = build_reports(cases=cases, viewer=request.user, filters=filters, now=timezone.now())
    return render(
        request,
        "cases/reports.html",
        {
            "form": form,
            "filters": filters,
            "reports": reports,
            "query": request.GET.urlencode(),
            "due_soon_days": DUE_SOON_DAYS,
        },
    )


def _download(request: HttpRequest, report: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if report not in REPORT_SLUGS:
        raise Http404("No such report.")
    _form, filters = _filters(request)
    cases = selectors.report_cases_for_user(user=request.user, filters=filters)
    reports = build_reports(cases=cases, viewer=request.user, filters=filters, now=timezone.now())
    match = next((r for r in reports if r.slug == report), None)
    if match is None:
        raise Http404("No such report.")
    stem = f"report-{match.slug}-{filters.start.isoformat()}-{filters.end.isoformat()}"
    rows = [[c.text if isinstance(c, Link) else c for c in row] for row in match.rows]
    return table_response(fmt, stem, match.title, [str(h) for h in match.header], rows)


@login_required
@require_GET
def report_csv(request: HttpRequest, report: str) -> HttpResponse | StreamingHttpResponse:
    """One report of the page as CSV (formula-escaped), with the page's filters."""
    return _download(request, report, "csv")


@login_required
@require_GET
def report_xlsx(request: HttpRequest, report: str) -> HttpResponse | StreamingHttpResponse:
    """One report of the page as XLSX (text never read as a formula), with the page's filters."""
    return _download(request, report, "xlsx")
