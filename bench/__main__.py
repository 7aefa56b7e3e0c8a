"""Run the benchmark modules (all, or those named) and write ``data/bench/results.json``.

Each module's result is written as soon as it is done, with the time it started, and
replaces only that module's earlier entry: a run that stops half way keeps what it
measured, and one module can be measured again on its own.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

import bench

RESULTS = Path("data/bench/results.json")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _earlier() -> dict[str, Any]:
    try:
        earlier = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return {}
    return earlier if isinstance(earlier, dict) else {}


def main(argv: list[str]) -> int:
    only = set(argv)
    results = _earlier()
    results.pop("started", None)  # the layout before results were kept per module
    for info in pkgutil.iter_modules(bench.__path__):
        if info.name.startswith("_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"== {info.name}", flush=True)
        started_at = _now()
        started = time.perf_counter()
        result = module.run()
        result["started"] = started_at
        result["seconds"] = round(time.perf_counter() - started, 1)
        results[info.name] = result
        print(json.dumps(result, indent=2), flush=True)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2))
    print(f"Results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
