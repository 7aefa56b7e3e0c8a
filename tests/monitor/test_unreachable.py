"""A service that is down is *unreachable* for the run, never a clean result: nothing is
concluded about it (no issue opened or closed, measures kept), the run ends partial or
failed, the CLI names each service and page with its reason and exits 3, and its owner
hears about it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demo import DemoSite
from monitor.alerts.rules import unreachable_alerts
from monitor.audit import AuditProgress, AuditRequest, start_audit
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import IssueStatus, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import CONFIG_DIR, config_folder, run_monitor
from tests.servers import free_port, html_site, served

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SERVICES = ["report-a-pothole", "school-admissions"]


def demo_config(site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> CouncilConfig:
    monkeypatch.setenv("DEMO_SITE", site.base_url)
    monkeypatch.setenv("DEMO_SUPPLIER", site.supplier_url)
    return load_config(CONFIG_DIR)


def world(tmp_path: Path) -> tuple[Settings, Repository]:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(settings.database_url)
    return settings, Repository(settings.database_url)


def open_issues(repository: Repository) -> dict[int, str]:
    return {
        i.id or 0: i.status
        for i in repository.issues()
        if i.status in (IssueStatus.new, IssueStatus.open, IssueStatus.reopened)
    }


def test_a_site_down_for_the_night_concludes_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, repository = world(tmp_path)
    site = DemoSite(port=0).start()
    try:
        config = demo_config(site, monkeypatch)
        request = AuditRequest(service_ids=SERVICES)
        first = start_audit(settings, config, repository, request)
        assert first.status == RunStatus.completed
        before = open_issues(repository)
        assert before
        measured = repository.read.runs.latest_audits(per_service=1, service_ids=SERVICES)
    finally:
        site.stop()
    second = start_audit(settings, config, repository, request)
    assert second.id is not None and second.status == RunStatus.failed
    assert second.error == "no service could be reached"
    assert set(second.unreachable or {}) == set(SERVICES)
    assert all("could be loaded" in reason for reason in (second.unreachable or {}).values())
    # No issue opened, none closed: the open ones are exactly as they were.
    assert open_issues(repository) == {i: s for i, s in before.items()}
    assert {i.status for i in repository.issues()} <= {"new", "open", "reopened"}
    assert not [f for f in repository.findings(second.id) if f.check == "statement"]
    # The measures keep their last values: the last run that measured them is the first.
    assert repository.read.runs.latest_audits(per_service=1, service_ids=SERVICES) == measured
    # Nothing is left pending: what was not tried is skipped, saying why.
    statuses = {r.status for r in repository.page_results(second.id)}
    assert statuses <= {"failed", "skipped"}
    # The owner hears about it, once for the spell of unreachable runs.
    items = {i.service_id: i for i in unreachable_alerts(config, repository)}
    assert set(items) == set(SERVICES)
    assert items["report-a-pothole"].key == f"unreachable:report-a-pothole:from-run:{second.id}"


def test_one_service_down_makes_the_run_partial_and_the_cli_names_it(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with html_site(lambda path: PAGE if path == "/" else None) as up:
        config = config_folder(
            tmp_path,
            "services:\n"
            "  - id: up\n    name: Up\n    owner: {name: A, email: a@example.gov.uk}\n"
            f"    start_urls: ['{up}/']\n    max_depth: 0\n"
            "  - id: down\n    name: Down\n    owner: {name: B, email: b@example.gov.uk}\n"
            f"    start_urls: ['{closed}/', '{closed}/other']\n    max_depth: 0\n",
        )
        env = {
            **os.environ,
            "MONITOR_DATA_DIR": str(tmp_path / "data"),
            "MONITOR_CONFIG_DIR": str(config),
            "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
        }
        done = run_monitor("audit", env=env, timeout=240)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "Unreachable: down: none of its 2 page(s) could be loaded" in done.stderr
    assert "Unreachable: up" not in done.stderr
    repository = Repository(env["MONITOR_DATABASE_URL"])
    (run,) = repository.runs(kind="audit")
    assert run.status == RunStatus.partial and set(run.unreachable or {}) == {"down"}
    issues = repository.issues()
    assert issues and {i.service_id for i in issues} == {"up"}


def test_robots_refusing_every_start_address_is_unreachable(tmp_path: Path) -> None:
    pages = {"/robots.txt": "User-agent: *\nDisallow: /\n", "/": PAGE}
    with html_site(pages.get) as base:
        config = load_config(
            config_folder(
                tmp_path,
                "services:\n  - id: refused\n    name: Refused\n"
                "    owner: {name: A, email: a@example.gov.uk}\n"
                f"    start_urls: ['{base}/']\n",
            )
        )
        settings, repository = world(tmp_path)
        run = start_audit(settings, config, repository, AuditRequest())
    assert run.status == RunStatus.failed
    assert (
        "robots.txt refuses the monitor every start address" in (run.unreachable or {})["refused"]
    )
    assert repository.issues() == []  # not even "no accessibility statement"


def test_a_site_stopping_mid_run_opens_no_false_issue_and_closes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, repository = world(tmp_path)
    settings = settings.model_copy(update={"concurrency": 1, "per_host_concurrency": 1})
    site = DemoSite(port=0).start()
    config = demo_config(site, monkeypatch)
    request = AuditRequest(service_ids=["council-website", *SERVICES])
    try:
        first = start_audit(settings, config, repository, request)
        assert first.status == RunStatus.completed
    except BaseException:
        site.stop()
        raise
    before = open_issues(repository)
    rules_before = {(i.service_id, i.rule) for i in repository.issues()}

    def stop_after_three(progress: AuditProgress) -> None:
        if progress.done >= 3:
            site.stop()

    try:
        second = start_audit(settings, config, repository, request, on_progress=stop_after_three)
    finally:
        site.stop()
    assert second.status in (RunStatus.partial, RunStatus.completed, RunStatus.failed)
    results = repository.page_results(second.id or 0)
    assert any(r.status in ("audited", "carried") for r in results)  # some pages were seen
    assert any(r.error_kind == "connection" for r in results)  # then the site went
    # Every issue open before is still open; nothing new appeared from the outage.
    assert {i: s for i, s in open_issues(repository).items() if i in before} == before
    assert {(i.service_id, i.rule) for i in repository.issues()} == rules_before


PAGE = """<!DOCTYPE html><html lang="en"><head><title>Up - Example County Council</title>
</head><body><main><h1>Up</h1><p>A page that answers.</p>
<a href="/accessibility">Accessibility statement</a></main></body></html>"""


def _one_service(tmp_path: Path, start_url: str) -> CouncilConfig:
    return load_config(
        config_folder(
            tmp_path,
            "services:\n  - id: down\n    name: Down\n"
            "    owner: {name: A, email: a@example.gov.uk}\n"
            f"    start_urls: ['{start_url}']\n",
        )
    )


def test_a_host_that_does_not_resolve_is_unreachable(tmp_path: Path) -> None:
    # ".invalid" never resolves (RFC 2606): the name lookup fails, as when DNS is down.
    config = _one_service(tmp_path, "http://council-services.invalid/")
    settings, repository = world(tmp_path)
    run = start_audit(settings, config, repository, AuditRequest())
    assert run.status == RunStatus.failed and run.error == "no service could be reached"
    assert "could be loaded" in (run.unreachable or {})["down"]
    assert repository.issues() == []


def test_a_site_answering_503_everywhere_is_unreachable(tmp_path: Path) -> None:
    from http.server import BaseHTTPRequestHandler

    class Unavailable(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = b"<h1>Service unavailable</h1>"
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    with served(Unavailable) as base:
        settings, repository = world(tmp_path)
        run = start_audit(settings, _one_service(tmp_path, f"{base}/"), repository, AuditRequest())
    assert run.status == RunStatus.failed
    assert "503" in (run.unreachable or {})["down"]
    assert repository.issues() == []  # a page of "Service unavailable" is not audited


def test_monitor_audit_names_each_check_that_could_not_judge_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every check given a millisecond: each overruns, and each is named with its page and
    # why (the page itself is no failure, and no issue opens from what was not judged).
    from typer.testing import CliRunner

    from monitor.cli import app
    from monitor.settings import get_settings

    with html_site({"/": PAGE, "/accessibility": PAGE}.get) as base:
        config_dir = config_folder(
            tmp_path,
            "services:\n  - id: slow\n    name: Slow\n"
            "    owner: {name: A, email: a@example.gov.uk}\n"
            f"    start_urls: ['{base}/']\n    max_pages: 1\n",
        )
        for name, value in {
            "MONITOR_CONFIG_DIR": str(config_dir),
            "MONITOR_DATA_DIR": str(tmp_path),
            "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
            "MONITOR_CHECK_TIME_LIMIT_SECONDS": "0.001",
        }.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, ["audit"])
        finally:
            get_settings.cache_clear()
    said = result.output
    assert result.exit_code == 0, said  # reached and audited; the checks' limits are ours
    lines = [line for line in said.splitlines() if line.startswith("Check error:")]
    assert any(
        f"Check error: {base}/: axe could not judge the page (timeout)" in line for line in lines
    ), said
    assert len(lines) >= 3, said
    assert "Failed:" not in said
    repository = Repository(f"sqlite:///{tmp_path / 'm.db'}")
    assert [i for i in repository.issues() if i.check == "axe"] == []


def test_a_large_download_is_judged_from_its_headers_without_reading_it(tmp_path: Path) -> None:
    # A gigabyte "installer" sent slowly: judged from its headers (skipped, with its type
    # and size), so the monitor hangs up long before the body could have been read.
    import time
    from http.server import BaseHTTPRequestHandler

    sent = {"bytes": 0}
    size = 1024**3
    start = (
        b'<!DOCTYPE html><html lang="en"><head><title>Downloads - Example County Council'
        b'</title></head><body><main><h1>Downloads</h1><a href="/setup.bin">Installer</a>'
        b'<a href="/accessibility">Accessibility statement</a></main></body></html>'
    )

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/setup.bin":
                body = start if self.path in ("/", "/accessibility") else b"not here"
                self.send_response(200 if body is start else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.send_header("Content-Disposition", 'attachment; filename="setup.bin"')
            self.end_headers()
            chunk = bytes(65536)
            try:
                while sent["bytes"] < size:
                    self.wfile.write(chunk)
                    sent["bytes"] += len(chunk)
                    time.sleep(0.01)
            except OSError:
                pass  # the monitor hung up

        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    with served(Site) as base:
        settings, repository = world(tmp_path)
        run = start_audit(settings, _one_service(tmp_path, f"{base}/"), repository, AuditRequest())
    assert run.id is not None
    pages = {p.id: p.url for p in repository.pages("down")}
    results = {pages[r.page_id]: r for r in repository.page_results(run.id)}
    download = results[f"{base}/setup.bin"]
    assert download.status == "skipped"
    assert "application/octet-stream, 1.1 GB" in (download.error or ""), download.error
    assert sent["bytes"] < 100 * 1024**2  # at most a sliver of the gigabyte was sent
