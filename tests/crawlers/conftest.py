"""Shared fixtures of the crawler tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from demo import DemoSite


@pytest.fixture(scope="module")
def running_site() -> Iterator[DemoSite]:
    """A demo site of the test module's own, its slow page quick enough for a test."""
    with DemoSite(port=0, slow_page_seconds=0.3) as site:
        yield site
