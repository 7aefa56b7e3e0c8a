"""store change, not copies: findings kept once per stretch of unchanged visits, carried
page and brand results stored compactly, per-run summaries that outlive pruned detail

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 09:00:00

Before this revision every run stored every finding of every page again, copies included.
The upgrade turns each chain of copies into one row: a finding of a page seen in a judged
visit (audited or carried) and again, unchanged, in that page's next judged visit becomes
one row from its first to its last run (``first_run_id``, ``last_run_id``); findings of
journeys, of service checks and of visits that were not judged keep a row of their own
run. A carried page result whose address, title, content type, size, fingerprint and
facts equal those of the visit it was carried from leaves them to that visit
(``carried_from_run_id``); a carried brand result leaves its details and header screenshot
to the result it was carried from. Every finished run gets its per-service summary.

What each run holds is unchanged: the same findings (with their multiplicity), the same
page and brand results, the same counts (``tests/monitor/test_migration_0008.py``). The
work is done page by page, in batches, so a database of any size is converted in bounded
memory. Downgrading writes the copies back.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The service checks as of this revision: they judge a service in its run's service phase,
#: so their findings are never a page's to carry.
SERVICE_CHECKS = ("statement", "page-titles")
JUDGED = ("audited", "carried")
FINISHED = ("completed", "failed", "interrupted", "cancelled")
CONTENT = (
    "check", "rule", "outcome", "wcag", "impact", "selector", "snippet", "message",
    "help_url", "fingerprint", "region", "journey_id", "journey_step",
)  # fmt: skip
DETAIL = ("final_url", "content_type", "size_bytes", "last_modified", "title", "fingerprint", "facts")
PAGE_TOTALS = (
    "pages_found", "pages_judged", "pages_clean", "pages_audited", "pages_carried",
    "pages_revalidated", "pages_failed",
)  # fmt: skip
TOTALS = (*PAGE_TOTALS, "brand_checked", "brand_passed", "findings")
OLD_INDEX_COLUMNS = {
    'ix_pageresult_run_id': ['run_id'],
    'ix_pageresult_service_id': ['service_id'],
    'ix_pageresult_page_id': ['page_id'],
    'ix_pageresult_service_run': ['service_id', 'run_id', 'status', 'serious_count'],
    'ix_pageresult_run_status': ['run_id', 'status', 'serious_count'],
    'ix_brandresult_run_id': ['run_id'],
    'ix_brandresult_service_id': ['service_id'],
    'ix_brandresult_service_run': ['service_id', 'run_id', 'passed'],
    'ix_brandresult_run_passed': ['run_id', 'passed'],
}
OLD_INDEXES = {
    'pageresult': [n for n in OLD_INDEX_COLUMNS if n.startswith('ix_pageresult')],
    'brandresult': [n for n in OLD_INDEX_COLUMNS if n.startswith('ix_brandresult')],
}
PAGES_PER_BATCH = 500
WRITE_BATCH = 5_000

finding = sa.table(
    "finding",
    sa.column("id", sa.Integer),
    sa.column("run_id", sa.Integer),
    sa.column("last_run_id", sa.Integer),
    sa.column("page_id", sa.Integer),
    sa.column("service_id", sa.String),
    sa.column("issue_id", sa.Integer),
    *(sa.column(name, sa.Integer if name == "journey_step" else sa.String) for name in CONTENT),
)
pageresult = sa.table(
    "pageresult",
    sa.column("id", sa.Integer),
    sa.column("run_id", sa.Integer),
    sa.column("page_id", sa.Integer),
    sa.column("service_id", sa.String),
    sa.column("status", sa.String),
    sa.column("revalidated", sa.Boolean),
    sa.column("serious_count", sa.Integer),
    sa.column("carried_from_run_id", sa.Integer),
    sa.column("final_url", sa.String),
    sa.column("content_type", sa.String),
    sa.column("size_bytes", sa.Integer),
    sa.column("last_modified", sa.String),
    sa.column("title", sa.String),
    sa.column("fingerprint", sa.String),
    sa.column("facts", sa.JSON),
)
brandresult = sa.table(
    "brandresult",
    sa.column("id", sa.Integer),
    sa.column("run_id", sa.Integer),
    sa.column("page_id", sa.Integer),
    sa.column("service_id", sa.String),
    sa.column("passed", sa.Boolean),
    sa.column("rules", sa.JSON),
    sa.column("details", sa.JSON),
    sa.column("header_screenshot", sa.String),
)
run = sa.table("run", sa.column("id", sa.Integer), sa.column("status", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        'runsummary',
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in TOTALS),
        sa.Column('detail_pruned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['run.id']),
        sa.PrimaryKeyConstraint('run_id', 'service_id'),
    )
    op.create_index('ix_runsummary_service_run', 'runsummary', ['service_id', 'run_id'])
    _summarise_finished_runs(bind)

    # Indexes that only repeated the start of another, and the covering indexes of the
    # per-run aggregates (0002), which now read the summaries, go; a page's visits in order.
    for table, names in OLD_INDEXES.items():
        for name in names:
            op.drop_index(name, table_name=table)
    op.create_index('ix_pageresult_page_run', 'pageresult', ['page_id', 'run_id'])
    op.add_column('pageresult', sa.Column('carried_from_run_id', sa.Integer(), nullable=True))

    op.add_column('finding', sa.Column('last_run_id', sa.Integer(), nullable=True))
    op.create_index('ix_finding_migration_page', 'finding', ['page_id', 'run_id'])
    for pages in _page_batches(bind):
        _join_findings(bind, pages)
        _compact_page_results(bind, pages)
        _compact_brand_results(bind, pages)
    op.drop_index('ix_finding_migration_page', table_name='finding')
    op.drop_index('ix_finding_page_id', table_name='finding')
    op.drop_index('ix_finding_run_service', table_name='finding')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.alter_column('run_id', new_column_name='first_run_id')
        batch_op.alter_column('last_run_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_finding_last_run', 'run', ['last_run_id'], ['id'])
        batch_op.drop_column('carried')
    op.create_index('ix_finding_service_last_run', 'finding', ['service_id', 'last_run_id'])
    op.create_index('ix_finding_last_run', 'finding', ['last_run_id'])
    op.create_index('ix_finding_page_last_run', 'finding', ['page_id', 'last_run_id'])


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index('ix_finding_page_last_run', table_name='finding')
    op.drop_index('ix_finding_last_run', table_name='finding')
    op.drop_index('ix_finding_service_last_run', table_name='finding')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_constraint('fk_finding_last_run', type_='foreignkey')
        batch_op.alter_column('first_run_id', new_column_name='run_id')
        batch_op.add_column(
            sa.Column('carried', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _copy_findings_back(bind)
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('last_run_id')
    op.create_index('ix_finding_page_id', 'finding', ['page_id'])
    op.create_index('ix_finding_run_service', 'finding', ['run_id', 'service_id'])
    _expand_page_results(bind)
    _expand_brand_results(bind)
    op.drop_column('pageresult', 'carried_from_run_id')
    op.drop_index('ix_pageresult_page_run', table_name='pageresult')
    for table, names in OLD_INDEXES.items():
        for name in names:
            op.create_index(name, table, OLD_INDEX_COLUMNS[name])
    op.drop_index('ix_runsummary_service_run', table_name='runsummary')
    op.drop_table('runsummary')


# --- upgrade ------------------------------------------------------------------------------


def _summarise_finished_runs(bind: Any) -> None:
    """Every finished run's totals per service, from its page results, brand results and
    findings (still one row per run here)."""
    finished = sa.select(run.c.id).where(run.c.status.in_(FINISHED))
    totals: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
    pr = pageresult.c
    judged = pr.status.in_(JUDGED)
    rows = bind.execute(
        sa.select(
            pr.run_id,
            pr.service_id,
            sa.func.count(),
            sa.func.sum(sa.case((judged, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(judged, pr.serious_count == 0), 1), else_=0)),
            sa.func.sum(sa.case((pr.status == "audited", 1), else_=0)),
            sa.func.sum(sa.case((pr.status == "carried", 1), else_=0)),
            sa.func.sum(sa.case((pr.revalidated.is_(True), 1), else_=0)),
            sa.func.sum(sa.case((pr.status == "failed", 1), else_=0)),
        )
        .where(pr.run_id.in_(finished))
        .group_by(pr.run_id, pr.service_id)
    ).all()
    for run_id, service_id, *counts in rows:
        entry = totals[(run_id, service_id)]
        for name, value in zip(PAGE_TOTALS, counts, strict=True):
            entry[name] = int(value or 0)
    br = brandresult.c
    for run_id, service_id, checked, passed in bind.execute(
        sa.select(
            br.run_id,
            br.service_id,
            sa.func.count(),
            sa.func.sum(sa.case((br.passed.is_(True), 1), else_=0)),
        )
        .where(br.run_id.in_(finished))
        .group_by(br.run_id, br.service_id)
    ).all():
        totals[(run_id, service_id)].update(brand_checked=checked, brand_passed=int(passed or 0))
    f = finding.c
    for run_id, service_id, count in bind.execute(
        sa.select(f.run_id, f.service_id, sa.func.count())
        .where(f.run_id.in_(finished))
        .group_by(f.run_id, f.service_id)
    ).all():
        totals[(run_id, service_id)]["findings"] = count
    summary = sa.table(
        "runsummary",
        sa.column("run_id", sa.Integer),
        sa.column("service_id", sa.String),
        *(sa.column(name, sa.Integer) for name in TOTALS),
    )
    rows_out = [{"run_id": r, "service_id": s, **v} for (r, s), v in sorted(totals.items())]
    for start in range(0, len(rows_out), WRITE_BATCH):
        bind.execute(summary.insert(), rows_out[start : start + WRITE_BATCH])


def _page_batches(bind: Any) -> Iterator[list[int]]:
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM page ORDER BY id"))]
    for start in range(0, len(ids), PAGES_PER_BATCH):
        yield ids[start : start + PAGES_PER_BATCH]


def _judged_visits(bind: Any, pages: list[int]) -> dict[int, list[int]]:
    visits: dict[int, list[int]] = defaultdict(list)
    for page_id, run_id in bind.execute(
        sa.select(pageresult.c.page_id, pageresult.c.run_id)
        .where(pageresult.c.page_id.in_(pages), pageresult.c.status.in_(JUDGED))
        .order_by(pageresult.c.page_id, pageresult.c.run_id)
    ):
        visits[page_id].append(run_id)
    return visits


def _join_findings(bind: Any, pages: list[int]) -> None:
    """Each chain of a finding's copies over a page's consecutive judged visits becomes
    its first row, stretched to the last run of the chain; the copies are deleted."""
    visits = _judged_visits(bind, pages)
    f = finding.c
    rows = bind.execute(
        sa.select(f.id, f.run_id, f.page_id, f.issue_id, *(f[name] for name in CONTENT))
        .where(f.page_id.in_(pages))
        .order_by(f.page_id, f.run_id, f.id)
    ).all()
    by_page: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_page[row.page_id].append(row)
    stretched: list[dict[str, Any]] = []
    copies: list[int] = []
    for page_id, found in by_page.items():
        judged = visits.get(page_id, [])
        previous = {later: earlier for earlier, later in zip(judged, judged[1:], strict=False)}
        judged_set = set(judged)
        # Open stretches by content: each is [kept row id, last run, issue id].
        open_: dict[tuple[Any, ...], list[list[Any]]] = {}
        run_rows: dict[int, list[Any]] = defaultdict(list)
        for row in found:
            run_rows[row.run_id].append(row)
        for run_id in sorted(run_rows):
            if run_id not in judged_set:
                stretched += [{"i": r.id, "last": run_id, "issue": r.issue_id} for r in run_rows[run_id]]
                continue
            before = previous.get(run_id)
            now_open: dict[tuple[Any, ...], list[list[Any]]] = defaultdict(list)
            for row in run_rows[run_id]:
                if row.journey_id is not None or row.check in SERVICE_CHECKS:
                    stretched.append({"i": row.id, "last": run_id, "issue": row.issue_id})
                    continue
                key = tuple(row._mapping[name] for name in CONTENT)
                candidates = open_.get(key) or []
                if candidates and candidates[0][1] == before:
                    stretch = candidates.pop(0)
                    stretch[1] = run_id
                    stretch[2] = row.issue_id if row.issue_id is not None else stretch[2]
                    copies.append(row.id)
                else:
                    stretch = [row.id, run_id, row.issue_id]
                now_open[key].append(stretch)
            for key, rest in open_.items():  # not seen again in this visit: closed
                for stretch in rest:
                    stretched.append({"i": stretch[0], "last": stretch[1], "issue": stretch[2]})
            open_ = now_open
        for rest in open_.values():
            for stretch in rest:
                stretched.append({"i": stretch[0], "last": stretch[1], "issue": stretch[2]})
    update = (
        finding.update()
        .where(finding.c.id == sa.bindparam("i"))
        .values(last_run_id=sa.bindparam("last"), issue_id=sa.bindparam("issue"))
    )
    for start in range(0, len(stretched), WRITE_BATCH):
        bind.execute(update, stretched[start : start + WRITE_BATCH])
    for start in range(0, len(copies), WRITE_BATCH):
        bind.execute(finding.delete().where(finding.c.id.in_(copies[start : start + WRITE_BATCH])))


def _compact_page_results(bind: Any, pages: list[int]) -> None:
    """A carried result equal in every detail to the full visit before it points at it."""
    pr = pageresult.c
    rows = bind.execute(
        sa.select(pr.id, pr.run_id, pr.page_id, pr.status, *(pr[name] for name in DETAIL))
        .where(pr.page_id.in_(pages), pr.status.in_(JUDGED))
        .order_by(pr.page_id, pr.run_id)
    ).all()
    source: dict[int, tuple[int, tuple[Any, ...]]] = {}
    compact: list[dict[str, Any]] = []
    for row in rows:
        values = tuple(row._mapping[name] for name in DETAIL)
        known = source.get(row.page_id)
        if row.status == "carried" and known is not None and known[1] == values:
            compact.append({"i": row.id, "source": known[0]})
        else:
            source[row.page_id] = (row.run_id, values)
    update = (
        pageresult.update()
        .where(pageresult.c.id == sa.bindparam("i"))
        .values(
            carried_from_run_id=sa.bindparam("source"),
            **{name: sa.null() for name in DETAIL},
        )
    )
    for start in range(0, len(compact), WRITE_BATCH):
        bind.execute(update, compact[start : start + WRITE_BATCH])


def _compact_brand_results(bind: Any, pages: list[int]) -> None:
    """A carried brand result keeps its score and rules; its details and screenshot stay
    with the result of the run that judged the page."""
    br = brandresult.c
    rows = bind.execute(
        sa.select(br.id, br.run_id, br.page_id, br.rules, br.details, br.header_screenshot)
        .where(br.page_id.in_(pages))
        .order_by(br.page_id, br.run_id)
    ).all()
    judged_in: dict[tuple[int, int], tuple[int, Any, dict[str, Any], Any]] = {}
    compact: list[dict[str, Any]] = []
    for row in rows:
        details = dict(row.details or {})
        carried_from = details.pop("carried_from_run", None)
        origin = judged_in.get((row.page_id, carried_from)) if carried_from is not None else None
        if origin is not None and origin[1:] == (row.rules, details, row.header_screenshot):
            compact.append({"i": row.id, "details": {"carried_from_run": origin[0]}})
            judged_in[(row.page_id, row.run_id)] = origin
        else:
            judged_in[(row.page_id, row.run_id)] = (
                row.run_id, row.rules, details, row.header_screenshot,
            )  # fmt: skip
    update = (
        brandresult.update()
        .where(brandresult.c.id == sa.bindparam("i"))
        .values(details=sa.bindparam("details", type_=sa.JSON), header_screenshot=sa.null())
    )
    for start in range(0, len(compact), WRITE_BATCH):
        bind.execute(update, compact[start : start + WRITE_BATCH])


# --- downgrade ----------------------------------------------------------------------------


def _copy_findings_back(bind: Any) -> None:
    """Every stretch written back as one row per run it belongs to (copies marked carried)."""
    for pages in _page_batches(bind):
        visits = _judged_visits(bind, pages)
        carried_runs = {
            (page_id, run_id)
            for page_id, run_id in bind.execute(
                sa.select(pageresult.c.page_id, pageresult.c.run_id).where(
                    pageresult.c.page_id.in_(pages), pageresult.c.status == "carried"
                )
            )
        }
        f = finding.c
        rows = bind.execute(
            sa.select(
                f.id, f.run_id, f.last_run_id, f.page_id, f.service_id, f.issue_id,
                *(f[name] for name in CONTENT),
            ).where(f.page_id.in_(pages), f.last_run_id > f.run_id)
        ).all()  # fmt: skip
        copies: list[dict[str, Any]] = []
        for row in rows:
            for run_id in visits.get(row.page_id, []):
                if row.run_id < run_id <= row.last_run_id:
                    copies.append(
                        {
                            "run_id": run_id,
                            "last_run_id": run_id,
                            "page_id": row.page_id,
                            "service_id": row.service_id,
                            "issue_id": row.issue_id,
                            "carried": (row.page_id, run_id) in carried_runs,
                            **{name: row._mapping[name] for name in CONTENT},
                        }
                    )
        table = sa.table(
            "finding",
            *(sa.column(name) for name in copies[0]) if copies else (sa.column("id"),),
        )
        for start in range(0, len(copies), WRITE_BATCH):
            bind.execute(table.insert(), copies[start : start + WRITE_BATCH])


def _expand_page_results(bind: Any) -> None:
    pr = pageresult.c
    source = pageresult.alias("source")
    rows = bind.execute(
        sa.select(pr.id, *(source.c[name] for name in DETAIL)).join(
            source,
            sa.and_(source.c.page_id == pr.page_id, source.c.run_id == pr.carried_from_run_id),
        )
    ).all()
    update = (
        pageresult.update()
        .where(pageresult.c.id == sa.bindparam("i"))
        .values(**{name: sa.bindparam(f"v_{name}") for name in DETAIL})
    )
    values = [{"i": row.id, **{f"v_{name}": row._mapping[name] for name in DETAIL}} for row in rows]
    for start in range(0, len(values), WRITE_BATCH):
        bind.execute(update, values[start : start + WRITE_BATCH])


def _expand_brand_results(bind: Any) -> None:
    br = brandresult.c
    rows = bind.execute(sa.select(br.id, br.run_id, br.page_id, br.details)).all()
    full = {(r.page_id, r.run_id): r for r in rows if "carried_from_run" not in (r.details or {})}
    shots = dict(
        bind.execute(sa.select(br.id, br.header_screenshot).where(br.header_screenshot.is_not(None))).all()
    )
    values = []
    for row in rows:
        origin = (row.details or {}).get("carried_from_run")
        judged = full.get((row.page_id, origin)) if origin is not None else None
        if judged is not None and set(row.details) == {"carried_from_run"}:
            values.append(
                {
                    "i": row.id,
                    "details": {**(judged.details or {}), "carried_from_run": origin},
                    "shot": shots.get(judged.id),
                }
            )
    update = (
        brandresult.update()
        .where(brandresult.c.id == sa.bindparam("i"))
        .values(
            details=sa.bindparam("details", type_=sa.JSON),
            header_screenshot=sa.bindparam("shot"),
        )
    )
    for start in range(0, len(values), WRITE_BATCH):
        bind.execute(update, values[start : start + WRITE_BATCH])
