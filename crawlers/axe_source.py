"""The one axe-core file both engines inject, and its version (recorded with every run).

It comes from the ``axe-playwright-python`` package (axe-core 4.12); the older copy inside
``axe-selenium-python`` is never used.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=1)
def axe_path() -> Path:
    return Path(str(resources.files("axe_playwright_python") / "axe.min.js"))


@lru_cache(maxsize=1)
def axe_script() -> str:
    return axe_path().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def axe_version() -> str:
    match = re.search(r"axe v(\d+\.\d+\.\d+)", axe_script()[:300])
    if not match:
        raise RuntimeError(f"cannot read the axe-core version from {axe_path()}")
    return match.group(1)
