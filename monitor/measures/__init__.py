"""The Ambition 1 success measures, computed once for the dashboard, the exports, the
printable report and the alerts (nothing here draws or sends anything):

- ``values``: the arithmetic over counts (satisfaction, completion, shares, red/amber/
  green with words and shapes, changes);
- ``snapshot``: every measure of every service as it stood at one moment;
- ``overview``: every measure overall and per service, with the change since last week;
- ``morning``: one service's summary for its owner's morning;
- ``trends``: the measures per audit run and per week;
- ``fix_first``: open issues ranked by the harm they do to residents.
"""

from __future__ import annotations

from monitor.measures.values import (
    MEASURE_ORDER,
    SATISFIED_RATINGS,
    Comparison,
    MeasureResult,
    Status,
    accessibility,
    brand_compliance,
    completion_rate,
    evaluate,
    format_value,
    median,
    need_score,
    page_useful,
    percentage,
    rag,
    satisfaction,
)
from monitor.vocabulary import RATING_LABELS

__all__ = [
    "MEASURE_ORDER",
    "RATING_LABELS",
    "SATISFIED_RATINGS",
    "Comparison",
    "MeasureResult",
    "Status",
    "accessibility",
    "brand_compliance",
    "completion_rate",
    "evaluate",
    "format_value",
    "median",
    "need_score",
    "page_useful",
    "percentage",
    "rag",
    "satisfaction",
]
