"""Reads and writes of brand results: each page's brand score and pass/fail per rule.

A service's *brand compliance* in a run is the share of its pages that pass every brand
rule (Ambition 1's "consistent branding" measure); the *rules failed most* say what to
fix first. A page carried forward unchanged keeps its previous result in the new run
(``carry_brand_result``), so every run speaks for all of a service's pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.models import BrandResult, PageResult
from monitor.repository.base import RepositoryBase


@dataclass(frozen=True)
class BrandSummary:
    """One service's branding in one run."""

    service_id: str
    run_id: int
    pages: int
    pages_passed: int
    mean_score: float
    rules_failed: list[tuple[str, int]] = field(default_factory=list)  # most pages first

    @property
    def compliance(self) -> float:
        """% of pages that pass every brand rule."""
        return round(100.0 * self.pages_passed / self.pages, 1) if self.pages else 0.0


class BrandRepository(RepositoryBase):
    """Brand results per page and run; brand compliance per service."""

    def save_brand_result(
        self, run_id: int, page_id: int, service_id: str, result: Mapping[str, Any]
    ) -> BrandResult:
        """Store the branding check's ``context.extras["brand_result"]`` for one page.

        Saving twice for the same run and page replaces the first result. The page's
        ``PageResult.brand_score`` in the run, if it has one, is set too.
        """
        rules = {str(rule): bool(ok) for rule, ok in dict(result.get("rules") or {}).items()}
        values: dict[str, Any] = {
            "service_id": service_id,
            "score": float(result.get("score", 0.0)),
            "passed": bool(result.get("passed", all(rules.values()))),
            "rules": rules,
            "details": dict(result.get("details") or {}),
            "header_screenshot": result.get("header_screenshot"),
        }
        with self.session() as session:
            row = _store_brand_row(session, run_id, page_id, values)
            session.commit()
            session.refresh(row)
            return row

    def carry_brand_result(self, previous_run_id: int, run_id: int, page_id: int) -> bool:
        """Copy an unchanged page's brand result from an earlier run; False if it had none."""
        with self.session() as session:
            carried = copy_brand_result(session, previous_run_id, run_id, page_id)
            session.commit()
            return carried

    def brand_result(self, run_id: int, page_id: int) -> BrandResult | None:
        with self.session() as session:
            return session.exec(
                select(BrandResult).where(
                    BrandResult.run_id == run_id, BrandResult.page_id == page_id
                )
            ).first()

    def brand_results(self, run_id: int, *, service_id: str | None = None) -> list[BrandResult]:
        """Every page's brand result in a run (lowest score first)."""
        with self.session() as session:
            query = select(BrandResult).where(BrandResult.run_id == run_id)
            if service_id is not None:
                query = query.where(BrandResult.service_id == service_id)
            query = query.order_by(col(BrandResult.score), col(BrandResult.page_id))
            return list(session.exec(query).all())

    def latest_brand_run_id(self, service_id: str) -> int | None:
        """The newest run that judged this service's branding."""
        with self.session() as session:
            found = session.exec(
                select(func.max(BrandResult.run_id)).where(BrandResult.service_id == service_id)
            ).one()
            return int(found) if found is not None else None

    def brand_summary(self, service_id: str, run_id: int | None = None) -> BrandSummary | None:
        """Pages, pages passing every rule, mean score and rules failed (newest run by default)."""
        if run_id is None:
            run_id = self.latest_brand_run_id(service_id)
            if run_id is None:
                return None
        rows = self.brand_results(run_id, service_id=service_id)
        if not rows:
            return None
        failed: Counter[str] = Counter()
        for row in rows:
            failed.update(rule for rule, ok in row.rules.items() if not ok)
        return BrandSummary(
            service_id=service_id,
            run_id=run_id,
            pages=len(rows),
            pages_passed=sum(1 for row in rows if row.passed),
            mean_score=round(sum(row.score for row in rows) / len(rows), 1),
            rules_failed=sorted(failed.items(), key=lambda item: (-item[1], item[0])),
        )

    def brand_compliance(self, service_id: str, run_id: int | None = None) -> float | None:
        """% of the service's pages that pass every brand rule; None if never checked."""
        summary = self.brand_summary(service_id, run_id)
        return summary.compliance if summary else None

    def rules_failed_most(
        self, service_id: str, run_id: int | None = None, *, limit: int = 5
    ) -> list[tuple[str, int]]:
        """``(rule, pages failing it)``, most pages first (ties by rule name)."""
        summary = self.brand_summary(service_id, run_id)
        return summary.rules_failed[:limit] if summary else []


def copy_brand_result(session: Session, previous_run_id: int, run_id: int, page_id: int) -> bool:
    """Within ``session``: copy a page's brand result of an earlier run into ``run_id``
    (replacing any there), and its score onto the page's result; False if it had none."""
    previous = session.exec(
        select(BrandResult).where(
            BrandResult.run_id == previous_run_id, BrandResult.page_id == page_id
        )
    ).first()
    if previous is None:
        return False
    values = {
        "service_id": previous.service_id,
        "score": previous.score,
        "passed": previous.passed,
        "rules": dict(previous.rules),
        "details": {**previous.details, "carried_from_run": previous_run_id},
        "header_screenshot": previous.header_screenshot,
    }
    _store_brand_row(session, run_id, page_id, values)
    return True


def _store_brand_row(
    session: Session, run_id: int, page_id: int, values: Mapping[str, Any]
) -> BrandResult:
    """Within ``session``: the page's brand result in the run, replaced by ``values``, and
    its score set on the page's result in that run, if it has one."""
    row = session.exec(
        select(BrandResult).where(BrandResult.run_id == run_id, BrandResult.page_id == page_id)
    ).first() or BrandResult(run_id=run_id, page_id=page_id, service_id=values["service_id"])
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    page_result = session.exec(
        select(PageResult).where(PageResult.run_id == run_id, PageResult.page_id == page_id)
    ).first()
    if page_result is not None:
        page_result.brand_score = row.score
        session.add(page_result)
    return row
