"""``monitor brand check URL``: one page against the council's brand rules, as a table.

For the digital team and suppliers before a release: loads the page in the configured
browser engine, runs the branding check on it and prints each rule with pass/fail and
what was seen. Nothing is written to the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.table import Table

from crawlers.checks.branding import CHECK as BRANDING
from crawlers.context import RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import BrowserUnavailable, make_engine
from crawlers.pipeline import PageOutcome, audit_address
from monitor.cli.common import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    Unavailable,
    council_config,
    err,
    friendly_errors,
    out,
)
from monitor.cli.common import settings as current_settings
from monitor.config import CouncilConfig, ServiceConfig
from monitor.eventloop import run_to_end

app = typer.Typer(
    name="brand", help="The council's brand rules (brand.yaml) on live pages.", no_args_is_help=True
)


async def check_page(
    url: str,
    config: CouncilConfig,
    service: ServiceConfig | None,
    *,
    evidence_dir: Path | None = None,
) -> PageOutcome:
    """Load one page with the configured engine and run the branding check on it, through
    the page pipeline like every other audit of a page."""
    settings = current_settings()
    engine = make_engine(settings)
    try:
        await engine.start()
    except BrowserUnavailable:
        raise
    except RuntimeError as exc:
        raise BrowserUnavailable(str(exc)) from exc
    try:
        async with make_client(settings) as client:
            context = RunContext(
                settings=settings,
                http=HostPolicy(settings, client),
                brand=config.brand,
                config_dir=config.directory,
                evidence_dir=evidence_dir,
            )
            return await audit_address(
                engine,
                url,
                [BRANDING],
                context.for_page(service),
                wait_for_selector=service.wait_for_selector if service else None,
            )
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


@app.command("check")
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
        chosen = config.service_for_url(url)
    evidence_dir = current_settings().evidence_dir if evidence else None
    outcome = run_to_end(check_page(url, config, chosen, evidence_dir=evidence_dir))
    if outcome.error is not None:
        raise Unavailable(f"The page could not be loaded ({outcome.error_kind}): {outcome.error}")
    if outcome.brand is None:
        reason = outcome.skipped.get(BRANDING.name) or "; ".join(
            e.message for e in outcome.check_errors
        )
        raise Unavailable(f"The brand rules could not be judged on {url}: {reason}")
    result = outcome.brand.as_result()
    findings = outcome.findings
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
