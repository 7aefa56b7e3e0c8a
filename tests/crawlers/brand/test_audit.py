"""The brand rules judged on hand-made observations (no browser): titles, footer links,
domains, scores, exemptions and what happens when the page gave us nothing."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from crawlers.brand.audit import (
    PageObservations,
    judge,
    judge_footer_links,
    judge_palette,
    judge_title,
    title_regex,
)
from crawlers.brand.score import RULES, applicable_rules, brand_score, configured_rules
from crawlers.urls import host_allowed
from monitor.config import BrandFile, BrandRuleId, load_config
from tests.conftest import CONFIG_DIR


@pytest.fixture(scope="module")
def brand() -> BrandFile:
    return load_config(CONFIG_DIR).brand


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("Join the library - Example County Council", True),
        ("Error: Join the library - Example County Council", True),  # GOV.UK error prefix
        ("  Join   the library -  Example County Council ", True),  # whitespace normalised
        ("Join the library | ParkRight Services", False),
        (" - Example County Council", False),  # no page name
        ("Example County Council", False),
        ("Join the library - Example County Council Online", False),
        ("", False),
    ],
)
def test_the_title_pattern(brand: BrandFile, title: str, ok: bool) -> None:
    result = judge_title(brand, title)
    assert result.passed is ok
    assert bool(result.findings) is not ok


def test_a_title_pattern_with_regex_characters_is_taken_literally() -> None:
    pattern = title_regex("{page} (beta) | Council.gov")
    assert pattern.match("Pay (beta) | Council.gov")
    assert not pattern.match("Pay (beta) | CouncilXgov")


def test_footer_links_by_text_and_address(brand: BrandFile) -> None:
    links = [
        {"text": "Accessibility statement", "href": "https://x.gov.uk/accessibility"},
        {"text": "Privacy notice", "href": "https://x.gov.uk/privacy"},
        {"text": "Cookies", "href": "https://x.gov.uk/cookies"},
        {"text": "Contact us", "href": "https://x.gov.uk/contact"},
    ]
    assert judge_footer_links(brand, True, links).passed
    result = judge_footer_links(brand, True, links[1:3])
    assert [f.key for f in result.findings] == ["Accessibility statement", "Contact us"]
    strict = brand.model_copy(
        update={
            "footer_links": [
                brand.footer_links[0].model_copy(update={"href": r"/accessibility-statement$"})
            ]
        }
    )
    assert not judge_footer_links(strict, True, links).passed


@pytest.mark.parametrize(
    ("host", "ok"),
    [
        ("example.gov.uk", True),
        ("www.example.gov.uk", True),
        ("EXAMPLE.GOV.UK", True),
        ("notexample.gov.uk", False),
        ("example.gov.uk.evil.com", False),
        ("127.0.0.1", True),
    ],
)
def test_domains_and_their_subdomains(brand: BrandFile, host: str, ok: bool) -> None:
    assert host_allowed(host, brand.domains) is ok


def test_palette_groups_each_off_palette_colour_with_its_uses(brand: BrandFile) -> None:
    records: list[dict[str, Any]] = [
        {
            "kind": "text",
            "role": "link",
            "colour": "rgb(111, 45, 168)",
            "stack": ["rgb(255, 255, 255)"],
            "count": 5,
            "selector": "a",
        },
        {
            "kind": "background",
            "role": "button",
            "colour": "rgb(111, 45, 168)",
            "stack": [],
            "count": 2,
            "selector": "button",
        },
        {
            "kind": "text",
            "role": "text",
            "colour": "rgb(11, 12, 12)",
            "stack": [],
            "count": 9,
            "selector": "p",
        },
        {"kind": "text", "role": "text", "colour": "oklab(bogus)", "stack": [], "count": 1},
    ]
    result = judge_palette(brand, records)
    assert [f.key for f in result.findings] == ["#6f2da8"]
    message = result.findings[0].message
    assert "button background (2)" in message and "link text (5)" in message
    assert result.findings[0].selector == "a"
    assert result.data["colours_judged"] == 3  # the unparseable colour is skipped, not guessed


def test_nothing_collected_means_failures_not_a_crash(brand: BrandFile) -> None:
    verdict = judge(brand, PageObservations(collected={}, url="https://evil.example/", title=""))
    assert not verdict.passed
    failed = {rule for rule, r in verdict.rules.items() if not r.passed}
    # Every rule fails but the palette and typeface: nothing seen, nothing off-brand.
    assert failed == set(get_args(BrandRuleId)) - {"palette", "typeface"}
    assert verdict.rules["palette"].passed and verdict.rules["typeface"].passed
    assert verdict.score == 20.0
    assert {f.rule for f in verdict.findings} == failed


def test_scores_are_the_weighted_share_of_rules_passed() -> None:
    assert brand_score({}) == 100.0
    assert brand_score({"logo": True, "palette": False}) == 50.0
    assert brand_score({"logo": True, "palette": False}, {"logo": 3}) == 75.0
    assert brand_score({"logo": False}, {"logo": 0}) == 100.0  # nothing weighs anything


def test_rules_apply_when_configured_and_not_exempt(brand: BrandFile) -> None:
    assert configured_rules(brand) == list(RULES)
    assert "palette" not in applicable_rules(brand, ["palette"])
    bare = BrandFile(council_name="C", palette={"text": "#000000"}, favicon=False)
    assert configured_rules(bare) == ["palette", "header", "footer"]


def test_the_rule_list_and_the_config_schema_agree() -> None:
    from typing import get_args

    assert get_args(BrandRuleId) == RULES
