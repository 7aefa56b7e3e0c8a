"""Checks: one module each, each defining ``CHECK`` (see ``crawlers.base.Check``).

``available_checks()`` finds them, so a new check is added by writing one module.
A check that a service switches off in services.yaml (``checks: {name: false}``) is
skipped for that service, and the run logs which checks were on and off.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from crawlers.base import Check


@lru_cache(maxsize=1)
def available_checks() -> dict[str, Check]:
    """Every check module's ``CHECK``, by name."""
    found: dict[str, Check] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if isinstance(check, Check):
            found[check.name] = check
    return dict(sorted(found.items()))


def check_versions() -> dict[str, str]:
    """Versions of every check, recorded with each run (a change forces a re-audit)."""
    return {name: check.version for name, check in available_checks().items()}
