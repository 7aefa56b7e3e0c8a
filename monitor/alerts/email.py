"""Alerts by email over SMTP (smtplib), to each service's owner and any listed addresses."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from monitor.alerts.channel import AlertChannel, AlertDeliveryError, AlertMessage
from monitor.config import AlertChannelConfig


class EmailChannel(AlertChannel):
    kind = "email"

    def __init__(self, config: AlertChannelConfig, environ: Mapping[str, str]) -> None:
        super().__init__(config)
        # Read now, so a missing secret is reported on every attempt, not a crash later.
        self.password = environ.get(config.password_env) if config.password_env else None

    def recipients(self, owner_email: str | None) -> list[str]:
        found = [owner_email] if self.config.to_owners and owner_email else []
        return sorted({*found, *self.config.to})

    def send(self, alert: AlertMessage) -> None:
        config = self.config
        assert config.smtp_host and config.sender
        if not alert.recipients:
            raise AlertDeliveryError("no recipients")
        if config.password_env and self.password is None:
            raise AlertDeliveryError(f"the SMTP password is not set (${config.password_env})")
        message = EmailMessage()
        message["From"] = config.sender
        message["To"] = ", ".join(alert.recipients)
        message["Subject"] = alert.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2])
        message.set_content(alert.body + "\n")
        try:
            smtp: smtplib.SMTP
            if config.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    config.smtp_host,
                    config.smtp_port,
                    timeout=config.timeout_seconds,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(
                    config.smtp_host, config.smtp_port, timeout=config.timeout_seconds
                )
            with smtp:
                if config.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if config.username:
                    smtp.login(config.username, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            raise AlertDeliveryError(
                f"email to {config.smtp_host}:{config.smtp_port} failed: {exc}"
            ) from exc
