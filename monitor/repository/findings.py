"""Findings stored as stretches of a page's visits: what a run saw, written once.

A page's findings are kept per *stretch*: one row from the first run that saw a finding
to the last run that saw it again unchanged, over the page's consecutive judged visits
(audited or carried). A nightly run that finds a page as it was extends the rows of the
page's previous visit (one UPDATE), and writes nothing new. Which findings a run holds
stays exact:

- a row belongs to run R when ``first_run_id`` is R, or when ``first_run_id`` < R <=
  ``last_run_id`` and the page was judged in R (``in_run``);
- ``store_page_findings`` makes a page's findings in R exactly the ones given, whatever
  was stored before: a row is stretched only from the page's previous judged visit (or
  back from its next one, when an older run is resumed after a newer one), and a row that
  no longer holds in R is cut around R (split when R lies inside it).

Rows of journeys (``journey_id``) and of service checks, which judge a service rather
than a page, belong to their one run only; ``store_page_findings`` never touches journey
rows and treats a service check's row like any finding it was not given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from crawlers.base import FindingData
from monitor.models import FINDING_CONTENT, Finding, PageResult, PageStatus, RunFinding

JUDGED = (PageStatus.audited.value, PageStatus.carried.value)

# SQLModel's column attributes are typed as plain values, which SQLAlchemy's overloads of
# select() reject; these queries are checked by the tests instead.
select: Any = sa_select

#: A finding's content, as compared between visits (``FINDING_CONTENT``, in order).
Content = tuple[Any, ...]


def content_of(data: FindingData, service_id: str) -> dict[str, Any]:
    """The stored columns of a finding a check reported (all but its stretch and issue)."""
    return {
        "check": data.check,
        "rule": data.rule,
        "outcome": data.outcome,
        "wcag": ",".join(data.wcag),
        "impact": data.impact,
        "selector": data.selector,
        "snippet": data.snippet,
        "message": data.message,
        "help_url": data.help_url,
        "fingerprint": data.fingerprint(service_id),
        "region": data.region,
        "journey_id": data.journey_id,
        "journey_step": data.journey_step,
    }


def key_of(values: Any) -> Content:
    """What makes two findings of one page the same finding (a row or a content dict)."""
    if isinstance(values, dict):
        return tuple(values[name] for name in FINDING_CONTENT)
    return tuple(getattr(values, name) for name in FINDING_CONTENT)


def judged_in(run_id: int) -> ColumnElement[bool]:
    """The finding's page was judged (audited or carried) in the run."""
    return exists().where(
        col(PageResult.run_id) == run_id,
        col(PageResult.page_id) == col(Finding.page_id),
        col(PageResult.status).in_(JUDGED),
    )


def in_run(run_id: int) -> ColumnElement[bool]:
    """The stored finding belongs to the run (see the module's docstring).

    ``last_run_id`` comes first: its index finds the rows still alive at the run, which
    for the latest runs, the ones asked about most, are about as many as the run holds."""
    return and_(
        col(Finding.last_run_id) >= run_id,
        col(Finding.first_run_id) <= run_id,
        or_(col(Finding.first_run_id) == run_id, judged_in(run_id)),
    )


def run_findings(
    session: Session,
    run_id: int,
    *,
    service_id: str | None = None,
    page_id: int | None = None,
) -> list[RunFinding]:
    """The findings the run holds, each as the run saw it, in the order they were stored."""
    status = (
        select(PageResult.status)
        .where(col(PageResult.run_id) == run_id, col(PageResult.page_id) == col(Finding.page_id))
        .scalar_subquery()
    )
    query = select(Finding, status).where(in_run(run_id))
    if service_id:
        query = query.where(col(Finding.service_id) == service_id)
    if page_id:
        query = query.where(col(Finding.page_id) == page_id)
    out = []
    for row, page_status in session.execute(query.order_by(col(Finding.id))).all():
        values = row.model_dump()
        out.append(
            RunFinding(
                **values,
                run_id=run_id,
                carried=row.first_run_id < run_id and page_status == PageStatus.carried,
            )
        )
    return out


def count_in_run(session: Session, run_id: int, service_id: str | None = None) -> int:
    query = select(func.count()).select_from(Finding).where(in_run(run_id))
    if service_id is not None:
        query = query.where(col(Finding.service_id) == service_id)
    return int(session.execute(query).scalar_one())


def counts_by_service(session: Session, run_id: int) -> dict[str, int]:
    query = (
        select(Finding.service_id, func.count())
        .where(in_run(run_id))
        .group_by(col(Finding.service_id))
    )
    return {service: count for service, count in session.execute(query).all()}


def visits_around(session: Session, page_id: int, run_id: int) -> tuple[int | None, int | None]:
    """The page's judged visits just before and just after the run (None where none)."""
    visits = select(PageResult.run_id).where(
        col(PageResult.page_id) == page_id, col(PageResult.status).in_(JUDGED)
    )
    before = visits.where(col(PageResult.run_id) < run_id).with_only_columns(
        func.max(PageResult.run_id)
    )
    after = visits.where(col(PageResult.run_id) > run_id).with_only_columns(
        func.min(PageResult.run_id)
    )
    previous, following = session.execute(
        select(before.scalar_subquery(), after.scalar_subquery())
    ).one()
    return previous, following


def findings_of_visit(
    session: Session, page_id: int, run_id: int, *, leaving_out: Iterable[str] = ()
) -> list[Finding]:
    """The page's own findings in a visit it was judged in (journeys' left out), but those
    of the checks named in ``leaving_out``."""
    skipped = set(leaving_out)
    rows = session.execute(
        select(Finding).where(
            col(Finding.page_id) == page_id,
            col(Finding.journey_id).is_(None),
            col(Finding.last_run_id) >= run_id,
            col(Finding.first_run_id) <= run_id,
        )
    ).scalars()
    return [row for row in rows if row.check not in skipped]


def store_page_findings(
    session: Session,
    run_id: int,
    page_id: int,
    service_id: str,
    wanted: Sequence[dict[str, Any]],
    *,
    judged: bool,
) -> None:
    """Within ``session``: make the page's findings in the run exactly ``wanted`` (content
    dicts, ``content_of``), touching as few rows as it can.

    The page's result in the run must already say whether it was ``judged``; a page that
    was not (failed, pending) gets rows of the run alone."""
    previous, following = visits_around(session, page_id, run_id)
    low = previous if previous is not None else run_id
    high = following if following is not None else run_id
    rows = list(
        session.execute(
            select(Finding).where(
                col(Finding.page_id) == page_id,
                col(Finding.journey_id).is_(None),
                col(Finding.last_run_id) >= low,
                col(Finding.first_run_id) <= high,
            )
        ).scalars()
    )
    covering = [r for r in rows if r.first_run_id <= run_id <= r.last_run_id]
    if not judged:
        # A stretch may pass over a visit that was not judged (it does not belong to it);
        # only rows that start or end at this run must move.
        for row in covering:
            if run_id in (row.first_run_id, row.last_run_id):
                _cut(session, row, run_id, previous, following)
        for values in wanted:
            session.add(_new_row(values, run_id, page_id, service_id))
        return
    needed = Counter(key_of(values) for values in wanted)
    for row in covering:
        key = key_of(row)
        if needed[key] > 0:
            needed[key] -= 1
        else:
            _cut(session, row, run_id, previous, following)
    ends: dict[Content, list[Finding]] = defaultdict(list)
    starts: dict[Content, list[Finding]] = defaultdict(list)
    for row in rows:
        if row.last_run_id == previous and row.last_run_id < run_id:
            ends[key_of(row)].append(row)
        elif row.first_run_id == following and row.first_run_id > run_id:
            starts[key_of(row)].append(row)
    contents = {key_of(values): values for values in wanted}
    for key, count in needed.items():
        for _ in range(count):
            if ends[key]:
                ends[key].pop(0).last_run_id = run_id
            elif starts[key]:
                starts[key].pop(0).first_run_id = run_id
            else:
                session.add(_new_row(contents[key], run_id, page_id, service_id))


def _new_row(values: dict[str, Any], run_id: int, page_id: int, service_id: str) -> Finding:
    return Finding(
        **values, first_run_id=run_id, last_run_id=run_id, page_id=page_id, service_id=service_id
    )


def _cut(
    session: Session, row: Finding, run_id: int, previous: int | None, following: int | None
) -> None:
    """Take the run out of a row's stretch: shorten it, split it around the run, or
    delete it when the run was all it held."""
    first, last = row.first_run_id, row.last_run_id
    before = previous is not None and first <= previous < run_id
    after = following is not None and run_id < following <= last
    if first < run_id and before and run_id < last and after:
        assert following is not None
        session.add(
            Finding(**row.model_dump(exclude={"id", "first_run_id"}), first_run_id=following)
        )
    if first < run_id and before:
        assert previous is not None
        row.last_run_id = previous
    elif run_id < last and after:
        assert following is not None
        row.first_run_id = following
    else:
        session.delete(row)


def stretch_to(session: Session, ids: Sequence[int], run_id: int) -> None:
    """Extend these rows' stretches to the run (seed-history's nightly copies, none)."""
    if ids:
        session.execute(
            update(Finding).where(col(Finding.id).in_(list(ids))).values(last_run_id=run_id)
        )
