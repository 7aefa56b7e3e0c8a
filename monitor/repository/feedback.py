"""Reads and writes of residents' feedback (already redacted before it gets here)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, update
from sqlmodel import col, select

from monitor.models import Feedback, utcnow
from monitor.repository.base import RepositoryBase

# The columns the collector fills; ``id`` comes from the database.
FEEDBACK_COLUMNS = tuple(
    c.name
    for c in Feedback.__table__.columns  # type: ignore[attr-defined]
    if c.name != "id"
)


# What a row the collector hands over may leave out (every row of one INSERT has them all).
FEEDBACK_DEFAULTS: dict[str, Any] = {
    **{c: None for c in FEEDBACK_COLUMNS},
    "page_path": "/",
    "redacted": False,
    "flags": [],
    "source": "widget",
}


class FeedbackRepository(RepositoryBase):
    """Residents' ratings, page-useful answers and problem reports."""

    def add_feedback(self, feedback: Feedback) -> Feedback:
        with self.session() as session:
            session.add(feedback)
            session.commit()
            session.refresh(feedback)
            return feedback

    def add_feedback_batch(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert many rows in one transaction (the collector's group commit); their ids in order.

        Each row is a mapping of Feedback columns; ``received_at`` must be set.

        One plain multi-row INSERT (no ORM unit of work): this runs for every post the
        collector accepts, on the thread that shares the interpreter with the requests.
        On SQLite the ids are read back from the last row's id: the rows of one INSERT in
        one transaction get consecutive ids, since the transaction holds the database's
        only write lock. Other databases return them with the INSERT.
        """
        if not rows:
            return []
        values = [
            {**FEEDBACK_DEFAULTS, **{c: row[c] for c in FEEDBACK_COLUMNS if c in row}}
            for row in rows
        ]
        table = Feedback.__table__  # type: ignore[attr-defined]
        with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(insert(table), values)
                last = connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one()
                return list(range(int(last) - len(values) + 1, int(last) + 1))
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return [int(i) for i in connection.execute(statement, values).scalars()]

    def import_feedback(self, rows: Sequence[Feedback]) -> int:
        """Store imported rows all together or not at all."""
        with self.session() as session:
            session.add_all(rows)
            session.commit()
        return len(rows)

    def feedback(
        self,
        *,
        service_id: str | None = None,
        limit: int | None = 100,
        since: datetime | None = None,
        kind: str | None = None,
    ) -> list[Feedback]:
        """The newest feedback first."""
        with self.session() as session:
            query = select(Feedback).order_by(
                col(Feedback.received_at).desc(), col(Feedback.id).desc()
            )
            if service_id:
                query = query.where(Feedback.service_id == service_id)
            if since is not None:
                query = query.where(col(Feedback.received_at) >= since)
            if kind:
                query = query.where(Feedback.kind == kind)
            if limit is not None:
                query = query.limit(limit)
            return list(session.exec(query).all())

    def iter_feedback(
        self, *, service_id: str | None = None, batch_size: int = 1000
    ) -> Iterator[Feedback]:
        """Every row, oldest first, read in batches so an export of years stays small."""
        last_id = 0
        while True:
            with self.session() as session:
                query = (
                    select(Feedback)
                    .where(col(Feedback.id) > last_id)
                    .order_by(col(Feedback.id))
                    .limit(batch_size)
                )
                if service_id:
                    query = query.where(Feedback.service_id == service_id)
                batch = list(session.exec(query).all())
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id or last_id

    def count_feedback(self, *, service_id: str | None = None) -> int:
        with self.session() as session:
            query = select(func.count()).select_from(Feedback)
            if service_id:
                query = query.where(Feedback.service_id == service_id)
            return int(session.exec(query).one())

    def purge_feedback_comments(self, older_than: datetime) -> int:
        """Delete the words of feedback received before ``older_than``; keep the ratings."""
        has_words = or_(
            col(Feedback.comment).is_not(None),
            col(Feedback.what_doing).is_not(None),
            col(Feedback.what_wrong).is_not(None),
        )
        with self.session() as session:
            result = session.execute(
                update(Feedback)
                .where(col(Feedback.received_at) < older_than, has_words)
                .values(comment=None, what_doing=None, what_wrong=None, comment_purged_at=utcnow())
            )
            session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def backdate_feedback(self, ids: Sequence[int], datetimes: Sequence[datetime]) -> None:
        """Move feedback back in time. Only the demo uses this: the API never takes a time."""
        if len(ids) != len(datetimes):
            raise ValueError("give one time for each id")
        with self.session() as session:
            for feedback_id, when in zip(ids, datetimes, strict=True):
                session.execute(
                    update(Feedback).where(col(Feedback.id) == feedback_id).values(received_at=when)
                )
            session.commit()
