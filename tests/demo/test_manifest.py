"""The manifest is well formed and matches what the site serves, defect by defect."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from pypdf import PdfReader

from demo import BRAND, DemoSite, load_manifest
from demo.manifest import MANIFEST_PATH, DefectEntry, Manifest
from tests.demo.conftest import SLOW_SECONDS, page_html, url_of

SERVICES = {
    "council-website",
    "report-a-pothole",
    "apply-for-a-blue-badge",
    "school-admissions",
    "join-the-library",
    "pay-a-parking-fine",
    "my-account",
    "parking-permits",
}
CATEGORY_OF_CHECK = {
    "axe": {"accessibility"},
    "branding": {"brand"},
    "links": {"links"},
    "http": {"status", "performance"},
    "keyboard": {"keyboard"},
    "documents": {"document"},
    "page-titles": {"accessibility"},
}
BRAND_RULES = {"logo", "palette", "typeface", "footer-links", "title-pattern"}


def test_manifest_is_well_formed(manifest: Manifest) -> None:
    raw = json.loads(MANIFEST_PATH.read_text())
    assert set(raw) == {"council", "services", "pages", "defects", "hostile"}
    assert manifest.council == BRAND.council_name
    assert {s.id for s in manifest.services} == SERVICES
    assert manifest.clean_services == ["join-the-library"]
    assert manifest.service("pay-a-parking-fine").host == "supplier"
    ids = [d.id for d in manifest.defects]
    assert len(ids) == len(set(ids))
    pages = {(p.host, p.path): p for p in manifest.pages}
    assert len(pages) == len(manifest.pages)
    for service in manifest.services:
        assert (service.host, service.start_path) in pages
    for defect in manifest.defects:
        assert defect.category in CATEGORY_OF_CHECK[defect.check], defect.id
        assert (defect.host, defect.path) in pages, defect.id
        assert pages[defect.host, defect.path].service == defect.service
        assert not manifest.service(defect.service).clean
        assert defect.description and "\n" not in defect.description
        if defect.check == "axe":
            assert defect.impact in ("minor", "moderate", "serious", "critical")
            assert defect.selector and defect.wcag
        else:
            assert defect.impact is None
        if defect.check == "branding":
            assert defect.rule in BRAND_RULES and defect.host == "supplier"
    for clean in manifest.clean_services:
        assert manifest.defects_for(service=clean) == []
    # every supplier page drifts on every brand rule
    drift = Counter(d.path for d in manifest.defects_for(check="branding"))
    assert drift == {p.path: 5 for p in manifest.pages_for(service="pay-a-parking-fine")}
    # the school pages, and only those, lack a skip link
    skip = {d.path for d in manifest.defects if d.rule == "skip-link"}
    assert skip == {
        p.path
        for p in manifest.pages_for(service="school-admissions")
        if p.status == 200 and p.content_type == "text/html"
    }
    # The account area is behind a sign-in; the app's routes are drawn by script. Neither is
    # in a sitemap, and their defects are only there signed in, or by route.
    for page in manifest.pages:
        if page.access == "signed-in" or page.route:
            assert not page.in_sitemap, page
        if page.never_follow:
            assert page.access == "signed-in" and page.status == 303, page
    assert {d.path for d in manifest.defects_for(service="my-account")} == {
        p.path
        for p in manifest.pages_for(service="my-account")
        if p.access == "signed-in" and p.status == 200 and p.path != "/account/blue-badge"
    }
    assert {d.path for d in manifest.defects_for(service="parking-permits")} == {
        p.path for p in manifest.pages_for(service="parking-permits") if p.route
    }
    assert any(p.path.startswith("/parking-permits#/") for p in manifest.pages)  # a hash route
    assert load_manifest() is load_manifest()
    assert manifest.raw() == raw


# ----- is each defect present on the page? ---------------------------------------------


def _has_name(el: Tag) -> bool:
    return bool(
        el.get_text(strip=True)
        or el.get("aria-label")
        or el.get("aria-labelledby")
        or el.get("title")
        or el.select("img[alt]:not([alt=''])")
    )


def _labelled(soup: BeautifulSoup, el: Tag) -> bool:
    return bool(
        soup.select(f'label[for="{el.get("id")}"]')
        or el.find_parent("label")
        or el.get("aria-label")
        or el.get("aria-labelledby")
        or el.get("title")
        or el.get("placeholder")
    )


def _styles(soup: BeautifulSoup) -> str:
    return " ".join(s.get_text() for s in soup.select("style"))


HtmlCheck = Callable[[BeautifulSoup, list[Tag]], bool]

HTML_CHECKS: dict[str, HtmlCheck] = {
    "image-alt": lambda soup, els: any(not el.has_attr("alt") for el in els),
    "label": lambda soup, els: any(not _labelled(soup, el) for el in els),
    "color-contrast": lambda soup, els: any("color" in str(el.get("style", "")) for el in els),
    "button-name": lambda soup, els: any(not _has_name(el) for el in els),
    "link-name": lambda soup, els: any(not _has_name(el) for el in els),
    "html-has-lang": lambda soup, els: any(not el.has_attr("lang") for el in els),
    "select-name": lambda soup, els: any(not _labelled(soup, el) for el in els),
    "broken-link": lambda soup, els: bool(els),
    "keyboard-trap": lambda soup, els: (
        bool(els) and soup.select_one("script#catchment-map-focus-trap") is not None
    ),
    "skip-link": lambda soup, els: soup.select_one('a[href="#main-content"]') is None,
    "logo": lambda soup, els: bool(els),
    "palette": lambda soup, els: BRAND.palette.primary not in _styles(soup),
    "typeface": lambda soup, els: BRAND.body_typeface not in _styles(soup),
    "footer-links": lambda soup, els: (
        not all(soup.select_one(f'footer a[href$="{link.href}"]') for link in BRAND.footer_links)
    ),
    "page-title-duplicate": lambda soup, els: (
        soup.title is not None and soup.title.get_text() == BRAND.title("Apply for a school place")
    ),
    "title-pattern": lambda soup, els: (
        soup.title is None or not soup.title.get_text().endswith(" - " + BRAND.council_name)
    ),
}


def defect_present(
    site: DemoSite,
    manifest: Manifest,
    client: httpx.Client,
    signed_in: httpx.Client,
    defect: DefectEntry,
) -> bool:
    url = url_of(site, defect.host, defect.path)
    started = time.monotonic()
    response = client.get(url)
    elapsed = time.monotonic() - started
    if defect.rule == "server-error":
        return response.status_code == 500
    if defect.rule == "slow-response":
        return elapsed >= SLOW_SECONDS * 0.9
    if defect.check == "documents":
        reader = PdfReader(io.BytesIO(response.content), strict=True)
        root = reader.root_object
        if defect.rule == "pdf-untagged":
            return "/StructTreeRoot" not in root or "/MarkInfo" not in root
        if defect.rule == "pdf-no-title":
            return not (reader.metadata and reader.metadata.title)
        raise AssertionError(defect.rule)
    # Signed in for the account area; the view the app draws for its routes.
    html = (
        page_html(site, manifest, client, signed_in, defect.path)
        if defect.host == "main"
        else response.text
    )
    soup = BeautifulSoup(html, "html.parser")
    matched = soup.select(defect.selector) if defect.selector else []
    if defect.selector and defect.rule not in ("broken-link", "logo"):
        # the element stays on the page once fixed; only its defect goes
        assert matched, f"{defect.id}: selector {defect.selector!r} matches nothing"
    return HTML_CHECKS[defect.rule](soup, matched)


@pytest.mark.slow
def test_every_defect_is_present_and_can_be_fixed_and_restored(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    def present(defect: DefectEntry) -> bool:
        return defect_present(site, manifest, client, signed_in, defect)

    for defect in manifest.defects:
        assert present(defect), f"{defect.id} is missing"
    for defect in manifest.defects:
        site.fix_defect(defect.id)
        assert not present(defect), f"{defect.id} still there once fixed"
        # fixing one defect leaves every other defect in place
        others = [
            d
            for d in manifest.defects
            if d.id != defect.id and (d.host, d.path) == (defect.host, defect.path)
        ]
        for other in others:
            assert present(other), f"fixing {defect.id} fixed {other.id}"
        site.restore_defect(defect.id)
        assert present(defect), f"{defect.id} not back once restored"


def test_the_defects_behind_sign_in_are_not_there_without_it(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    for defect in manifest.defects_for(service="my-account"):
        response = client.get(url_of(site, defect.host, defect.path))
        assert response.status_code == 303, defect.id
        assert response.headers["location"].startswith("/sign-in?next=/account"), defect.id
        assert not BeautifulSoup(response.text, "html.parser").select(defect.selector or "*#x")


def test_the_defects_of_app_routes_are_not_in_the_html_served(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    """Only the app draws them: the HTML the server sends for a route is the same shell."""
    shells = set()
    for defect in manifest.defects_for(service="parking-permits"):
        response = client.get(url_of(site, defect.host, defect.path))
        assert response.status_code == 200, defect.id
        soup = BeautifulSoup(response.text, "html.parser")
        assert defect.selector and soup.select(defect.selector) == [], defect.id
        app = soup.select_one("#app")
        assert app is not None
        shells.add(str(app))
    assert len(shells) == 1


def test_selectors_match_their_element_exactly_while_the_defect_is_there(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    for defect in manifest.defects:
        if not defect.selector:
            continue
        html = (
            page_html(site, manifest, client, signed_in, defect.path)
            if defect.host == "main"
            else client.get(url_of(site, defect.host, defect.path)).text
        )
        soup = BeautifulSoup(html, "html.parser")
        assert len(soup.select(defect.selector)) == 1, defect.id


@pytest.mark.parametrize("rule", ["broken-link", "logo"])
def test_selectors_of_removed_elements_stop_matching_once_fixed(
    site: DemoSite, manifest: Manifest, client: httpx.Client, rule: str
) -> None:  # (public pages: no defect of the account area or the app removes an element)
    for defect in manifest.defects:
        if defect.rule != rule:
            continue
        site.fix_defect(defect.id)
        soup = BeautifulSoup(client.get(url_of(site, defect.host, defect.path)).text, "html.parser")
        assert defect.selector and soup.select(defect.selector) == [], defect.id
