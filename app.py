"""lendrisk dashboard entry point: page config, demo store on first start, login gate, navigation by
role, the shared sidebar, then the chosen page. Routes only: pages live in pages/, logic in lendrisk/.
"""

import streamlit as st

from lendrisk import ui, vocab
from lendrisk.ui import PageSpec as P

# Who may see a page, and the sidebar section it sits in.
INVESTOR, MINE = vocab.INVESTOR_ROLES, "common.section.investor"
PLATFORM, MANAGE = vocab.PLATFORM_ROLES, "common.section.platform"
ADMIN, ADMINISTER = vocab.ADMIN_ROLES, "common.section.admin"
EVERYONE, STORE = vocab.ROLES, "common.section.store"

# Every screen: (file, title key, icon, roles, section key). A page is listed only once its file
# exists; sections and pages appear in this order and the first page a role may see opens first.
PAGES = [
    P("pages/portfolio.py", "common.page.portfolio", ":material/account_balance_wallet:", INVESTOR, MINE),
    P("pages/holdings.py", "common.page.holdings", ":material/list_alt:", INVESTOR, MINE),
    P("pages/investor_risk.py", "common.page.investor_risk", ":material/warning:", INVESTOR, MINE),
    P("pages/learn.py", "common.page.learn", ":material/school:", INVESTOR, MINE),
    P("pages/health.py", "common.page.health", ":material/monitor_heart:", PLATFORM, MANAGE),
    P("pages/why.py", "common.page.why", ":material/waterfall_chart:", PLATFORM, MANAGE),
    P("pages/vintages.py", "common.page.vintages", ":material/stacked_line_chart:", PLATFORM, MANAGE),
    P("pages/segments.py", "common.page.segments", ":material/pie_chart:", PLATFORM, MANAGE),
    P("pages/collections.py", "common.page.collections", ":material/support_agent:", PLATFORM, MANAGE),
    P("pages/reserve.py", "common.page.reserve", ":material/savings:", PLATFORM, MANAGE),
    P("pages/disclosure.py", "common.page.disclosure", ":material/description:", PLATFORM, MANAGE),
    P("pages/data.py", "common.page.data", ":material/upload_file:", ADMIN, ADMINISTER),
    P("pages/store.py", "common.page.store", ":material/database:", EVERYONE, STORE),
]

st.set_page_config(page_title="lendrisk", page_icon=":material/monitoring:", layout="wide")
ui.ensure_store()
user = ui.login_gate()
if user is not None:
    ui.sidebar(user)  # before st.navigation, like the login's language switch: widgets keep their state
    ui.navigation(PAGES, user).run()
