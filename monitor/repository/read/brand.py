"""Brand results as the branding view and an issue's detail read them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import col

from monitor.models import BrandResult, Page
from monitor.repository.base import RepositoryBase
from monitor.repository.brand import with_brand_details


@dataclass(frozen=True)
class BrandPageRow:
    """One page's brand result in one run."""

    page_id: int
    url: str
    score: float
    passed: bool
    failed_rules: tuple[str, ...]
    header_screenshot: str | None


class BrandReads(RepositoryBase):
    """Brand results per page."""

    def pages(self, service_id: str, run_id: int, *, limit: int = 500) -> list[BrandPageRow]:
        """Each page's brand result in one run, lowest score first."""
        query = (
            select(BrandResult, col(Page.url))
            .join(Page, col(Page.id) == col(BrandResult.page_id))
            .where(col(BrandResult.service_id) == service_id, col(BrandResult.run_id) == run_id)
            .order_by(col(BrandResult.score), col(Page.url))
            .limit(limit)
        )
        with self.session() as session:
            rows = session.execute(query).all()
            # A carried result leaves its header picture to the run that judged the page.
            whole = with_brand_details(session, [result for result, _ in rows])
        return [_row(result, url) for result, (_, url) in zip(whole, rows, strict=True)]

    def latest_for_pages(self, page_ids: Sequence[int]) -> dict[int, BrandPageRow]:
        """Each page's newest brand result (for the header screenshot of a brand issue)."""
        if not page_ids:
            return {}
        newest = (
            select(col(BrandResult.page_id), func.max(col(BrandResult.run_id)).label("run_id"))
            .where(col(BrandResult.page_id).in_(list(page_ids)))
            .group_by(col(BrandResult.page_id))
            .subquery()
        )
        query = (
            select(BrandResult, col(Page.url))
            .join(Page, col(Page.id) == col(BrandResult.page_id))
            .join(
                newest,
                (newest.c.page_id == col(BrandResult.page_id))
                & (newest.c.run_id == col(BrandResult.run_id)),
            )
        )
        with self.session() as session:
            rows = session.execute(query).all()
            whole = with_brand_details(session, [result for result, _ in rows])
        return {
            result.page_id: _row(result, url) for result, (_, url) in zip(whole, rows, strict=True)
        }


def _row(result: BrandResult, url: str) -> BrandPageRow:
    return BrandPageRow(
        page_id=result.page_id,
        url=url,
        score=result.score,
        passed=result.passed,
        failed_rules=tuple(sorted(rule for rule, ok in (result.rules or {}).items() if not ok)),
        header_screenshot=result.header_screenshot,
    )
