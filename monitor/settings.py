"""One place for the monitor's settings.

Every value can be set in the environment with the ``MONITOR_`` prefix (for example
``MONITOR_DATABASE_URL``) or in a ``.env`` file in the working directory. The CLI, the
migrations, the feedback collector, the dashboard and the tests all read this object.
"""

from __future__ import annotations

import ipaddress
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from monitor import __version__

#: V8's optimising compilers (Maglev, TurboFan) recompile axe-core for every page, since
#: each page is a fresh JavaScript context, and that work is thrown away with the page: on
#: a machine whose cores are all auditing it costs about a tenth of the processor time per
#: page (README, Benchmarks). Findings do not depend on the compiler tier.
DEFAULT_CHROMIUM_JS_FLAGS = "--no-opt --no-maglev --max-semi-space-size=32"
_JS_FLAG = re.compile(r"--[a-z0-9][a-z0-9_-]*(=[A-Za-z0-9_.,:-]+)?")

DEFAULT_AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BROWSER_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


class Settings(BaseSettings):
    """Settings of one installation of the monitor (see the README's settings table)."""

    model_config = SettingsConfigDict(
        env_prefix="MONITOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    config_dir: Path = Path("config")
    database_url: str = ""
    # SQLite: how long one statement waits for another process's write lock, and how long
    # a transaction that still met a lock is tried again before the command gives up.
    sqlite_busy_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    database_retry_seconds: float = Field(default=30.0, ge=0, le=3600)

    # Browsers: Debian's Chromium and chromedriver; nothing is ever downloaded.
    engine: Literal["playwright", "selenium"] = "playwright"
    chromium_path: Path = Path("/usr/bin/chromium")
    chromedriver_path: Path = Path("/usr/bin/chromedriver")
    selenium_remote_url: str | None = None
    # V8 flags for the audited pages; empty for Chromium's own defaults.
    chromium_js_flags: str = DEFAULT_CHROMIUM_JS_FLAGS
    concurrency: int = Field(default=2, ge=1, le=32)
    recycle_context_every: int = Field(default=50, ge=1)
    page_timeout_seconds: float = Field(default=30.0, gt=0)
    # Most time one page may take from loading to its last check: past it the page is
    # recorded as failed (timeout) and the run goes on.
    page_audit_limit_seconds: float = Field(default=300.0, gt=0)
    # Most time one check may take on one page: past it that check is a check error of the
    # page (a monitor fault, not a barrier) and the other checks' findings are kept.
    check_time_limit_seconds: float = Field(default=90.0, gt=0)
    network_idle_seconds: float = Field(default=3.0, ge=0)
    user_agent: str = f"CouncilDXMonitor/{__version__} (+resident digital-experience monitor)"

    # Discovery over HTTP.
    per_host_concurrency: int = Field(default=4, ge=1)
    http_timeout_seconds: float = Field(default=15.0, gt=0)
    http_retries: int = Field(default=2, ge=0)

    # Checks.
    axe_tags: list[str] = Field(default_factory=lambda: list(DEFAULT_AXE_TAGS))
    axe_best_practice: bool = False
    full_audit_every_days: int = Field(default=7, ge=1)
    shared_furniture: bool = True
    # Caches installed over axe-core on each audited page (crawlers.axe_source.AXE_SPEEDUPS):
    # identical findings, less processor time. Off for a plain axe-core.
    axe_speedups: bool = True
    # Shortcuts the checks take beyond axe (the keyboard walk's Tab presses sent in bursts):
    # identical findings, less time. Off for a plain run of every check on every page.
    check_shortcuts: bool = True
    revalidate_over_http: bool = True
    # Hosts whose script requests are analytics beacons, not content: a page that sends
    # them can still be revalidated over HTTP. A host here also covers its subdomains.
    beacon_hosts: list[str] = Field(
        default_factory=lambda: [
            "google-analytics.com",
            "analytics.google.com",
            "doubleclick.net",
            "siteimproveanalytics.io",
            "clarity.ms",
            "hotjar.io",
        ]
    )
    evidence_max_mb: int = Field(default=500, ge=1)

    # Feedback collector.
    feedback_host: str = "127.0.0.1"
    feedback_port: int = Field(default=8750, ge=0, le=65535)
    feedback_secret: str = "development-only-secret"  # noqa: S105 - refused in production
    feedback_retention_days: int = Field(default=365, ge=1)
    feedback_rate_limit_per_minute: int = Field(default=20, ge=1)
    feedback_duplicate_window_minutes: int = Field(default=10, ge=0)
    feedback_max_body_bytes: int = Field(default=16_384, ge=1024)
    # The reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed:
    # behind any other, every resident would seem to be the proxy and share one limit.
    feedback_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )
    redis_url: str | None = None

    # Days of page detail kept (page and brand results, findings, journey steps): the
    # nightly audit prunes older runs' detail after it finishes, and ``monitor db prune``
    # uses it by default. Each run's totals, which trends read, are kept for ever. 0: keep
    # everything.
    keep_detail_days: int = Field(default=400, ge=0)

    # One audit of a service at a time.
    lease_seconds: int = Field(default=900, ge=30)

    # Where audits run: in this process (local), or as page tasks for Celery workers.
    execution_backend: Literal["local", "celery"] = "local"
    celery_broker_url: str = "redis://127.0.0.1:6379/0"
    celery_result_backend: str | None = None  # default: the broker
    celery_queue: str = "monitor-pages"
    celery_visibility_timeout_seconds: int = Field(default=600, ge=2)
    runs_poll_seconds: float = Field(default=5.0, gt=0)

    # The local demo site of council services.
    demo_host: str = "127.0.0.1"
    demo_port: int = Field(default=8700, ge=0, le=65535)
    dashboard_port: int = Field(default=8501, ge=0, le=65535)

    @field_validator("data_dir", "config_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("chromium_js_flags", mode="after")
    @classmethod
    def _js_flags(cls, value: str) -> str:
        flags = value.split()
        for flag in flags:
            if not _JS_FLAG.fullmatch(flag):
                raise ValueError(
                    f"{flag!r} is not a V8 flag: expected flags like --no-opt or "
                    "--max-semi-space-size=32, separated by spaces"
                )
        return " ".join(flags)

    @field_validator("feedback_trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        # From the environment: a JSON list, or addresses separated by commas or spaces.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item for item in re.split(r"[,\s]+", text) if item]
        return value

    @field_validator("feedback_trusted_proxies", mode="after")
    @classmethod
    def _proxy_addresses(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                if "/" in item:
                    ipaddress.ip_network(item, strict=True)
                else:
                    ipaddress.ip_address(item)
            except ValueError as exc:
                raise ValueError(
                    f"MONITOR_FEEDBACK_TRUSTED_PROXIES: {item!r} is not an IP address or a "
                    f"CIDR range such as 10.0.0.5 or 10.0.0.0/8 ({exc})"
                ) from None
        return value

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'monitor.db').resolve()}"
        if self.environment == "production" and self.feedback_secret == "development-only-secret":  # noqa: S105
            raise ValueError(
                "MONITOR_FEEDBACK_SECRET must be set to a long random value in production"
            )
        return self

    @property
    def browser_flags(self) -> list[str]:
        """Chromium's command line for the audits: the standard headless flags and the
        V8 flags (``chromium_js_flags``)."""
        js = [f"--js-flags={self.chromium_js_flags}"] if self.chromium_js_flags else []
        return [*BROWSER_FLAGS, *js]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def evidence_dir(self) -> Path:
        """Screenshots, traces and other evidence kept with runs."""
        return self.data_dir / "evidence"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
