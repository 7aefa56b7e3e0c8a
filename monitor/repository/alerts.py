"""Reads and writes of alerts to service owners.

An alert row's ``key`` is unique: ``{what}|{channel}``, e.g. ``issue:42:new|owners-email``.
A row is claimed (status ``sending``) before the message goes out, so two processes can
never send the same alert twice; it then becomes ``sent`` or ``failed`` (with the error),
and a failed one is tried again next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from monitor.models import Alert, FindingOutcome, Issue, IssueStatus, utcnow
from monitor.repository.base import RepositoryBase

#: A claim older than this was left by a process that died while sending: try again.
SENDING_EXPIRES = timedelta(minutes=10)


class AlertRepository(RepositoryBase):
    """Alerts sent to service owners, and the facts the alert rules read."""

    def claim_alert(self, alert: Alert) -> Alert | None:
        """Record that this alert is being sent now; None if it was sent (or is being
        sent) already. A failed or abandoned earlier attempt is taken over and retried."""
        alert.status = "sending"
        alert.sent_at = utcnow()
        with self.session() as session:
            session.add(alert)
            try:
                session.commit()
                session.refresh(alert)
                return alert
            except IntegrityError:
                session.rollback()
            count = session.execute(
                update(Alert)
                .where(
                    col(Alert.key) == alert.key,
                    or_(
                        col(Alert.status) == "failed",
                        (col(Alert.status) == "sending")
                        & (col(Alert.sent_at) < utcnow() - SENDING_EXPIRES),
                    ),
                )
                .values(
                    status="sending",
                    sent_at=utcnow(),
                    subject=alert.subject,
                    body=alert.body,
                    recipient=alert.recipient,
                )
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
            if not count:
                return None
            return session.exec(select(Alert).where(Alert.key == alert.key)).one()

    def alert_delivered(self, alert_id: int, *, error: str | None = None) -> None:
        """Mark a claimed alert ``sent``, or ``failed`` with the reason."""
        with self.session() as session:
            row = session.get_one(Alert, alert_id)
            row.status = "failed" if error else "sent"
            row.error = error[:4000] if error else None
            row.sent_at = utcnow()
            session.add(row)
            session.commit()

    def record_alert_marker(self, key: str, kind: str, service_id: str | None) -> bool:
        """A row that sends nothing but remembers a state (a measure back on target)."""
        with self.session() as session:
            session.add(
                Alert(key=key, kind=kind, service_id=service_id, channel="none", status="noted")
            )
            try:
                session.commit()
            except IntegrityError:
                return False
            return True

    def alerts(
        self, *, service_id: str | None = None, prefix: str | None = None, limit: int = 200
    ) -> list[Alert]:
        """Alerts, newest first."""
        with self.session() as session:
            query = select(Alert).order_by(col(Alert.id).desc()).limit(limit)
            if service_id:
                query = query.where(Alert.service_id == service_id)
            if prefix:
                query = query.where(col(Alert.key).startswith(prefix, autoescape=True))
            return list(session.exec(query).all())

    def issues_to_alert(
        self, impacts: Sequence[str], *, now: datetime | None = None
    ) -> list[Issue]:
        """New or reopened violations of these impacts that nobody has acknowledged."""
        now = now or utcnow()
        with self.session() as session:
            query = (
                select(Issue)
                .where(
                    col(Issue.status).in_([IssueStatus.new, IssueStatus.reopened]),
                    col(Issue.impact).in_(list(impacts)),
                    Issue.outcome == FindingOutcome.violation,
                    or_(
                        col(Issue.ack_by).is_(None),
                        col(Issue.ack_until).is_not(None) & (col(Issue.ack_until) < now),
                    ),
                )
                .order_by(col(Issue.service_id), col(Issue.id))
            )
            return list(session.exec(query).all())
