"""The audit against the demo council site: it finds exactly the seeded defects."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crawlers.checks import page_checks
from demo import DemoSite, load_manifest
from monitor.audit import AuditRefused, AuditRequest, start_audit
from monitor.audit.page import PageAuditor
from monitor.cli import app
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import Page, PageResult, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.audits import page_urls
from tests.conftest import PROJECT, config_folder
from tests.crawlers.checks.test_keyboard import NO_FOCUS_STYLE, TRAP
from tests.crawlers.checks.test_reflow import WIDE
from tests.servers import html_site

pytestmark = pytest.mark.browser

MANIFEST = load_manifest()


@pytest.fixture(scope="module")
def site(demo_site: DemoSite) -> DemoSite:
    return demo_site


@pytest.fixture(scope="module")
def config(demo_config: CouncilConfig) -> CouncilConfig:
    return demo_config


@pytest.fixture(scope="module")
def audited(
    tmp_path_factory: pytest.TempPathFactory, config: CouncilConfig
) -> tuple[Settings, Repository, int]:
    folder = tmp_path_factory.mktemp("audit")
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'monitor.db'}")
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    run = start_audit(settings, config, repository, AuditRequest())
    assert run.id is not None and run.status == RunStatus.completed
    return settings, repository, run.id


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"


def found_pairs(repository: Repository, run_id: int, check: str) -> set[tuple[str, str]]:
    pages = {p.id: p.url for s in repository.services() for p in repository.pages(s.id)}
    return {
        (path_of(pages[f.page_id]), f.rule)
        for f in repository.findings(run_id)
        if f.check == check and f.outcome == "violation"
    }


def test_every_seeded_accessibility_defect_is_found_and_nothing_else(
    audited: tuple[Settings, Repository, int],
) -> None:
    _, repository, run_id = audited
    expected = {(d.path, d.rule) for d in MANIFEST.defects if d.check == "axe"}
    assert found_pairs(repository, run_id, "axe") == expected


def test_broken_links_are_findings_of_the_links_check(
    audited: tuple[Settings, Repository, int],
) -> None:
    _, repository, run_id = audited
    broken = {f.message for f in repository.findings(run_id) if f.check == "links"}
    expected_targets = {
        d.selector.split('"')[1] for d in MANIFEST.defects if d.check == "links" and d.selector
    }
    for target in expected_targets:
        assert any(target in message for message in broken), (target, broken)


def test_the_clean_control_service_has_no_findings(
    audited: tuple[Settings, Repository, int],
) -> None:
    _, repository, run_id = audited
    clean = [s.id for s in MANIFEST.services if s.clean]
    assert clean == ["join-the-library"]
    assert [
        f
        for f in repository.findings(run_id, service_id="join-the-library")
        if f.outcome == "violation"
    ] == []
    results = [r for r in repository.page_results(run_id) if r.service_id == "join-the-library"]
    assert len(results) >= 2 and all(r.status == "audited" for r in results)


def test_robots_txt_is_obeyed(audited: tuple[Settings, Repository, int]) -> None:
    _, repository, _ = audited
    urls = [p.url for p in repository.pages("council-website")]
    assert not [u for u in urls if "/private/" in u]
    assert any(u.endswith("/accessibility-statement") for u in urls)


def test_pages_from_the_gzip_sitemap_and_documents_are_recorded(
    audited: tuple[Settings, Repository, int],
) -> None:
    _, repository, run_id = audited
    pages = {p.id: p for p in repository.pages("school-admissions")}
    results = {
        pages[r.page_id].url: r for r in repository.page_results(run_id) if r.page_id in pages
    }
    pdf = next(r for url, r in results.items() if url.endswith(".pdf"))
    assert (pdf.status, pdf.http_status, pdf.content_type) == ("audited", 200, "application/pdf")
    assert pdf.size_bytes and pdf.size_bytes > 0
    missing = next(r for url, r in results.items() if url.endswith("/appeals-2019"))
    assert (missing.status, missing.http_status, missing.error_kind) == (
        "failed",
        404,
        "http-error",
    )


def test_the_run_records_axe_version_and_check_versions(
    audited: tuple[Settings, Repository, int],
) -> None:
    _, repository, run_id = audited
    run = repository.run(run_id)
    assert run is not None and run.axe_version == "4.12.1"
    assert {"axe", "links"} <= set(run.check_versions)
    assert run.pages_failed == sum(
        1 for r in repository.page_results(run_id) if r.status == "failed"
    )
    assert run.pages_found == len(repository.page_results(run_id))


def test_a_fixed_defect_closes_its_issue_and_putting_it_back_reopens_it(
    site: DemoSite, config: CouncilConfig, audited: tuple[Settings, Repository, int]
) -> None:
    settings, repository, _ = audited
    request = AuditRequest(service_ids=["report-a-pothole"])

    site.fix_defect("pothole-image-alt")
    try:
        start_audit(settings, config, repository, request)
    finally:
        site.restore_defect("pothole-image-alt")
    issue = next(
        i for i in repository.issues(service_id="report-a-pothole") if i.rule == "image-alt"
    )
    assert issue.status == "fixed" and issue.fixed_at is not None
    start_audit(settings, config, repository, request)
    issue = next(
        i for i in repository.issues(service_id="report-a-pothole") if i.rule == "image-alt"
    )
    assert (issue.status, issue.reopened_count) == ("reopened", 1)
    label = next(i for i in repository.issues(service_id="report-a-pothole") if i.rule == "label")
    assert label.status == "open"


def test_a_second_audit_of_a_busy_service_is_refused(
    config: CouncilConfig, audited: tuple[Settings, Repository, int]
) -> None:
    settings, repository, _ = audited
    assert repository.acquire_lease("audit:join-the-library", "someone-else:1", 60)
    try:
        with pytest.raises(AuditRefused, match="join-the-library is already being audited"):
            start_audit(
                settings, config, repository, AuditRequest(service_ids=["join-the-library"])
            )
    finally:
        repository.release_lease("audit:join-the-library", "someone-else:1")


def test_audit_urls_json_has_the_documented_shape(site: DemoSite) -> None:
    urls = [
        f"{site.base_url}/report-a-pothole",
        f"{site.base_url}/test/404",
        "http://127.0.0.1:9/nothing",
    ]
    result = CliRunner().invoke(
        app, ["audit-urls", *urls, "--format", "json", "--fail-on", "critical"]
    )
    assert result.exit_code == 1, result.output  # image-alt is critical
    document = json.loads(result.stdout)
    schema = json.loads((PROJECT / "tests" / "crawlers" / "audit_urls.schema.json").read_text())
    import jsonschema

    jsonschema.validate(document, schema)
    assert [p["url"] for p in document["pages"]] == urls
    first, missing, unreachable = document["pages"]
    assert first["status"] == 200 and first["error"] is None
    assert {
        "check": "axe",
        "rule": "image-alt",
        "wcag": ["1.1.1"],
        "impact": "critical",
    }.items() <= next(f for f in first["findings"] if f["rule"] == "image-alt").items()
    assert missing["status"] == 404
    assert unreachable["status"] is None and unreachable["error"]


def test_audit_urls_reads_a_file_and_exits_0_below_the_threshold(
    site: DemoSite, tmp_path: Path
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# the clean service\n{site.base_url}/join-the-library\n")
    result = CliRunner().invoke(
        app, ["audit-urls", f"@{listing}", "--format", "json", "--fail-on", "minor"]
    )
    assert result.exit_code == 0, result.output
    (page,) = json.loads(result.stdout)["pages"]
    assert [f for f in page["findings"] if f["outcome"] == "violation"] == []


def test_audit_urls_runs_the_checks_beyond_axe_that_a_pipeline_needs() -> None:
    pages = {"/trap": TRAP, "/no-focus": NO_FOCUS_STYLE, "/wide": WIDE}
    with html_site(pages.get) as base:
        urls = [base + path for path in pages]
        result = CliRunner().invoke(app, ["audit-urls", *urls, "--format", "json"])
        assert result.exit_code == 0, result.output
        found = {
            (page["url"].removeprefix(base), f["rule"])
            for page in json.loads(result.stdout)["pages"]
            for f in page["findings"]
            if f["outcome"] == "violation"
        }
        assert {
            ("/trap", "keyboard-trap"),
            ("/no-focus", "focus-not-visible"),
            ("/wide", "reflow"),
        } <= found
        only_axe = CliRunner().invoke(
            app, ["audit-urls", *urls, "--format", "json", "--checks", "axe"]
        )
        assert only_axe.exit_code == 0, only_axe.output
        checks = {
            f["check"] for page in json.loads(only_axe.stdout)["pages"] for f in page["findings"]
        }
        assert checks <= {"axe"}
        unknown = CliRunner().invoke(app, ["audit-urls", urls[0], "--checks", "axe,telepathy"])
        assert unknown.exit_code == 2 and "telepathy" in unknown.output


def test_audit_urls_refuses_what_is_not_a_web_address() -> None:
    result = CliRunner().invoke(app, ["audit-urls", "not-a-url", "ftp://example.org/x"])
    assert result.exit_code == 2
    assert "'not-a-url'" in result.output and "ftp://example.org/x" in result.output


def test_audit_urls_finds_on_each_page_what_monitor_audit_found_there(
    audited: tuple[Settings, Repository, int],
) -> None:
    _, repository, run_id = audited
    services = ("school-admissions", "pay-a-parking-fine", "council-website")
    urls = page_urls(repository, services)
    results = [
        r
        for r in repository.page_results(run_id)
        if r.page_id in urls and r.status == "audited" and "html" in (r.content_type or "")
    ]
    assert len(results) >= 10
    page_check = {c.name for c in page_checks()}
    expected: dict[str, set[tuple[str, str, str, str | None, str]]] = {
        urls[r.page_id]: set() for r in results
    }
    for f in repository.findings(run_id):
        if f.page_id in urls and urls[f.page_id] in expected and f.check in page_check:
            expected[urls[f.page_id]].add((f.check, f.rule, f.selector, f.impact, f.outcome))
    result = CliRunner().invoke(app, ["audit-urls", *expected, "--format", "json"])
    assert result.exit_code == 0, result.output
    pages = json.loads(result.stdout)["pages"]
    assert all(page["check_errors"] == [] for page in pages)
    found = {
        page["url"]: {
            (f["check"], f["rule"], f["selector"], f["impact"], f["outcome"])
            for f in page["findings"]
        }
        for page in pages
    }
    assert found == expected


def test_a_killed_audit_is_resumed_without_losing_or_repeating_a_page(
    site: DemoSite, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "MONITOR_DATA_DIR": str(tmp_path),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}",
        "MONITOR_CONCURRENCY": "1",
        "DEMO_SITE": site.base_url,
        "DEMO_SUPPLIER": site.supplier_url,
    }
    command = [
        sys.executable,
        "-m",
        "monitor",
        "audit",
        "--service",
        "school-admissions",
        "--service",
        "report-a-pothole",
    ]
    process = subprocess.Popen(
        command,
        env=env,
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    repository = Repository(env["MONITOR_DATABASE_URL"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.3)
        try:
            results = repository.page_results(1)
        except Exception:  # noqa: S112 - the database is still being created
            continue
        if sum(r.status == "audited" for r in results) >= 3:
            break
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {r.page_id: r for r in repository.page_results(1)}
    done_before = {pid: r.finished_at for pid, r in before.items() if r.status != "pending"}
    assert done_before and any(r.status == "pending" for r in before.values())
    resumed = subprocess.run(
        [*command[:4], "--resume"],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr + resumed.stdout
    run = repository.run(1)
    assert run is not None and run.status == "completed"
    after = {r.page_id: r for r in repository.page_results(1)}
    assert all(r.status != "pending" for r in after.values())
    # Pages finished before the kill were not audited again.
    assert {pid: after[pid].finished_at for pid in done_before} == done_before
    findings = repository.findings(1)
    assert len(findings) == len({(f.page_id, f.rule, f.selector) for f in findings})


HOSTILE = {
    "/test/500": ("failed", "http-error"),
    "/test/404": ("failed", "http-error"),
    "/test/redirect-loop": ("failed", "redirect-loop"),
    "/test/huge": ("failed", "too-large"),
    "/test/download": ("audited", None),  # a file: recorded as a document
    "/test/binary": ("skipped", "download"),  # a file no check reads: from its headers
    "/test/never-loads": ("failed", "timeout"),
    "/test/js-loop": ("failed", None),  # hung renderer: timeout or crash
    "/test/dialog": ("audited", None),
    "/test/navigate-away": (None, None),  # audited, or failed mid-navigation with its error
    "/test/popup": ("audited", None),
    "/test/slow?seconds=1": ("audited", None),
}


def test_hostile_pages_are_recorded_as_page_errors_and_the_run_goes_on(
    site: DemoSite, tmp_path: Path
) -> None:
    starts = ", ".join(f"'{site.base_url}{path}'" for path in [*HOSTILE, "/join-the-library"])
    config_dir = config_folder(
        tmp_path,
        "services:\n  - id: hostile\n    name: Hostile pages\n"
        "    owner: {name: Test, email: test@example.gov.uk}\n"
        f"    start_urls: [{starts}]\n    max_depth: 0\n"
        "    checks: {branding: false, links: false}\n",
    )
    config = load_config(config_dir)
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'm.db'}",
        page_timeout_seconds=6,
        page_audit_limit_seconds=60,
    )
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    run = start_audit(settings, config, repository, AuditRequest())
    assert run.id is not None and run.status == RunStatus.completed
    pages = {p.id: p.url for p in repository.pages("hostile")}
    results = {
        pages[r.page_id].removeprefix(site.base_url): r for r in repository.page_results(run.id)
    }
    for path, (status, kind) in HOSTILE.items():
        result = results[path]
        assert result.status == (status or result.status), (path, result.status, result.error)
        assert result.status in ("audited", "failed", "skipped")
        if kind:
            assert result.error_kind == kind, (path, result.error_kind, result.error)
        if status == "failed":
            assert result.error
    assert (
        results["/test/download"].content_type and "csv" in results["/test/download"].content_type
    )
    binary = results["/test/binary"]
    assert binary.size_bytes == 1024 * 1024 and binary.error
    assert "application/octet-stream, 1.0 MB" in binary.error
    assert (
        results["/join-the-library"].status == "audited"
    )  # the browser still works after all that
    assert run.pages_failed == sum(1 for r in results.values() if r.status == "failed")
    assert run.pages_failed >= sum(1 for s, _ in HOSTILE.values() if s == "failed")


def _one_service(site: DemoSite, tmp_path: Path, paths: list[str]) -> CouncilConfig:
    starts = ", ".join(f"'{site.base_url}{path}'" for path in paths)
    return load_config(
        config_folder(
            tmp_path,
            "services:\n  - id: few\n    name: A few pages\n"
            "    owner: {name: Test, email: test@example.gov.uk}\n"
            f"    start_urls: [{starts}]\n    max_depth: 0\n"
            "    checks: {branding: false, links: false}\n",
        )
    )


def _few_pages_run(
    site: DemoSite, tmp_path: Path, paths: list[str], **settings: Any
) -> tuple[Repository, int, dict[str, PageResult]]:
    config = _one_service(site, tmp_path, paths)
    chosen = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}", **settings)
    upgrade(chosen.database_url)
    repository = Repository(chosen.database_url)
    run = start_audit(chosen, config, repository, AuditRequest())
    assert run.id is not None
    pages = {p.id: p.url for p in repository.pages("few")}
    results = {
        pages[r.page_id].removeprefix(site.base_url): r for r in repository.page_results(run.id)
    }
    return repository, run.id, results


def _one_page_failed(
    repository: Repository,
    run_id: int,
    results: dict[str, PageResult],
    path: str,
    kind: str,
    words: str,
) -> None:
    """The run completed; ``path`` failed as ``kind`` saying ``words``; the rest audited."""
    run = repository.run(run_id)
    assert run is not None and run.status == RunStatus.completed
    failed = results[path]
    assert (failed.status, failed.error_kind) == ("failed", kind)
    assert failed.error and words in failed.error
    assert {p: r.status for p, r in results.items() if p != path} == {
        "/join-the-library": "audited"
    }


def test_a_page_past_the_audit_limit_is_a_timeout_and_the_run_goes_on(
    site: DemoSite, tmp_path: Path
) -> None:
    # The server answers after 60 s; loading alone may take 90 s, the whole page only 15 s.
    repository, run_id, results = _few_pages_run(
        site,
        tmp_path,
        ["/test/slow?seconds=60", "/join-the-library"],
        page_timeout_seconds=90,
        page_audit_limit_seconds=15,
    )
    _one_page_failed(
        repository, run_id, results, "/test/slow?seconds=60", "timeout", "more than 15 s"
    )


def test_a_fault_of_the_monitor_on_one_page_is_that_page_s_failure(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fault injected outside the browser part of the visit (where faults used to kill
    # the worker and leave the run waiting for ever).
    real = PageAuditor._revalidate

    async def faulty(self: PageAuditor, service: object, stored: Page, *args: object) -> object:
        if stored.url.endswith("/test/landing"):
            raise RuntimeError("injected fault")
        return await real(self, service, stored, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(PageAuditor, "_revalidate", faulty)
    repository, run_id, results = _few_pages_run(
        site, tmp_path, ["/test/landing", "/join-the-library"]
    )
    _one_page_failed(
        repository, run_id, results, "/test/landing", "monitor-error", "injected fault"
    )


def test_a_run_that_cannot_go_on_fails_instead_of_waiting_for_ever(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Storage that cannot even record a page's failure stops the run; what was not
    # visited stays pending for ``--resume``.
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("injected: the disk is full")

    monkeypatch.setattr(Repository, "record_page", broken)
    monkeypatch.setattr(Repository, "record_carried_page", broken)
    with pytest.raises(OSError, match="disk is full"):
        _few_pages_run(site, tmp_path, ["/test/landing", "/join-the-library", "/"])
    repository = Repository(f"sqlite:///{tmp_path / 'm.db'}")
    run = repository.run(1)
    assert run is not None and run.status == RunStatus.failed
    assert run.error and "disk is full" in run.error
    assert {r.status for r in repository.page_results(1)} == {"pending"}


def test_audit_urls_fail_on_counts_violations_never_what_needs_review() -> None:
    # A list written as numbered lines is a question for a person (needs_review), not a
    # failure: --fail-on at its own impact must still exit 0 (only the check that asks it
    # and the one for images run, so nothing else on the small page counts).
    from tests.crawlers.checks.barriers import BARRIERS
    from tests.crawlers.checks.pages import page

    body = next(b for case, b, _ in BARRIERS if case == "list-not-marked-up-review")
    pages = {"/steps": page(body), "/accessibility-statement": page("<main><h1>A</h1></main>")}
    with html_site(pages.get) as base:
        only = ["--checks", "info-and-relationships,text-alternatives", "--format", "json"]
        found = CliRunner().invoke(app, ["audit-urls", f"{base}/steps", *only])
        assert found.exit_code == 0, found.output
        (result,) = json.loads(found.stdout)["pages"]
        review = [f for f in result["findings"] if f["outcome"] == "needs_review"]
        assert review and not [f for f in result["findings"] if f["outcome"] == "violation"]
        level = min((f["impact"] or "minor" for f in review), key=IMPACTS.index)
        judged = CliRunner().invoke(app, ["audit-urls", f"{base}/steps", *only, "--fail-on", level])
        # The same level trips on a violation of that impact.
        broken = page(body + '<img src="/p.png" alt="IMG_0912.jpg" width="40" height="40">')
        pages["/broken"] = broken
        tripped = CliRunner().invoke(
            app, ["audit-urls", f"{base}/broken", *only, "--fail-on", level]
        )
    assert judged.exit_code == 0, judged.output
    assert tripped.exit_code == 1, tripped.output


IMPACTS = ["minor", "moderate", "serious", "critical"]
