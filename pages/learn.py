"""Learn (investor): a glossary of every number the investor pages show (what it is, how it is
computed, why it matters) and two real stories picked from the store: a borrower who repaid early,
and a loan that went from its first missed payment through collection to court."""

import pandas as pd
import streamlit as st

from lendrisk import fmt, investor, ui

ui.require_role("investor")
as_of, lang = ui.as_of(), ui.lang()

# Every metric the investor pages show, in the order an investor meets them.
TERMS = (
    "invested",
    "exposure",
    "dpd",
    "overdue_balance",
    "past_due",
    "overdue_rate",
    "expected_loss",
    "pd",
    "lgd",
    "guarantee",
    "realised_loss",
    "interest",
    "nar",
    "adjusted_nar",
    "xirr",
    "hhi",
    "top_share",
    "stress",
    "loss_distribution",
    "var",
    "tail_probability",
    "rho",
    "expected_cash",
)

st.title(ui.t("investor.learn.title"))
st.caption(ui.t("investor.learn.intro"))


def show_story(story: investor.LoanStory, prefix: str, intro: str) -> None:
    """One story: what happened in plain words, the payments chart, the timeline and its milestones."""
    loan = story.loan
    st.markdown(intro)
    st.caption(
        ui.t(
            "investor.learn.story.facts",
            product=ui.t(f"common.product.{loan['product']}"),
            grade=loan["grade"],
            principal=fmt.money(loan["principal"], lang),
            rate=fmt.pct(loan["annual_rate"], lang, 1),
            term=fmt.number(loan["term_months"], lang),
            method=ui.t(f"common.method.{loan['repayment_method']}"),
            originated=fmt.date(loan["originated_on"], lang),
        )
    )
    left, right = st.columns(2)
    with left:
        ui.chart(
            investor.story_payments_figure(story, lang),
            investor.timeline_table(story, lang),
            f"investor.learn.{prefix}.chart.payments.title",
            "investor.story.chart.payments.explain",
            columns={
                "date": "investor.col.date",
                "series": "investor.col.series",
                "cumulative": "investor.col.cumulative",
            },
            file_name=f"story_{prefix}_payments.csv",
            symbol=fmt.currency_symbol(),
        )
    with right:
        ui.chart(
            investor.story_milestones_figure(story, lang),
            investor.milestone_table(story, lang),
            f"investor.learn.{prefix}.chart.milestones.title",
            "investor.story.chart.milestones.explain",
            columns={
                "date": "investor.col.date",
                "kind": "investor.col.milestone",
                "amount": "investor.col.amount",
            },
            file_name=f"story_{prefix}_timeline.csv",
        )
    st.markdown(f"**{ui.t('investor.learn.story.lesson')}** {ui.t(f'investor.learn.{prefix}.lesson')}")


st.caption(ui.t("investor.learn.stories.intro", date=fmt.date(as_of, lang)))
with ui.busy("investor.learn.finding"):
    stories = ui.cached(investor.learn_stories, as_of)

st.header(ui.t("investor.learn.early.title"))
pick = stories.early_pick
if stories.early_repayment is None or pick is None:
    st.info(ui.t("investor.learn.early.none"))
else:
    show_story(
        stories.early_repayment,
        "early",
        ui.t(
            "investor.learn.early.intro",
            installments=fmt.number(pick["installments_before"], lang),
            paid_off=fmt.date(pick["paid_off_on"], lang),
            last_due=fmt.date(pick["last_due_on"], lang),
            months=fmt.number(pick["months_early"], lang),
        ),
    )

st.divider()
st.header(ui.t("investor.learn.legal.title"))
pick = stories.legal_pick
if stories.legal_action is None or pick is None:
    st.info(ui.t("investor.learn.legal.none"))
else:
    judgment = (
        ui.t("investor.learn.legal.judgment", date=fmt.date(pick["judgment_on"], lang))
        if pick["judgment_on"] is not None
        else ui.t("investor.learn.legal.no_judgment")
    )
    show_story(
        stories.legal_action,
        "legal",
        ui.t(
            "investor.learn.legal.intro",
            missed=fmt.date(pick["first_missed_on"], lang),
            contact=fmt.date(pick["first_collection_on"], lang),
            contacts=fmt.number(pick["collection_contacts"], lang),
            filed=fmt.date(pick["legal_filed_on"], lang),
            judgment=judgment,
        ),
    )

st.divider()
st.header(ui.t("investor.learn.glossary.title"))
st.caption(ui.t("investor.learn.glossary.intro"))
for term in TERMS:
    with st.expander(ui.t(f"investor.glossary.{term}.name")):
        for part in ("what", "how", "why"):
            st.markdown(
                f"**{ui.t(f'investor.learn.glossary.{part}')}** {ui.t(f'investor.glossary.{term}.{part}')}"
            )
glossary = pd.DataFrame(
    {
        "term": [ui.t(f"investor.glossary.{t}.name") for t in TERMS],
        "what": [ui.t(f"investor.glossary.{t}.what") for t in TERMS],
        "how": [ui.t(f"investor.glossary.{t}.how") for t in TERMS],
        "why": [ui.t(f"investor.glossary.{t}.why") for t in TERMS],
    }
)
ui.download(
    glossary.rename(columns={c: ui.t(f"investor.learn.glossary.col.{c}") for c in glossary.columns}),
    "glossary.csv",
    key="learn_glossary_csv",
)
