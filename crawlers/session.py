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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crawlers.base import LoadedPage
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


def _same_site(value: object) -> str:
    text = str(value or "").capitalize()
    return text if text in ("Strict", "Lax", "None") else "Lax"


def cookie_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A cookie in Playwright's storage-state shape, from Playwright, CDP or WebDriver."""
    expires = raw.get("expires", raw.get("expiry", -1))
    return {
        "name": str(raw["name"]),
        "value": str(raw["value"]),
        "domain": str(raw.get("domain") or ""),
        "path": str(raw.get("path") or "/"),
        "expires": float(expires) if expires not in (None, "") else -1.0,
        "httpOnly": bool(raw.get("httpOnly", False)),
        "secure": bool(raw.get("secure", False)),
        "sameSite": _same_site(raw.get("sameSite")),
    }


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def cookie_matches(cookie: Mapping[str, Any], host: str) -> bool:
    """Whether the browser sends ``cookie`` to ``host`` (domain rules, not paths)."""
    domain = str(cookie.get("domain") or "").lower()
    host = host.lower()
    if not domain:
        return True
    if domain.startswith("."):
        return host == domain[1:] or host.endswith(domain)
    return host == domain


@dataclass(frozen=True, eq=False)
class SessionState:
    """What a sign-in left in the browser: cookies and, per origin, local storage.

    Held in memory only. Tabs are matched to it by identity: a renewed session is a new
    object, so a tab holding the old one is never taken for it. Its text never shows a
    value (``repr``), so it cannot leak into a log by accident."""

    service_id: str
    generation: int
    cookies: tuple[dict[str, Any], ...]
    local_storage: Mapping[str, Mapping[str, str]]  # origin → key → value
    #: Origins the session's documents live on (an engine that can only set a cookie for
    #: the document it shows visits each of them first).
    origins: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"SessionState({self.service_id!r}, generation {self.generation}, "
            f"{len(self.cookies)} cookie(s), {len(self.local_storage)} origin(s) with storage)"
        )

    __str__ = __repr__

    @classmethod
    def build(
        cls,
        service_id: str,
        generation: int,
        cookies: Iterable[Mapping[str, Any]],
        local_storage: Mapping[str, Mapping[str, str]],
        origins: Iterable[str],
    ) -> SessionState:
        kept = tuple(cookie_of(c) for c in cookies)
        seen = list(dict.fromkeys([*origins, *local_storage]))
        return cls(
            service_id,
            generation,
            kept,
            {o: dict(items) for o, items in local_storage.items() if items},
            tuple(o for o in seen if o),
        )

    def playwright_state(self) -> dict[str, Any]:
        """The state as ``browser.new_context(storage_state=...)`` takes it."""
        return {
            "cookies": [dict(c) for c in self.cookies],
            "origins": [
                {
                    "origin": origin,
                    "localStorage": [{"name": k, "value": v} for k, v in items.items()],
                }
                for origin, items in self.local_storage.items()
            ],
        }

    def cookies_for(self, host: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.cookies if cookie_matches(c, host)]


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


class ServiceSession:
    """One service's signed-in session in one run and process (see the module docstring)."""

    def __init__(
        self,
        service: ServiceConfig,
        settings: Settings,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        assert service.sign_in is not None
        self.service = service
        self.recipe = service.sign_in
        self.settings = settings
        self.environ = environ
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
        from crawlers.signin import sign_in  # the journey runner imports the pipeline

        try:
            secrets = self.secrets()
            state = await sign_in(
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

    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.environ = environ
        self._sessions: dict[str, ServiceSession] = {}

    def for_service(self, service: ServiceConfig | None) -> ServiceSession | None:
        if service is None or service.sign_in is None:
            return None
        session = self._sessions.get(service.id)
        if session is None:
            session = self._sessions[service.id] = ServiceSession(
                service, self.settings, self.environ
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
    "SignInFailed",
]
