"""The Celery application and its one task: audit one page of a run.

Start workers on any machine that can reach the broker, the database and the council's
sites (and has the same ``config/`` folder)::

    MONITOR_DATABASE_URL=postgresql+psycopg://... MONITOR_CELERY_BROKER_URL=redis://... \\
        celery -A monitor.audit.dispatch.celery_app worker --concurrency 1 --pool solo

Each worker process keeps one browser warm between tasks: the engine is started on the
first task, on an asyncio event loop that lives as long as the process, and reused.

A task is acknowledged only when it has finished (``acks_late``); a worker that dies in
the middle of a page leaves its task unacknowledged, and the broker hands it to another
worker after the visibility timeout. That is safe because ``PageAuditor`` writes a page's
result and findings in one transaction that replaces any earlier attempt, and
``(run_id, page_id)`` is unique: a page is never lost and never counted twice.

A worker keeps one ``RunContext`` per run (link statuses, sub-resource hashes, the
furniture it has audited, and the signed-in session of each service with a sign-in
recipe: each worker signs in once per run, with secrets from its own environment; no
secret and no session ever travels in a task's arguments or result). What crosses pages
(titles, statement links, documents on journeys) is judged by the coordinator's service
phase from what the workers recorded, so it never depends on which worker saw which page.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
from celery import Celery, signals
from sqlalchemy.exc import OperationalError

from crawlers.base import BrowserEngine
from crawlers.context import RunContext
from crawlers.discovery import HostPolicy, make_client
from crawlers.engines import make_engine
from crawlers.secrets import SecretsFilter
from monitor.audit.context import run_context
from monitor.audit.frontier import PageTask
from monitor.audit.page import PageAuditor
from monitor.config import CouncilConfig, load_config
from monitor.models import PageStatus, RunStatus
from monitor.repository import Repository
from monitor.settings import Settings, get_settings

log = logging.getLogger(__name__)

AUDIT_PAGE_TASK = "monitor.audit_page"
#: The longest one page may take in a worker before the task gives up on it.
PAGE_TASK_SECONDS = 300

T = TypeVar("T")


def make_celery_app(settings: Settings) -> Celery:
    """A Celery app configured from the monitor's settings (workers and coordinator)."""
    broker = settings.celery_broker_url
    visibility = settings.celery_visibility_timeout_seconds
    app = Celery("monitor", broker=broker, backend=settings.celery_result_backend or broker)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a slow page never holds other pages hostage
        task_default_queue=settings.celery_queue,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=24 * 3600,
        task_track_started=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        broker_transport_options={
            "visibility_timeout": visibility,
            # How often a worker looks for tasks left unacknowledged by a dead worker.
            "unacked_restore_interval": max(1, min(10, visibility // 4)),
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": visibility},
    )
    return app


app = make_celery_app(get_settings())


class WorkerRuntime:
    """What one worker process keeps between tasks: an event loop in a thread, one warm
    browser per engine name, one HTTP client, the config, the repository and a context
    per run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="monitor-worker-loop", daemon=True
        )
        self.thread.start()
        self.engines: dict[str, BrowserEngine] = {}
        self._client: httpx.AsyncClient | None = None
        self._policy: HostPolicy | None = None
        self._config: CouncilConfig | None = None
        self._repository: Repository | None = None
        # Caches are shared between the pages of one run, never across runs.
        self._contexts: OrderedDict[int, RunContext] = OrderedDict()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = PAGE_TASK_SECONDS) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()  # do not leave a hung page running on the shared loop
            raise

    @property
    def config(self) -> CouncilConfig:
        if self._config is None:
            self._config = load_config(self.settings.config_dir)
        return self._config

    @property
    def repository(self) -> Repository:
        if self._repository is None:
            self._repository = Repository(self.settings.database_url)
        return self._repository

    async def _engine(self, name: str) -> BrowserEngine:
        engine = self.engines.get(name)
        if engine is None:
            engine = make_engine(self.settings, name)
            await engine.__aenter__()
            self.engines[name] = engine
            log.info("started a %s browser for this worker", name)
        return engine

    async def _http(self) -> HostPolicy:
        if self._policy is None:
            self._client = await make_client(self.settings).__aenter__()
            self._policy = HostPolicy(self.settings, self._client)
        return self._policy

    async def _context(self, run_id: int) -> RunContext:
        if run_id not in self._contexts:
            self._contexts[run_id] = run_context(
                self.settings, self.config, run_id, await self._http()
            )
            while len(self._contexts) > 4:
                self._contexts.popitem(last=False)
        return self._contexts[run_id]

    async def audit(
        self, run_id: int, service_id: str, page_id: int, url: str, engine: str, full: bool
    ) -> dict[str, Any]:
        run = await asyncio.to_thread(self.repository.run, run_id)
        if run is None or run.status != RunStatus.running or run.cancel_requested:
            return {"status": PageStatus.skipped, "links": []}  # closed or cancelled meanwhile
        auditor = PageAuditor(
            self.settings,
            self.config,
            self.repository,
            await self._engine(engine),
            await self._context(run_id),
            full=full,
        )
        done = await auditor.audit(PageTask(run_id, service_id, page_id, url, depth=0))
        return {"status": str(done.status), "links": list(done.links)}

    async def _close(self) -> None:
        for engine in self.engines.values():
            try:
                await engine.__aexit__(None, None, None)
            except Exception:  # closing a crashed browser: nothing more to do
                log.debug("closing the browser failed", exc_info=True)
        self.engines.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def close(self) -> None:
        if self.loop.is_running():
            try:
                self.call(self._close(), timeout=30)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
                self.thread.join(timeout=5)


_runtime: WorkerRuntime | None = None
_runtime_lock = threading.Lock()


def runtime() -> WorkerRuntime:
    """This process's runtime, created by the first task."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = WorkerRuntime(get_settings())
            atexit.register(_runtime.close)
        return _runtime


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _mask_secrets_in_logs(logger: logging.Logger, **_: Any) -> None:
    """A sign-in's secrets never reach the worker's log, whoever logs them."""
    for handler in logger.handlers:
        if not any(isinstance(f, SecretsFilter) for f in handler.filters):
            handler.addFilter(SecretsFilter())


@signals.worker_process_shutdown.connect
@signals.worker_shutdown.connect
def _close_runtime(**_: Any) -> None:
    global _runtime
    with _runtime_lock:
        if _runtime is not None:
            _runtime.close()
            _runtime = None


@app.task(
    name=AUDIT_PAGE_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),  # the database was briefly unreachable
    retry_backoff=True,
    max_retries=5,
)
def audit_page(
    run_id: int, service_id: str, page_id: int, url: str, engine: str, full: bool = False
) -> dict[str, Any]:
    """Audit one page of a run; return its status and the links found on it."""
    return runtime().call(runtime().audit(run_id, service_id, page_id, url, engine, full))
