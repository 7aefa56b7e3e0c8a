"""Replaying journeys as a run: the CLI, the nightly schedule and the dashboard call
``run_journeys``. It chooses the journeys, starts the browser engine (``MONITOR_ENGINE``:
Playwright, or Selenium locally or on a Grid), replays each journey with
``crawlers.journeys.JourneyRunner`` and stores every attempt and the accessibility
findings of its audited steps, which join the service's issues."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from crawlers.axe_source import axe_version
from crawlers.base import FindingData
from crawlers.context import RunContext
from crawlers.journeys import (
    KEEP_JOURNEY_RUNS,
    AttemptOutcome,
    JourneyOutcome,
    JourneyRunner,
    MonitorBroke,
    OnStep,
    clean_old_journey_evidence,
    journey_evidence_dir,
)
from monitor.audit.page import service_page_checks
from monitor.audit.plan import holder_name
from monitor.config import CouncilConfig, JourneyConfig, ServiceConfig
from monitor.issues import record_journey_findings
from monitor.models import RunStatus, utcnow
from monitor.repository import Repository
from monitor.settings import Settings

log = logging.getLogger(__name__)


def select_journeys(
    config: CouncilConfig,
    service_ids: Sequence[str] | None = None,
    journey_ids: Sequence[str] | None = None,
) -> list[tuple[ServiceConfig, JourneyConfig]]:
    """The journeys to replay; an unknown service or journey id is a usage error."""
    services = config.services
    if service_ids:
        services = [config.service(s) for s in service_ids]  # KeyError names the known ids
    chosen = [(s, j) for s in services for j in s.journeys]
    if journey_ids:
        known = {j.id for _, j in chosen}
        unknown = [j for j in journey_ids if j not in known]
        if unknown:
            raise KeyError(
                f"no journey {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
        chosen = [(s, j) for s, j in chosen if j.id in journey_ids]
    return chosen


def _record_findings(repository: Repository, run_id: int, outcome: JourneyOutcome) -> None:
    """Hand the audited steps' findings to the issue tracker, page by page."""
    if not outcome.findings:
        return
    by_page: dict[str, list[FindingData]] = {}
    for step in outcome.steps:
        if step.findings and step.url:
            by_page.setdefault(step.url, []).extend(step.findings)
    for page_url, findings in by_page.items():
        record_journey_findings(repository, run_id, outcome.service_id, findings, page_url)


async def run_journeys(
    settings: Settings,
    config: CouncilConfig,
    repository: Repository,
    *,
    service_ids: Sequence[str] | None = None,
    journey_ids: Sequence[str] | None = None,
    trigger: str = "cli",
    on_step: OnStep | None = None,
    runner: JourneyRunner | None = None,
    environ: dict[str, str] | None = None,
    engine: str | None = None,
) -> int:
    """Replay the chosen journeys in one browser, store every attempt, return the run id.

    Pass ``runner`` to reuse a browser that is already running (it is then left running);
    ``engine`` names the browser engine otherwise (default ``settings.engine``)."""
    chosen = select_journeys(config, service_ids, journey_ids)
    repository.sync_services(config.services)
    audits = any(j.audit_steps or any(s.audit for s in j.steps) for _, j in chosen)
    run = repository.create_run(
        kind="journeys",
        trigger=trigger,
        service_ids=sorted({s.id for s, _ in chosen}),
        engine=engine or settings.engine,
        options={"journeys": [f"{s.id}/{j.id}" for s, j in chosen]},
    )
    assert run.id is not None
    run_id = run.id
    repository.start_run(
        run_id,
        holder=holder_name(),
        axe_version=axe_version() if audits else None,
        check_versions={"journeys": "2"},
    )
    # Absolute, so the dashboard finds the files whatever its working folder.
    evidence = journey_evidence_dir(settings.evidence_dir.resolve(), run_id)
    own_runner = runner is None
    status, error = RunStatus.completed, None
    try:
        try:
            if runner is None:
                from crawlers.engines import make_engine

                runner = await JourneyRunner(
                    settings,
                    engine=make_engine(settings, engine),
                    checks_for=lambda service: service_page_checks(config, service),
                    context=RunContext(settings=settings, run_id=run_id, brand=config.brand),
                ).start()
        except MonitorBroke as exc:
            # No browser: every journey is recorded as errored, so nobody blames the service.
            status, error = RunStatus.failed, str(exc)
            for service, journey in chosen:
                broken = JourneyOutcome(
                    service.id, journey.id, journey.name, 1, AttemptOutcome.errored, reason=str(exc)
                )
                broken.started_at = broken.finished_at = utcnow()
                repository.record_journey_attempt(*broken.as_rows(run_id))
            return run_id
        for service, journey in chosen:
            attempts = await runner.run_journey(
                service, journey, evidence_dir=evidence, on_step=on_step, environ=environ
            )
            for outcome in attempts:
                row = repository.record_journey_attempt(*outcome.as_rows(run_id))
                outcome.journey_run_id = row.id
            repository.heartbeat(run_id)
            _record_findings(repository, run_id, attempts[-1])
    except Exception as exc:
        status, error = RunStatus.failed, f"{type(exc).__name__}: {exc}"
        log.exception("journey run %s failed", run_id)
        raise
    finally:
        if own_runner and runner is not None:
            await runner.close()
        repository.finish_run(run_id, status, error=error)
        keep = [r.id for r in repository.runs(kind="journeys", limit=KEEP_JOURNEY_RUNS) if r.id]
        clean_old_journey_evidence(settings.evidence_dir, keep)
    return run_id


__all__ = ["run_journeys", "select_journeys"]
