"""Migration 0008 on a seeded year of the old store: nothing the product answers changes.

A year of nightly audits of three services is written as the monitor stored it before
0008 (``tests/monitor/old_store.py``: every finding copied into every run, carried page
and brand results copied whole), answered in plain SQL, upgraded, and answered again
through the repository: the findings of every run (with their multiplicity), every run's
counts, the per-run measures and trends, every page and brand result, what the service
phase reads, the element each issue was last seen on, the issue measures. The store must
also have shrunk. Downgrading gives the old store's answers back. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from monitor.db import upgrade
from monitor.models import FINDING_CONTENT, Finding, RunStatus, RunSummary
from monitor.repository import Repository
from monitor.repository.base import run_counts
from monitor.repository.read import IssueFilter
from tests.monitor.old_store import (
    BRAND_DETAIL,
    NOW,
    RESULT_DETAIL,
    downgrade_to,
    old_answers,
    upgrade_to,
    write_old_history,
)

# A seeded year of the old store, upgraded and downgraded (tens of seconds): the slow tier.
pytestmark = pytest.mark.slow

NIGHTS = 365


def issue_measures(repository: Repository) -> dict[str, Any]:
    """The measures read from issues alone (the migration leaves that table as it is)."""
    runs = [r.id for r in repository.runs(limit=10_000) if r.id is not None]
    read = repository.read
    return {
        "open": read.issues.open_accessibility_counts(NOW),
        "criteria": read.issues.by_criterion(IssueFilter(), now=NOW),
        "fixes": read.issues.fix_days(NOW - timedelta(days=400), NOW),
        "changes": {
            (s, r): read.issues.run_changes(s, r, now=NOW)
            for r in runs[:20]
            for s in ("alpha", "beta", "gamma")
        },
    }


def new_answers(repository: Repository, run_ids: list[int]) -> dict[str, Any]:
    findings: dict[int, Counter[tuple[Any, ...]]] = {}
    results: dict[tuple[int, int], tuple[Any, ...]] = {}
    brands: dict[tuple[int, int], tuple[Any, ...]] = {}
    counts: dict[int, tuple[int, ...]] = {}
    recorded: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    for run_id in run_ids:
        held = Counter(
            (f.page_id, f.service_id, *(getattr(f, name) for name in FINDING_CONTENT))
            for f in repository.findings(run_id)
        )
        if held:
            findings[run_id] = held
        for r in repository.page_results(run_id):
            results[(run_id, r.page_id)] = tuple(getattr(r, name) for name in RESULT_DETAIL)
        for b in repository.brand_results(run_id):
            brands[(run_id, b.page_id)] = tuple(getattr(b, name) for name in BRAND_DETAIL)
        with repository.session() as session:
            stored = run_counts(session, run_id)
        counts[run_id] = tuple(
            stored[name]
            for name in (
                "pages_found",
                "pages_audited",
                "pages_carried",
                "pages_failed",
                "pages_revalidated",
                "findings_count",
            )
        )
        for service in ("alpha", "beta", "gamma"):
            pages = repository.recorded_pages(run_id, service)
            if pages:
                recorded[(run_id, service)] = sorted((u, t, f) for u, _, t, f in pages)
    return {
        "findings": findings,
        "page_results": results,
        "brand_results": brands,
        "run_counts": counts,
        "recorded_pages": recorded,
    }


def without_origin(brands: dict[Any, tuple[Any, ...]]) -> dict[Any, tuple[Any, ...]]:
    """Brand results with the run a carried one came from left out: the old store named
    the run it was copied from, the new one the run that judged the page."""
    at = BRAND_DETAIL.index("details")
    return {
        key: (
            *value[:at],
            {k: v for k, v in (value[at] or {}).items() if k != "carried_from_run"},
            *value[at + 1 :],
        )
        for key, value in brands.items()
    }


def latest_elements(repository: Repository, issues: set[int]) -> dict[tuple[int, str], tuple]:
    return {
        (issue, row["page"]): (row["element"], row["snippet"])
        for issue in issues
        for row in repository.issue_pages(issue)
    }


@pytest.fixture
def old_year(database_url: str) -> tuple[str, dict[str, Any]]:
    upgrade_to(database_url, "0007")  # the store as it was just before 0008
    write_old_history(database_url, nights=NIGHTS)
    return database_url, old_answers(database_url)


def test_the_upgrade_keeps_every_answer_and_shrinks_the_store(
    old_year: tuple[str, dict[str, Any]],
) -> None:
    url, before = old_year
    repository = Repository(url)
    # Asked through the repository before the upgrade too: these read columns 0008 keeps.
    issues_before = issue_measures(repository)
    issue_ids = {issue for issue, _ in before["latest_element"]}
    elements_before = latest_elements(repository, issue_ids)
    upgrade(url)

    run_ids = sorted(before["run_counts"])
    after = new_answers(repository, run_ids)
    held = sum(sum(c.values()) for c in before["findings"].values())
    assert len(run_ids) > NIGHTS and held > 30 * NIGHTS
    for run_id in run_ids:
        assert after["findings"].get(run_id, Counter()) == before["findings"].get(
            run_id, Counter()
        ), run_id
    assert after["run_counts"] == before["run_counts"]
    assert after["page_results"] == before["page_results"]
    assert without_origin(after["brand_results"]) == without_origin(before["brand_results"])
    assert after["recorded_pages"] == before["recorded_pages"]

    # The per-run measures and trends, now read from the runs' summaries.
    pairs = sorted(before["page_counts"])
    counts = repository.read.runs.page_counts(pairs)
    assert {pair: asdict(c) for pair, c in counts.items()} == before["page_counts"]
    by_run: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (_, run_id), c in before["page_counts"].items():
        for i, name in enumerate(("judged", "clean", "checked", "passed")):
            by_run[run_id][i] += c[name]
    trend = repository.read.runs.audit_trend(runs=10_000)
    assert {p.run_id: [p.judged, p.clean, p.brand_checked, p.brand_passed] for p in trend} == dict(
        by_run
    )
    latest: dict[str, list[int]] = defaultdict(list)
    for service, run_id in sorted(pairs, key=lambda p: -p[1]):
        if len(latest[service]) < 3:
            latest[service].append(run_id)
    recent = repository.read.runs.latest_audits(per_service=3)
    assert {s: [ref.run_id for ref in refs] for s, refs in recent.items()} == dict(latest)

    # Where each issue was last seen on each page, and the measures read from issues.
    assert latest_elements(repository, issue_ids) == elements_before
    assert issue_measures(repository) == issues_before

    # Every finished run has its summary; and the copies are gone.
    with repository.session() as session:
        summarised = set(session.execute(select(col(RunSummary.run_id)).distinct()).scalars())
        rows = session.execute(select(func.count()).select_from(Finding)).scalar_one()
    finished = {r.id for r in repository.runs(limit=10_000) if r.status != RunStatus.running}
    assert {r for r in finished if before["run_counts"][r][0] or before["findings"].get(r)} <= (
        summarised
    )
    assert rows < before["finding_rows"] / 3, (rows, before["finding_rows"])


def test_the_downgrade_writes_the_copies_back(old_year: tuple[str, dict[str, Any]]) -> None:
    url, before = old_year
    upgrade(url)
    downgrade_to(url, "0007")
    again = old_answers(url)
    assert again["findings"] == before["findings"]
    assert again["page_results"] == before["page_results"]
    assert without_origin(again["brand_results"]) == without_origin(before["brand_results"])
    assert again["run_counts"] == before["run_counts"]
    assert again["finding_rows"] == before["finding_rows"]
    upgrade(url)  # and up again
    assert sum(len(Repository(url).findings(r)) for r in before["findings"]) == sum(
        sum(c.values()) for c in before["findings"].values()
    )
