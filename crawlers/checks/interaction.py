"""The interaction check: does the page change context when a resident changes a field, and
does it show links to the mouse only?

- 3.2.2 On input: each select (and each field with an inline change handler) is given
  another value as a resident would choose it, with the events a real choice fires. If the
  page then navigates, submits its form or opens a window, that is a change of context
  nobody asked for. The attempt is recorded and cancelled in the page (the Navigation API),
  so the audit never leaves the page; values are put back afterwards.
- 2.1.1 Keyboard: elements with inline mouse-over handlers are given a mouse-over; links or
  buttons that appear and that keyboard focus on the same element does not show (and that
  are not linked elsewhere on the page) are out of a keyboard user's reach. Hover menus made
  with CSS alone are the ``widgets`` check's (``hover-only-content``), read from the styles.

Both are observed, not guessed, so they are violations. The check runs last: it acts on
the page, and its page scripts may change it.
"""

from __future__ import annotations

from typing import Any

from crawlers.base import FindingData, LoadedPage
from crawlers.check import PageCheck
from crawlers.checks._inpage import run_script
from crawlers.context import PageContext

HELP = "https://www.w3.org/WAI/WCAG22/Understanding/"
#: Fields changed and elements hovered at most per page: a bound on the time it takes.
LIMIT = 12

_HOW = {
    "navigate": "goes to another page",
    "submit": "submits the form",
    "window": "opens a new window",
}


def _finding(item: dict[str, Any]) -> FindingData:
    detail = item.get("detail") or {}
    if item["rule"] == "change-of-context":
        how = _HOW.get(str(detail.get("how")), "changes the page")
        message = (
            f"Choosing a value in '{detail.get('name', '')}' {how}"
            " straight away, before the resident asks for it with a button: an unexpected "
            "change of context"
        )
        wcag, impact, page = ("3.2.2",), "serious", "on-input"
    else:
        message = (
            f"{detail.get('links', 0)} links or buttons appear when the mouse is over "
            f"'{detail.get('name', '')}', and keyboard focus does not show them"
        )
        wcag, impact, page = ("2.1.1",), "serious", "keyboard"
    return FindingData(
        check="interaction",
        rule=item["rule"],
        message=message,
        wcag=wcag,
        impact=impact,
        selector=item.get("selector", ""),
        snippet=item.get("snippet", ""),
        help_url=HELP + page,
    )


class InteractionCheck(PageCheck):
    """Changes fields and hovers elements as a resident would, and watches what happens."""

    name = "interaction"
    version = "1"
    criteria = ("2.1.1", "3.2.2")
    order = 80  # acts on the page: after every other check

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        findings: list[FindingData] = []
        for action in ("change", "hover"):
            result = await run_script(page, "interaction", {"do": action, "limit": LIMIT})
            findings += [_finding(item) for item in (result or {}).get("found", [])]
        return findings


CHECK = InteractionCheck()
