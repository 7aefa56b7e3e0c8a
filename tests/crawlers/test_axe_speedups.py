"""The caches installed over axe-core (``AXE_SPEEDUPS``) change no finding, in either engine.

The page mixes every way CSS writes a colour (including ones colour.js cannot parse, which
axe reports as "needs review"), stacked and translucent backgrounds, text in an iframe,
links in text blocks and small targets: the rules whose work the caches take over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from crawlers.engines import make_engine
from monitor.settings import Settings
from tests.servers import html_site

COLOURS = [
    "#777",
    "#7778",
    "#767676",
    "rgb(118 118 118)",
    "rgba(0, 0, 0, 0.45)",
    "rgb(40% 40% 40%)",
    "hsl(210 10% 55%)",
    "hsla(0, 100%, 40%, 0.7)",
    "grey",
    "rebeccapurple",
    "currentcolor",
    "lab(55% 10 -20)",
    "oklch(0.6 0.1 250)",
    "color(display-p3 0.5 0.5 0.5)",
    "color-mix(in srgb, red 40%, white)",
    "hwb(200 40% 40%)",
]
BACKGROUNDS = [
    "#fff",
    "#eee",
    "rgba(255, 255, 0, 0.5)",
    "transparent",
    "hsl(60 100% 90%)",
    "linear-gradient(#fff, #ccc)",
    "color(display-p3 1 1 0.9)",
]


def _page(frame: bool) -> str:
    blocks = []
    for n, colour in enumerate(COLOURS):
        back = BACKGROUNDS[n % len(BACKGROUNDS)]
        blocks.append(
            f'<div style="background: {back}; opacity: {1 - (n % 3) * 0.1}; '
            f'position: relative; z-index: {n % 4}">'
            f'<p style="color: {colour}">Bin collection day {n}. '
            f'<a href="/a{n}" style="color: {COLOURS[-1 - n]}; text-decoration: none">'
            f"change your day</a> or read more.</p>"
            f'<button style="color: {colour}; background: {back}; width: 18px; height: 18px">'
            f"{n}</button></div>"
        )
    overlap = (
        '<div style="position: absolute; top: 40px; left: 0; width: 300px; height: 60px; '
        'background: rgba(0, 0, 80, 0.6)"></div>'
    )
    tiny = "".join(
        f'<button style="width: 14px; height: 14px; padding: 0; margin: 0; border: 0; '
        f'color: {colour}; background: #ddd">{n}</button>'
        for n, colour in enumerate(COLOURS[:6])
    )
    inner = '<iframe src="/frame" title="Payments"></iframe>' if frame else ""
    return (
        '<!doctype html><html lang="en"><head><title>Colours - Kent County Council</title>'
        "</head><body><main><h1>Colours</h1>"
        + overlap
        + "".join(blocks)
        + f'<div style="display: flex">{tiny}</div>'
        + inner
        + "</main></body></html>"
    )


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with html_site(lambda path: _page(frame=path == "/")) as address:
        yield address


OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations", "incomplete"],
}


def _audit(name: str, url: str, speedups: bool) -> tuple[bool, dict[str, Any]]:
    settings = Settings(axe_speedups=speedups, concurrency=1, network_idle_seconds=0.5)

    async def visit() -> tuple[bool, dict[str, Any]]:
        engine = make_engine(settings, name)
        await engine.start()
        try:
            async with engine.open(url) as page:
                results = await page.run_axe(OPTIONS)  # Selenium injects axe-core here
                installed = await page.evaluate("() => window.axe.__councilSpeedups === true")
                return bool(installed), {key: results[key] for key in ("violations", "incomplete")}
        finally:
            await engine.close()

    return asyncio.run(visit())


@pytest.mark.browser  # drives a real headless Chromium (both engines)
@pytest.mark.parametrize("name", ["playwright", "selenium"])
def test_the_axe_speedups_change_no_finding(name: str, site: str) -> None:
    plain_installed, plain = _audit(name, f"{site}/", speedups=False)
    fast_installed, fast = _audit(name, f"{site}/", speedups=True)
    assert (plain_installed, fast_installed) == (False, True)
    # Not a vacuous comparison: contrast is failed, and some colours need a person's review.
    failed = {rule["id"]: rule for rule in plain["violations"]}
    review = {rule["id"] for rule in plain["incomplete"]}
    assert "color-contrast" in failed
    assert "color-contrast" in review
    assert "target-size" in failed
    # A node inside the iframe is targeted as [iframe, element in it].
    assert any(len(node["target"]) == 2 for node in failed["color-contrast"]["nodes"]), (
        "the framed page's contrast is audited too"
    )
    assert fast == plain
