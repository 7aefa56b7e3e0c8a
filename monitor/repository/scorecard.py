"""Two things left where they were while the read side moved to ``monitor.repository.read``:

- ``issue_pages``, the pages of an issue with the element and snippet last seen on each:
  it reads findings, whose storage is changing (first and last seen instead of copies),
  so it stays as it is here until that change lands; ``Repository.issue_page_rows`` gives
  its rows typed;
- the bulk inserts ``monitor demo seed-history`` writes a believable past with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col

from monitor.models import Finding, Issue, IssuePage, Page, Service
from monitor.repository.base import RepositoryBase

BULK_BATCH = 5_000

# SQLModel's column attributes are typed as plain values, which SQLAlchemy's select()
# rejects; ``issue_pages`` is checked by the tests instead (the typed read side wraps every
# attribute in ``col()``).
select: Any = sa_select


class ScorecardRepository(RepositoryBase):
    """An issue's pages, and bulk writes for seed-history."""

    def issue_pages(self, issue_id: int, *, limit: int = 200) -> list[dict[str, Any]]:
        """The pages an issue affects, with the element and snippet last seen on each."""
        latest = (
            select(Finding.page_id, func.max(Finding.id).label("finding_id"))
            .where(Finding.issue_id == issue_id)
            .group_by(Finding.page_id)
            .subquery()
        )
        query = (
            select(Page.url, Finding.selector, Finding.snippet, Finding.help_url, Finding.message)
            .join(
                IssuePage,
                and_(col(IssuePage.page_id) == col(Page.id), col(IssuePage.issue_id) == issue_id),
            )
            .join(latest, latest.c.page_id == Page.id, isouter=True)
            .join(Finding, Finding.id == latest.c.finding_id, isouter=True)
            .order_by(Page.url)
            .limit(limit)
        )
        with self.session() as session:
            issue = session.get(Issue, issue_id)
            rows = session.execute(query).all()
        # A page whose findings were pruned still shows the element the issue was raised on.
        fallback = (issue.selector, issue.snippet, issue.help_url, issue.message) if issue else ()
        return [
            {
                "page": url,
                "element": selector or (fallback[0] if fallback else ""),
                "snippet": snippet or (fallback[1] if fallback else ""),
                "help": help_url or (fallback[2] if fallback else "") or "",
                "message": message or (fallback[3] if fallback else ""),
            }
            for url, selector, snippet, help_url, message in rows
        ]

    # --- bulk writes (seed-history) -----------------------------------------------------

    def next_id(self, model: type[SQLModel]) -> int:
        """The next free integer id of a table (bulk inserts assign ids themselves)."""
        table: Any = model.__table__  # type: ignore[attr-defined]
        with self.session() as session:
            return (
                int(session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
                + 1
            )

    def bulk_insert(self, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> int:
        """Insert many rows in batches through one transaction; returns how many.

        Rows may name different columns (a failed journey has a reason, a completed one
        none): one statement takes its columns from its first row and would silently drop
        the others' extra values, so rows are inserted in groups naming the same columns."""
        table: Any = model.__table__  # type: ignore[attr-defined]
        groups: dict[frozenset[str], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault(frozenset(row), []).append(row)
        with self.engine.begin() as connection:
            for group in groups.values():
                for start in range(0, len(group), BULK_BATCH):
                    connection.execute(insert(table), group[start : start + BULK_BATCH])
        return len(rows)

    def upsert_services(self, services: Iterable[Service]) -> None:
        with self.session() as session:
            for service in services:
                session.merge(service)
            session.commit()

    def issue_lifecycle_update(self, rows: Sequence[dict[str, Any]]) -> None:
        """Bulk update of issues' lifecycle columns (``id`` plus the columns to set)."""
        if not rows:
            return
        with self.session() as session:
            session.execute(update(Issue), list(rows))
            session.commit()
