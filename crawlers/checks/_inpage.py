"""The in-page scripts of the keyboard, reflow and page-structure checks (``js/*.js``).

Each script is a function ``(arg, M) => result`` where ``M`` holds the helpers of
``js/common.js``; ``script(name)`` wraps it into the ``(arg) => ...`` form that
``LoadedPage.evaluate`` runs the same way in both engines.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

JS_DIR = Path(__file__).with_name("js")


@cache
def script(name: str) -> str:
    common = (JS_DIR / "common.js").read_text(encoding="utf-8")
    body = (JS_DIR / f"{name}.js").read_text(encoding="utf-8").strip()
    return f"(arg) => {{\n{common}\nreturn ({body})(arg, window.__councilMonitor);\n}}"
