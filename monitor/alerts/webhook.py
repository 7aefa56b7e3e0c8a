"""Alerts to a Microsoft Teams or Slack channel through an incoming webhook (httpx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from monitor.alerts.channel import AlertChannel, AlertDeliveryError, AlertMessage
from monitor.config import AlertChannelConfig


class _WebhookChannel(AlertChannel):
    def __init__(self, config: AlertChannelConfig, environ: Mapping[str, str]) -> None:
        super().__init__(config)
        self.url = config.url or (environ.get(config.url_env) if config.url_env else None)

    def payload(self, alert: AlertMessage) -> dict[str, Any]:
        raise NotImplementedError

    def send(self, alert: AlertMessage) -> None:
        if not self.url:
            raise AlertDeliveryError(f"the webhook address is not set (${self.config.url_env})")
        try:
            response = httpx.post(
                self.url, json=self.payload(alert), timeout=self.config.timeout_seconds
            )
        except httpx.HTTPError as exc:
            raise AlertDeliveryError(f"{self.kind} webhook unreachable: {exc}") from exc
        if not response.is_success:
            raise AlertDeliveryError(
                f"{self.kind} webhook answered HTTP {response.status_code}: {response.text[:200]}"
            )


class TeamsChannel(_WebhookChannel):
    """A Teams channel's incoming webhook (a Workflows "when a webhook request is received"
    flow), sent an Adaptive Card."""

    kind = "teams"

    def payload(self, alert: AlertMessage) -> dict[str, Any]:
        body: list[dict[str, Any]] = [
            {
                "type": "TextBlock",
                "size": "Medium",
                "weight": "Bolder",
                "text": alert.subject,
                "wrap": True,
            },
            {"type": "TextBlock", "text": alert.body, "wrap": True},
        ]
        actions = (
            [{"type": "Action.OpenUrl", "title": "Open the dashboard", "url": alert.link}]
            if alert.link
            else []
        )
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": body,
                        "actions": actions,
                    },
                }
            ],
        }


class SlackChannel(_WebhookChannel):
    """A Slack incoming webhook."""

    kind = "slack"

    def payload(self, alert: AlertMessage) -> dict[str, Any]:
        text = f"*{alert.subject}*\n{alert.body}"
        return {
            "text": text,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}],
        }
