"""Replays residents' journeys (services.yaml ``journeys:``) in a real browser.

A journey either *completes*, *completes up to its stop marker* (a live service must never
receive a real transaction), *fails* at step N for a reason a service owner can act on
(element not found, expectation not met, HTTP error, timeout), or *errors* when the monitor
itself broke (the browser crashed or could not start, a bug here, a secret missing from the
environment). A broken service and a broken monitor are never confused: only ``failed``
counts against the service.

Secrets (``{{secret.NAME}}``) are read from the environment at run time and never leave
this process: every text that is stored or shown goes through ``Masker``; Playwright
tracing stops before the first step that types a secret (traces record typed text and
DOM snapshots); the failure screenshot is taken after secret text on the page is blanked.

Evidence of a failure (a screenshot and a trace) is kept under
``settings.evidence_dir / "journeys" / "run-<id>"``, size-capped, and old runs' evidence
is removed by ``clean_old_journey_evidence``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import socket
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
from urllib.parse import quote, quote_plus, urljoin

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import expect as pw_expect

from crawlers.axe_source import audit_script, axe_version
from crawlers.base import FindingData
from crawlers.checks.axe import findings_from_axe
from crawlers.checks.page_structure import error_identification, form_state
from monitor.models import JourneyRun, JourneyStepResult, RunStatus, utcnow

if TYPE_CHECKING:
    from playwright.async_api import Locator, Response

    from monitor.config import (
        CouncilConfig,
        Expectation,
        JourneyConfig,
        JourneyStep,
        PressTarget,
        ServiceConfig,
        Target,
    )
    from monitor.repository import Repository
    from monitor.settings import Settings

log = logging.getLogger(__name__)

MASK = "••••••"
MAX_TRACE_BYTES = 25 * 1024 * 1024
MAX_SCREENSHOT_BYTES = 5 * 1024 * 1024
KEEP_JOURNEY_RUNS = 30  # runs of evidence kept on disk after each journey run
_VIEWPORT = {"width": 1280, "height": 900}
_TEMPLATE = re.compile(r"\{\{\s*(secret\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Validation errors re-rendered after a POST are the site working, not an HTTP failure.
_FORM_ERROR_STATUSES = {400, 422}


class Outcome(StrEnum):
    """How a journey attempt ended (stored in ``JourneyRun.outcome``)."""

    completed = "completed"
    completed_up_to_stop = "completed-up-to-stop"
    failed = "failed"
    errored = "errored"

    @property
    def succeeded(self) -> bool:
        return self in (Outcome.completed, Outcome.completed_up_to_stop)


#: Outcomes that count as a resident getting through (see the completion measures).
SUCCESSFUL_OUTCOMES = (Outcome.completed.value, Outcome.completed_up_to_stop.value)


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


class Masker:
    """Replaces every secret value (and its URL/HTML encodings) with a mask."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        variants: set[str] = set()
        for value in secrets:
            if not value:
                continue
            variants |= {value, quote(value, safe=""), quote_plus(value), quote(value)}
            variants |= {value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")}
        # Longest first, so an encoding that contains the plain value is masked whole.
        self._variants = sorted(variants, key=len, reverse=True)

    @property
    def variants(self) -> list[str]:
        return list(self._variants)

    def __bool__(self) -> bool:
        return bool(self._variants)

    def __call__(self, text: str | None) -> str | None:
        if text is None or not self._variants:
            return text
        for variant in self._variants:
            text = text.replace(variant, MASK)
        return text

    def text(self, text: str) -> str:
        masked = self(text)
        return masked if masked is not None else ""


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
    env = os.environ if environ is None else environ
    missing = [name for name in journey.secrets if not env.get(name)]
    if missing:
        raise MissingSecret(
            "secret(s) not set in the monitor's environment: "
            + ", ".join(missing)
            + " (set them where the monitor runs; they are never stored in config)"
        )
    return {name: env[name] for name in journey.secrets}


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
    outcome: Outcome
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


def describe_step(step: JourneyStep) -> str:
    if step.name:
        return step.name
    action = step.action
    if step.goto is not None:
        return f"Go to {step.goto}"
    if step.click is not None:
        return f"Click {describe_target(step.click)}"
    if step.fill is not None:
        return f"Fill {describe_target(step.fill)}"
    if step.select is not None:
        return f"Choose {step.select.value!r} in {describe_target(step.select)}"
    if step.check is not None:
        return f"Tick {describe_target(step.check)}"
    if step.press is not None:
        return f"Press {step.press.key}"
    if step.expect is not None:
        return f"Expect {describe_expectation(step.expect)}"
    if step.wait_for is not None:
        return f"Wait for {describe_target(step.wait_for)}"
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


def locate(page: Page, target: Target | PressTarget) -> Locator:
    """Find an element as residents and assistive technology do; CSS only as a fallback."""
    exact = bool(getattr(target, "exact", False))
    text = getattr(target, "text", None)
    primary: Locator | None = None
    if target.role:
        primary = page.get_by_role(target.role, name=target.name, exact=exact)  # type: ignore[arg-type]
    elif target.label:
        primary = page.get_by_label(target.label, exact=exact)
    elif text:
        primary = page.get_by_text(text, exact=exact)
    if target.css:
        fallback = page.locator(target.css)
        primary = fallback if primary is None else primary.or_(fallback)
    assert primary is not None  # the config requires one way to find the element
    return primary.first


def resolve_url(service: ServiceConfig, url: str) -> str:
    """Relative ``goto`` addresses are resolved against the service's first start URL."""
    return urljoin(service.start_urls[0], url)


def findings_from_axe_results(
    results: dict[str, Any], journey_id: str, step_index: int, mask: Masker
) -> list[FindingData]:
    """Axe violations as findings tied to the journey step where they were seen.

    The conversion is the axe check's own, so a defect seen on a journey and on a crawled
    page has the same fingerprint and becomes one issue.
    """
    findings = findings_from_axe({"violations": results.get("violations", [])})
    for finding in findings:
        finding.journey_id = journey_id
        finding.journey_step = step_index
        finding.message = mask.text(finding.message)
        finding.selector = mask.text(finding.selector)
        finding.snippet = mask.text(finding.snippet)
    return findings


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


_BLANK_SECRETS_JS = """(secrets) => {
  const hide = (s) => {
    let out = s;
    for (const v of secrets) out = out.split(v).join('••••••');
    return out;
  };
  for (const el of document.querySelectorAll('input, textarea')) {
    if (el.value && secrets.some((v) => el.value.includes(v))) el.value = hide(el.value);
  }
  const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (secrets.some((v) => n.nodeValue.includes(v))) n.nodeValue = hide(n.nodeValue);
  }
}"""


# --- the runner -------------------------------------------------------------------------


class _Attempt:
    """Per-attempt state: console errors, the last document response, tracing."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.document_status: int | None = None
        self.document_method: str = "GET"
        self.document_url: str | None = None
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)
        page.on("response", self._on_response)
        page.on("crash", self._on_crash)
        self.crashed = False

    def _on_crash(self, _page: Any) -> None:
        self.crashed = True

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append(str(message.text)[:500])

    def _on_page_error(self, error: Any) -> None:
        self.console.append(f"Uncaught: {error}"[:500])

    def _on_response(self, response: Response) -> None:
        try:
            request = response.request
            if request.is_navigation_request() and response.frame == self.page.main_frame:
                self.document_status = response.status
                self.document_method = request.method
                self.document_url = response.url
        except PlaywrightError:  # the page went away while the event was delivered
            pass


class JourneyRunner:
    """One Chromium shared by every journey of a run (or of a test module)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    async def start(self) -> JourneyRunner:
        """Launch Chromium; a failure here is the monitor's (``MonitorBroke``)."""
        try:
            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=str(self.settings.chromium_path),
                headless=True,
                args=self.settings.browser_flags,
            )
        except Exception as exc:
            await self.close()
            raise MonitorBroke(f"the browser could not start: {exc}") from exc
        return self

    async def close(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError):
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    async def __aenter__(self) -> JourneyRunner:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def ensure_running(self) -> None:
        """Relaunch Chromium if it crashed, so one crash does not error every later journey."""
        if self._browser is None or not self._browser.is_connected():
            await self.close()
            await self.start()

    @property
    def browser(self) -> Browser:
        if self._browser is None or not self._browser.is_connected():
            raise MonitorBroke("the browser is not running (it crashed or was never started)")
        return self._browser

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
            if outcome.outcome != Outcome.failed:
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
        """One attempt in a fresh browser context (no cookies carried between attempts)."""
        result = JourneyOutcome(
            service_id=service.id,
            journey_id=journey.id,
            journey_name=journey.name,
            attempt=attempt,
            outcome=Outcome.completed,
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
        context: BrowserContext | None = None
        try:
            secrets = read_secrets(journey, environ)
            mask = Masker(secrets.values())
            context = await self._new_context(journey)
            await self._steps(service, journey, context, result, secrets, mask, emit, evidence_dir)
        except MonitorBroke as exc:
            self._errored(result, mask.text(str(exc)))
        except PlaywrightError as exc:
            # Anything Playwright raises outside a step's own handling is the monitor's.
            self._errored(result, mask.text(f"the browser failed: {_first_line(exc)}"))
        except Exception as exc:  # a bug in the runner must not look like a broken service
            log.error("journey runner bug: %s", mask.text(traceback.format_exc()))
            self._errored(result, mask.text(f"monitor error: {type(exc).__name__}: {exc}"))
        finally:
            if context is not None:
                with contextlib.suppress(PlaywrightError):
                    await context.close()
        result.finished_at = utcnow()
        result.duration_ms = int((time.monotonic() - began) * 1000)
        emit("journey-end")
        return result

    @staticmethod
    def _errored(result: JourneyOutcome, reason: str) -> None:
        result.outcome = Outcome.errored
        result.reason = reason
        result.failure = None

    async def _new_context(self, journey: JourneyConfig) -> BrowserContext:
        context = await self.browser.new_context(
            user_agent=self.settings.user_agent,
            viewport=_VIEWPORT,  # type: ignore[arg-type]
        )
        if journey.audit_steps or any(step.audit for step in journey.steps):
            # Injected once per context, so no audited step carries the whole of axe in a call.
            await context.add_init_script(script=audit_script(self.settings.axe_speedups))
        return context

    async def _steps(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        context: BrowserContext,
        result: JourneyOutcome,
        secrets: dict[str, str],
        mask: Masker,
        emit: Callable[[str, StepOutcome | None], None],
        evidence_dir: Path,
    ) -> None:
        page = await context.new_page()
        state = _Attempt(page)
        tracing = True
        await context.tracing.start(screenshots=True, snapshots=True, sources=False)
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
                    outcome.url = mask(page.url)
                    outcome.error = "stopped before submitting (the journey is not safe_to_submit)"
                    result.steps.append(outcome)
                    result.outcome = Outcome.completed_up_to_stop
                    emit("step", outcome)
                    break
                if tracing and step_uses_secret(step):
                    # Traces record typed text and DOM snapshots: keep only what came before.
                    trace_part = scratch / "trace.zip"
                    await context.tracing.stop(path=trace_part)
                    tracing = False
                outcome = await self._step(
                    service, journey, page, state, step, index, name, secrets, mask, deadline
                )
                secret_typed = secret_typed or step_uses_secret(step)
                result.steps.append(outcome)
                emit("step", outcome)
                if outcome.status == StepStatus.errored:
                    raise MonitorBroke(outcome.error or "monitor error")
                if outcome.status == StepStatus.failed:
                    result.outcome = Outcome.failed
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
            result.final_url = mask(page.url) if not page.is_closed() else None
            if result.outcome == Outcome.failed:
                await self._keep_evidence(
                    context, page, result, tracing, trace_part, secrets, secret_typed, evidence_dir
                )
                tracing = False
        finally:
            if tracing:
                with contextlib.suppress(PlaywrightError):
                    await context.tracing.stop()  # nothing failed: the trace is not kept
            shutil.rmtree(scratch, ignore_errors=True)

    async def _keep_evidence(
        self,
        context: BrowserContext,
        page: Page,
        result: JourneyOutcome,
        tracing: bool,
        trace_part: Path | None,
        secrets: dict[str, str],
        secret_typed: bool,
        evidence_dir: Path,
    ) -> None:
        """Screenshot and trace of a failure, size-capped and scanned for secrets."""
        evidence_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{result.service_id}--{result.journey_id}--attempt-{result.attempt}"
        trace_path = evidence_dir / f"{stem}.trace.zip"
        try:
            if tracing:
                await context.tracing.stop(path=trace_path)
            elif trace_part is not None and trace_part.exists():
                shutil.move(trace_part, trace_path)
        except PlaywrightError as exc:
            log.warning("could not save the journey trace: %s", _first_line(exc))
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
                await page.evaluate(_BLANK_SECRETS_JS, list(secrets.values()))
            data = await page.screenshot(full_page=False, type="png", timeout=10_000)
            if len(data) <= MAX_SCREENSHOT_BYTES:
                shot.write_bytes(data)
                result.screenshot_path = shot
        except PlaywrightError as exc:
            log.warning("could not take the failure screenshot: %s", _first_line(exc))

    # --- one step ---------------------------------------------------------------------

    async def _step(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        page: Page,
        state: _Attempt,
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
        console_before = len(state.console)
        began = time.monotonic()
        try:
            if remaining <= 0:
                raise StepFailed(
                    FailureKind.timeout,
                    f"the journey's time limit of {journey.timeout_seconds:g}s was reached",
                )
            before = await form_state(page) if step.invalid_submission else None
            # Playwright's own timeouts end most waits; the outer limit catches the rest.
            await asyncio.wait_for(
                self._act(service, journey, page, state, step, limit, secrets),
                timeout=limit + 2,
            )
            if step.audit or journey.audit_steps:
                outcome.findings = await self._audit(page, journey.id, index, mask)
            if step.invalid_submission:
                outcome.findings += await error_identification(
                    page, before, journey_id=journey.id, journey_step=index
                )
        except StepFailed as exc:
            outcome.status = StepStatus.failed
            outcome.failure = exc.kind
            outcome.error = mask.text(exc.message)
        except (PlaywrightTimeout, TimeoutError):
            if not await self._alive(page, state):
                outcome.status = StepStatus.errored
                outcome.error = "the browser tab crashed while the step was waiting"
            else:
                outcome.status = StepStatus.failed
                outcome.failure = FailureKind.timeout
                which = "journey's" if journey_limited else "step's"
                outcome.error = f"the step did not finish within the {which} limit of {limit:g}s"
        except PlaywrightError as exc:
            if not await self._alive(page, state):
                outcome.status = StepStatus.errored
                outcome.error = mask.text(f"the browser crashed: {_first_line(exc)}")
            else:
                outcome.status = StepStatus.failed
                outcome.failure = FailureKind.http_error
                outcome.error = mask.text(f"the page could not be loaded: {_first_line(exc)}")
        except MonitorBroke as exc:
            outcome.status = StepStatus.errored
            outcome.error = mask.text(str(exc))
        outcome.duration_ms = int((time.monotonic() - began) * 1000)
        outcome.url = None if page.is_closed() else mask(page.url)
        outcome.console_errors = [mask.text(m) for m in state.console[console_before:]]
        return outcome

    async def _alive(self, page: Page, state: _Attempt) -> bool:
        """Is the browser tab still working? A dead tab is the monitor's error, not a fault
        of the service (a load error such as "connection refused" leaves the tab alive)."""
        if self._browser is None or not self._browser.is_connected() or page.is_closed():
            return False
        if state.crashed:
            return False
        try:
            await asyncio.wait_for(page.evaluate("() => 1"), timeout=3)
        except (PlaywrightError, TimeoutError):
            return False
        return not state.crashed

    async def _act(
        self,
        service: ServiceConfig,
        journey: JourneyConfig,
        page: Page,
        state: _Attempt,
        step: JourneyStep,
        limit: float,
        secrets: dict[str, str],
    ) -> None:
        ms = limit * 1000

        def value(text: str) -> str:
            return render(text, journey.variables, secrets)

        async def find(target: Target | PressTarget) -> Locator:
            locator = locate(page, target)
            try:
                await locator.wait_for(state="visible", timeout=ms)
            except PlaywrightTimeout:
                raise StepFailed(
                    FailureKind.element_not_found,
                    f"no {describe_target(target)} on the page after {limit:g}s",
                ) from None
            return locator

        state.document_status = None
        if step.goto is not None:
            url = resolve_url(service, value(step.goto))
            response = await page.goto(url, timeout=ms, wait_until="load")
            if response is not None:
                state.document_status = response.status
                state.document_method = "GET"
        elif step.click is not None:
            await (await find(step.click)).click(timeout=ms)
            await page.wait_for_load_state("load", timeout=ms)
        elif step.fill is not None:
            await (await find(step.fill)).fill(value(step.fill.value), timeout=ms)
        elif step.select is not None:
            await (await find(step.select)).select_option(value(step.select.value), timeout=ms)
        elif step.check is not None:
            await (await find(step.check)).check(timeout=ms)
        elif step.press is not None:
            if step.press.role or step.press.label or step.press.css:
                await (await find(step.press)).press(step.press.key, timeout=ms)
            else:
                await page.keyboard.press(step.press.key)
            await page.wait_for_load_state("load", timeout=ms)
        elif step.wait_for is not None:
            await locate(page, step.wait_for).wait_for(state="visible", timeout=ms)
        elif step.expect is not None:
            await self._expect(page, step.expect, ms, value)
        self._check_http(state)

    @staticmethod
    def _check_http(state: _Attempt) -> None:
        status = state.document_status
        if status is None or status < 400:
            return
        if status in _FORM_ERROR_STATUSES and state.document_method == "POST":
            return  # the form came back with its error messages: later steps judge that
        raise StepFailed(
            FailureKind.http_error, f"the server answered HTTP {status} for {state.document_url}"
        )

    async def _expect(
        self, page: Page, expectation: Expectation, ms: float, value: Callable[[str], str]
    ) -> None:
        try:
            if expectation.url:
                await pw_expect(page).to_have_url(re.compile(value(expectation.url)), timeout=ms)
            if expectation.title:
                await pw_expect(page).to_have_title(
                    re.compile(re.escape(value(expectation.title))), timeout=ms
                )
            if expectation.text:
                await pw_expect(page.get_by_text(value(expectation.text)).first).to_be_visible(
                    timeout=ms
                )
            if expectation.element:
                await pw_expect(locate(page, expectation.element)).to_be_visible(timeout=ms)
        except AssertionError:
            raise StepFailed(
                FailureKind.expectation_not_met,
                f"expected {describe_expectation(expectation)}; the page at {page.url} "
                f"(title {await _title(page)!r}) did not show it",
            ) from None

    async def _audit(
        self, page: Page, journey_id: str, index: int, mask: Masker
    ) -> list[FindingData]:
        """The axe check on the page as the step left it (error states included)."""
        tags = list(self.settings.axe_tags)
        if self.settings.axe_best_practice:
            tags.append("best-practice")
        options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
        try:
            if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
                await page.evaluate(audit_script(self.settings.axe_speedups))
            results = await page.evaluate(
                "async (options) => JSON.parse(JSON.stringify(await axe.run(document, options)))",
                options,
            )
        except PlaywrightError as exc:
            raise MonitorBroke(
                f"the accessibility check could not run: {_first_line(exc)}"
            ) from exc
        return findings_from_axe_results(results, journey_id, index, mask)


async def _title(page: Page) -> str:
    try:
        return await page.title()
    except PlaywrightError:
        return ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


# --- a whole run ------------------------------------------------------------------------


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
    """Hand axe findings to the issue tracker, page by page."""
    from monitor.issues import record_journey_findings

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
) -> int:
    """Replay the chosen journeys in one browser, store every attempt, return the run id.

    The CLI, the nightly schedule and the dashboard all call this. Pass ``runner`` to reuse
    a browser that is already running (it is then left running).
    """
    chosen = select_journeys(config, service_ids, journey_ids)
    audits = any(j.audit_steps or any(s.audit for s in j.steps) for _, j in chosen)
    run = repository.create_run(
        kind="journeys",
        trigger=trigger,
        service_ids=sorted({s.id for s, _ in chosen}),
        options={"journeys": [f"{s.id}/{j.id}" for s, j in chosen]},
    )
    assert run.id is not None
    run_id = run.id
    repository.start_run(
        run_id,
        holder=f"{socket.gethostname()}:{os.getpid()}",
        axe_version=axe_version() if audits else None,
        check_versions={"journeys": "1"},
    )
    # Absolute, so the dashboard finds the files whatever its working folder.
    evidence = journey_evidence_dir(settings.evidence_dir.resolve(), run_id)
    own_runner = runner is None
    status, error = RunStatus.completed, None
    try:
        try:
            if runner is None:
                runner = await JourneyRunner(settings).start()
        except MonitorBroke as exc:
            # No browser: every journey is recorded as errored, so nobody blames the service.
            status, error = RunStatus.failed, str(exc)
            for service, journey in chosen:
                broken = JourneyOutcome(
                    service.id, journey.id, journey.name, 1, Outcome.errored, reason=str(exc)
                )
                broken.started_at = broken.finished_at = utcnow()
                repository.record_journey_attempt(*broken.as_rows(run_id))
            return run_id
        for service, journey in chosen:
            try:
                await runner.ensure_running()
            except MonitorBroke as exc:
                log.warning("journey %s: %s", journey.id, exc)
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


__all__ = [
    "SUCCESSFUL_OUTCOMES",
    "FailureKind",
    "JourneyEvent",
    "JourneyOutcome",
    "JourneyRunner",
    "Masker",
    "MonitorBroke",
    "Outcome",
    "StepOutcome",
    "StepStatus",
    "clean_old_journey_evidence",
    "journey_evidence_dir",
    "run_journeys",
    "select_journeys",
]
