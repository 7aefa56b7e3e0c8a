"""``monitor audit`` (crawl and audit services, stored as a run) and ``monitor audit-urls``
(exactly these addresses, through the same page pipeline, no database: for CI)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from crawlers.check import PageCheck
from crawlers.checks import page_checks
from crawlers.context import RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import BrowserUnavailable, make_engine
from crawlers.pipeline import PageOutcome, audit_address
from monitor.alerts import send_alerts
from monitor.audit import AuditProgress, AuditRefused, AuditRequest, start_audit
from monitor.audit.page import service_page_checks
from monitor.cli.common import (
    EXIT_FINDINGS,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    EngineName,
    FullAudit,
    MaxPages,
    ServiceIds,
    council_config,
    err,
    friendly_errors,
    open_repository,
    out,
    settings,
)
from monitor.config import CouncilConfig
from monitor.eventloop import run_to_end
from monitor.models import IssueStatus, PageResult, PageStatus, Run
from monitor.repository import Repository
from monitor.vocabulary import Impact, is_serious_or_more

IMPACT_ORDER = [level.value for level in Impact]
app = typer.Typer()


def _at_or_over(impact: str | None, level: str | None) -> bool:
    found, bar = Impact.of(impact), Impact.of(level)
    return found is not None and bar is not None and found.rank >= bar.rank


def _check_level(level: str | None) -> None:
    if level is not None and level not in IMPACT_ORDER:
        err.print(f"--fail-on must be one of {', '.join(IMPACT_ORDER)}, not {level!r}")
        raise typer.Exit(EXIT_USAGE)


@app.command()
@friendly_errors
def audit(
    service: ServiceIds = None,
    engine: EngineName = None,
    max_pages: MaxPages = None,
    resume: Annotated[bool, typer.Option(help="Finish the last interrupted audit")] = False,
    full: FullAudit = False,
    fail_on: Annotated[
        str | None, typer.Option(help="Exit 1 if a violation at or over this impact was found")
    ] = None,
    alert: Annotated[
        bool, typer.Option(help="Tell owners about what regressed (channels in services.yaml)")
    ] = True,
) -> None:
    """Crawl and audit the council's services; stores a run."""
    _check_level(fail_on)
    config = council_config()
    repository = open_repository(config)
    request = AuditRequest(
        service_ids=service or None, engine=engine, max_pages=max_pages, resume=resume, full=full
    )
    with Progress(
        TextColumn("[bold]Run {task.fields[run]}"),
        BarColumn(),
        TextColumn(
            "found {task.fields[found]} · audited {task.fields[audited]} · "
            "unchanged {task.fields[carried]} · failed {task.fields[failed]} · "
            "not reached {task.fields[skipped]}"
        ),
        TimeRemainingColumn(),
        console=out,
        transient=False,
    ) as bar:
        task = bar.add_task(
            "audit", total=None, run="…", found=0, audited=0, carried=0, failed=0, skipped=0
        )

        def show(progress: AuditProgress) -> None:
            bar.update(
                task,
                total=max(progress.found, 1),
                completed=progress.done,
                run=progress.run_id,
                found=progress.found,
                audited=progress.audited,
                carried=progress.carried,
                failed=progress.failed,
                skipped=progress.skipped,
            )

        try:
            run = start_audit(settings(), config, repository, request, on_progress=show)
        except AuditRefused as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(EXIT_USAGE) from None
        except KeyError as exc:
            err.print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(EXIT_USAGE) from None
    assert run.id is not None
    table = Table(title=f"Run {run.id}: {run.status}")
    for column in (
        "Service",
        "Pages",
        "Audited",
        "Unchanged",
        "Failed",
        "Violations",
        "Serious+",
        "Open issues",
    ):
        table.add_column(
            column, justify="right" if column != "Service" else "left", overflow="fold"
        )
    results = repository.page_results(run.id)
    findings = repository.findings(run.id)
    worst = False
    for service_id in run.service_ids:
        mine = [r for r in results if r.service_id == service_id]
        violations = [
            f for f in findings if f.service_id == service_id and f.outcome == "violation"
        ]
        serious = [f for f in violations if is_serious_or_more(f.impact)]
        worst = worst or any(_at_or_over(f.impact, fail_on) for f in violations)
        open_issues = repository.issues(
            service_id=service_id,
            statuses=[IssueStatus.new, IssueStatus.open, IssueStatus.reopened],
        )
        table.add_row(
            service_id,
            str(len(mine)),
            str(sum(r.status == "audited" for r in mine)),
            str(sum(r.status == "carried" for r in mine)),
            str(sum(r.status == "failed" for r in mine)),
            str(len(violations)),
            str(len(serious)),
            str(len(open_issues)),
        )
    out.print(table)
    # Signed in, or not reached behind a sign-in: said per service, in words.
    for note in repository.access_notes(run.id).values():
        for line in note.lines():
            style = "red" if note.sign_in_failed or note.needs_sign_in else "green"
            out.print(f"[{style}]{escape(line)}[/{style}]")
    out.print(
        f"axe-core {run.axe_version}; {run.pages_failed} page(s) failed; engine {run.engine}; "
        f"{run.pages_revalidated} unchanged page(s) checked over HTTP without a browser"
    )
    _print_problems(run, repository, results)
    if alert and config.alerts.channels:
        report = send_alerts(config, repository)
        out.print(f"Alerts: {report.sent} sent, {report.failed} failed to send")
    if run.unreachable:
        raise typer.Exit(EXIT_UNAVAILABLE)  # the night says nothing about those services
    if worst:
        raise typer.Exit(EXIT_FINDINGS)


def _print_problems(run: Run, repository: Repository, results: list[PageResult]) -> None:
    """Every service not reached, page that failed and check that could not judge a page,
    each with its reason: a council officer must not have to open the database."""
    for service_id, reason in sorted((run.unreachable or {}).items()):
        err.print(
            f"[red]Unreachable:[/red] {service_id}: {escape(reason)} (nothing concluded about "
            "it tonight: no issue opened or closed, its measures keep their last values)",
            highlight=False,
        )
    urls = {p.id: p.url for s in run.service_ids for p in repository.pages(s)}
    unreached = set(run.unreachable or {})
    for result in results:
        url = urls.get(result.page_id, f"page {result.page_id}")
        if result.status == PageStatus.failed and result.service_id not in unreached:
            err.print(
                f"Failed: {url}: {result.error_kind}: {escape(result.error or '')}",
                highlight=False,
                soft_wrap=True,
            )
        for error in result.check_errors or ():
            err.print(
                f"Check error: {url}: {error.get('check')} could not judge the page "
                f"({error.get('kind')}): {escape(str(error.get('message', '')))}",
                highlight=False,
                soft_wrap=True,
            )


def _read_urls(urls: list[str]) -> list[str]:
    found: list[str] = []
    for item in urls:
        if item.startswith("@"):
            path = Path(item[1:])
            if not path.is_file():
                err.print(f"URL file not found: {path}")
                raise typer.Exit(EXIT_USAGE)
            found += [
                line.strip()
                for line in path.read_text().splitlines()
                if line.strip() and not line.startswith("#")
            ]
        else:
            found.append(item)
    return found


def _config_if_any() -> CouncilConfig | None:
    """The council's config when its folder has one (brand rules, service exemptions);
    a broken one is reported (exit 2) rather than silently ignored."""
    folder = settings().config_dir
    if not (folder / "services.yaml").is_file():
        return None
    return council_config()


def choose_checks(names: str | None) -> list[PageCheck] | None:
    """The page checks named by ``--checks`` (None: every default check)."""
    if names is None:
        return None
    known = {c.name: c for c in page_checks()}
    asked = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in asked if n not in known]
    if unknown or not asked:
        err.print(
            f"--checks must name page checks among {', '.join(sorted(known))}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
        raise typer.Exit(EXIT_USAGE)
    return [known[n] for n in asked]


def page_entry(outcome: PageOutcome) -> dict[str, Any]:
    """One page of ``audit-urls --format json`` (schema: tests/crawlers/audit_urls.schema.json)."""
    return {
        "url": outcome.url,
        "status": outcome.http_status,
        "error": outcome.error,
        "error_kind": outcome.error_kind,
        "final_url": outcome.final_url,
        "title": outcome.title,
        "kind": outcome.kind.value,
        "findings": [
            {
                "check": f.check,
                "rule": f.rule,
                "wcag": list(f.wcag),
                "impact": f.impact,
                "selector": f.selector,
                "message": f.message,
                "outcome": f.outcome,
                "snippet": f.snippet,
                "help_url": f.help_url,
            }
            for f in outcome.findings
        ],
        "check_errors": [e.as_dict() for e in outcome.check_errors],
        "skipped_checks": dict(outcome.skipped),
    }


async def audit_urls_async(
    urls: list[str],
    engine_name: str | None,
    checks: list[PageCheck] | None = None,
    config: CouncilConfig | None = None,
) -> list[PageOutcome]:
    """Audit exactly these URLs through the page pipeline, with no database: every default
    page check (what ``monitor audit`` runs on a page), or ``checks``."""
    s = settings()
    async with make_client(s) as client:
        context = RunContext(
            settings=s,
            http=HostPolicy(s, client),
            brand=config.brand if config is not None else None,
            config_dir=config.directory if config is not None else None,
        )
        engine = make_engine(s, engine_name)
        try:
            await engine.start()
        except BrowserUnavailable:
            raise
        except Exception as exc:
            raise BrowserUnavailable(str(exc)) from exc
        try:
            semaphore = asyncio.Semaphore(s.concurrency)

            async def one(url: str) -> PageOutcome:
                service = config.service_for_url(url) if config is not None else None
                chosen = checks
                if chosen is None:
                    chosen = service_page_checks(config, service) if config else page_checks()
                async with semaphore:
                    return await audit_address(
                        engine,
                        url,
                        chosen,
                        context.for_page(service),
                        wait_for_selector=service.wait_for_selector if service else None,
                    )

            return list(await asyncio.gather(*(one(u) for u in urls)))
        finally:
            await engine.close()


@app.command("audit-urls")
@friendly_errors
def audit_urls(
    urls: Annotated[
        list[str], typer.Argument(help="Addresses to audit, or @FILE with one per line")
    ],
    engine: EngineName = None,
    format: Annotated[str, typer.Option("--format", help="json or table")] = "table",
    fail_on: Annotated[
        str | None, typer.Option(help="Exit 1 if a violation at or over this impact was found")
    ] = None,
    checks: Annotated[
        str | None,
        typer.Option(help="Page checks to run, comma-separated (default: every default check)"),
    ] = None,
) -> None:
    """Audit exactly the given URLs with every default page check, and no database."""
    _check_level(fail_on)
    if format not in ("json", "table"):
        err.print(f"--format must be json or table, not {format!r}")
        raise typer.Exit(EXIT_USAGE)
    if engine not in (None, "playwright", "selenium"):
        err.print(f"--engine must be playwright or selenium, not {engine!r}")
        raise typer.Exit(EXIT_USAGE)
    chosen = choose_checks(checks)
    targets = _read_urls(urls)
    if not targets:
        err.print("no URLs given")
        raise typer.Exit(EXIT_USAGE)
    bad = [u for u in targets if not _is_web_address(u)]
    if bad:
        err.print(
            "expected http:// or https:// addresses, not: " + ", ".join(repr(u) for u in bad),
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    outcomes = run_to_end(audit_urls_async(targets, engine, chosen, _config_if_any()))
    pages = [page_entry(o) for o in outcomes]
    if format == "json":
        sys.stdout.write(json.dumps({"pages": pages}, indent=2) + "\n")
    else:
        table = Table(title="Audit")
        for column in ("URL", "Status", "Check", "Rule", "WCAG", "Impact", "Element"):
            table.add_column(column, overflow="fold")
        for page in pages:
            if page["error"]:
                table.add_row(
                    page["url"],
                    str(page["status"] or "—"),
                    "—",
                    page.get("error_kind") or "error",
                    "",
                    "",
                    page["error"],
                )
            for f in page["findings"]:
                if f["outcome"] == "violation":
                    table.add_row(
                        page["url"],
                        str(page["status"]),
                        f["check"],
                        f["rule"],
                        ", ".join(f["wcag"]),
                        f["impact"] or "",
                        f["selector"],
                    )
            for e in page["check_errors"]:
                table.add_row(
                    page["url"],
                    str(page["status"]),
                    e["check"],
                    "check-error",
                    "",
                    "",
                    e["message"],
                )
        out.print(table)
        errors = sum(len(p["check_errors"]) for p in pages)
        if errors:
            err.print(
                f"{errors} check error(s): the monitor could not run those checks on those pages "
                "(not barriers of the page)"
            )
    violations = [f for p in pages for f in p["findings"] if f["outcome"] == "violation"]
    if any(_at_or_over(f["impact"], fail_on) for f in violations):
        raise typer.Exit(EXIT_FINDINGS)


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
