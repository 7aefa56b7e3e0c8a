"""Auditing the council's services: the one code path the CLI, the dashboard and the
schedule use to start a run (``start_audit``).

The package, in the order a run goes through it:

- ``plan``: the request, the run it becomes, the services' leases;
- ``frontier``: the addresses still to visit (stored as pending at once, so a run can be
  resumed);
- ``dispatch``: how pages reach the page pipeline (``local`` pool or ``celery`` workers);
- ``page``: one page of a run: revalidated over HTTP, or put through the page pipeline
  (``crawlers.pipeline``), then recorded (``recording``);
- ``service_phase``: documents and whole-service checks, from what was recorded;
- ``runner``: the run from start to end, and the issue lifecycle at its close;
- ``queue``: on-demand runs waiting for a worker.
"""

from monitor.audit.plan import AuditProgress, AuditRefused, AuditRequest, ProgressCallback
from monitor.audit.runner import Auditor, start_audit

__all__ = [
    "AuditProgress",
    "AuditRefused",
    "AuditRequest",
    "Auditor",
    "ProgressCallback",
    "start_audit",
]
