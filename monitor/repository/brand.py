"""Reads and writes of brand results: each page's brand score and pass/fail per rule.

A service's *brand compliance* in a run is the share of its pages that pass every brand
rule (Ambition 1's "consistent branding" measure); the *rules failed most* say what to
fix first. A page carried forward unchanged keeps its previous result in the new run
(``carry_brand_result``), so every run speaks for all of a service's pages; the carried
result stores its score and rules, and leaves its long details and header screenshot to
the result of the run that judged the page (``details["carried_from_run"]``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, tuple_
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
        with self.writing() as session:
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
        """A page's brand result in a run, with its details (a carried one's included)."""
        with self.session() as session:
            found = session.exec(
                select(BrandResult).where(
                    BrandResult.run_id == run_id, BrandResult.page_id == page_id
                )
            ).first()
            return None if found is None else with_brand_details(session, [found])[0]

    def brand_results(self, run_id: int, *, service_id: str | None = None) -> list[BrandResult]:
        """Every page's brand result in a run (lowest score first), with their details."""
        with self.session() as session:
            query = select(BrandResult).where(BrandResult.run_id == run_id)
            if service_id is not None:
                query = query.where(BrandResult.service_id == service_id)
            query = query.order_by(col(BrandResult.score), col(BrandResult.page_id))
            return with_brand_details(session, list(session.exec(query).all()))

    def latest_brand_run_id(self, service_id: str) -> int | None:
        """The newest run that judged this service's branding (read from the newest run
        backwards, which finds it at once: a year of a large site's results has millions)."""
        with self.session() as session:
            found = session.exec(
                select(BrandResult.run_id)
                .where(BrandResult.service_id == service_id)
                .order_by(col(BrandResult.run_id).desc())
                .limit(1)
            ).first()
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
    """Within ``session``: carry a page's brand result of an earlier run into ``run_id``
    (replacing any there), and its score onto the page's result; False if it had none.

    The carried row keeps the score and rules, which the measures read; its details and
    header screenshot stay with the result of the run that judged the page, which
    ``details["carried_from_run"]`` names (``with_brand_details`` reads them there)."""
    previous = session.exec(
        select(BrandResult).where(
            BrandResult.run_id == previous_run_id, BrandResult.page_id == page_id
        )
    ).first()
    if previous is None:
        return False
    judged_in = _carried_from(previous)
    values = {
        "service_id": previous.service_id,
        "score": previous.score,
        "passed": previous.passed,
        "rules": dict(previous.rules),
        "details": {CARRIED_FROM: previous_run_id if judged_in is None else judged_in},
        "header_screenshot": None,
    }
    _store_brand_row(session, run_id, page_id, values)
    return True


CARRIED_FROM = "carried_from_run"


def copy_brand_results(
    session: Session, run_id: int, pairs: list[tuple[int, int]]
) -> dict[int, float]:
    """``copy_brand_result`` for many pages carried into ``run_id`` (``(previous run,
    page)`` pairs) with a few statements; returns each carried page's score (the caller
    sets it on the page results it holds)."""
    scores: dict[int, float] = {}
    if not pairs:
        return scores
    previous: list[BrandResult] = []
    for start in range(0, len(pairs), 400):
        previous += session.exec(
            select(BrandResult).where(
                tuple_(BrandResult.run_id, BrandResult.page_id).in_(pairs[start : start + 400])
            )
        ).all()
    pages = [row.page_id for row in previous]
    for start in range(0, len(pages), 400):
        session.execute(
            delete(BrandResult).where(
                col(BrandResult.run_id) == run_id,
                col(BrandResult.page_id).in_(pages[start : start + 400]),
            )
        )
    for row in previous:
        judged_in = _carried_from(row)
        session.add(
            BrandResult(
                run_id=run_id,
                page_id=row.page_id,
                service_id=row.service_id,
                score=row.score,
                passed=row.passed,
                rules=dict(row.rules),
                details={CARRIED_FROM: row.run_id if judged_in is None else judged_in},
                header_screenshot=None,
            )
        )
        scores[row.page_id] = row.score
    return scores


def _carried_from(row: BrandResult) -> int | None:
    """The run whose result holds a compact carried row's details (None: not compact)."""
    details = row.details or {}
    origin = details.get(CARRIED_FROM)
    return int(origin) if set(details) == {CARRIED_FROM} and origin is not None else None


def with_brand_details(session: Session, rows: list[BrandResult]) -> list[BrandResult]:
    """The rows, each carried one (as a copy) with the details and header screenshot of
    the result it was carried from."""
    wanted = sorted({(o, r.page_id) for r in rows if (o := _carried_from(r)) is not None})
    if not wanted:
        return rows
    judged: dict[tuple[int, int], BrandResult] = {}
    for start in range(0, len(wanted), 500):
        for row in session.exec(
            select(BrandResult).where(
                tuple_(BrandResult.run_id, BrandResult.page_id).in_(wanted[start : start + 500])
            )
        ).all():
            judged[(row.run_id, row.page_id)] = row
    out = []
    for row in rows:
        origin = _carried_from(row)
        source = judged.get((origin, row.page_id)) if origin is not None else None
        if source is None:
            out.append(row)
            continue
        copy = BrandResult.model_validate(row.model_dump())
        copy.details = {**source.details, CARRIED_FROM: origin}
        copy.header_screenshot = source.header_screenshot
        out.append(copy)
    return out


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
