"""The engine and session every part of the repository shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlmodel import Session, select

from monitor.db import engine_for
from monitor.models import PageResult


def merge_page_result(session: Session, result: PageResult) -> PageResult:
    """The stored row for this page in this run, updated from ``result`` (one per page)."""
    existing = session.exec(
        select(PageResult).where(
            PageResult.run_id == result.run_id, PageResult.page_id == result.page_id
        )
    ).first()
    if existing is None:
        return result
    for field, value in result.model_dump(exclude={"id"}).items():
        setattr(existing, field, value)
    return existing


class RepositoryBase:
    """Holds the engine; each method of the repository opens one short session."""

    def __init__(self, database_url: str | None = None, *, engine: Engine | None = None) -> None:
        if engine is None:
            if database_url is None:
                raise ValueError("give a database_url or an engine")
            engine = engine_for(database_url)
        self.engine = engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
