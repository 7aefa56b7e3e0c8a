"""The one axe-core file both engines inject, and its version (recorded with every run).

It comes from the ``axe-playwright-python`` package (axe-core 4.12); the older copy inside
``axe-selenium-python`` is never used. The audits inject it with ``AXE_SPEEDUPS`` after it
(``audit_script``): the file itself is never changed.
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


#: Two caches axe-core lacks, installed over it on every page the audits load. Both wrap
#: functions whose answer depends only on their argument within one page visit, so
#: findings are identical (the equivalence tests and ``make bench`` compare with plain
#: axe-core). On council pages they save about a third of axe's processor time:
#:
#: - ``Color.parseString`` parses a CSS colour with colour.js on every call, for every
#:   element of every stacking context; the same few dozen colour strings recur all page.
#:   A string that fails to parse is not cached, so axe records it (and throws) each time.
#: - ``VirtualNode.getComputedStylePropertyValue`` caches each property under the key
#:   ``"computedStyle_" + name``: building and hashing that new string cost more than the
#:   style read it saves. The cache moves into a ``Map`` on the same per-node cache object.
AXE_SPEEDUPS = """(() => {
  if (!window.axe || axe.__councilSpeedups) return;
  axe.__councilSpeedups = true;
  const colour = axe.commons.color.Color.prototype, parse = colour.parseString;
  const parsed = new Map();
  colour.parseString = function (text) {
    const known = parsed.get(text);
    if (known === undefined) {
      parse.call(this, text);
      parsed.set(text, [this.r, this.g, this.b, this.alpha]);
    } else {
      this.r = known[0];
      this.g = known[1];
      this.b = known[2];
      this.alpha = known[3];
    }
    return this;
  };
  axe.VirtualNode.prototype.getComputedStylePropertyValue = function (name) {
    const cache = this._cache;
    let values = cache.computedStyleValues;
    if (values === undefined) values = cache.computedStyleValues = new Map();
    let value = values.get(name);
    if (value === undefined) {
      if (!Object.prototype.hasOwnProperty.call(cache, 'computedStyle'))
        cache.computedStyle = window.getComputedStyle(this.actualNode);
      value = cache.computedStyle.getPropertyValue(name);
      values.set(name, value);
    }
    return value;
  };
})();"""


@lru_cache(maxsize=2)
def audit_script(speedups: bool = True) -> str:
    """What the audits inject: the axe-core file, then (unless turned off) ``AXE_SPEEDUPS``."""
    return f"{axe_script()}\n{AXE_SPEEDUPS}" if speedups else axe_script()
