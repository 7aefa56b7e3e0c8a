"""Alerts to service owners, through channels behind one interface.

The rules (``monitor.alerts.rules``) say what is worth an alert: a journey that failed
twice in a row, new serious or critical accessibility issues, a measure below its
target. ``send_alerts`` sends each of those once per channel, ever (the ``Alert`` row's
unique key), grouping one service's new alerts into one message; ``send_digest`` sends an
optional daily summary. Every attempt is recorded with its status and any error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.alerts.channel import AlertChannel, AlertDeliveryError, AlertItem, AlertMessage
from monitor.alerts.email import EmailChannel
from monitor.alerts.rules import digest_items, find_alerts
from monitor.alerts.webhook import SlackChannel, TeamsChannel
from monitor.models import Alert, utcnow

if TYPE_CHECKING:
    from monitor.config import CouncilConfig
    from monitor.repository import Repository

log = logging.getLogger(__name__)


def make_channels(
    config: CouncilConfig, environ: Mapping[str, str] | None = None
) -> list[AlertChannel]:
    """The channels of services.yaml's ``alerts:`` section, secrets from the environment."""

    env = os.environ if environ is None else environ
    channels: list[AlertChannel] = []
    for item in config.alerts.channels:
        if item.type == "email":
            channels.append(EmailChannel(item, env))
        elif item.type == "teams":
            channels.append(TeamsChannel(item, env))
        else:
            channels.append(SlackChannel(item, env))
    return channels


def missing_secrets(config: CouncilConfig, environ: Mapping[str, str] | None = None) -> list[str]:
    """Each channel whose secret (``password_env``, ``url_env``) is not in the environment,
    named with the variable to set: it could send nothing."""
    env = os.environ if environ is None else environ
    missing = []
    for channel in config.alerts.channels:
        for name in (channel.password_env, channel.url_env):
            if name and not env.get(name):
                missing.append(f"channel {channel.id}: the environment variable {name} is not set")
    return missing


@dataclass
class AlertReport:
    """What one round of alerting did."""

    found: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _deliver(
    repository: Repository,
    channel: AlertChannel,
    items: Sequence[AlertItem],
    message: AlertMessage,
    report: AlertReport,
) -> None:
    """Claim each item on this channel (skipping those sent already), then send once."""
    claimed: list[tuple[AlertItem, Alert]] = []
    for item in items:
        row = repository.claim_alert(
            Alert(
                key=f"{item.key}|{channel.id}",
                kind=item.kind,
                service_id=item.service_id,
                channel=channel.kind,
                recipient=", ".join(message.recipients)[:500],
                subject=message.subject[:500],
                body=message.body,
            )
        )
        if row is not None:
            claimed.append((item, row))
    if not claimed:
        return
    if len(claimed) < len(items):  # some were sent before: say only what is new
        message = compose(message.subject, [i for i, _ in claimed], message)
    error: str | None = None
    try:
        channel.send(message)
    except AlertDeliveryError as exc:
        error = str(exc)
    except Exception as exc:  # a fault in a channel must not stop the other channels
        log.exception("alert channel %s failed", channel.id)
        error = f"{type(exc).__name__}: {exc}"
    for _, row in claimed:
        assert row.id is not None
        repository.alert_delivered(row.id, error=error)
    if error:
        report.failed += len(claimed)
        report.errors.append(f"{channel.id}: {error}")
    else:
        report.sent += len(claimed)


def compose(
    subject: str, items: Sequence[AlertItem], template: AlertMessage | None = None
) -> AlertMessage:
    lines = []
    for item in items:
        lines.append(f"- {item.title}")
        if item.detail:
            lines.extend(f"  {line}" for line in item.detail.splitlines())
    link = template.link if template else None
    if link:
        lines += ["", f"See the dashboard: {link}"]
    return AlertMessage(
        subject=subject,
        body="\n".join(lines),
        service_id=template.service_id if template else None,
        recipients=list(template.recipients) if template else [],
        link=link,
        items=list(items),
    )


def _grouped(items: Sequence[AlertItem]) -> dict[str | None, list[AlertItem]]:
    groups: dict[str | None, list[AlertItem]] = {}
    for item in items:
        groups.setdefault(item.service_id, []).append(item)
    return groups


def _subject(service_name: str, items: Sequence[AlertItem]) -> str:
    if len(items) == 1:
        return f"{service_name}: {items[0].title}"
    return f"{service_name}: {len(items)} new alerts from the digital-experience monitor"


def dispatch(
    config: CouncilConfig,
    repository: Repository,
    items: Sequence[AlertItem],
    channels: Sequence[AlertChannel],
) -> AlertReport:
    """Send these items on every channel that takes their service, once each."""
    report = AlertReport(found=len(items))
    names = {s.id: s.name for s in config.services}
    owners = {s.id: s.owner.email for s in config.services}
    link = config.alerts.dashboard_url
    for service_id, group in _grouped(items).items():
        name = names.get(service_id or "", "All services")
        for channel in channels:
            if not channel.accepts(service_id):
                continue
            template = AlertMessage(
                subject="",
                body="",
                service_id=service_id,
                recipients=channel.recipients(owners.get(service_id or "")),
                link=link,
            )
            if not template.recipients:
                continue
            message = compose(_subject(name, group), group, template)
            _deliver(repository, channel, group, message, report)
    return report


def send_alerts(
    config: CouncilConfig,
    repository: Repository,
    *,
    channels: Sequence[AlertChannel] | None = None,
    now: datetime | None = None,
) -> AlertReport:
    """Find what is worth telling owners now, and tell them (once per item and channel)."""
    return _send(find_alerts, config, repository, channels, now)


def send_digest(
    config: CouncilConfig,
    repository: Repository,
    *,
    channels: Sequence[AlertChannel] | None = None,
    now: datetime | None = None,
) -> AlertReport:
    """The daily digest: one message per service and channel, at most once a day."""
    return _send(digest_items, config, repository, channels, now)


def _send(
    find: Callable[..., list[AlertItem]],
    config: CouncilConfig,
    repository: Repository,
    channels: Sequence[AlertChannel] | None,
    now: datetime | None,
) -> AlertReport:
    chosen = make_channels(config) if channels is None else list(channels)
    items = find(config, repository, now=now or utcnow())
    if not chosen:
        return AlertReport(found=len(items))
    return dispatch(config, repository, items, chosen)


__all__ = [
    "AlertChannel",
    "AlertDeliveryError",
    "AlertItem",
    "AlertMessage",
    "AlertReport",
    "dispatch",
    "make_channels",
    "missing_secrets",
    "send_alerts",
    "send_digest",
]
