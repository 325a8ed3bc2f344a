"""lendrisk dashboard entry point: page config, demo store on first start, login gate, navigation by
role, the shared sidebar, then the chosen page. Routes only: pages live in pages/, logic in lendrisk/.
"""

import streamlit as st

from lendrisk import ui, vocab

# Every screen, by sidebar section with the roles that may see it: page name -> icon. A page's file is
# pages/<name>.py and its title common.page.<name>; it is listed only once its file exists. Sections and
# pages appear in this order and the first page a role may see opens first.
PAGES = [
    *ui.section(
        "common.section.investor",
        vocab.INVESTOR_ROLES,
        {
            "portfolio": ":material/account_balance_wallet:",
            "holdings": ":material/list_alt:",
            "investor_risk": ":material/warning:",
            "learn": ":material/school:",
        },
    ),
    *ui.section(
        "common.section.platform",
        vocab.PLATFORM_ROLES,
        {
            "health": ":material/monitor_heart:",
            "why": ":material/waterfall_chart:",
            "vintages": ":material/stacked_line_chart:",
            "segments": ":material/pie_chart:",
            "collections": ":material/support_agent:",
            "reserve": ":material/savings:",
            "disclosure": ":material/description:",
        },
    ),
    *ui.section("common.section.admin", vocab.ADMIN_ROLES, {"data": ":material/upload_file:"}),
    *ui.section("common.section.store", vocab.ROLES, {"store": ":material/database:"}),
]

st.set_page_config(page_title="lendrisk", page_icon=":material/monitoring:", layout="wide")
ui.ensure_store()
user = ui.login_gate()
if user is not None:
    ui.sidebar(user)  # before st.navigation, like the login's language switch: widgets keep their state
    ui.navigation(PAGES, user).run()
