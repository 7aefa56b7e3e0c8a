"""The overview: every Ambition 1 measure, overall and per service, against its target,
with the change since last week, and the services ranked by their need for attention."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import MeasureId
from monitor.measures import values as v
from monitor.measures.snapshot import (
    MeasureRules,
    StatementStatus,
    readings,
    results,
    snapshot,
)
from monitor.repository.read import AuditRunRef, ReadSide
from monitor.vocabulary import Impact

LAST_WEEK = "last week"


@dataclass(frozen=True)
class ServiceMeasures:
    """One service's measures, as the overview ranks them."""

    service_id: str
    name: str
    results: Mapping[MeasureId, v.MeasureResult]
    open_by_impact: Mapping[Impact, int]
    statement: StatementStatus
    latest_run: AuditRunRef | None
    need: float  # for ordering only: see ``monitor.measures.values.need_score``

    @property
    def below_target(self) -> list[v.MeasureResult]:
        return [r for r in self.results.values() if r.status is v.Status.below_target]

    @property
    def near_target(self) -> list[v.MeasureResult]:
        return [r for r in self.results.values() if r.status is v.Status.near_target]

    @property
    def attention(self) -> str:
        """The need for attention in words: "3 below target, 1 near target"."""
        below, near = len(self.below_target), len(self.near_target)
        if not below and not near:
            return "Every measure on target or without data"
        parts = [f"{below} below target" if below else "", f"{near} near target" if near else ""]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Overview:
    overall: Mapping[MeasureId, v.MeasureResult]
    services: list[ServiceMeasures]  # most need first
    open_by_impact: Mapping[Impact, int]
    period_days: int
    generated_at: datetime

    def service(self, service_id: str) -> ServiceMeasures | None:
        return next((s for s in self.services if s.service_id == service_id), None)


def overview(
    read: ReadSide,
    rules: MeasureRules,
    names: Mapping[str, str],
    now: datetime,
    services: Sequence[str] | None = None,
) -> Overview:
    """Every measure, overall and for ``services`` (every known service by default), now
    and compared with a week ago."""
    wanted = sorted(services if services is not None else names)
    current = snapshot(read, rules, now, wanted)
    week_ago = snapshot(read, rules, now - timedelta(days=7), wanted)
    rows = []
    open_total: dict[Impact, int] = {}
    for service_id in wanted:
        facts = current.services[service_id]
        earlier = {LAST_WEEK: readings([week_ago.services[service_id]], rules)}
        measured = results(rules, readings([facts], rules), earlier, service_id=service_id)
        for impact, count in facts.open_by_impact.items():
            open_total[impact] = open_total.get(impact, 0) + count
        rows.append(
            ServiceMeasures(
                service_id=service_id,
                name=names.get(service_id, service_id),
                results=measured,
                open_by_impact=dict(facts.open_by_impact),
                statement=facts.statement,
                latest_run=facts.run,
                need=v.need_score(measured.values()),
            )
        )
    overall = results(
        rules,
        readings(current.services.values(), rules),
        {LAST_WEEK: readings(week_ago.services.values(), rules)},
    )
    rows.sort(key=lambda row: (-row.need, row.name.lower()))
    return Overview(
        overall=overall,
        services=rows,
        open_by_impact=open_total,
        period_days=rules.period_days,
        generated_at=now,
    )
