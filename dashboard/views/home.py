"""The root address: a service owner lands on their own service's morning summary (or the
one named in the address), everyone else on the overview."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data

known = {s for s, _ in data.services()}
wanted = st.query_params.get("service")
own = [s for s, _ in data.services() if s in auth.viewer().services]
if wanted in known:
    st.switch_page("views/summary.py", query_params={"service": wanted})
elif own:
    st.switch_page("views/summary.py", query_params={"service": own[0]})
else:
    st.switch_page("views/overview.py")
