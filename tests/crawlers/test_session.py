"""Sign-in recipes, sessions and what a crawl behind sign-in never touches, without a
browser: the recipe's config rules, the never-follow guard, hash routes as addresses, a
session that never shows its values, and secrets masked out of every log record."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawlers.browser_state import SessionState
from crawlers.secrets import MASK, Masker, SecretsFilter, read_secrets
from crawlers.session import CrawlGuard, SessionKeeper
from crawlers.urls import normalise_url
from monitor.config import load_config
from monitor.settings import Settings
from monitor.yamlsource import ConfigError
from tests.conftest import CONFIG_DIR, config_folder

SERVICE = """services:
  - id: my-account
    name: My account
    owner: {name: Test, email: test@example.gov.uk}
    start_urls: ['http://127.0.0.1:9/account']
"""
RECIPE = """    sign_in:
      secrets: [ACCOUNT_EMAIL, ACCOUNT_PASSWORD]
      steps:
        - goto: /sign-in
        - fill: {label: Email address, value: "{{secret.ACCOUNT_EMAIL}}"}
        - fill: {label: Password, value: "{{secret.ACCOUNT_PASSWORD}}"}
        - click: {role: button, name: Sign in}
"""


def _problems(tmp_path: Path, services_yaml: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(config_folder(tmp_path, services_yaml))
    return [f"{p.line} {p.key}: {p.message}" for p in caught.value.problems]


def test_a_recipe_signs_in_with_secrets_from_the_environment_and_ends_with_an_expect(
    tmp_path: Path,
) -> None:
    config = load_config(
        config_folder(tmp_path, SERVICE + RECIPE + "        - expect: {text: Sign out}\n")
    )
    recipe = config.services[0].sign_in
    assert recipe is not None
    # The sign-in page is the first goto's path unless said otherwise.
    assert recipe.page_pattern == r"^/sign\-in"
    journey = recipe.as_journey()
    assert journey.safe_to_submit and journey.retries == 0
    assert journey.secrets == ["ACCOUNT_EMAIL", "ACCOUNT_PASSWORD"]


def test_a_recipe_that_cannot_tell_it_worked_is_refused_with_file_line_and_key(
    tmp_path: Path,
) -> None:
    (problem,) = _problems(tmp_path, SERVICE + RECIPE)
    assert "services[0].sign_in" in problem and "expect" in problem and "refused" in problem
    assert problem.startswith("6 ")  # the line of sign_in:


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("secrets: [ACCOUNT_EMAIL, ACCOUNT_PASSWORD]", "expected ACCOUNT_PASSWORD in secrets"),
        ("- goto: /sign-in", "start with goto"),
        ("- click: {role: button, name: Sign in}", "only signs in"),
    ],
)
def test_recipe_mistakes_are_named(tmp_path: Path, change: str, words: str) -> None:
    recipe = RECIPE + "        - expect: {text: Sign out}\n"
    broken = {
        "secrets: [ACCOUNT_EMAIL, ACCOUNT_PASSWORD]": recipe.replace(
            "secrets: [ACCOUNT_EMAIL, ACCOUNT_PASSWORD]", "secrets: [ACCOUNT_EMAIL]"
        ),
        "- goto: /sign-in": recipe.replace(
            "- goto: /sign-in", "- wait_for: {label: Email address}"
        ),
        "- click: {role: button, name: Sign in}": recipe.replace(
            "- click: {role: button, name: Sign in}",
            "- click: {role: button, name: Sign in}\n          audit: true",
        ),
    }[change]
    problems = _problems(tmp_path, SERVICE + broken)
    assert any(words in p for p in problems), problems


def test_the_demo_config_has_a_recipe_and_an_app() -> None:
    config = load_config(CONFIG_DIR)
    account, app = config.service("my-account"), config.service("parking-permits")
    assert account.sign_in is not None and account.spa is None
    assert account.sign_in.secrets == ["DEMO_ACCOUNT_EMAIL", "DEMO_ACCOUNT_PASSWORD"]
    assert app.spa is not None and app.sign_in is None
    # Public services have no guard: the public crawl is as it was.
    assert CrawlGuard.for_service(config.service("join-the-library")) is None
    assert CrawlGuard.for_service(account) is not None


@pytest.mark.parametrize(
    "address",
    [
        "http://x/account/sign-out",
        "http://x/account/signout",
        "http://x/logout",
        "http://x/auth/log_off?next=/",
        "http://x/account/delete",
        "http://x/account/permits/cancel?permit=RP-1",
        "http://x/newsletter/unsubscribe",
        "http://x/account/close-account",
        "http://x/app#/settings/remove-card",
    ],
)
def test_the_guard_never_follows_what_ends_a_session_or_changes_an_account(address: str) -> None:
    assert CrawlGuard().refuses_address(address)


@pytest.mark.parametrize(
    "address",
    ["http://x/account", "http://x/account/details", "http://x/parking-permits#/visitors"],
)
def test_the_guard_follows_everything_else(address: str) -> None:
    assert not CrawlGuard().refuses_address(address)


def test_the_guard_judges_names_and_takes_the_service_s_own_list() -> None:
    guard = CrawlGuard(("(?i)/account/renew", r"Stop my direct debit"))
    for name in ("Sign out", "Log out", "Delete your account", "Cancel this permit"):
        assert guard.refuses_name(name), name
    assert not guard.refuses_name("Your details")
    assert guard.refuses_address("http://x/account/renew")  # the (?i) flag is understood
    assert guard.refuses_name("stop my DIRECT debit")  # matched ignoring case, always
    assert "(?i)" not in " ".join(guard.js_patterns)  # the page's engine knows no inline flag


def test_hash_routes_are_addresses_of_an_app_and_fragments_of_a_page_are_not() -> None:
    base = "http://x/parking-permits"
    assert normalise_url("#/visitors", base, hash_routes=True) == base + "#/visitors"
    assert normalise_url("#!/visitors", base, hash_routes=True) == base + "#/visitors"
    assert normalise_url("#/", base, hash_routes=True) == base  # the app's root
    assert normalise_url("#main-content", base, hash_routes=True) == base
    assert normalise_url("#/visitors", base) == base  # an ordinary page keeps no fragment
    assert (
        normalise_url("HTTP://X:80/parking-permits/?utm_source=a#/visitors", hash_routes=True)
        == "http://x/parking-permits/#/visitors"
    )


def test_a_session_never_shows_its_values() -> None:
    state = SessionState.build(
        "my-account",
        2,
        [{"name": "council_session", "value": "s3cr3t-token", "domain": "127.0.0.1"}],
        {"http://127.0.0.1:8700": {"token": "local-s3cr3t"}},
        ["http://127.0.0.1:8700"],
    )
    shown = f"{state!r} {state}"
    assert "s3cr3t" not in shown and "generation 2" in shown
    (cookie,) = state.playwright_state()["cookies"]
    assert cookie["sameSite"] == "Lax" and cookie["path"] == "/" and cookie["expires"] == -1
    assert state.playwright_state()["origins"] == [
        {
            "origin": "http://127.0.0.1:8700",
            "localStorage": [{"name": "token", "value": "local-s3cr3t"}],
        }
    ]
    assert state.cookies_for("127.0.0.1") and not state.cookies_for("example.org")
    domain_wide = SessionState.build(
        "s", 1, [{"name": "a", "value": "b", "domain": ".ex.gov.uk"}], {}, []
    )
    assert domain_wide.cookies_for("my.ex.gov.uk") and not domain_wide.cookies_for("ex.gov.ukx")


def test_a_service_without_its_secrets_cannot_sign_in_and_says_which() -> None:
    config = load_config(CONFIG_DIR)
    keeper = SessionKeeper(Settings(), environ={"DEMO_ACCOUNT_EMAIL": "a@example.com"})
    session = keeper.for_service(config.service("my-account"))
    assert session is not None and keeper.for_service(config.service("my-account")) is session
    assert keeper.for_service(config.service("join-the-library")) is None
    with pytest.raises(Exception, match="DEMO_ACCOUNT_PASSWORD") as caught:
        session.secrets()
    assert getattr(caught.value, "kind", None) == "secrets-missing"


def test_secrets_are_masked_out_of_every_log_record(caplog: pytest.LogCaptureFixture) -> None:
    password = "Pa55word&more"
    read_secrets(["TEST_LOG_SECRET"], {"TEST_LOG_SECRET": password})
    log = logging.getLogger("tests.secrets")
    handler = logging.Handler()
    records: list[str] = []
    handler.emit = lambda record: records.append(  # type: ignore[method-assign]
        logging.Formatter().format(record)
    )
    handler.addFilter(SecretsFilter())
    log.addHandler(handler)
    try:
        log.warning("typed %s into the field", password)
        try:
            raise ValueError(f"refused {password}")
        except ValueError:
            log.exception("failed with %s", "Pa55word%26more")  # URL-encoded, too
    finally:
        log.removeHandler(handler)
    text = "\n".join(records)
    assert password not in text and "Pa55word%26more" not in text
    assert text.count(MASK) >= 3
    assert Masker([password]).text(f"<b>{password.replace('&', '&amp;')}</b>") == f"<b>{MASK}</b>"
