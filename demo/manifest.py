"""The demo site's manifest: every page and every deliberate defect, machine-readable.

``manifest.json`` (next to this module) is the single source of truth the monitor's tests
compare their findings with. Hosts are symbolic: ``"main"`` is ``DemoSite.base_url`` and
``"supplier"`` is ``DemoSite.supplier_url``.

A service with ``clean: true`` is the control: no check of any kind (axe with best-practice
rules included, branding, links, http, keyboard, documents) should find anything on it.

A page with ``access: "signed-in"`` is served only after signing in (``demo/account.py``);
a page with ``route: true`` is a route of the "Parking permits" app (``demo/permits.py``),
drawn by script; ``never_follow: true`` marks an address a crawl must never ask for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

MANIFEST_PATH = Path(__file__).with_name("manifest.json")

Host = Literal["main", "supplier"]
Access = Literal["public", "signed-in"]
Category = Literal[
    "accessibility", "brand", "links", "status", "performance", "keyboard", "document"
]
Check = Literal["axe", "branding", "links", "http", "keyboard", "documents", "page-titles"]


@dataclass(frozen=True)
class ServiceEntry:
    id: str
    name: str
    host: Host
    start_path: str
    clean: bool


@dataclass(frozen=True)
class PageEntry:
    host: Host
    path: str
    service: str | None
    status: int
    content_type: str
    in_sitemap: bool
    robots_allowed: bool
    #: ``signed-in``: served only with the session a sign-in sets (else it redirects to
    #: ``/sign-in``, whatever ``status`` says it answers once signed in).
    access: Access = "public"
    #: A route of a single-page app: the server answers its address with the app's shell
    #: and the app draws the view (its defects exist only in the drawn view).
    route: bool = False
    #: An address a crawl must never ask for (it ends the session or changes the account).
    never_follow: bool = False


@dataclass(frozen=True)
class DefectEntry:
    id: str
    host: Host
    path: str
    service: str
    category: Category
    check: Check
    rule: str
    wcag: tuple[str, ...]
    impact: str | None
    selector: str | None
    description: str


@dataclass(frozen=True)
class HostileEntry:
    host: Host
    path: str
    expect: str


@dataclass(frozen=True)
class Manifest:
    council: str
    services: tuple[ServiceEntry, ...]
    pages: tuple[PageEntry, ...]
    defects: tuple[DefectEntry, ...]
    hostile: tuple[HostileEntry, ...]

    def defect(self, defect_id: str) -> DefectEntry:
        for defect in self.defects:
            if defect.id == defect_id:
                return defect
        raise KeyError(f"no defect {defect_id!r} in the demo manifest")

    def service(self, service_id: str) -> ServiceEntry:
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(f"no service {service_id!r} in the demo manifest")

    def defects_for(
        self,
        *,
        check: str | None = None,
        service: str | None = None,
        host: str | None = None,
        path: str | None = None,
    ) -> list[DefectEntry]:
        return [
            d
            for d in self.defects
            if (check is None or d.check == check)
            and (service is None or d.service == service)
            and (host is None or d.host == host)
            and (path is None or d.path == path)
        ]

    def pages_for(self, *, host: str | None = None, service: str | None = None) -> list[PageEntry]:
        return [
            p
            for p in self.pages
            if (host is None or p.host == host) and (service is None or p.service == service)
        ]

    @property
    def clean_services(self) -> list[str]:
        return [s.id for s in self.services if s.clean]

    def raw(self) -> dict[str, Any]:
        """The manifest exactly as stored in ``manifest.json``."""
        return dict(json.loads(MANIFEST_PATH.read_text(encoding="utf-8")))


def _parse(data: dict[str, Any]) -> Manifest:
    return Manifest(
        council=data["council"],
        services=tuple(ServiceEntry(**s) for s in data["services"]),
        pages=tuple(PageEntry(**p) for p in data["pages"]),
        defects=tuple(DefectEntry(**{**d, "wcag": tuple(d["wcag"])}) for d in data["defects"]),
        hostile=tuple(HostileEntry(**h) for h in data["hostile"]),
    )


@lru_cache(maxsize=1)
def load_manifest() -> Manifest:
    """The demo site's manifest (parsed once; the dataclasses are immutable)."""
    return _parse(json.loads(MANIFEST_PATH.read_text(encoding="utf-8")))
