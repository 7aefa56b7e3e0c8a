"""Alerts to owners through a real SMTP server and real webhook receivers on 127.0.0.1:
what is worth an alert, once per issue (not per run), and what was sent is recorded."""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from crawlers.base import FindingData
from monitor.alerts import send_alerts, send_digest
from monitor.cli import app
from monitor.config import AlertsConfig, CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import Feedback, JourneyRun, PageResult, PageStatus, RunStatus, utcnow
from monitor.repository import Repository
from monitor.settings import get_settings
from monitor.yamlsource import ConfigError
from tests.conftest import CONFIG_DIR, config_folder
from tests.servers import free_port

pytestmark = pytest.mark.timeout(120)

SERVICE = "report-a-pothole"
OWNER = "highways.digital@example.gov.uk"


class Mailbox:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": parsed["Subject"],
                "body": parsed.get_content(),
            }
        )
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


class Hooks:
    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any]]] = []
        self.status = 200


@pytest.fixture(scope="module")
def hooks() -> Iterator[tuple[Hooks, str]]:
    received = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.posts.append((self.path, json.loads(body)))
            self.send_response(received.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def config(mailbox: tuple[Mailbox, int], hooks: tuple[Hooks, str]) -> CouncilConfig:
    box, port = mailbox
    box.messages.clear()
    received, base = hooks
    received.posts.clear()
    received.status = 200
    alerts = AlertsConfig.model_validate(
        {
            "channels": [
                {
                    "id": "owners-email",
                    "type": "email",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": port,
                    "from": "monitor@example.gov.uk",
                    "to": ["digital.team@example.gov.uk"],
                },
                {"id": "teams", "type": "teams", "url": f"{base}/teams"},
                {"id": "slack", "type": "slack", "url": f"{base}/slack", "services": [SERVICE]},
            ],
            "dashboard_url": "http://127.0.0.1:8501/",
        }
    )
    return dataclasses.replace(load_config(CONFIG_DIR), alerts=alerts)


def audit_with(
    repository: Repository, findings: list[FindingData], *, service_id: str = SERVICE
) -> int:
    """Record a completed audit run of one page with these findings."""
    run = repository.create_run(service_ids=[service_id])
    assert run.id is not None
    repository.start_run(run.id, holder="test:1")
    page = repository.upsert_page(service_id, f"https://example.gov.uk/{service_id}")
    assert page.id is not None
    repository.record_page(
        PageResult(
            run_id=run.id, page_id=page.id, service_id=service_id, status=PageStatus.audited
        ),
        findings,
    )
    repository.update_issues(run.id, service_id)
    repository.finish_run(run.id, RunStatus.completed)
    return run.id


IMAGE_ALT = FindingData(
    check="axe",
    rule="image-alt",
    message="Images must have alternative text",
    wcag=("1.1.1",),
    impact="critical",
    selector="#pothole-photo",
)
CONTRAST = FindingData(
    check="axe",
    rule="color-contrast",
    message="Elements must meet minimum colour contrast",
    wcag=("1.4.3",),
    impact="serious",
    selector=".hint",
)
MINOR = FindingData(check="axe", rule="region", message="Content in landmarks", impact="moderate")


def test_new_serious_issues_reach_owners_once_not_once_per_run(
    repository: Repository,
    config: CouncilConfig,
    mailbox: tuple[Mailbox, int],
    hooks: tuple[Hooks, str],
) -> None:
    box, _ = mailbox
    received, _ = hooks
    repository.sync_services(config.services)
    audit_with(repository, [IMAGE_ALT, MINOR])

    report = send_alerts(config, repository)

    assert report.failed == 0 and report.sent == 3  # one issue, three channels
    assert len(box.messages) == 1
    mail = box.messages[0]
    assert sorted(mail["to"]) == ["digital.team@example.gov.uk", OWNER]
    assert "image-alt" in mail["subject"] and "Report a pothole" in mail["subject"]
    assert "#pothole-photo" in mail["body"] and "http://127.0.0.1:8501/" in mail["body"]
    assert sorted(path for path, _ in received.posts) == ["/slack", "/teams"]
    teams = next(body for path, body in received.posts if path == "/teams")
    card = teams["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and "image-alt" in card["body"][0]["text"]
    slack = next(body for path, body in received.posts if path == "/slack")
    assert "image-alt" in slack["text"]

    # Sending again, and another run still seeing the same issue, send nothing new.
    assert send_alerts(config, repository).sent == 0
    audit_with(repository, [IMAGE_ALT, MINOR])
    assert send_alerts(config, repository).sent == 0
    assert len(box.messages) == 1 and len(received.posts) == 2

    # A new serious issue is one more alert, about that issue only.
    audit_with(repository, [IMAGE_ALT, MINOR, CONTRAST])
    assert send_alerts(config, repository).sent == 3
    assert len(box.messages) == 2
    assert "color-contrast" in box.messages[1]["subject"]
    assert "image-alt" not in box.messages[1]["body"]

    rows = repository.alerts(service_id=SERVICE)
    assert sorted(r.key for r in rows) == sorted(
        f"issue:{i.id}:new|{channel}"
        for i in repository.issues(service_id=SERVICE)
        if i.impact in ("serious", "critical")
        for channel in ("owners-email", "teams", "slack")
    )
    assert {r.status for r in rows} == {"sent"}


def test_a_journey_failing_twice_in_a_row_is_one_alert(
    repository: Repository, config: CouncilConfig, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    repository.sync_services(config.services)

    def journey_run(outcome: str) -> None:
        run = repository.create_run(kind="journeys", service_ids=[SERVICE])
        assert run.id is not None
        repository.record_journey_attempt(
            JourneyRun(
                run_id=run.id,
                service_id=SERVICE,
                journey_id="report-a-pothole",
                outcome=outcome,
                failed_step=None if outcome == "completed" else 4,
                reason=None if outcome == "completed" else "no element with the role alert",
                finished_at=utcnow(),
            ),
            [],
        )

    journey_run("completed")
    journey_run("failed")
    send_alerts(config, repository)
    assert box.messages == []  # once is not yet a pattern
    journey_run("failed")
    send_alerts(config, repository)
    journey_run("failed")
    send_alerts(config, repository)
    assert len(box.messages) == 1
    assert "failed 2 times in a row" in box.messages[0]["subject"]
    assert "step 4" in box.messages[0]["body"]
    # It recovers, then fails twice again: a new streak is a new alert.
    journey_run("completed")
    journey_run("errored")
    journey_run("failed")
    send_alerts(config, repository)
    assert len(box.messages) == 2


def test_satisfaction_below_target_alerts_once_per_spell(
    repository: Repository, config: CouncilConfig, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    repository.sync_services(config.services)

    def ratings(rating: int, count: int) -> None:
        for _ in range(count):
            repository.add_feedback(
                Feedback(service_id=SERVICE, kind="satisfaction", rating=rating)
            )

    ratings(1, 6)
    ratings(5, 6)  # 50% satisfied against a target of 80%
    send_alerts(config, repository)
    send_alerts(config, repository)
    below = [m for m in box.messages if "Resident satisfaction is below target" in m["subject"]]
    assert len(below) == 1 and "50.0%" in below[0]["subject"]
    ratings(5, 60)  # back on target: the spell closes silently
    send_alerts(config, repository)
    assert len(box.messages) == 1
    ratings(1, 100)  # below again: a new spell, a new alert
    send_alerts(config, repository)
    assert len(box.messages) == 2


def test_a_failed_delivery_is_recorded_and_retried(
    sqlite_repository: Repository, config: CouncilConfig, hooks: tuple[Hooks, str]
) -> None:
    repository = sqlite_repository
    received, _ = hooks
    repository.sync_services(config.services)
    audit_with(repository, [IMAGE_ALT])
    received.status = 500
    report = send_alerts(config, repository)
    assert report.failed == 2 and report.sent == 1  # the webhooks failed, the email went
    failed = [r for r in repository.alerts() if r.status == "failed"]
    assert {r.channel for r in failed} == {"teams", "slack"}
    assert all("HTTP 500" in (r.error or "") for r in failed)
    received.status = 200
    report = send_alerts(config, repository)
    assert (report.sent, report.failed) == (2, 0)
    assert {r.status for r in repository.alerts()} == {"sent"}


def test_the_daily_digest_is_sent_once_a_day(
    sqlite_repository: Repository, config: CouncilConfig, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    repository = sqlite_repository
    repository.sync_services(config.services)
    audit_with(repository, [IMAGE_ALT, CONTRAST])
    only_email = dataclasses.replace(
        config, alerts=AlertsConfig(channels=[config.alerts.channels[0]])
    )
    send_digest(only_email, repository)
    send_digest(only_email, repository)
    digests = [m for m in box.messages if "Daily summary" in m["subject"]]
    assert len(digests) == len(config.services)
    pothole = next(m for m in digests if OWNER in m["to"])
    assert "1 critical, 1 serious" in pothole["body"]


def test_alert_and_schedule_config_mistakes_are_named(tmp_path: Path) -> None:
    shutil.copytree(CONFIG_DIR, tmp_path, dirs_exist_ok=True)
    text = (CONFIG_DIR / "services.yaml").read_text().split("\nschedule:")[0]
    text += (
        "\nschedule:\n  audit: '0 25 * * *'\n  timezone: Mars/Olympus\n"
        "alerts:\n  channels:\n"
        "    - {id: teams, type: teams}\n"
        "    - {id: mail, type: email, smtp_host: localhost, from: not-an-email}\n"
    )
    (tmp_path / "services.yaml").write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    messages = "\n".join(str(p) for p in caught.value.problems)
    assert "schedule.audit" in messages and "cron" in messages
    assert "schedule.timezone" in messages
    assert "alerts.channels[0]" in messages and "url or url_env" in messages
    assert "alerts.channels[1].from" in messages


def alerts_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alerts_yaml: str
) -> tuple[int, str, Repository]:
    """``monitor alerts send`` with the demo services and this ``alerts:`` section, after an
    audit that found a new critical issue; its exit code, its output and the database."""
    services = (CONFIG_DIR / "services.yaml").read_text() + alerts_yaml
    folder = config_folder(tmp_path, services)
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(folder))
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        upgrade(url)
        repository = Repository(url)
        repository.sync_services(load_config(folder).services)
        audit_with(repository, [IMAGE_ALT])
        result = CliRunner().invoke(app, ["alerts", "send"])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output, repository


def test_alerts_send_with_no_channel_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output, repository = alerts_send(tmp_path, monkeypatch, "")
    assert code == 2, output
    assert "No alert channel is configured, so no alert can be sent" in output
    assert str(tmp_path / "config" / "services.yaml") in output
    assert "0 sent" not in output and repository.alerts() == []


def test_alerts_send_names_a_missing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: tuple[Hooks, str]
) -> None:
    received, base = hooks
    received.status = 200
    monkeypatch.delenv("TEST_TEAMS_WEBHOOK", raising=False)
    monkeypatch.setenv("TEST_SLACK_WEBHOOK", f"{base}/slack")
    code, output, repository = alerts_send(
        tmp_path,
        monkeypatch,
        "alerts:\n  channels:\n"
        "    - {id: digital-team, type: teams, url_env: TEST_TEAMS_WEBHOOK}\n"
        "    - {id: highways, type: slack, url_env: TEST_SLACK_WEBHOOK}\n",
    )
    assert code == 2, output
    assert "channel digital-team: the environment variable TEST_TEAMS_WEBHOOK is not set" in output
    # The channel that can send still does; the other's alert waits, recorded as failed.
    assert {(a.channel, a.status) for a in repository.alerts()} == {
        ("slack", "sent"),
        ("teams", "failed"),
    }


def test_alerts_send_that_cannot_deliver_is_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hooks: tuple[Hooks, str]
) -> None:
    received, base = hooks
    received.status = 503
    try:
        code, output, repository = alerts_send(
            tmp_path,
            monkeypatch,
            f"alerts:\n  channels:\n    - {{id: digital-team, type: teams, url: '{base}/teams'}}\n",
        )
    finally:
        received.status = 200
    assert code == 3, output
    assert "1 alert(s) found; 0 sent, 1 failed." in output and "HTTP 503" in output
    assert [a.status for a in repository.alerts()] == ["failed"]
