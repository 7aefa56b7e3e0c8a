"""Shared furniture audited once: the optimised audit finds exactly what a plain one does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.audit import AuditRequest, start_audit
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.repository import Repository
from monitor.settings import Settings
from tests.conftest import config_folder
from tests.servers import html_site

pytestmark = pytest.mark.browser

HEADER = """<header class="site-header"><a href="/"><img src="/logo.png"></a>
<button aria-controls="menu">Menu</button>
<nav><ul><li><a href="/page/0">Home</a></li><li><a href="/page/1"><i class="icon"></i></a></li>
<li><a href="/page/2">Bins</a></li><li><a href="/page/3">Roads</a></li></ul></nav></header>"""
FOOTER = """<footer><p style="color:#bbb">Example County Council, County Hall</p>
<a href="/accessibility">Accessibility</a></footer>"""
# Not a landmark, but beside the content on every page: shared furniture too.
FEEDBACK = '<div class="feedback"><p>Was this page useful?</p><button></button></div>'
# The same style sheet everywhere; only page 4's body class makes its footer readable.
STYLE = "<style>.dark footer p { color: #0b0c0c !important; }</style>"


def template_page(number: int) -> str:
    body = f"<h1>Page {number}</h1><p>Information about topic {number}.</p>"
    if number == 3:
        body += '<form><input type="text" name="q"><button>Search</button></form>'
    if number == 5:
        body += '<ul id="menu"><li>Only this page has the menu the header points to</li></ul>'
    dark = ' class="dark"' if number == 4 else ""
    return (
        f'<!doctype html><html lang="en"><head><title>Page {number}</title>{STYLE}</head>'
        f"<body{dark}>{HEADER}<main>{body}"
        f"{''.join(f'<a href=/page/{n}>Page {n}</a> ' for n in range(6))}"
        f"</main>{FEEDBACK}{FOOTER}</body></html>"
    )


@pytest.fixture(scope="module")
def template_site() -> Iterator[str]:
    def render(path: str) -> str | None:
        return template_page(int(path.rsplit("/", 1)[1])) if path.startswith("/page/") else None

    with html_site(render) as address:
        yield address


def audit_twice(
    folder: Path,
    config: CouncilConfig,
    services: list[str] | None = None,
    *,
    every_shortcut: bool = False,
    **extra: Any,
) -> dict[bool, tuple[Repository, int]]:
    """One audit with the shortcuts (True) and one without (False), each in its own store.
    The plain audit is plain axe-core too: no shared furniture, no speedups, and with
    ``every_shortcut`` no check shortcuts either."""
    runs = {}
    for shared in (True, False):
        where = folder / f"shared-{shared}"
        if every_shortcut:
            extra["check_shortcuts"] = shared
        settings = Settings(
            data_dir=where,
            database_url=f"sqlite:///{where / 'm.db'}",
            shared_furniture=shared,
            axe_speedups=shared,
            **extra,
        )
        upgrade(settings.database_url)
        repository = Repository(settings.database_url)
        run = start_audit(settings, config, repository, AuditRequest(service_ids=services))
        assert run.id is not None
        runs[shared] = (repository, run.id)
    return runs


def axe_findings(repository: Repository, run_id: int) -> set[tuple[str, str, str, str]]:
    """(page, rule, element, outcome): the element by its markup, since axe's selectors for
    the same element may differ between pages (they are made unique per document)."""
    urls = {p.id: p.url for s in repository.services() for p in repository.pages(s.id)}
    return {
        (urls[f.page_id], f.rule, f.snippet, f.outcome)
        for f in repository.findings(run_id)
        if f.check == "axe"
    }


def test_template_furniture_defects_are_one_issue_per_template(
    template_site: str, tmp_path: Path
) -> None:
    config_dir = config_folder(
        tmp_path,
        "services:\n  - id: templated\n    name: Templated\n"
        "    owner: {name: Web team, email: web@example.gov.uk}\n"
        f"    start_urls: ['{template_site}/page/0']\n"
        "    include: ['^/page/']\n    checks: {branding: false, links: false}\n",
    )
    config = load_config(config_dir)
    runs = audit_twice(tmp_path, config, ["templated"])
    optimised, plain = (axe_findings(*runs[True]), axe_findings(*runs[False]))
    assert optimised == plain
    repository, run_id = runs[True]
    assert len(repository.page_results(run_id)) == 6
    header_findings = [f for f in repository.findings(run_id) if f.rule == "image-alt"]
    # Two versions of the header: on page 5 the id its menu button names exists.
    assert len(header_findings) == 6 and len({f.region for f in header_findings}) == 2
    assert all(f.region is not None for f in header_findings)
    (issue,) = [i for i in repository.issues(service_id="templated") if i.rule == "image-alt"]
    assert issue.pages_affected == 6
    (label,) = [i for i in repository.issues(service_id="templated") if i.rule == "label"]
    assert label.pages_affected == 1  # main-content defects stay per page
    (empty_button,) = [
        i for i in repository.issues(service_id="templated") if i.rule == "button-name"
    ]
    assert empty_button.pages_affected == 6  # the feedback block beside the content
    urls = {p.id: p.url for p in repository.pages("templated")}
    contrast = {
        urls[f.page_id].rsplit("/", 1)[1]
        for f in repository.findings(run_id)
        if f.rule == "color-contrast"
    }
    assert contrast == {"0", "1", "2", "3", "5"}  # page 4 styles its identical footer
    dangling = {
        urls[f.page_id].rsplit("/", 1)[1]
        for f in repository.findings(run_id)
        if f.rule == "aria-valid-attr-value"
    }
    assert dangling == {"0", "1", "2", "3", "4"}  # only page 5 has what the header names


def test_on_the_demo_site_the_optimised_audit_equals_a_plain_one(
    demo_config: CouncilConfig, tmp_path: Path
) -> None:
    runs = audit_twice(
        tmp_path, demo_config, ["report-a-pothole", "apply-for-a-blue-badge", "school-admissions"]
    )
    optimised, plain = (axe_findings(*runs[True]), axe_findings(*runs[False]))
    assert optimised == plain
    assert {rule for _, rule, _, _ in plain} >= {"image-alt", "color-contrast", "html-has-lang"}


def bench_config(folder: Path, base: str, pages: int, extra: str = "") -> CouncilConfig:
    """The benchmark site at ``base`` as one service of ``pages`` pages."""
    return load_config(
        config_folder(
            folder,
            "services:\n  - id: bench\n    name: Benchmark service\n"
            "    owner: {name: Web team, email: web@example.gov.uk}\n"
            f"    start_urls: ['{base}/services/page-0']\n"
            f"    sitemaps: ['{base}/sitemap.xml']\n"
            f"    include: ['^/services/page-']\n    max_pages: {pages}\n{extra}",
        )
    )


def test_on_the_benchmark_site_the_optimised_audit_equals_a_plain_one(tmp_path: Path) -> None:
    from demo.bench_site import BenchSite

    site = BenchSite(pages=16)
    base = site.start()
    try:
        config = bench_config(
            tmp_path,
            base,
            16,
            "    checks: {branding: false, links: false, keyboard: false, reflow: false}\n",
        )
        runs = audit_twice(tmp_path, config, ["bench"])
    finally:
        site.stop()
    optimised, plain = (axe_findings(*runs[True]), axe_findings(*runs[False]))
    assert optimised == plain
    assert len({page for page, _, _, _ in plain}) >= 4  # pages with seeded defects
    repository, run_id = runs[True]
    assert len(repository.page_results(run_id)) == 16


def default_findings(repository: Repository, run_id: int) -> set[tuple[str, ...]]:
    """(page, check, rule, element, message, outcome) of every check: axe's element by its
    markup (its selectors are made unique per document), the others' by their selector."""
    urls = {p.id: p.url for s in repository.services() for p in repository.pages(s.id)}
    return {
        (
            urls[f.page_id],
            f.check,
            f.rule,
            f.snippet if f.check == "axe" else f.selector,
            f.message,
            f.outcome,
        )
        for f in repository.findings(run_id)
    }


@pytest.mark.parametrize("layout", ["council", "varying", "article"])
def test_every_default_check_finds_on_every_layout_what_a_plain_run_finds(
    layout: str, tmp_path: Path
) -> None:
    from demo.bench_site import BenchSite

    site = BenchSite(pages=6, layout=layout)  # type: ignore[arg-type]
    base = site.start()
    try:
        config = bench_config(tmp_path, base, 6)
        audits = audit_twice(tmp_path, config, every_shortcut=True, network_idle_seconds=0.3)
        runs = {}
        for shortcuts, (repository, run_id) in audits.items():
            run = repository.run(run_id)
            assert run is not None and run.pages_audited == 6
            runs[shortcuts] = default_findings(repository, run_id)
    finally:
        site.stop()
    assert runs[True] == runs[False]
    # Findings of several checks on every page: the comparison has something to compare.
    checks = {check for _, check, *_ in runs[False]}
    assert {"axe", "keyboard", "links"} <= checks
    assert len({page for page, *_ in runs[False]}) == 6
