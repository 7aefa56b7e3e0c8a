"""A whole audit run on the fake engine (no browser) and SQLite: frontier, dispatch,
pipeline, recording, service phase and the issue lifecycle, in seconds. A small site over
real HTTP on 127.0.0.1 answers robots.txt, links and the statement; the fake engine
"renders" its pages with scripted axe results."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.base import PageError
from crawlers.checks import page_checks
from crawlers.engines.fake import FakeDocument, FakeEngine
from monitor.audit import AuditRequest, start_audit
from monitor.audit.dispatch.local import LocalDispatcher
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import IssueStatus, Run, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import config_folder
from tests.servers import html_site

IMAGE_ALT = {
    "id": "image-alt",
    "tags": ["wcag2a", "wcag111"],
    "impact": "critical",
    "help": "Images must have alternative text",
    "nodes": [{"target": ["#photo"], "html": '<img id="photo" src="/hole.png">'}],
}
STATEMENT = """<html><body><h1>Accessibility statement</h1><p>This website is partially
compliant with the Web Content Accessibility Guidelines version 2.2 AA standard. The content
listed below is not accessible. Contact us to report a problem, or ask for a different
format like large print. The Equality and Human Rights Commission (EHRC) enforces the
regulations. This statement was prepared on 1 September 2026. It was last reviewed on
1 October 2026.</p></body></html>"""


def page(title: str, links: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body><main>"
        f"<h1>{title}</h1>{links}<a href='/statement'>Accessibility statement</a>"
        "</main></body></html>"
    )


class Site:
    """The site as the fake browser shows it, and the same addresses over HTTP."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.documents = {
            f"{base}/": FakeDocument(page("Home", "<a href='/apply'>Apply</a>")),
            f"{base}/apply": FakeDocument(page("Apply"), axe={"violations": [IMAGE_ALT]}),
        }

    def engine(self, settings: Settings, name: str) -> FakeEngine:
        return FakeEngine(settings, self.documents)


@pytest.fixture
def site() -> Iterator[Site]:
    served: dict[str, str] = {"/robots.txt": "User-agent: *\nAllow: /\n", "/statement": STATEMENT}
    with html_site(lambda path: served.get(path, page(path))) as base:
        yield Site(base)


@pytest.fixture
def config(site: Site, tmp_path: Path) -> CouncilConfig:
    # Only the checks whose page side the fake engine can answer (axe, links).
    off = ", ".join(f"{c.name}: false" for c in page_checks() if c.name not in ("axe", "links"))
    return load_config(
        config_folder(
            tmp_path,
            "services:\n  - id: apply\n    name: Apply\n"
            "    owner: {name: A, email: a@example.gov.uk}\n"
            f"    start_urls: ['{site.base}/']\n"
            f"    checks: {{{off}}}\n",
        )
    )


def audit(site: Site, config: CouncilConfig, tmp_path: Path, *, full: bool = False) -> Run:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(settings.database_url)
    repository = Repository(settings.database_url)
    dispatcher = LocalDispatcher(settings, config, repository, engine_factory=site.engine)
    return start_audit(settings, config, repository, AuditRequest(full=full), dispatcher=dispatcher)


def issue_states(tmp_path: Path) -> dict[str, str]:
    repository = Repository(f"sqlite:///{tmp_path / 'm.db'}")
    return {i.rule: i.status for i in repository.issues()}


def test_an_issue_is_found_then_stays_while_axe_cannot_judge_then_is_fixed(
    site: Site, config: CouncilConfig, tmp_path: Path
) -> None:
    first = audit(site, config, tmp_path)
    assert first.status == RunStatus.completed and first.pages_audited == 2
    assert issue_states(tmp_path) == {"image-alt": IssueStatus.new}

    # axe breaks on the page: a check error, so the issue is neither fixed nor changed.
    apply = site.documents[f"{site.base}/apply"]
    apply.axe_error = PageError("script", "axe-core failed on this page")
    second = audit(site, config, tmp_path, full=True)
    assert second.status == RunStatus.completed
    repository = Repository(f"sqlite:///{tmp_path / 'm.db'}")
    (errored,) = [r for r in repository.page_results(second.id or 0) if r.check_errors]
    assert errored.check_errors == [
        {"check": "axe", "kind": "script", "message": "axe-core failed on this page"}
    ]
    assert issue_states(tmp_path) == {"image-alt": IssueStatus.new}  # as it was

    # Fixed on the page: gone from every page it affected, each judged again.
    apply.axe_error = None
    apply.axe = {}
    third = audit(site, config, tmp_path, full=True)
    assert third.status == RunStatus.completed
    assert issue_states(tmp_path) == {"image-alt": IssueStatus.fixed}


def test_a_site_the_browser_cannot_reach_is_unreachable_not_clean(
    site: Site, config: CouncilConfig, tmp_path: Path
) -> None:
    audit(site, config, tmp_path)
    for document in site.documents.values():
        document.error = PageError("connection", "the server could not be reached")
    down = audit(site, config, tmp_path, full=True)
    assert down.status == RunStatus.failed
    assert down.unreachable == {
        "apply": "none of its 1 page(s) could be loaded: the server could not be reached"
    }
    assert issue_states(tmp_path) == {"image-alt": IssueStatus.new}  # nothing concluded
