"""Brand results in the database: per page and run, and per service (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any, get_args

from monitor.config import BrandRuleId, load_config
from monitor.models import PageResult, PageStatus
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR

SERVICE = "pay-a-parking-fine"


def result(failed: tuple[str, ...] = (), *, shot: str | None = None) -> dict[str, Any]:
    """A ``brand_result`` as the branding check returns it (ten rules, ``failed`` failing)."""
    rules = {rule: rule not in failed for rule in get_args(BrandRuleId)}
    return {
        "score": 100.0 * sum(rules.values()) / len(rules),
        "passed": not failed,
        "rules": rules,
        "details": {"rules": {r: {"passed": ok, "detail": "…"} for r, ok in rules.items()}},
        "header_screenshot": shot,
    }


def new_run(repository: Repository, pages: int) -> tuple[int, list[int]]:
    run = repository.create_run(service_ids=[SERVICE])
    assert run.id is not None
    ids = []
    for n in range(pages):
        page = repository.upsert_page(SERVICE, f"http://127.0.0.1:8701/pay-a-parking-fine/{n}")
        assert page.id is not None
        ids.append(page.id)
    return run.id, ids


def test_compliance_is_the_share_of_pages_passing_every_rule(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run_id, pages = new_run(repository, 4)
    repository.save_brand_result(run_id, pages[0], SERVICE, result())
    repository.save_brand_result(
        run_id, pages[1], SERVICE, result(("palette", "logo"), shot="evidence/brand/run-1/a.png")
    )
    repository.save_brand_result(run_id, pages[2], SERVICE, result(("palette",)))
    repository.save_brand_result(run_id, pages[3], SERVICE, result(("palette", "title-pattern")))

    assert repository.brand_compliance(SERVICE) == 25.0
    assert repository.rules_failed_most(SERVICE) == [
        ("palette", 3),
        ("logo", 1),
        ("title-pattern", 1),
    ]
    assert repository.rules_failed_most(SERVICE, limit=1) == [("palette", 3)]
    summary = repository.brand_summary(SERVICE, run_id)
    assert summary is not None
    assert (summary.pages, summary.pages_passed, summary.compliance) == (4, 1, 25.0)
    assert summary.mean_score == 87.5
    worst = repository.brand_results(run_id, service_id=SERVICE)[0]
    assert worst.score == 80.0 and worst.header_screenshot == "evidence/brand/run-1/a.png"
    assert worst.details["rules"]["logo"]["passed"] is False


def test_the_newest_run_counts_and_saving_twice_replaces(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    first, pages = new_run(repository, 2)
    for page_id in pages:
        repository.save_brand_result(first, page_id, SERVICE, result(("logo",)))
    second, _ = new_run(repository, 0)
    repository.save_brand_result(second, pages[0], SERVICE, result(("logo",)))
    repository.save_brand_result(second, pages[1], SERVICE, result(("logo",)))
    repository.save_brand_result(second, pages[1], SERVICE, result())  # re-audited: replaced

    assert repository.latest_brand_run_id(SERVICE) == second
    assert repository.brand_compliance(SERVICE) == 50.0
    assert repository.brand_compliance(SERVICE, first) == 0.0
    assert len(repository.brand_results(second)) == 2
    assert repository.brand_result(second, pages[1]).passed is True  # type: ignore[union-attr]


def test_a_service_never_checked_has_no_compliance(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    assert repository.brand_compliance("join-the-library") is None
    assert repository.rules_failed_most("join-the-library") == []
    assert repository.brand_summary("join-the-library") is None


def test_the_page_result_gets_the_brand_score(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    run_id, pages = new_run(repository, 1)
    repository.save_page_result(
        PageResult(run_id=run_id, page_id=pages[0], service_id=SERVICE, status=PageStatus.audited)
    )
    repository.save_brand_result(run_id, pages[0], SERVICE, result(("palette", "typeface")))
    (page_result,) = repository.page_results(run_id)
    assert page_result.brand_score == 80.0


def test_an_unchanged_page_carries_its_result_forward(repository: Repository) -> None:
    repository.sync_services(load_config(CONFIG_DIR).services)
    first, pages = new_run(repository, 1)
    repository.save_brand_result(first, pages[0], SERVICE, result(("footer-links",)))
    second, _ = new_run(repository, 0)

    assert repository.carry_brand_result(first, second, pages[0]) is True
    assert repository.carry_brand_result(second + 1, second, pages[0]) is False
    carried = repository.brand_result(second, pages[0])
    assert carried is not None and carried.rules["footer-links"] is False
    assert carried.details["carried_from_run"] == first
    assert repository.rules_failed_most(SERVICE) == [("footer-links", 1)]
