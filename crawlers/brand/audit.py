"""Judging one page against brand.yaml: from what ``collect.js`` saw to rule results.

``judge(collected, brand, ...)`` is pure (no browser), so each rule can be tested on
hand-made inputs; ``crawlers.checks.branding`` feeds it from a real page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawlers.base import FindingData
from crawlers.brand.colour import ColourError, composite, nearest_brand_colour, to_hex
from crawlers.brand.logo import LogoComparison
from crawlers.brand.score import applicable_rules, brand_score
from crawlers.urls import host_allowed
from monitor.config import BrandFile

CHECK_NAME = "branding"

#: How much a deviation matters: the logo, colours, furniture and domain are what residents
#: recognise the council by; a title, typeface or favicon drift is smaller.
IMPACT: dict[str, str] = {
    "logo": "moderate",
    "palette": "moderate",
    "typeface": "minor",
    "header": "moderate",
    "footer": "moderate",
    "footer-links": "moderate",
    "title-pattern": "minor",
    "favicon": "minor",
    "cookie-banner": "moderate",
    "domain": "moderate",
}

_TEXT_WORDS = {
    "text": "body text",
    "link": "link text",
    "heading": "heading text",
    "button": "button text",
    "header": "header text",
    "footer": "footer text",
}
_BACKGROUND_WORDS = {"text": "background", "heading": "heading background"}


def describe_use(kind: str, role: str) -> str:
    """What a colour is used for, in words: "link text", "header background", "button border"."""
    if kind == "text":
        return _TEXT_WORDS.get(role, f"{role} text")
    if kind == "background":
        return _BACKGROUND_WORDS.get(role, f"{role} background")
    return f"{role} {kind}"


@dataclass
class RuleResult:
    """One rule on one page: passed or not, a one-line detail, and its findings."""

    rule: str
    passed: bool
    detail: str
    findings: list[FindingData] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class BrandVerdict:
    """Everything the branding check concludes about one page."""

    url: str
    rules: dict[str, RuleResult]
    exempt: list[str]
    score: float
    #: Where the screenshot of a failing page's header was kept, if it was.
    header_screenshot: str | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.rules.values())

    @property
    def findings(self) -> list[FindingData]:
        return [f for r in self.rules.values() for f in r.findings]

    def as_result(self) -> dict[str, Any]:
        """The dict stored as the page's ``BrandResult`` (see ``save_brand_result``)."""
        return {
            "score": self.score,
            "passed": self.passed,
            "rules": {name: r.passed for name, r in self.rules.items()},
            "details": {
                "url": self.url,
                "exempt": list(self.exempt),
                "rules": {
                    name: {"passed": r.passed, "detail": r.detail, **r.data}
                    for name, r in self.rules.items()
                },
            },
            "header_screenshot": self.header_screenshot,
        }


def _finding(
    rule: str, message: str, *, key: str, selector: str = "", snippet: str = ""
) -> FindingData:
    return FindingData(
        check=CHECK_NAME,
        rule=rule,
        message=message,
        impact=IMPACT[rule],
        selector=selector,
        snippet=snippet,
        key=key,
    )


def _normal(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _region_label(region: Any) -> str:
    parts = []
    if region.landmark:
        parts.append(f"a {region.landmark} landmark")
    if region.selector:
        parts.append(f"an element matching {region.selector!r}")
    return " or ".join(parts) or "a region"


# --- rules ---------------------------------------------------------------------------------


def judge_region(rule: str, seen: Mapping[str, Any] | None, expected: Any) -> RuleResult:
    seen = seen or {}
    if seen.get("found"):
        how = "selector" if seen.get("bySelector") else "landmark"
        data: dict[str, Any] = {}
        try:  # what the region looks like, for the service owner reading the result
            behind = composite(seen.get("background") or [])
            data["background"] = behind.to_string(hex=True, fit=True)
            data["text_colour"] = to_hex(composite([seen["color"]], behind))
        except (ColourError, KeyError, ValueError):
            pass
        looks = f" (background {data['background']})" if "background" in data else ""
        return RuleResult(
            rule, True, f"found by {how}: {seen.get('selector', '')}{looks}", data=data
        )
    message = f"No {rule} on the page: expected {_region_label(expected)}."
    return RuleResult(
        rule, False, message, [_finding(rule, message, key=f"missing-{rule}", selector="")]
    )


def _links_home(href: str | None, page_url: str) -> bool:
    if not href:
        return False
    parts = urlsplit(href)
    return parts.scheme in ("http", "https", "") and parts.path in ("", "/", "/index.html")


def judge_logo(
    brand: BrandFile,
    seen: Mapping[str, Any] | None,
    comparison: LogoComparison | None,
    page_url: str,
    screenshot_error: str | None = None,
) -> RuleResult:
    rule = brand.logo
    assert rule is not None
    if not seen:
        where = "in the header" if rule.in_header else "on the page"
        message = f"No logo {where}: expected the council's logo ({rule.alt!r})."
        return RuleResult("logo", False, message, [_finding("logo", message, key="missing")])
    selector, snippet = seen.get("selector", ""), seen.get("snippet", "")
    findings: list[FindingData] = []
    data: dict[str, Any] = {"alt": seen.get("alt"), "src": seen.get("src")}
    if rule.in_header and not seen.get("inHeader"):
        findings.append(
            _finding(
                "logo",
                "The logo is not in the page header: expected it in the header.",
                key="not-in-header",
                selector=selector,
                snippet=snippet,
            )
        )
    if comparison is not None:
        data |= {
            "hash_distance": comparison.distance,
            "phash_distance": comparison.phash_distance,
            "dhash_distance": comparison.dhash_distance,
            "max_hash_distance": comparison.max_distance,
        }
        if not comparison.matches:
            findings.append(
                _finding(
                    "logo",
                    "The header logo is not the council's logo: its perceptual hash differs "
                    f"by {comparison.distance} bits (expected at most {comparison.max_distance})"
                    f"; image {seen.get('src') or seen.get('tag')}.",
                    key="image",
                    selector=selector,
                    snippet=snippet,
                )
            )
    else:
        findings.append(
            _finding(
                "logo",
                f"The header logo could not be compared with the council's logo "
                f"({screenshot_error or 'no screenshot'}).",
                key="image",
                selector=selector,
                snippet=snippet,
            )
        )
    alt = seen.get("alt")
    if _normal(rule.alt) not in _normal(alt) or (alt is None):
        findings.append(
            _finding(
                "logo",
                f"The logo's alt text is {alt!r}: expected {rule.alt!r}.",
                key="alt",
                selector=selector,
                snippet=snippet,
            )
        )
    link = seen.get("link") or {}
    if rule.links_home and not _links_home(link.get("href"), page_url):
        actual = f"links to {link['href']}" if link.get("href") else "is not a link"
        findings.append(
            _finding(
                "logo",
                f"The logo {actual}: expected it to link to the home page.",
                key="link-home",
                selector=link.get("selector") or selector,
                snippet=snippet,
            )
        )
    if findings:
        detail = " ".join(f.message for f in findings)
    else:
        detail = f"matches (hash distance {data.get('hash_distance')}), alt text and home link ok"
    return RuleResult("logo", not findings, detail, findings, data)


def rendered_colours(collected: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each colour record as the opaque hex the resident sees, composited over its stack."""
    out = []
    for record in collected:
        try:
            seen = composite([record["colour"], *record.get("stack", [])])
        except (ColourError, KeyError, ValueError):
            continue  # a colour syntax coloraide does not know: not judged, not guessed
        out.append({**record, "hex": seen.to_string(hex=True, fit=True)})
    return out


def judge_palette(brand: BrandFile, collected: Iterable[Mapping[str, Any]]) -> RuleResult:
    deviations: dict[str, dict[str, Any]] = {}
    judged = 0
    for record in rendered_colours(collected):
        judged += 1
        match = nearest_brand_colour(record["hex"], brand.palette, brand.tolerance_delta_e)
        if match.within_tolerance:
            continue
        entry = deviations.setdefault(
            match.colour,
            {"match": match, "uses": {}, "count": 0, "example": record},
        )
        use = describe_use(record["kind"], record["role"])
        entry["uses"][use] = entry["uses"].get(use, 0) + record.get("count", 1)
        entry["count"] += record.get("count", 1)
    findings = []
    for hex_value, entry in deviations.items():
        match = entry["match"]
        uses = ", ".join(f"{u} ({n})" for u, n in sorted(entry["uses"].items()))
        findings.append(
            _finding(
                "palette",
                f"Colour {hex_value} is not in the brand palette (used for {uses}): nearest "
                f"brand colour is {match.role} {match.brand_colour}, ΔE2000 {match.delta_e:.1f} "
                f"(expected at most {brand.tolerance_delta_e:g}).",
                key=hex_value,
                selector=entry["example"].get("selector", ""),
                snippet=entry["example"].get("snippet", ""),
            )
        )
    data = {
        "colours_judged": judged,
        "off_palette": {h: e["match"].delta_e for h, e in deviations.items()},
    }
    if findings:
        detail = "off-palette: " + ", ".join(
            f"{h} (nearest {m.role} {m.brand_colour}, ΔE {m.delta_e:.1f})"
            for h, m in ((h, e["match"]) for h, e in deviations.items())
        )
    else:
        detail = f"{judged} colours within ΔE {brand.tolerance_delta_e:g} of the palette"
    return RuleResult("palette", not findings, detail, findings, data)


def _first_family(name: str) -> str:
    return name.strip().strip("\"'").casefold()


def judge_typeface(brand: BrandFile, fonts: Mapping[str, Any]) -> RuleResult:
    faces = brand.typefaces
    assert faces is not None
    allowed = {"body": faces.body, "headings": faces.headings}
    words = {"body": "body text", "headings": "headings"}
    deviations: dict[str, dict[str, Any]] = {}
    used: dict[str, list[str]] = {}
    for where in ("body", "headings"):
        ok = {_first_family(f) for f in allowed[where]}
        for entry in fonts.get(where, []):
            family = str(entry.get("family", ""))
            used.setdefault(where, []).append(family)
            if _first_family(family) in ok:
                continue
            seen = deviations.setdefault(family.casefold(), {"family": family, "where": {}})
            seen["where"][where] = entry
    findings = []
    for key, seen in deviations.items():
        parts = [f"{words[w]} ({e.get('count', 1)} elements)" for w, e in seen["where"].items()]
        expected = "; ".join(f"{words[w]}: {', '.join(allowed[w])}" for w in seen["where"])
        example = next(iter(seen["where"].values()))
        findings.append(
            _finding(
                "typeface",
                f"Typeface {seen['family']} is used for {' and '.join(parts)}: expected "
                f"{expected}.",
                key=key,
                selector=example.get("selector", ""),
                snippet=example.get("snippet", ""),
            )
        )
    detail = (
        " ".join(f.message for f in findings)
        if findings
        else "fonts used: " + ", ".join(sorted({f for fs in used.values() for f in fs}))
    )
    return RuleResult("typeface", not findings, detail, findings, {"used": used})


def judge_footer_links(
    brand: BrandFile, footer_found: bool, links: Iterable[Mapping[str, str]]
) -> RuleResult:
    links = list(links)
    findings = []
    for wanted in brand.footer_links:
        text_re = re.compile(wanted.text)
        href_re = re.compile(wanted.href) if wanted.href else None
        found = any(
            text_re.search(link.get("text", "")) and (not href_re or href_re.search(link["href"]))
            for link in links
        )
        if not found:
            where = "in the footer" if footer_found else "(the page has no footer)"
            findings.append(
                _finding(
                    "footer-links",
                    f"No {wanted.name!r} link {where}: expected a link whose text matches "
                    f"{wanted.text!r}"
                    + (f" and address matches {wanted.href!r}." if href_re else "."),
                    key=wanted.name,
                    selector="footer",
                )
            )
    detail = (
        "missing: " + ", ".join(f.key for f in findings)
        if findings
        else f"all {len(brand.footer_links)} required links present"
    )
    return RuleResult("footer-links", not findings, detail, findings)


def title_regex(pattern: str) -> re.Pattern[str]:
    """``"{page} - Council"`` → a regex matching whole titles (GOV.UK's ``Error: `` allowed)."""
    before, _, after = pattern.partition("{page}")
    return re.compile(
        rf"^(?:Error: )?{re.escape(' '.join(before.split()))}(?P<page>.+?)"
        rf"{re.escape(' '.join(after.split()))}$"
    )


def judge_title(brand: BrandFile, title: str) -> RuleResult:
    assert brand.title_pattern is not None
    normalised = " ".join((title or "").split())
    match = title_regex(brand.title_pattern).match(normalised)
    if match and match.group("page").strip():
        return RuleResult("title-pattern", True, f"{normalised!r}")
    message = f"The page title is {normalised!r}: expected the pattern {brand.title_pattern!r}."
    return RuleResult(
        "title-pattern",
        False,
        message,
        [_finding("title-pattern", message, key="title", selector="title")],
    )


def judge_favicon(declared: list[str], served: bool, tried: str | None) -> RuleResult:
    if served:
        return RuleResult("favicon", True, f"favicon at {tried}", data={"url": tried})
    if declared:
        message = f"The page's favicon {tried} could not be loaded: expected an icon."
    else:
        message = f"The page declares no favicon and {tried} is not served: expected one."
    return RuleResult(
        "favicon",
        False,
        message,
        [_finding("favicon", message, key="favicon", selector="link[rel~='icon']")],
        {"url": tried},
    )


def judge_cookie_banner(brand: BrandFile, seen: Mapping[str, Any] | None) -> RuleResult:
    assert brand.cookie_banner is not None
    if seen and seen.get("found"):
        shown = "shown" if seen.get("visible") else "present (hidden)"
        return RuleResult("cookie-banner", True, f"{shown}: {seen.get('selector')}")
    message = f"No cookie banner: expected an element matching {brand.cookie_banner.selector!r}."
    return RuleResult(
        "cookie-banner",
        False,
        message,
        [_finding("cookie-banner", message, key="missing", selector=brand.cookie_banner.selector)],
    )


def judge_domain(brand: BrandFile, url: str) -> RuleResult:
    host = urlsplit(url).hostname or ""
    if host_allowed(host, brand.domains):
        return RuleResult("domain", True, host)
    message = (
        f"The service is on {host!r}: expected one of the council's domains "
        f"({', '.join(brand.domains)})."
    )
    return RuleResult("domain", False, message, [_finding("domain", message, key=host)])


# --- the page as a whole -----------------------------------------------------------------


@dataclass
class PageObservations:
    """What the browser saw, besides ``collect.js``'s result."""

    collected: dict[str, Any]
    url: str
    title: str
    logo: LogoComparison | None = None
    logo_error: str | None = None
    favicon_served: bool = False
    favicon_url: str | None = None


def judge(
    brand: BrandFile,
    seen: PageObservations,
    *,
    exemptions: Iterable[str] = (),
    weights: Mapping[str, float] | None = None,
) -> BrandVerdict:
    """Every applicable rule on one page, its findings, and the page's brand score."""
    collected = seen.collected
    exempt = sorted(set(exemptions))
    results: dict[str, RuleResult] = {}
    for rule in applicable_rules(brand, exemptions):
        if rule == "logo":
            result = judge_logo(brand, collected.get("logo"), seen.logo, seen.url, seen.logo_error)
        elif rule == "palette":
            result = judge_palette(brand, collected.get("colours", []))
        elif rule == "typeface":
            result = judge_typeface(brand, collected.get("fonts", {}))
        elif rule == "header":
            result = judge_region("header", collected.get("header"), brand.header)
        elif rule == "footer":
            result = judge_region("footer", collected.get("footer"), brand.footer)
        elif rule == "footer-links":
            footer_found = bool((collected.get("footer") or {}).get("found"))
            result = judge_footer_links(brand, footer_found, collected.get("footerLinks", []))
        elif rule == "title-pattern":
            result = judge_title(brand, seen.title)
        elif rule == "favicon":
            result = judge_favicon(
                collected.get("favicons", []), seen.favicon_served, seen.favicon_url
            )
        elif rule == "cookie-banner":
            result = judge_cookie_banner(brand, collected.get("cookieBanner"))
        else:
            result = judge_domain(brand, seen.url)
        results[rule] = result
    score = brand_score({r: v.passed for r, v in results.items()}, weights)
    return BrandVerdict(url=seen.url, rules=results, exempt=exempt, score=score)
