"""Who is looking: optional OIDC sign-in (``st.login``) and the access mapping.

Sign-in is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section; then who sees
which residents' comments comes from ``config/access.yaml`` (see ``monitor.access``).
Without it the dashboard is for local use, shows everything and says so on every page.
"""

from __future__ import annotations

import streamlit as st

from dashboard import data
from monitor.access import LOCAL_VIEWER, Viewer, viewer_for


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return False


def current_viewer() -> Viewer | None:
    """The viewer of this session; None when sign-in is required and has not happened."""
    if not auth_configured():
        return LOCAL_VIEWER
    if not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    return viewer_for(str(email) if email else None, data.access(), auth_configured=True)


def viewer() -> Viewer:
    """For views: the app has already stopped the run if nobody is signed in."""
    return current_viewer() or Viewer(email=None, role="signed in", sees_everything=False)


def show_who() -> None:
    """Say who is looking, or that the dashboard is unprotected, at the top of every page."""
    person = current_viewer()
    if person is None:
        return
    if not person.protected:
        st.warning(
            "Running unprotected for local use: anyone who can reach this address sees every "
            "service and resident comment (add [auth] to .streamlit/secrets.toml to require "
            "sign-in).",
            icon=":material/warning:",
        )
        return
    with st.sidebar:
        st.text(f"Signed in as {person.email or 'unknown'} ({person.role})")
        if st.button("Sign out"):
            st.logout()
