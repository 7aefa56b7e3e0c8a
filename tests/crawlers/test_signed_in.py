"""Auditing behind a sign-in, in both engines, against the demo council's "My account":
the defects only a signed-in resident sees are found, once per run signed in; without the
recipe they are not, and the run says the area needs sign-in; an expired session is
renewed; a wrong password (a CAPTCHA, a second factor, a changed sign-in page, secrets not
set) fails that service alone, with the reason, and no issue opens or closes from the pages
not reached; sign-out, delete and cancel are never asked for; and the credentials reach no
database, log, output, evidence, fingerprint or revalidation record."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from typer.testing import CliRunner

from crawlers.secrets import MASK
from demo import DemoSite, load_manifest
from demo.account import DEMO_EMAIL, DEMO_PASSWORD, PASSWORD_ENV, SESSION_COOKIE
from monitor.audit import AuditRequest, start_audit
from monitor.cli import app
from monitor.cli.common import configure_logging
from monitor.config import CouncilConfig, load_config
from monitor.db import upgrade
from monitor.models import PageResult, Run, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings, get_settings
from tests.conftest import CONFIG_DIR, config_folder, demo_environment

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

ACCOUNT = "my-account"
ENGINES = ["playwright", "selenium"]
MANIFEST = load_manifest()
#: The account's pages a resident sees once signed in (never-follow addresses aside).
SIGNED_IN_PAGES = {
    p.path
    for p in MANIFEST.pages_for(service=ACCOUNT)
    if p.access == "signed-in" and not p.never_follow
}
NEVER_FOLLOWED = [p.path.partition("?")[0] for p in MANIFEST.pages if p.never_follow]


@pytest.fixture
def site(running_site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoSite]:
    """The demo site, every switch put back, its request log empty; the demo account's
    credentials in the environment (as ``monitor demo run`` sets them)."""
    running_site.restore_all()
    running_site.requests.clear()
    for name, value in demo_environment(running_site).items():
        monkeypatch.setenv(name, value)
    yield running_site
    running_site.restore_all()


def audit(
    folder: Path,
    engine: str,
    services: list[str],
    config: CouncilConfig | None = None,
    **settings: object,
) -> tuple[Repository, Run]:
    chosen = Settings(
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'm.db'}",
        engine=engine,
        **settings,  # type: ignore[arg-type]
    )
    upgrade(chosen.database_url)
    repository = Repository(chosen.database_url)
    run = start_audit(
        chosen, config or load_config(CONFIG_DIR), repository, AuditRequest(service_ids=services)
    )
    assert run.id is not None and run.status == RunStatus.completed, run.error
    return repository, run


def results(repository: Repository, run_id: int, site: DemoSite) -> dict[str, PageResult]:
    urls = {p.id: p.url for s in repository.services() for p in repository.pages(s.id)}
    return {urls[r.page_id].removeprefix(site.base_url): r for r in repository.page_results(run_id)}


def violations(repository: Repository, run_id: int, site: DemoSite) -> set[tuple[str, str]]:
    urls = {p.id: p.url for p in repository.pages(ACCOUNT)}
    return {
        (urls[f.page_id].removeprefix(site.base_url), f.rule)
        for f in repository.findings(run_id, service_id=ACCOUNT)
        if f.outcome == "violation"
    }


EXPECTED = {(d.path, d.rule) for d in MANIFEST.defects_for(service=ACCOUNT)}


def never_followed(site: DemoSite) -> list[tuple[str, str, str]]:
    return [r for path in NEVER_FOLLOWED for r in site.requested(path)]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_defects_behind_sign_in_are_found_signed_in_once_per_run(
    site: DemoSite, engine: str, tmp_path: Path
) -> None:
    repository, run = audit(tmp_path, engine, [ACCOUNT])
    assert run.id is not None
    assert violations(repository, run.id, site) == EXPECTED
    seen = results(repository, run.id, site)
    # Every page of the area was audited, each marked as seen signed in.
    assert set(seen) >= SIGNED_IN_PAGES
    for path in [*SIGNED_IN_PAGES, "/sign-in"]:
        assert (seen[path].status, seen[path].signed_in) == ("audited", True), path
    assert site.accounts.sign_ins == 1  # once for the whole run, both tabs sharing it
    # Sign-out, delete and cancel links are on these pages: never asked for, not even by
    # the links check.
    assert never_followed(site) == []
    (note,) = repository.access_notes(run.id).values()
    assert note.signed_in == len(SIGNED_IN_PAGES) + 1 and not note.sign_in_failed


@pytest.mark.parametrize("engine", ENGINES)
def test_without_the_recipe_the_area_is_not_audited_and_the_run_says_it_needs_sign_in(
    site: DemoSite, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without = (CONFIG_DIR / "services.yaml").read_text().split("    sign_in:\n", 1)
    rest = without[1].split("\n\n", 1)[1]  # the recipe's lines dropped
    config_dir = config_folder(tmp_path, without[0] + "\n" + rest)
    assert "sign_in" not in (config_dir / "services.yaml").read_text()
    for name, value in {
        "MONITOR_CONFIG_DIR": str(config_dir),
        "MONITOR_DATA_DIR": str(tmp_path),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
        "MONITOR_ENGINE": engine,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["audit", "--service", ACCOUNT])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    # The start page sent the monitor to the sign-in page: the pages it links to are never
    # seen, so the area is one page that needs sign-in.
    assert f"{ACCOUNT}: 1 page(s) need sign-in" in said
    assert "add a sign_in recipe" in said
    repository = Repository(f"sqlite:///{tmp_path / 'm.db'}")
    (run,) = repository.runs(kind="audit")
    assert run.id is not None
    seen = results(repository, run.id, site)
    assert set(seen) == {"/account", "/sign-in"}
    assert (seen["/account"].status, seen["/account"].error_kind) == ("skipped", "sign-in-required")
    error = seen["/account"].error
    assert error and "needs sign-in" in error and "/sign-in" in error
    assert seen["/sign-in"].status == "audited"  # the public sign-in page is audited
    assert violations(repository, run.id, site) == set()
    assert repository.issues(service_id=ACCOUNT) == []
    assert site.accounts.sign_ins == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_an_expired_session_is_signed_in_again(site: DemoSite, engine: str, tmp_path: Path) -> None:
    # Each session ends after three account pages, the one the sign-in lands on included:
    # two pages of the crawl each. One tab at a time, so how many sign-ins is certain.
    site.accounts.pages_per_session = 3
    repository, run = audit(tmp_path, engine, [ACCOUNT], concurrency=1)
    assert run.id is not None
    assert site.accounts.sign_ins == len(SIGNED_IN_PAGES) // 2 == 2
    seen = results(repository, run.id, site)
    for path in SIGNED_IN_PAGES:
        assert (seen[path].status, seen[path].signed_in) == ("audited", True), path
    assert violations(repository, run.id, site) == EXPECTED
    assert never_followed(site) == []


@pytest.mark.parametrize(("engine", "status"), [("playwright", 401), ("selenium", 403)])
def test_a_session_ended_with_a_401_or_403_is_signed_in_again(
    site: DemoSite, engine: str, status: int, tmp_path: Path
) -> None:
    # The platform answers an ended session with a status, not a redirect to sign-in: the
    # page is no barrier and no failure, the session is renewed and the page audited.
    site.accounts.pages_per_session = 3
    site.accounts.expired_status = status
    repository, run = audit(tmp_path, engine, [ACCOUNT], concurrency=1)
    assert run.id is not None
    assert site.accounts.ended_answers >= 1  # the session did end with that status
    assert site.accounts.sign_ins == 2
    seen = results(repository, run.id, site)
    for path in SIGNED_IN_PAGES:
        assert (seen[path].status, seen[path].signed_in) == ("audited", True), path
    assert violations(repository, run.id, site) == EXPECTED


@pytest.mark.parametrize("engine", ENGINES)
def test_a_wrong_password_fails_that_service_only_with_the_reason(
    site: DemoSite, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = [ACCOUNT, "join-the-library"]
    repository, _ = audit(tmp_path, engine, services)
    before = {(i.rule, i.status, i.pages_affected) for i in repository.issues(service_id=ACCOUNT)}
    assert {rule for rule, *_ in before} == {rule for _, rule in EXPECTED}

    monkeypatch.setenv(PASSWORD_ENV, "Not-the-password-1")
    site.accounts.reset()
    _, second = audit(tmp_path, engine, services)
    assert second.id is not None
    seen = results(repository, second.id, site)
    mine = {path: r for path, r in seen.items() if r.service_id == ACCOUNT}
    assert mine and all(r.status == "skipped" for r in mine.values())
    for result in mine.values():
        assert result.error_kind == "sign-in-failed" and result.error
        assert "wrong-credentials" in result.error and "refused" in result.error
        assert "DEMO_ACCOUNT_PASSWORD" in result.error  # which secret to check
    # Refused once, not once per page: the service's pages were not tried one by one.
    assert (site.accounts.sign_ins, site.accounts.refused) == (0, 1)
    # The other service went on (unchanged since the first run: carried forward).
    library = [r for r in seen.values() if r.service_id == "join-the-library"]
    assert library and all(r.status in ("audited", "carried") for r in library)
    # No issue opened or closed from pages not reached.
    after = {(i.rule, i.status, i.pages_affected) for i in repository.issues(service_id=ACCOUNT)}
    assert after == before
    (line,) = repository.access_notes(second.id)[ACCOUNT].lines()
    assert "the sign-in was refused (wrong credentials?)" in line and "not reached" in line
    assert "Not-the-password-1" not in line


@pytest.mark.parametrize(
    ("mode", "kind", "words"),
    [
        ("captcha", "captcha", "asks for a CAPTCHA"),
        ("second-factor", "second-factor", "asks for a second factor"),
        ("changed", "sign-in-page-changed", 'no field labelled "Email address"'),
        ("normal", "secrets-missing", "DEMO_ACCOUNT_PASSWORD"),
    ],
)
def test_a_sign_in_that_cannot_be_done_is_named_and_other_services_go_on(
    site: DemoSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    kind: str,
    words: str,
) -> None:
    site.accounts.mode = mode  # type: ignore[assignment]
    if kind == "secrets-missing":
        monkeypatch.delenv(PASSWORD_ENV)
    repository, run = audit(tmp_path, "playwright", [ACCOUNT, "join-the-library"])
    assert run.id is not None
    note = repository.access_notes(run.id)[ACCOUNT]
    assert note.sign_in_failed >= 1 and note.signed_in == 0
    assert note.reason and note.reason.startswith(f"signing in to the service failed ({kind})")
    assert words in note.reason
    assert site.accounts.sign_ins == 0
    seen = results(repository, run.id, site)
    assert all(r.status == "audited" for r in seen.values() if r.service_id != ACCOUNT)
    assert repository.issues(service_id=ACCOUNT) == []


def _needles() -> list[bytes]:
    """The demo account's credentials, as text and as the encodings a page or an address
    could carry them in."""
    found: list[bytes] = []
    for secret in (DEMO_EMAIL, DEMO_PASSWORD):
        for form in {secret, quote(secret, safe=""), quote_plus(secret), secret.upper()}:
            found.append(form.encode())
    return found


@pytest.mark.parametrize("engine", ENGINES)
def test_the_credentials_never_reach_the_database_logs_output_or_evidence(
    site: DemoSite,
    engine: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The details page shows the email address (a secret of the recipe): the crawl must
    # blank it before anything reads the page.
    with httpx.Client(cookies={SESSION_COOKIE: site.accounts.start_session()}) as client:
        assert DEMO_EMAIL in client.get(site.base_url + "/account/details").text
    for name, value in {
        "MONITOR_CONFIG_DIR": str(CONFIG_DIR),
        "MONITOR_DATA_DIR": str(tmp_path),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
        "MONITOR_ENGINE": engine,
    }.items():
        monkeypatch.setenv(name, value)
    # Everything every library logs, through the CLI's own log handlers (Selenium logs
    # what it types at DEBUG): the secrets must be masked out on the way.
    configure_logging(logging.DEBUG, timestamps=True)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["audit", "--service", ACCOUNT, "--full"])
    finally:
        configure_logging()
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    logged = capsys.readouterr().err
    output = (result.output + logged).encode()  # the command's output and its whole log
    assert b" DEBUG " in output  # the log really was as talkative as it gets
    if engine == "selenium":
        # WebDriver's own requests were logged, what it typed included: masked on the way.
        assert b"/element/" in output and MASK.encode() in output
    repository = Repository(f"sqlite:///{tmp_path / 'm.db'}")
    (run,) = repository.runs(kind="audit")
    assert run.id is not None and run.pages_audited >= len(SIGNED_IN_PAGES)
    details = next(p for p in repository.pages(ACCOUNT) if p.url.endswith("/account/details"))
    assert details.fingerprint and details.revalidation is None  # fingerprinted, never over HTTP
    places = {"the CLI's output and log": output}
    for path in tmp_path.rglob("*"):
        if path.is_file():  # the database (and its WAL), the error log, evidence
            places[str(path.relative_to(tmp_path))] = path.read_bytes()
    with sqlite3.connect(tmp_path / "m.db") as db:  # every value of every table, decoded
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        cells = [
            str(value)
            for table in tables
            for row in db.execute(f'select * from "{table}"')
            for value in row
        ]
    places["every value in the database"] = "\n".join(cells).encode()
    for where, data in places.items():
        for needle in _needles():
            assert needle not in data, f"a credential reached {where}"
    assert os.environ[PASSWORD_ENV] == DEMO_PASSWORD  # it was there to leak, all along
