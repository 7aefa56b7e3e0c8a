"""Residents' feedback as the measures and the feedback view read it: counts of ratings
and "Is this page useful?" answers, by week and by page, and the (already redacted)
comments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlmodel import col

from monitor.models import Feedback, utcnow
from monitor.repository.base import RepositoryBase
from monitor.repository.read._sql import aware, few, keep
from monitor.vocabulary import answer_in_words

RATINGS = (1, 2, 3, 4, 5)  # Very dissatisfied … Very satisfied
LOW_RATINGS = (1, 2)  # Very dissatisfied and Dissatisfied


@dataclass(frozen=True)
class FeedbackCounts:
    """Ratings (1–5) and "Is this page useful?" answers over a period."""

    ratings: Mapping[int, int] = field(default_factory=dict)
    yes: int = 0
    no: int = 0

    @property
    def answered(self) -> int:
        return sum(self.ratings.values())


@dataclass(frozen=True)
class WeekFeedback:
    week: date  # its Monday
    counts: FeedbackCounts


@dataclass(frozen=True)
class PageSignals:
    """What residents said about one page: "not useful" answers and low ratings."""

    not_useful: int = 0
    low_ratings: int = 0


@dataclass(frozen=True)
class CommentFilter:
    """Which comments to read: always of named services (what the viewer may read)."""

    service_ids: tuple[str, ...]
    search: str = ""
    page_path: str = ""
    since: datetime | None = None
    until: datetime | None = None
    ratings: tuple[int, ...] = ()  # only these ratings (1–5)
    kinds: tuple[str, ...] = ()  # satisfaction, page_useful, problem


@dataclass(frozen=True)
class CommentRow:
    """One resident's words (redacted before they were stored) and their answer."""

    id: int
    received_at: datetime
    service_id: str
    page: str
    kind: str
    rating: int | None
    useful: bool | None
    comment: str
    what_doing: str
    what_wrong: str

    @property
    def answer(self) -> str:
        return answer_in_words(self.rating, self.useful)

    @property
    def words(self) -> str:
        """What the resident wrote, whichever question they answered."""
        return self.comment or self.what_wrong or self.what_doing


@dataclass
class _Tally:
    ratings: dict[int, int] = field(default_factory=dict)
    yes: int = 0
    no: int = 0

    def add(self, kind: str, rating: int | None, useful: bool | None, n: int) -> None:
        if kind == "satisfaction" and rating is not None and rating in RATINGS:
            self.ratings[rating] = self.ratings.get(rating, 0) + n
        elif kind == "page_useful" and useful is not None:
            if useful:
                self.yes += n
            else:
                self.no += n

    def counts(self) -> FeedbackCounts:
        return FeedbackCounts(dict(self.ratings), self.yes, self.no)


def _path(path: str) -> str:
    return path if path in ("", "/") else path.rstrip("/")


class FeedbackReads(RepositoryBase):
    """Residents' feedback, read for the measures, the fix-first order and the views."""

    def counts(
        self, since: datetime, until: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, FeedbackCounts]:
        """Per service: ratings 1–5 and useful yes/no in the window."""
        query = (
            select(
                col(Feedback.service_id),
                col(Feedback.kind),
                col(Feedback.rating),
                col(Feedback.useful),
                func.count(),
            )
            .where(
                col(Feedback.received_at) >= since,
                col(Feedback.received_at) < until,
                col(Feedback.kind).in_(["satisfaction", "page_useful"]),
            )
            .group_by(
                col(Feedback.service_id),
                col(Feedback.kind),
                col(Feedback.rating),
                col(Feedback.useful),
            )
        )
        if (named := few(service_ids)) is not None:
            query = query.where(col(Feedback.service_id).in_(named))
        found: dict[str, _Tally] = {}
        with self.session() as session:
            for service_id, kind, rating, useful, n in session.execute(query).all():
                found.setdefault(service_id, _Tally()).add(kind, rating, useful, int(n))
        return keep({s: tally.counts() for s, tally in found.items()}, service_ids)

    def weekly(
        self, since: datetime, *, service_ids: Sequence[str] | None = None
    ) -> list[WeekFeedback]:
        """Ratings and useful answers per week (Monday to Sunday, UTC), all services
        together, from the week of ``since`` to this one.

        One query per week, each a range of the (time, kind, service, rating, useful)
        index: grouping a quarter's rows by a week computed from each row's time costs
        several times more."""
        first = since.astimezone(UTC).date()
        monday = first - timedelta(days=first.weekday())
        last = utcnow().date()
        weeks = []
        while monday <= last:
            start = datetime.combine(monday, time(), tzinfo=UTC)
            tally = _Tally()
            query = (
                select(col(Feedback.kind), col(Feedback.rating), col(Feedback.useful), func.count())
                .where(
                    col(Feedback.received_at) >= start,
                    col(Feedback.received_at) < start + timedelta(days=7),
                    col(Feedback.kind).in_(["satisfaction", "page_useful"]),
                )
                .group_by(col(Feedback.kind), col(Feedback.rating), col(Feedback.useful))
            )
            if service_ids is not None:
                query = query.where(col(Feedback.service_id).in_(list(service_ids)))
            with self.session() as session:
                for kind, rating, useful, n in session.execute(query).all():
                    tally.add(kind, rating, useful, int(n))
            if tally.ratings or tally.yes or tally.no:
                weeks.append(WeekFeedback(monday, tally.counts()))
            monday += timedelta(days=7)
        return weeks

    def page_signals(
        self, since: datetime, *, service_ids: Sequence[str] | None = None
    ) -> dict[str, dict[str, PageSignals]]:
        """Per service and page path: "not useful" answers and ratings of 1 or 2.

        Counted here rather than grouped in SQL: grouping by page makes SQLite read every
        answer ever given by its service index, where the rows of the period, read by the
        time index, are a few thousand."""
        query = select(col(Feedback.service_id), col(Feedback.page_path), col(Feedback.kind)).where(
            col(Feedback.received_at) >= since,
            or_(
                (col(Feedback.kind) == "page_useful") & col(Feedback.useful).is_(False),
                (col(Feedback.kind) == "satisfaction") & col(Feedback.rating).in_(LOW_RATINGS),
            ),
        )
        if (named := few(service_ids)) is not None:
            query = query.where(col(Feedback.service_id).in_(named))
        tallies: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        with self.session() as session:
            for service_id, page, kind in session.execute(query):
                tallies[service_id][_path(page)][0 if kind == "page_useful" else 1] += 1
        signals = {
            service_id: {page: PageSignals(*counts) for page, counts in pages.items()}
            for service_id, pages in tallies.items()
        }
        return keep(signals, service_ids)

    def _comments(self, wanted: CommentFilter) -> Select[Feedback]:
        text = func.coalesce(col(Feedback.comment), col(Feedback.what_wrong), "")
        query = select(Feedback).where(
            col(Feedback.service_id).in_(list(wanted.service_ids)),
            or_(
                col(Feedback.comment).is_not(None),
                col(Feedback.what_wrong).is_not(None),
                col(Feedback.what_doing).is_not(None),
            ),
            col(Feedback.comment_purged_at).is_(None),
        )
        if wanted.search:
            escaped = wanted.search.lower().replace("%", r"\%").replace("_", r"\_")
            pattern = f"%{escaped}%"
            query = query.where(
                or_(
                    func.lower(text).like(pattern, escape="\\"),
                    func.lower(func.coalesce(col(Feedback.what_doing), "")).like(
                        pattern, escape="\\"
                    ),
                )
            )
        if wanted.page_path:
            query = query.where(col(Feedback.page_path).startswith(wanted.page_path))
        if wanted.since is not None:
            query = query.where(col(Feedback.received_at) >= wanted.since)
        if wanted.until is not None:
            query = query.where(col(Feedback.received_at) < wanted.until)
        if wanted.ratings:
            query = query.where(col(Feedback.rating).in_(list(wanted.ratings)))
        if wanted.kinds:
            query = query.where(col(Feedback.kind).in_(list(wanted.kinds)))
        return query

    def comments(
        self, wanted: CommentFilter, *, limit: int = 20, offset: int = 0
    ) -> list[CommentRow]:
        """Residents' comments, newest first, only of ``wanted.service_ids``."""
        if not wanted.service_ids:
            return []
        query = (
            self._comments(wanted)
            .order_by(col(Feedback.received_at).desc(), col(Feedback.id).desc())
            .offset(offset)
            .limit(limit)
        )
        with self.session() as session:
            rows = session.execute(query).scalars().all()
        return [
            CommentRow(
                id=r.id or 0,
                received_at=aware(r.received_at),
                service_id=r.service_id,
                page=r.page_path,
                kind=r.kind,
                rating=r.rating,
                useful=r.useful,
                comment=r.comment or "",
                what_doing=r.what_doing or "",
                what_wrong=r.what_wrong or "",
            )
            for r in rows
        ]

    def comment_count(self, wanted: CommentFilter) -> int:
        if not wanted.service_ids:
            return 0
        ids = self._comments(wanted).with_only_columns(col(Feedback.id))
        with self.session() as session:
            return int(
                session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
            )

    def pages(self, service_id: str, *, limit: int = 200) -> list[str]:
        """The pages residents left feedback on, most feedback first."""
        query = (
            select(col(Feedback.page_path))
            .where(col(Feedback.service_id) == service_id)
            .group_by(col(Feedback.page_path))
            .order_by(func.count().desc())
            .limit(limit)
        )
        with self.session() as session:
            return [str(p) for p in session.execute(query).scalars().all()]
