"""The data model: what the monitor remembers between runs.

In the council's words: a *service* is one of its online services; a *run* is one audit
(or journey replay) started by a person, the dashboard or the nightly schedule; a *page*
is a web address the monitor has found for a service; a *page result* is what happened
when a run visited that page; a *finding* is one defect a check saw on one page in one
run; an *issue* is the same defect tracked across pages and runs (what a service owner
fixes); *feedback* is what residents told us, already redacted.

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
    """What happened when a run visited a page: status, timings, or the error."""

    __table_args__ = (
        UniqueConstraint("run_id", "page_id", name="uq_result_run_page"),
        # Covering indexes for the dashboard's per-service and per-run aggregates (0002).
        Index("ix_pageresult_service_run", "service_id", "run_id", "status", "serious_count"),
        Index("ix_pageresult_run_status", "run_id", "status", "serious_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    page_id: int = Field(foreign_key="page.id", index=True)
    service_id: str = Field(max_length=80, index=True)
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
    started_at: datetime | None = None
    finished_at: datetime | None = None


class Finding(SQLModel, table=True):
    """One defect one check saw on one page in one run."""

    __table_args__ = (
        Index("ix_finding_run_service", "run_id", "service_id"),
        Index("ix_finding_issue", "issue_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id")
    page_id: int = Field(foreign_key="page.id", index=True)
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
    carried: bool = False


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
    """A page's brand score and its pass/fail for each brand rule in one run."""

    __table_args__ = (
        UniqueConstraint("run_id", "page_id", name="uq_brand_run_page"),
        Index("ix_brandresult_service_run", "service_id", "run_id", "passed"),
        Index("ix_brandresult_run_passed", "run_id", "passed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    page_id: int = Field(foreign_key="page.id")
    service_id: str = Field(max_length=80, index=True)
    score: float = 0.0
    passed: bool = False
    rules: dict[str, bool] = Field(default_factory=dict, sa_type=JSON)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    header_screenshot: str | None = Field(default=None, max_length=500)


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
