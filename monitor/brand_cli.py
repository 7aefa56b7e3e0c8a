"""``monitor brand check URL``: one page against the council's brand rules, as a table.

For the digital team and suppliers before a release: loads the page in the configured
browser engine, runs the branding check on it and prints each rule with pass/fail and
what was seen. Nothing is written to the database.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.table import Table

from crawlers.base import FindingData, PageContext, PageError
from monitor.cli import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    Unavailable,
    app,
    council_config,
    err,
    friendly_errors,
    out,
)
from monitor.cli import settings as current_settings
from monitor.config import CouncilConfig, ServiceConfig

brand_app = typer.Typer(
    help="The council's brand rules (brand.yaml) on live pages.", no_args_is_help=True
)
app.add_typer(brand_app, name="brand")


def service_for_url(config: CouncilConfig, url: str) -> ServiceConfig | None:
    """The service whose start address is the longest prefix of ``url`` on the same host."""
    parts = urlsplit(url)
    best: tuple[int, ServiceConfig] | None = None
    for service in config.services:
        for start in service.start_urls:
            start_parts = urlsplit(start)
            if start_parts.netloc.lower() != parts.netloc.lower():
                continue
            prefix = start_parts.path.rstrip("/")
            inside = not prefix or parts.path == prefix or parts.path.startswith(prefix + "/")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), service)
    return best[1] if best else None


async def check_page(
    url: str,
    config: CouncilConfig,
    service: ServiceConfig | None,
    *,
    evidence_dir: Path | None = None,
) -> tuple[dict[str, Any], list[FindingData]]:
    """Load one page with the configured engine and run the branding check on it."""
    from crawlers.checks.branding import CHECK
    from crawlers.engines import make_engine

    settings = current_settings()
    engine = make_engine(settings)
    try:
        await engine.start()
    except RuntimeError as exc:
        raise Unavailable(f"The browser could not be started: {exc}") from None
    try:
        async with engine.open(
            url, wait_for_selector=service.wait_for_selector if service else None
        ) as page:
            context = PageContext(
                service_id=service.id if service else "",
                run_id=None,
                settings=settings,
                service=service,
                brand=config.brand,
                config_dir=config.directory,
                evidence_dir=evidence_dir,
            )
            findings = await CHECK.run(page, context)
            return context.extras["brand_result"], findings
    finally:
        await engine.close()


def _table(url: str, result: dict[str, Any]) -> Table:
    verdict = "[green]passes[/green]" if result["passed"] else "[red]fails[/red]"
    table = Table(title=f"Brand check of {url}: score {result['score']:g}/100, {verdict}")
    table.add_column("Rule", style="bold")
    table.add_column("Result")
    table.add_column("Detail", overflow="fold")
    details = result["details"]["rules"]
    for rule, passed in result["rules"].items():
        mark = "[green]pass[/green]" if passed else "[red]FAIL[/red]"
        table.add_row(rule, mark, str(details.get(rule, {}).get("detail", "")))
    for rule in result["details"].get("exempt", []):
        table.add_row(rule, "[dim]exempt[/dim]", "exempted for this service in services.yaml")
    return table


@brand_app.command("check")
@friendly_errors
def brand_check(
    url: Annotated[str, typer.Argument(help="Address of the page to check")],
    service: Annotated[
        str | None,
        typer.Option("--service", help="Service id (for its exemptions); guessed from the URL"),
    ] = None,
    evidence: Annotated[
        bool, typer.Option(help="Keep a screenshot of the header if the page fails")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    strict: Annotated[bool, typer.Option(help="Exit with code 1 if any brand rule fails")] = False,
) -> None:
    """Check one page against brand.yaml and show each rule: pass/fail and detail."""
    if urlsplit(url).scheme not in ("http", "https"):
        err.print(f"[red]Expected an http:// or https:// address, got {url!r}[/red]")
        raise typer.Exit(EXIT_USAGE)
    config = council_config()
    chosen: ServiceConfig | None
    if service:
        try:
            chosen = config.service(service)
        except KeyError as exc:
            err.print(f"[red]{exc.args[0]}[/red]", highlight=False)
            raise typer.Exit(EXIT_USAGE) from None
    else:
        chosen = service_for_url(config, url)
    evidence_dir = current_settings().evidence_dir if evidence else None
    try:
        result, findings = asyncio.run(check_page(url, config, chosen, evidence_dir=evidence_dir))
    except PageError as exc:
        raise Unavailable(f"The page could not be loaded ({exc.kind}): {exc.message}") from None
    if as_json:
        payload = {**result, "service": chosen.id if chosen else None}
        payload["findings"] = [
            {
                "rule": f.rule,
                "key": f.key,
                "impact": f.impact,
                "message": f.message,
                "selector": f.selector,
            }
            for f in findings
        ]
        out.print_json(json.dumps(payload))
    else:
        out.print(_table(url, result))
        out.print(f"Service: {chosen.id if chosen else 'none (no exemptions applied)'}")
        if result.get("header_screenshot"):
            out.print(f"Header screenshot: {result['header_screenshot']}")
        for finding in findings:
            out.print(f"  [yellow]{finding.rule}[/yellow] {finding.message}", highlight=False)
    if strict and not result["passed"]:
        raise typer.Exit(EXIT_FINDINGS)
