"""Checks: one module each, each defining ``CHECK`` (see ``crawlers.check``).

``available_checks()`` finds them, so a new check is added by writing one module.
A check that a service switches off in services.yaml (``checks: {name: false}``) is
skipped for that service, and the run logs which checks were on and off.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from crawlers.check import DocumentCheck, PageCheck, ServiceCheck

AnyCheck = PageCheck | DocumentCheck | ServiceCheck


@lru_cache(maxsize=1)
def available_checks() -> dict[str, AnyCheck]:
    """Every check module's ``CHECK``, by name, in the order they run on a page."""
    found: dict[str, AnyCheck] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if isinstance(check, PageCheck | DocumentCheck | ServiceCheck):
            found[check.name] = check
    ordered = sorted(found.values(), key=lambda c: (getattr(c, "order", 50), c.name))
    return {c.name: c for c in ordered}


def page_checks() -> list[PageCheck]:
    return [c for c in available_checks().values() if isinstance(c, PageCheck)]


def document_checks() -> list[DocumentCheck]:
    return [c for c in available_checks().values() if isinstance(c, DocumentCheck)]


def service_checks() -> list[ServiceCheck]:
    return [c for c in available_checks().values() if isinstance(c, ServiceCheck)]


def check_versions() -> dict[str, str]:
    """Versions of every check, recorded with each run (a change forces a re-audit)."""
    return {name: check.version for name, check in available_checks().items()}
