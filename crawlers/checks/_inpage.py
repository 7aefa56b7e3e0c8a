"""The in-page scripts of the keyboard, reflow and page-structure checks (``js/*.js``).

Each script is a function ``(arg, M) => result`` where ``M`` holds the helpers of
``js/common.js``; ``script(name)`` wraps it into the ``(arg) => ...`` form that
``LoadedPage.evaluate`` runs the same way in both engines, and ``run_script`` calls it.

The wrapped script hands its result over as one JSON string: Playwright's Python client
checks every value of a structured result against its protocol, which cost more processor
time than the script itself for a result of a few hundred objects; a string is checked
once and parsed in C.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from crawlers.base import LoadedPage

JS_DIR = Path(__file__).with_name("js")


@cache
def script(name: str) -> str:
    common = (JS_DIR / "common.js").read_text(encoding="utf-8")
    body = (JS_DIR / f"{name}.js").read_text(encoding="utf-8").strip()
    return (
        f"(arg) => {{\n{common}\nconst out = ({body})(arg, window.__councilMonitor);\n"
        "const text = (v) => JSON.stringify(v === undefined ? null : v);\n"
        "return out && typeof out.then === 'function' ? out.then(text) : text(out);\n}"
    )


async def run_script(page: LoadedPage, name: str, arg: Any = None) -> Any:
    """Run the in-page script ``name`` on ``page`` with ``arg``: its result, parsed."""
    return parse(await page.evaluate(script(name), arg))


def parse(raw: Any) -> Any:
    """A script's JSON result as Python values (already parsed when an engine did it)."""
    return json.loads(raw) if isinstance(raw, str) else raw
