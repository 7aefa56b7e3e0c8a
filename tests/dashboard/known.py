"""A small, known history written through the repository, so the views' numbers are exact."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import partial

from monitor.models import (
    BrandResult,
    Feedback,
    Issue,
    IssuePage,
    JourneyRun,
    Page,
    PageResult,
    Run,
    Service,
    utcnow,
)
from monitor.repository import Repository

HTML_COMMENT = "<b>bold</b> **stars** [a link](http://evil.example) <script>alert(1)</script>"
BETA_COMMENT = "Beta only: the map would not load"
LOW_COMMENT = "Alpha: the form lost my answers twice"


def issue_row(
    issue_id: int,
    service: str,
    rule: str,
    wcag: str,
    impact: str,
    status: str,
    pages: int,
    *,
    now: datetime,
    **extra: object,
) -> dict[str, object]:
    """An issue as stored, found by axe in audit run 1 and seen again in run 2."""
    day = timedelta(days=1)
    return {
        "id": issue_id,
        "service_id": service,
        "fingerprint": f"fp{issue_id}",
        "check": "axe",
        "rule": rule,
        "outcome": "violation",
        "wcag": wcag,
        "impact": impact,
        "message": f"{rule} fails",
        "selector": f"#{rule}",
        "snippet": f'<p class="{rule}">x</p>',
        "status": status,
        "pages_affected": pages,
        "on_journey": False,
        "first_seen_at": now - 2 * day,
        "first_seen_run_id": 1,
        "last_seen_at": now - day,
        "last_seen_run_id": 2,
        "fixed_at": None,
        "fixed_run_id": None,
        "reopened_count": 0,
        "ack_by": None,
        "ack_reason": None,
        "ack_until": None,
        "help_url": f"https://dequeuniversity.com/rules/axe/4.12/{rule}",
        **extra,
    }


def seed_known(repository: Repository, *, first_run_days_ago: int = 2) -> None:
    """Two services: alpha (good) and beta (poor), two audit runs, known issues and ratings.

    The first audit run began two days ago; ``first_run_days_ago=8`` moves it before last
    week, so "since last week" has a value to compare with (the run before the latest)."""
    now = utcnow()
    repository.upsert_services(
        [
            Service(id="alpha", name="Alpha service", owner_email="alpha.owner@example.gov.uk"),
            Service(id="beta", name="Beta service", owner_email="beta.owner@example.gov.uk"),
        ]
    )
    day = timedelta(days=1)
    runs = [
        {
            "id": run_id,
            "kind": "audit",
            "trigger": "schedule",
            "status": "completed",
            "service_ids": ["alpha", "beta"],
            "options": {},
            "check_versions": {},
            "created_at": now - ago * day,
            "started_at": now - ago * day,
            "finished_at": now - ago * day + timedelta(minutes=3),
            "pages_found": 4,
            "pages_audited": 4,
        }
        for run_id, ago in ((1, first_run_days_ago), (2, 1))
    ]
    runs.append({**runs[1], "id": 3, "kind": "journeys", "pages_found": 0})
    repository.bulk_insert(Run, runs)
    repository.bulk_insert(
        Page,
        [
            {
                "id": 1,
                "service_id": "alpha",
                "url": "https://a.example/",
                "first_seen_at": now,
                "last_seen_at": now,
            },
            {
                "id": 2,
                "service_id": "alpha",
                "url": "https://a.example/form",
                "first_seen_at": now,
                "last_seen_at": now,
            },
            {
                "id": 3,
                "service_id": "beta",
                "url": "https://b.example/",
                "first_seen_at": now,
                "last_seen_at": now,
            },
            {
                "id": 4,
                "service_id": "beta",
                "url": "https://b.example/pay",
                "first_seen_at": now,
                "last_seen_at": now,
            },
            {
                "id": 5,
                "service_id": "alpha",
                "url": "https://a.example/slow",
                "first_seen_at": now,
                "last_seen_at": now,
            },
        ],
    )
    serious = {1: {1: 1, 2: 0, 3: 0, 4: 0}, 2: {1: 0, 2: 0, 3: 1, 4: 0}}
    repository.bulk_insert(
        PageResult,
        [
            {
                "run_id": run_id,
                "page_id": page_id,
                "service_id": "alpha" if page_id <= 2 else "beta",
                "status": "carried" if page_id == 2 else "audited",
                "serious_count": count,
                "error_kind": None,
                "error": None,
                # The keyboard check could not judge alpha's home page in run 2.
                "check_errors": [
                    {"check": "keyboard", "kind": "timeout", "message": "Tab walk timed out"}
                ]
                if (run_id, page_id) == (2, 1)
                else None,
            }
            for run_id, pages in serious.items()
            for page_id, count in pages.items()
        ]
        + [
            {
                "run_id": 2,
                "page_id": 5,
                "service_id": "alpha",
                "status": "failed",
                "error_kind": "timeout",
                "error": "The page did not load within 30 s",
                "serious_count": 0,
                "check_errors": None,
            }
        ],
    )
    repository.bulk_insert(
        BrandResult,
        [
            {
                "run_id": 2,
                "page_id": page_id,
                "service_id": "alpha" if page_id <= 2 else "beta",
                "score": 100.0 if ok else 60.0,
                "passed": ok,
                "rules": {"logo": ok},
                "details": {},
            }
            for page_id, ok in ((1, True), (2, False), (3, True), (4, True))
        ],
    )

    issue = partial(issue_row, now=now)
    repository.bulk_insert(
        Issue,
        [
            issue(1, "alpha", "color-contrast", "1.4.3", "serious", "open", 2, on_journey=True),
            issue(2, "alpha", "image-alt", "1.1.1", "critical", "new", 1, first_seen_run_id=2),
            issue(
                3,
                "alpha",
                "heading-order",
                "1.3.1",
                "moderate",
                "fixed",
                1,
                fixed_at=now - day,
                fixed_run_id=2,
            ),
            issue(
                4,
                "beta",
                "label",
                "1.3.1,4.1.2",
                "critical",
                "open",
                1,
                ack_by="team@example.gov.uk",
                ack_reason="Supplier fix booked",
                ack_until=now + 30 * day,
            ),
            issue(5, "beta", "link-name", "2.4.4", "serious", "open", 1),
            # Issues of the other kinds: branding, links and the accessibility statement.
            issue(6, "beta", "logo", "", "moderate", "open", 1, check="branding"),
            issue(7, "alpha", "broken-link", "", "moderate", "open", 1, check="links"),
            issue(8, "beta", "statement-stale", "", "moderate", "open", 1, check="statement"),
        ],
    )
    repository.bulk_insert(
        IssuePage,
        [
            {"issue_id": i, "page_id": p, "first_seen_at": now - 2 * day}
            for i, p in ((1, 1), (1, 2), (2, 1), (3, 2), (4, 3), (5, 4), (6, 3), (7, 2), (8, 3))
        ],
    )
    repository.bulk_insert(
        JourneyRun,
        [
            {
                "run_id": 3,
                "service_id": "alpha",
                "journey_id": "alpha-main",
                "attempt": 1,
                "outcome": "completed",
                "flaky": False,
                "started_at": now - day,
                "duration_ms": 4000,
            },
            {
                "run_id": 3,
                "service_id": "beta",
                "journey_id": "beta-main",
                "attempt": 1,
                "outcome": "failed",
                "flaky": False,
                "started_at": now - day,
                "duration_ms": 2000,
                "failed_step": 2,
                "reason": "Step 3: button not found",
            },
        ],
    )

    def feedback(service: str, hours: int, **values: object) -> dict[str, object]:
        row: dict[str, object] = {
            "received_at": now - timedelta(hours=hours),
            "service_id": service,
            "page_path": "/start",
            "kind": "satisfaction",
            "rating": None,
            "useful": None,
            "comment": None,
            "redacted": False,
            "flags": [],
            "source": "widget",
        }
        row.update(values)
        return row

    repository.bulk_insert(
        Feedback,
        [
            feedback("alpha", 1, rating=5, comment=HTML_COMMENT),
            feedback("alpha", 2, rating=5),
            feedback("alpha", 3, rating=4),
            feedback("alpha", 4, rating=2, comment=LOW_COMMENT),
            feedback("alpha", 5, kind="page_useful", useful=True),
            feedback("alpha", 6, kind="page_useful", useful=True),
            feedback("alpha", 7, kind="page_useful", useful=False),
            feedback("beta", 1, rating=1, comment=BETA_COMMENT),
            feedback("beta", 2, rating=3),
        ],
    )
    # Written around the runner, so the runs' totals (which trends read) are stored here.
    repository.summarise_runs()


def seed_older_ratings(repository: Repository) -> None:
    """Three of alpha's ratings (5, 5, 1) on the Wednesday two weeks before this one (12 to
    19 days ago, so always in one complete week): a week ago its satisfaction was 2 of 3;
    with the known history's 5, 5, 4 and 2 it is now 5 of 7."""
    now = utcnow()
    monday = now.date() - timedelta(days=now.weekday())
    wednesday = datetime.combine(monday - timedelta(days=12), time(12), tzinfo=UTC)
    repository.bulk_insert(
        Feedback,
        [
            {
                "received_at": wednesday + timedelta(minutes=minutes),
                "service_id": "alpha",
                "page_path": "/start",
                "kind": "satisfaction",
                "rating": rating,
                "useful": None,
                "comment": None,
                "redacted": False,
                "flags": [],
                "source": "widget",
            }
            for minutes, rating in ((1, 5), (2, 5), (3, 1))
        ],
    )
