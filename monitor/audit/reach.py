"""Whether the run reached each service: a service down for the night is *unreachable*,
never a clean result.

A service is unreachable when none of its web pages could be loaded and every one that
failed, failed because the site could not be reached (no connection, no such host, a
broken secure connection, no answer in time, a server error), or when robots.txt refused
the monitor every start address. Nothing is then concluded about it: its pages left are
skipped, no issue opens or closes, its measures keep their last values, and the run ends
``partial`` (or ``failed`` when no service could be reached).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from monitor.models import PageStatus
from monitor.repository.core import PageVisit

#: Page failures that say the site itself could not be reached.
SITE_DOWN_KINDS = frozenset({"connection", "dns", "tls", "timeout"})


def _site_down(visit: PageVisit) -> bool:
    if visit.error_kind in SITE_DOWN_KINDS:
        return True
    return visit.error_kind == "http-error" and (visit.http_status or 0) >= 500


def unreachable_services(
    service_ids: Sequence[str],
    visits: Iterable[PageVisit],
    refused: dict[str, list[str]],
) -> dict[str, str]:
    """Service id → why it could not be reached, for the services this run did not reach."""
    by_service: dict[str, list[PageVisit]] = defaultdict(list)
    for visit in visits:
        by_service[visit.service_id].append(visit)
    found: dict[str, str] = {}
    for service_id in service_ids:
        pages = by_service.get(service_id, [])
        if any(v.status in (PageStatus.audited, PageStatus.carried) for v in pages):
            continue
        failed = [v for v in pages if v.status == PageStatus.failed]
        if not pages and refused.get(service_id):
            found[service_id] = "robots.txt refuses the monitor every start address: " + ", ".join(
                refused[service_id]
            )
        elif failed and all(_site_down(v) for v in failed):
            first = failed[0]
            found[service_id] = (
                f"none of its {len(failed)} page(s) could be loaded: "
                f"{first.error or first.error_kind}"
            )
    return found
