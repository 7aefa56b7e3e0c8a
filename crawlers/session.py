"""Signed-in sessions for the crawl, and what a crawl behind sign-in must never touch.

A service with a ``sign_in`` recipe (``services.yaml``) is crawled signed in:

- ``SessionKeeper`` (one per ``RunContext``: one per run in this process, so one per
  Celery worker and run) holds a ``ServiceSession`` per such service;
- ``ServiceSession.state(engine)`` signs in once (``crawlers.signin``: the recipe replayed
  in a tab the engine lends, as a journey is) and hands back a ``SessionState``: the
  cookies and local storage the sign-in left, kept in memory only (never stored, never
  logged, never sent to a Celery task). The engine's pooled tabs load that state instead
  of clearing their cookies, so every page of the service is seen signed in;
- ``ServiceSession.expired(page)`` tells a page that sent the monitor to the sign-in page
  (or answered 401 or 403); ``renew`` signs in again, once for everyone waiting;
- a sign-in that fails (wrong credentials, a changed sign-in page, a CAPTCHA, a second
  factor, secrets not set) is ``SignInFailed`` with its kind and a reason in words; it is
  remembered, so the service's other pages are not reached, while other services go on.

``CrawlGuard`` is what a signed-in (or single-page-app) crawl never follows or clicks:
sign-out, delete, cancel... by address or by name, plus the service's own ``never_follow``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from crawlers.base import LoadedPage
from crawlers.browser_state import SessionState
from crawlers.secrets import Masker, MissingSecrets, read_secrets

if TYPE_CHECKING:
    from crawlers.base import BrowserEngine
    from monitor.config import ServiceConfig
    from monitor.settings import Settings

log = logging.getLogger(__name__)

#: Addresses and names a crawl behind sign-in never follows: ending the session, or
#: changing the account. Matched, ignoring case, in a link's path and query and in the
#: name of a link or button.
LEAVING_WORDS = (
    r"sign[\s_-]*(out|off)|log[\s_-]*(out|off)|logout|signout|delete|remove|cancel"
    r"|unsubscribe|deactivate|close[\s_-]*(your[\s_-]*|my[\s_-]*)?account|revoke|withdraw"
    r"|end[\s_-]*session"
)
#: Names of buttons route discovery never clicks: they act rather than show (and the page
#: is kept from sending or storing anything while it clicks, besides).
ACTING_WORDS = (
    r"\b(pay|submit|send|confirm|buy|purchase|order|save|upload|accept|reject|agree|book)\b"
)

#: Status codes that mean "sign in first".
SIGN_IN_STATUSES = (401, 403)


class SignInFailed(Exception):
    """Signing in to a service did not work; ``kind`` says why, ``reason`` in words."""

    KINDS = (
        "wrong-credentials",
        "sign-in-page-changed",
        "captcha",
        "second-factor",
        "secrets-missing",
        "sign-in-unavailable",
        "monitor-error",
    )

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


def _ignoring_case(pattern: str) -> str:
    """A service's pattern for both Python and JavaScript (whose older engines know no
    inline flags): matched ignoring case anyway."""
    return re.sub(r"^\(\?i\)", "", pattern)


@dataclass
class CrawlGuard:
    """Addresses and names a crawl behind sign-in (or through an app) never follows nor
    clicks: the default ``LEAVING_WORDS`` plus the service's ``never_follow``."""

    extra: tuple[str, ...] = ()
    _compiled: list[re.Pattern[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._compiled = [
            re.compile(p, re.IGNORECASE) for p in (LEAVING_WORDS, *map(_ignoring_case, self.extra))
        ]

    @classmethod
    def for_service(cls, service: ServiceConfig) -> CrawlGuard | None:
        """The guard of a signed-in or single-page-app service; None for the others (a
        public page's "Cancel" link leads nowhere that matters)."""
        if service.sign_in is None and service.spa is None:
            return None
        return cls(tuple(service.never_follow))

    def refuses_address(self, url: str) -> bool:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.fragment.startswith(("/", "!/")):
            target += "#" + parts.fragment  # a hash route is an address of the app
        return any(p.search(target) for p in self._compiled)

    def refuses_name(self, name: str) -> bool:
        return any(p.search(name) for p in self._compiled)

    @property
    def js_patterns(self) -> list[str]:
        """What a link or button may not be named, for the page (matched ignoring case)."""
        return [LEAVING_WORDS, *map(_ignoring_case, self.extra)]


#: ``[address, name]`` of every link of the page (its name as a screen reader would
#: announce it, near enough), for the guard to judge by name.
LINK_NAMES = r"""() => Array.from(document.querySelectorAll('a[href], area[href]'), (a) => {
  const by = (a.getAttribute('aria-labelledby') || '').split(/\s+/)
    .map((id) => document.getElementById(id)).filter(Boolean)
    .map((el) => el.textContent).join(' ');
  const images = Array.from(a.querySelectorAll('img[alt]'), (i) => i.alt).join(' ');
  const name = by || a.getAttribute('aria-label') || ((a.textContent || '') + ' ' + images)
    || a.title || '';
  const href = typeof a.href === 'string' ? a.href
    : new URL(a.href.baseVal, document.baseURI).href;
  return [href, name.replace(/\s+/g, ' ').trim().slice(0, 200)];
})"""


async def links_refused_by_name(page: LoadedPage, guard: CrawlGuard) -> set[str]:
    """The addresses of the page's links named like sign-out, delete, cancel... (read once
    per visit: the pipeline and the links check both ask)."""
    known: set[str] | None = page.__dict__.get("_refused_by_name")
    if known is None:
        found = await page.evaluate(LINK_NAMES)
        known = {str(href) for href, name in found or [] if guard.refuses_name(str(name))}
        page.__dict__["_refused_by_name"] = known
    return known


class SignIn(Protocol):
    """Replays a service's sign-in recipe (``crawlers.signin.sign_in``). Handed in by the
    entry points: the recipe runs as journey steps, and journeys use the page pipeline,
    which uses sessions, so this module cannot import it."""

    async def __call__(
        self,
        engine: BrowserEngine,
        service: ServiceConfig,
        settings: Settings,
        secrets: dict[str, str],
        *,
        generation: int,
    ) -> SessionState: ...


class ServiceSession:
    """One service's signed-in session in one run and process (see the module docstring)."""

    def __init__(
        self,
        service: ServiceConfig,
        settings: Settings,
        environ: Mapping[str, str] | None = None,
        signer: SignIn | None = None,
    ) -> None:
        assert service.sign_in is not None
        self.service = service
        self.recipe = service.sign_in
        self.settings = settings
        self.environ = environ
        self.signer = signer
        self.page_pattern = re.compile(self.recipe.page_pattern)
        self.sign_ins = 0  # successful sign-ins in this run and process
        self.mask = Masker()
        self._secrets: dict[str, str] | None = None
        self._state: SessionState | None = None
        self._failure: SignInFailed | None = None
        self._lock = asyncio.Lock()

    @property
    def failure(self) -> SignInFailed | None:
        return self._failure

    def secrets(self) -> dict[str, str]:
        """The recipe's secrets from the environment (``SignInFailed`` if any is not set)."""
        if self._secrets is None:
            try:
                self._secrets = read_secrets(self.recipe.secrets, self.environ)
            except MissingSecrets as exc:
                raise SignInFailed("secrets-missing", str(exc)) from None
            self.mask = Masker(self._secrets.values())
        return self._secrets

    def on_sign_in_page(self, url: str | None) -> bool:
        if not url:
            return False
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return bool(self.page_pattern.search(target))

    def expired(self, page: LoadedPage) -> bool:
        """Whether the page shows that the session is over: it sent the monitor to the
        sign-in page (when another page was asked for), or it answered 401 or 403."""
        if page.status in SIGN_IN_STATUSES:
            return True
        return self.on_sign_in_page(page.url) and not self.on_sign_in_page(page.requested_url)

    async def state(self, engine: BrowserEngine) -> SessionState:
        """The session, signing in the first time (``SignInFailed`` if that failed)."""
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._state is None:
                self._state = await self._sign_in(engine)
            return self._state

    async def renew(self, engine: BrowserEngine, stale: SessionState) -> SessionState:
        """Sign in again because ``stale`` expired, unless someone already did."""
        async with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._state is not None and self._state is not stale:
                return self._state
            log.info("the session of %s has expired: signing in again", self.service.id)
            self._state = await self._sign_in(engine)
            return self._state

    async def _sign_in(self, engine: BrowserEngine) -> SessionState:
        if self.signer is None:
            raise SignInFailed(
                "monitor-error", "this entry point cannot sign in (it was started without a signer)"
            )
        try:
            secrets = self.secrets()
            state = await self.signer(
                engine, self.service, self.settings, secrets, generation=self.sign_ins + 1
            )
        except SignInFailed as exc:
            self._failure = SignInFailed(exc.kind, self.mask.text(exc.reason))
            log.warning("signing in to %s failed: %s", self.service.id, self._failure)
            raise self._failure from None
        self.sign_ins += 1
        return state


class SessionKeeper:
    """The signed-in sessions of one run in one process, one per service with a recipe."""

    def __init__(
        self,
        settings: Settings,
        environ: Mapping[str, str] | None = None,
        signer: SignIn | None = None,
    ) -> None:
        self.settings = settings
        self.environ = environ
        self.signer = signer
        self._sessions: dict[str, ServiceSession] = {}

    def for_service(self, service: ServiceConfig | None) -> ServiceSession | None:
        if service is None or service.sign_in is None:
            return None
        session = self._sessions.get(service.id)
        if session is None:
            session = self._sessions[service.id] = ServiceSession(
                service, self.settings, self.environ, self.signer
            )
        return session

    def sessions(self) -> list[ServiceSession]:
        return list(self._sessions.values())


__all__ = [
    "ACTING_WORDS",
    "LEAVING_WORDS",
    "CrawlGuard",
    "ServiceSession",
    "SessionKeeper",
    "SessionState",
    "SignIn",
    "SignInFailed",
]
