"""Disclosure: the monthly disclosure report (2017 guideline items, Chinese names with English) for
the sidebar's month-end, with CSV and Excel downloads, and the overdue rates before guarantor
compensation beside the rates after it. Managers and admins."""

import pandas as pd
import streamlit as st

from lendrisk import charts, export, fmt, i18n, reports, ui, whypanels
from lendrisk.charts import Series

as_of, lang = ui.manager_page("manage.disclosure")

with ui.busy("manage.computing"):
    report = ui.cached(reports.disclosure_report, as_of)
    rates = ui.cached(reports.compensation_rates, as_of)

english = {i.column: i18n.t(f"manage.disclosure.item.{i.column}", "en") for i in reports.DISCLOSURE_ITEMS}
english.update(
    {i.column: i18n.t(f"manage.disclosure.item.{i.column}", "en") for i in reports.COMPENSATION_RATES}
)
DISCLOSURE_KINDS = {"money": "money", "count": "int", "pct": "pct"}  # report kind -> CSV kind
formatters = {
    "money": lambda v: fmt.money(v, lang, compact=False),  # publishable: full yuan, never 万 / 亿
    "count": lambda v: fmt.number(v, lang, 0),
    "pct": lambda v: fmt.pct(v, lang, 2),
}
kinds = {i.column: i.kind for i in reports.DISCLOSURE_ITEMS} | dict.fromkeys(
    reports.DISCLOSURE_BASES, "money"
)


def base_text(row: pd.Series) -> str:
    """What a figure counts; for a ratio, its disclosed numerator and denominator with their values."""
    if row["basis"] != "ratio":
        return ui.t(f"manage.disclosure.basis.{row['basis']}")
    parts = {}
    for part in ("numerator", "denominator"):
        column = row[part]
        parts[part] = ui.t(f"manage.disclosure.item.{column}")
        parts[f"{part}_value"] = formatters[kinds[column]](row[f"{part}_value"])
    return ui.t("manage.disclosure.basis.ratio", **parts)


headers = {
    "zh": ui.t("manage.disclosure.col.zh"),
    "en": ui.t("manage.disclosure.col.en"),
    "value": ui.t("manage.disclosure.col.value"),
    "base": ui.t("manage.disclosure.col.base"),
    "before": ui.t("manage.disclosure.col.before"),
    "after": ui.t("manage.disclosure.col.after"),
    "rates": ui.t("manage.disclosure.rates"),
}

st.subheader(ui.t("manage.disclosure.report", month=fmt.month(as_of, lang)))
st.caption(ui.t("manage.disclosure.report_help"))
shown = pd.DataFrame(
    {
        headers["zh"]: report["zh"],
        headers["en"]: report["item"].map(english),
        headers["value"]: [formatters[k](v) for k, v in zip(report["kind"], report["value"], strict=True)],
        headers["base"]: [base_text(row) for _, row in report.iterrows()],
    }
)
st.dataframe(
    shown,
    hide_index=True,
    height=ui.fit_height(len(shown), max_rows=len(shown)),
    key="disclosure-df",
    column_config={
        headers["zh"]: st.column_config.TextColumn(headers["zh"], width="medium"),
        headers["en"]: st.column_config.TextColumn(headers["en"], width="medium"),
        headers["value"]: st.column_config.TextColumn(headers["value"], width="medium"),
        headers["base"]: st.column_config.TextColumn(headers["base"], width="large"),
    },
)
raw = pd.DataFrame(
    {
        headers["zh"]: report["zh"],
        headers["en"]: report["item"].map(english),
        headers["value"]: export.mixed(report["value"], report["kind"].map(DISCLOSURE_KINDS)),
        headers["base"]: shown[headers["base"]],
    }
)
excel = reports.disclosure_excel(
    report,
    rates,
    as_of,
    english,
    headers,
    ui.t("manage.disclosure.report", month=fmt.month(as_of, lang)),
    shown[headers["base"]].tolist(),
)
with st.container(horizontal=True):  # buttons side by side at their natural width
    ui.download(raw, f"disclosure_{as_of:%Y-%m}.csv", key="disclosure-csv")
    st.download_button(
        ui.t("manage.download_excel"),
        excel,
        file_name=f"disclosure_{as_of:%Y-%m}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="disclosure-xlsx",
        on_click="ignore",
        icon=":material/table_view:",
    )

# --- the rates before and after guarantor compensation ----------------------------------------
st.divider()
labelled = rates.assign(
    label=[ui.t(f"manage.disclosure.item.{i}") for i in rates["item"]], en=rates["item"].map(english)
)
left, right = st.columns(2)
with left:
    top = float(max(labelled["before"].max(), labelled["after"].max(), 0.01))
    # one decimal: a real book's rates of 1-2 % would otherwise tick 0%, 1%, 1%, 2%
    fig = charts.category_bars(
        labelled,
        "label",
        [
            Series("before", headers["before"], "#7b1010", "bar"),
            Series("after", headers["after"], "#9e9e9e", "bar"),
        ],
        x_title=None,
        y_title=ui.t("manage.axis.rate_pct"),
        y_hover=charts.PCT2,
        text=lambda v: fmt.pct(v, lang, 2),
        height=380,
        legend_y=1.15,  # above the plot: the tilted item names take the room below it
        y_tickformat=".1%",
        y_range=(0, top * 1.2),
    )
    ui.chart(
        fig,
        labelled,
        "manage.disclosure.rates",
        "manage.disclosure.rates_help",
        columns={
            "zh": "manage.disclosure.col.zh",
            "en": "manage.disclosure.col.en",
            "before": "manage.disclosure.col.before",
            "after": "manage.disclosure.col.after",
        },
        file_name=f"overdue_rates_compensation_{as_of:%Y-%m}.csv",
    )
with right:
    st.subheader(ui.t("manage.disclosure.rates_table"))
    gap = rates["before"] - rates["after"]
    if (gap > 0.00005).any():
        st.warning(ui.t("manage.disclosure.gap_warning"))
    else:
        st.caption(ui.t("manage.disclosure.no_gap"))
    ui.table(
        labelled,
        {
            "zh": "manage.disclosure.col.zh",
            "en": "manage.disclosure.col.en",
            "before": "manage.disclosure.col.before",
            "after": "manage.disclosure.col.after",
        },
        {"before": "pct", "after": "pct"},
        file_name=f"overdue_rates_table_{as_of:%Y-%m}.csv",
        key="compensation",
    )

# --- growth-adjusted rates: an extra, not part of the regulated report (lendrisk/whypanels.py) --
st.divider()
whypanels.growth_panel(as_of, lang)
