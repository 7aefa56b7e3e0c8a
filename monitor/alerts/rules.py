"""What is worth an alert, and the key that makes each one happen once.

- a journey that failed ``journey_failures_in_a_row`` runs in a row (default 2): one alert
  per failing streak, ``journey:{service}/{journey}:failing-from-run:{first failed run}``;
- a new or reopened accessibility issue of a serious or critical impact that nobody has
  acknowledged: ``issue:{id}:new`` (``issue:{id}:reopened:{n}`` when it comes back);
- a measure (satisfaction, brand compliance, ...) below its target in measures.yaml: one
  alert per spell below target, ``measure:{service}:{measure}:below:{n}``; when it is on
  target again a silent marker ``...:recovered:{n}`` closes the spell.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from itertools import takewhile
from typing import TYPE_CHECKING

from monitor.alerts.channel import AlertItem
from monitor.config import MeasureId
from monitor.measures import MeasureResult, Status
from monitor.measures.snapshot import MeasureRules, service_results
from monitor.models import RunStatus
from monitor.vocabulary import Impact

if TYPE_CHECKING:
    from monitor.config import CouncilConfig
    from monitor.repository import Repository

FAILED_OUTCOMES = ("failed", "errored")


def find_alerts(config: CouncilConfig, repository: Repository, *, now: datetime) -> list[AlertItem]:
    """Everything worth telling owners about now (each item is sent once per channel)."""
    return [
        *unreachable_alerts(config, repository),
        *journey_alerts(config, repository),
        *issue_alerts(config, repository, now=now),
        *measure_alerts(config, repository, now=now),
    ]


def unreachable_alerts(config: CouncilConfig, repository: Repository) -> list[AlertItem]:
    """A service the latest audit of it could not reach: once per spell of unreachable
    runs (keyed by the first run of the spell)."""
    runs = [
        r
        for r in repository.runs(limit=50, kind="audit")
        if r.status in (RunStatus.completed, RunStatus.partial, RunStatus.failed)
    ]
    items: list[AlertItem] = []
    for service in config.services:
        audited = (r for r in runs if service.id in r.service_ids)  # newest first
        # The lambdas are used up at once, inside their loop's turn.
        spell = list(takewhile(lambda r: service.id in (r.unreachable or {}), audited))  # noqa: B023
        if not spell:
            continue
        latest, first = spell[0], spell[-1]
        reason = (latest.unreachable or {}).get(service.id, "")
        items.append(
            AlertItem(
                key=f"unreachable:{service.id}:from-run:{first.id}",
                kind="service-unreachable",
                service_id=service.id,
                title=f"{service.name} could not be reached by the audit",
                detail=f"Run {latest.id}: {reason}. Its measures keep their last values "
                "until an audit reaches it again.",
            )
        )
    return items


def journey_alerts(config: CouncilConfig, repository: Repository) -> list[AlertItem]:
    needed = config.alerts.rules.journey_failures_in_a_row
    items: list[AlertItem] = []
    for service in config.services:
        for journey in service.journeys:
            attempts = repository.journey_runs(
                service_id=service.id, journey_id=journey.id, limit=50
            )
            # The last attempt of each run is the run's verdict (earlier ones were retried).
            verdicts: dict[int, str] = {}
            last_reason: dict[int, str] = {}
            for attempt in sorted(attempts, key=lambda a: (a.run_id, a.attempt)):
                verdicts[attempt.run_id] = attempt.outcome
                step = f" at step {attempt.failed_step}" if attempt.failed_step is not None else ""
                last_reason[attempt.run_id] = f"{attempt.outcome}{step}: {attempt.reason or ''}"
            newest_first = sorted(verdicts, reverse=True)
            streak = list(takewhile(lambda r: verdicts[r] in FAILED_OUTCOMES, newest_first))  # noqa: B023
            if len(streak) < needed:
                continue
            first = streak[-1]
            items.append(
                AlertItem(
                    key=f"journey:{service.id}/{journey.id}:failing-from-run:{first}",
                    kind="journey-failing",
                    service_id=service.id,
                    title=f'Journey "{journey.name}" failed {len(streak)} times in a row',
                    detail=f"Latest: {last_reason[streak[0]].strip()}",
                )
            )
    return items


def issue_alerts(
    config: CouncilConfig, repository: Repository, *, now: datetime
) -> list[AlertItem]:
    known = {s.id for s in config.services}
    items: list[AlertItem] = []
    for issue in repository.issues_to_alert(config.alerts.rules.new_issue_impacts, now=now):
        if issue.service_id not in known:
            continue
        reopened = issue.status == "reopened"
        key = (
            f"issue:{issue.id}:reopened:{issue.reopened_count}"
            if reopened
            else f"issue:{issue.id}:new"
        )
        wcag = f" (WCAG {issue.wcag})" if issue.wcag else ""
        pages = f"on {issue.pages_affected} page(s)" if issue.pages_affected else ""
        items.append(
            AlertItem(
                key=key,
                kind="issue-reopened" if reopened else "issue-new",
                service_id=issue.service_id,
                title=(
                    f"{'Reopened' if reopened else 'New'} {issue.impact} accessibility issue: "
                    f"{issue.rule}{wcag}"
                ),
                detail="\n".join(
                    part
                    for part in (
                        issue.message,
                        f"Element: {issue.selector} {pages}".strip() if issue.selector else pages,
                        f"Issue {issue.id} · {issue.help_url or ''}".strip(" ·"),
                    )
                    if part
                ),
            )
        )
    return items


def alert_rules(config: CouncilConfig) -> MeasureRules:
    """The measures as the alerts read them: the dashboard's rules, over the alert rules'
    period, and their minimum of answers when they set one."""
    rules = MeasureRules.of(config, period_days=config.alerts.rules.feedback_days)
    minimum = config.alerts.rules.min_responses
    return replace(rules, min_responses=minimum) if minimum is not None else rules


def measure_results(
    config: CouncilConfig, repository: Repository, *, now: datetime
) -> dict[str, dict[MeasureId, MeasureResult]]:
    """Per service, every measure judged against its target: the same computation as the
    dashboard's (``monitor.measures.snapshot``), so an alert and the dashboard never
    disagree about a figure."""
    return service_results(
        repository.read, alert_rules(config), now, [s.id for s in config.services]
    )


def _spell(repository: Repository, prefix: str) -> tuple[int, bool]:
    """(number of the latest spell below target, whether it is still open)."""
    latest, open_ = 0, False
    for alert in repository.alerts(prefix=prefix, limit=1000):
        what, _, rest = alert.key[len(prefix) :].partition(":")
        number = int(rest.partition("|")[0]) if rest.partition("|")[0].isdigit() else 0
        if number > latest:
            latest, open_ = number, what == "below"
        elif number == latest and what == "recovered":
            open_ = False
    return latest, open_


def measure_alerts(
    config: CouncilConfig, repository: Repository, *, now: datetime
) -> list[AlertItem]:
    items: list[AlertItem] = []
    watched = config.alerts.rules.measures
    for service_id, measured in measure_results(config, repository, now=now).items():
        for name in watched:
            result = measured.get(MeasureId(name))
            if result is None:
                continue
            prefix = f"measure:{service_id}:{name}:"
            latest, still_below = _spell(repository, prefix)
            if result.status is Status.below_target:
                number = latest if still_below else latest + 1
                items.append(
                    AlertItem(
                        key=f"{prefix}below:{number}",
                        kind="measure-below-target",
                        service_id=service_id,
                        title=f"{result.label} is below target: {result.shown()} "
                        f"(target {result.shown(result.target)})",
                    )
                )
            elif result.status is Status.on_target and still_below:
                repository.record_alert_marker(
                    f"{prefix}recovered:{latest}", "measure-recovered", service_id
                )
    return items


def digest_items(
    config: CouncilConfig, repository: Repository, *, now: datetime
) -> list[AlertItem]:
    """One summary per service a day: open serious issues, failing journeys, measures."""
    day = now.date().isoformat()
    measured = measure_results(config, repository, now=now)
    failing = {i.service_id for i in journey_alerts(config, repository)}
    service_ids = [s.id for s in config.services]
    open_counts = repository.read.issues.open_accessibility_counts(now, service_ids=service_ids)
    latest = repository.read.runs.latest_audits(per_service=1, service_ids=service_ids)
    watched = {MeasureId(name) for name in config.alerts.rules.measures}
    items: list[AlertItem] = []
    for service in config.services:
        by_impact = open_counts.get(service.id, {})
        lines = [
            "Open accessibility issues: "
            + ", ".join(
                f"{by_impact.get(impact, 0)} {impact.value}"
                for impact in Impact.most_severe_first()
            )
        ]
        if service.id in failing:
            lines.append("A journey has been failing: see the dashboard's journeys page.")
        for measure, result in measured[service.id].items():
            if measure in watched:
                lines.append(f"{result.label}: {result.shown()} ({result.status.value})")
        runs = latest.get(service.id)
        if runs:
            lines.append(
                f"Last audit: run {runs[0].run_id}, {runs[0].started_at:%Y-%m-%d %H:%M} UTC"
            )
        items.append(
            AlertItem(
                key=f"digest:{service.id}:{day}",
                kind="digest",
                service_id=service.id,
                title=f"Daily summary for {day}",
                detail="\n".join(lines),
            )
        )
    return items
