"""The reflow check: zoom, reflow, text spacing and content shown on focus.

- 1.4.10 Reflow: at 320 CSS pixels wide the page must not scroll sideways, except for
  content that needs two dimensions (tables, maps, code, diagrams), which is exempt.
- 1.4.4 Resize text: at 200% browser zoom (the same layout width as a viewport half as
  wide) no text in the main content is cut off or drawn over other text.
- 1.4.12 Text spacing: with the WCAG overrides (line height 1.5, paragraph spacing 2em,
  letter spacing 0.12em, word spacing 0.16em) no text in the main content is cut off.
- 1.4.13 Content on hover or focus: a tooltip shown on focus goes away with Escape.

Text problems are judged *against the page as it was*: only text cut off or overlapping
after the change counts, so a deliberate ellipsis or an overlay that was always there is
not blamed on zoom. The check restores the viewport, focus, scroll and its styles.

With ``settings.check_shortcuts`` the same steps take fewer calls into the page: the
measure of the page as it was, the one with text spacing and the tooltips in one, and each
settle after a resize in the same call as what follows it (the settle then ends with a task
of its own, as a separate call would start with). A plain run makes one call per step.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from crawlers.base import FindingData, LoadedPage
from crawlers.check import PageCheck
from crawlers.checks._inpage import run_script
from crawlers.context import PageContext

log = logging.getLogger(__name__)

REFLOW_WIDTH = 320
REFLOW_HEIGHT = 256
ZOOM = 2  # 200%: the layout width the page gets at that browser zoom
#: Let resize handlers and media queries settle: two animation frames (or 100 ms).
SETTLE = (
    "() => new Promise((done) => { const t = setTimeout(() => done(true), 100); "
    "requestAnimationFrame(() => requestAnimationFrame(() => { clearTimeout(t); done(true); }));"
    " })"
)

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/"
#: What 200% zoom may do to text that it did not do before: (measure, rule, message).
ZOOM_RULES = (
    ("clipped", "resize-text-clipped", "Text '{text}' is cut off at 200% zoom"),
    ("overlaps", "resize-text-overlap", "Text '{text}' is drawn over '{other}' at 200% zoom"),
)
MEASURE_ALL = {"do": "measure", "clipped": True, "overlaps": True}


async def _reflow_js(page: LoadedPage, op: dict[str, Any]) -> Any:
    return await run_script(page, "reflow", op)


async def _settled(page: LoadedPage, op: dict[str, Any], merged: bool) -> Any:
    """``op`` once the page has settled after a resize: in the same call (``merged``), or
    a call to ``SETTLE`` and then one to ``op``."""
    if merged:
        return await _reflow_js(page, {**op, "settle": True})
    await page.evaluate(SETTLE)
    return await _reflow_js(page, op)


def _finding(
    rule: str, wcag: str, impact: str, message: str, help_page: str, item: dict[str, Any]
) -> FindingData:
    return FindingData(
        check="reflow",
        rule=rule,
        message=message,
        wcag=(wcag,),
        impact=impact,
        selector=item.get("selector", ""),
        snippet=item.get("snippet", ""),
        help_url=HELP + help_page,
    )


class ReflowCheck(PageCheck):
    """Narrows the viewport and spaces out text, looking for content that is lost."""

    name = "reflow"
    version = "2"
    criteria = ("1.4.4", "1.4.10", "1.4.12", "1.4.13")
    order = 70  # resizes the viewport: after every check that only reads the page

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        merged = context.run.settings.check_shortcuts
        findings: list[FindingData] = []
        if merged:
            before = await _reflow_js(page, {"do": "before"})
            baseline, spaced, triggers = before["baseline"], before["spaced"], before["tooltips"]
        else:
            baseline = await _reflow_js(page, MEASURE_ALL)
            spaced = await self._spaced(page)
            triggers = await _reflow_js(page, {"do": "tooltips"})
        findings += self._text_spacing(baseline, spaced)
        findings += await self._on_focus(page, triggers)
        try:
            size = await page.viewport()
            try:
                findings += await self._zoomed(page, baseline, size, merged)
                findings += await self._reflow(page, merged)
            finally:
                await page.set_viewport(*size)
                await _settled(page, {"do": "scroll", "to": baseline["scroll"]}, merged)
        except NotImplementedError:
            log.info("the %s engine cannot resize: reflow skipped", type(page).__name__)
        return findings

    @staticmethod
    async def _spaced(page: LoadedPage) -> dict[str, Any]:
        await _reflow_js(page, {"do": "spacing-on"})
        try:
            spaced: dict[str, Any] = await _reflow_js(page, {"do": "measure", "clipped": True})
        finally:
            await _reflow_js(page, {"do": "spacing-off"})
        return spaced

    @staticmethod
    def _text_spacing(baseline: dict[str, Any], spaced: dict[str, Any]) -> list[FindingData]:
        return [
            _finding(
                "text-spacing-clipped",
                "1.4.12",
                "serious",
                f"Text '{item['text']}' is cut off when line, paragraph, letter and word "
                "spacing are increased (WCAG text-spacing overrides)",
                "text-spacing",
                item,
            )
            for key, item in spaced["clipped"].items()
            if key not in baseline["clipped"]
        ]

    async def _zoomed(
        self, page: LoadedPage, baseline: dict[str, Any], size: tuple[int, int], merged: bool
    ) -> list[FindingData]:
        width, height = size
        await page.set_viewport(max(width // ZOOM, REFLOW_WIDTH), max(height // ZOOM, 200))
        zoomed = await _settled(page, MEASURE_ALL, merged)
        return [
            _finding(rule, "1.4.4", "serious", words.format(**item), "resize-text", item)
            for kind, rule, words in ZOOM_RULES
            for key, item in zoomed[kind].items()
            if key not in baseline[kind]
        ]

    async def _reflow(self, page: LoadedPage, merged: bool) -> list[FindingData]:
        await page.set_viewport(REFLOW_WIDTH, REFLOW_HEIGHT)
        narrow = await _settled(page, {"do": "measure", "sideways": True}, merged)
        sideways = narrow["sideways"]
        if not sideways["scrolls"]:
            return []
        return [
            _finding(
                "reflow",
                "1.4.10",
                "serious",
                f"At {REFLOW_WIDTH} CSS pixels wide the page scrolls sideways: this element "
                f"reaches {item['right']} pixels; content other than tables, maps and code "
                "must reflow into one column",
                "reflow",
                item,
            )
            for item in sideways["culprits"]
        ]

    async def _on_focus(
        self, page: LoadedPage, triggers: list[dict[str, Any]]
    ) -> list[FindingData]:
        """1.4.13: a tooltip shown on focus must be dismissible with Escape."""
        found: list[FindingData] = []
        try:
            for trigger in triggers:
                if not await run_script(
                    page, "reflow", {"do": "focus", "selector": trigger["selector"]}
                ):
                    continue
                await asyncio.sleep(0.05)
                if not await run_script(
                    page, "reflow", {"do": "tooltip-shown", "selector": trigger["tip"]}
                ):
                    continue
                await page.press("Escape")
                if await run_script(
                    page, "reflow", {"do": "tooltip-shown", "selector": trigger["tip"]}
                ):
                    found.append(
                        _finding(
                            "hover-content-dismissible",
                            "1.4.13",
                            "moderate",
                            "The tooltip shown when this control has focus cannot be dismissed "
                            "with Escape without moving focus",
                            "content-on-hover-or-focus",
                            trigger,
                        )
                    )
        except NotImplementedError:
            pass
        finally:
            if triggers:
                await _reflow_js(page, {"do": "blur"})
        return found


CHECK = ReflowCheck()
