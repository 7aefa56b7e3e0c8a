"""Resident journeys replayed in real Chromium against the demo council site and small
local pages served here (for what the demo site cannot show: a page that fails once, a
form that must never be sent, a page that echoes a secret).

One Chromium (one ``JourneyRunner``) and one event loop are shared by the whole module.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http.server
import logging
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import pytest
from typer.testing import CliRunner

from crawlers.journeys import (
    MASK,
    AttemptOutcome,
    JourneyEvent,
    JourneyRunner,
    Masker,
    StepStatus,
    clean_old_journey_evidence,
)
from demo import DemoSite
from monitor.cli import app
from monitor.config import CouncilConfig, ServiceConfig, load_config
from monitor.db import upgrade
from monitor.journeys import run_journeys
from monitor.models import RunStatus
from monitor.repository import Repository
from monitor.settings import Settings, get_settings
from monitor.yamlsource import ConfigError
from tests.conftest import CONFIG_DIR

pytestmark = pytest.mark.browser

SECRET = "Tr0ub4dor&3 horse"  # with a space and an ampersand, so encodings matter
SECRET_FORMS = [SECRET, quote(SECRET, safe=""), quote_plus(SECRET), SECRET.replace("&", "&amp;")]

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><main><h1>{title}</h1>{body}</main></body></html>"""


# --- a tiny local site -------------------------------------------------------------------


class _Local(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []
        self.flaky_visits = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Local

    def log_message(self, *args: Any) -> None:
        pass

    def _page(self, title: str, body: str, status: int = 200) -> None:
        data = PAGE.format(title=title, body=body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.requests.append(("GET", self.path))
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/sign-in":
            self._page(
                "Sign in",
                '<form method="get" action="/account"><label for="pw">Password</label>'
                '<input type="text" id="pw" name="password">'
                '<button type="submit">Sign in</button></form>',
            )
        elif parts.path == "/account":
            # A careless page: it shows the password and logs it to the console.
            password = query.get("password", "")
            shown = password.replace("&", "&amp;").replace("<", "&lt;")
            self._page(
                "Your account",
                f'<p>Signed in with {shown}</p><input type="text" value="{shown}" '
                'aria-label="Echo"><script>console.error("signed in with " + '
                'new URLSearchParams(location.search).get("password"));</script>',
            )
        elif parts.path == "/flaky":
            self.server.flaky_visits += 1
            if self.server.flaky_visits == 1:
                self._page("Sorry, there is a problem", "<p>Try again later.</p>", status=503)
            else:
                self._page("Report a fault", "<p>Tell us about the fault.</p>")
        elif parts.path == "/send":
            self._page(
                "Check your answers",
                '<form method="post" action="/sent"><input type="hidden" name="x" value="1">'
                '<button type="submit">Accept and send</button></form>',
            )
        elif parts.path == "/silent-form":
            # Rejects what it is sent but never says why: fails WCAG 3.3.1.
            self._page(
                "Apply",
                '<form method="get" action="/silent-form"><label for="n">Name</label>'
                '<input type="text" id="n" name="name"><button type="submit">Send</button></form>',
            )
        elif parts.path == "/empty":
            self._page("Nothing here", "<p>This page never changes.</p>")
        else:
            self._page("Page not found", "", status=404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.requests.append(("POST", self.path))
        self._page("Report sent", "<p>Your reference is FLT-123456.</p>")


@pytest.fixture(scope="module")
def local() -> Iterator[_Local]:
    server = _Local()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def local_site(local: _Local) -> _Local:
    local.requests.clear()
    local.flaky_visits = 0
    return local


def local_url(server: _Local) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


# --- shared browser, demo site and config ------------------------------------------------


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.fixture(scope="module")
def runner(loop: asyncio.AbstractEventLoop) -> Iterator[JourneyRunner]:
    shared = JourneyRunner(Settings())
    loop.run_until_complete(shared.start())
    yield shared
    loop.run_until_complete(shared.close())


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSite]:
    with DemoSite(port=0) as site:
        yield site


@pytest.fixture
def config(demo: DemoSite, monkeypatch: pytest.MonkeyPatch) -> CouncilConfig:
    monkeypatch.setenv("DEMO_SITE", demo.base_url)
    monkeypatch.setenv("DEMO_SUPPLIER", demo.supplier_url)
    return load_config(CONFIG_DIR)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'monitor.db'}")


@pytest.fixture
def repository(settings: Settings) -> Repository:
    upgrade(settings.database_url)
    return Repository(settings.database_url)


def with_service(config: CouncilConfig, base_url: str, journeys: list[dict[str, Any]]) -> Any:
    """The council config with one extra service of the given journeys on a local site."""
    service = ServiceConfig.model_validate(
        {
            "id": "local-service",
            "name": "Local service",
            "owner": {"name": "Test team", "email": "test@example.gov.uk"},
            "start_urls": [f"{base_url}/"],
            "journeys": journeys,
        }
    )
    return dataclasses.replace(config, services=[*config.services, service])


def replay(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    **kwargs: Any,
) -> int:
    return loop.run_until_complete(
        run_journeys(settings, config, repository, runner=runner, **kwargs)
    )


# --- the demo journeys -------------------------------------------------------------------


def test_the_demo_journeys_complete_and_the_broken_one_fails_at_its_step(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
) -> None:
    events: list[JourneyEvent] = []
    run_id = replay(loop, runner, settings, config, repository, on_step=events.append)

    run = repository.run(run_id)
    assert run is not None and run.kind == "journeys" and run.status == RunStatus.completed
    attempts = {(r.journey_id, r.attempt): r for r in repository.journey_runs(run_id=run_id)}
    assert {k: r.outcome for k, r in attempts.items()} == {
        ("report-a-pothole", 1): "completed",
        ("check-eligibility", 1): "completed",
        ("join-the-library", 1): "completed",
        ("check-application-status", 1): "failed",
        ("check-application-status", 2): "failed",  # retried once; both attempts kept
    }
    for attempt in (1, 2):
        broken = attempts[("check-application-status", attempt)]
        assert broken.failed_step == 2 and not broken.flaky
        assert broken.reason is not None and broken.reason.startswith("http-error: ")
        assert "HTTP 500" in broken.reason
        assert broken.screenshot_path and broken.trace_path
        shot, trace = Path(broken.screenshot_path), Path(broken.trace_path)
        assert shot.read_bytes().startswith(b"\x89PNG")
        assert shot.parent == settings.evidence_dir / "journeys" / f"run-{run_id}"
        with zipfile.ZipFile(trace) as archive:
            assert any(name.endswith(".trace") for name in archive.namelist())
        steps = repository.journey_steps(broken.id or 0)
        assert [(s.index, s.status) for s in steps] == [
            (1, "passed"),
            (2, "failed"),
            (3, "skipped"),
        ]
        assert steps[1].url and steps[1].url.endswith("/apply-for-a-blue-badge/status")

    pothole = attempts[("report-a-pothole", 1)]
    assert pothole.screenshot_path is None and pothole.trace_path is None  # only failures
    steps = repository.journey_steps(pothole.id or 0)
    assert len(steps) == 16 and {s.status for s in steps} == {"passed"}
    assert steps[-1].url and "ref=POT-" in steps[-1].url

    # Live output saw every step of every attempt as it happened.
    step_events = [e for e in events if e.kind == "step"]
    assert len(step_events) == 16 + 8 + 10 + 2 * 2
    assert [e.kind for e in events[:2]] == ["journey-start", "step"]
    assert sum(e.kind == "journey-end" for e in events) == 5

    # The measures read the same rows: the broken journey counts once, as failed.
    by_journey = {c.journey_id: c for c in repository.journey_completion()}
    assert by_journey["check-application-status"].runs == 1
    assert by_journey["check-application-status"].rate == 0
    failing = by_journey["check-application-status"].most_failing_step
    assert failing is not None and failing.index == 2
    assert "Check the status of your application" in failing.name
    badge = {c.service_id: c for c in repository.service_journey_completion()}
    assert badge["apply-for-a-blue-badge"].rate == 50.0


def test_an_audited_step_reports_axe_findings_for_that_step(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
) -> None:
    service = config.service("report-a-pothole")
    journey = service.journeys[0].model_copy(
        update={
            "steps": [
                *service.journeys[0].steps[:1],
                service.journeys[0].steps[0].model_copy(update={"audit": True}),
            ]
        }
    )
    (outcome,) = loop.run_until_complete(
        runner.run_journey(service, journey, evidence_dir=settings.evidence_dir)
    )
    assert outcome.outcome == AttemptOutcome.completed
    assert not outcome.steps[0].findings  # step 1 is not audited
    image = [f for f in outcome.findings if f.rule == "image-alt"]
    assert image, [f.rule for f in outcome.findings]
    finding = image[0]
    assert finding.check == "axe" and finding.journey_id == "report-a-pothole"
    assert finding.journey_step == 2 and "1.1.1" in finding.wcag
    assert "#pothole-photo" in finding.selector and finding.snippet.startswith("<img")
    assert len(finding.snippet) <= 300 and finding.help_url and finding.impact == "critical"


# --- secrets -----------------------------------------------------------------------------


def files_holding(folder: Path, needles: list[str]) -> list[str]:
    """Every stored file (and every member of a zip) that contains one of the needles."""
    found = []
    encoded = [n.encode() for n in needles]
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        blobs = {str(path): path.read_bytes()}
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    blobs[f"{path}!{name}"] = archive.read(name)
        found += [where for where, blob in blobs.items() if any(n in blob for n in encoded)]
    return found


def test_a_secret_is_never_stored_logged_printed_or_kept_in_evidence(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    local_site: _Local,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from monitor.cli.journeys import _print_event

    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("COUNCIL_TEST_PASSWORD", SECRET)
    council = with_service(
        config,
        local_url(local_site),
        [
            {
                "id": "sign-in",
                "name": "Sign in to your account",
                "secrets": ["COUNCIL_TEST_PASSWORD"],
                "retries": 0,
                "step_timeout_seconds": 2,
                "audit_steps": True,
                "steps": [
                    {"goto": "/sign-in"},
                    {"fill": {"label": "Password", "value": "{{secret.COUNCIL_TEST_PASSWORD}}"}},
                    {"click": {"role": "button", "name": "Sign in"}},
                    {"expect": {"text": "Welcome back"}},  # never shown: the journey fails
                ],
            }
        ],
    )
    run_id = replay(
        loop,
        runner,
        settings,
        council,
        repository,
        service_ids=["local-service"],
        on_step=_print_event,
    )
    (row,) = repository.journey_runs(run_id=run_id)
    assert row.outcome == "failed" and row.failed_step == 4
    assert row.reason and row.reason.startswith("expectation-not-met") and MASK in row.reason
    steps = repository.journey_steps(row.id or 0)
    assert steps[2].url and MASK in steps[2].url  # the address carried the password
    assert steps[2].console_errors and MASK in steps[2].console_errors[0]
    # The evidence exists (so the scan below means something): the trace stops before the
    # step that typed the secret, and the screenshot is taken with the secret blanked.
    assert row.trace_path and Path(row.trace_path).is_file()
    assert row.screenshot_path and Path(row.screenshot_path).is_file()
    # The server really received the secret, so the journey really used it.
    assert any(quote_plus(SECRET) in path for _, path in local_site.requests)

    printed = capsys.readouterr()
    assert "Sign in" in printed.out and "FAILED" in printed.out
    for form in SECRET_FORMS:
        assert form not in printed.out + printed.err
        assert form not in caplog.text
    repository.engine.dispose()  # flush SQLite's WAL into the database file
    assert files_holding(settings.data_dir, SECRET_FORMS) == []


def test_masker_hides_every_encoding_of_a_secret() -> None:
    mask = Masker([SECRET])
    for form in SECRET_FORMS:
        assert mask.text(f"before {form} after") == f"before {MASK} after"
    assert mask(None) is None and Masker()("untouched") == "untouched"


# --- errored is not failed ---------------------------------------------------------------


def test_a_missing_secret_is_the_monitors_error_not_the_services(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    local_site: _Local,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COUNCIL_MISSING_TOKEN", raising=False)
    council = with_service(
        config,
        local_url(local_site),
        [
            {
                "id": "needs-a-token",
                "name": "Needs a token",
                "secrets": ["COUNCIL_MISSING_TOKEN"],
                "steps": [{"goto": "/sign-in?token={{secret.COUNCIL_MISSING_TOKEN}}"}],
            }
        ],
    )
    run_id = replay(loop, runner, settings, council, repository, service_ids=["local-service"])
    (row,) = repository.journey_runs(run_id=run_id)  # not retried: retrying cannot help
    assert row.outcome == "errored" and row.failed_step is None
    assert row.reason and "COUNCIL_MISSING_TOKEN" in row.reason
    assert local_site.requests == []  # the service was never asked
    (completion,) = repository.journey_completion(service_id="local-service")
    assert completion.errored == 1 and completion.runs == 0 and completion.rate is None


def test_a_browser_that_cannot_start_errors_every_journey(
    loop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    config: CouncilConfig,
    repository: Repository,
) -> None:
    broken = Settings(data_dir=tmp_path, chromium_path=tmp_path / "no-such-chromium")
    run_id = loop.run_until_complete(
        run_journeys(broken, config, repository, service_ids=["apply-for-a-blue-badge"])
    )
    run = repository.run(run_id)
    assert run is not None and run.status == RunStatus.failed
    assert run.error and "browser could not start" in run.error
    rows = repository.journey_runs(run_id=run_id)
    assert sorted(r.journey_id for r in rows) == ["check-application-status", "check-eligibility"]
    assert {r.outcome for r in rows} == {"errored"}


# --- time limits, retries, stop markers --------------------------------------------------


def test_a_step_waiting_for_what_never_appears_fails_after_its_limit(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    local_site: _Local,
) -> None:
    council = with_service(
        config,
        local_url(local_site),
        [
            {
                "id": "wait-step",
                "name": "Wait for a step",
                "retries": 0,
                "steps": [
                    {"goto": "/empty"},
                    {"wait_for": {"text": "Your reference"}, "timeout_seconds": 1},
                ],
            },
            {
                "id": "wait-journey",
                "name": "Wait for the journey",
                "retries": 0,
                "timeout_seconds": 1.5,
                "step_timeout_seconds": 30,
                "steps": [{"goto": "/empty"}, {"wait_for": {"role": "button", "name": "Go"}}],
            },
        ],
    )
    service = council.service("local-service")
    for journey, limit in zip(service.journeys, ("step's limit of 1s", "journey's"), strict=True):
        began = time.monotonic()
        (outcome,) = loop.run_until_complete(
            runner.run_journey(service, journey, evidence_dir=settings.evidence_dir)
        )
        took = time.monotonic() - began
        assert outcome.outcome == AttemptOutcome.failed and outcome.failed_step == 2
        assert outcome.reason and outcome.reason.startswith("timeout: ") and limit in outcome.reason
        assert took < 10, took  # bounded: nowhere near the 30s step limit


def test_a_missing_button_fails_the_service_and_a_crashed_tab_errors_the_monitor(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    local_site: _Local,
) -> None:
    council = with_service(
        config,
        local_url(local_site),
        [
            {
                "id": "no-continue",
                "name": "Continue where there is no Continue button",
                "retries": 0,
                "step_timeout_seconds": 1,
                "steps": [{"goto": "/empty"}, {"click": {"role": "button", "name": "Continue"}}],
            },
            {
                "id": "tab-crash",
                "name": "The browser tab crashes",
                "steps": [{"goto": "/empty"}, {"goto": "chrome://crash"}],
            },
        ],
    )
    service = council.service("local-service")
    (missing,) = loop.run_until_complete(
        runner.run_journey(service, service.journeys[0], evidence_dir=settings.evidence_dir)
    )
    assert missing.outcome == AttemptOutcome.failed and missing.failed_step == 2
    assert missing.reason == 'element-not-found: no button "Continue" on the page after 1s'
    assert missing.screenshot_path is not None and missing.screenshot_path.is_file()

    crashed = loop.run_until_complete(
        runner.run_journey(service, service.journeys[1], evidence_dir=settings.evidence_dir)
    )
    assert [a.outcome for a in crashed] == [AttemptOutcome.errored]  # not retried, not "failed"
    assert crashed[0].failed_step is None and crashed[0].screenshot_path is None
    assert crashed[0].reason and "crashed" in crashed[0].reason
    assert crashed[0].steps[1].status == StepStatus.errored


def test_a_journey_that_passes_on_retry_is_kept_twice_and_marked_flaky(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    local_site: _Local,
) -> None:
    council = with_service(
        config,
        local_url(local_site),
        [
            {
                "id": "report-a-fault",
                "name": "Report a fault",
                "steps": [{"goto": "/flaky"}, {"expect": {"text": "Tell us about the fault"}}],
            }
        ],
    )
    run_id = replay(loop, runner, settings, council, repository, service_ids=["local-service"])
    first, second = sorted(repository.journey_runs(run_id=run_id), key=lambda r: r.attempt)
    assert (first.attempt, first.outcome, first.flaky) == (1, "failed", False)
    assert first.failed_step == 1 and first.reason and "HTTP 503" in first.reason
    assert (second.attempt, second.outcome, second.flaky) == (2, "completed", True)
    (completion,) = repository.journey_completion(service_id="local-service")
    assert (completion.runs, completion.completed, completion.flaky) == (1, 1, 1)
    assert completion.rate == 100.0


@pytest.mark.parametrize(
    ("marker", "safe", "posts"),
    [
        ({"submits": True}, False, 0),
        ({"stop_before": True}, False, 0),
        ({"submits": True}, True, 1),  # the control: the same journey, allowed to send
    ],
)
def test_a_journey_stops_before_submitting_unless_it_is_safe_to(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    local_site: _Local,
    marker: dict[str, bool],
    safe: bool,
    posts: int,
) -> None:
    send = {"click": {"role": "button", "name": "Accept and send"}}
    steps: list[dict[str, Any]] = [{"goto": "/send"}]
    steps += [{**send, **marker}] if "submits" in marker else [marker, send]
    steps += [{"expect": {"text": "Report sent"}}]
    council = with_service(
        config,
        local_url(local_site),
        [{"id": "send", "name": "Send a report", "safe_to_submit": safe, "steps": steps}],
    )
    service = council.service("local-service")
    (outcome,) = loop.run_until_complete(
        runner.run_journey(service, service.journeys[0], evidence_dir=settings.evidence_dir)
    )
    assert [m for m, _ in local_site.requests].count("POST") == posts
    if safe:
        assert outcome.outcome == AttemptOutcome.completed
    else:
        assert outcome.outcome == AttemptOutcome.completed_up_to_stop
        assert outcome.steps[1].status == StepStatus.stopped
        assert {s.status for s in outcome.steps[2:]} == {StepStatus.skipped}


# --- config mistakes ---------------------------------------------------------------------


def test_a_journey_mistake_names_the_file_the_line_and_what_was_expected(
    tmp_path: Path,
) -> None:
    import shutil

    folder = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, folder)
    services = folder / "services.yaml"
    text = services.read_text()
    anchor = "    tags: {directorate: children-young-people-education}\n"
    assert anchor in text
    services.write_text(
        text.replace(
            anchor,
            anchor + "    journeys:\n"
            "      - id: find-a-school\n"
            "        name: Find a school\n"
            "        steps:\n"
            "          - goto: /school-admissions\n"
            "          - tap: {role: link, name: Primary}\n"
            "          - expect: {}\n"
            "      - id: find-a-school-by-postcode\n"
            "        name: Find a school by postcode\n"
            "        steps:\n"
            "          - fill: {label: Postcode, value: '{{postcode}}'}\n",
        )
    )
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    found = [str(p) for p in caught.value.problems]
    lines = services.read_text().splitlines()

    def line(needle: str) -> int:
        return next(i for i, text in enumerate(lines, start=1) if needle in text)

    where = f"{services}:"
    assert any(
        p.startswith(f"{where}{line('- tap:')}:")
        and "services[3].journeys[0].steps[1].tap: unknown key" in p
        for p in found
    ), found
    assert any(
        p.startswith(f"{where}{line('- expect: {}')}:")
        and "journeys[0].steps[2].expect" in p
        and "expected one of text, url, title or element" in p
        for p in found
    ), found
    assert any(
        p.startswith(f"{where}{line('- id: find-a-school-by-postcode')}:")
        and "services[3].journeys[1]" in p
        and "{{postcode}}; expected postcode in variables" in p
        for p in found
    ), found


# --- evidence housekeeping and the command line -----------------------------------------


def test_old_journey_evidence_is_removed_and_recent_runs_kept(tmp_path: Path) -> None:
    root = tmp_path / "journeys"
    for run_id in (1, 2, 3):
        (root / f"run-{run_id}").mkdir(parents=True)
        (root / f"run-{run_id}" / "shot.png").write_bytes(b"x")
    (root / "notes.txt").write_text("not a run")
    removed = clean_old_journey_evidence(tmp_path, keep_run_ids=[3])
    assert sorted(p.name for p in removed) == ["run-1", "run-2"]
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt", "run-3"]
    assert clean_old_journey_evidence(tmp_path / "nowhere", [1]) == []


def test_monitor_journeys_list_and_run_show_each_step(
    demo: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEMO_SITE", demo.base_url)
    monkeypatch.setenv("DEMO_SUPPLIER", demo.supplier_url)
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(CONFIG_DIR))
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        cli = CliRunner()
        listed = cli.invoke(app, ["journeys", "list"], env={"COLUMNS": "200"})
        assert listed.exit_code == 0, listed.output
        for journey_id in ("report-a-pothole", "check-eligibility", "join-the-library"):
            assert journey_id in listed.output
        ran = cli.invoke(
            app,
            ["journeys", "run", "--service", "apply-for-a-blue-badge"],
            env={"COLUMNS": "200"},
        )
        assert ran.exit_code == 1, ran.output  # the broken journey fails
        assert "Check if you are eligible" in ran.output and "completed" in ran.output
        assert "FAILED: http-error" in ran.output and "retry 1" in ran.output
        assert "1 of 2 journey(s) completed" in ran.output
        unknown = cli.invoke(app, ["journeys", "run", "--journey", "no-such-journey"])
        assert unknown.exit_code == 2 and "no-such-journey" in unknown.output
        monkeypatch.setenv("MONITOR_CHROMIUM_PATH", str(tmp_path / "no-such-chromium"))
        get_settings.cache_clear()
        no_browser = cli.invoke(app, ["journeys", "run", "--journey", "check-eligibility"])
        assert no_browser.exit_code == 3, no_browser.output
        assert "browser could not start" in no_browser.output
    finally:
        get_settings.cache_clear()


def test_an_invalid_submission_must_say_what_is_wrong(
    loop: asyncio.AbstractEventLoop,
    runner: JourneyRunner,
    settings: Settings,
    config: CouncilConfig,
    local: _Local,
) -> None:
    # The demo's pothole form names its errors: no 3.3.1 finding.
    service = config.service("report-a-pothole")
    journey = service.journeys[0]
    assert any(step.invalid_submission for step in journey.steps)
    (good,) = loop.run_until_complete(
        runner.run_journey(service, journey, evidence_dir=settings.evidence_dir)
    )
    assert good.outcome == AttemptOutcome.completed
    assert not [f for f in good.findings if "3.3.1" in f.wcag]
    # A form that silently rejects what it is sent is flagged at that step.
    local_config = with_service(
        config,
        local_url(local),
        [
            {
                "id": "silent",
                "name": "Silent form",
                "steps": [
                    {"goto": "/silent-form"},
                    {"click": {"role": "button", "name": "Send"}, "invalid_submission": True},
                ],
            }
        ],
    )
    silent_service = local_config.service("local-service")
    (bad,) = loop.run_until_complete(
        runner.run_journey(
            silent_service, silent_service.journeys[0], evidence_dir=settings.evidence_dir
        )
    )
    flagged = [f for f in bad.findings if "3.3.1" in f.wcag]
    assert flagged and flagged[0].journey_id == "silent" and flagged[0].journey_step == 2
