"""Fixtures of the feedback collector's tests: a real collector on uvicorn on 127.0.0.1."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.feedback import start_collector_in_thread
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import CONFIG_DIR

_ADDRESSES = itertools.count(1)


def resident_address() -> str:
    """A fresh resident address (RFC 5737 documentation range) for X-Forwarded-For."""
    n = next(_ADDRESSES)
    return f"198.51.{100 + (n // 250) % 20}.{1 + n % 250}"


def resident() -> dict[str, str]:
    return {"X-Forwarded-For": resident_address()}


@dataclass
class Collector:
    base_url: str
    repository: Repository
    settings: Settings
    stop: Callable[[], None]


@pytest.fixture(scope="session")
def council_config() -> CouncilConfig:
    return load_config(CONFIG_DIR)


def start_collector(folder: Path, config: CouncilConfig, **overrides: object) -> Collector:
    url = f"sqlite:///{folder / 'monitor.db'}"
    upgrade(url)
    settings = Settings(database_url=url, config_dir=CONFIG_DIR, data_dir=folder, **overrides)  # type: ignore[arg-type]
    base_url, stop = start_collector_in_thread(settings, config, "127.0.0.1", 0)
    return Collector(base_url, Repository(url), settings, stop)


@pytest.fixture(scope="module")
def collector(
    tmp_path_factory: pytest.TempPathFactory, council_config: CouncilConfig
) -> Iterator[Collector]:
    """A collector shared by a module's tests; each test posts as its own residents."""
    running = start_collector(
        tmp_path_factory.mktemp("collector"), council_config, feedback_rate_limit_per_minute=100_000
    )
    yield running
    running.stop()
