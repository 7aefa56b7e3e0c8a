"""The Ambition 1 success measures, computed from plain counts.

Everything here is a pure function over numbers the repository has already aggregated in
SQL, so the same arithmetic serves the dashboard, the exports and the alerts, and is easy
to test with exact values. A status is always given in words as well as a colour, so that
colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from monitor.config import MeasureId, MeasuresFile, Thresholds

SATISFIED_RATINGS = (4, 5)  # "Satisfied" and "Very satisfied" on the five-point scale
RATING_LABELS = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied or dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}
# How much each axe impact weighs when ranking what to fix first.
SEVERITY_WEIGHT = {"critical": 4, "serious": 3, "moderate": 2, "minor": 1}
SERIOUS_IMPACTS = ("serious", "critical")


class Status(StrEnum):
    """Red/amber/green, named in words the service owner reads aloud."""

    on_target = "On target"
    near_target = "Near target"
    below_target = "Below target"
    no_data = "No data"

    @property
    def colour(self) -> str:
        return {
            Status.on_target: "green",
            Status.near_target: "orange",
            Status.below_target: "red",
            Status.no_data: "gray",
        }[self]

    @property
    def symbol(self) -> str:
        """A shape as well as a colour, for people who cannot tell red from green."""
        return {
            Status.on_target: "●",
            Status.near_target: "▲",
            Status.below_target: "■",
            Status.no_data: "○",
        }[self]


def percentage(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``; None when there is nothing to measure."""
    if whole <= 0:
        return None
    return 100.0 * part / whole


def satisfaction(ratings: Mapping[int, int]) -> float | None:
    """Share of ratings that are "Satisfied" or "Very satisfied" (counts by rating 1–5)."""
    total = sum(count for rating, count in ratings.items() if rating in RATING_LABELS)
    satisfied = sum(ratings.get(r, 0) for r in SATISFIED_RATINGS)
    return percentage(satisfied, total)


def page_useful(yes: int, no: int) -> float | None:
    """Share of "Is this page useful?" answers that are "Yes"."""
    return percentage(yes, yes + no)


def completion_rate(completed: int, started: int) -> float | None:
    """Completed journeys over started ones, never over 100% (late records can overlap)."""
    rate = percentage(completed, started)
    return None if rate is None else min(rate, 100.0)


def accessibility(clean_pages: int, audited_pages: int) -> float | None:
    """Share of audited pages with no serious or critical failure."""
    return percentage(min(clean_pages, audited_pages), audited_pages)


def brand_compliance(passed_pages: int, checked_pages: int) -> float | None:
    """Share of checked pages that meet every brand rule."""
    return percentage(min(passed_pages, checked_pages), checked_pages)


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def rag(value: float | None, thresholds: Thresholds, *, higher_is_better: bool) -> Status:
    """On target at or beyond the target, near target at or beyond amber, else below."""
    if value is None:
        return Status.no_data
    if higher_is_better:
        if value >= thresholds.target:
            return Status.on_target
        return Status.near_target if value >= thresholds.amber else Status.below_target
    if value <= thresholds.target:
        return Status.on_target
    return Status.near_target if value <= thresholds.amber else Status.below_target


def issue_priority(impact: str | None, pages_affected: int, on_journey: bool) -> int:
    """Fix first what is severe, widespread and in the way of a resident's journey."""
    weight = SEVERITY_WEIGHT.get(impact or "", 1)
    return weight * max(pages_affected, 1) * (2 if on_journey else 1)


@dataclass(frozen=True)
class MeasureResult:
    """One measure's value against its target, with its status and its change."""

    measure: MeasureId
    label: str
    unit: str
    value: float | None
    target: float
    amber: float
    higher_is_better: bool
    status: Status
    previous: float | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def improved(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == self.higher_is_better

    def shown(self, value: float | None = None) -> str:
        """The value as a person reads it: "82.5%", "3 days", "No data"."""
        value = self.value if value is None else value
        return format_value(value, self.unit)

    def change_words(self) -> str:
        change = self.change
        if change is None:
            return "No earlier value"
        if change == 0:
            return "No change"
        points = " points" if self.unit == "%" else ""
        verdict = "better" if self.improved else "worse"
        return f"{change:+.1f}{points} ({verdict})"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "No data"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "days":
        return f"{value:.1f} days"
    return f"{value:.1f} {unit}"


def evaluate(
    measures: MeasuresFile,
    measure: MeasureId,
    value: float | None,
    *,
    service_id: str | None = None,
    previous: float | None = None,
) -> MeasureResult:
    """A measure's value judged against measures.yaml (with any per-service override)."""
    definition = measures.measures[measure]
    override = measures.overrides.get(service_id or "", {}).get(measure)
    thresholds = override or Thresholds(target=definition.target, amber=definition.amber)
    return MeasureResult(
        measure=measure,
        label=definition.label,
        unit=definition.unit,
        value=value,
        target=thresholds.target,
        amber=thresholds.amber,
        higher_is_better=definition.higher_is_better,
        status=rag(value, thresholds, higher_is_better=definition.higher_is_better),
        previous=previous,
    )


def shortfall(result: MeasureResult) -> float:
    """How far a measure is from its target, as a share of the target's scale (0 if met)."""
    if result.value is None:
        return 0.0
    gap = result.target - result.value if result.higher_is_better else result.value - result.target
    if gap <= 0:
        return 0.0
    scale = 100.0 if result.unit == "%" else max(abs(result.amber - result.target), 1.0)
    return gap / scale


def need_score(results: Iterable[MeasureResult]) -> float:
    """A service's need for attention: below-target measures count most, then the gaps."""
    score = 0.0
    for result in results:
        if result.status is Status.below_target:
            score += 10.0
        elif result.status is Status.near_target:
            score += 3.0
        score += shortfall(result)
    return round(score, 3)
