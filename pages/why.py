"""Why it moved: the cause attribution of the overdue (or M3+) rate between two month-ends as a
waterfall, a table with its CSV and a plain-words line per bar. Managers and admins."""

import streamlit as st

from lendrisk import attribution, charts, fmt, ui, vocab

as_of, lang = ui.manager_page("why")
ends = ui.month_ends()  # newest first
pick_start, pick_end, pick_metric = st.columns(3)
with pick_end:
    end = st.selectbox(
        ui.t("why.end"), ends, index=ends.index(as_of), format_func=lambda d: fmt.date(d, lang), key="why_end"
    )
earlier = [d for d in ends if d < end] or [ends[-1]]
default_start = attribution.default_start(end, earlier)
with pick_start:
    start = st.selectbox(
        ui.t("why.start"),
        earlier,
        index=earlier.index(default_start),
        format_func=lambda d: fmt.date(d, lang),
        key=f"why_start_{end}",
    )
with pick_metric:
    metric = st.selectbox(
        ui.t("why.metric"),
        list(attribution.METRICS),
        format_func=lambda m: ui.t(f"why.metric.{m}"),
        key="why_metric",
    )
if start >= end:
    st.info(ui.t("why.order", start=fmt.date(start, lang)))
    st.stop()

try:
    with ui.busy("why.computing"):
        result = ui.cached(attribution.attribute, start, end, metric)
except ValueError:
    st.error(
        ui.t("why.error", start=fmt.date(start, lang), end=fmt.date(end, lang), reason=ui.t("why.no_book"))
    )
    st.stop()

bars = result.bars
values = dict(zip(bars["bar"], bars["value"], strict=True))
change = result.end_rate - result.start_rate


def signed(value: float) -> str:
    """A rate change as a signed number of percentage points, two decimals (+1.25, −0.88)."""
    sign = "+" if round(value * 100, 2) > 0 else "−" if round(value * 100, 2) < 0 else ""
    return sign + fmt.number(abs(value) * 100, lang, 2)


def pp(value: float) -> str:
    """A change in percentage points with its sign and unit (+1.25 pp)."""
    return ui.t("manage.delta_pp", value=signed(value))


start_text, end_text = fmt.date(start, lang), fmt.date(end, lang)
share = values["rest"] / change if change else 0.0
ui.metric_rows(
    [
        ("why.kpi.start", fmt.pct(result.start_rate, lang, 2), {"date": start_text}),
        ("why.kpi.end", fmt.pct(result.end_rate, lang, 2), {"date": end_text, "change": pp(change)}),
        (
            "why.kpi.adjusted",
            fmt.pct(result.growth_adjusted_rate, lang, 2),
            {"date": end_text, "start": start_text, "end": end_text, "growth": pp(values["growth"])},
        ),
        ("why.kpi.unexplained", signed(values["rest"]), {"share": fmt.pct(share, lang, 0)}),
    ],
    per_row=4,
)

labels = [ui.t(f"why.bar.{bar}") for bar in bars["bar"]]
fig = charts.waterfall(
    labels,
    list(bars["pp"]),
    ((start_text, result.start_rate * 100), (end_text, result.end_rate * 100)),
    (vocab.STATE_COLOURS["61-90"], vocab.STATE_COLOURS["current"], vocab.STATE_COLOURS["charged_off"]),
    ui.t("why.axis.rate"),
)
table = bars.assign(
    cause=labels,
    share=bars["value"] / change if change else 0.0,
    explain=[
        ui.t(
            f"why.explain.{bar}",
            value=pp(value),
            unemployment=pp(result.unemployment_change_pp / 100 if result.unemployment_change_pp else 0.0),
        )
        for bar, value in zip(bars["bar"], bars["value"], strict=True)
    ],
)
columns = {
    "cause": "why.col.cause",
    "pp": "why.col.pp",
    "share": "why.col.share",
    "explain": "why.col.explain",
}
ui.chart(
    fig,
    table,
    "why.chart.title",
    "why.chart.explain",
    columns=columns,
    file_name=f"why_{metric}_{start}_{end}.csv",
    start=start_text,
    end=end_text,
)
if result.macro_reason == "no_series":
    st.info(ui.t("why.no_macro"))
elif result.macro_reason == "not_identified":
    st.caption(ui.t("why.macro_not_identified"))

st.subheader(ui.t("why.table.title"))
ui.table(
    table,
    columns,
    {"pp": "number", "share": "pct", "explain": "text"},
    file_name=f"why_{metric}_{start}_{end}_table.csv",
    height="content",
)
for label, line in zip(table["cause"], table["explain"], strict=True):
    st.markdown(f"- **{label}**: {line}")
