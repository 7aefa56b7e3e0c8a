"""Run every benchmark module and write the results to ``data/bench/results.json``."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any

import monitor.bench


def main(argv: list[str]) -> int:
    only = set(argv)
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for info in pkgutil.iter_modules(monitor.bench.__path__):
        if info.name.startswith("_") or (only and info.name not in only):
            continue
        module = importlib.import_module(f"monitor.bench.{info.name}")
        print(f"== {info.name}", flush=True)
        started = time.perf_counter()
        results[info.name] = module.run()
        results[info.name]["seconds"] = round(time.perf_counter() - started, 1)
        print(json.dumps(results[info.name], indent=2), flush=True)
    out = Path("data/bench/results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"Results written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
