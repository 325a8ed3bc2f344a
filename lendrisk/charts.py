"""The dashboard's Plotly figures with the house layout (axis titles, legend, hover and tick formats).

Pure functions: they take data frames and already translated labels and return a figure; the pages
translate, format amounts and render (ui.chart). Manager charts keep the legend under the plot,
investor charts above it (legend_above). Ratios are 0..1 and shown as %; amounts in currency units.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lendrisk import fmt, i18n
from lendrisk.vocab import (
    EVENT_KINDS,
    MILESTONE_COLOURS,
    MILESTONES,
    STATE_COLOURS,
    STORY_SERIES,
    month_start,
)

if TYPE_CHECKING:
    from lendrisk.investor import LoanStory

MONTH_HOVER = "%{x|%Y-%m}: "
PCT1 = "%{y:.1%}"
PCT2 = "%{y:.2%}"


def money_hover(symbol: str) -> str:
    """The hover format of an amount on y: currency symbol, thousands separators, no decimals."""
    return symbol + "%{y:,.0f}"


@dataclass(frozen=True)
class Series:
    """One trace: the frame column on y, its legend name and colour, and how it is drawn.

    kind: "line" (plotly's default mode), "bar", "area" (filled to zero) or "stack" (stacked area).
    mode overrides a line's mode ("lines", "lines+markers"). rows=(column, value) plots only the
    rows where frame[column] == value (one trace per group of a long frame).
    """

    column: str
    name: str
    colour: str
    kind: str = "line"
    dash: str = "solid"
    mode: str | None = None
    rows: tuple[str, Any] | None = None


def _trace(frame: pd.DataFrame, x: str, series: Series, hover: str, month: bool) -> go.Bar | go.Scatter:
    """One series of a frame as a bar or scatter trace (x as month starts when month)."""
    part = frame if series.rows is None else frame[frame[series.rows[0]] == series.rows[1]]
    common = {
        "x": month_start(part[x]) if month else part[x],
        "y": part[series.column],
        "name": series.name,
        "hovertemplate": hover + "<extra></extra>",
    }
    if series.kind == "bar":
        return go.Bar(**common, marker_color=series.colour)
    if series.kind == "stack":
        return go.Scatter(**common, stackgroup="stack", line={"color": series.colour, "width": 0.5})
    extra: dict[str, Any] = {"fill": "tozeroy"} if series.kind == "area" else {}
    if series.mode:
        extra["mode"] = series.mode
    return go.Scatter(**common, line={"color": series.colour, "dash": series.dash}, **extra)


def legend_below(
    fig: go.Figure,
    x_title: str,
    y_title: str,
    *,
    height: int = 400,
    legend_y: float = -0.25,
    y_tickformat: str | None = None,
    y_range: Sequence[float] | None = None,
) -> go.Figure:
    """The manager charts' layout: height in px, horizontal legend under the plot, axis titles, y from 0."""
    fig.update_layout(height=height, legend={"orientation": "h", "y": legend_y})
    fig.update_xaxes(title_text=x_title)
    y: dict[str, Any] = {"range": list(y_range)} if y_range is not None else {"rangemode": "tozero"}
    if y_tickformat:
        y["tickformat"] = y_tickformat
    fig.update_yaxes(title_text=y_title, **y)
    return fig


def legend_above(fig: go.Figure, x_title: str, y_title: str) -> go.Figure:
    """The investor charts' layout: axis titles, legend above the plot, white background, light grid."""
    fig.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#eee", zerolinecolor="#bbb")
    return fig


def month_ticks(months: int) -> dict[str, Any]:
    """x-axis settings for month-ends spanning `months` months: YYYY-MM, one tick per 1, 3, 6 or 12 months.

    Left alone, Plotly puts ticks between months on short spans and prints the same month twice.
    """
    dtick = "M1" if months <= 12 else "M3" if months <= 36 else "M6" if months <= 72 else "M12"
    return {"tickformat": "%Y-%m", "dtick": dtick}


def span_months(values: pd.Series) -> int:
    """Months from the first to the last date of a column (0 when it is empty)."""
    dates = pd.to_datetime(values.dropna())
    if dates.empty:
        return 0
    first, last = dates.min(), dates.max()
    return (last.year - first.year) * 12 + last.month - first.month


def whole_ticks(top: float) -> dict[str, Any]:
    """x-axis settings for a count axis (e.g. months on book) from 0 to top: whole numbers, about 12 ticks."""
    return {"tick0": 0, "dtick": max(1, -(-int(top) // 12))}


def month_chart(
    frame: pd.DataFrame,
    x: str,
    series: Sequence[Series],
    *,
    x_title: str,
    y_title: str,
    y_hover: str,
    unified: bool = True,
    barmode: str | None = None,
    **layout: Any,
) -> go.Figure:
    """Series over month-ends (x column, drawn on the month's first day, ticks YYYY-MM).

    y_hover: the value's hover format (money_hover(symbol), PCT1, PCT2); unified: one hover box
    for all series; barmode (e.g. "stack") draws the bars that way with narrow gaps; layout:
    legend_below's height, legend_y, y_tickformat, y_range.
    """
    fig = go.Figure([_trace(frame, x, s, MONTH_HOVER + y_hover, month=True) for s in series])
    legend_below(fig, x_title, y_title, **layout)
    fig.update_xaxes(**month_ticks(span_months(frame[x])))
    if unified:
        fig.update_layout(hovermode="x unified")
    if barmode:
        fig.update_layout(barmode=barmode, bargap=0.05)
    return fig


def rates_chart(
    frame: pd.DataFrame,
    x: str,
    series: Sequence[Series],
    second: Series | None,
    *,
    x_title: str,
    y_title: str,
    second_title: str,
) -> go.Figure:
    """Rates over month-ends (% axis from 0), and optionally a second series on its own right-hand % axis."""
    fig = make_subplots(specs=[[{"secondary_y": second is not None}]])
    for s in series:
        fig.add_trace(_trace(frame, x, s, MONTH_HOVER + PCT2, month=True), secondary_y=False)
    if second is not None:
        fig.add_trace(_trace(frame, x, second, MONTH_HOVER + PCT2, month=True), secondary_y=True)
        top = max(float(frame[second.column].max()), 0.01) * 1.3
        fig.update_yaxes(
            title_text=second_title, tickformat=".1%", secondary_y=True, showgrid=False, range=[0, top]
        )
    fig.update_yaxes(title_text=y_title, tickformat=".0%", secondary_y=False, rangemode="tozero")
    fig.update_xaxes(title_text=x_title, **month_ticks(span_months(frame[x])))
    fig.update_layout(legend={"orientation": "h", "y": -0.25}, hovermode="x unified", height=430)
    return fig


def category_bars(
    frame: pd.DataFrame,
    x: str,
    series: Sequence[Series],
    *,
    x_title: str | None,
    y_title: str,
    y_hover: str = PCT1,
    text: Callable[[float], str] | None = None,
    **layout: Any,
) -> go.Figure:
    """Grouped bars of rates per category (x column), optionally labelled above each bar with text(value).

    layout: legend_below's height, legend_y (default -0.2), y_tickformat (default whole %), y_range.
    """
    fig = go.Figure()
    for s in series:
        bar = _trace(frame, x, s, "%{x}: " + y_hover, month=False)
        if text is not None:
            bar.update(text=[text(v) for v in frame[s.column]], textposition="outside")
        fig.add_trace(bar)
    fig.update_layout(barmode="group")
    legend_below(fig, x_title or "", y_title, **{"legend_y": -0.2, "y_tickformat": ".0%", **layout})
    fig.update_xaxes(type="category", title_text=x_title)
    return fig


def cure_bars(
    frame: pd.DataFrame, colour: str, count_text: Sequence[str], x_title: str, y_title: str
) -> go.Figure:
    """Cure rate (0..1) per group: one bar per row of frame (label, cure_rate, spells), n above each bar."""
    fig = go.Figure(
        go.Bar(
            x=frame["label"],
            y=frame["cure_rate"],
            marker_color=colour,
            customdata=frame["spells"],
            text=list(count_text),
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%} (n = %{customdata})<extra></extra>",
        )
    )
    fig.update_layout(height=380)
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text=y_title, tickformat=".0%", range=[0, 1.12], dtick=0.2)
    return fig


def legal_funnel(frame: pd.DataFrame, colours: Sequence[str], x_title: str) -> go.Figure:
    """The legal pipeline as a funnel: one stage per row of frame (label, loans), share of the first stage."""
    fig = go.Figure(
        go.Funnel(
            y=frame["label"],
            x=frame["loans"],
            textinfo="value+percent initial",
            marker={"color": list(colours)},
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(height=380)
    fig.update_xaxes(title_text=x_title)
    return fig


def recovery_curve(
    curve: pd.DataFrame, colour: str, x_title: str, y_title: str, label: Callable[[int], str] = str
) -> go.Figure:
    """Cumulative recovery rate (0..1) by months since charge-off, one line per charge-off year (the
    newest in colour, older ones grey, fainter with age), each cohort's loans in the hover."""
    fig = go.Figure()
    cohorts = sorted(curve["cohort"].unique())
    for age, cohort in enumerate(reversed(cohorts)):
        part = curve[curve["cohort"] == cohort]
        name = label(int(cohort))
        fig.add_trace(
            go.Scatter(
                x=part["months_since_charge_off"],
                y=part["recovery_rate"],
                name=name,
                mode="lines+markers",
                line={"color": colour if age == 0 else "#9e9e9e", "width": 2.5 if age == 0 else 1.2},
                opacity=1.0 if age == 0 else max(0.35, 0.9 - 0.1 * age),
                customdata=part["loans"],
                hovertemplate=name + " · %{x}: %{y:.1%} (n = %{customdata})<extra></extra>",
            )
        )
    legend_below(fig, x_title, y_title, height=380, y_tickformat=".0%")
    fig.update_xaxes(range=[0, 24])
    return fig


def vintage_curves(
    curves: pd.DataFrame,
    labels: Mapping[Any, str],
    colours: Sequence[str],
    x_title: str,
    y_title: str,
    highlight: Mapping[Any, str] | None = None,
    rest_name: str = "",
) -> go.Figure:
    """Cumulative default rate (0..1) by months on book, one line per vintage in labels' order.

    highlight (vintage -> colour) draws those vintages bold in their colour with a legend entry; the
    others are thin grey lines under one legend entry rest_name (click it to hide them all). Without
    highlight every vintage has its colour from colours.
    """
    highlight = highlight or {}
    fig = go.Figure()
    rest = [v for v in labels if highlight and v not in highlight]
    if rest:  # one legend entry for every grey line (a trace with no points), first in the legend
        grey = {"color": "#bdbdbd", "width": 1}
        fig.add_trace(
            go.Scatter(x=[None], y=[None], name=rest_name, legendgroup="rest", mode="lines", line=grey)
        )
    for (vintage, label), colour in zip(labels.items(), colours, strict=True):
        part = curves[curves["vintage"] == vintage]
        marked = vintage not in rest
        line = {"color": highlight.get(vintage, colour), "width": 3 if highlight else 1.5}
        fig.add_trace(
            go.Scatter(
                x=part["months_on_book"],
                y=part["cumulative_default_rate"],
                name=label,
                legendgroup=None if marked else "rest",
                showlegend=marked,
                mode="lines",
                line=line if marked else {"color": "#bdbdbd", "width": 1},
                hovertemplate=label + " · %{x}: %{y:.2%}<extra></extra>",
            )
        )
    # the highlighted lines drawn last, on top of the grey ones
    fig.data = tuple(sorted(fig.data, key=lambda t: t.legendgroup != "rest"))
    fig.update_layout(height=440, showlegend=True, legend={"orientation": "v"})
    top = float(curves["months_on_book"].max()) if len(curves) else 0.0
    fig.update_xaxes(title_text=x_title, **whole_ticks(top))
    fig.update_yaxes(title_text=y_title, tickformat=".0%", rangemode="tozero")
    return fig


def roll_heatmap(
    grid: pd.DataFrame, x_labels: Sequence[str], y_labels: Sequence[str], x_title: str, y_title: str
) -> go.Figure:
    """Transition probabilities (0..1, rows from-state, columns to-state) as a red heatmap with % labels."""
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(x_labels),
            y=list(y_labels),
            colorscale="Reds",
            zmin=0,
            zmax=1,
            texttemplate="%{z:.1%}",
            hovertemplate="%{y} → %{x}: %{z:.2%}<extra></extra>",
            colorbar={"tickformat": ".0%"},
        )
    )
    fig.update_yaxes(title_text=y_title, autorange="reversed")
    fig.update_xaxes(title_text=x_title, side="bottom")
    fig.update_layout(height=430)
    return fig


def score_power(power: pd.DataFrame, gini_name: str, ks_name: str, x_title: str, y_title: str) -> go.Figure:
    """Gini (bars) and KS (line) of the credit score per vintage year, both on a 0..1 axis."""
    years = power["vintage_year"].astype(str)
    fig = go.Figure(
        [
            go.Bar(x=years, y=power["gini"], name=gini_name, marker_color="#1f77b4"),
            go.Scatter(x=years, y=power["ks"], name=ks_name, mode="lines+markers", line={"color": "#ef6c00"}),
        ]
    )
    fig.update_traces(hovertemplate="%{x}: %{y:.2f}<extra></extra>")
    legend_below(fig, x_title, y_title, legend_y=-0.2, y_range=(0, 1))
    fig.update_xaxes(type="category")
    return fig


def cutoff_chart(
    curve: pd.DataFrame, series: Sequence[Series], minimum: int, x_title: str, y_title: str
) -> go.Figure:
    """Shares (0..1) avoided or lost by minimum score as steps, a dotted line at the chosen minimum."""
    fig = go.Figure([_trace(curve, "min_score", s, "%{x}: " + PCT1, month=False) for s in series])
    fig.update_traces(mode="lines", line_shape="hv")
    fig.add_vline(x=minimum, line={"color": "#7f8c8d", "dash": "dot"})
    legend_below(fig, x_title, y_title, legend_y=-0.2, y_tickformat=".0%", y_range=(0, 1.02))
    fig.update_layout(hovermode="x unified")
    return fig


def share_bars(
    labels: Sequence[str], shares: pd.Series, hover: Sequence[str], x_title: str, y_title: str
) -> go.Figure:
    """Horizontal bars of shares (0..1), first label on top, height growing with the number of bars."""
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=list(labels),
            orientation="h",
            marker_color="#1565c0",
            customdata=list(hover),
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
        )
    )
    legend_above(fig, x_title, y_title)
    fig.update_xaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=120 + 32 * len(labels))
    return fig


def money_bars(
    frame: pd.DataFrame,
    x_labels: Sequence[str],
    series: Sequence[Series],
    money: Callable[[float], str],
    symbol: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Grouped bars of amounts (one group per x label, one bar per series), hover "name · label: amount"."""
    fig = go.Figure()
    for s in series:
        hover = [f"{s.name} · {lab}: {money(v)}" for lab, v in zip(x_labels, frame[s.column], strict=True)]
        fig.add_trace(
            go.Bar(
                x=list(x_labels),
                y=frame[s.column],
                name=s.name,
                marker_color=s.colour,
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    legend_above(fig, x_title, y_title)
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickprefix=symbol, tickformat=",.0f", rangemode="tozero")
    return fig


def loss_histogram(
    bins: pd.DataFrame,
    hover: Sequence[str],
    marks: Sequence[tuple[str, float, str]],
    symbol: str,
    x_title: str,
    y_title: str,
) -> go.Figure:
    """Share of runs (0..1) per loss bin (loss_from, loss_to, share); marks: (name, amount, colour) lines."""
    fig = go.Figure(
        go.Bar(
            x=(bins["loss_from"] + bins["loss_to"]) / 2,
            y=bins["share"],
            width=bins["loss_to"] - bins["loss_from"],
            marker_color="#90a4ae",
            marker_line={"width": 0.5, "color": "white"},
            customdata=list(hover),
            hovertemplate="%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    for name, value, colour in marks:
        fig.add_vline(x=value, line={"color": colour, "width": 2, "dash": "dash"})
        fig.add_trace(
            go.Scatter(
                x=[value],
                y=[0],
                mode="markers",
                marker={"color": colour, "size": 9, "symbol": "diamond"},
                name=name,
                hovertemplate=f"{name}<extra></extra>",
            )
        )
    legend_above(fig, x_title, y_title)
    fig.update_xaxes(tickprefix=symbol, tickformat=",.0f")
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")
    return fig


def nice_ticks(bottom: float, top: float, count: int = 5) -> list[float]:
    """About count evenly spaced round tick values (1, 2, 2.5, 5 x 10^k apart) covering bottom..top."""
    bottom, top = min(bottom, 0.0), max(top, 0.0)
    if top - bottom <= 0:
        return [0.0]
    raw = (top - bottom) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(bottom / step), math.ceil(top / step)
    return [i * step for i in range(first, last + 1)]


def _coords(trace: Any, letter: str) -> pd.Series:
    """A trace's x or y values as a series (empty when it has none)."""
    values = getattr(trace, letter, None)
    return pd.Series([] if values is None else list(values), dtype=object)


def _axis_extent(fig: go.Figure, letter: str, ref: str) -> tuple[float, float] | None:
    """The lowest and highest value plotted on axis ref ("y", "y2", "x") with stacked traces summed."""
    stacked_bars = fig.layout.barmode in ("stack", "relative")
    low, high, stacks = 0.0, 0.0, False
    total: pd.Series | None = None
    for trace in fig.data:
        if (getattr(trace, f"{letter}axis", None) or letter) != ref:
            continue
        values = pd.to_numeric(_coords(trace, letter), errors="coerce")
        if values.dropna().empty:
            continue
        low, high = min(low, values.min()), max(high, values.max())
        if getattr(trace, "stackgroup", None) or (trace.type == "bar" and stacked_bars):
            other = "x" if letter == "y" else "y"
            keys = _coords(trace, other).astype(str)
            keys = keys if len(keys) == len(values) else pd.Series(range(len(values))).astype(str)
            part = values.clip(lower=0).groupby(keys.to_numpy()).sum()
            total = part if total is None else total.add(part, fill_value=0)
            stacks = True
    if stacks and total is not None:
        high = max(high, total.max())
    return (low, high) if high > low else None


def _is_money_axis(fig: go.Figure, axis: Any, letter: str, ref: str, symbol: str) -> bool:
    """An axis of amounts: its ticks carry the currency symbol, or a trace on it hovers with it."""
    if axis.tickprefix == symbol:
        return True
    mark = f"{symbol}%{{{letter}"
    on_axis = [t for t in fig.data if (getattr(t, f"{letter}axis", None) or letter) == ref]
    return any(mark in (t.hovertemplate or "") for t in on_axis)


def compact_money_axes(fig: go.Figure, lang: str, symbol: str) -> go.Figure:
    """Every amount axis ticked in the language's compact units (fmt.axis_money: zh 万 / 亿, en K / M / B).

    Plotly would write "10M" in Chinese too; explicit tickvals / ticktext follow the number policy.
    """
    for name in [k for k in fig.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]:
        axis, letter = fig.layout[name], name[0]
        ref = letter + name[5:]
        if not _is_money_axis(fig, axis, letter, ref, symbol):
            continue
        extent = tuple(axis.range) if axis.range else _axis_extent(fig, letter, ref)
        if not extent:
            continue
        ticks = nice_ticks(*extent)
        text = [fmt.axis_money(v, lang, symbol) for v in ticks]
        axis.update(tickvals=ticks, ticktext=text, tickprefix=None, tickformat=None)


def waterfall(
    labels: Sequence[str],
    values_pp: Sequence[float],
    ends: tuple[tuple[str, float], tuple[str, float]],
    colours: tuple[str, str, str],
    y_title: str,
) -> go.Figure:
    """A waterfall in percentage points: the start rate, one bar per cause, the end rate as a total.

    ends: (label, rate in %) of the start and the end; colours: (rise, fall, totals). The bars add
    up from the start to the end (the caller's bars sum to the change)."""
    (start_label, start), (end_label, end) = ends
    fig = go.Figure(
        go.Waterfall(
            x=[start_label, *labels, end_label],
            y=[start, *values_pp, end],
            measure=["absolute", *["relative"] * len(labels), "total"],
            text=[f"{start:.2f}", *(f"{v:+.2f}" for v in values_pp), f"{end:.2f}"],
            textposition="outside",
            increasing={"marker": {"color": colours[0]}},
            decreasing={"marker": {"color": colours[1]}},
            totals={"marker": {"color": colours[2]}},
            connector={"line": {"color": "#bbbbbb", "width": 1}},
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    low = min(start, end, *(start + sum(values_pp[: i + 1]) for i in range(len(values_pp))))
    high = max(start, end, *(start + sum(values_pp[: i + 1]) for i in range(len(values_pp))))
    pad = max(high - low, 0.5) * 0.25
    fig.update_yaxes(title_text=y_title, range=[max(0.0, low - pad), high + pad])
    fig.update_layout(showlegend=False, height=440, waterfallgap=0.3)
    return fig


# --- investor figures (translated here: they take the language) ------------------------------


def _investor_layout(fig: go.Figure, x_title: str, y_title: str) -> go.Figure:
    """legend_above with hover on the nearest point and a plain x axis: the investor workspace's look."""
    legend_above(fig, x_title, y_title)
    fig.update_layout(legend={"xanchor": "left"}, hovermode="closest")
    fig.update_xaxes(showgrid=False, linecolor="#bbb")
    return fig


def _lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    styles: dict[str, dict[str, object]],
    name: Callable[[str], str],
    hover: Callable[[str, object, float], str],
    **trace: object,
) -> go.Figure:
    """One line per series of a long frame (column "series"), in styles' order; hover(name, x, y) text."""
    fig = go.Figure()
    for series, style in styles.items():
        part = frame[frame["series"] == series]
        if part.empty:
            continue
        label = name(series)
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[y],
                name=label,
                line=style,
                customdata=[hover(label, a, b) for a, b in zip(part[x], part[y], strict=True)],
                hovertemplate="%{customdata}<extra></extra>",
                **trace,
            )
        )
    return fig


def bucket_figure(buckets: pd.DataFrame, lang: str) -> go.Figure:
    """Bar chart of exposure by DPD bucket (overdue_by_bucket rows), one fixed colour per bucket."""
    symbol = fmt.currency_symbol()
    labels = [i18n.t(f"investor.bucket.{b}", lang) for b in buckets["bucket"]]
    hover = [
        i18n.t(
            "investor.hover.bucket",
            lang,
            bucket=i18n.t(f"common.state.{b}", lang),
            amount=fmt.money(a, lang),
            share=fmt.pct(s, lang),
            loans=fmt.number(n, lang),
        )
        for b, a, s, n in zip(
            buckets["bucket"],
            buckets["outstanding_principal"],
            buckets["share"],
            buckets["loans"],
            strict=True,
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=buckets["outstanding_principal"],
            marker_color=[STATE_COLOURS[b] for b in buckets["bucket"]],
            text=[fmt.pct(s, lang) for s in buckets["share"]],
            textposition="outside",
            cliponaxis=False,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    _investor_layout(
        fig, i18n.t("investor.axis.bucket", lang), i18n.t("investor.axis.amount", lang, symbol=symbol)
    )
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(tickprefix=symbol, tickformat=",.0f", rangemode="tozero")
    return fig


def overdue_rates_figure(rates: pd.DataFrame, lang: str) -> go.Figure:
    """Lines of the overdue rate by amount per month-end: the investor's (its basis in the hover: overdue
    of exposure in n loans), the platform's, the industry's."""
    mine = rates[rates["series"] == "investor"]
    label = i18n.t("investor.series.investor", lang)
    basis = {
        (label, r.month_end): i18n.t(
            "investor.trend.basis_hover",
            lang,
            overdue=fmt.money(r.overdue_exposure, lang),
            exposure=fmt.money(r.exposure, lang),
            loans=fmt.number(int(r.loans), lang),
        )
        for r in mine.itertuples()
    }
    styles = {
        "investor": {"color": "#c62828", "width": 3, "dash": "solid"},
        "platform": {"color": "#1565c0", "width": 2, "dash": "solid"},
        "industry": {"color": "#757575", "width": 2, "dash": "dot"},
    }
    fig = _lines(
        rates,
        x="month_end",
        y="rate",
        styles=styles,
        name=lambda series: i18n.t(f"investor.series.{series}", lang),
        hover=lambda name, m, r: (
            f"{name} · {fmt.month(m, lang)}: {fmt.pct(r, lang, 2)}" + basis.get((name, m), "")
        ),
        mode="lines",
    )
    _investor_layout(fig, i18n.t("investor.axis.month", lang), i18n.t("investor.axis.overdue_rate", lang))
    fig.update_xaxes(**month_ticks(span_months(rates["month_end"])))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return fig


def _padded(span: tuple[dt.date, dt.date]) -> list[str]:
    """A date axis range around a span with 3 % room on each side (at least 5 days)."""
    pad = dt.timedelta(days=max(5, round((span[1] - span[0]).days * 0.03)))
    return [(span[0] - pad).isoformat(), (span[1] + pad).isoformat()]


def story_payments_figure(story: LoanStory, lang: str) -> go.Figure:
    """Step lines: cumulative amount due under the contract against cumulative cash received."""
    symbol = fmt.currency_symbol()
    styles = {
        "scheduled": {"color": "#757575", "width": 2, "dash": "dash"},
        "paid_borrower": {"color": "#2e7d32", "width": 3, "dash": "solid"},
        "paid_guarantor": {"color": "#00838f", "width": 2, "dash": "dot"},
    }
    fig = _lines(
        story.timeline,
        x="date",
        y="cumulative",
        styles={series: styles[series] for series in STORY_SERIES},
        name=lambda series: i18n.t(f"investor.story.series.{series}", lang),
        hover=lambda name, d, v: f"{name} · {fmt.date(d, lang)}: {fmt.money(v, lang)}",
        mode="lines+markers",
        line_shape="hv",
        marker={"size": 6},
    )
    _investor_layout(
        fig, i18n.t("investor.axis.date", lang), i18n.t("investor.axis.cumulative", lang, symbol=symbol)
    )
    fig.update_xaxes(tickformat="%Y-%m-%d", range=_padded(story.span))
    fig.update_yaxes(tickprefix=symbol, tickformat=",.0f", rangemode="tozero")
    return fig


def story_milestones_figure(story: LoanStory, lang: str) -> go.Figure:
    """A timeline: one row per kind of milestone (origination, missed payment, collection, court ...)."""
    frame = story.milestones
    kinds = [k for k in MILESTONES if k in set(frame["kind"])]
    label = {k: milestone_label(k, lang) for k in kinds}
    fig = go.Figure()
    for kind in kinds:
        part = frame[frame["kind"] == kind]
        hover = [
            f"{label[kind]} · {fmt.date(d, lang)}" + ("" if fmt.missing(a) else f": {fmt.money(a, lang)}")
            for d, a in zip(part["date"], part["amount"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=[label[kind]] * len(part),
                mode="markers",
                name=label[kind],
                marker={"size": 13, "color": MILESTONE_COLOURS[kind], "line": {"width": 1, "color": "white"}},
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
                showlegend=False,
            )
        )
    _investor_layout(fig, i18n.t("investor.axis.date", lang), "")
    fig.update_xaxes(tickformat="%Y-%m-%d", showgrid=True, gridcolor="#eee", range=_padded(story.span))
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[label[k] for k in reversed(kinds)],
        showgrid=True,
        gridcolor="#f3f3f3",
    )
    fig.update_layout(height=max(260, 36 * len(kinds) + 120))
    return fig


def milestone_label(kind: str, lang: str) -> str:
    """The translated name of a milestone kind (post-loan events use the common event names)."""
    if kind in EVENT_KINDS:
        return i18n.t(f"common.event.{kind}", lang)
    return i18n.t(f"investor.milestone.{kind}", lang)
