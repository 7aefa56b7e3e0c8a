"""A run compares each logo look once and keeps one header picture per header markup: the
findings of every page equal a plain run's, page by page (real Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crawlers.checks.branding import CHECK
from crawlers.context import RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.pipeline import audit_page
from tests.conftest import CONFIG_DIR
from tests.crawlers.brand.conftest import BrandDriver

pytestmark = pytest.mark.browser

# The logo looks the same on the first two (only a link colour differs), is faded, covered
# by a banner and cropped on the next three, and the same again on the last.
PATHS = [
    "/compliant",
    "/link-inside-tolerance",
    "/logo-faded",
    "/logo-covered",
    "/logo-narrow",
    "/link-outside-tolerance",
    "/compliant",
]


def _run(
    driver: BrandDriver, urls: list[str], shortcuts: bool, evidence: Path
) -> tuple[list[list[tuple[str, str, str]]], list[dict[str, Any]], RunContext]:
    settings = driver.settings.model_copy(update={"check_shortcuts": shortcuts})

    async def visit() -> tuple[list[list[tuple[str, str, str]]], list[dict[str, Any]], RunContext]:
        async with make_client(settings) as client:
            run = RunContext(
                settings=settings,
                run_id=7,
                http=HostPolicy(settings, client),
                brand=driver.brand,
                config_dir=CONFIG_DIR,
                evidence_dir=evidence,
            )
            findings, results = [], []
            for url in urls:
                async with driver.engine.open(url) as page:
                    outcome = await audit_page(page, [CHECK], run.for_page(service_id="test"))
                assert not outcome.check_errors and outcome.brand is not None
                findings.append(sorted((f.rule, f.key, f.message) for f in outcome.findings))
                results.append(outcome.brand.as_result())
            return findings, results, run

    found: tuple[list[list[tuple[str, str, str]]], list[dict[str, Any]], RunContext]
    found = driver.run(visit())
    return found


def test_logos_compared_once_per_look_give_a_plain_run_s_findings(
    browser: BrandDriver, pages_url: str, tmp_path: Path
) -> None:
    urls = [pages_url + path for path in PATHS]
    plain, plain_results, plain_run = _run(browser, urls, False, tmp_path / "plain")
    shared, shared_results, shared_run = _run(browser, urls, True, tmp_path / "shared")

    assert shared == plain
    assert [r["rules"] for r in shared_results] == [r["rules"] for r in plain_results]
    # The pages tell the logos apart: covered and cropped fail; faded passes (perceptual
    # hashes judge shape, not contrast) but was compared afresh, being a look of its own.
    logo_ok = [r["rules"]["logo"] for r in plain_results]
    assert logo_ok == [True, True, True, False, False, True, True]
    # Compared once for the look the compliant pages share, again for each other look.
    assert plain_run.shared is None
    assert shared_run.shared is not None and shared_run.shared.reused >= 3


def test_failing_pages_with_one_header_share_one_picture(
    browser: BrandDriver, pages_url: str, tmp_path: Path
) -> None:
    urls = [pages_url + "/link-outside-tolerance", pages_url + "/serif-headings"]
    _, results, _ = _run(browser, urls, True, tmp_path)
    pictures = [r["header_screenshot"] for r in results]
    assert all(pictures) and pictures[0] == pictures[1]
    assert len(list((tmp_path / "brand" / "run-7").iterdir())) == 1
    _, results, _ = _run(browser, urls, False, tmp_path / "plain")
    assert len({r["header_screenshot"] for r in results}) == 2
