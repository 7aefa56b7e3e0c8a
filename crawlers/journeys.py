"""Replays residents' journeys (services.yaml ``journeys:``) in a real browser, through the
browser engine interface: Playwright, or Selenium with a local chromedriver or a Selenium
Grid (``MONITOR_ENGINE``). Each attempt gets a fresh tab from the engine; a step marked
``audit`` goes through the page pipeline with the service's page checks, as a crawled page
does, its findings tied to the journey and the step.

A journey either *completes*, *completes up to its stop marker* (a live service must never
receive a real transaction), *fails* at step N for a reason a service owner can act on
(element not found, expectation not met, HTTP error, timeout), or *errors* when the monitor
itself broke (the browser crashed or could not start, a bug here, a secret missing from the
environment). A broken service and a broken monitor are never confused: only ``failed``
counts against the service.

Secrets (``{{secret.NAME}}``) are read from the environment at run time and never leave
this process: every text that is stored or shown goes through ``Masker``; tracing (the
Playwright engine's) stops before the first step that types a secret (traces record typed
text and DOM snapshots); the failure screenshot is taken after secret text on the page is
blanked.

Evidence of a failure (a screenshot and a trace) is kept under
``settings.evidence_dir / "journeys" / "run-<id>"``, size-capped, and old runs' evidence
is removed by ``clean_old_journey_evidence``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from crawlers.base import (
    BrowserEngine,
    ElementMissing,
    ExpectationUnmet,
    Expected,
    Find,
    FindingData,
    InteractiveTab,
    PageError,
    TabFailure,
)
from crawlers.check import PageCheck
from crawlers.checks import page_checks
from crawlers.checks.page_structure import error_identification, form_state
from crawlers.context import JourneyStep as StepOfJourney
from crawlers.context import RunContext
from crawlers.engines import make_engine
from crawlers.pipeline import audit_page
from crawlers.secrets import BLANK_SECRETS_JS, MASK, Masker, MissingSecrets
from crawlers.secrets import read_secrets as read_named_secrets
from monitor.models import JourneyRun, JourneyStepResult, utcnow

if TYPE_CHECKING:
    from monitor.config import (
        Expectation,
        JourneyConfig,
        JourneyStep,
        PressTarget,
        ServiceConfig,
        Target,
    )
    from monitor.settings import Settings

log = logging.getLogger(__name__)

MAX_TRACE_BYTES = 25 * 1024 * 1024
MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
KEEP_JOURNEY_RUNS = 30  # runs of evidence kept on disk after each journey run
_VIEWPORT = {"width": 1280, "height": 900}
_TEMPLATE = re.compile(r"\{\{\s*(secret\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Validation errors re-rendered after a POST are the site working, not an HTTP failure.
_FORM_ERROR_STATUSES = {400, 422}


class AttemptOutcome(StrEnum):
    """How a journey attempt ended (stored in ``JourneyRun.outcome``)."""

    completed = "completed"
    completed_up_to_stop = "completed-up-to-stop"
    failed = "failed"
    errored = "errored"

    @property
    def succeeded(self) -> bool:
        return self in (AttemptOutcome.completed, AttemptOutcome.completed_up_to_stop)


#: Outcomes that count as a resident getting through (see the completion measures).
SUCCESSFUL_OUTCOMES = (AttemptOutcome.completed.value, AttemptOutcome.completed_up_to_stop.value)


class FailureKind(StrEnum):
    """Why a service failed a journey; the first word of ``JourneyRun.reason``."""

    element_not_found = "element-not-found"
    expectation_not_met = "expectation-not-met"
    http_error = "http-error"
    timeout = "timeout"


class StepStatus(StrEnum):
    passed = "passed"
    failed = "failed"
    errored = "errored"
    skipped = "skipped"
    stopped = "stopped"


class StepFailed(Exception):
    """The service did not let the resident through this step."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class MonitorBroke(Exception):
    """The monitor, not the service, could not carry on (shown as ``errored``)."""


class MissingSecret(MonitorBroke):
    pass


# --- secrets and templates --------------------------------------------------------------


def template_names(text: str) -> tuple[set[str], set[str]]:
    """The ``{{variables}}`` and ``{{secret.NAMES}}`` a text refers to."""
    variables: set[str] = set()
    secrets: set[str] = set()
    for match in _TEMPLATE.finditer(text):
        (secrets if match.group(1) else variables).add(match.group(2))
    return variables, secrets


def render(text: str, variables: dict[str, str], secrets: dict[str, str]) -> str:
    """Fill in ``{{name}}`` and ``{{secret.NAME}}``; an unknown name is a monitor error."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        source = secrets if match.group(1) else variables
        if name not in source:
            kind = "secret" if match.group(1) else "variable"
            raise MonitorBroke(f"the journey uses the {kind} {name!r}, which it does not define")
        return source[name]

    return _TEMPLATE.sub(fill, text)


def read_secrets(journey: JourneyConfig, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The journey's secrets from the environment; a missing one is the monitor's fault."""
    try:
        return read_named_secrets(journey.secrets, environ)
    except MissingSecrets as exc:
        raise MissingSecret(str(exc)) from None


def step_strings(step: JourneyStep) -> list[str]:
    """Every text of a step that may hold a template."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(step.model_dump(exclude_none=True))
    return found


def step_uses_secret(step: JourneyStep) -> bool:
    return any(template_names(text)[1] for text in step_strings(step))


# --- results ----------------------------------------------------------------------------


@dataclass
class StepOutcome:
    """What happened at one step of one attempt (all texts already masked)."""

    index: int  # 1-based, as a service owner counts steps
    name: str
    action: str
    status: StepStatus
    duration_ms: int = 0
    url: str | None = None
    console_errors: list[str] = field(default_factory=list)
    error: str | None = None
    failure: FailureKind | None = None
    findings: list[FindingData] = field(default_factory=list)


@dataclass
class JourneyOutcome:
    """One attempt at one journey, ready to be stored."""

    service_id: str
    journey_id: str
    journey_name: str
    attempt: int
    outcome: AttemptOutcome
    steps: list[StepOutcome] = field(default_factory=list)
    failed_step: int | None = None
    failure: FailureKind | None = None
    reason: str | None = None
    flaky: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int = 0
    screenshot_path: Path | None = None
    trace_path: Path | None = None
    final_url: str | None = None
    journey_run_id: int | None = None

    @property
    def findings(self) -> list[FindingData]:
        """Accessibility findings of every audited step of this attempt."""
        return [f for step in self.steps for f in step.findings]

    def as_rows(self, run_id: int) -> tuple[JourneyRun, list[JourneyStepResult]]:
        row = JourneyRun(
            run_id=run_id,
            service_id=self.service_id,
            journey_id=self.journey_id,
            attempt=self.attempt,
            outcome=self.outcome.value,
            failed_step=self.failed_step,
            reason=self.reason,
            flaky=self.flaky,
            started_at=self.started_at or utcnow(),
            finished_at=self.finished_at or utcnow(),
            duration_ms=self.duration_ms,
            screenshot_path=str(self.screenshot_path) if self.screenshot_path else None,
            trace_path=str(self.trace_path) if self.trace_path else None,
        )
        steps = [
            JourneyStepResult(
                journey_run_id=0,  # set by the repository once the attempt has its id
                index=s.index,
                name=s.name[:200],
                action=s.action,
                status=s.status.value,
                duration_ms=s.duration_ms,
                url=(s.url or "")[:2048] or None,
                console_errors=s.console_errors[:20],
                error=s.error,
            )
            for s in self.steps
        ]
        return row, steps


@dataclass
class JourneyEvent:
    """Progress for live output: a journey starts, a step ends, or a journey ends."""

    kind: str  # journey-start | step | journey-end
    service_id: str
    journey_id: str
    journey_name: str
    attempt: int
    step: StepOutcome | None = None
    outcome: JourneyOutcome | None = None
    total_steps: int = 0


OnStep = Callable[[JourneyEvent], None]


# --- describing and locating ------------------------------------------------------------


def describe_target(target: Target | PressTarget) -> str:
    """A target in a service owner's words: ``button "Continue"``, ``field "Email"``."""
    if target.role:
        if target.name:
            return f'{target.role} "{target.name}"'
        return f"{'an' if target.role[0] in 'aeiou' else 'a'} {target.role}"
    if target.label:
        return f'field labelled "{target.label}"'
    text = getattr(target, "text", None)
    if text:
        return f'text "{text}"'
    return f"element {target.css}"


#: How a step that acts on an element reads: "Click button \"Continue\"".
_ACTING_ON = {"click": "Click", "fill": "Fill", "check": "Tick", "wait_for": "Wait for"}


def describe_step(step: JourneyStep) -> str:
    if step.name:
        return step.name
    action = step.action
    if step.goto is not None:
        return f"Go to {step.goto}"
    if step.select is not None:
        return f"Choose {step.select.value!r} in {describe_target(step.select)}"
    if step.press is not None:
        return f"Press {step.press.key}"
    if step.expect is not None:
        return f"Expect {describe_expectation(step.expect)}"
    if action in _ACTING_ON:
        return f"{_ACTING_ON[action]} {describe_target(getattr(step, action))}"
    return "Stop before submitting" if action == "stop_before" else action


def describe_expectation(expectation: Expectation) -> str:
    parts = []
    if expectation.text:
        parts.append(f'text "{expectation.text}"')
    if expectation.url:
        parts.append(f"address matching {expectation.url}")
    if expectation.title:
        parts.append(f'title "{expectation.title}"')
    if expectation.element:
        parts.append(describe_target(expectation.element))
    return " and ".join(parts)


def resolve_url(service: ServiceConfig, url: str) -> str:
    """Relative ``goto`` addresses are resolved against the service's first start URL."""
    return urljoin(service.start_urls[0], url)


# --- evidence ---------------------------------------------------------------------------


def journey_evidence_dir(evidence_dir: Path, run_id: int) -> Path:
    return Path(evidence_dir) / "journeys" / f"run-{run_id}"


def clean_old_journey_evidence(evidence_dir: Path, keep_run_ids: Iterable[int]) -> list[Path]:
    """Delete the journey evidence of every run not in ``keep_run_ids``; return what went."""
    root = Path(evidence_dir) / "journeys"
    keep = {f"run-{run_id}" for run_id in keep_run_ids}
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and folder.name.startswith("run-") and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _artefact_holds_secret(path: Path, mask: Masker) -> bool:
    """Byte scan of a stored file, and of every member when it is a zip (a trace)."""
    needles = [variant.encode() for variant in mask.variants]
    if not needles:
        return False
    blobs = [path.read_bytes()]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            blobs += [archive.read(name) for name in archive.namelist()]
    return any(needle in blob for blob in blobs for needle in needles)


# --- the runner -------------------------------------------------------------------------


def find(target: Target | PressTarget) -> Find:
    """A config target as the engines find elements."""
    return Find(
        role=target.role,
        name=target.name,
        label=target.label,
        text=getattr(target, "text", None),
        css=target.css,
        exact=bool(getattr(target, "exact", False)),
    )


ChecksFor = Callable[["ServiceConfig"], Sequence[PageCheck]]


class JourneyRunner:
    """Replays journeys in tabs lent by its browser engine (Playwright or Selenium, local or
    a Selenium Grid; started with the runner and closed with it): each attempt gets a fresh
    tab, and every audited step goes through the page pipeline with the service's page
    checks, like a crawled page."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: BrowserEngine | None = None,
        checks_for: ChecksFor | None = None,
        context: RunContext | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.checks_for: ChecksFor = checks_for or (lambda _service: page_checks())
        self.context = context or RunContext(settings=settings)
        self._started = False

    async def start(self) -> JourneyRunner:
        """Start the engine; a failure here is the monitor's (``MonitorBroke``)."""
        if not self._started:
            try:
                await self.engine.start()
            except Exception as exc:
                with contextlib.suppress(Exception):
                    await self.engine.close()
                raise MonitorBroke(f"the browser could not start: {exc}") from exc
        self._started = True
        return self

    async def close(self) -> None:
        if self._started:
            await self.engine.close()
        self._started = False

    async def __aenter__(self) -> JourneyRunner:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- one journey, with retries ----------------------------------------------------

    async def run_journey(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        *,
        evidence_dir: Path,
        on_step: OnStep | None = None,
        environ: dict[str, str] | None = None,
    ) -> list[JourneyOutcome]:
        """Every attempt at the journey: a failed one is retried ``journey.retries`` times."""
        attempts: list[JourneyOutcome] = []
        for attempt in range(1, journey.retries + 2):
            outcome = await self.attempt(
                service,
                journey,
                attempt=attempt,
                evidence_dir=evidence_dir,
                on_step=on_step,
                environ=environ,
            )
            attempts.append(outcome)
            if outcome.outcome != AttemptOutcome.failed:
                break
        if len(attempts) > 1 and attempts[-1].outcome.succeeded:
            attempts[-1].flaky = True  # passed only on retry: worth a look, not a pass
        return attempts

    async def attempt(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        *,
        attempt: int = 1,
        evidence_dir: Path,
        on_step: OnStep | None = None,
        environ: dict[str, str] | None = None,
    ) -> JourneyOutcome:
        """One attempt in a fresh tab (no cookies carried between attempts)."""
        result = JourneyOutcome(
            service_id=service.id,
            journey_id=journey.id,
            journey_name=journey.name,
            attempt=attempt,
            outcome=AttemptOutcome.completed,
            started_at=utcnow(),
        )
        began = time.monotonic()

        def emit(kind: str, step: StepOutcome | None = None) -> None:
            if on_step is None:
                return
            try:
                on_step(
                    JourneyEvent(
                        kind=kind,
                        service_id=service.id,
                        journey_id=journey.id,
                        journey_name=journey.name,
                        attempt=attempt,
                        step=step,
                        outcome=result if kind == "journey-end" else None,
                        total_steps=len(journey.steps),
                    )
                )
            except Exception:  # live output must never break a journey
                log.exception("journey progress callback failed")

        emit("journey-start")
        mask = Masker()
        try:
            secrets = read_secrets(journey, environ)
            mask = Masker(secrets.values())
            if not self._started:
                raise MonitorBroke("the browser is not running (it was never started)")
            async with self.engine.session() as tab:
                await self._steps(service, journey, tab, result, secrets, mask, emit, evidence_dir)
        except MonitorBroke as exc:
            self._errored(result, mask.text(str(exc)))
        except (PageError, TabFailure) as exc:
            # Anything the browser refused outside a step's own handling is the monitor's.
            self._errored(result, mask.text(f"the browser failed: {exc}"))
        except Exception as exc:  # a bug in the runner must not look like a broken service
            log.error("journey runner bug: %s", mask.text(traceback.format_exc()))
            self._errored(result, mask.text(f"monitor error: {type(exc).__name__}: {exc}"))
        result.finished_at = utcnow()
        result.duration_ms = int((time.monotonic() - began) * 1000)
        emit("journey-end")
        return result

    @staticmethod
    def _errored(result: JourneyOutcome, reason: str) -> None:
        result.outcome = AttemptOutcome.errored
        result.reason = reason
        result.failure = None

    async def _steps(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        tab: InteractiveTab,
        result: JourneyOutcome,
        secrets: dict[str, str],
        mask: Masker,
        emit: Callable[[str, StepOutcome | None], None],
        evidence_dir: Path,
    ) -> None:
        tracing = await tab.start_trace()
        trace_part: Path | None = None  # the trace saved before a secret was typed
        scratch = Path(tempfile.mkdtemp(prefix="journey-trace-"))
        deadline = time.monotonic() + journey.timeout_seconds
        secret_typed = False
        try:
            for index, step in enumerate(journey.steps, start=1):
                name = mask.text(describe_step(step))
                if (step.stop_before or step.submits) and not journey.safe_to_submit:
                    # A live service must never receive a real transaction from the monitor.
                    outcome = StepOutcome(index, name, step.action, StepStatus.stopped)
                    outcome.url = mask(tab.url)
                    outcome.error = "stopped before submitting (the journey is not safe_to_submit)"
                    result.steps.append(outcome)
                    result.outcome = AttemptOutcome.completed_up_to_stop
                    emit("step", outcome)
                    break
                if tracing and step_uses_secret(step):
                    # Traces record typed text and DOM snapshots: keep only what came before.
                    trace_part = scratch / "trace.zip"
                    await tab.stop_trace(trace_part)
                    tracing = False
                outcome = await self._step(
                    service, journey, tab, step, index, name, secrets, mask, deadline
                )
                secret_typed = secret_typed or step_uses_secret(step)
                result.steps.append(outcome)
                emit("step", outcome)
                if outcome.status == StepStatus.errored:
                    raise MonitorBroke(outcome.error or "monitor error")
                if outcome.status == StepStatus.failed:
                    result.outcome = AttemptOutcome.failed
                    result.failed_step = index
                    result.failure = outcome.failure
                    result.reason = f"{outcome.failure}: {outcome.error}"
                    break
            for index in range(len(result.steps) + 1, len(journey.steps) + 1):
                skipped = journey.steps[index - 1]
                result.steps.append(
                    StepOutcome(
                        index, mask.text(describe_step(skipped)), skipped.action, StepStatus.skipped
                    )
                )
            result.final_url = mask(tab.url) or None
            if result.outcome == AttemptOutcome.failed:
                await self._keep_evidence(
                    tab, result, tracing, trace_part, secrets, secret_typed, evidence_dir
                )
                tracing = False
        finally:
            if tracing:
                await tab.stop_trace(None)  # nothing failed: the trace is not kept
            shutil.rmtree(scratch, ignore_errors=True)

    async def _keep_evidence(
        self,
        tab: InteractiveTab,
        result: JourneyOutcome,
        tracing: bool,
        trace_part: Path | None,
        secrets: dict[str, str],
        secret_typed: bool,
        evidence_dir: Path,
    ) -> None:
        """Screenshot and trace of a failure, size-capped and scanned for secrets."""
        # Local evidence folder operations, once per failed attempt: not worth a thread.
        evidence_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
        stem = f"{result.service_id}--{result.journey_id}--attempt-{result.attempt}"
        trace_path = evidence_dir / f"{stem}.trace.zip"
        if tracing:
            await tab.stop_trace(trace_path)
        elif trace_part is not None and trace_part.exists():  # noqa: ASYNC240
            shutil.move(trace_part, trace_path)
        if trace_path.exists():
            if trace_path.stat().st_size > MAX_TRACE_BYTES:
                trace_path.unlink()
            elif _artefact_holds_secret(trace_path, Masker(secrets.values())):
                trace_path.unlink()  # belt and braces: a trace holding a secret is never kept
            else:
                result.trace_path = trace_path
        shot = evidence_dir / f"{stem}.png"
        try:
            if secret_typed and secrets:
                await tab.evaluate(BLANK_SECRETS_JS, list(secrets.values()))
            data = await tab.screenshot()
            if len(data) <= MAX_SCREENSHOT_BYTES:
                shot.write_bytes(data)
                result.screenshot_path = shot
        except (TabFailure, TimeoutError) as exc:
            log.warning("could not take the failure screenshot: %s", exc)

    # --- one step ---------------------------------------------------------------------

    async def _step(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        tab: InteractiveTab,
        step: JourneyStep,
        index: int,
        name: str,
        secrets: dict[str, str],
        mask: Masker,
        deadline: float,
    ) -> StepOutcome:
        outcome = StepOutcome(index, name, step.action, StepStatus.passed)
        limit = step.timeout_seconds or journey.step_timeout_seconds
        remaining = deadline - time.monotonic()
        journey_limited = remaining < limit
        limit = max(min(limit, remaining), 0.001)
        console_before = len(tab.console)
        began = time.monotonic()
        try:
            if remaining <= 0:
                raise StepFailed(
                    FailureKind.timeout,
                    f"the journey's time limit of {journey.timeout_seconds:g}s was reached",
                )
            before = await form_state(tab) if step.invalid_submission else None
            # The engines' own waits end most steps; the outer limit catches the rest.
            await asyncio.wait_for(
                self._act(service, journey, tab, step, limit, secrets), timeout=limit + 2
            )
            if step.audit or journey.audit_steps:
                outcome.findings = await self._audit(service, tab, journey.id, index, mask)
            if step.invalid_submission:
                outcome.findings += await error_identification(
                    tab, before, journey_id=journey.id, journey_step=index
                )
        except StepFailed as exc:
            outcome.status = StepStatus.failed
            outcome.failure = exc.kind
            outcome.error = mask.text(exc.message)
        except TimeoutError:
            if not await tab.alive():
                outcome.status = StepStatus.errored
                outcome.error = "the browser tab crashed while the step was waiting"
            else:
                outcome.status = StepStatus.failed
                outcome.failure = FailureKind.timeout
                which = "journey's" if journey_limited else "step's"
                outcome.error = f"the step did not finish within the {which} limit of {limit:g}s"
        except (TabFailure, PageError) as exc:
            if not await tab.alive():
                outcome.status = StepStatus.errored
                outcome.error = mask.text(f"the browser crashed: {exc}")
            else:
                outcome.status = StepStatus.failed
                outcome.failure = FailureKind.http_error
                outcome.error = mask.text(f"the page could not be loaded: {exc}")
        except MonitorBroke as exc:
            outcome.status = StepStatus.errored
            outcome.error = mask.text(str(exc))
        outcome.duration_ms = int((time.monotonic() - began) * 1000)
        outcome.url = mask(tab.url) or None
        outcome.console_errors = [mask.text(m) for m in tab.console[console_before:]]
        return outcome

    async def _act(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        tab: InteractiveTab,
        step: JourneyStep,
        limit: float,
        secrets: dict[str, str],
    ) -> None:
        def value(text: str) -> str:
            return render(text, journey.variables, secrets)

        tab.forget_document()
        try:
            if step.goto is not None:
                await tab.goto(resolve_url(service, value(step.goto)), limit)
            elif step.click is not None:
                await tab.click(find(step.click), limit)
            elif step.fill is not None:
                await tab.fill(find(step.fill), value(step.fill.value), limit)
            elif step.select is not None:
                await tab.select(find(step.select), value(step.select.value), limit)
            elif step.check is not None:
                await tab.check(find(step.check), limit)
            elif step.press is not None:
                press = step.press
                on = find(press) if (press.role or press.label or press.css) else None
                await tab.press(press.key, on, limit)
            elif step.wait_for is not None:
                await tab.wait_for(find(step.wait_for), limit)
            elif step.expect is not None:
                await self._expect(tab, step.expect, limit, value)
        except ElementMissing:
            target: Target | PressTarget | None = (
                step.click or step.fill or step.select or step.check or step.press
            )
            assert target is not None
            raise StepFailed(
                FailureKind.element_not_found,
                f"no {describe_target(target)} on the page after {limit:g}s",
            ) from None
        self._check_http(tab)

    @staticmethod
    def _check_http(tab: InteractiveTab) -> None:
        status = tab.document_status
        if status is None or status < 400:
            return
        if status in _FORM_ERROR_STATUSES and tab.document_method == "POST":
            return  # the form came back with its error messages: later steps judge that
        raise StepFailed(
            FailureKind.http_error, f"the server answered HTTP {status} for {tab.document_url}"
        )

    @staticmethod
    async def _expect(
        tab: InteractiveTab, expectation: Expectation, seconds: float, value: Callable[[str], str]
    ) -> None:
        try:
            await tab.expect(
                Expected(
                    url=value(expectation.url) if expectation.url else None,
                    title=value(expectation.title) if expectation.title else None,
                    text=value(expectation.text) if expectation.text else None,
                    element=find(expectation.element) if expectation.element else None,
                ),
                seconds,
            )
        except ExpectationUnmet:
            raise StepFailed(
                FailureKind.expectation_not_met,
                f"expected {describe_expectation(expectation)}; the page at {tab.url} "
                f"(title {await tab.title()!r}) did not show it",
            ) from None

    async def _audit(
        self, service: ServiceConfig, tab: InteractiveTab, journey_id: str, index: int, mask: Masker
    ) -> list[FindingData]:
        """The service's page checks on the page as the step left it (error states
        included), through the page pipeline; findings are tied to the step."""
        page = await tab.page()
        context = self.context.for_page(service, journey=StepOfJourney(journey_id, index))
        outcome = await audit_page(page, self.checks_for(service), context)
        if outcome.check_errors:
            log.info(
                "journey %s step %s: %s",
                journey_id,
                index,
                mask.text("; ".join(f"{e.check}: {e.message}" for e in outcome.check_errors)),
            )
        for finding in outcome.findings:
            finding.message = mask.text(finding.message)
            finding.selector = mask.text(finding.selector)
            finding.snippet = mask.text(finding.snippet)
            finding.key = mask.text(finding.key)
        return outcome.findings


__all__ = [
    "MASK",
    "SUCCESSFUL_OUTCOMES",
    "AttemptOutcome",
    "FailureKind",
    "JourneyEvent",
    "JourneyOutcome",
    "JourneyRunner",
    "Masker",
    "MonitorBroke",
    "StepOutcome",
    "StepStatus",
    "clean_old_journey_evidence",
    "journey_evidence_dir",
]
