"""The page pipeline: one page, the enabled checks, one typed ``PageOutcome``.

Every entry point audits a page through here, so a page is judged the same way wherever
it is audited: ``monitor audit`` (the local pool and every Celery worker), ``monitor
audit-urls`` (CI pipelines), ``monitor brand check`` and every journey step that audits.
Nothing here touches the database: the caller records the outcome (or prints it).

The steps, in order (as pa11y's core runs its named steps):

1. open the address in the browser engine (``audit_address``), or take the page a journey
   step left (``audit_page``); a page that cannot be loaded is a failed outcome with its
   error kind. A service with a ``sign_in`` recipe is opened signed in (its session signs
   in once, and again when a page shows the session expired); a page of a service without
   one that sends the monitor to a sign-in page is *skipped*, saying it needs sign-in;
   a service whose sign-in failed has its pages skipped with the reason;
2. read what the page says about itself: HTTP status, final address, title and content
   type, hence its *document kind*; an HTTP error answer is the page's failure;
3. take one snapshot of it (links, statement links, rendered HTML, sub-resources and,
   when the run shares furniture, its regions) in one call into the page; a single-page
   app's view is first left to settle, and on a signed-in page the credentials are
   blanked in the page before anything reads it;
4. when the run keeps fingerprints, fingerprint what the checks would see; a page that is
   unchanged since its last full audit (``PreviousVisit``) runs only the checks that
   depend on other pages (the recorder carries its other findings forward);
5. run each check, in order, each on its own: a check that does not apply to the
   document kind, or needs what the context lacks, is skipped with the reason; a check
   that raises or overruns ``check_time_limit_seconds`` is a *check error* of the page (a
   monitor fault, never a barrier) and every other check's findings are kept; once the
   page itself stops responding, the checks left are not run, saying why;
6. hand back the outcome: findings (violations and needs-review), brand verdict, links
   (without those the service never follows: sign-out, delete, cancel...; with the routes
   an app's buttons and menus lead to, found after the checks), timings per check, check
   errors and skipped checks; on a signed-in page every text is masked of credentials.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawlers.base import BrowserEngine, FindingData, LoadedPage, PageError, document_of
from crawlers.check import CheckReport, DocumentKind, PageCheck
from crawlers.context import PageContext
from crawlers.fingerprint import page_fingerprint
from crawlers.revalidation import ServedRecord, read_resources, served_record
from crawlers.secrets import BLANK_SECRETS_JS, Masker
from crawlers.session import (
    SIGN_IN_STATUSES,
    SessionState,
    SignInFailed,
    links_refused_by_name,
)
from crawlers.snapshot import snapshot
from crawlers.spa import discover, settle
from crawlers.urls import looks_like_document, normalise_url

if TYPE_CHECKING:
    from crawlers.brand.audit import BrandVerdict

log = logging.getLogger(__name__)

#: The status of an outcome, as the run records it (skipped: not reached, e.g. behind a
#: sign-in the monitor has no recipe for, or whose sign-in failed).
AUDITED, CARRIED, FAILED, SKIPPED = "audited", "carried", "failed", "skipped"
#: How many times one page may sign in again after its session expired.
RENEWALS = 2
#: Whether the page shows a password field (a sign-in page).
_PASSWORD_FIELD = "() => !!document.querySelector('input[type=\"password\"]')"  # noqa: S105
#: Check errors that mean the page itself stopped answering: the checks left are not run.
_PAGE_STOPPED = ("timeout", "crash")


@dataclass(frozen=True)
class CheckError:
    """A check that could not judge a page: the monitor's fault, never the service's."""

    check: str
    kind: str  # error | timeout | page-stopped | not-open
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class PreviousVisit:
    """What the run remembers of a page: the fingerprint of its last full audit, and
    whether this run judges pages as that audit did (same checks, rules and versions, and
    recent enough)."""

    fingerprint: str | None
    judged_alike: bool


@dataclass
class PageOutcome:
    """Everything one visit to one address concluded."""

    url: str  # the address asked for
    status: str = FAILED  # audited | carried | failed | skipped
    final_url: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    kind: DocumentKind = DocumentKind.html
    title: str = ""
    load_ms: int = 0
    checks_ms: int = 0
    error: str | None = None
    error_kind: str | None = None
    findings: list[FindingData] = field(default_factory=list)
    brand: BrandVerdict | None = None
    links: list[str] = field(default_factory=list)
    statement_links: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    #: Whether the snapshot was taken (links, statement links and documents are known).
    looked: bool = False
    #: Whether the page was looked at for revalidation over HTTP, and its record if static.
    served_checked: bool = False
    served: ServedRecord | None = None
    ran: list[str] = field(default_factory=list)  # checks that ran to the end
    check_ms: dict[str, int] = field(default_factory=dict)
    check_errors: list[CheckError] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # check → why it did not run
    #: Seen in the service's signed-in session.
    signed_in: bool = False

    @property
    def judged(self) -> list[str]:
        """Checks whose verdict on this page stands (ran, no error)."""
        return list(self.ran)

    @property
    def violations(self) -> list[FindingData]:
        return [f for f in self.findings if f.outcome == "violation"]

    def facts(self) -> dict[str, list[str]] | None:
        """What the service phase reads of this page (stored with its result), if known."""
        if not self.looked:
            return None
        return {"statement_links": self.statement_links, "documents": self.documents}


async def audit_address(
    engine: BrowserEngine,
    url: str,
    checks: Sequence[PageCheck],
    context: PageContext,
    *,
    previous: PreviousVisit | None = None,
    wait_for_selector: str | None = None,
    discover_routes: bool = False,
) -> PageOutcome:
    """Step 1: open ``url`` and audit it; a page that cannot be loaded is a failed outcome.

    In the service's signed-in session if it has a sign-in recipe: signed in once, and
    again (at most ``RENEWALS`` times for one page) when the page shows the session is
    over. ``discover_routes``: a single-page app's page also reports the routes its
    buttons and menus lead to (a crawl does; ``audit-urls`` does not).
    ``BrowserUnavailable`` (no browser at all) is not a page's fault and goes up."""
    started = time.perf_counter()
    session = context.session
    state: SessionState | None = None
    try:
        if session is not None:
            state = await session.state(engine)
        for attempt in range(RENEWALS + 1):
            async with engine.open(url, wait_for_selector=wait_for_selector, session=state) as page:
                if session is not None and session.expired(page):
                    pass  # signed in again below, once the tab is given back
                elif session is None and await _behind_sign_in(page):
                    return _needs_sign_in(url, page, started)
                else:
                    outcome = await audit_page(
                        page, checks, context, previous=previous, discover_routes=discover_routes
                    )
                    outcome.signed_in = state is not None
                    return outcome
            assert session is not None and state is not None
            if attempt < RENEWALS:
                state = await session.renew(engine, state)
        return PageOutcome(
            url=url,
            error=(
                "the page still sends the monitor to the sign-in page after signing in "
                f"again {RENEWALS} times: the account may not be allowed to see it"
            ),
            error_kind="signed-out",
            signed_in=True,
            load_ms=int((time.perf_counter() - started) * 1000),
        )
    except SignInFailed as exc:
        return PageOutcome(
            url=url,
            status=SKIPPED,
            error=f"not reached: signing in to the service failed ({exc.kind}): {exc.reason}"[
                :2000
            ],
            error_kind="sign-in-failed",
        )
    except PageError as exc:
        mask = _mask_of(context)
        return PageOutcome(
            url=url,
            error=mask.text(exc.message[:2000]),
            error_kind=exc.kind,
            http_status=exc.http_status,
            load_ms=int((time.perf_counter() - started) * 1000),
            signed_in=state is not None,
        )


async def _behind_sign_in(page: LoadedPage) -> bool:
    """Whether the page asked for sent the monitor to a sign-in page: it answered 401 or
    403, or it moved to another address that shows a password field."""
    if page.status in SIGN_IN_STATUSES:
        return True
    if document_of(page.url) == document_of(page.requested_url):
        return False
    try:
        return bool(await page.evaluate(_PASSWORD_FIELD))
    except PageError:
        return False


def _needs_sign_in(url: str, page: LoadedPage, started: float) -> PageOutcome:
    how = (
        f"it answered HTTP {page.status}"
        if page.status in SIGN_IN_STATUSES
        else f"it sent the monitor to a sign-in page ({page.url})"
    )
    return PageOutcome(
        url=url,
        status=SKIPPED,
        final_url=page.url,
        http_status=page.status,
        error=(
            f"needs sign-in: {how}; add a sign_in recipe to the service in services.yaml "
            "to audit it signed in"
        ),
        error_kind="sign-in-required",
        load_ms=int((time.perf_counter() - started) * 1000),
    )


def _mask_of(context: PageContext) -> Masker:
    return context.session.mask if context.session is not None else Masker()


async def audit_page(
    page: LoadedPage,
    checks: Sequence[PageCheck],
    context: PageContext,
    *,
    previous: PreviousVisit | None = None,
    look: bool = True,
    discover_routes: bool = False,
) -> PageOutcome:
    """Steps 2 to 6 on a page already loaded (``look=False``: no snapshot, for a page
    remembered from its last visit rather than open in a browser)."""
    outcome = await _audit_page(page, checks, context, previous, look, discover_routes)
    mask = _mask_of(context)
    if mask:
        _mask_outcome(outcome, mask)
    return outcome


async def _audit_page(
    page: LoadedPage,
    checks: Sequence[PageCheck],
    context: PageContext,
    previous: PreviousVisit | None,
    look: bool,
    discover_routes: bool,
) -> PageOutcome:
    outcome = PageOutcome(
        url=page.requested_url,
        final_url=page.url,
        http_status=page.status,
        content_type=page.content_type,
        kind=DocumentKind.of(page.content_type),
        title=(page.title or "")[:500],
        load_ms=page.load_ms,
    )
    if page.status is not None and page.status >= 400:
        outcome.error = f"the page answered HTTP {page.status}"
        outcome.error_kind = "http-error"
        return outcome
    chosen = sorted(checks, key=lambda c: (c.order, c.name))
    applicable = outcome.kind is DocumentKind.html or any(
        outcome.kind in c.applies_to for c in chosen
    )
    spa = context.service.spa if context.service is not None and not context.journey else None
    if look and applicable:
        await _prepare(page, outcome, context, spa is not None)
        if outcome.error is None:
            await _look(page, outcome, context, chosen, previous)
        if previous is not None and outcome.status == CARRIED:
            chosen = [c for c in chosen if c.recheck_unchanged]
    else:
        outcome.status = AUDITED
    if outcome.status == FAILED:
        return outcome
    checks_started = time.perf_counter()
    for check in chosen:
        why_not = _why_not(check, outcome.kind, context)
        if why_not:
            outcome.skipped[check.name] = why_not
            continue
        if page.broken:
            outcome.check_errors.append(
                CheckError(check.name, "page-stopped", "not run: the page had stopped responding")
            )
            continue
        await _run_check(check, page, context, outcome)
    outcome.checks_ms = int((time.perf_counter() - checks_started) * 1000)
    if discover_routes and spa is not None and outcome.looked and not page.broken:
        # After the checks: the clicks change the page, which the checks must see as loaded.
        for route in await discover(page, spa, context.guard):
            if route not in outcome.links and not _refused(context, route):
                outcome.links.append(route)
    if context.journey is not None:
        for finding in outcome.findings:
            finding.journey_id = context.journey.journey_id
            finding.journey_step = context.journey.index
    return outcome


async def _prepare(page: LoadedPage, outcome: PageOutcome, context: PageContext, app: bool) -> None:
    """Before anything reads the page: an app's view settles; a signed-in page's
    credentials (an email address shown as "signed in as") are blanked in the page, so no
    snapshot, fingerprint, finding or screenshot can carry them."""
    try:
        if app:
            assert context.service is not None and context.service.spa is not None
            if not await settle(page, context.service.spa):
                log.info("the view of %s was still changing when it was audited", page.url)
        session = context.session
        if session is not None and session.mask:
            await page.evaluate(BLANK_SECRETS_JS, list(session.secrets().values()))
    except PageError as exc:
        outcome.error, outcome.error_kind = exc.message[:2000], exc.kind


def _refused(context: PageContext, url: str) -> bool:
    return context.guard is not None and context.guard.refuses_address(url)


def _mask_outcome(outcome: PageOutcome, mask: Masker) -> None:
    """Every text of the outcome without credentials (belt and braces: the page itself
    was blanked before it was read)."""
    outcome.title = mask.text(outcome.title)
    outcome.final_url = mask(outcome.final_url)
    outcome.error = mask(outcome.error)
    outcome.links = [mask.text(u) for u in outcome.links]
    outcome.statement_links = [mask.text(u) for u in outcome.statement_links]
    outcome.documents = [mask.text(u) for u in outcome.documents]
    for finding in outcome.findings:
        finding.message = mask.text(finding.message)
        finding.selector = mask.text(finding.selector)
        finding.snippet = mask.text(finding.snippet)
        finding.key = mask.text(finding.key)
    outcome.check_errors = [
        CheckError(e.check, e.kind, mask.text(e.message)) for e in outcome.check_errors
    ]


async def _look(
    page: LoadedPage,
    outcome: PageOutcome,
    context: PageContext,
    checks: Sequence[PageCheck],
    previous: PreviousVisit | None,
) -> None:
    """Steps 3 and 4: the snapshot, and the fingerprint when the run keeps them."""
    run = context.run
    try:
        seen = await snapshot(
            page, furniture=run.furniture is not None and any(c.name == "axe" for c in checks)
        )
    except PageError as exc:
        outcome.error, outcome.error_kind = exc.message[:2000], exc.kind
        return
    links = seen.links
    if context.guard is not None:
        # Links named like sign-out, delete or cancel, or with such an address, are never
        # followed (nor asked for by the links check).
        try:
            refused = await links_refused_by_name(page, context.guard)
        except PageError as exc:
            outcome.error, outcome.error_kind = exc.message[:2000], exc.kind
            return
        links = [u for u in links if u not in refused and not context.guard.refuses_address(u)]
    outcome.status = AUDITED
    outcome.looked = True
    outcome.links = links
    outcome.statement_links = _unique(normalise_url(u) or u for u in seen.statement_links)
    outcome.documents = _unique(
        u for u in (normalise_url(x, page.url) for x in seen.links) if u and looks_like_document(u)
    )
    if run.resource_hashes is None:
        return
    resources = read_resources(seen.resources, run.settings.beacon_hosts)
    hashes = await run.resource_hashes.all(resources.hashed)
    outcome.fingerprint = page_fingerprint(seen.html, hashes)
    if (
        previous is not None
        and previous.judged_alike
        and previous.fingerprint == outcome.fingerprint
    ):
        outcome.status = CARRIED
    if run.settings.revalidate_over_http and run.http is not None:
        outcome.served_checked = True
        if context.session is None:
            # A signed-in page is never revalidated over HTTP: the monitor's HTTP client
            # holds no session (and must not: it is kept in the browser alone).
            outcome.served = await served_record(page, resources, hashes, links, run.http)


def _why_not(check: PageCheck, kind: DocumentKind, context: PageContext) -> str | None:
    if kind not in check.applies_to:
        return f"{kind.label}: the {check.name} check does not apply to it"
    for need in sorted(check.reads):
        if not context.run.has(need):
            return f"needs {need.value}, which this run does not have"
    if context.journey is not None and not check.on_journeys:
        return "judged on crawled pages, not on journey steps"
    return None


async def _run_check(
    check: PageCheck, page: LoadedPage, context: PageContext, outcome: PageOutcome
) -> None:
    """One check on its own: its findings, or its error; never the other checks' loss."""
    limit = context.settings.check_time_limit_seconds
    started = time.perf_counter()
    error: CheckError | None = None
    try:
        async with asyncio.timeout(limit):
            result = await check.run(page, context)
    except TimeoutError:
        log.warning("the %s check gave up on %s after %g s", check.name, page.url, limit)
        error = CheckError(check.name, "timeout", f"did not finish within {limit:g} s")
    except PageError as exc:
        kind = {"unsupported": "not-open"}.get(exc.kind, exc.kind)
        if exc.kind in _PAGE_STOPPED:
            page.broken = True
        error = CheckError(check.name, kind, exc.message[:1000])
    except NotImplementedError as exc:
        error = CheckError(check.name, "not-open", str(exc) or "the engine cannot do this")
    except Exception as exc:  # a fault in the check: that check's error alone
        log.exception("the %s check failed on %s", check.name, page.url)
        error = CheckError(check.name, "error", f"{type(exc).__name__}: {exc}"[:1000])
    outcome.check_ms[check.name] = int((time.perf_counter() - started) * 1000)
    if error is not None:
        outcome.check_errors.append(error)
        return
    report = result if isinstance(result, CheckReport) else CheckReport(list(result))
    outcome.findings += report.findings
    if report.brand is not None:
        outcome.brand = report.brand
    outcome.ran.append(check.name)


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
