"""The branding check on real pages in a real Chromium: the demo's drifting supplier
service, the clean council service, and hand-made pages with one deviation each."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from crawlers.brand.evidence import MAX_FILE_BYTES
from crawlers.checks import available_checks
from crawlers.checks.branding import CHECK
from demo import DemoSite, load_manifest
from monitor.config import ServiceConfig, load_config
from tests.conftest import CONFIG_DIR
from tests.crawlers.brand.conftest import BrandDriver

pytestmark = pytest.mark.browser

SUPPLIER_PAGE = "/pay-a-parking-fine"
# The colours the manifest's palette defect names (magenta header, purple buttons and
# links, pink footer, grey text).
SUPPLIER_COLOURS = {"#e4007c", "#6f2da8", "#fce4f1", "#222222"}


def supplier_defects() -> dict[str, str]:
    """Manifest defect id → rule, for the supplier's start page."""
    return {
        d.id: d.rule
        for d in load_manifest().defects_for(check="branding", host="supplier", path=SUPPLIER_PAGE)
    }


@pytest.fixture(scope="module", params=["playwright", "selenium"])
def any_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrandDriver]:
    driver = BrandDriver(request.param, tmp_path_factory.mktemp(request.param))
    yield driver
    driver.close()


def test_the_check_is_found_by_the_crawler() -> None:
    assert available_checks()["branding"] is CHECK
    assert CHECK.whole_page is True


def test_the_drifting_supplier_is_flagged_with_exactly_the_manifest_deviations(
    any_engine: BrandDriver, site: DemoSite
) -> None:
    expected_rules = set(supplier_defects().values())
    assert expected_rules == {"logo", "palette", "typeface", "footer-links", "title-pattern"}

    findings, result = any_engine.check(site.supplier_url + SUPPLIER_PAGE)

    assert {f.rule for f in findings} == expected_rules
    assert {rule for rule, ok in result["rules"].items() if not ok} == expected_rules
    assert all(f.check == "branding" and f.impact in ("moderate", "minor") for f in findings)
    assert not result["passed"]
    assert result["score"] == 50.0  # 5 of the 10 rules pass
    by_rule: dict[str, set[str]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, set()).add(finding.key)
    assert by_rule["palette"] == SUPPLIER_COLOURS
    assert by_rule["typeface"] == {"georgia"}
    assert by_rule["footer-links"] == {"Accessibility statement", "Cookies"}
    assert by_rule["logo"] == {"image", "alt", "link-home"}  # the ParkRight logo, alt and link
    header = next(f for f in findings if f.key == "#e4007c")
    assert "nearest brand colour is primary" not in header.message  # nearest is error red
    assert "ΔE2000 26.2" in header.message and header.selector == "body > header"
    title = next(f for f in findings if f.rule == "title-pattern")
    assert "Pay your PCN | ParkRight Services" in title.message
    assert "{page} - Example County Council" in title.message


@pytest.mark.parametrize("defect_id", sorted(supplier_defects()))
def test_fixing_a_defect_removes_exactly_its_deviation(
    browser: BrandDriver, site: DemoSite, defect_id: str
) -> None:
    defects = supplier_defects()
    site.fix_defect(defect_id)

    findings, result = browser.check(site.supplier_url + SUPPLIER_PAGE)

    assert {f.rule for f in findings} == set(defects.values()) - {defects[defect_id]}
    assert result["rules"][defects[defect_id]] is True
    assert result["score"] == 60.0


def test_the_clean_service_scores_100_and_has_no_findings(
    browser: BrandDriver, site: DemoSite
) -> None:
    findings, result = browser.check(site.base_url + "/join-the-library")

    assert findings == []
    assert result["score"] == 100.0 and result["passed"] is True
    assert all(result["rules"].values()) and len(result["rules"]) == 10
    assert result["header_screenshot"] is None
    assert result["details"]["rules"]["logo"]["hash_distance"] <= 10


def test_every_clean_service_of_the_manifest_passes(browser: BrandDriver, site: DemoSite) -> None:
    manifest = load_manifest()
    for service_id in manifest.clean_services:
        entry = manifest.service(service_id)
        base = site.base_url if entry.host == "main" else site.supplier_url
        findings, _ = browser.check(base + entry.start_path)
        assert findings == [], (service_id, [f.message for f in findings])


def test_the_supplier_once_fully_fixed_passes(browser: BrandDriver, site: DemoSite) -> None:
    for defect_id in supplier_defects():
        site.fix_defect(defect_id)
    findings, result = browser.check(site.supplier_url + SUPPLIER_PAGE)
    assert findings == [] and result["score"] == 100.0


def test_a_colour_within_tolerance_passes_and_one_just_outside_fails(
    browser: BrandDriver, pages_url: str
) -> None:
    findings, result = browser.check(pages_url + "/compliant")
    assert findings == [] and result["passed"]

    inside, result = browser.check(pages_url + "/link-inside-tolerance")
    assert inside == [] and result["rules"]["palette"] is True

    outside, result = browser.check(pages_url + "/link-outside-tolerance")
    assert [(f.rule, f.key) for f in outside] == [("palette", "#435fa8")]
    assert "nearest brand colour is link #1d5fa8, ΔE2000 5.3" in outside[0].message
    assert "link text" in outside[0].message
    assert result["rules"]["palette"] is False and result["score"] == 90.0


def test_semi_transparent_backgrounds_are_composited_and_invisible_elements_ignored(
    browser: BrandDriver, pages_url: str
) -> None:
    findings, _ = browser.check(pages_url + "/composited")

    # rgba(29, 63, 110, 0.5) over white; the red, green and magenta of hidden, invisible
    # and clipped elements are never judged.
    assert [(f.rule, f.key) for f in findings] == [("palette", "#8e9fb7")]
    assert findings[0].selector.endswith("div")


def test_heading_typeface_is_judged_apart_from_body_text(
    browser: BrandDriver, pages_url: str
) -> None:
    findings, _ = browser.check(pages_url + "/serif-headings")
    assert [(f.rule, f.key) for f in findings] == [("typeface", "times new roman")]
    assert "headings (1 elements)" in findings[0].message
    assert "body text" not in findings[0].message.split(":")[0]


def test_a_page_with_no_header_gives_findings_not_a_crash(
    browser: BrandDriver, pages_url: str, tmp_path: Path
) -> None:
    findings, result = browser.check(pages_url + "/no-header", evidence_dir=tmp_path, run_id=3)

    failed = {rule for rule, ok in result["rules"].items() if not ok}
    # The browser's default serif typeface too; the favicon is served at /favicon.ico.
    assert failed == {
        "logo",
        "header",
        "footer",
        "footer-links",
        "title-pattern",
        "cookie-banner",
        "typeface",
    }
    assert {f.rule for f in findings} == failed
    logo = next(f for f in findings if f.rule == "logo")
    assert logo.key == "missing" and "No logo in the header" in logo.message
    missing_links = [f for f in findings if f.rule == "footer-links"]
    assert len(missing_links) == 4
    assert all("(the page has no footer)" in f.message for f in missing_links)
    # Evidence: the top of the page, since there is no header to crop to.
    assert result["header_screenshot"] is not None
    assert Path(result["header_screenshot"]).parent == tmp_path / "brand" / "run-3"


def test_a_failing_page_keeps_a_small_header_screenshot(
    browser: BrandDriver, site: DemoSite, tmp_path: Path
) -> None:
    _, result = browser.check(site.supplier_url + SUPPLIER_PAGE, evidence_dir=tmp_path, run_id=42)

    shot = Path(result["header_screenshot"])
    assert shot.parent == tmp_path / "brand" / "run-42" and shot.suffix == ".png"
    assert 0 < shot.stat().st_size <= MAX_FILE_BYTES
    with Image.open(io.BytesIO(shot.read_bytes())) as image:
        assert image.format == "PNG"
        assert image.height < 200  # the header, not the whole page


def test_exempt_rules_are_not_judged_and_leave_the_score(
    browser: BrandDriver, site: DemoSite
) -> None:
    parking = load_config(CONFIG_DIR).service("pay-a-parking-fine")
    exempt = ServiceConfig.model_validate(
        {**parking.model_dump(), "brand_exemptions": ["palette", "typeface"]}
    )

    findings, result = browser.check(site.supplier_url + SUPPLIER_PAGE, service=exempt)

    assert {f.rule for f in findings} == {"logo", "footer-links", "title-pattern"}
    assert "palette" not in result["rules"] and "typeface" not in result["rules"]
    assert result["details"]["exempt"] == ["palette", "typeface"]
    assert result["score"] == 62.5  # 5 of the 8 judged rules pass


def test_weights_change_the_score(browser: BrandDriver, site: DemoSite) -> None:
    weighted = browser.brand.model_copy(update={"weights": {"logo": 3.0, "palette": 3.0}})
    _, result = browser.check(site.supplier_url + SUPPLIER_PAGE, brand=weighted)
    # Passing: header, footer, favicon, cookie-banner, domain (5 × 1) of 3+3+1+1+1+1+1+1+1+1.
    assert result["score"] == round(100 * 5 / 14, 1)
