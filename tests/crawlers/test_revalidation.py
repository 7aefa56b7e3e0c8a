"""Revalidating unchanged pages over HTTP: a static page served exactly as before is carried
forward without opening the browser; anything that could change what the checks see
(its HTML, a style sheet, content its scripts fetch, a redirect, a failure) sends it back
to the browser."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawlers.base import PageError
from crawlers.checks import service_checks
from crawlers.engines import BrowserUnavailable
from crawlers.fingerprint import page_fingerprint
from crawlers.revalidation import RememberedPage, ServedRecord, read_resources, served_hash
from monitor.audit import AuditRequest, start_audit
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import Run, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import config_folder

GOOD_CSS = "body { color: #0b0c0c; background: #ffffff; } a { color: #1d70b8; }"
PALE_CSS = "body { color: #0b0c0c; background: #ffffff; } p { color: #c8c8c8; }"


@dataclass
class SiteState:
    """What the little council site serves; tests change it between runs."""

    css: str = GOOD_CSS
    notice: str = "Bins are collected as usual."
    gone_status: int = 200
    moved: bool = False
    flaky_status: int = 200
    token: int = 0
    navigations: list[str] = field(default_factory=list)  # top-level browser loads


def page_html(state: SiteState, path: str, body: str, script: str = "") -> str:
    state.token += 1  # a new CSRF token on every answer, as real forms have
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{path} - Example County Council</title>"
        '<link rel="stylesheet" href="/static/site.css"></head><body>'
        '<header><a href="/page/0"><img src="/static/logo.png" alt="Example County Council">'
        "</a></header>"
        f"<main><h1>Page {path}</h1><p>Information for residents.</p>{body}"
        '<form method="post"><input type="hidden" name="csrf" '
        f'value="{state.token:08x}{state.token:032x}"></form>'
        '<p><a href="/page/1">Next page</a> <a href="/gone">Old guidance</a></p></main>'
        f"{script}</body></html>"
    )


class CouncilSite(BaseHTTPRequestHandler):
    state: SiteState

    def do_GET(self) -> None:
        state = self.state
        path = self.path.split("?", 1)[0]
        if self.headers.get("Sec-Fetch-Mode") == "navigate":
            state.navigations.append(path)
        status, kind, extra = 200, "text/html; charset=utf-8", {}
        if path.startswith("/page/"):
            body = page_html(state, path, "")
        elif path == "/dynamic":
            script = (
                "<script>fetch('/api/notice').then(r => r.text()).then(t => {"
                "document.querySelector('main').insertAdjacentHTML('beforeend', t);"
                "});</script>"
            )
            body = page_html(state, path, "", script)
        elif path == "/api/notice":
            body, kind = state.notice, "text/html; charset=utf-8"
        elif path == "/beacon":
            port = self.server.server_address[1]  # type: ignore[index]  # an IP socket
            script = (
                f"<script>fetch('http://localhost:{port}/collect', "
                "{method: 'POST', body: 'v=1'});</script>"
            )
            body = page_html(state, path, "", script)
        elif path == "/moved" and state.moved:
            status, body, extra = 301, "", {"Location": "/page/1"}
        elif path == "/moved":
            body = page_html(state, path, "")
        elif path == "/flaky":
            status, body = state.flaky_status, page_html(state, path, "")
        elif path == "/gone":
            status, body = state.gone_status, page_html(state, path, "")
        elif path == "/static/site.css":
            body, kind = state.css, "text/css"
        elif path == "/static/logo.png":
            png = (Path(__file__).resolve().parents[2] / "config/brand/logo.png").read_bytes()
            self._answer(200, "image/png", png, {})
            return
        else:
            status, body = 404, "<!doctype html><title>Not found</title>"
        self._answer(status, kind, body.encode(), extra)

    def do_POST(self) -> None:
        self._answer(204, "text/plain", b"", {"Access-Control-Allow-Origin": "*"})

    def _answer(self, status: int, kind: str, body: bytes, extra: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Site:
    base_url: str
    state: SiteState


@pytest.fixture
def site() -> Iterator[Site]:
    state = SiteState()
    handler = type("Handler", (CouncilSite,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Site(f"http://127.0.0.1:{server.server_address[1]}", state)
    server.shutdown()
    server.server_close()


PAGES = ["/page/0", "/page/1", "/page/2", "/dynamic", "/beacon", "/moved", "/flaky"]


def council(
    tmp_path: Path, site: Site, *, links: bool = False, pages: list[str] = PAGES
) -> CouncilConfig:
    starts = ", ".join(f"'{site.base_url}{p}'" for p in pages)
    return load_config(
        config_folder(
            tmp_path,
            "services:\n  - id: bins\n    name: Bin collections\n"
            "    owner: {name: Waste team, email: waste@example.gov.uk}\n"
            f"    start_urls: [{starts}]\n"
            "    include: ['^/page/', '^/dynamic$', '^/beacon$', '^/moved$', '^/flaky$']\n"
            f"    checks: {{branding: false, keyboard: false, reflow: false, "
            f"links: {str(links).lower()}}}\n",
        )
    )


class Audits:
    """Runs audits of the test site into one database and reads back what happened."""

    def __init__(self, tmp_path: Path, config: CouncilConfig, **settings: Any) -> None:
        self.settings = Settings(
            data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}", **settings
        )
        upgrade(self.settings.database_url)
        self.repository = Repository(self.settings.database_url)
        self.config = config

    def run(self, **request: Any) -> Run:
        run = start_audit(self.settings, self.config, self.repository, AuditRequest(**request))
        assert run.status == RunStatus.completed, run.error
        return run

    def by_path(self, run: Run) -> dict[str, Any]:
        urls = {p.id: p.url.split("/", 3)[-1] for p in self.repository.pages("bins")}
        assert run.id is not None
        return {"/" + urls[r.page_id]: r for r in self.repository.page_results(run.id)}

    def findings(self, run: Run) -> set[tuple[str, str, str]]:
        urls = {p.id: p.url for p in self.repository.pages("bins")}
        assert run.id is not None
        return {(urls[f.page_id], f.rule, f.snippet) for f in self.repository.findings(run.id)}


pytestmark = pytest.mark.browser


def test_an_unchanged_static_site_is_carried_forward_without_opening_a_browser(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site))
    first = audits.run()
    assert first.pages_audited == len(PAGES)
    site.state.navigations.clear()
    second = audits.run()
    results = audits.by_path(second)
    assert {p for p, r in results.items() if r.revalidated} == {
        "/page/0",
        "/page/1",
        "/page/2",
        "/moved",
        "/flaky",
    }
    # The page whose script fetches content and the page sending a beacon to a host not
    # known for analytics were opened in the browser; nothing else was.
    assert sorted(site.state.navigations) == ["/beacon", "/dynamic"]
    assert (second.pages_carried, second.pages_audited) == (len(PAGES), 0)
    assert audits.findings(second) == audits.findings(first) != set()
    whole_service = {c.name for c in service_checks()}  # judged again on every run
    assert all(
        f.carried
        for f in audits.repository.findings(second.id or 0)
        if f.check not in whole_service
    )
    assert {i.status for i in audits.repository.issues(service_id="bins")} == {"open"}


def test_beacons_to_an_analytics_host_leave_a_page_static(site: Site, tmp_path: Path) -> None:
    audits = Audits(tmp_path, council(tmp_path, site), beacon_hosts=["localhost"])
    audits.run()
    site.state.navigations.clear()
    results = audits.by_path(audits.run())
    assert results["/beacon"].revalidated
    assert site.state.navigations == ["/dynamic"]


def test_a_changed_style_sheet_sends_every_page_back_to_the_checks(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site))
    first = audits.run()
    site.state.css = PALE_CSS  # the same markup, paler text: a contrast failure
    second = audits.run()
    results = audits.by_path(second)
    assert not any(r.revalidated for r in results.values())
    assert {p for p, r in results.items() if r.status == "audited"} >= {"/page/0", "/page/1"}
    new = audits.findings(second) - audits.findings(first)
    assert {rule for _, rule, _ in new} == {"color-contrast"}


def test_without_http_revalidation_a_style_sheet_change_still_counts(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site), revalidate_over_http=False)
    audits.run()
    site.state.navigations.clear()
    unchanged = audits.run()
    assert unchanged.pages_carried == len(PAGES)
    assert sorted(site.state.navigations) == sorted(PAGES)
    assert not any(r.revalidated for r in audits.by_path(unchanged).values())
    site.state.css = PALE_CSS
    changed = audits.run()
    assert changed.pages_audited >= 3
    assert "color-contrast" in {rule for _, rule, _ in audits.findings(changed)}


def test_content_fetched_by_a_script_is_seen_though_the_html_is_the_same(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site))
    audits.run()
    second = audits.by_path(audits.run())
    assert second["/dynamic"].status == "carried" and not second["/dynamic"].revalidated
    site.state.notice = '<img src="/static/logo.png">'  # the fetched notice brings a defect
    third = audits.run()
    results = audits.by_path(third)
    assert results["/dynamic"].status == "audited"
    assert any(
        url.endswith("/dynamic") and rule == "image-alt" for url, rule, _ in audits.findings(third)
    )


def test_a_link_that_breaks_is_found_on_a_page_revalidated_over_http(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site, links=True))
    first = audits.run()
    assert not any(rule == "broken-link" for _, rule, _ in audits.findings(first))
    site.state.gone_status = 404
    second = audits.run()
    results = audits.by_path(second)
    assert results["/page/0"].revalidated and results["/page/0"].status == "carried"
    broken = {url for url, rule, _ in audits.findings(second) if rule == "broken-link"}
    assert f"{site.base_url}/page/0" in broken and f"{site.base_url}/page/2" in broken


def test_a_page_that_now_redirects_or_failed_is_loaded_in_the_browser(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site))
    audits.run()
    site.state.moved = True
    site.state.flaky_status = 500
    second = audits.by_path(audits.run())
    assert not second["/moved"].revalidated
    assert second["/moved"].final_url == f"{site.base_url}/page/1"
    assert second["/flaky"].status == "failed"
    site.state.flaky_status = 200  # back, and served exactly as before it failed
    site.state.navigations.clear()
    third = audits.by_path(audits.run())
    assert not third["/flaky"].revalidated and "/flaky" in site.state.navigations
    assert third["/page/0"].revalidated


def test_a_full_audit_opens_every_page(site: Site, tmp_path: Path) -> None:
    audits = Audits(tmp_path, council(tmp_path, site))
    audits.run()
    full = audits.run(full=True)
    assert (full.pages_audited, full.pages_carried) == (len(PAGES), 0)
    assert not any(r.revalidated for r in audits.by_path(full).values())


def test_a_browser_that_cannot_start_fails_the_run_and_leaves_pages_pending(
    site: Site, tmp_path: Path
) -> None:
    audits = Audits(tmp_path, council(tmp_path, site), chromium_path=tmp_path / "no-such-chromium")
    with pytest.raises(BrowserUnavailable, match="Chromium not found"):
        start_audit(audits.settings, audits.config, audits.repository, AuditRequest())
    (run,) = audits.repository.runs(kind="audit")
    assert run.status == RunStatus.failed
    assert "Chromium not found" in (run.error or "")
    assert {r.status for r in audits.by_path(run).values()} == {"pending"}


def test_a_night_when_nothing_changed_never_starts_the_browser(site: Site, tmp_path: Path) -> None:
    static = ["/page/0", "/page/1", "/page/2"]
    config = council(tmp_path, site, pages=static)
    Audits(tmp_path, config).run()
    # The same database, but no Chromium at all: every page is revalidated over HTTP.
    without = Audits(tmp_path, config, chromium_path=tmp_path / "no-such-chromium")
    run = without.run()
    assert (run.pages_carried, run.pages_revalidated, run.pages_failed) == (3, 3, 0)


# --- the parts, on their own -------------------------------------------------------------


def test_what_a_page_fetched_decides_whether_it_is_static() -> None:
    css, icon = "https://c.gov.uk/site.css", "https://c.gov.uk/favicon.ico"
    seen: dict[str, Any] = {
        "resources": [
            [css, "link"],
            [css, "link"],
            ["https://c.gov.uk/logo.png", "img"],
            ["https://c.gov.uk/intro.mp4", "video"],
            ["https://www.google-analytics.com/g/collect", "fetch"],
            [icon, "other"],
            ["data:image/png;base64,AAAA", "img"],
        ],
        "icons": [icon],
        "frames": 0,
        "full": False,
    }
    found = read_resources(seen, ["google-analytics.com"])
    assert found.static and found.dynamic is None
    assert found.hashed == [css, "https://c.gov.uk/logo.png", icon]
    fetching = {**seen, "resources": [*seen["resources"], ["https://c.gov.uk/api", "fetch"]]}
    assert read_resources(fetching, ["google-analytics.com"]).dynamic == (
        "a script fetched https://c.gov.uk/api (fetch)"
    )
    assert not read_resources(seen, []).static  # analytics not declared a beacon host
    assert not read_resources({**seen, "frames": 1}, ["google-analytics.com"]).static
    assert not read_resources({**seen, "full": True}, ["google-analytics.com"]).static


def test_the_served_hash_ignores_tokens_and_reads_the_charset() -> None:
    state = SiteState()
    first = page_html(state, "/page/0", "").encode()
    second = page_html(state, "/page/0", "").encode()
    assert first != second
    assert served_hash(first, "text/html") == served_hash(second, "text/html; charset=utf-8")
    latin = "<p>Fee £50</p>".encode("latin-1")
    assert served_hash(latin, "text/html; charset=iso-8859-1") == served_hash(
        "<p>Fee £50</p>".encode(), "text/html"
    )
    assert served_hash(b"<p>Fee 50</p>", None) != served_hash(b"<p>Fee 60</p>", None)


def test_a_style_sheet_is_part_of_the_fingerprint() -> None:
    html = "<p>Fee is £50</p>"
    assert page_fingerprint(html, {"https://c.gov.uk/a.css": "200:aa"}) == page_fingerprint(
        html, {"https://c.gov.uk/a.css": "200:aa"}
    )
    assert page_fingerprint(html, {"https://c.gov.uk/a.css": "200:aa"}) != page_fingerprint(
        html, {"https://c.gov.uk/a.css": "200:bb"}
    )
    assert page_fingerprint(html) != page_fingerprint(html, {"https://c.gov.uk/a.css": "200:aa"})


def test_a_record_from_another_version_is_ignored_and_a_remembered_page_cannot_be_read() -> None:
    assert ServedRecord.from_json({"final_url": "x"}) is None
    assert ServedRecord.from_json("not a record") is None
    record = ServedRecord(
        final_url="https://c.gov.uk/bins",
        http_status=200,
        content_type="text/html",
        html="abc",
        resources={},
        links=["https://c.gov.uk/a"],
        title="Bins",
    )
    assert ServedRecord.from_json(record.to_json()) == record
    page = RememberedPage("https://c.gov.uk/bins", record, load_ms=3)
    assert asyncio.run(page.links()) == ["https://c.gov.uk/a"]
    with pytest.raises(PageError) as caught:
        asyncio.run(page.content())
    assert caught.value.kind == "unsupported"
