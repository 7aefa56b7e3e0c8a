"""The demo council site over HTTP: pages, robots.txt, sitemaps, noise, ports, hostile pages."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import pytest
from bs4 import BeautifulSoup

from demo import BRAND, DemoSite, PortInUseError
from demo.account import DEMO_EMAIL, DEMO_PASSWORD, SESSION_COOKIE
from demo.documents import build_admissions_guide
from demo.manifest import Manifest
from demo.permits import API
from tests.demo.conftest import client_for, html_pages, normalise, page_html, url_of

STATIC = Path(__file__).resolve().parents[2] / "demo" / "static"
BRAND_LOGO = Path(__file__).resolve().parents[2] / "config" / "brand" / "logo.png"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_every_manifest_page_serves_with_its_status_and_type(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    for page in manifest.pages:
        if page.access == "signed-in":
            # Without a session the account area sends residents to the sign-in page.
            anonymous = client.get(url_of(site, page.host, page.path))
            assert anonymous.status_code == 303, page
            assert anonymous.headers["location"].startswith("/sign-in"), page
        if page.never_follow:
            # What ends the session or changes the account is asked for with its own session.
            with httpx.Client(cookies={SESSION_COOKIE: site.accounts.start_session()}) as own:
                response = own.get(url_of(site, page.host, page.path))
        else:
            response = client_for(page, client, signed_in).get(url_of(site, page.host, page.path))
        assert response.status_code == page.status, page
        mime = response.headers["content-type"].split(";")[0].strip()
        assert mime == page.content_type, page
        if page.status in (301, 302, 303):
            assert response.headers["location"]
        if mime == "text/html" and page.status not in (301, 302, 303):
            assert response.text.lstrip().startswith("<!DOCTYPE html>")


def test_pages_are_realistically_sized(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    for page in html_pages(manifest):
        size = len(
            client_for(page, client, signed_in).get(url_of(site, page.host, page.path)).content
        )
        assert 8_000 <= size <= 45_000, (page.path, size)


def test_head_requests_answer_without_a_body(site: DemoSite, client: httpx.Client) -> None:
    response = client.head(site.base_url + "/join-the-library")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 8_000


def test_unknown_paths_get_a_proper_404_page(site: DemoSite, client: httpx.Client) -> None:
    for base in (site.base_url, site.supplier_url):
        response = client.get(base + "/no/such/page")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        soup = BeautifulSoup(response.text, "html.parser")
        assert soup.h1 is not None and soup.h1.get_text(strip=True) == "Page not found"
    assert client.post(site.base_url + "/no/such/page", data={"a": "b"}).status_code == 405


def _robots(client: httpx.Client, base: str) -> RobotFileParser:
    response = client.get(base + "/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    parser = RobotFileParser()
    parser.parse(response.text.splitlines())
    return parser


def test_robots_txt_matches_the_manifest(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    main = _robots(client, site.base_url)
    supplier = _robots(client, site.supplier_url)
    assert main.site_maps() == [site.base_url + "/sitemap.xml"]
    assert supplier.site_maps() == [site.supplier_url + "/sitemap.xml"]
    for page in manifest.pages:
        parser = main if page.host == "main" else supplier
        url = url_of(site, page.host, page.path)
        assert parser.can_fetch("DxMonitor", url) == page.robots_allowed, page
    assert not main.can_fetch("*", site.base_url + "/private/staff-only")
    assert "Disallow: /private/" in client.get(site.base_url + "/robots.txt").text


def _locs(xml: bytes, tag: str) -> list[str]:
    root = ET.fromstring(xml)
    assert root.tag == f"{SITEMAP_NS}{tag}"
    return [el.text or "" for el in root.iter(f"{SITEMAP_NS}loc")]


def test_sitemap_index_and_children_list_exactly_the_sitemap_pages(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    index = client.get(site.base_url + "/sitemap.xml")
    assert index.headers["content-type"].startswith("application/xml")
    children = _locs(index.content, "sitemapindex")
    assert children == [
        site.base_url + "/sitemap-services.xml",
        site.base_url + "/sitemap-information.xml.gz",
    ]
    listed: list[str] = []
    for child in children:
        response = client.get(child)
        assert response.status_code == 200
        body = response.content
        if child.endswith(".gz"):
            assert response.headers["content-type"] in ("application/gzip", "application/x-gzip")
            assert "content-encoding" not in response.headers
            body = gzip.decompress(body)
        listed += _locs(body, "urlset")
    assert len(listed) == len(set(listed))
    expected = {
        url_of(site, "main", p.path) for p in manifest.pages if p.host == "main" and p.in_sitemap
    }
    assert set(listed) == expected
    assert not any("/private/" in url or "/test/" in url for url in listed)

    supplier = _locs(client.get(site.supplier_url + "/sitemap.xml").content, "urlset")
    assert set(supplier) == {
        url_of(site, "supplier", p.path)
        for p in manifest.pages
        if p.host == "supplier" and p.in_sitemap
    }


@pytest.mark.slow
def test_every_link_on_the_site_resolves_except_the_manifest_defects(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    """The link checker must find the broken link and the 500 page, and nothing else
    (the account area's pages and the app's views included; their links are asked for
    without a session, so sign-out ends nothing)."""

    def crawl() -> dict[str, int]:
        statuses: dict[str, int] = {}
        for page in html_pages(manifest):
            page_url = url_of(site, page.host, page.path)
            html = (
                page_html(site, manifest, client, signed_in, page.path)
                if page.host == "main"
                else client.get(page_url).text
            )
            soup = BeautifulSoup(html, "html.parser")
            for anchor in soup.select("a[href]"):
                if str(anchor["href"]).startswith("#"):
                    continue  # a fragment of the page itself
                target = urljoin(page_url, str(anchor["href"])).split("#")[0]
                if urlsplit(target).scheme not in ("http", "https") or target in statuses:
                    continue
                statuses[target] = client.get(target, follow_redirects=True).status_code
        return statuses

    bad = {url: status for url, status in crawl().items() if status >= 400}
    assert bad == {
        site.base_url + "/school-admissions/appeals-2019": 404,
        site.base_url + "/apply-for-a-blue-badge/status": 500,
    }
    site.fix_defect("school-broken-link-appeals")
    site.fix_defect("blue-badge-status-500")
    assert {url: s for url, s in crawl().items() if s >= 400} == {}


def test_static_assets(site: DemoSite, client: httpx.Client) -> None:
    for path in STATIC.iterdir():
        assert path.stat().st_size < 50_000, path
    logo = STATIC / "logo.png"
    assert logo.read_bytes() == BRAND_LOGO.read_bytes()
    assert (STATIC / "supplier-logo.png").read_bytes() != logo.read_bytes()
    for base in (site.base_url, site.supplier_url):
        favicon = client.get(base + "/favicon.ico")
        assert favicon.status_code == 200 and favicon.headers["content-type"] == "image/x-icon"
        png = client.get(base + "/static/logo.png")
        assert png.headers["content-type"] == "image/png"
        assert png.content == logo.read_bytes()
    css = client.get(site.base_url + "/static/council.css")
    assert css.headers["content-type"].startswith("text/css")
    palette = BRAND.as_dict()["palette"]
    for role, colour in palette.items():
        assert colour in css.text, role
    assert BRAND.body_typeface in css.text
    assert (STATIC / "admissions-guide.pdf").read_bytes() == build_admissions_guide(
        tagged=False, title=None
    )
    assert client.get(site.base_url + "/static/../site.py").status_code == 404


@pytest.mark.parametrize(
    ("host", "path"),
    [
        ("main", "/"),
        ("main", "/join-the-library/apply"),
        ("main", "/report-a-pothole/details"),
        ("main", "/contact"),
        ("supplier", "/pay-a-parking-fine/pay"),
        ("main", "/test/csrf"),
    ],
)
def test_per_request_noise_changes_bytes_but_nothing_else(
    site: DemoSite, client: httpx.Client, host: str, path: str
) -> None:
    first = client.get(url_of(site, host, path)).text
    second = client.get(url_of(site, host, path)).text
    assert first != second
    assert normalise(first) == normalise(second)
    assert 'name="generated"' in first and ' nonce="' in first
    if "<form" in first:
        assert 'name="csrf_token"' in first


def test_set_page_text_adds_and_removes_a_paragraph(site: DemoSite, client: httpx.Client) -> None:
    url = site.base_url + "/join-the-library"
    before = normalise(client.get(url).text)
    site.set_page_text("/join-the-library", "Libraries close early on 24 December.")
    changed = client.get(url).text
    soup = BeautifulSoup(changed, "html.parser")
    paragraph = soup.select_one("main p.dx-page-update")
    assert paragraph is not None
    assert paragraph.get_text() == "Libraries close early on 24 December."
    assert normalise(changed) != before
    site.set_page_text("/join-the-library", None)
    assert normalise(client.get(url).text) == before


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_a_busy_port_raises_port_in_use_error() -> None:
    with _listening_socket() as busy:
        port = busy.getsockname()[1]
        with pytest.raises(PortInUseError) as caught:
            DemoSite(port=port).start()
        message = str(caught.value)
        assert f"port {port} on 127.0.0.1 is already in use" in message
        assert "--port" in message
        # the supplier's port being busy is reported too, and nothing is left listening
        with pytest.raises(PortInUseError, match=f"port {port} "):
            DemoSite(port=0, supplier_port=port).start()


def test_ports_urls_and_restart() -> None:
    site = DemoSite(port=0)
    with pytest.raises(RuntimeError):
        _ = site.base_url
    with site:
        main_port = urlsplit(site.base_url).port
        assert main_port and urlsplit(site.supplier_url).port not in (None, main_port)
        assert httpx.get(site.base_url + "/").status_code == 200
    assert DemoSite(port=8700).base_url == "http://127.0.0.1:8700"
    assert DemoSite(port=8700).supplier_url == "http://127.0.0.1:8701"
    assert DemoSite(port=8700, supplier_port=9000).supplier_url == "http://127.0.0.1:9000"


def test_unknown_defect_ids_are_rejected(site: DemoSite) -> None:
    with pytest.raises(KeyError):
        site.fix_defect("no-such-defect")
    with pytest.raises(KeyError):
        site.restore_defect("no-such-defect")


def test_feedback_slot_and_widget(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    for page in html_pages(manifest):
        soup = BeautifulSoup(
            client_for(page, client, signed_in).get(url_of(site, page.host, page.path)).text,
            "html.parser",
        )
        slot = soup.select_one("div.dx-feedback")
        if page.service is None or page.status == 404:
            assert slot is None, page
            continue
        assert slot is not None, page
        # A hash route is a view of its document: the widget is the document's.
        document = page.path.partition("#")[0]
        assert slot["data-service"] == page.service and slot["data-page"] == document
        link = slot.select_one("a")
        assert link is not None and link.get_text(strip=True) == "Is this page useful? Tell us"
        assert str(link["href"]).startswith("/feedback?service=")
        assert soup.select('script[src$="/widget.js"]') == []
        footer = soup.select_one("footer")
        assert footer is not None and slot.find_parent("main") is not None
    with DemoSite(port=0, feedback_url="http://127.0.0.1:9999") as widget_site:
        html = httpx.get(widget_site.base_url + "/join-the-library").text
        soup = BeautifulSoup(html, "html.parser")
        script = soup.select_one('script[src="http://127.0.0.1:9999/widget.js"]')
        assert script is not None and script.has_attr("defer")
        link = soup.select_one("div.dx-feedback a")
        assert link is not None
        assert link["href"] == (
            "http://127.0.0.1:9999/feedback?service=join-the-library&page=%2Fjoin-the-library"
        )
    # the fallback link works without a feedback service (the supplier redirects to the council)
    response = client.get(
        site.supplier_url + "/feedback?service=pay-a-parking-fine&page=%2F", follow_redirects=True
    )
    assert response.status_code == 200
    assert str(response.url).startswith(site.base_url + "/feedback")


def test_council_pages_follow_the_brand(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    for page in html_pages(manifest):
        if page.host != "main":
            continue
        soup = BeautifulSoup(
            client_for(page, client, signed_in).get(url_of(site, "main", page.path)).text,
            "html.parser",
        )
        assert soup.title is not None
        assert soup.title.get_text().endswith(" - Example County Council"), page
        logo = soup.select_one("header a.council-logo[href='/'] img")
        assert logo is not None and logo["src"] == BRAND.logo_path
        assert logo["alt"] == BRAND.logo_alt
        footer_links = [a.get_text(strip=True) for a in soup.select("footer a")]
        # The school admissions pages' template adds the statement link by script.
        by_script = soup.select_one('script[src="/static/statement-link.js"]') is not None
        assert by_script == (page.service == "school-admissions" and page.status == 200), page
        for link in BRAND.footer_links:
            if by_script and link.href == "/accessibility-statement":
                assert soup.select_one(f'footer a[href="{link.href}"]') is None, page
                continue
            assert soup.select_one(f'footer a[href="{link.href}"]') is not None, page
            assert link.text in footer_links
        banner = soup.select_one("#cookie-banner[role=region]")
        assert banner is not None and banner["aria-label"] == BRAND.cookie_banner_label
        assert soup.select_one('link[rel="icon"][href="/favicon.ico"]') is not None
        assert soup.select_one('link[rel="stylesheet"][href="/static/council.css"]') is not None
        assert soup.select_one("main#main-content") is not None
        assert soup.select_one("header") is not None and soup.select_one("footer") is not None


def test_supplier_pages_follow_the_brand_once_every_drift_is_fixed(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    for defect in manifest.defects_for(check="branding"):
        site.fix_defect(defect.id)
    for page in manifest.pages_for(host="supplier", service="pay-a-parking-fine"):
        html = client.get(url_of(site, "supplier", page.path)).text
        soup = BeautifulSoup(html, "html.parser")
        assert soup.title is not None
        assert soup.title.get_text().endswith(" - Example County Council")
        logo = soup.select_one("header a img")
        assert logo is not None and logo["src"] == BRAND.logo_path
        for link in BRAND.footer_links:
            assert soup.select_one(f'footer a[href="{site.base_url}{link.href}"]') is not None
        styles = " ".join(s.get_text() for s in soup.select("style"))
        assert BRAND.palette.primary in styles and BRAND.body_typeface in styles


def test_accessibility_statement_is_complete(site: DemoSite, client: httpx.Client) -> None:
    soup = BeautifulSoup(client.get(site.base_url + "/accessibility-statement").text, "html.parser")
    headings = {h.get_text(strip=True) for h in soup.select("main h2, main h3")}
    for heading in (
        "Compliance status",
        "Non-accessible content",
        "Disproportionate burden",
        "Feedback and contact information",
        "Enforcement procedure",
        "Technical information about this website's accessibility",
        "Preparation of this accessibility statement",
    ):
        assert heading in headings
    text = " ".join(soup.get_text().split())
    for phrase in (
        "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Advisory and Support Service",
        "prepared on 1 September 2026",
        "last reviewed on 1 October 2026",
        "report a problem",
        "different format",
    ):
        assert phrase in text, phrase


# ----- journeys ------------------------------------------------------------------------


def _soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_pothole_journey_with_validation(site: DemoSite, client: httpx.Client) -> None:
    base = site.base_url
    error = client.post(base + "/report-a-pothole/location", data={"street": "", "csrf_token": "x"})
    assert error.status_code == 200
    soup = _soup(error)
    assert soup.title is not None and soup.title.get_text().startswith("Error: ")
    summary = soup.select_one(".error-summary[role=alert]")
    assert summary is not None
    assert [a["href"] for a in summary.select("a")] == ["#street", "#description"]
    street = soup.select_one("#street")
    assert street is not None and "street-error" in str(street["aria-describedby"])
    assert soup.select_one("#street-error") is not None

    step = client.post(
        base + "/report-a-pothole/location",
        data={"street": "High Street", "description": "Outside the bakery"},
    )
    assert step.status_code == 303
    details_url = urljoin(base, step.headers["location"])
    assert "/report-a-pothole/details?" in details_url
    assert client.get(details_url).status_code == 200
    state = {"street": "High Street", "description": "Outside the bakery"}
    missing = client.post(base + "/report-a-pothole/details", data=state)
    assert _soup(missing).select_one(".error-summary a[href='#size']") is not None
    check = client.post(base + "/report-a-pothole/details", data={**state, "size": "large"})
    assert check.status_code == 303 and "/check-answers?" in check.headers["location"]
    answers = client.get(urljoin(base, check.headers["location"]))
    assert "High Street" in answers.text and "Bigger than a dinner plate" in answers.text
    sent = client.post(base + "/report-a-pothole/check-answers", data={**state, "size": "large"})
    assert sent.status_code == 303
    confirmation = client.get(urljoin(base, sent.headers["location"]))
    strong = _soup(confirmation).select_one(".panel strong")
    assert strong is not None and strong.get_text().startswith("POT-")
    assert len(strong.get_text()) == 10


def test_blue_badge_eligibility(site: DemoSite, client: httpx.Client) -> None:
    url = site.base_url + "/apply-for-a-blue-badge/eligibility"
    assert _soup(client.post(url, data={})).select(".error-summary li")
    yes = client.post(url, data={"mobility": "yes", "pip": "no", "blind": "no"})
    no = client.post(url, data={"mobility": "no", "pip": "no", "blind": "no"})
    assert "You are likely to be eligible" in client.get(urljoin(url, yes.headers["location"])).text
    assert (
        "You are unlikely to be eligible" in client.get(urljoin(url, no.headers["location"])).text
    )


def test_join_the_library(site: DemoSite, client: httpx.Client) -> None:
    url = site.base_url + "/join-the-library/apply"
    errors = _soup(client.post(url, data={"email": "nope"}))
    hrefs = [a["href"] for a in errors.select(".error-summary a")]
    assert hrefs == ["#full-name", "#email", "#branch", "#terms"]
    done = client.post(
        url,
        data={
            "full-name": "Ann Example",
            "email": "ann@example.com",
            "branch": "eastbrook",
            "terms": "agree",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/join-the-library/confirmation?card=LIB-")
    assert "You have joined the library" in client.get(urljoin(url, done.headers["location"])).text


def test_pay_a_parking_fine_never_charges(site: DemoSite, client: httpx.Client) -> None:
    base = site.supplier_url
    assert _soup(client.post(base + "/pay-a-parking-fine/find", data={"pcn": "12"})).select(
        ".pr-error-summary li"
    )
    found = client.post(
        base + "/pay-a-parking-fine/find", data={"pcn": "EX12345678", "vrm": "AB12 CDE"}
    )
    assert found.status_code == 303
    pay_url = urljoin(base, found.headers["location"])
    assert "EX12345678" in client.get(pay_url).text
    paid = client.post(
        base + "/pay-a-parking-fine/pay",
        data={
            "pcn": "EX12345678",
            "vrm": "AB12 CDE",
            "card-name": "A Person",
            "card-number": "4444 3333 2222 1111",
            "card-expiry": "04/28",
            "card-csc": "123",
        },
    )
    assert paid.status_code == 200 and "no payment has been taken" in paid.text


# ----- hostile pages ----------------------------------------------------------------


def test_hostile_pages(site: DemoSite, manifest: Manifest, client: httpx.Client) -> None:
    base = site.base_url
    paths = {h.path for h in manifest.hostile}
    assert {
        "/test/slow",
        "/test/500",
        "/test/404",
        "/test/redirect-loop",
        "/test/huge",
        "/test/dialog",
        "/test/navigate-away",
        "/test/popup",
        "/test/download",
        "/test/never-loads",
        "/test/js-loop",
        "/test/links",
        "/test/csrf",
    } <= paths
    assert client.get(base + "/test/500").status_code == 500
    assert client.get(base + "/test/404").status_code == 404
    loop = client.get(base + "/test/redirect-loop")
    assert loop.status_code == 302
    back = client.get(urljoin(base, loop.headers["location"]))
    assert back.status_code == 302 and back.headers["location"] == "/test/redirect-loop"
    with pytest.raises(httpx.TooManyRedirects):
        client.get(base + "/test/redirect-loop", follow_redirects=True)
    huge = client.get(base + "/test/huge")
    assert len(huge.content) >= 10 * 1024 * 1024
    download = client.get(base + "/test/download")
    assert download.headers["content-disposition"].startswith("attachment")
    started = time.monotonic()
    assert client.get(base + "/test/slow?seconds=0.3").status_code == 200
    assert time.monotonic() - started >= 0.3
    links = _soup(client.get(base + "/test/links")).select("a[href]")
    hrefs = [str(a["href"]) for a in links]
    assert len(hrefs) == 5
    assert any(h.startswith("mailto:") for h in hrefs)
    assert any(h.startswith("tel:") for h in hrefs)
    assert client.get(urljoin(base, hrefs[1])).status_code == 404
    with pytest.raises(httpx.ConnectError):
        client.get(hrefs[2])
    for name in ("dialog", "navigate-away", "popup", "js-loop"):
        assert client.get(f"{base}/test/{name}").status_code == 200


def test_hostile_pages_are_not_linked_from_the_site(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client
) -> None:
    for page in html_pages(manifest):
        html = client_for(page, client, signed_in).get(url_of(site, page.host, page.path)).text
        assert "/test/" not in html, page


def test_never_loads_trickles_and_does_not_block_shutdown() -> None:
    site = DemoSite(port=0).start()
    received: list[bytes] = []

    def read() -> None:
        try:
            with httpx.stream("GET", site.base_url + "/test/never-loads", timeout=10) as response:
                assert response.status_code == 200
                for chunk in response.iter_raw():
                    received.append(chunk)
        except httpx.HTTPError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(2.3)
    assert b"".join(received).startswith(b"<!DOCTYPE html>")
    assert b"Loading." in b"".join(received)
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 3
    reader.join(timeout=5)
    assert not reader.is_alive()


# ----- the account area and the app ----------------------------------------------------


def _sign_in(client: httpx.Client, base: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    return client.post(
        base + "/sign-in",
        data={"email": DEMO_EMAIL, "password": password, "next": "/account/permits"},
    )


def test_signing_in_sets_a_session_that_opens_the_account_area(
    site: DemoSite, client: httpx.Client
) -> None:
    base = site.base_url
    assert client.get(base + "/account").headers["location"] == "/sign-in?next=/account"
    refused = _sign_in(client, base, password="not-the-password")
    assert refused.status_code == 200 and SESSION_COOKIE not in refused.cookies
    assert "Enter a correct email address and password" in refused.text
    assert DEMO_PASSWORD not in refused.text  # a password is never echoed
    done = _sign_in(client, base)
    assert done.status_code == 303 and done.headers["location"] == "/account/permits"
    assert client.cookies.get(SESSION_COOKIE)
    assert (site.accounts.sign_ins, site.accounts.refused) == (1, 1)
    home = client.get(base + "/account")
    assert home.status_code == 200 and "You are signed in as" in home.text
    # Signing out ends the session: the area is closed again.
    assert client.get(base + "/account/sign-out").status_code == 303
    with httpx.Client(cookies={SESSION_COOKIE: done.cookies[SESSION_COOKIE]}) as old:
        assert old.get(base + "/account").status_code == 303


def test_sessions_expire_after_a_number_of_pages_or_at_once(
    site: DemoSite, client: httpx.Client
) -> None:
    base = site.base_url
    site.accounts.pages_per_session = 2
    _sign_in(client, base)
    statuses = [client.get(base + "/account").status_code for _ in range(3)]
    assert statuses == [200, 200, 303]
    site.accounts.pages_per_session = None
    _sign_in(client, base)
    assert client.get(base + "/account").status_code == 200
    site.accounts.expire_sessions()
    assert client.get(base + "/account").status_code == 303


def test_the_sign_in_page_can_ask_for_a_captcha_a_code_or_be_changed(
    site: DemoSite, client: httpx.Client
) -> None:
    base = site.base_url
    site.accounts.mode = "captcha"
    page = BeautifulSoup(client.get(base + "/sign-in").text, "html.parser")
    assert page.select_one(".g-recaptcha[data-sitekey]") is not None
    assert _sign_in(client, base).status_code == 200  # refused without the CAPTCHA
    site.accounts.mode = "second-factor"
    code = _sign_in(client, base)
    assert code.status_code == 303 and code.headers["location"].startswith("/sign-in/code")
    form = BeautifulSoup(client.get(urljoin(base, code.headers["location"])).text, "html.parser")
    assert form.select_one('input[autocomplete="one-time-code"]') is not None
    site.accounts.mode = "changed"
    changed = BeautifulSoup(client.get(base + "/sign-in").text, "html.parser")
    assert [label.get_text() for label in changed.select("form label")] == [
        "Your username",
        "Password",
    ]
    assert site.accounts.sign_ins == 0


def test_the_app_answers_every_route_with_its_shell_and_draws_views_from_json(
    site: DemoSite, manifest: Manifest, client: httpx.Client
) -> None:
    routes = [p for p in manifest.pages if p.route]
    shell = BeautifulSoup(client.get(site.base_url + "/parking-permits").text, "html.parser")
    assert shell.select_one('script[src="/static/permits-app.js"]') is not None
    for page in routes:
        response = client.get(url_of(site, "main", page.path))
        assert response.status_code == 200, page
        view = client.get(site.base_url + API, params={"route": page.path}).json()
        assert view["title"] and BeautifulSoup(view["html"], "html.parser").h1 is not None
    assert (
        client.get(site.base_url + API, params={"route": "/parking-permits/nope"}).status_code
        == 404
    )
    site.set_page_text("/parking-permits/prices", "Prices change on 1 April.")
    prices = client.get(site.base_url + API, params={"route": "/parking-permits/prices"}).json()
    assert "Prices change on 1 April." in prices["html"]
    # The app is served with a history fallback: its API is not.
    assert client.get(site.base_url + "/parking-permits/api/other").status_code == 404
    assert site.requested("/parking-permits/api/view")
