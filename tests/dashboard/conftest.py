"""A seeded dashboard: a known history in a temporary SQLite, and the council's config."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from monitor.db import upgrade
from monitor.repository import Repository
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR
from tests.dashboard.known import seed_known

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
ACCESS_YAML = """\
digital_team: [team@example.gov.uk]
owners:
  alpha.owner@example.gov.uk: [alpha]
  beta.owner@example.gov.uk: [beta]
"""


@pytest.fixture(scope="package")
def dashboard_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment of a dashboard over the known history (set for this process too)."""
    folder = tmp_path_factory.mktemp("dashboard")
    config = folder / "config"
    shutil.copytree(CONFIG_DIR, config)
    (config / "access.yaml").write_text(ACCESS_YAML)
    # The known history is small: a share of three answers is drawn, of two is not.
    measures = config / "measures.yaml"
    measures.write_text(measures.read_text().replace("min_responses: 10", "min_responses: 3"))
    url = f"sqlite:///{folder / 'monitor.db'}"
    upgrade(url)
    seed_known(Repository(url))
    env = {
        "MONITOR_DATABASE_URL": url,
        "MONITOR_CONFIG_DIR": str(config),
        "MONITOR_DATA_DIR": str(folder / "data"),
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        get_settings.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()
        yield env
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
