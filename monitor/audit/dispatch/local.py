"""The embedded default: every page of the run in this process, on one browser.

A few page workers share the engine's pool of tabs; pages revalidated over HTTP need no
tab, so more of them are in flight than there are tabs. The browser starts only when the
first page needs it: a night whose pages are all revalidated never launches Chromium.
Unchanged pages are recorded many to a transaction (``CarriedBatches``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from crawlers.base import BrowserEngine
from crawlers.engines import StartedOnDemand, make_engine
from monitor.audit.dispatch import Dispatcher, PagePhase
from monitor.audit.page import DOCUMENT, PageAuditor
from monitor.audit.recording import CarriedBatches
from monitor.config import CouncilConfig
from monitor.repository import Repository
from monitor.settings import Settings

#: Makes the engine a run names (``make_engine``; tests give a fake one).
EngineFactory = Callable[[Settings, str], BrowserEngine]


class LocalDispatcher(Dispatcher):
    name = "local"

    def __init__(
        self,
        settings: Settings,
        config: CouncilConfig,
        repository: Repository,
        *,
        engine_factory: EngineFactory = make_engine,
    ) -> None:
        super().__init__(settings, config, repository)
        self.engine_factory = engine_factory

    async def visit_pages(self, phase: PagePhase) -> None:
        run, frontier = phase.run, phase.frontier
        # What stops the run: no browser, or storage that cannot record a page. The pages
        # not yet visited stay pending, so the run can be resumed.
        failures: list[Exception] = []
        carried = CarriedBatches(self.repository)
        carried.start()
        async with StartedOnDemand(self.engine_factory(self.settings, run.engine)) as engine:
            auditor = PageAuditor(
                self.settings,
                self.config,
                self.repository,
                engine,
                phase.context,
                full=run.full_audit,
                carried=carried,
            )

            async def worker() -> None:
                while True:
                    task = await frontier.pages.get()
                    try:
                        if failures or await phase.cancel.requested():  # the rest stays pending
                            continue
                        try:
                            done = await auditor.audit(task)
                            if done.status == DOCUMENT:
                                await frontier.set_aside(task)
                                continue
                            await frontier.found(task, done.links)
                        except Exception as exc:
                            # A worker that died would leave ``join()`` waiting for ever.
                            failures.append(exc)
                            continue
                        phase.progress.count(done.status)
                        phase.report()
                    finally:
                        frontier.pages.task_done()

            count = self.settings.concurrency + self.settings.per_host_concurrency
            workers = [asyncio.create_task(worker()) for _ in range(count)]
            try:
                await frontier.pages.join()
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                try:
                    await carried.close()  # every page handed over is written
                except Exception as exc:
                    failures.append(exc)
        if failures:
            raise failures[0]
