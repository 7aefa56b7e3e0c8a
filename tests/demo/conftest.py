"""Fixtures for the demo site's tests: one running site per module, restored after each test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from demo import DemoSite, load_manifest
from demo.account import SESSION_COOKIE
from demo.manifest import Manifest, PageEntry
from demo.permits import API

SLOW_SECONDS = 0.6

# The per-request noise every HTML page carries, and what it is replaced by for comparisons.
NOISE = [
    (re.compile(r'(<input type="hidden" name="csrf_token" value=")[^"]*(")'), r"\1CSRF\2"),
    (re.compile(r'(<meta name="generated" content=")[^"]*(")'), r"\1TIME\2"),
    (re.compile(r'( nonce=")[^"]*(")'), r"\1NONCE\2"),
]


def normalise(html: str) -> str:
    for pattern, replacement in NOISE:
        html = pattern.sub(replacement, html)
    return html


@pytest.fixture(scope="module")
def running_site() -> Iterator[DemoSite]:
    with DemoSite(port=0, slow_page_seconds=SLOW_SECONDS) as site:
        yield site


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, follow_redirects=False) as c:
        yield c


@pytest.fixture
def signed_in(site: DemoSite) -> Iterator[httpx.Client]:
    """A client holding a live session of the demo account (as after signing in)."""
    with httpx.Client(
        timeout=30,
        follow_redirects=False,
        cookies={SESSION_COOKIE: site.accounts.start_session()},
    ) as c:
        yield c


def url_of(site: DemoSite, host: str, path: str) -> str:
    return (site.base_url if host == "main" else site.supplier_url) + path


def client_for(page: PageEntry, client: httpx.Client, signed_in: httpx.Client) -> httpx.Client:
    """The client that sees the page as a resident does: signed in for the account area."""
    return signed_in if page.access == "signed-in" else client


def view_html(site: DemoSite, client: httpx.Client, route: str) -> str:
    """The view the "Parking permits" app draws for a route (what a browser shows)."""
    response = client.get(site.base_url + API, params={"route": route})
    assert response.status_code == 200, route
    return str(response.json()["html"])


def page_html(
    site: DemoSite, manifest: Manifest, client: httpx.Client, signed_in: httpx.Client, path: str
) -> str:
    """What a resident sees at a manifest page of the main host: signed in for the account
    area; for an app route, the view the app draws in its shell."""
    page = next(p for p in manifest.pages if p.path == path)
    html = client_for(page, client, signed_in).get(url_of(site, page.host, path)).text
    if page.route:  # the shell's placeholder, replaced by the view as the app does
        view = view_html(site, client, path)
        return re.sub(
            r'(<div id="app"[^>]*>).*?(</div>)',
            lambda m: m[1] + view + m[2],
            html,
            count=1,
            flags=re.S,
        )
    return html


def html_pages(manifest: Manifest) -> list[PageEntry]:
    """Manifest pages that are HTML documents (redirects excluded)."""
    return [
        p
        for p in manifest.pages
        if p.content_type == "text/html" and p.status not in (301, 302, 303, 307, 308)
    ]
