"""The old address of the accessibility view: the issues view, filtered to accessibility."""

from __future__ import annotations

import streamlit as st

query = {"kind": "accessibility"}
if st.query_params.get("service"):
    query["service"] = st.query_params["service"]
st.switch_page("views/issues.py", query_params=query)
