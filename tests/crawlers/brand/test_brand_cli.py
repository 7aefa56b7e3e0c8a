"""``monitor brand check URL``: one page's brand result as a table (real browser)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from demo import DemoSite
from monitor.cli import app
from monitor.config import load_config
from monitor.settings import get_settings
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_env(
    running_site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DemoSite]:
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MONITOR_NETWORK_IDLE_SECONDS", "0.3")
    monkeypatch.setenv("DEMO_SITE", running_site.base_url)
    monkeypatch.setenv("DEMO_SUPPLIER", running_site.supplier_url)
    get_settings.cache_clear()
    running_site.restore_all()
    yield running_site
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["brand", "check", *args])
    return result.exit_code, result.output


def test_the_table_shows_each_rule_with_pass_or_fail_and_detail(
    demo_env: DemoSite, tmp_path: Path
) -> None:
    code, output = invoke(demo_env.supplier_url + "/pay-a-parking-fine", "--evidence")
    assert code == 0, output
    rows = {line.split("│")[1].strip(): line for line in output.splitlines() if "│" in line}
    for rule in ("logo", "palette", "typeface", "footer-links", "title-pattern"):
        assert "FAIL" in rows[rule], rule
    for rule in ("header", "footer", "favicon", "cookie-banner", "domain"):
        assert "pass" in rows[rule], rule
    assert "score 50/100" in output
    assert "Service: pay-a-parking-fine" in output  # guessed from the address
    shots = list((tmp_path / "data" / "evidence" / "brand" / "run-adhoc").glob("*.png"))
    assert len(shots) == 1


def test_json_output_and_strict_exit_code(demo_env: DemoSite) -> None:
    code, output = invoke(
        demo_env.supplier_url + "/pay-a-parking-fine",
        "--json",
        "--strict",
        "--service",
        "council-website",
    )
    assert code == 1  # --strict: the page fails a brand rule
    result = json.loads(output)
    assert result["service"] == "council-website" and result["score"] == 50.0
    assert {f["rule"] for f in result["findings"]} == {
        "logo",
        "palette",
        "typeface",
        "footer-links",
        "title-pattern",
    }


def test_an_unknown_service_or_a_bad_address_is_a_usage_error(demo_env: DemoSite) -> None:
    code, output = invoke(demo_env.base_url + "/", "--service", "no-such-service")
    assert code == 2 and "no service 'no-such-service'" in output
    code, output = invoke("ftp://example.gov.uk/")
    assert code == 2 and "http://" in output


def test_a_page_that_cannot_be_loaded_is_reported_with_exit_code_3(demo_env: DemoSite) -> None:
    from tests.servers import free_port

    code, output = invoke(f"http://127.0.0.1:{free_port()}/")
    assert code == 3 and "could not be loaded" in output


def test_the_service_is_guessed_by_the_longest_start_address(
    demo_env: DemoSite,
) -> None:
    config = load_config(CONFIG_DIR)
    base = demo_env.base_url
    assert config.service_for_url(base + "/report-a-pothole/where").id == "report-a-pothole"  # type: ignore[union-attr]
    assert config.service_for_url(base + "/contact").id == "council-website"  # type: ignore[union-attr]
    assert config.service_for_url("https://elsewhere.example/") is None
