"""Data and users (admins only): upload canonical files, see every validation problem, import them as
the CLI does (validated, atomic), see what the store holds, and manage dashboard accounts."""

import pandas as pd
import streamlit as st

from lendrisk import accounts, admin, fmt, i18n, ingest, store, storeinfo, ui
from lendrisk.vocab import ROLES

user = ui.require_role("admin")
lang = ui.lang()
RESULT = "data_result"  # session_state: the last import / account change, shown after the rerun

st.title(ui.t("manage.data.title"))
st.caption(ui.t("manage.data.intro"))


def show_result() -> None:
    """The outcome of the last action (kept in the session across the rerun that follows it)."""
    result = st.session_state.pop(RESULT, None)
    if result is None:
        return
    kind, payload = result
    if kind == "problems":
        frame, total = payload
        st.error(
            ui.t("manage.data.failed", total=fmt.number(total, lang), shown=fmt.number(len(frame), lang))
        )
        ui.table(
            frame,
            {
                "file": "manage.data.col.file",
                "row": "manage.data.col.row",
                "column": "manage.data.col.column",
                "rule": "manage.data.col.rule",
                "value": "manage.data.col.value",
            },
            {"row": "int"},
            file_name="validation_report.csv",
            key="problems",
        )
    elif kind == "imported":
        st.success(ui.t("manage.data.imported", observed_to=fmt.date(payload["observed_to"], lang)))
        ui.table(
            payload["rows"],
            {
                "table": "manage.data.col.table",
                "added": "manage.data.col.added",
                "total": "manage.data.col.total",
            },
            {"added": "int", "total": "int"},
            codes={"table": "store.table."},
            file_name="import_report.csv",
            key="imported",
        )
        for warning in payload["warnings"]:
            st.warning(f"{warning.file_in(lang)}: {warning.rule_in(lang)}")
    else:
        (st.success if kind == "ok" else st.error)(ui.t(f"manage.data.{payload}"))


# --- import -----------------------------------------------------------------------------------
st.subheader(ui.t("manage.data.import"))
st.caption(ui.t("manage.data.import_help", tables=", ".join(store.TABLES)))
with st.form("upload", clear_on_submit=True):
    uploads = st.file_uploader(
        ui.t("manage.data.files"), type=["csv", "parquet"], accept_multiple_files=True, key="data_files"
    )
    # Option labels bind this run's lang: format functions are also called outside the script run.
    mode = st.radio(
        ui.t("manage.data.mode"),
        ("append", "replace"),
        format_func=lambda m: i18n.t(f"manage.data.mode.{m}", lang),
        horizontal=True,
        key="data_mode",
    )
    submitted = st.form_submit_button(ui.t("manage.data.submit"), type="primary", icon=":material/upload:")
if submitted:
    if not uploads:
        st.session_state[RESULT] = ("error", "no_files")
    else:
        files = [(f.name, f.getvalue()) for f in uploads]
        bar = st.progress(0.0, text=ui.t("manage.data.importing"))
        try:
            report = admin.import_uploads(
                store.db_path(),
                files,
                mode,
                progress=lambda _m, x: bar.progress(
                    min(max(x, 0.0), 1.0), text=ui.t("manage.data.importing")
                ),
            )
        except ingest.ValidationFailed as exc:
            st.session_state[RESULT] = ("problems", (admin.problems_frame(exc, lang), exc.total))
        except store.WriterBusy:
            st.session_state[RESULT] = ("error", "error.busy")
        else:
            rows = pd.DataFrame(
                {
                    "table": list(report.totals),
                    "added": [report.added.get(t, 0) for t in report.totals],
                    "total": list(report.totals.values()),
                }
            )
            st.session_state[RESULT] = (
                "imported",
                {"observed_to": report.observed_to, "rows": rows, "warnings": report.warnings},
            )
    st.rerun()
show_result()

# --- store status -----------------------------------------------------------------------------
st.divider()
st.subheader(ui.t("manage.data.status"))
summary = ui.cached(storeinfo.store_summary)
built = (
    f"{fmt.date(summary.built_at, lang)} {summary.built_at:%H:%M} UTC" if summary.built_at else fmt.MISSING
)
facts = pd.DataFrame(
    {
        "fact": ["source", "observed_to", "built_at", "originated"],
        "value": [
            storeinfo.source_label(summary.source, lang) or fmt.MISSING,
            fmt.date(summary.observed_to, lang),
            built,
            f"{fmt.date(summary.first_originated_on, lang)} – {fmt.date(summary.last_originated_on, lang)}",
        ],
    }
)
left, right = st.columns(2)
with left:
    ui.table(
        facts,
        {"fact": "manage.data.col.fact", "value": "manage.data.col.fact_value"},
        codes={"fact": "manage.data.fact."},
        file_name="store_facts.csv",
        key="facts",
    )
with right:
    ui.table(
        summary.row_counts.assign(table=summary.row_counts["table_name"]),
        {"table": "manage.data.col.table", "row_count": "manage.data.col.total"},
        {"row_count": "int"},
        codes={"table": "store.table."},
        file_name="store_status.csv",
        key="status",
        height=38 + 35 * len(summary.row_counts),
    )

# --- accounts ---------------------------------------------------------------------------------
st.divider()
st.subheader(ui.t("manage.data.users"))
st.caption(ui.t("manage.data.users_help", min=accounts.MIN_PASSWORD))
account_rows = ui.cached(accounts.users)
ui.table(
    account_rows.fillna({"investor_id": fmt.MISSING}),
    {
        "username": "manage.data.col.username",
        "role": "manage.data.col.role",
        "investor_id": "manage.data.col.investor",
    },
    codes={"role": "common.role."},
    file_name="accounts.csv",
    key="accounts",
)


def change(action, *args) -> None:
    """Run an account change (a new store file; ui.connection reopens it); remember the outcome."""
    try:
        action(store.db_path(), *args)
    except accounts.AccountError as exc:
        st.session_state[RESULT] = ("error", f"error.{exc.code}")
    except ingest.ValidationFailed as exc:
        st.session_state[RESULT] = ("problems", (admin.problems_frame(exc, lang), exc.total))
    except store.WriterBusy:
        st.session_state[RESULT] = ("error", "error.busy")
    else:
        st.session_state[RESULT] = ("ok", f"done.{action.__name__}")
    st.rerun()


add, reset, remove = st.columns(3)
with add, st.form("add_user", clear_on_submit=True):
    st.markdown(f"**{ui.t('manage.data.add')}**")
    username = st.text_input(ui.t("manage.data.col.username"), key="add_username")
    password = st.text_input(ui.t("common.login.password"), type="password", key="add_password")
    role = st.selectbox(
        ui.t("manage.data.col.role"),
        ROLES,
        format_func=lambda r: i18n.t(f"common.role.{r}", lang),
        key="add_role",
    )
    investor = st.selectbox(
        ui.t("manage.data.col.investor"),
        ui.cached(accounts.investor_ids),
        index=None,
        placeholder=ui.t("manage.data.investor_placeholder"),
        key="add_investor",
    )
    if st.form_submit_button(ui.t("manage.data.add_submit"), icon=":material/person_add:"):
        change(accounts.add_user, username, password, role, investor)
with reset, st.form("reset_password", clear_on_submit=True):
    st.markdown(f"**{ui.t('manage.data.reset')}**")
    who = st.selectbox(
        ui.t("manage.data.col.username"), account_rows["username"].tolist(), key="reset_username"
    )
    new_password = st.text_input(ui.t("manage.data.new_password"), type="password", key="reset_password")
    if st.form_submit_button(ui.t("manage.data.reset_submit"), icon=":material/key:"):
        change(accounts.reset_password, who, new_password)
with remove, st.form("remove_user"):
    st.markdown(f"**{ui.t('manage.data.remove')}**")
    others = [u for u in account_rows["username"].tolist() if u != user.username]
    gone = st.selectbox(ui.t("manage.data.col.username"), others, key="remove_username")
    sure = st.checkbox(ui.t("manage.data.remove_confirm"), key="remove_confirm")
    if st.form_submit_button(ui.t("manage.data.remove_submit"), icon=":material/person_remove:"):
        if sure and gone:
            change(accounts.remove_user, gone, user.username)
        else:
            st.warning(ui.t("manage.data.remove_unconfirmed"))
