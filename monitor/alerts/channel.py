"""The alert channel interface: one module per channel (``email``, ``webhook``), and what
the rules hand them (``AlertItem``) and they send (``AlertMessage``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from monitor.config import AlertChannelConfig


class AlertDeliveryError(RuntimeError):
    """A channel could not deliver a message; the message says why, in one line."""


@dataclass(frozen=True)
class AlertItem:
    """One thing a service owner should hear about, once: ``key`` names it for ever."""

    key: str
    kind: str
    service_id: str | None
    title: str
    detail: str = ""


@dataclass
class AlertMessage:
    """What a channel sends: a subject, a plain-text body, and who it is for."""

    subject: str
    body: str
    service_id: str | None = None
    recipients: list[str] = field(default_factory=list)
    link: str | None = None
    items: list[AlertItem] = field(default_factory=list)


class AlertChannel(ABC):
    """Email, Teams or Slack: ``send`` delivers one message or raises AlertDeliveryError."""

    kind: str = ""

    def __init__(self, config: AlertChannelConfig) -> None:
        self.config = config
        self.id = config.id

    def accepts(self, service_id: str | None) -> bool:
        return not self.config.services or service_id in self.config.services

    def recipients(self, owner_email: str | None) -> list[str]:
        """Who receives a service's alerts on this channel (a webhook has one place)."""
        return [self.id]

    @abstractmethod
    def send(self, alert: AlertMessage) -> None: ...
