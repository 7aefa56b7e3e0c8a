"""The dashboard's aggregates give the same answers on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from monitor.db import engine_for, upgrade
from monitor.models import utcnow
from monitor.repository import Repository
from tests.dashboard.known import seed_known


def aggregates(repository: Repository) -> dict[str, Any]:
    now = utcnow()
    year_ago, soon = now - timedelta(days=365), now + timedelta(days=1)
    runs = repository.recent_audit_runs(per_service=2)
    pairs = [(service, ids[0]) for service, ids in runs.items()]
    return {
        "recent_runs": {k: len(v) for k, v in runs.items()},
        "page_counts": {f"{s}": v for (s, _), v in repository.page_counts_for_runs(pairs).items()},
        "trend": [
            {
                k: v
                for k, v in row.items()
                if k not in ("run_id", "finished_at", "started_at", "started")
            }
            for row in repository.audit_trend(runs=14)
        ],
        "open_issues": repository.open_issue_counts(),
        "fix_days": {
            k: sorted(round(d, 3) for d in v)
            for k, v in repository.fix_durations_days(since=year_ago).items()
        },
        "by_criterion": repository.issues_by_criterion(),
        "journeys": repository.journey_counts(since=year_ago, until=soon),
        "weekly_journeys": [
            {k: v for k, v in row.items() if k != "week"}
            for row in repository.weekly_journeys(since=year_ago)
        ],
        "weeks_of_journeys": len(repository.weekly_journeys(since=year_ago)),
        "feedback": repository.feedback_counts(since=year_ago, until=soon),
        "weekly_feedback": [
            {k: v for k, v in row.items() if k != "week"}
            for row in repository.weekly_feedback(since=year_ago)
        ],
        "comments": sorted(
            c["comment"] or "" for c in repository.comments(service_ids=["alpha", "beta"], limit=50)
        ),
    }


def test_aggregates_match_across_databases(sqlite_url: str, postgres_url: str) -> None:
    postgres = postgres_url.rsplit("/", 1)[0] + "/scorecard"
    with (
        engine_for(postgres_url)
        .connect()
        .execution_options(isolation_level="AUTOCOMMIT") as connection
    ):
        connection.execute(text('DROP DATABASE IF EXISTS "scorecard"'))
        connection.execute(text('CREATE DATABASE "scorecard"'))
    results = []
    for url in (sqlite_url, postgres):
        upgrade(url)
        repository = Repository(url)
        seed_known(repository)
        results.append(aggregates(repository))
    engine_for(postgres).dispose()
    on_sqlite, on_postgres = results
    assert on_sqlite["open_issues"] and on_sqlite["feedback"] and on_sqlite["journeys"]
    assert on_sqlite["weeks_of_journeys"] > 0 and on_sqlite["weekly_feedback"]
    for key in on_sqlite:
        assert on_sqlite[key] == on_postgres[key], key
