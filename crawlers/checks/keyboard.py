"""The keyboard check: tab through the page as a keyboard user would.

Real Tab presses (bounded by ``MAX_STOPS``) find focus traps (2.1.2), focus that does not
show (2.4.7), focus hidden under sticky headers or banners (2.4.11) and a focus order
bent by positive ``tabindex`` (2.4.3). In-page JavaScript, the same in both engines,
finds a missing or broken skip link (2.4.1), controls taken out of the tab order and
elements that act on click but cannot get focus (2.1.1).

Every heuristic is conservative: a finding must be a real barrier on a clean page.
The check restores what it changes: focus, scroll position and its injected style.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from crawlers.base import FindingData, LoadedPage
from crawlers.check import PageCheck
from crawlers.checks._inpage import run_script
from crawlers.context import PageContext

log = logging.getLogger(__name__)

#: Tab presses at most: enough to go round most pages and come back to the start, which is
#: how a trap of any size shows (the walk comes back without reaching every control).
MAX_STOPS = 120
#: Tab presses sent at once after the first burst (which goes round the page once).
BURST = 20
#: How far (CSS pixels) a tab stop may sit above the previous one before it is a jump back.
JUMP_BACK_PX = 100

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/"

RULES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # rule: (WCAG criteria, impact, help page)
    "keyboard-trap": (("2.1.2",), "critical", "no-keyboard-trap"),
    "skip-link": (("2.4.1",), "moderate", "bypass-blocks"),
    "skip-link-target": (("2.4.1",), "moderate", "bypass-blocks"),
    "focus-not-visible": (("2.4.7",), "serious", "focus-visible"),
    "focus-obscured": (("2.4.11",), "serious", "focus-not-obscured-minimum"),
    "focus-order": (("2.4.3",), "moderate", "focus-order"),
    "focus-order-visual": (("2.4.3",), "moderate", "focus-order"),
    "not-keyboard-reachable": (("2.1.1",), "serious", "keyboard"),
    "click-not-focusable": (("2.1.1",), "serious", "keyboard"),
}


#: Rules that need a person to look: the walk cannot tell a designed order from a bent one.
NEEDS_REVIEW = {"focus-order-visual"}


def finding(rule: str, message: str, selector: str = "", snippet: str = "") -> FindingData:
    wcag, impact, page = RULES[rule]
    return FindingData(
        check="keyboard",
        rule=rule,
        message=message,
        wcag=wcag,
        impact=impact,
        selector=selector,
        snippet=snippet,
        help_url=HELP + page,
        outcome="needs_review" if rule in NEEDS_REVIEW else "violation",
    )


def static_findings(items: list[dict[str, Any]]) -> list[FindingData]:
    """Findings the in-page script made without pressing a key."""
    found = []
    for item in items:
        rule, detail = item["rule"], item.get("detail") or ""
        if rule == "skip-link":
            message = (
                "The page has no 'Skip to main content' link: keyboard users must tab through "
                f"{detail} links and buttons before the main content on every page"
            )
        elif rule == "skip-link-target":
            message = f"The skip link points to #{detail}, which is not on the page"
        elif rule == "not-keyboard-reachable":
            message = (
                f"The control '{detail}' is visible but taken out of the tab order "
                '(tabindex="-1"), so keyboard users cannot reach it'
            )
        else:
            message = (
                f"'{detail}' acts like a control but cannot get keyboard focus: give it a "
                'real button or link, or tabindex="0" and key handlers'
            )
        found.append(finding(rule, message, item.get("selector", ""), item.get("snippet", "")))
    return found


class _LostCount(Exception):
    """A burst's log lost presses that no frame explains."""


@dataclass
class _Walk:
    stops: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[int, int] = field(default_factory=dict)  # element id → index in stops
    wrapped: bool = False


class KeyboardCheck(PageCheck):
    """Tabs through the page and reports keyboard barriers."""

    name = "keyboard"
    version = "2"
    criteria = ("2.1.1", "2.1.2", "2.4.1", "2.4.3", "2.4.7", "2.4.11")
    order = 60  # presses keys and moves focus: after the checks that only read the page

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        bursts = context.run.settings.check_shortcuts
        prepared = await run_script(page, "keyboard", {"do": "prepare", "bursts": bursts})
        findings = static_findings(prepared["findings"])
        try:
            stops = (
                self._bursts(page, int(prepared["tabbables"])) if bursts else self._one_by_one(page)
            )
            findings += await self._walk(page, set(prepared["expected"]), stops)
        except _LostCount:
            # A page script swallowed Tab's keydown before the log saw it: walk again, one
            # press at a time, from the start.
            await run_script(page, "keyboard", {"do": "restart"})
            stops = self._one_by_one(page)
            findings = static_findings(prepared["findings"])
            findings += await self._walk(page, set(prepared["expected"]), stops)
        except NotImplementedError:
            log.info("the %s engine cannot press keys: tabbing skipped", type(page).__name__)
        finally:
            await run_script(page, "keyboard", {"do": "finish"})
        return findings

    @staticmethod
    async def _one_by_one(page: LoadedPage) -> AsyncIterator[dict[str, Any]]:
        """Press Tab, ask where focus went; at most ``MAX_STOPS`` times."""
        for _ in range(MAX_STOPS):
            await page.press("Tab")
            yield await run_script(page, "keyboard", {"do": "stop"})

    @staticmethod
    async def _bursts(page: LoadedPage, tabbables: int) -> AsyncIterator[dict[str, Any]]:
        """The same stops, from Tab presses sent in bursts and logged by the page itself:
        first enough presses to go round the page once, then more while the walk goes on.
        The presses never exceed ``MAX_STOPS``, so the walk sees what ``_one_by_one`` sees."""
        pressed = 0
        burst = tabbables + 3  # every stop, the document between the ends, the first again
        while pressed < MAX_STOPS:
            count = min(burst, MAX_STOPS - pressed)
            await page.press_many("Tab", count)
            pressed += count
            drained = await run_script(page, "keyboard", {"do": "drain"})
            stops = [*drained["log"], drained["now"]]
            if any(s["id"] == -1 for s in stops) or (len(stops) != count and not drained["frames"]):
                raise _LostCount
            for stop in stops:
                yield stop
            burst = BURST

    async def _walk(
        self,
        page: LoadedPage,
        expected: set[int],
        stops: AsyncIterator[dict[str, Any]],
    ) -> list[FindingData]:
        walk = _Walk()
        findings: list[FindingData] = []
        previous: dict[str, Any] | None = None
        async for stop in stops:
            if not stop["id"] or stop.get("frame"):
                continue  # the document itself, or a frame we do not enter
            if previous is not None and stop["id"] == previous["id"]:
                if await self._trapped(page, stop["id"]) and not stop["modal"]:
                    findings.append(
                        finding(
                            "keyboard-trap",
                            f"Keyboard focus is trapped on '{stop['name'] or stop['selector']}': "
                            "Tab and Shift+Tab do not move focus away from it",
                            stop["selector"],
                            stop["snippet"],
                        )
                    )
                break
            if stop["id"] in walk.seen:
                if previous is not None:  # the wrap back to the start can be a jump too
                    findings += self._order(stop, previous)
                first = walk.seen[stop["id"]]
                walk.wrapped = first == 0
                cycle = walk.stops[first:]
                # Back where it has been: the normal wrap if every control was reached on the
                # way, a trap (of any size, from the first stop too) if visible controls were
                # never reached and Shift+Tab cannot leave the loop either.
                unreached = expected - set(walk.seen)
                if (
                    unreached
                    and not any(s["modal"] for s in cycle)
                    and await self._cycles(page, {s["id"] for s in cycle})
                ):
                    findings.append(
                        finding(
                            "keyboard-trap",
                            f"Keyboard focus is trapped in a loop of {len(cycle)} elements from "
                            f"'{stop['name'] or stop['selector']}': Tab and Shift+Tab never "
                            f"reach the rest of the page ({len(unreached)} controls)",
                            stop["selector"],
                            stop["snippet"],
                        )
                    )
                break  # back at the start of the page, or round a loop
            walk.seen[stop["id"]] = len(walk.stops)
            walk.stops.append(stop)
            findings += self._judge_stop(stop, previous)
            previous = stop
        return findings

    async def _trapped(self, page: LoadedPage, element: int) -> bool:
        """Confirm a stuck focus: two more Tabs and a Shift+Tab all leave it where it is."""
        for key in ("Tab", "Tab", "Shift+Tab"):
            await page.press(key)
            again = await run_script(page, "keyboard", {"do": "stop"})
            if again["id"] != element:
                return False
        return True

    async def _cycles(self, page: LoadedPage, cycle: set[int]) -> bool:
        """Confirm a loop: going backwards with Shift+Tab stays inside it too."""
        for _ in range(len(cycle) + 1):
            await page.press("Shift+Tab")
            again = await run_script(page, "keyboard", {"do": "stop"})
            if again["id"] not in cycle:
                return False
        return True

    def _judge_stop(
        self, stop: dict[str, Any], previous: dict[str, Any] | None
    ) -> list[FindingData]:
        found = []
        label = stop["name"] or stop["selector"]
        if stop["known"] and not stop["visible"]:
            found.append(
                finding(
                    "focus-not-visible",
                    f"'{label}' shows no visible change when it has keyboard focus",
                    stop["selector"],
                    stop["snippet"],
                )
            )
        if stop["obscuredBy"]:
            found.append(
                finding(
                    "focus-obscured",
                    f"'{label}' is completely hidden under {stop['obscuredBy']} (fixed or "
                    "sticky content) when it has keyboard focus",
                    stop["selector"],
                    stop["snippet"],
                )
            )
        if previous is not None:
            found += self._order(stop, previous)
            found += self._visual_order(stop, previous)
        return found

    @staticmethod
    def _visual_order(stop: dict[str, Any], previous: dict[str, Any]) -> list[FindingData]:
        """2.4.3: focus goes back up the same column with no positive tabindex (CSS order,
        absolute positioning): a person judges whether the order still makes sense."""
        if stop["tabindex"] > 0 or previous["tabindex"] > 0 or stop["pinned"] or previous["pinned"]:
            return []
        same_column = (
            stop["left"] < previous["left"] + previous["width"]
            and previous["left"] < stop["left"] + stop["width"]
        )
        if not (same_column and stop["top"] + stop["height"] < previous["top"] - JUMP_BACK_PX):
            return []
        label = stop["name"] or stop["selector"]
        before = previous["name"] or previous["selector"]
        return [
            finding(
                "focus-order-visual",
                f"Focus moves from '{before}' back up the page to '{label}', above it in the "
                "same column. Does the focus order still follow the order residents read the "
                "page in?",
                stop["selector"],
                stop["snippet"],
            )
        ]

    @staticmethod
    def _order(stop: dict[str, Any], previous: dict[str, Any]) -> list[FindingData]:
        """2.4.3: a positive tabindex that sends focus back up the page."""
        label = stop["name"] or stop["selector"]
        before = previous["name"] or previous["selector"]
        if (
            (stop["tabindex"] > 0 or previous["tabindex"] > 0)
            and stop["domIndex"] < previous["domIndex"]
            and stop["top"] < previous["top"] - JUMP_BACK_PX
        ):
            return [
                finding(
                    "focus-order",
                    f"Focus jumps back up the page from '{before}'"
                    f" to '{label}' because of a positive tabindex, so the focus order does not"
                    " follow the reading order",
                    stop["selector"],
                    stop["snippet"],
                )
            ]
        return []


CHECK = KeyboardCheck()
