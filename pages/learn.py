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
    st.markdown(intro)
    st.caption(ui.t("investor.learn.story.facts", **ui.loan_facts(story.loan, lang)))
    ui.story_charts(story, lang, f"investor.learn.{prefix}", f"story_{prefix}")
    st.markdown(f"**{ui.t('investor.learn.story.lesson')}** {ui.t(f'investor.learn.{prefix}.lesson')}")


st.caption(ui.t("investor.learn.stories.intro", date=fmt.date(as_of, lang)))
with ui.busy("investor.learn.finding"):
    stories = ui.cached(investor.learn_stories, as_of)


def story_section(prefix: str, story: investor.LoanStory | None, fields: dict[str, str] | None) -> None:
    """A story's header, then the story with its intro filled from fields, or a note when none was found."""
    st.header(ui.t(f"investor.learn.{prefix}.title"))
    if story is None or fields is None:
        st.info(ui.t(f"investor.learn.{prefix}.none"))
    else:
        show_story(story, prefix, ui.t(f"investor.learn.{prefix}.intro", **fields))


early = stories.early_pick
story_section(
    "early",
    stories.early_repayment,
    None
    if early is None
    else {
        "installments": fmt.number(early["installments_before"], lang),
        "paid_off": fmt.date(early["paid_off_on"], lang),
        "last_due": fmt.date(early["last_due_on"], lang),
        "months": fmt.number(early["months_early"], lang),
    },
)
st.divider()
legal = stories.legal_pick
story_section(
    "legal",
    stories.legal_action,
    None
    if legal is None
    else {
        "missed": fmt.date(legal["first_missed_on"], lang),
        "contact": fmt.date(legal["first_collection_on"], lang),
        "contacts": fmt.number(legal["collection_contacts"], lang),
        "filed": fmt.date(legal["legal_filed_on"], lang),
        "judgment": ui.t("investor.learn.legal.judgment", date=fmt.date(legal["judgment_on"], lang))
        if legal["judgment_on"] is not None
        else ui.t("investor.learn.legal.no_judgment"),
    },
)

st.divider()
ui.header("investor.learn.glossary")
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
