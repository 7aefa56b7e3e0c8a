"""The fix-first order: harm to residents, with exact values, and the order it gives on a
real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.measures.fix_first import HarmSignals, fix_first, harm, harm_parts
from monitor.models import Feedback, FindingOutcome, JourneyRun, JourneyStepResult, utcnow
from monitor.repository import Repository
from monitor.vocabulary import Impact
from tests.dashboard.known import seed_known

VIOLATION, REVIEW = FindingOutcome.violation, FindingOutcome.needs_review


def test_harm_is_severity_times_reach_times_what_residents_met() -> None:
    # critical (4) × 4 pages (1 + log2 4 = 3) × (1 + journey 1 + log2(1+3) = 2 failures
    # + log2(1 + 5 + 2) = 3 residents) = 4 × 3 × 7 = 84
    signals = HarmSignals(pages=4, on_journey=True, journey_failures=3, not_useful=5, low_ratings=2)
    assert harm(Impact.critical, VIOLATION, signals) == 84.0
    parts = harm_parts(Impact.critical, VIOLATION, signals)
    assert (parts.severity, parts.reach, parts.journey, parts.failures, parts.residents) == (
        4.0,
        3.0,
        1.0,
        2.0,
        3.0,
    )


@pytest.mark.parametrize(
    ("impact", "outcome", "signals", "expected"),
    [
        (Impact.serious, VIOLATION, HarmSignals(pages=1), 3.0),  # 3 × 1 × 1
        (Impact.serious, VIOLATION, HarmSignals(pages=2), 6.0),  # 3 × 2 × 1
        (Impact.serious, VIOLATION, HarmSignals(pages=0), 3.0),  # no page recorded: one
        (Impact.moderate, VIOLATION, HarmSignals(pages=8, on_journey=True), 16.0),  # 2 × 4 × 2
        (Impact.minor, VIOLATION, HarmSignals(pages=1, journey_failures=1), 2.0),  # 1 × 1 × 2
        (Impact.critical, REVIEW, HarmSignals(pages=1), 2.0),  # halved: a person must look
        (None, VIOLATION, HarmSignals(pages=1, not_useful=3), 3.0),  # 1 × 1 × (1 + 2)
        (Impact.serious, VIOLATION, HarmSignals(pages=3), 7.75),  # 3 × (1 + log2 3) = 7.75
    ],
)
def test_harm_exact_values(
    impact: Impact | None, outcome: FindingOutcome, signals: HarmSignals, expected: float
) -> None:
    assert harm(impact, outcome, signals) == expected


def test_a_minor_issue_never_outranks_a_critical_one_on_the_same_pages() -> None:
    busy = HarmSignals(pages=4, on_journey=True, journey_failures=7, not_useful=63)
    assert harm(Impact.critical, VIOLATION, busy) > harm(Impact.minor, VIOLATION, busy)
    assert harm(Impact.minor, VIOLATION, busy) / harm(Impact.critical, VIOLATION, busy) == 0.25


def test_the_order_joins_journeys_failures_and_residents_on_the_issues_pages(
    sqlite_repository: Repository,
) -> None:
    repository = sqlite_repository
    seed_known(repository)
    now = utcnow()
    # Alpha's issues: 1 color-contrast serious on pages 1 and 2 (on a journey), 2 image-alt
    # critical on page 1. A journey of run 3 failed at a step on /form (page 2), and failed
    # again on its retry; residents answered "not useful" three times on /form.
    for attempt in (1, 2):
        repository.record_journey_attempt(
            JourneyRun(
                run_id=3,
                service_id="alpha",
                journey_id="alpha-form",
                attempt=attempt,
                outcome="failed",
                failed_step=2,
                started_at=now - timedelta(hours=2),
            ),
            [
                JourneyStepResult(
                    journey_run_id=0,
                    index=2,
                    action="click",
                    status="failed",
                    url="https://a.example/form?step=2",
                )
            ],
        )
    for _ in range(3):
        repository.add_feedback(
            Feedback(service_id="alpha", kind="page_useful", useful=False, page_path="/form")
        )
    ranked = fix_first(repository.read, now, service_ids=["alpha"])
    by_rule = {r.issue.rule: r for r in ranked}
    contrast, alt = by_rule["color-contrast"], by_rule["image-alt"]
    # One journey run failed on /form (a retry counts once): log2(1 + 1) = 1.
    assert contrast.signals == HarmSignals(
        pages=2, on_journey=True, journey_failures=1, not_useful=3, low_ratings=0
    )
    # serious 3 × reach 2 × (1 + 1 + 1 + log2(4) = 2) = 30
    assert contrast.harm == 30.0
    # image-alt is on page 1 only, which residents did not complain of: 4 × 1 × 1 = 4
    assert alt.signals == HarmSignals(pages=1)
    assert alt.harm == 4.0
    # A moderate broken link on /form, where the journey failed and residents said "not
    # useful", does more harm than the critical image-alt on a quiet page:
    # 2 × 1 × (1 + 1 + 1 + 2) = 10.
    assert by_rule["broken-link"].harm == 10.0
    assert [r.issue.rule for r in ranked] == ["color-contrast", "broken-link", "image-alt"]
    assert contrast.barrier.title == "Text is hard to read against its background"
