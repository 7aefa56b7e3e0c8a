"""Streamlit views of the Ambition 1 scorecard; they read through ``dashboard.data`` only."""
