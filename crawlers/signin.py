"""Signing in to a service: its ``sign_in`` recipe replayed in a tab the engine lends.

The recipe is in the journeys' step language and is replayed by the journey runner's own
steps (find by role and name or by label, with the same waits, failures and masking), in
a fresh tab that is thrown away afterwards; what the sign-in left (cookies, local
storage) becomes the ``SessionState`` the crawl's tabs load.

When it fails, the page it stopped on is read to name why, in words a service owner can
act on: a CAPTCHA, a second factor (a code), the sign-in page coming back (wrong
credentials), an element or expectation the recipe no longer finds (the sign-in page has
changed), or a page that could not be loaded. No evidence is kept: a screenshot or a trace
of a sign-in page would hold the very text the recipe typed.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawlers.base import BrowserEngine, InteractiveTab, PageError, TabFailure
from crawlers.browser_state import SessionState, origin_of
from crawlers.journeys import FailureKind, JourneyRunner, StepOutcome, StepStatus, describe_step
from crawlers.secrets import Masker
from crawlers.session import SignInFailed

if TYPE_CHECKING:
    from monitor.config import ServiceConfig
    from monitor.settings import Settings

#: What the page a sign-in stopped on shows: a CAPTCHA, a second factor, a password field
#: (still the sign-in page) and its error messages.
SIGN_IN_FACTS = r"""() => {
  const text = (document.body ? document.body.innerText : '') || '';
  const found = (selector) => !!document.querySelector(selector);
  const captcha = found('iframe[src*="recaptcha"], iframe[src*="hcaptcha"], '
      + 'iframe[src*="challenges.cloudflare.com"], iframe[title*="captcha" i], .g-recaptcha, '
      + '.h-captcha, .cf-turnstile, [data-sitekey], [id*="captcha" i], [name*="captcha" i], '
      + '[class*="captcha" i]')
    || /captcha|I['’]?m not a robot|prove (that )?you['’]?re (human|not a robot)/i.test(text);
  const secondFactor = found('input[autocomplete="one-time-code"]')
    || /(security|verification|one[- ]time|authenticat\w*|access) (code|passcode)/i.test(text)
    || /two[- ]factor|2-step|two[- ]step|multi[- ]factor/i.test(text)
    || /code (we|we've|that we) (sent|texted|emailed)/i.test(text);
  const password = found('input[type="password"]');
  const errors = Array.from(document.querySelectorAll(
      '[role="alert"], .error-summary, .govuk-error-summary, .error-message, '
      + '.govuk-error-message, .alert-danger, .error'),
    (e) => (e.innerText || '').replace(/\s+/g, ' ').trim()).filter(Boolean).slice(0, 3);
  return { captcha, secondFactor, password, errors };
}"""


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path or "/"


async def _facts(tab: InteractiveTab) -> dict[str, Any]:
    try:
        found = await tab.evaluate(SIGN_IN_FACTS)
    except (TabFailure, PageError, TimeoutError):
        return {}
    return dict(found) if isinstance(found, dict) else {}


async def why_it_failed(
    tab: InteractiveTab,
    service: ServiceConfig,
    index: int,
    name: str,
    outcome: StepOutcome,
    mask: Masker,
) -> SignInFailed:
    """Why the sign-in stopped at step ``index``, from the page it stopped on."""
    assert service.sign_in is not None
    recipe = service.sign_in
    facts = await _facts(tab)
    where = mask.text(_where(tab.url))
    step = f"step {index} ({name})"
    if facts.get("captcha"):
        return SignInFailed(
            "captcha",
            f"the sign-in page at {where} asks for a CAPTCHA, which the monitor must not "
            "answer: ask for the monitor's test account to be let through without one (its "
            "address allowed, or the CAPTCHA's test keys on a test site)",
        )
    if facts.get("secondFactor") and not facts.get("password"):
        return SignInFailed(
            "second-factor",
            f"the account asks for a second factor at {where} (a code sent or generated), "
            "which the monitor cannot give: give it a test account that signs in with a "
            "password alone",
        )
    pattern = re.compile(recipe.page_pattern)
    parts = urlsplit(tab.url)
    on_sign_in_page = bool(pattern.search(parts.path + (f"?{parts.query}" if parts.query else "")))
    if (
        outcome.failure is FailureKind.expectation_not_met
        and on_sign_in_page
        and facts.get("password")
    ):
        said = "; ".join(mask.text(str(e))[:200] for e in facts.get("errors") or [])
        return SignInFailed(
            "wrong-credentials",
            f"the sign-in was refused (wrong credentials?): after {step} the sign-in page at "
            f"{where} came back"
            + (f", saying {said!r}" if said else "")
            + f"; check the secrets {', '.join(recipe.secrets) or '(none)'}",
        )
    if outcome.failure in (FailureKind.element_not_found, FailureKind.expectation_not_met):
        return SignInFailed(
            "sign-in-page-changed",
            f"the sign-in page has changed: {step} at {where}: {outcome.error}",
        )
    return SignInFailed(
        "sign-in-unavailable", f"the sign-in could not be done: {step} at {where}: {outcome.error}"
    )


async def sign_in(
    engine: BrowserEngine,
    service: ServiceConfig,
    settings: Settings,
    secrets: dict[str, str],
    *,
    generation: int,
) -> SessionState:
    """Replay the service's sign-in recipe; the session it left, or ``SignInFailed``.

    ``BrowserUnavailable`` (no browser at all) is not the service's fault and goes up."""
    recipe = service.sign_in
    assert recipe is not None
    journey = recipe.as_journey()
    runner = JourneyRunner(settings, engine=engine)
    mask = Masker(secrets.values())
    deadline = time.monotonic() + recipe.timeout_seconds
    try:
        async with engine.session() as tab:
            for index, step in enumerate(journey.steps, start=1):
                name = mask.text(describe_step(step))
                outcome = await runner._step(
                    service, journey, tab, step, index, name, secrets, mask, deadline
                )
                if outcome.status == StepStatus.errored:
                    raise SignInFailed(
                        "monitor-error",
                        f"the browser failed at step {index} ({name}): {outcome.error}",
                    )
                if outcome.status == StepStatus.failed:
                    raise await why_it_failed(tab, service, index, name, outcome, mask)
            cookies, storage = await tab.storage_state()
            final = tab.url
    except (PageError, TabFailure) as exc:
        raise SignInFailed(
            "monitor-error", mask.text(f"the browser failed while signing in: {exc}")
        ) from None
    origins = [origin_of(u) for u in (*service.start_urls, final)]
    return SessionState.build(
        service.id, generation, cookies, storage, [o for o in origins if o is not None]
    )


__all__ = ["SIGN_IN_FACTS", "sign_in", "why_it_failed"]
