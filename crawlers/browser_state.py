"""What a sign-in leaves in a browser (cookies, local storage), in a shape both engines
take. Below the engines' interface, which hands it to a tab; ``crawlers.session`` signs in
and keeps it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


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


__all__ = ["SessionState", "cookie_matches", "cookie_of", "origin_of"]
