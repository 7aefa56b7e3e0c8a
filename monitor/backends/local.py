"""The embedded default: the whole audit in this process, on one browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor.backends import ExecutionBackend

if TYPE_CHECKING:
    from monitor.audit import Auditor, ProgressCallback
    from monitor.config import CouncilConfig
    from monitor.repository import Repository


class LocalBackend(ExecutionBackend):
    name = "local"

    def auditor(
        self,
        config: CouncilConfig,
        repository: Repository,
        on_progress: ProgressCallback | None = None,
    ) -> Auditor:
        from monitor.audit import Auditor

        return Auditor(self.settings, config, repository, on_progress=on_progress)
