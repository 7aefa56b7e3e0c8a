"""The embedded default: the whole audit in this process, on one browser."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from monitor.backends import ExecutionBackend

if TYPE_CHECKING:
    from monitor.audit import AuditRequest, ProgressCallback
    from monitor.config import CouncilConfig
    from monitor.models import Run
    from monitor.repository import Repository


class LocalBackend(ExecutionBackend):
    name = "local"

    def run_audit(
        self,
        config: CouncilConfig,
        repository: Repository,
        request: AuditRequest,
        on_progress: ProgressCallback | None = None,
    ) -> Run:
        from monitor.audit import Auditor

        auditor = Auditor(self.settings, config, repository, on_progress=on_progress)
        return asyncio.run(auditor.run(request))
