"""The dashboard of the Ambition 1 measures: ``monitor dashboard`` runs this with Streamlit.

Every view has its own address, so any of them can be bookmarked or shared with its
service in the query (``/summary?service=report-a-pothole``, ``/issue?id=42``). The root
address takes a signed-in service owner to their own service's morning summary and
everyone else to the overview.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# ``streamlit run dashboard/app.py`` puts only this folder on the path; the project too.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import auth, data  # noqa: E402

# No page_title here: each view's title names its browser tab.
st.set_page_config(page_icon="📊", layout="wide")

# Streamlit's spacing is generous; the owner's summary must fit above the fold at
# 1366×768. Captions are darkened to GOV.UK's secondary text colour (#505a5f, 7:1 on
# white): Streamlit's own grey is 3.9:1, under the 4.5:1 WCAG asks of text.
st.html(
    """<style>
    [data-testid="stMainBlockContainer"] {
      padding: 3.75rem 1.5rem 2rem 1.5rem; max-width: 100%; }
    [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: #505a5f; }
    [data-testid="stMarkdownContainer"] table { font-size: 0.85rem; margin-bottom: 0.25rem; }
    [data-testid="stMarkdownContainer"] th, [data-testid="stMarkdownContainer"] td {
      padding: 0.1rem 0.4rem; line-height: 1.35; }
    [data-testid="stMarkdownContainer"] p { margin-bottom: 0.35rem; }
    h1 { font-size: 1.9rem !important; padding: 0.1rem 0 0.1rem 0 !important; }
    h2 { font-size: 1.4rem !important; padding: 0.5rem 0 0.2rem 0 !important; }
    h3 { font-size: 1.1rem !important; padding: 0.2rem 0 0.1rem 0 !important; }
    [data-testid="stAlertContainer"] { padding: 0.5rem 0.75rem; }
    </style>"""
)

viewer = auth.current_viewer()
if viewer is None:
    st.title("Resident digital experience")
    st.write("Sign in with your council account to see the dashboard.")
    st.button("Sign in", on_click=st.login, type="primary")
    st.stop()

auth.show_who()
for problem in data.config_problems():
    st.error(f"Configuration problem: {problem}")

VIEWS = Path(__file__).resolve().parent / "views"
PAGES = {
    "home": st.Page(
        VIEWS / "home.py", title="Resident digital experience", default=True, visibility="hidden"
    ),
    "summary": st.Page(
        VIEWS / "summary.py", title="This morning", icon=":material/wb_sunny:", url_path="summary"
    ),
    "overview": st.Page(
        VIEWS / "overview.py", title="Overview", icon=":material/dashboard:", url_path="overview"
    ),
    "service": st.Page(
        VIEWS / "service.py",
        title="Service scorecard",
        icon=":material/assignment:",
        url_path="service",
    ),
    "issues": st.Page(
        VIEWS / "issues.py", title="Issues", icon=":material/accessibility_new:", url_path="issues"
    ),
    "issue": st.Page(VIEWS / "issue.py", title="Issue", url_path="issue", visibility="hidden"),
    "accessibility": st.Page(
        VIEWS / "accessibility.py",
        title="Accessibility issues",
        url_path="accessibility",
        visibility="hidden",
    ),
    "branding": st.Page(
        VIEWS / "branding.py", title="Branding", icon=":material/palette:", url_path="branding"
    ),
    "journeys": st.Page(
        VIEWS / "journeys.py", title="Journeys", icon=":material/route:", url_path="journeys"
    ),
    "feedback": st.Page(
        VIEWS / "feedback.py", title="Feedback", icon=":material/forum:", url_path="feedback"
    ),
    "audits": st.Page(
        VIEWS / "audits.py", title="Audits", icon=":material/manage_search:", url_path="audits"
    ),
    "exports": st.Page(
        VIEWS / "exports.py", title="Exports", icon=":material/download:", url_path="exports"
    ),
}
st.navigation(list(PAGES.values()), position="top").run()
