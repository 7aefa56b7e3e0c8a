"""Fixtures for the demo site's tests: one running site per module, restored after each test."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from demo import DemoSite, load_manifest
from demo.manifest import Manifest, PageEntry

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


@pytest.fixture
def site(running_site: DemoSite) -> Iterator[DemoSite]:
    """The module's running site; every defect and page text is put back afterwards."""
    running_site.restore_all()
    yield running_site
    running_site.restore_all()


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, follow_redirects=False) as c:
        yield c


def url_of(site: DemoSite, host: str, path: str) -> str:
    return (site.base_url if host == "main" else site.supplier_url) + path


def html_pages(manifest: Manifest) -> list[PageEntry]:
    """Manifest pages that are HTML documents (redirects excluded)."""
    return [
        p
        for p in manifest.pages
        if p.content_type == "text/html" and p.status not in (301, 302, 303, 307, 308)
    ]
