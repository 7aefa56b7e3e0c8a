"""The dashboard of the Ambition 1 measures: ``monitor dashboard`` runs this with Streamlit."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# ``streamlit run dashboard/app.py`` puts only this folder on the path; the project too.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import auth, data  # noqa: E402

st.set_page_config(page_title="Resident digital experience", page_icon="📊", layout="wide")

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
pages = [
    st.Page(VIEWS / "overview.py", title="Overview", icon="🏠", default=True, url_path="overview"),
    st.Page(VIEWS / "service.py", title="Service scorecard", icon="📋", url_path="service"),
    st.Page(VIEWS / "accessibility.py", title="Accessibility", icon="♿", url_path="accessibility"),
    st.Page(VIEWS / "branding.py", title="Branding", icon="🎨", url_path="branding"),
    st.Page(VIEWS / "journeys.py", title="Journeys", icon="🧭", url_path="journeys"),
    st.Page(VIEWS / "feedback.py", title="Feedback", icon="💬", url_path="feedback"),
    st.Page(VIEWS / "audits.py", title="Audits", icon="🔎", url_path="audits"),
    st.Page(VIEWS / "exports.py", title="Exports", icon="⬇️", url_path="exports"),
]
st.navigation(pages).run()
