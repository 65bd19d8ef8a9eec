"""The timeline on every results page: matching articles over time, as a server-rendered SVG bar chart.

Bars are years; once a year is chosen they are that year's months. Over more than ``MAX_BARS``
years a bar is 5, 10, 25, 50 or 100 years, linked to that from/to range (whose chart then shows its
years): a year would be too thin to click and the page too heavy. Every bar with articles is a
plain link (inside the SVG) that narrows the search to its period, so the chart works without
JavaScript, and carries the same htmx attributes as the other result links. With ``timeline=share``
a bar is the share of all the archive's articles of that period that match, so that a busy news
year does not look like a trend.

The counts are the date facet's (``results.facets["date"]``): matches with every filter but the
date period applied (the from/to range is), the same number the bar's link then finds. The
denominators of the share mode are the archive's live, dated articles per period, counted once
per open index (``FacetIndex.period_totals``) and carried by the facet's ``DateValues``. Undated
articles have no period and are not charted (the chart says how many when it can).

``build`` turns that into bars with geometry, labels and URLs; ``_partials/_timeline.html`` only
prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from search.results import FacetValue, SearchResults

from .links import search_url

# The SVG's coordinate system (its viewBox); CSS scales it to the column's width.
WIDTH, HEIGHT = 640, 150
LEFT, RIGHT, TOP, BOTTOM = 44, 4, 18, 22  # room for the y-axis numbers, the hover value, the labels
PLOT_BOTTOM = HEIGHT - BOTTOM
PLOT_HEIGHT = PLOT_BOTTOM - TOP
PLOT_WIDTH = WIDTH - LEFT - RIGHT
MAX_BAR_WIDTH = 44
MIN_BAR_HEIGHT = 1.5  # a bar with one article stays visible next to one with thousands
LABEL_WIDTH = 52  # room a year label needs, in viewBox units (at the phone size, style.css)
LABEL_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
MAX_BARS = 100  # years drawn one by one; beyond, bars of several years (at least 5.9 units wide each)
SPANS = (5, 10, 25, 50, 100, 250, 500, 1000)  # years per bar then
MAX_QUERY_IN_TITLE = 60
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass
class Period:
    """One bar's data: a year (month 0) or a month, its matching articles and all the archive's."""

    year: int  # the first year of a span of years
    month: int  # 1-12, or 0 for a whole year
    count: int
    total: int | None  # live, dated articles of the archive in this period (None: not known)
    selected: bool = False
    span: int = 1  # years in the period (several when a chart covers more than MAX_BARS years)

    @property
    def share(self) -> float:
        """Matching articles as a share of all the period's articles (0 when the period is empty)."""
        return self.count / self.total if self.total else 0.0

    @property
    def name(self) -> str:
        """'2020', 'March 2020' or '1850–1854'."""
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return f"{self.year}–{self.year + self.span - 1}" if self.span > 1 else str(self.year)

    @property
    def unit(self) -> str:
        """How the chart's text names the period: 'year', 'month' or '5 years'."""
        return "month" if self.month else (f"{self.span} years" if self.span > 1 else "year")


@dataclass
class Bar:
    """A period drawn: its data, the link that narrows the search to it, and where it goes."""

    period: Period
    label: str  # under the bar ('2020', 'Mar'); "" where labels are thinned out
    value_text: str  # shown over the bar on hover and focus: '57' or '12%'
    aria_label: str  # '2020: 57 articles (12% of that year's 470)'
    url: str  # "" for an empty period that is not selected: nothing to narrow to
    x: float  # the bar
    y: float
    width: float
    height: float
    slot_x: float  # the whole column, the link's target area
    slot_width: float
    center: float
    value_y: float  # where the hover value sits, just over the bar


@dataclass
class Timeline:
    unit: str  # "year", "month" or "5 years" (what one bar is)
    mode: str  # "count" or "share"
    bars: list[Bar]
    title: str  # the SVG's accessible name
    description: str
    caption: str  # shown above the chart
    toggle_url: str
    toggle_text: str
    zoom_out_url: str  # back from the months of a year to all years ("" on the years)
    axis_max: str  # the value at the top of the y-axis
    undated: int = 0  # matching articles without a date, not in the chart (0 when unknown)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    baseline: int = PLOT_BOTTOM
    right_edge: int = WIDTH - RIGHT
    gridlines: list[float] = field(default_factory=list)


def periods(results: SearchResults) -> tuple[str, list[Period]]:
    """Return the unit ("year", "month", "5 years", ...) and the periods to chart, gaps included.

    Years run from the first to the last year with matches, with empty years in between (over
    more than MAX_BARS years, in spans of years); once a year is chosen, the periods are its
    twelve months. Nothing (an empty list) when no dated article matches.
    """
    values = results.facets.get("date") or []
    totals = getattr(values, "totals", None)
    request = results.request
    if request.year:
        counts = {_month_of(v): v.count for v in values if "-" in v.value}
        year = request.year
        found = [
            Period(year, month, counts.get(month, 0),
                   totals.months.get(year * 100 + month, 0) if totals else None,
                   selected=request.month == month)
            for month in range(1, 13)
        ]
        return "month", found if any(p.count for p in found) or request.month else []
    counts = {int(v.value): v.count for v in values if "-" not in v.value and v.count > 0}
    if not counts:
        return "year", []
    first, last = min(counts), max(counts)
    span = 1 if last - first < MAX_BARS else next(
        (n for n in SPANS if last // n - first // n < MAX_BARS), SPANS[-1])
    start = first - first % span
    found = []
    for year in range(start, last + 1, span):
        years = range(year, year + span)
        found.append(Period(year, 0, sum(counts.get(y, 0) for y in years),
                            sum(totals.years.get(y, 0) for y in years) if totals else None, span=span))
    return found[0].unit, found


def build(results: SearchResults) -> Timeline | None:
    """Return the chart of ``results`` (None when no dated article matches)."""
    unit, found = periods(results)
    if not found:
        return None
    request = results.request
    share = request.timeline == "share" and all(p.total is not None for p in found)
    mode = "share" if share else "count"
    values = [p.share if share else p.count for p in found]
    top = max(values) or 1
    slot = PLOT_WIDTH / len(found)
    bar_width = min(slot * (0.72 if len(found) <= 24 else 0.84), MAX_BAR_WIDTH)
    span = found[0].span
    # Label every year, or every 2nd, 5th, 10th... as room allows (of spans, a multiple of the span).
    step = 1 if unit == "month" else next(
        (s for s in LABEL_STEPS if s % span == 0 and s // span * slot >= LABEL_WIDTH), None)
    url = _Urls(request)
    bars = []
    for index, (period, value) in enumerate(zip(found, values)):
        slot_x = LEFT + index * slot
        height = PLOT_HEIGHT * value / top
        if value:
            height = max(height, MIN_BAR_HEIGHT)
        if unit == "month":
            label = MONTHS[period.month - 1][:3]
        else:
            label = str(period.year) if step and period.year % step == 0 else ""
        bars.append(Bar(
            period=period,
            label=label,
            value_text=_percent(value) if share else f"{period.count:,}",
            aria_label=_aria_label(period),
            url=url(period) if period.count or period.selected else "",
            x=_round(slot_x + (slot - bar_width) / 2),
            y=_round(PLOT_BOTTOM - height),
            width=_round(bar_width),
            height=_round(height),
            slot_x=_round(slot_x),
            slot_width=_round(slot),
            center=_round(slot_x + slot / 2),
            value_y=_round(PLOT_BOTTOM - height - 4),
        ))
    return Timeline(
        unit=unit,
        mode=mode,
        bars=bars,
        title=_title(results, unit, mode),
        description=_description(found, values, unit, mode),
        caption=_caption(request.year, unit, mode),
        toggle_url=search_url(replace(request, timeline="count" if share else "share")),
        toggle_text="Show numbers of articles" if share else "Show as a share of all articles",
        zoom_out_url=search_url(replace(request, year=None, month=None, page=1)) if unit == "month" else "",
        axis_max=_percent(top) if share else f"{int(top):,}",
        undated=_undated(results, found),
        gridlines=[TOP],
    )


def _month_of(value: FacetValue) -> int:
    return int(value.value.split("-")[1])


# Stand-ins for the period in a URL written once and then filled in per bar: building a search URL
# (replace, to_params, urlencode) is slow next to a string replace (docs/benchmarks.md), and a
# chart has up to MAX_BARS bars. No other text of a URL can be "year=987654321" or
# "from=9999-01-01": values are URL-encoded ('=' becomes %3D), a year has at most 4 digits and the
# stand-in dates replace the request's own.
_YEAR, _MONTH = 987654321, 98765432
_FROM, _TO = date(9999, 1, 1), date(9999, 12, 30)


class _Urls:
    """The URLs of the bars of one chart: the search narrowed to each period, from two templates."""

    def __init__(self, request):
        self.request = request
        self.period = search_url(replace(request, year=_YEAR, month=_MONTH, page=1))
        self.year = search_url(replace(request, year=_YEAR, month=None, page=1))
        self.range = search_url(replace(request, date_from=_FROM, date_to=_TO, page=1))

    def __call__(self, period: Period) -> str:
        """The search narrowed to ``period``; the selected month's link goes back to its whole year."""
        if period.span > 1:  # a from/to range, within the one already chosen
            request = self.request
            first, last = date(period.year, 1, 1), date(period.year + period.span - 1, 12, 31)
            first, last = max(first, request.date_from or first), min(last, request.date_to or last)
            return self.range.replace(f"from={_FROM}", f"from={first}").replace(f"to={_TO}", f"to={last}")
        if period.month and not period.selected:
            return self.period.replace(f"year={_YEAR}", f"year={period.year}").replace(
                f"month={_MONTH}", f"month={period.month}")
        return self.year.replace(f"year={_YEAR}", f"year={period.year}")


def _aria_label(period: Period) -> str:
    """'2020: 57 articles (12% of that year's 470)', '1850–1854: no articles (0% of those 5 years' 31)'."""
    count = "no articles" if not period.count else f"{period.count:,} article{'' if period.count == 1 else 's'}"
    label = f"{period.name}: {count}"
    if period.total:
        of = f"those {period.unit}'" if period.span > 1 else f"that {period.unit}'s"
        label += f" ({_percent(period.share)} of {of} {period.total:,})"
    return label


def _title(results: SearchResults, unit: str, mode: str) -> str:
    """The chart's accessible name: 'Articles matching “tiktok” per year', 'Share of each month's ...'."""
    request = results.request
    q = request.q if len(request.q) <= MAX_QUERY_IN_TITLE else request.q[:MAX_QUERY_IN_TITLE - 1] + "…"
    if mode == "share":
        of = f"each month's articles in {request.year}" if unit == "month" else f"{_each(unit)} articles"
        return f"Share of {of} " + (f"matching “{q}”" if q else "that match")
    per = f"per month of {request.year}" if unit == "month" else f"per {unit}"
    return f"Articles matching “{q}” {per}" if q else f"Matching articles {per}"


def _caption(year: int | None, unit: str, mode: str) -> str:
    """'Articles per year', '2020: articles per month', 'Share of each year's articles', ..."""
    if unit == "month":
        return f"{year}: share of each month's articles" if mode == "share" else f"{year}: articles per month"
    return f"Share of {_each(unit)} articles" if mode == "share" else f"Articles per {unit}"


def _each(unit: str) -> str:
    """'each year's', 'each 5-year span's'."""
    return f"each {unit}'s" if unit in ("year", "month") else f"each {unit.replace(' years', '-year span')}'s"


def _description(found: list[Period], values: list, unit: str, mode: str) -> str:
    best = max(range(len(found)), key=lambda i: values[i])
    span = f"in {found[0].name}" if len(found) == 1 else f"from {found[0].name} to {found[-1].name}"
    empty = sum(1 for p in found if not p.count)
    periods_ = unit if empty == 1 else {"year": "years", "month": "months"}.get(unit, f"spans of {unit}")
    gaps = f" {empty} {periods_} without any." if empty else ""
    if mode == "share":
        of = f"those {unit}'" if found[0].span > 1 else f"that {unit}'s"
        return (f"Bars {span}, each the share of {of} articles in the archive that match; "
                f"the highest, {_percent(values[best])}, in {found[best].name}.{gaps} Each bar links to its articles.")
    matched = sum(p.count for p in found)
    return (f"{matched:,} matching article{'' if matched == 1 else 's'} {span}; the most, "
            f"{found[best].count:,}, in {found[best].name}.{gaps} Each bar links to its articles.")


def _undated(results: SearchResults, found: list[Period]) -> int:
    """Matching articles without a date; only known when no date filter is set (those leave them out)."""
    request = results.request
    if request.year or request.date_from or request.date_to:
        return 0
    return max(0, results.total - sum(p.count for p in found))


def _percent(share: float) -> str:
    """12%, 4.5%, 0.3%, <0.1%: as precise as a small share needs."""
    if share <= 0:
        return "0%"
    percent = share * 100
    if percent < 0.1:
        return "<0.1%"
    if percent < 10:
        text = f"{percent:.1f}".removesuffix(".0")
        return f"{text}%"
    return f"{percent:.0f}%"


def _round(value: float) -> float:
    return round(value, 1)
