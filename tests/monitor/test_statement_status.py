"""The accessibility statement status each service shows comes from the statement check."""

from __future__ import annotations

from crawlers.base import FindingData
from monitor.config import load_config
from monitor.measures.snapshot import MeasureRules, snapshot
from monitor.models import PageResult, PageStatus, RunStatus, utcnow
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR


def statement_finding(rule: str) -> FindingData:
    return FindingData(check="statement", rule=rule, message=rule, impact="moderate")


def test_statuses_follow_the_statement_checks_findings(sqlite_repository: Repository) -> None:
    repository = sqlite_repository
    repository.sync_services(load_config(CONFIG_DIR).services)
    audited = {
        "join-the-library": [],
        "school-admissions": [statement_finding("statement-stale")],
        "pay-a-parking-fine": [statement_finding("statement-missing")],
    }
    for service_id, findings in audited.items():
        run = repository.create_run(service_ids=[service_id])
        page = repository.upsert_page(service_id, f"http://x/{service_id}")
        assert run.id is not None and page.id is not None
        repository.record_page(
            PageResult(
                run_id=run.id, page_id=page.id, service_id=service_id, status=PageStatus.audited
            ),
            findings,
        )
        repository.update_issues(run.id, service_id, ["statement"])
        repository.finish_run(run.id, RunStatus.completed)
    taken = snapshot(
        repository.read,
        MeasureRules.of(load_config(CONFIG_DIR)),
        utcnow(),
        [*audited, "report-a-pothole", "somewhere-else"],
    )
    statuses = {service_id: facts.statement.value for service_id, facts in taken.services.items()}
    assert statuses == {
        "join-the-library": "Found and complete",
        "school-admissions": "Found, incomplete",
        "pay-a-parking-fine": "No statement found",
        "report-a-pothole": "Not checked yet",
        "somewhere-else": "Not in services.yaml",
    }
