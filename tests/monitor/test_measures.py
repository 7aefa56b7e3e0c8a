"""The Ambition 1 measures, with exact values."""

from __future__ import annotations

import pytest

from monitor.config import MeasureId, MeasuresFile, Thresholds
from monitor.measures import (
    Comparison,
    Status,
    accessibility,
    brand_compliance,
    completion_rate,
    evaluate,
    median,
    need_score,
    page_useful,
    rag,
    satisfaction,
)
from monitor.measures.values import enough

MEASURES = MeasuresFile.model_validate(
    {
        "measures": {
            "satisfaction": {"label": "Resident satisfaction", "target": 80, "amber": 65},
            "open_serious_issues": {
                "label": "Open serious issues",
                "unit": "count",
                "higher_is_better": False,
                "target": 0,
                "amber": 5,
            },
            "brand_compliance": {"label": "Brand", "target": 95, "amber": 80},
        },
        "overrides": {"parking": {"brand_compliance": {"target": 90, "amber": 70}}},
    }
)


def test_satisfaction_is_satisfied_and_very_satisfied_over_all_ratings() -> None:
    # 3 very satisfied + 2 satisfied out of 10 ratings.
    assert satisfaction({5: 3, 4: 2, 3: 1, 2: 1, 1: 3}) == 50.0
    assert satisfaction({5: 1, 4: 0}) == 100.0
    assert satisfaction({1: 4}) == 0.0
    assert satisfaction({}) is None
    assert satisfaction({9: 3}) is None  # not a rating on the five-point scale


def test_page_useful_and_shares() -> None:
    assert page_useful(3, 1) == 75.0
    assert page_useful(0, 0) is None
    assert accessibility(3, 4) == 75.0
    assert brand_compliance(1, 8) == 12.5


def test_completion_never_over_100_percent() -> None:
    assert completion_rate(9, 10) == 90.0
    assert completion_rate(12, 10) == 100.0
    assert completion_rate(0, 0) is None


def test_rag_when_higher_is_better() -> None:
    thresholds = Thresholds(target=80, amber=65)
    assert rag(80, thresholds, higher_is_better=True) is Status.on_target
    assert rag(79.9, thresholds, higher_is_better=True) is Status.near_target
    assert rag(65, thresholds, higher_is_better=True) is Status.near_target
    assert rag(64.9, thresholds, higher_is_better=True) is Status.below_target
    assert rag(None, thresholds, higher_is_better=True) is Status.no_data


def test_rag_when_lower_is_better() -> None:
    thresholds = Thresholds(target=0, amber=5)
    assert rag(0, thresholds, higher_is_better=False) is Status.on_target
    assert rag(5, thresholds, higher_is_better=False) is Status.near_target
    assert rag(6, thresholds, higher_is_better=False) is Status.below_target


def test_status_is_in_words_and_shape_not_colour_alone() -> None:
    assert [s.value for s in Status] == [
        "On target",
        "Near target",
        "Below target",
        "Too few answers",
        "No data",
    ]
    assert len({s.symbol for s in Status}) == 5


def test_evaluate_uses_per_service_override_and_reports_each_change() -> None:
    overall = evaluate(
        MEASURES,
        MeasureId.brand_compliance,
        92.0,
        comparisons=[Comparison("the previous run", 90.0), Comparison("last week", 95.0)],
    )
    assert overall.status is Status.near_target
    assert overall.change("the previous run") == pytest.approx(2.0)
    assert overall.change_words("the previous run") == "+2.0 points (better)"
    assert overall.change_words("last week") == "-3.0 points (worse)"
    assert overall.change_words("last quarter") == "No earlier value"
    parking = evaluate(MEASURES, MeasureId.brand_compliance, 92.0, service_id="parking")
    assert parking.status is Status.on_target
    assert parking.target == 90
    assert parking.change_words() == "No earlier value"
    issues = evaluate(
        MEASURES, MeasureId.open_serious_issues, 3, comparisons=[Comparison("last week", 1)]
    )
    assert issues.status is Status.near_target
    assert issues.improved() is False
    assert issues.shown() == "3"
    assert issues.change_words() == "+2 (worse)"


def test_a_share_of_too_few_answers_is_not_drawn() -> None:
    assert enough(100.0, 9, 10) is None
    assert enough(100.0, 10, 10) == 100.0
    few = evaluate(MEASURES, MeasureId.satisfaction, None, sample=6, min_sample=10)
    assert few.status is Status.too_few
    assert few.shown() == "Too few answers (6 of the 10 needed)"
    none = evaluate(MEASURES, MeasureId.satisfaction, None, sample=0, min_sample=10)
    assert none.status is Status.no_data and none.shown() == "No data"


def test_median_and_need() -> None:
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 2, 3]) == 2.5
    assert median([]) is None
    below = evaluate(MEASURES, MeasureId.satisfaction, 50.0)
    near = evaluate(MEASURES, MeasureId.satisfaction, 70.0)
    met = evaluate(MEASURES, MeasureId.satisfaction, 90.0)
    assert need_score([met]) == 0.0
    assert need_score([below]) == pytest.approx(10 + 0.30)
    assert need_score([near]) == pytest.approx(3 + 0.10)
    assert need_score([below]) > need_score([near]) > need_score([met])
