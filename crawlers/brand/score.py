"""A page's brand score: the weighted share of the brand rules that apply and pass.

A rule applies when brand.yaml configures it and the service is not exempt from it
(``brand_exemptions`` in services.yaml). A page with no applicable rule scores 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import get_args

from monitor.config import BrandFile, BrandRuleId

#: Every brand rule, in the order a service owner reads them.
RULES: tuple[str, ...] = get_args(BrandRuleId)

#: How much each rule counts towards the score unless brand.yaml says otherwise.
DEFAULT_WEIGHT = 1.0


def configured_rules(brand: BrandFile) -> list[str]:
    """The rules brand.yaml sets (header, footer and palette always apply)."""
    configured = {
        "logo": brand.logo is not None,
        "palette": bool(brand.palette),
        "typeface": brand.typefaces is not None,
        "header": True,
        "footer": True,
        "footer-links": bool(brand.footer_links),
        "title-pattern": brand.title_pattern is not None,
        "favicon": brand.favicon,
        "cookie-banner": brand.cookie_banner is not None,
        "domain": bool(brand.domains),
    }
    return [rule for rule in RULES if configured[rule]]


def applicable_rules(brand: BrandFile, exemptions: Iterable[str] = ()) -> list[str]:
    """Configured rules minus the service's exemptions."""
    exempt = set(exemptions)
    return [rule for rule in configured_rules(brand) if rule not in exempt]


def brand_score(rules: Mapping[str, bool], weights: Mapping[str, float] | None = None) -> float:
    """0–100: the weighted share of the applicable ``rules`` that passed."""
    weights = weights or {}
    total = sum(weights.get(rule, DEFAULT_WEIGHT) for rule in rules)
    if total <= 0:
        return 100.0
    passed = sum(weights.get(rule, DEFAULT_WEIGHT) for rule, ok in rules.items() if ok)
    return round(100.0 * passed / total, 1)
