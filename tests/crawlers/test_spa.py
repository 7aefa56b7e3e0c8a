"""Single-page apps, in both engines: the demo council's "Parking permits" app has routes
reached only by its router (a pushState link, a hash route, a button, a menu item); each
is audited as a page under its own address and its defects are found; routes are audited
again only when their view changed; the crawl of an app stays within the service's max
pages and depth; and looking for routes clicks nothing named to delete or pay, sends no
form or POST, and loads no other document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from demo import DemoSite, load_manifest
from monitor.audit import AuditRequest, start_audit
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import PageResult, Run, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import CONFIG_DIR, config_folder, demo_environment

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

APP = "parking-permits"
ENGINES = ["playwright", "selenium"]
MANIFEST = load_manifest()
ROUTES = {p.path for p in MANIFEST.pages_for(service=APP)}
EXPECTED = {(d.path, d.rule) for d in MANIFEST.defects_for(service=APP)}


@pytest.fixture
def site(running_site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoSite]:
    running_site.restore_all()
    for name, value in demo_environment(running_site).items():
        monkeypatch.setenv(name, value)
    yield running_site
    running_site.restore_all()


def audit(
    folder: Path, engine: str, config: CouncilConfig | None = None, service: str = APP
) -> tuple[Repository, Run]:
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'm.db'}", engine=engine)
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    run = start_audit(
        settings,
        config or load_config(CONFIG_DIR),
        repository,
        AuditRequest(service_ids=[service]),
    )
    assert run.id is not None and run.status == RunStatus.completed, run.error
    return repository, run


def results(
    repository: Repository, run: Run, base: str, service: str = APP
) -> dict[str, PageResult]:
    assert run.id is not None
    urls = {p.id: p.url for p in repository.pages(service)}
    return {urls[r.page_id].removeprefix(base): r for r in repository.page_results(run.id)}


def violations(repository: Repository, run: Run, base: str) -> set[tuple[str, str]]:
    assert run.id is not None
    urls = {p.id: p.url for p in repository.pages(APP)}
    return {
        (urls[f.page_id].removeprefix(base), f.rule)
        for f in repository.findings(run.id, service_id=APP)
        if f.outcome == "violation"
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_every_route_is_audited_as_a_page_and_its_defects_are_found(
    site: DemoSite, engine: str, tmp_path: Path
) -> None:
    repository, run = audit(tmp_path, engine)
    seen = results(repository, run, site.base_url)
    # Exactly the app's routes, each under its own address (the hash route's kept): the
    # button's and the menu item's routes too, which no link of any page leads to.
    assert set(seen) == ROUTES
    assert all(r.status == "audited" and not r.signed_in for r in seen.values())
    assert violations(repository, run, site.base_url) == EXPECTED
    # Each route was seen as its view, once drawn: its own title.
    assert {path: r.title for path, r in seen.items()} == {
        "/parking-permits": "Parking permits - Example County Council",
        "/parking-permits/types": "Types of permit - Example County Council",
        "/parking-permits/zones": "Check your permit zone - Example County Council",
        "/parking-permits/prices": "Prices and discounts - Example County Council",
        "/parking-permits#/visitors": "Visitor permits - Example County Council",
    }
    depth = {p.url.removeprefix(site.base_url): p.depth for p in repository.pages(APP)}
    assert depth["/parking-permits"] == 0 and depth["/parking-permits/prices"] == 1
    # Each route is fingerprinted for the nightly re-audit.
    assert all(p.fingerprint for p in repository.pages(APP))


@pytest.mark.parametrize("engine", ENGINES)
def test_routes_are_audited_again_only_when_their_view_changes(
    site: DemoSite, engine: str, tmp_path: Path
) -> None:
    repository, first = audit(tmp_path, engine)
    _, second = audit(tmp_path, engine)
    assert {r.status for r in results(repository, second, site.base_url).values()} == {"carried"}
    assert violations(repository, second, site.base_url) == EXPECTED  # carried forward

    site.set_page_text("/parking-permits/prices", "Prices go up on 1 April 2027.")
    _, third = audit(tmp_path, engine)
    statuses = {p: r.status for p, r in results(repository, third, site.base_url).items()}
    assert statuses == {
        p: "audited" if p == "/parking-permits/prices" else "carried" for p in ROUTES
    }

    site.fix_defect("permits-visitors-link-name")
    _, fourth = audit(tmp_path, engine)
    statuses = {p: r.status for p, r in results(repository, fourth, site.base_url).items()}
    assert statuses == {
        p: "audited" if p == "/parking-permits#/visitors" else "carried" for p in ROUTES
    }
    issue = next(i for i in repository.issues(service_id=APP) if i.rule == "link-name")
    assert issue.status == "fixed"
    others = [i for i in repository.issues(service_id=APP) if i.rule != "link-name"]
    assert others and all(i.status == "open" for i in others)
    assert first.pages_audited == len(ROUTES)


@pytest.mark.parametrize(("limits", "expected"), [("max_depth: 0", 1), ("max_pages: 3", 3)])
def test_routes_are_bounded_by_the_service_s_max_pages_and_depth(
    site: DemoSite, tmp_path: Path, limits: str, expected: int
) -> None:
    config = load_config(
        config_folder(
            tmp_path,
            f"""services:
  - id: {APP}
    name: Parking permits
    owner: {{name: Test, email: test@example.gov.uk}}
    start_urls: ['{site.base_url}/parking-permits']
    include: ['^/parking-permits']
    checks: {{branding: false, links: false, keyboard: false, reflow: false}}
    {limits}
    spa: {{}}
""",
        )
    )
    repository, run = audit(tmp_path, "playwright", config)
    seen = results(repository, run, site.base_url)
    assert len(seen) == expected and "/parking-permits" in seen
    assert set(seen) <= ROUTES


# ----- what looking for routes never does ----------------------------------------------

APP_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - Test app</title></head>
<body><main>
<h1 id="view">Home</h1>
<p><button type="button" id="reports">Open the reports</button></p>
<p><button type="button" id="delete">Delete everything</button></p>
<p><button type="button" id="save">Save the draft</button></p>
<p><button type="button" id="refresh">Refresh the figures</button></p>
<p><button type="button" id="away">Go to the other site</button></p>
<p><button type="button" id="menu" aria-expanded="false" aria-controls="items">More</button></p>
<ul id="items" hidden><li><button type="button" id="help">Help</button></li></ul>
<script>
  const show = () => {{ document.getElementById('view').textContent = location.pathname; }};
  const go = (path) => {{ history.pushState({{}}, '', path); show(); }};
  const on = (id, act) => document.getElementById(id).addEventListener('click', act);
  // What a resident asked for happens at once; what it changes goes to the server.
  on('reports', () => go('/app/reports'));
  on('delete', () => {{ fetch('/api/delete-clicked'); fetch('/api/delete', {{method: 'POST'}}); }});
  on('save', () => {{ fetch('/api/save-clicked'); fetch('/api/save', {{method: 'PUT'}}); }});
  on('refresh', () => {{
    fetch('/api/refresh-clicked');
    fetch('/api/refresh', {{method: 'POST', body: 'now'}});
    const form = document.createElement('form');
    form.method = 'post'; form.action = '/api/form';
    document.body.appendChild(form); form.submit();
    go('/app/refreshed');
  }});
  on('away', () => {{ location.href = '/elsewhere'; }});
  on('menu', () => {{ document.getElementById('items').hidden = false; }});
  on('help', () => go('/app/help'));
  window.addEventListener('popstate', show);
  show();
</script>
</main></body></html>"""


class AppServer:
    """A small app on 127.0.0.1 that notes every request (method and address)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                seen.append((self.command, self.path))
                if self.path.startswith("/app"):
                    title = self.path.rsplit("/", 1)[-1] or "app"
                    body = APP_PAGE.format(title=title).encode()
                    kind = "text/html; charset=utf-8"
                else:
                    body, kind = b"{}", "application/json"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("engine", ENGINES)
def test_looking_for_routes_sends_nothing_and_clicks_nothing_named_to_delete_or_save(
    engine: str, tmp_path: Path
) -> None:
    server = AppServer()
    try:
        config = load_config(
            config_folder(
                tmp_path,
                f"""services:
  - id: test-app
    name: A test app
    owner: {{name: Test, email: test@example.gov.uk}}
    start_urls: ['{server.base_url}/app']
    include: ['^/app']
    checks: {{branding: false, links: false, keyboard: false, reflow: false, interaction: false}}
    spa: {{}}
""",
            )
        )
        repository, run = audit(tmp_path, engine, config, service="test-app")
    finally:
        server.close()
    seen = results(repository, run, server.base_url, "test-app")
    # Routes the buttons lead to, the one behind a menu included.
    assert set(seen) == {"/app", "/app/reports", "/app/refreshed", "/app/help"}
    asked = [path for _, path in server.requests]
    assert "/api/refresh-clicked" in asked  # that button was clicked...
    assert [r for r in server.requests if r[0] != "GET"] == []  # ...but sent nothing
    assert "/api/delete-clicked" not in asked  # never clicked: named to delete
    assert "/api/save-clicked" not in asked  # never clicked: named to act
    # Another document is noted, never loaded (and out of this service, so not crawled).
    assert "/elsewhere" not in asked
