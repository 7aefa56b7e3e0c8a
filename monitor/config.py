"""The configuration the council edits: ``services.yaml``, ``brand.yaml``, ``measures.yaml``.

Everything is validated on load. Every mistake is reported at once, each naming the file,
the line and the key, and saying what was expected (see ``ConfigProblem``). Hosts and ports
may come from the environment with ``${NAME:-default}``; journey secrets never do (they
are read at run time, see ``crawlers.journeys``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.vocabulary import SERIOUS_OR_MORE, Impact
from monitor.yamlsource import ConfigError, ConfigProblem, YamlDocument, dotted, read_yaml

SERVICES_FILE = "services.yaml"
BRAND_FILE = "brand.yaml"
MEASURES_FILE = "measures.yaml"


class Strict(BaseModel):
    """Config models refuse unknown keys, so a misspelt key is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// address, got {value!r}")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from exc
    return value


def _hex_colour(value: str) -> str:
    if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value):
        raise ValueError(f"expected a hex colour such as #1d3f6e, got {value!r}")
    return value.lower()


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Regex = Annotated[str, AfterValidator(_regex)]
HexColour = Annotated[str, AfterValidator(_hex_colour)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
# The brand rules (crawlers.brand.score.RULES); a service may be exempted from some.
BrandRuleId = Literal[
    "logo",
    "palette",
    "typeface",
    "header",
    "footer",
    "footer-links",
    "title-pattern",
    "favicon",
    "cookie-banner",
    "domain",
]


# --- services.yaml ----------------------------------------------------------------------


class Owner(Strict):
    """The person or team who owns a service and receives its alerts."""

    name: str
    email: Email


class _Locator(Strict):
    role: str | None = None
    name: str | None = None
    label: str | None = None
    css: str | None = None


class Target(_Locator):
    """How a journey step finds an element: as residents and assistive technology do."""

    text: str | None = None
    exact: bool = False

    @model_validator(mode="after")
    def _one_way_to_find(self) -> Target:
        if not (self.role or self.label or self.text or self.css):
            raise ValueError("expected one of role (with name), label, text or css")
        return self


class FillTarget(Target):
    value: str


class PressTarget(_Locator):
    """A key pressed, on the element found this way (or wherever focus is)."""

    key: str


class Expectation(Strict):
    text: str | None = None
    url: Regex | None = None
    title: str | None = None
    element: Target | None = None

    @model_validator(mode="after")
    def _something_expected(self) -> Expectation:
        if not (self.text or self.url or self.title or self.element):
            raise ValueError("expected one of text, url, title or element")
        return self


STEP_ACTIONS = ("goto", "click", "fill", "select", "check", "press", "expect", "wait_for")


class JourneyStep(Strict):
    """One step of a journey: exactly one action, plus optional settings."""

    name: str | None = None
    goto: str | None = None
    click: Target | None = None
    fill: FillTarget | None = None
    select: FillTarget | None = None
    check: Target | None = None
    press: PressTarget | None = None
    expect: Expectation | None = None
    wait_for: Target | None = None
    stop_before: bool = False
    submits: bool = False
    audit: bool = False
    #: This step submits data the journey knows is invalid: the page must then say what
    #: is wrong, in text (WCAG 3.3.1). Never set it on a valid submission.
    invalid_submission: bool = False
    timeout_seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _exactly_one_action(self) -> JourneyStep:
        actions = [a for a in STEP_ACTIONS if getattr(self, a) is not None]
        if len(actions) != 1 and not (self.stop_before and not actions):
            raise ValueError(
                f"expected exactly one action of {', '.join(STEP_ACTIONS)}; found "
                + (", ".join(actions) or "none")
            )
        return self

    @property
    def action(self) -> str:
        for action in STEP_ACTIONS:
            if getattr(self, action) is not None:
                return action
        return "stop_before"


class JourneyConfig(Strict):
    """A resident journey replayed on a schedule to see whether it can be finished."""

    id: Slug
    name: str
    steps: list[JourneyStep] = Field(min_length=1)
    variables: dict[str, str] = Field(default_factory=dict)
    secrets: list[Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]] = Field(
        default_factory=list
    )
    safe_to_submit: bool = False
    audit_steps: bool = False
    timeout_seconds: float = Field(default=120, gt=0)
    step_timeout_seconds: float = Field(default=15, gt=0)
    retries: int = Field(default=1, ge=0, le=3)

    @model_validator(mode="after")
    def _templates_are_defined(self) -> JourneyConfig:
        # {{name}} must be a variable and {{secret.NAME}} a listed secret, caught on load.
        for index, step in enumerate(self.steps):
            for secret, name in re.findall(
                r"\{\{\s*(secret\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}", str(step.model_dump())
            ):
                if secret and name not in self.secrets:
                    raise ValueError(
                        f"steps[{index}] uses {{{{secret.{name}}}}}; expected {name} in secrets"
                    )
                if not secret and name not in self.variables:
                    raise ValueError(
                        f"steps[{index}] uses {{{{{name}}}}}; expected {name} in variables"
                    )
        return self


_TEMPLATE_NAMES = re.compile(r"\{\{\s*(secret\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class SignInConfig(Strict):
    """How the monitor signs in to a service before crawling it: a recipe in the journeys'
    step language, with credentials read from the environment (``secrets``) at run time.

    The recipe must end by expecting what only a signed-in resident sees, so a refused
    password is never taken for a session. ``page`` is the sign-in page's address (a
    regular expression searched in its path and query; by default the path of the first
    ``goto``): a crawled page that ends up there (or answers 401 or 403) means the session
    has expired, and the monitor signs in again."""

    steps: list[JourneyStep] = Field(min_length=2)
    secrets: list[Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]] = Field(
        default_factory=list
    )
    variables: dict[str, str] = Field(default_factory=dict)
    page: Regex | None = None
    timeout_seconds: float = Field(default=60, gt=0)
    step_timeout_seconds: float = Field(default=15, gt=0)

    @model_validator(mode="after")
    def _a_recipe_that_can_tell_it_worked(self) -> SignInConfig:
        if self.steps[0].goto is None:
            raise ValueError("steps[0]: expected the recipe to start with goto (the sign-in page)")
        for index, step in enumerate(self.steps):
            flags = [
                name
                for name in ("audit", "submits", "stop_before", "invalid_submission")
                if getattr(step, name)
            ]
            if flags:
                raise ValueError(
                    f"steps[{index}] sets {', '.join(flags)}: a sign-in recipe only signs in "
                    "(its pages are audited when the crawl reaches them)"
                )
            for secret, name in _TEMPLATE_NAMES.findall(str(step.model_dump())):
                if secret and name not in self.secrets:
                    raise ValueError(
                        f"steps[{index}] uses {{{{secret.{name}}}}}; expected {name} in secrets"
                    )
                if not secret and name not in self.variables:
                    raise ValueError(
                        f"steps[{index}] uses {{{{{name}}}}}; expected {name} in variables"
                    )
        if self.steps[-1].expect is None:
            raise ValueError(
                "expected the last step to be an expect of what only a signed-in resident "
                "sees (e.g. expect: {text: Sign out}), so a refused sign-in is never taken "
                "for a session"
            )
        return self

    @property
    def page_pattern(self) -> str:
        """The sign-in page's address pattern (``page``, or the first goto's path)."""
        if self.page:
            return self.page
        path = urlsplit(self.steps[0].goto or "/").path or "/"
        return "^" + re.escape(path)

    def as_journey(self) -> JourneyConfig:
        """The recipe as the journey runner replays it (it may submit: it signs in)."""
        return JourneyConfig(
            id="sign-in",
            name="Sign in",
            steps=self.steps,
            variables=self.variables,
            secrets=self.secrets,
            safe_to_submit=True,
            timeout_seconds=self.timeout_seconds,
            step_timeout_seconds=self.step_timeout_seconds,
            retries=0,
        )


class SpaConfig(Strict):
    """A single-page app: its routes are found as the app changes them (links a router
    handles with ``history.pushState``, hash routes such as ``#/visitors``, buttons and
    menu items that change the route), each route is audited as a page once its view has
    settled, and fingerprinted like any page."""

    #: Click buttons, menu items and tabs to find the routes they lead to (never one named
    #: like sign-out, delete, cancel, pay or submit; nothing is sent or stored meanwhile).
    click: bool = True
    #: Most elements clicked on one route.
    max_clicks: int = Field(default=40, ge=0, le=200)
    #: The view has settled when nothing in it changed for this long...
    quiet_seconds: float = Field(default=0.3, gt=0, le=5)
    #: ...or, at the latest, after this long.
    settle_seconds: float = Field(default=5, gt=0, le=60)


class ServiceConfig(Strict):
    """One of the council's online services, as the digital team lists it."""

    id: Slug
    name: str
    owner: Owner
    start_urls: list[HttpUrl] = Field(min_length=1)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    allowed_hosts: list[str] = Field(default_factory=list)
    include: list[Regex] = Field(default_factory=list)
    exclude: list[Regex] = Field(default_factory=list)
    max_pages: int | None = Field(default=None, ge=1)
    max_depth: int | None = Field(default=None, ge=0)
    tags: dict[str, str] = Field(default_factory=dict)
    wait_for_selector: str | None = None
    checks: dict[str, bool] = Field(default_factory=dict)
    brand_exemptions: list[BrandRuleId] = Field(default_factory=list)
    accessibility_statement_url: HttpUrl | None = None
    journeys: list[JourneyConfig] = Field(default_factory=list)
    #: Sign in before crawling (a resident account area), see ``SignInConfig``.
    sign_in: SignInConfig | None = None
    #: A single-page app whose client-side routes are pages, see ``SpaConfig``.
    spa: SpaConfig | None = None
    #: Addresses and names of links and buttons never followed nor clicked (regular
    #: expressions), besides the default list (sign out, delete, cancel...), which applies
    #: to every signed-in or single-page-app service.
    never_follow: list[Regex] = Field(default_factory=list)

    @property
    def hosts(self) -> list[str]:
        """Hosts (``host[:port]``) the crawler may visit for this service."""
        if self.allowed_hosts:
            return [h.lower() for h in self.allowed_hosts]
        return sorted({urlsplit(u).netloc.lower() for u in self.start_urls})

    def check_enabled(self, check: str) -> bool:
        return self.checks.get(check, True)


class ServiceDefaults(Strict):
    max_pages: int = Field(default=200, ge=1)
    max_depth: int = Field(default=5, ge=0)
    checks: dict[str, bool] = Field(default_factory=dict)


class RedactPattern(Strict):
    """A council reference format removed from residents' comments, e.g. ``POT-\\d{6}``."""

    name: Slug
    pattern: Regex


def _published_number(value: str) -> str:
    text = value.strip()
    if not re.fullmatch(r"\+?[\d ()\-.]+", text):
        raise ValueError(
            f"expected a telephone number the council publishes, written with digits, spaces, "
            f"brackets or dashes (e.g. '03000 41 41 41'), got {value!r}"
        )
    if len(re.sub(r"\D", "", text)) < 5:
        raise ValueError(
            f"expected a whole telephone number with at least 5 digits, got {value!r}: "
            "short numbers such as 999 or 111 are never redacted anyway"
        )
    return text


PublishedNumber = Annotated[str, AfterValidator(_published_number)]


class FeedbackConfig(Strict):
    """Settings of the feedback collector that belong to the council, not the installation."""

    redact_patterns: list[RedactPattern] = Field(default_factory=list)
    # The council's own helpline, textphone and other published numbers: a resident who
    # writes "I rang 03000 41 41 41" has given nothing personal away.
    published_numbers: list[PublishedNumber] = Field(default_factory=list)


def _cron(value: str) -> str:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ValueError(
            f"not a valid cron expression ({exc}); expected five fields: minute hour "
            "day-of-month month day-of-week, e.g. '0 2 * * *' for 02:00 every night"
        ) from exc
    return value


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; expected e.g. Europe/London") from None
    return value


Cron = Annotated[str, AfterValidator(_cron)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]


class ScheduleConfig(Strict):
    """When the schedule does what (cron: minute hour day-of-month month day-of-week).

    Leave a job out (or set it to null) to not schedule it."""

    timezone: TimeZone = "Europe/London"
    audit: Cron | None = "0 2 * * *"
    journeys: Cron | None = "15 */4 * * *"
    feedback_purge: Cron | None = "30 3 * * *"
    digest: Cron | None = None
    catch_up: bool = True  # after downtime, run a missed job once at start
    queued_runs: bool = True  # the scheduler also runs on-demand runs queued by people


class AlertChannelConfig(Strict):
    """Where alerts go: email over SMTP, or a Microsoft Teams or Slack incoming webhook.

    Secrets never live in this file: the SMTP password and, if wanted, the webhook address
    are read from the environment variables named by ``password_env`` and ``url_env``."""

    id: Slug
    type: Literal["email", "teams", "slack"]
    services: list[Slug] = Field(default_factory=list)  # only these services' alerts
    timeout_seconds: float = Field(default=20, gt=0, le=300)
    # email
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    sender: Email | None = Field(default=None, alias="from")
    username: str | None = None
    password_env: EnvName | None = None
    security: Literal["none", "starttls", "ssl"] = "none"
    to_owners: bool = True  # each service's owner.email
    to: list[Email] = Field(default_factory=list)
    # teams and slack
    url: HttpUrl | None = None
    url_env: EnvName | None = None

    @model_validator(mode="after")
    def _complete_for_its_type(self) -> AlertChannelConfig:
        if self.type == "email":
            if not self.smtp_host or not self.sender:
                raise ValueError("an email channel needs smtp_host and from")
            if not (self.to_owners or self.to):
                raise ValueError("an email channel needs to_owners: true or a to: list")
            if self.url or self.url_env:
                raise ValueError("url and url_env are for teams and slack channels")
        else:
            if (self.url is None) == (self.url_env is None):
                raise ValueError(f"a {self.type} channel needs exactly one of url or url_env")
            if self.smtp_host or self.sender or self.password_env or self.to:
                raise ValueError("smtp_host, from, password_env and to are for email channels")
        return self


AlertMeasure = Literal["satisfaction", "page_useful", "brand_compliance", "journey_completion"]


def _serious_impacts() -> list[Impact]:
    return sorted(SERIOUS_OR_MORE, key=lambda impact: impact.rank)


def _alert_measures() -> list[AlertMeasure]:
    return ["satisfaction", "brand_compliance"]


class AlertRules(Strict):
    """What is worth telling a service owner about."""

    journey_failures_in_a_row: int = Field(default=2, ge=1, le=10)
    new_issue_impacts: list[Impact] = Field(default_factory=_serious_impacts)
    measures: list[AlertMeasure] = Field(default_factory=_alert_measures)
    feedback_days: int = Field(default=30, ge=1)  # satisfaction over this many days
    # Fewer answers say too little to alert; by default measures.yaml's min_responses,
    # the same as the dashboard's.
    min_responses: int | None = Field(default=None, ge=1)


class AlertsConfig(Strict):
    channels: list[AlertChannelConfig] = Field(default_factory=list)
    rules: AlertRules = Field(default_factory=AlertRules)
    dashboard_url: HttpUrl | None = None  # linked from every alert

    @model_validator(mode="after")
    def _unique_channel_ids(self) -> AlertsConfig:
        ids = [c.id for c in self.channels]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"channel ids must be unique; repeated: {', '.join(repeated)}")
        return self


class ServicesFile(Strict):
    defaults: ServiceDefaults = Field(default_factory=ServiceDefaults)
    services: list[ServiceConfig] = Field(min_length=1)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)

    @model_validator(mode="after")
    def _alert_services_are_known(self) -> ServicesFile:
        known = {s.id for s in self.services}
        for channel in self.alerts.channels:
            unknown = sorted(set(channel.services) - known)
            if unknown:
                raise ValueError(
                    f"alerts channel {channel.id!r} names unknown service(s) "
                    f"{', '.join(unknown)}; expected ids from services"
                )
        return self


# --- brand.yaml -------------------------------------------------------------------------


class LogoRule(Strict):
    file: Path
    alt: str
    in_header: bool = True
    links_home: bool = True
    max_hash_distance: int = Field(default=10, ge=0, le=64)


class Typefaces(Strict):
    body: list[str] = Field(min_length=1)
    headings: list[str] = Field(min_length=1)


class Region(Strict):
    landmark: Literal["banner", "contentinfo", "navigation", "main"] | None = None
    selector: str | None = None


class FooterLink(Strict):
    name: str
    text: Regex
    href: Regex | None = None


class CookieBanner(Strict):
    selector: str


class BrandFile(Strict):
    council_name: str
    logo: LogoRule | None = None
    palette: dict[str, HexColour] = Field(min_length=1)
    tolerance_delta_e: float = Field(default=5.0, ge=0, le=100)
    typefaces: Typefaces | None = None
    header: Region = Field(default_factory=lambda: Region(landmark="banner", selector="header"))
    footer: Region = Field(
        default_factory=lambda: Region(landmark="contentinfo", selector="footer")
    )
    footer_links: list[FooterLink] = Field(default_factory=list)
    title_pattern: str | None = None
    favicon: bool = True
    cookie_banner: CookieBanner | None = None
    domains: list[str] = Field(default_factory=list)
    weights: dict[BrandRuleId, float] = Field(default_factory=dict)  # of each rule in the score

    @field_validator("title_pattern")
    @classmethod
    def _has_page(cls, value: str | None) -> str | None:
        if value is not None and "{page}" not in value:
            raise ValueError("expected a pattern containing {page}, e.g. '{page} - Council'")
        return value


# --- measures.yaml ----------------------------------------------------------------------


class MeasureId(StrEnum):
    """The Ambition 1 success measures the product computes."""

    satisfaction = "satisfaction"
    page_useful = "page_useful"
    journey_completion = "journey_completion"
    accessibility = "accessibility"
    open_serious_issues = "open_serious_issues"
    time_to_fix_days = "time_to_fix_days"
    statement = "statement"
    brand_compliance = "brand_compliance"


class Thresholds(Strict):
    target: float
    amber: float


class Measure(Strict):
    label: str
    description: str = ""
    unit: Literal["%", "days", "count", "seconds"] = "%"
    higher_is_better: bool = True
    target: float
    amber: float

    @model_validator(mode="after")
    def _amber_on_the_right_side(self) -> Measure:
        if self.higher_is_better and self.amber > self.target:
            raise ValueError("amber must not be above target when higher is better")
        if not self.higher_is_better and self.amber < self.target:
            raise ValueError("amber must not be below target when lower is better")
        return self


class MeasuresFile(Strict):
    measures: dict[MeasureId, Measure]
    overrides: dict[str, dict[MeasureId, Thresholds]] = Field(default_factory=dict)
    # A share of residents' answers (satisfaction, page useful) is drawn from at least
    # this many answers; fewer say more about chance than about the service.
    min_responses: int = Field(default=10, ge=1)


# --- loading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilConfig:
    """The whole validated configuration."""

    directory: Path
    defaults: ServiceDefaults
    services: list[ServiceConfig]
    brand: BrandFile
    measures: MeasuresFile
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)

    def service(self, service_id: str) -> ServiceConfig:
        for service in self.services:
            if service.id == service_id:
                return service
        known = ", ".join(s.id for s in self.services)
        raise KeyError(f"no service {service_id!r} in {SERVICES_FILE} (known: {known})")

    def service_for_url(self, url: str) -> ServiceConfig | None:
        """The service whose start address is the longest prefix of ``url`` on its host."""
        parts = urlsplit(url)
        best: tuple[int, ServiceConfig] | None = None
        for service in self.services:
            for start in service.start_urls:
                start_parts = urlsplit(str(start))
                if start_parts.netloc.lower() != parts.netloc.lower():
                    continue
                prefix = start_parts.path.rstrip("/")
                inside = not prefix or parts.path == prefix or parts.path.startswith(prefix + "/")
                if inside and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), service)
        return best[1] if best else None

    def max_pages(self, service: ServiceConfig) -> int:
        return service.max_pages or self.defaults.max_pages

    def max_depth(self, service: ServiceConfig) -> int:
        return service.max_depth if service.max_depth is not None else self.defaults.max_depth

    def thresholds(self, measure: MeasureId, service_id: str | None = None) -> Thresholds:
        base = self.measures.measures[measure]
        override = self.measures.overrides.get(service_id or "", {}).get(measure)
        return override or Thresholds(target=base.target, amber=base.amber)


M = TypeVar("M", bound=BaseModel)


def _explain(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (check its spelling against the README)"
    if kind == "missing":
        return "required key is missing"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if "input" in error and kind not in ("model_type", "dict_type", "list_type"):
        shown = repr(error["input"])
        if len(shown) <= 60:
            message += f" (got {shown})"
    return message


def _validate(model: type[M], doc: YamlDocument, file: Path) -> M | None:
    if doc.data is None and not doc.problems:
        doc.problems.append(ConfigProblem(file, 1, "", "the file is empty"))
    if doc.problems:
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            doc.problems.append(
                ConfigProblem(file, doc.locator.line_of(loc), dotted(loc), _explain(error))
            )
        return None


def _cross_checks(
    directory: Path,
    services: tuple[ServicesFile | None, YamlDocument],
    brand: tuple[BrandFile | None, YamlDocument],
    measures: tuple[MeasuresFile | None, YamlDocument],
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    services_file, services_doc = services
    known: set[str] = set()
    if services_file is not None:
        seen: dict[str, int] = {}
        for index, service in enumerate(services_file.services):
            if service.id in seen:
                line = services_doc.locator.line_of(("services", index, "id"))
                problems.append(
                    ConfigProblem(
                        directory / SERVICES_FILE,
                        line,
                        f"services[{index}].id",
                        f"duplicate service id {service.id!r} (first used by services"
                        f"[{seen[service.id]}]); expected every id to be unique",
                    )
                )
            seen.setdefault(service.id, index)
            journey_ids: set[str] = set()
            for j, journey in enumerate(service.journeys):
                if journey.id in journey_ids:
                    problems.append(
                        ConfigProblem(
                            directory / SERVICES_FILE,
                            services_doc.locator.line_of(("services", index, "journeys", j, "id")),
                            f"services[{index}].journeys[{j}].id",
                            f"duplicate journey id {journey.id!r} in service {service.id!r}",
                        )
                    )
                journey_ids.add(journey.id)
        known = set(seen)
    _, brand_doc = brand
    # Read from the raw document so a missing logo is reported with the file's other faults.
    raw_logo = brand_doc.data.get("logo") if isinstance(brand_doc.data, dict) else None
    if isinstance(raw_logo, dict) and isinstance(raw_logo.get("file"), str):
        logo = Path(raw_logo["file"])
        path = logo if logo.is_absolute() else directory / logo
        if not path.is_file():
            problems.append(
                ConfigProblem(
                    directory / BRAND_FILE,
                    brand_doc.locator.line_of(("logo", "file")),
                    "logo.file",
                    f"logo file {str(logo)!r} not found (looked in {directory}); expected "
                    "the path of the council's reference logo image",
                )
            )
    measures_file, measures_doc = measures
    if measures_file is not None and known:
        for service_id in measures_file.overrides:
            if service_id not in known:
                problems.append(
                    ConfigProblem(
                        directory / MEASURES_FILE,
                        measures_doc.locator.line_of(("overrides", service_id)),
                        f"overrides.{service_id}",
                        f"unknown service id {service_id!r}; expected one of services.yaml",
                    )
                )
    return problems


def load_config(directory: Path) -> CouncilConfig:
    """Read and validate the three config files; raise ``ConfigError`` with every problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError(
            [ConfigProblem(directory, None, "", "config folder not found (MONITOR_CONFIG_DIR)")]
        )
    loaded: list[tuple[Any, YamlDocument]] = []
    for name, model in (
        (SERVICES_FILE, ServicesFile),
        (BRAND_FILE, BrandFile),
        (MEASURES_FILE, MeasuresFile),
    ):
        doc = read_yaml(directory / name)
        loaded.append((_validate(model, doc, directory / name), doc))
    problems = [p for _, doc in loaded for p in doc.problems]
    problems += _cross_checks(directory, loaded[0], loaded[1], loaded[2])
    if problems:
        raise ConfigError(problems)
    services, brand, measures = (item for item, _ in loaded)
    return CouncilConfig(
        directory,
        services.defaults,
        services.services,
        brand,
        measures,
        services.feedback,
        services.schedule,
        services.alerts,
    )


def resolve_logo(config: CouncilConfig) -> Path | None:
    """Absolute path of the reference logo, if the brand has one."""
    logo = config.brand.logo
    if logo is None:
        return None
    return logo.file if logo.file.is_absolute() else config.directory / logo.file


__all__ = [
    "ConfigError",
    "ConfigProblem",
    "CouncilConfig",
    "JourneyConfig",
    "JourneyStep",
    "MeasureId",
    "ServiceConfig",
    "load_config",
]
