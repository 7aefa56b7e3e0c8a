"""The data model: what the monitor remembers between runs.

In the council's words: a *service* is one of its online services; a *run* is one audit
(or journey replay) started by a person, the dashboard or the nightly schedule; a *page*
is a web address the monitor has found for a service; a *page result* is what happened
when a run visited that page; a *finding* is one defect a check saw on one page, kept once
for the stretch of the page's visits that saw it unchanged; an *issue* is the same defect
tracked across pages and runs (what a service owner fixes); a *run summary* is one
service's totals in one run, which trends read and which outlive the run's page detail;
*feedback* is what residents told us, already redacted.

All times are timezone-aware UTC. Statuses are stored as their slug (see the ``StrEnum`` classes).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC (how every time is stored)."""
    return datetime.now(UTC)


class RunStatus(StrEnum):
    queued = "queued"
    running = "running"
    completed = "completed"
    partial = "partial"  # some services could not be reached (``Run.unreachable``)
    failed = "failed"
    interrupted = "interrupted"  # the process died; ``monitor audit --resume`` finishes it
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self not in (RunStatus.queued, RunStatus.running)


class PageStatus(StrEnum):
    pending = "pending"
    audited = "audited"
    carried = "carried"  # unchanged since the last audit: previous findings carried forward
    failed = "failed"
    # Not reached: the run was closed or cancelled first, the page needs a sign-in the
    # service has no recipe for, or signing in failed (``error`` says which).
    skipped = "skipped"

    @property
    def label(self) -> str:
        return {"carried": "Unchanged (carried forward)"}.get(self.value, self.value.capitalize())


class IssueStatus(StrEnum):
    new = "new"
    open = "open"
    fixed = "fixed"
    reopened = "reopened"


class FindingOutcome(StrEnum):
    """What a check concluded about a finding (stored on findings and issues)."""

    violation = "violation"
    needs_review = "needs_review"  # axe's "incomplete": a person must look

    @property
    def label(self) -> str:
        return "Fails" if self is FindingOutcome.violation else "Needs a person to check"


class Service(SQLModel, table=True):
    """An online service from services.yaml, kept so history survives config edits."""

    id: str = Field(primary_key=True, max_length=80)
    name: str = Field(max_length=200)
    owner_name: str = Field(default="", max_length=200)
    owner_email: str = Field(default="", max_length=200)
    tags: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


class Run(SQLModel, table=True):
    """One audit or journey replay, with the versions of everything that judged the pages."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="audit", max_length=20, index=True)
    trigger: str = Field(default="cli", max_length=20)
    status: str = Field(default=RunStatus.queued, max_length=20, index=True)
    service_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    engine: str = Field(default="playwright", max_length=20)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    axe_version: str | None = Field(default=None, max_length=20)
    check_versions: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    full_audit: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    holder: str | None = Field(default=None, max_length=200)
    pages_found: int = 0
    pages_audited: int = 0
    pages_carried: int = 0
    pages_revalidated: int = 0  # of those carried, how many without opening a browser
    pages_failed: int = 0
    findings_count: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    cancel_requested: bool = False  # ``monitor runs cancel``: the runner stops between pages
    # Services that could not be reached in this run, with why: none of their pages could be
    # loaded, so nothing is concluded about them (no issue opened or closed, measures kept).
    unreachable: dict[str, str] | None = Field(default=None, sa_type=JSON)


class Page(SQLModel, table=True):
    """A web address of a service; ``fingerprint`` is what the checks last saw there."""

    __table_args__ = (UniqueConstraint("service_id", "url", name="uq_page_service_url"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: str = Field(foreign_key="service.id", max_length=80, index=True)
    url: str = Field(max_length=2048)
    kind: str = Field(default="html", max_length=20)  # html | document
    title: str | None = Field(default=None, max_length=500)
    depth: int = 0
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    fingerprint: str | None = Field(default=None, max_length=64)
    fingerprint_versions: str | None = Field(default=None, max_length=64)
    last_full_audit_at: datetime | None = None
    # What a static page's rendering depends on (``crawlers.revalidation.ServedRecord``):
    # while it is served unchanged, the next run need not open the page in a browser.
    revalidation: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class PageResult(SQLModel, table=True):
    """What happened when a run visited a page: status, timings, or the error.

    A page carried forward unchanged is stored compactly: when its address, title, content
    type, size, fingerprint and facts are those of the audited visit it was carried from,
    they are left empty here and ``carried_from_run_id`` names that visit (the repository
    reads them from it), so a nightly run of an unchanged site adds a few dozen bytes a page.
    """

    __table_args__ = (
        # A run's pages; a page's visits in run order, whose previous and next visit bound
        # the stretches of its findings. (The per-run aggregates read ``RunSummary``, so
        # the covering indexes they needed were dropped in 0008: a row of every page of
        # every run is what this table holds, and each index costs as much again.)
        UniqueConstraint("run_id", "page_id", name="uq_result_run_page"),
        Index("ix_pageresult_page_run", "page_id", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id")
    page_id: int = Field(foreign_key="page.id")
    service_id: str = Field(max_length=80)
    status: str = Field(default=PageStatus.pending, max_length=20)
    http_status: int | None = None
    final_url: str | None = Field(default=None, max_length=2048)
    content_type: str | None = Field(default=None, max_length=200)
    size_bytes: int | None = None
    last_modified: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, max_length=500)
    error: str | None = Field(default=None, sa_type=Text)
    error_kind: str | None = Field(default=None, max_length=40)
    load_ms: int | None = None
    checks_ms: int | None = None
    fingerprint: str | None = Field(default=None, max_length=64)
    revalidated: bool = False  # carried forward after an HTTP check alone, no browser
    brand_score: float | None = None
    serious_count: int = 0
    # What the service phase reads of the page: its statement links and the documents it
    # links to (``PageOutcome.facts``).
    facts: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # Checks that could not judge the page (a monitor fault, never a barrier): their
    # issues on this page stay as they were.
    check_errors: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)
    # Seen signed in (the service's ``sign_in`` recipe): what a resident with an account sees.
    signed_in: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # A compact carried visit: the run whose stored visit holds this page's address,
    # title, content type, size, fingerprint and facts (None: they are stored here).
    carried_from_run_id: int | None = None


#: The columns a compact carried visit leaves to the visit it was carried from.
CARRIED_DETAIL = (
    "final_url",
    "content_type",
    "size_bytes",
    "last_modified",
    "title",
    "fingerprint",
    "facts",
)


class Finding(SQLModel, table=True):
    """One defect one check saw on one page, over a stretch of that page's visits.

    A finding seen again unchanged on the page's next visit extends its stretch
    (``last_run_id``) instead of being written again, so a nightly run of an unchanged
    site writes no finding. It belongs to run R when ``first_run_id`` is R, or when
    ``first_run_id`` < R <= ``last_run_id`` and the page was judged in R (audited or
    carried): between two visits of a page a finding has no other runs to belong to.
    Findings of journeys and of service checks (statement, page titles) belong to their
    one run (``first_run_id`` = ``last_run_id``).
    """

    __table_args__ = (
        Index("ix_finding_service_last_run", "service_id", "last_run_id"),
        Index("ix_finding_last_run", "last_run_id"),
        Index("ix_finding_page_last_run", "page_id", "last_run_id"),
        Index("ix_finding_issue", "issue_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    first_run_id: int = Field(foreign_key="run.id")
    last_run_id: int = Field(foreign_key="run.id")
    page_id: int = Field(foreign_key="page.id")
    service_id: str = Field(max_length=80)
    check: str = Field(max_length=40)
    rule: str = Field(max_length=100)
    outcome: str = Field(default=FindingOutcome.violation, max_length=20)
    wcag: str = Field(default="", max_length=200)  # comma-separated criteria, e.g. "1.4.3"
    impact: str | None = Field(default=None, max_length=20)
    selector: str = Field(default="", sa_type=Text)
    snippet: str = Field(default="", sa_type=Text)
    message: str = Field(default="", sa_type=Text)
    help_url: str | None = Field(default=None, max_length=500)
    fingerprint: str = Field(max_length=64)
    issue_id: int | None = Field(default=None, foreign_key="issue.id")
    region: str | None = Field(default=None, max_length=64)
    journey_id: str | None = Field(default=None, max_length=80)
    journey_step: int | None = None


#: What makes two findings of a page the same finding (everything a check reported).
FINDING_CONTENT = (
    "check",
    "rule",
    "outcome",
    "wcag",
    "impact",
    "selector",
    "snippet",
    "message",
    "help_url",
    "fingerprint",
    "region",
    "journey_id",
    "journey_step",
)


class RunFinding(SQLModel):
    """A finding as one run saw it: what ``Repository.findings(run_id)`` returns.

    ``carried`` says the run carried the page forward unchanged and the finding was seen
    before; ``first_run_id`` and ``last_run_id`` are the stored stretch it belongs to."""

    id: int
    run_id: int
    page_id: int
    service_id: str
    check: str
    rule: str
    outcome: str = FindingOutcome.violation
    wcag: str = ""
    impact: str | None = None
    selector: str = ""
    snippet: str = ""
    message: str = ""
    help_url: str | None = None
    fingerprint: str
    issue_id: int | None = None
    region: str | None = None
    journey_id: str | None = None
    journey_step: int | None = None
    carried: bool = False
    first_run_id: int
    last_run_id: int


class Issue(SQLModel, table=True):
    """A defect tracked across pages and runs: what a service owner fixes."""

    __table_args__ = (
        UniqueConstraint("service_id", "fingerprint", name="uq_issue_service_fingerprint"),
        Index("ix_issue_service_status", "service_id", "status"),
        Index("ix_issue_status_impact", "status", "impact", "service_id"),
        Index("ix_issue_first_seen_run", "first_seen_run_id"),
        Index("ix_issue_fixed_run", "fixed_run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service_id: str = Field(foreign_key="service.id", max_length=80)
    fingerprint: str = Field(max_length=64)
    check: str = Field(max_length=40)
    rule: str = Field(max_length=100)
    outcome: str = Field(default=FindingOutcome.violation, max_length=20)
    wcag: str = Field(default="", max_length=200)
    impact: str | None = Field(default=None, max_length=20)
    message: str = Field(default="", sa_type=Text)
    help_url: str | None = Field(default=None, max_length=500)
    selector: str = Field(default="", sa_type=Text)
    snippet: str = Field(default="", sa_type=Text)
    status: str = Field(default=IssueStatus.new, max_length=20)
    pages_affected: int = 0
    on_journey: bool = False
    first_seen_at: datetime = Field(default_factory=utcnow)
    first_seen_run_id: int | None = None
    last_seen_at: datetime = Field(default_factory=utcnow)
    last_seen_run_id: int | None = None
    fixed_at: datetime | None = None
    fixed_run_id: int | None = None
    reopened_count: int = 0
    ack_by: str | None = Field(default=None, max_length=200)
    ack_reason: str | None = Field(default=None, sa_type=Text)
    ack_at: datetime | None = None
    ack_until: datetime | None = None


class IssuePage(SQLModel, table=True):
    """Which pages an issue affects, and when it was last seen on each."""

    issue_id: int = Field(foreign_key="issue.id", primary_key=True)
    page_id: int = Field(foreign_key="page.id", primary_key=True)
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_seen_run_id: int | None = None


class BrandResult(SQLModel, table=True):
    """A page's brand score and its pass/fail for each brand rule in one run.

    A page carried forward unchanged keeps its score and rules in the new run, while its
    long ``details`` and header screenshot stay with the result it was carried from
    (``details`` holds only ``{"carried_from_run": id}``; the repository reads them there).
    """

    __table_args__ = (UniqueConstraint("run_id", "page_id", name="uq_brand_run_page"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id")
    page_id: int = Field(foreign_key="page.id")
    service_id: str = Field(max_length=80)
    score: float = 0.0
    passed: bool = False
    rules: dict[str, bool] = Field(default_factory=dict, sa_type=JSON)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    header_screenshot: str | None = Field(default=None, max_length=500)


class RunSummary(SQLModel, table=True):
    """One service's totals in one run, stored when the run ends.

    Trends per run, week and quarter read these rows, never every page of every run, and
    they stay when ``monitor db prune`` removes a run's page detail (``detail_pruned_at``).
    """

    __table_args__ = (Index("ix_runsummary_service_run", "service_id", "run_id"),)

    run_id: int = Field(foreign_key="run.id", primary_key=True)
    service_id: str = Field(max_length=80, primary_key=True)
    pages_found: int = 0
    pages_judged: int = 0  # audited or carried
    pages_clean: int = 0  # judged, with no serious or critical violation
    pages_audited: int = 0
    pages_carried: int = 0
    pages_revalidated: int = 0
    pages_failed: int = 0
    brand_checked: int = 0
    brand_passed: int = 0
    findings: int = 0
    detail_pruned_at: datetime | None = None


class JourneyRun(SQLModel, table=True):
    """One attempt at one resident journey."""

    __table_args__ = (Index("ix_journeyrun_started_service", "started_at", "service_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    service_id: str = Field(max_length=80, index=True)
    journey_id: str = Field(max_length=80)
    attempt: int = 1
    outcome: str = Field(default="running", max_length=20)  # completed | failed | errored
    failed_step: int | None = None
    reason: str | None = Field(default=None, sa_type=Text)
    flaky: bool = False
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    duration_ms: int | None = None
    screenshot_path: str | None = Field(default=None, max_length=500)
    trace_path: str | None = Field(default=None, max_length=500)


class JourneyStepResult(SQLModel, table=True):
    """One step of one journey attempt."""

    id: int | None = Field(default=None, primary_key=True)
    journey_run_id: int = Field(foreign_key="journeyrun.id", index=True)
    index: int
    name: str = Field(default="", max_length=200)
    action: str = Field(max_length=20)
    status: str = Field(max_length=20)  # passed | failed | skipped | stopped
    duration_ms: int | None = None
    url: str | None = Field(default=None, max_length=2048)
    console_errors: list[str] = Field(default_factory=list, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)


class Feedback(SQLModel, table=True):
    """One resident's feedback, with personal data already redacted from the comment."""

    __table_args__ = (
        Index("ix_feedback_service_time", "service_id", "received_at"),
        Index("ix_feedback_time_kind", "received_at", "kind", "service_id", "rating", "useful"),
    )

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    service_id: str = Field(max_length=80)
    page_path: str = Field(default="/", max_length=1000)
    kind: str = Field(max_length=20)  # satisfaction | page_useful | problem
    rating: int | None = None  # 1 Very dissatisfied … 5 Very satisfied
    useful: bool | None = None
    completed: str | None = Field(default=None, max_length=10)  # yes | no | partly
    comment: str | None = Field(default=None, sa_type=Text)
    what_doing: str | None = Field(default=None, sa_type=Text)
    what_wrong: str | None = Field(default=None, sa_type=Text)
    redacted: bool = False
    flags: list[str] = Field(default_factory=list, sa_type=JSON)
    client_hash: str | None = Field(default=None, max_length=64)
    source: str = Field(default="widget", max_length=20)
    comment_purged_at: datetime | None = None


class Lease(SQLModel, table=True):
    """Who may audit a service now; expires so that a dead holder blocks nobody for long."""

    name: str = Field(primary_key=True, max_length=120)
    holder: str = Field(max_length=200)
    run_id: int | None = None
    acquired_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class ScheduledJob(SQLModel, table=True):
    """When a job of the schedule last ran, so a missed run is caught up once after downtime."""

    name: str = Field(primary_key=True, max_length=80)
    last_slot_at: datetime | None = None  # the cron slot the last run was for
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_status: str | None = Field(default=None, max_length=20)
    last_error: str | None = Field(default=None, sa_type=Text)
    last_run_id: int | None = None
    runs: int = 0


class Alert(SQLModel, table=True):
    """An alert sent to a service owner; ``key`` makes it one alert per issue, not per run."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)
    service_id: str | None = Field(default=None, max_length=80, index=True)
    channel: str = Field(max_length=20)
    recipient: str = Field(default="", max_length=500)
    subject: str = Field(default="", max_length=500)
    body: str = Field(default="", sa_type=Text)
    status: str = Field(default="sent", max_length=20)
    error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime = Field(default_factory=utcnow)
