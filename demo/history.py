"""``monitor demo seed-history``: a year of believable history, so the dashboard has a past.

It writes what a year of nightly runs would have left behind for each service, stored as
the monitor stores it (``monitor.models``): pages, a result per page per run (a page
carried forward unchanged stored compactly, pointing at its last audited visit), findings
grouped into issues that appear, get fixed and sometimes come back (one row per stretch of
visits that saw a finding, not one per run), brand results, each run's totals per
service, journey replays (some failing, some flaky) and resident feedback with ratings
and (already redacted) comments. Rows go in through the repository's bulk-insert methods
in large batches. ``pages`` sets the size of the estate: by default each service has 8
to 16 pages; ``pages=10_000`` spreads ten thousand pages over the services, some much
larger than others, as a county council's are.

Everything is drawn from one seeded random generator, so the same arguments give the same
history.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from monitor.config import CouncilConfig
from monitor.models import (
    BrandResult,
    Feedback,
    Finding,
    Issue,
    IssuePage,
    JourneyRun,
    JourneyStepResult,
    Page,
    PageResult,
    Run,
    RunSummary,
    Service,
    utcnow,
)
from monitor.repository import Repository

FLUSH_ROWS = 50_000

# axe rules residents' pages commonly fail: (rule, WCAG criteria, impact, what it means).
AXE_RULES: list[tuple[str, str, str, str]] = [
    ("color-contrast", "1.4.3", "serious", "Text does not have enough contrast"),
    ("image-alt", "1.1.1", "critical", "Image has no text alternative"),
    ("label", "1.3.1,4.1.2", "critical", "Form field has no label"),
    ("link-name", "2.4.4,4.1.2", "serious", "Link has no discernible text"),
    ("button-name", "4.1.2", "critical", "Button has no discernible text"),
    ("html-has-lang", "3.1.1", "serious", "Page has no lang attribute"),
    ("document-title", "2.4.2", "serious", "Page has no title"),
    ("duplicate-id-aria", "4.1.2", "critical", "ARIA ids are not unique"),
    ("aria-allowed-attr", "4.1.2", "critical", "ARIA attribute not allowed on this role"),
    ("list", "1.3.1", "serious", "List is not structured correctly"),
    ("target-size", "2.5.8", "serious", "Touch target is too small"),
    ("autocomplete-valid", "1.3.5", "serious", "Autocomplete value is not valid"),
    ("frame-title", "4.1.2", "serious", "Frame has no title"),
    ("meta-viewport", "1.4.4", "moderate", "Zooming is disabled"),
    ("heading-order", "1.3.1", "moderate", "Heading levels skip"),
    ("landmark-one-main", "1.3.1", "moderate", "Page has no main landmark"),
    ("region", "1.3.1", "moderate", "Content is not inside a landmark"),
    ("link-in-text-block", "1.4.1", "serious", "Link is told apart by colour only"),
    ("empty-heading", "1.3.1", "minor", "Heading is empty"),
    ("landmark-unique", "1.3.1", "moderate", "Landmarks are not unique"),
    ("page-has-heading-one", "1.3.1", "moderate", "Page has no level-one heading"),
    ("image-redundant-alt", "1.1.1", "minor", "Alt text repeats nearby text"),
    ("tabindex", "2.4.3", "serious", "Element has a positive tabindex"),
]

SERIOUS_RULES = [r for r in AXE_RULES if r[2] in ("serious", "critical")]
OTHER_RULES = [r for r in AXE_RULES if r[2] not in ("serious", "critical")]

SERVICE_NAMES = [
    "Pay council tax",
    "Apply for a bus pass",
    "Register a birth",
    "Book a tip visit",
    "Report a missed bin",
    "Apply for a parking permit",
    "Find a school term date",
    "Request a dropped kerb",
    "Report fly-tipping",
    "Apply for a disabled person's bus pass",
    "Book a ceremony",
    "Find a care home",
    "Apply for free school meals",
    "Report a faulty streetlight",
    "Renew a library book",
    "Apply for a concessionary travel pass",
    "Register to vote",
    "Apply for a school transport pass",
    "Find adult education courses",
    "Get a copy of a certificate",
    "Apply for a street party",
    "Request a care needs assessment",
    "Report a public right of way problem",
    "Apply for a licence",
    "Search planning applications",
    "Comment on a consultation",
    "Apply for a grant",
    "Find a children's centre",
    "Book a household waste permit",
    "Report an abandoned vehicle",
]

COMMENTS_GOOD = [
    "Quick and easy, thank you.",
    "Found what I needed straight away.",
    "Much better than phoning.",
    "Clear instructions, done in five minutes.",
    "Easy to use on my phone.",
]
COMMENTS_MIXED = [
    "It worked but took longer than expected.",
    "The form asked for the same thing twice.",
    "Not sure if my request went through.",
    "OK, but the map was hard to use.",
]
COMMENTS_BAD = [
    "The page kept timing out.",
    "I could not find where to upload the document.",
    "Error message did not say what was wrong.",
    "Screen reader skipped the submit button.",
    "Please contact me at [email] about this.",
    "The payment page looked different and I thought it was a scam.",
    "Text too small and grey, hard to read.",
]
PROBLEMS = [
    ("Trying to pay", "The button did nothing."),
    ("Looking for opening times", "The times were out of date."),
    ("Filling in the form", "It lost everything I typed when I went back."),
    ("Uploading a photo", "It said the file was too big but it was tiny."),
]
BRAND_RULES = ("logo", "palette", "typeface", "footer_links", "title")
STEPS = [
    ("Open the start page", "goto"),
    ("Start now", "click"),
    ("Enter the details", "fill"),
    ("Choose an option", "select"),
    ("Continue", "click"),
    ("Check your answers", "expect"),
]


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


@dataclass
class _Issue:
    id: int
    rule: tuple[str, str, str, str]
    pages: list[int]
    intervals: list[list[int]]  # [start_day, end_day or -1 while still active]
    on_journey: bool
    fingerprint: str


@dataclass
class _Service:
    id: str
    name: str
    quality: float  # 0 (poor) … 1 (excellent): drives defects, ratings, brand and journeys
    volume: float  # how much feedback residents leave
    pages: list[int] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    journeys: list[str] = field(default_factory=list)
    issues: list[_Issue] = field(default_factory=list)
    brand_ok: dict[int, bool] = field(default_factory=dict)
    audited_in: dict[int, int] = field(default_factory=dict)  # page -> its last audited run


@dataclass
class SeedReport:
    services: int = 0
    runs: int = 0
    pages: int = 0
    page_results: int = 0
    findings: int = 0  # findings the runs hold, each run counted (what the old store wrote)
    finding_rows: int = 0  # rows stored: one per stretch of unchanged visits
    issues: int = 0
    brand_results: int = 0
    journey_runs: int = 0
    feedback: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Writer:
    """Collects rows per table and writes them in large batches, parents first."""

    ORDER = (
        Run,
        Page,
        Issue,
        IssuePage,
        PageResult,
        Finding,
        BrandResult,
        RunSummary,
        JourneyRun,
        JourneyStepResult,
        Feedback,
    )

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        self.rows: dict[type, list[dict[str, Any]]] = {m: [] for m in self.ORDER}
        self.written: dict[type, int] = {m: 0 for m in self.ORDER}

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.rows[model].append(row)
        if len(self.rows[model]) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for model in self.ORDER:
            if self.rows[model]:
                self.written[model] += self.repository.bulk_insert(model, self.rows[model])
                self.rows[model] = []


def seed_history(
    repository: Repository,
    *,
    days: int = 365,
    services: int = 50,
    pages: int | None = None,
    config: CouncilConfig | None = None,
    seed: int = 2024,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Write ``days`` nights of history for ``services`` services (``pages`` pages in all,
    or 8 to 16 each); return what was written."""
    if days < 1 or services < 1:
        raise ValueError("days and services must be at least 1")
    if pages is not None and pages < services:
        raise ValueError("at least one page per service")
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or utcnow()
    say = progress or (lambda _message: None)
    report = SeedReport()
    writer = _Writer(repository)

    plan = _plan_services(rng, services, config)
    repository.upsert_services(
        Service(
            id=s.id,
            name=s.name,
            owner_name=f"{s.name} team",
            owner_email=f"{s.id}@example.gov.uk",
            tags={"seeded": "yes"},
        )
        for s in plan
    )
    report.services = len(plan)

    # Ids are assigned here so that children can point at parents within one batch.
    next_run = repository.next_id(Run)
    next_page = repository.next_id(Page)
    next_issue = repository.next_id(Issue)
    next_journey = repository.next_id(JourneyRun)
    first_day = now - timedelta(days=days)

    def run_start(day: int) -> datetime:
        # Nightly at 02:00 UTC, the last one no later than an hour ago.
        base = (first_day + timedelta(days=day + 1)).replace(hour=2, minute=0, second=0)
        return min(base, now - timedelta(hours=1) - timedelta(days=days - 1 - day))

    audit_runs = [next_run + 2 * d for d in range(days)]
    journey_runs = [next_run + 2 * d + 1 for d in range(days)]

    say(f"Planning {len(plan)} services over {days} days")
    sizes = _service_sizes(rng, len(plan), pages)
    for service, count in zip(plan, sizes, strict=True):
        for index in range(count):
            service.pages.append(next_page)
            kind = rng.choice(["step", "guide", "form", "help", "contact", "eligibility"])
            path = "" if index == 0 else f"/{kind}-{index}"
            url = f"https://services.example.gov.uk/{service.id}{path}"
            service.urls.append(url)
            service.brand_ok[next_page] = rng.random() < 0.55 + 0.45 * service.quality
            writer.add(
                Page,
                {
                    "id": next_page,
                    "service_id": service.id,
                    "url": url,
                    "kind": "html",
                    "depth": 0 if index == 0 else 1,
                    "first_seen_at": run_start(0),
                    "last_seen_at": run_start(days - 1),
                },
            )
            next_page += 1
        next_issue = _plan_issues(rng, service, days, next_issue)
        report.pages += count

    # Runs: one audit and one journey replay each night, for every service.
    service_ids = [s.id for s in plan]
    for day in range(days):
        start = run_start(day)
        for run_id, kind in ((audit_runs[day], "audit"), (journey_runs[day], "journeys")):
            minutes = rng.randint(20, 70) if kind == "audit" else rng.randint(5, 20)
            writer.add(
                Run,
                {
                    "id": run_id,
                    "kind": kind,
                    "trigger": "schedule",
                    "status": "completed",
                    "service_ids": service_ids,
                    "engine": "playwright",
                    "options": {},
                    "axe_version": "4.12.0",
                    "check_versions": {},
                    "full_audit": day % 7 == 0,
                    "created_at": start,
                    "started_at": start,
                    "finished_at": start + timedelta(minutes=minutes),
                    "heartbeat_at": start + timedelta(minutes=minutes),
                    "holder": "seed-history",
                    "pages_found": report.pages if kind == "audit" else 0,
                    "pages_audited": 0,
                    "pages_carried": 0,
                    "pages_failed": 0,
                    "findings_count": 0,
                },
            )
    report.runs = 2 * days

    # Issues with their final lifecycle state, and the pages each affects.
    ack_until_future = now + timedelta(days=60)
    for service in plan:
        for issue in service.issues:
            rule, wcag, impact, message = issue.rule
            first, last_interval = issue.intervals[0], issue.intervals[-1]
            active = last_interval[1] == -1
            last_seen_day = days - 1 if active else last_interval[1] - 1
            reopened = len(issue.intervals) - 1
            if active:
                status = "reopened" if reopened else ("new" if first[0] == days - 1 else "open")
            else:
                status = "fixed"
            acknowledged = active and rng.random() < 0.04
            writer.add(
                Issue,
                {
                    "id": issue.id,
                    "service_id": service.id,
                    "fingerprint": issue.fingerprint,
                    "check": "axe",
                    "rule": rule,
                    "outcome": "violation",
                    "wcag": wcag,
                    "impact": impact,
                    "message": message,
                    "help_url": f"https://dequeuniversity.com/rules/axe/4.12/{rule}",
                    "selector": f"#{rule}-{issue.id % 97}",
                    "snippet": f'<div class="{rule}">…</div>',
                    "status": status,
                    "pages_affected": len(issue.pages),
                    "on_journey": issue.on_journey,
                    "first_seen_at": run_start(first[0]),
                    "first_seen_run_id": audit_runs[first[0]],
                    "last_seen_at": run_start(last_seen_day),
                    "last_seen_run_id": audit_runs[last_seen_day],
                    "fixed_at": None if active else run_start(last_interval[1]),
                    "fixed_run_id": None if active else audit_runs[last_interval[1]],
                    "reopened_count": reopened,
                    "ack_by": "digital.team@example.gov.uk" if acknowledged else None,
                    "ack_reason": "Supplier fix booked for the next release"
                    if acknowledged
                    else None,
                    "ack_at": run_start(days - 1) if acknowledged else None,
                    "ack_until": ack_until_future if acknowledged else None,
                },
            )
            for page_id in issue.pages:
                writer.add(
                    IssuePage,
                    {
                        "issue_id": issue.id,
                        "page_id": page_id,
                        "first_seen_at": run_start(first[0]),
                        "last_seen_run_id": audit_runs[last_seen_day],
                    },
                )
            report.issues += 1
    writer.flush()

    next_result = repository.next_id(PageResult)
    next_brand = repository.next_id(BrandResult)
    next_step = repository.next_id(JourneyStepResult)
    next_feedback = repository.next_id(Feedback)
    failed_days: dict[int, set[int]] = {}  # page -> nights its audit failed
    run_totals: dict[int, dict[str, int]] = {
        run_id: dict.fromkeys(
            ("pages_found", "pages_audited", "pages_carried", "pages_failed", "findings_count"), 0
        )
        for run_id in audit_runs
    }

    for day in range(days):
        if day % 30 == 0:
            say(f"Day {day + 1} of {days}")
        start = run_start(day)
        audit_run = audit_runs[day]
        full = day % 7 == 0
        for service in plan:
            present = [
                i
                for i in service.issues
                if any(a <= day and (b == -1 or day < b) for a, b in i.intervals)
            ]
            serious_on: dict[int, int] = {}
            for issue in present:
                if issue.rule[2] in ("serious", "critical"):
                    for page_id in issue.pages:
                        serious_on[page_id] = serious_on.get(page_id, 0) + 1
            summary = dict.fromkeys(
                ("pages_found", "pages_judged", "pages_clean", "pages_audited", "pages_carried",
                 "pages_revalidated", "pages_failed", "brand_checked", "brand_passed", "findings"),
                0,
            )  # fmt: skip
            failed_today: set[int] = set()
            for page_id in service.pages:
                carried = not full and rng.random() < 0.6
                failed = rng.random() < 0.005
                status = "failed" if failed else ("carried" if carried else "audited")
                summary["pages_found"] += 1
                summary[f"pages_{status}"] += 1
                if failed:
                    failed_today.add(page_id)
                    failed_days.setdefault(page_id, set()).add(day)
                else:
                    summary["pages_judged"] += 1
                    summary["pages_clean"] += serious_on.get(page_id, 0) == 0
                # A carried page is stored compactly, pointing at its last audited visit.
                judged_in = service.audited_in.get(page_id) if carried and not failed else None
                writer.add(
                    PageResult,
                    {
                        "id": next_result,
                        "run_id": audit_run,
                        "page_id": page_id,
                        "service_id": service.id,
                        "status": status,
                        "http_status": None if failed else 200,
                        "load_ms": rng.randint(300, 4000),
                        "serious_count": 0 if failed else serious_on.get(page_id, 0),
                        "error": "Timed out after 30 s" if failed else None,
                        "error_kind": "timeout" if failed else None,
                        "carried_from_run_id": judged_in,
                        "started_at": start,
                        "finished_at": start,
                    },
                )
                next_result += 1
                if rng.random() < 0.01:  # a page's brand state changes now and then
                    service.brand_ok[page_id] = not service.brand_ok[page_id]
                if failed:
                    continue
                if status == "audited":
                    service.audited_in[page_id] = audit_run
                ok = service.brand_ok[page_id]
                failing = set() if ok else {rng.choice(BRAND_RULES)}
                writer.add(
                    BrandResult,
                    {
                        "id": next_brand,
                        "run_id": audit_run,
                        "page_id": page_id,
                        "service_id": service.id,
                        "score": 100.0 if ok else round(100 - 20 * len(failing), 1),
                        "passed": ok,
                        "rules": {r: r not in failing for r in BRAND_RULES},
                        # A carried result leaves its details to the run that judged it.
                        "details": {"carried_from_run": judged_in} if judged_in else {},
                    },
                )
                next_brand += 1
                summary["brand_checked"] += 1
                summary["brand_passed"] += ok
            for issue in present:
                summary["findings"] += sum(1 for p in issue.pages if p not in failed_today)
            writer.add(RunSummary, {"run_id": audit_run, "service_id": service.id, **summary})
            totals = run_totals[audit_run]
            for name in ("pages_found", "pages_audited", "pages_carried", "pages_failed"):
                totals[name] += summary[name]
            totals["findings_count"] += summary["findings"]
            report.findings += summary["findings"]
            report.page_results += len(service.pages)
            report.brand_results += summary["brand_checked"]
            next_journey, next_step = _journeys(
                writer, rng, service, journey_runs[day], start, next_journey, next_step, report
            )
            next_feedback = _feedback(
                writer, rng, service, day, days, first_day, next_feedback, report
            )
    writer.flush()
    report.finding_rows = _findings(writer, repository, plan, audit_runs, failed_days)
    writer.flush()
    repository.set_run_counts([{"id": run_id, **totals} for run_id, totals in run_totals.items()])
    report.seconds = round(time.perf_counter() - started, 1)
    say(f"Done in {report.seconds} s")
    return report


def _findings(
    writer: _Writer,
    repository: Repository,
    plan: list[_Service],
    audit_runs: list[int],
    failed_days: dict[int, set[int]],
) -> int:
    """Each issue's finding on each of its pages, one row per stretch of nights it was
    there: from the first night its page was audited with it to the last (a night the
    page's audit failed inside a stretch is not one of its runs: the page was not judged)."""
    last_day = len(audit_runs) - 1
    next_id = repository.next_id(Finding)
    written = 0
    for service in plan:
        for issue in service.issues:
            rule, wcag, impact, message = issue.rule
            for begin, end in issue.intervals:
                stop = last_day if end == -1 else end - 1
                for page_id in issue.pages:
                    failed = failed_days.get(page_id, set())
                    first, last = begin, stop
                    while first <= last and first in failed:
                        first += 1
                    while last >= first and last in failed:
                        last -= 1
                    if first > last:
                        continue
                    writer.add(
                        Finding,
                        {
                            "id": next_id,
                            "first_run_id": audit_runs[first],
                            "last_run_id": audit_runs[last],
                            "page_id": page_id,
                            "service_id": service.id,
                            "check": "axe",
                            "rule": rule,
                            "outcome": "violation",
                            "wcag": wcag,
                            "impact": impact,
                            "selector": f"#{rule}-{issue.id % 97}",
                            "snippet": f'<div class="{rule}">…</div>',
                            "message": message,
                            "help_url": f"https://dequeuniversity.com/rules/axe/4.12/{rule}",
                            "fingerprint": issue.fingerprint,
                            "issue_id": issue.id,
                        },
                    )
                    next_id += 1
                    written += 1
    return written


def _service_sizes(rng: random.Random, services: int, pages: int | None) -> list[int]:
    """Pages per service: 8 to 16 each, or ``pages`` shared out unevenly (a few large
    information services, many small transactional ones), at least one each."""
    if pages is None:
        return [rng.randint(8, 16) for _ in range(services)]
    weights = [rng.lognormvariate(0, 1) for _ in range(services)]
    spare = pages - services
    sizes = [1 + int(spare * w / sum(weights)) for w in weights]
    for index in range(pages - sum(sizes)):  # what rounding down left over
        sizes[index % services] += 1
    return sizes


def _plan_services(rng: random.Random, count: int, config: CouncilConfig | None) -> list[_Service]:
    """The council's own services first (from services.yaml), then made-up ones."""
    chosen: list[tuple[str, str, list[str]]] = []
    if config is not None:
        for configured in config.services[:count]:
            chosen.append((configured.id, configured.name, [j.id for j in configured.journeys]))
    taken = {c[0] for c in chosen}
    round_ = 0
    while len(chosen) < count:
        for name in SERVICE_NAMES:
            if len(chosen) >= count:
                break
            full = (
                name
                if round_ == 0
                else f"{name} ({['north', 'south', 'east', 'west'][round_ % 4]} {round_})"
            )
            slug = _slug(full)
            if slug in taken:
                continue
            taken.add(slug)
            chosen.append((slug, full, []))
        round_ += 1
    plan = []
    for service_id, name, journeys in chosen:
        quality = rng.betavariate(4, 2)
        service = _Service(
            id=service_id,
            name=name,
            quality=quality,
            volume=rng.uniform(0.4, 1.6),
            journeys=journeys
            or [f"{service_id}-main"] + ([f"{service_id}-check"] if rng.random() < 0.4 else []),
        )
        plan.append(service)
    return plan


def _plan_issues(rng: random.Random, service: _Service, days: int, next_id: int) -> int:
    """Issues appear, get fixed and sometimes come back; worse services have more."""
    arrival = 0.45 + 1.2 * (1 - service.quality)  # new issues a night
    fix = 0.02 + 0.04 * service.quality  # chance an open issue is fixed a night
    initial = max(1, round(arrival / fix * 0.8))

    def new_issue(day: int) -> None:
        nonlocal next_id
        serious = rng.random() < 0.5
        rule = rng.choice(SERIOUS_RULES if serious else OTHER_RULES)
        if serious:  # usually one page; a template-wide one now and then on poor services
            wide = rng.random() < 0.08 * (1 - service.quality)
            spread = len(service.pages) if wide else rng.choice((1, 1, 1, 2))
        else:
            spread = rng.choice((1, 2, 3, 5, len(service.pages)))
        pages = sorted(rng.sample(service.pages, min(spread, len(service.pages))))
        service.issues.append(
            _Issue(
                id=next_id,
                rule=rule,
                pages=pages,
                intervals=[[day, -1]],
                on_journey=rng.random() < 0.25,
                fingerprint=_fingerprint(service.id, rule[0], next_id),
            )
        )
        next_id += 1

    for _ in range(initial):
        new_issue(0)
    for day in range(1, days):
        for issue in service.issues:
            start, end = issue.intervals[-1]
            # Serious issues are fixed first, as the council's triage asks.
            chance = fix * 3 if issue.rule[2] in ("serious", "critical") else fix
            if end == -1 and start < day and rng.random() < chance:
                issue.intervals[-1][1] = day
            elif end != -1 and end < day and rng.random() < 0.003:
                issue.intervals.append([day, -1])
        arrivals = arrival
        while arrivals > 0:
            if rng.random() < min(arrivals, 1.0):
                new_issue(day)
            arrivals -= 1
    return next_id


def _journeys(
    writer: _Writer,
    rng: random.Random,
    service: _Service,
    run_id: int,
    start: datetime,
    next_journey: int,
    next_step: int,
    report: SeedReport,
) -> tuple[int, int]:
    success = 0.8 + 0.19 * service.quality
    for journey_id in service.journeys:
        attempts: list[str] = ["completed" if rng.random() < success else "failed"]
        if attempts[0] == "failed" and rng.random() < 0.5:
            attempts.append("completed")  # passed on the retry: flaky
        if attempts[0] == "failed" and rng.random() < 0.1:
            attempts[0] = "errored"
        for attempt, outcome in enumerate(attempts, start=1):
            failed_step = rng.randint(1, len(STEPS) - 1) if outcome != "completed" else None
            durations = [rng.randint(400, 4000) for _ in STEPS]
            began = start + timedelta(minutes=rng.randint(0, 40), seconds=attempt * 30)
            writer.add(
                JourneyRun,
                {
                    "id": next_journey,
                    "run_id": run_id,
                    "service_id": service.id,
                    "journey_id": journey_id,
                    "attempt": attempt,
                    "outcome": outcome,
                    "failed_step": failed_step,
                    "reason": None
                    if failed_step is None
                    else f"Step {failed_step + 1} ({STEPS[failed_step][0]}): element not found",
                    "flaky": attempt == 2 and outcome == "completed",
                    "started_at": began,
                    "finished_at": began + timedelta(milliseconds=sum(durations)),
                    "duration_ms": sum(durations),
                    "screenshot_path": None
                    if failed_step is None
                    else f"evidence/journeys/{next_journey}.png",
                },
            )
            for index, ((name, action), ms) in enumerate(zip(STEPS, durations, strict=True)):
                if failed_step is not None and index > failed_step:
                    status = "skipped"
                elif failed_step == index:
                    status = "failed"
                else:
                    status = "passed"
                writer.add(
                    JourneyStepResult,
                    {
                        "id": next_step,
                        "journey_run_id": next_journey,
                        "index": index,
                        "name": name,
                        "action": action,
                        "status": status,
                        "duration_ms": None if status == "skipped" else ms,
                        "console_errors": [],
                    },
                )
                next_step += 1
            next_journey += 1
            report.journey_runs += 1
    return next_journey, next_step


def _feedback(
    writer: _Writer,
    rng: random.Random,
    service: _Service,
    day: int,
    days: int,
    first_day: datetime,
    next_id: int,
    report: SeedReport,
) -> int:
    # Satisfaction drifts through the year, so trends have something to show.
    drift = 0.15 * ((day / max(days - 1, 1)) - 0.5)
    mood = min(max(service.quality + drift, 0.05), 0.98)
    weights = [
        (1 - mood) * 0.5,
        (1 - mood) * 0.5,
        0.15,
        mood * 0.55,
        mood * 0.45,
    ]
    count = max(0, round(rng.gauss(27 * service.volume, 4)))
    day_start = first_day + timedelta(days=day)
    for _ in range(count):
        received = day_start + timedelta(seconds=rng.randint(0, 86_399))
        page = rng.choice(service.urls).split("example.gov.uk", 1)[1] or "/"
        roll = rng.random()
        row: dict[str, Any] = {
            "id": next_id,
            "received_at": received,
            "service_id": service.id,
            "page_path": page,
            "kind": "satisfaction",
            "rating": None,
            "useful": None,
            "comment": None,
            "what_doing": None,
            "what_wrong": None,
            "redacted": False,
            "flags": [],
            "source": "widget",
        }
        if roll < 0.45:
            rating = rng.choices((1, 2, 3, 4, 5), weights)[0]
            row["rating"] = rating
            if rng.random() < 0.2:
                pool = (
                    COMMENTS_GOOD
                    if rating >= 4
                    else COMMENTS_MIXED
                    if rating == 3
                    else COMMENTS_BAD
                )
                comment = rng.choice(pool)
                row["comment"] = comment
                if "[email]" in comment:
                    row["redacted"] = True
                    row["flags"] = ["email"]
        elif roll < 0.9:
            row["kind"] = "page_useful"
            row["useful"] = rng.random() < 0.5 + 0.45 * mood
        else:
            row["kind"] = "problem"
            doing, wrong = rng.choice(PROBLEMS)
            row["what_doing"] = doing
            row["what_wrong"] = wrong
        writer.add(Feedback, row)
        next_id += 1
        report.feedback += 1
    return next_id
