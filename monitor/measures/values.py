"""The arithmetic of the Ambition 1 success measures, over plain counts.

Everything here is a pure function of numbers the read side has already aggregated in
SQL, so it is easy to test with exact values. A status is always given in words and a
shape as well as a colour, so that colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from monitor.config import MeasureId, MeasuresFile, Thresholds
from monitor.vocabulary import RATING_LABELS

SATISFIED_RATINGS = (4, 5)  # "Satisfied" and "Very satisfied" on the five-point scale
#: The measures in the order every view and report lists them.
MEASURE_ORDER = (
    MeasureId.satisfaction,
    MeasureId.page_useful,
    MeasureId.journey_completion,
    MeasureId.accessibility,
    MeasureId.open_serious_issues,
    MeasureId.time_to_fix_days,
    MeasureId.statement,
    MeasureId.brand_compliance,
)
#: Measures that are a share of residents' answers: drawn only from enough answers.
RESIDENT_MEASURES = (MeasureId.satisfaction, MeasureId.page_useful)


class Status(StrEnum):
    """Red/amber/green, named in words the service owner reads aloud."""

    on_target = "On target"
    near_target = "Near target"
    below_target = "Below target"
    too_few = "Too few answers"
    no_data = "No data"

    @property
    def colour(self) -> str:
        return _STATUS_LOOKS[self][0]

    @property
    def symbol(self) -> str:
        """A shape as well as a colour, for people who cannot tell red from green."""
        return _STATUS_LOOKS[self][1]


_STATUS_LOOKS = {
    Status.on_target: ("green", "●"),
    Status.near_target: ("orange", "▲"),
    Status.below_target: ("red", "■"),
    Status.too_few: ("gray", "◌"),
    Status.no_data: ("gray", "○"),
}


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


def enough(value: float | None, sample: int, min_sample: int) -> float | None:
    """A share of residents' answers, or None when fewer than ``min_sample`` gave one: a
    percentage of three answers says more about chance than about the service."""
    return value if sample >= min_sample else None


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


@dataclass(frozen=True)
class Comparison:
    """A measure's value at an earlier moment ("the previous run", "last week")."""

    since: str
    value: float | None


@dataclass(frozen=True)
class MeasureResult:
    """One measure's value against its target, with its status and its changes."""

    measure: MeasureId
    label: str
    unit: str
    value: float | None
    target: float
    amber: float
    higher_is_better: bool
    status: Status
    comparisons: tuple[Comparison, ...] = ()
    sample: int | None = None  # residents' answers behind a resident measure
    min_sample: int | None = None  # fewer answers than this draw no percentage

    def compared(self, since: str | None = None) -> Comparison | None:
        """The comparison with ``since`` (the first one when not named)."""
        for comparison in self.comparisons:
            if since is None or comparison.since == since:
                return comparison
        return None

    def change(self, since: str | None = None) -> float | None:
        comparison = self.compared(since)
        if self.value is None or comparison is None or comparison.value is None:
            return None
        return self.value - comparison.value

    def improved(self, since: str | None = None) -> bool | None:
        change = self.change(since)
        if change is None or round(change, 1) == 0:
            return None
        return (change > 0) == self.higher_is_better

    def shown(self, value: float | None = None) -> str:
        """The value as a person reads it: "82.5%", "3", "12.5 days", "No data"."""
        if value is None and self.status is Status.too_few:
            return f"Too few answers ({self.sample} of the {self.min_sample} needed)"
        return format_value(self.value if value is None else value, self.unit)

    def change_words(self, since: str | None = None) -> str:
        """ "+2.0 points (better)", "No change", or why there is nothing to compare."""
        comparison = self.compared(since)
        if comparison is None or comparison.value is None:
            return "No earlier value"
        change = self.change(since)
        if change is None:
            return "No value now"
        if round(change, 1) == 0:
            return "No change"
        points = " points" if self.unit == "%" else ""
        digits = 0 if self.unit == "count" else 1
        verdict = "better" if self.improved(since) else "worse"
        return f"{change:+.{digits}f}{points} ({verdict})"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "No data"
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:.1f} days"
    return f"{value:.1f} {unit}"


def evaluate(
    measures: MeasuresFile,
    measure: MeasureId,
    value: float | None,
    *,
    service_id: str | None = None,
    comparisons: Iterable[Comparison] = (),
    sample: int | None = None,
    min_sample: int | None = None,
) -> MeasureResult:
    """A measure's value judged against measures.yaml (with any per-service override).

    With a ``sample`` under ``min_sample`` (residents' answers) there is no percentage:
    the status is "Too few answers", unless there were none at all ("No data")."""
    definition = measures.measures[measure]
    override = measures.overrides.get(service_id or "", {}).get(measure)
    thresholds = override or Thresholds(target=definition.target, amber=definition.amber)
    status = rag(value, thresholds, higher_is_better=definition.higher_is_better)
    if value is None and sample and min_sample and sample < min_sample:
        status = Status.too_few
    return MeasureResult(
        measure=measure,
        label=definition.label,
        unit=definition.unit,
        value=value,
        target=thresholds.target,
        amber=thresholds.amber,
        higher_is_better=definition.higher_is_better,
        status=status,
        comparisons=tuple(comparisons),
        sample=sample,
        min_sample=min_sample,
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
