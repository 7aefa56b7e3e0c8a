"""Settings: one object, from the environment, every one documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.settings import Settings
from tests.conftest import PROJECT


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (PROJECT / "README.md").read_text()
    missing = [
        name for name in Settings.model_fields if f"| `MONITOR_{name.upper()}` |" not in readme
    ]
    assert missing == []


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MONITOR_CONCURRENCY", "4")
    monkeypatch.setenv("MONITOR_AXE_TAGS", '["wcag2a"]')
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.concurrency == 4 and settings.axe_tags == ["wcag2a"]
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'monitor.db'}"


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_ENVIRONMENT", "production")
    monkeypatch.delenv("MONITOR_FEEDBACK_SECRET", raising=False)
    with pytest.raises(ValidationError, match="MONITOR_FEEDBACK_SECRET"):
        Settings()
    monkeypatch.setenv("MONITOR_FEEDBACK_SECRET", "a-long-random-value-from-the-vault")
    assert Settings().environment == "production"


def test_a_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_CONCURRENCY", "lots")
    with pytest.raises(ValidationError, match="concurrency"):
        Settings()


def test_v8_flags_reach_chromium_and_bad_ones_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONITOR_CHROMIUM_JS_FLAGS", "  --no-opt   --max-semi-space-size=16 ")
    flags = Settings().browser_flags
    assert flags[-1] == "--js-flags=--no-opt --max-semi-space-size=16"
    assert "--no-sandbox" in flags and "--disable-gpu" in flags
    monkeypatch.setenv("MONITOR_CHROMIUM_JS_FLAGS", "")
    assert not any(flag.startswith("--js-flags") for flag in Settings().browser_flags)
    # Anything but V8 flags (a shell word, a bare name) is refused, naming the setting.
    for bad in ("--no-opt $(reboot)", "--no-opt;reboot", "no-opt", "--max-semi-space-size=1 2"):
        monkeypatch.setenv("MONITOR_CHROMIUM_JS_FLAGS", bad)
        with pytest.raises(ValidationError, match="chromium_js_flags"):
            Settings()


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("10.0.0.5", ["10.0.0.5"]),
        ("10.0.0.5, 10.1.0.0/16 fd00::/8", ["10.0.0.5", "10.1.0.0/16", "fd00::/8"]),
        ('["127.0.0.1", "192.168.0.0/24"]', ["127.0.0.1", "192.168.0.0/24"]),
    ],
)
def test_trusted_proxies_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, written: str, read: list[str]
) -> None:
    monkeypatch.setenv("MONITOR_FEEDBACK_TRUSTED_PROXIES", written)
    assert Settings().feedback_trusted_proxies == read


@pytest.mark.parametrize("written", ["load-balancer", "10.0.0.300", "10.0.0.1/8", "*"])
def test_a_trusted_proxy_must_be_an_address_or_a_range(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    monkeypatch.setenv("MONITOR_FEEDBACK_TRUSTED_PROXIES", written)
    with pytest.raises(ValidationError, match="is not an IP address or a CIDR range"):
        Settings()
