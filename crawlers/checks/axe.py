"""The axe-core accessibility check: WCAG 2.2 A and AA by default.

Violations and "needs review" results (axe's *incomplete*) are kept apart. WCAG success
criteria are read from axe's tags (``wcag143`` → ``1.4.3``).
"""

from __future__ import annotations

import re
from typing import Any

from crawlers.axe_source import axe_version
from crawlers.base import FindingData, LoadedPage
from crawlers.check import DocumentKind, PageCheck
from crawlers.context import PageContext
from crawlers.furniture import PAGE_LEVEL_RULES, FurniturePlan, locate, regions_of
from crawlers.snapshot import snapshot

SNIPPET_LIMIT = 300
_CRITERION = re.compile(r"^wcag(\d)(\d)(\d+)$")


def criteria_from_tags(tags: list[str]) -> tuple[str, ...]:
    """WCAG success criteria named by axe's tags: ``["wcag2aa", "wcag143"]`` → ``("1.4.3",)``."""
    found = []
    for tag in tags:
        match = _CRITERION.match(tag)
        if match:
            found.append(".".join(match.groups()))
    return tuple(sorted(set(found), key=lambda c: [int(x) for x in c.split(".")]))


def truncate(text: str, limit: int = SNIPPET_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def axe_options(tags: list[str], best_practice: bool) -> dict[str, Any]:
    values = [*tags, "best-practice"] if best_practice else list(tags)
    return {
        "runOnly": {"type": "tag", "values": values},
        "resultTypes": ["violations", "incomplete"],
    }


def findings_from_axe(results: dict[str, Any]) -> list[FindingData]:
    """One finding per element per rule, violations first."""
    findings: list[FindingData] = []
    for key, outcome in (("violations", "violation"), ("incomplete", "needs_review")):
        for rule in results.get(key, []):
            criteria = criteria_from_tags(rule.get("tags", []))
            for node in rule.get("nodes", []):
                target = node.get("target") or []
                selector = " >>> ".join(
                    t if isinstance(t, str) else " ".join(map(str, t)) for t in target
                )
                findings.append(
                    FindingData(
                        check="axe",
                        rule=rule["id"],
                        message=truncate(node.get("failureSummary") or rule.get("help", ""), 1000),
                        wcag=criteria,
                        impact=node.get("impact") or rule.get("impact"),
                        selector=selector,
                        snippet=truncate(node.get("html", "")),
                        help_url=rule.get("helpUrl"),
                        outcome=outcome,
                    )
                )
    return findings


class AxeCheck(PageCheck):
    """Runs the injected axe-core on the loaded page (an SVG image opened as a page too).

    When the run shares page furniture (``context.run.furniture``), regions already
    audited on another page are excluded and their findings reused; the rules that judge
    the whole page run on the full page in a second, cheap pass of the same call.
    """

    name = "axe"
    whole_page = False
    order = 10
    applies_to = frozenset({DocumentKind.html, DocumentKind.svg})

    def __init__(self) -> None:
        self.version = f"1/axe-{axe_version()}"

    async def run(self, page: LoadedPage, context: PageContext) -> list[FindingData]:
        settings = context.settings
        options = axe_options(settings.axe_tags, settings.axe_best_practice)
        registry = context.run.furniture
        if registry is None:
            scope = (
                {"exclude": [[s] for s in context.exclude_regions]}
                if context.exclude_regions
                else None
            )
            return findings_from_axe(await page.run_axe(options, scope))
        found = (await snapshot(page, furniture=True)).furniture or {}
        plan = await registry.plan(context.service_id, regions_of(found))
        try:
            findings = await self._run_with_plan(page, options, plan)
        except BaseException:
            await registry.release(context.service_id, plan)
            raise
        await locate(page, findings, plan.audit)
        by_region: dict[str, list[FindingData]] = {}
        for finding in findings:
            if finding.region:
                by_region.setdefault(finding.region, []).append(finding)
        await registry.finish(context.service_id, plan, by_region)
        for region in plan.reuse:
            findings += registry.findings(context.service_id, region)
        return findings

    @staticmethod
    async def _run_with_plan(
        page: LoadedPage, options: dict[str, Any], plan: FurniturePlan
    ) -> list[FindingData]:
        if not plan.reuse:
            return findings_from_axe(await page.run_axe(options, None))
        element_rules = {
            **options,
            "rules": {rule: {"enabled": False} for rule in sorted(PAGE_LEVEL_RULES)},
        }
        scope = {"include": [["html"]], "exclude": [[r.selector] for r in plan.reuse]}
        # The whole-page pass names rules directly: only those the tags ask for are run.
        page_rules = {
            "runOnly": {"type": "rule", "values": sorted(PAGE_LEVEL_RULES)},
            "onlyTagged": options["runOnly"]["values"],
            "resultTypes": options["resultTypes"],
        }
        rest, whole = await page.run_axe_passes([(scope, element_rules), (None, page_rules)])
        return findings_from_axe(rest) + findings_from_axe(whole)


CHECK = AxeCheck()
