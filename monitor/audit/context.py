"""The ``RunContext`` of an audit run: one per run and process (coordinator or worker)."""

from __future__ import annotations

from crawlers.context import RunContext
from crawlers.discovery import HostPolicy
from crawlers.furniture import FurnitureRegistry
from crawlers.revalidation import ResourceHashes
from crawlers.signin import sign_in
from monitor.config import CouncilConfig
from monitor.settings import Settings


def run_context(
    settings: Settings, config: CouncilConfig, run_id: int | None, http: HostPolicy
) -> RunContext:
    """What the pages of one run share: HTTP, brand rules, caches, evidence folder."""
    return RunContext(
        settings=settings,
        run_id=run_id,
        http=http,
        brand=config.brand,
        config_dir=config.directory,
        evidence_dir=settings.evidence_dir,
        furniture=FurnitureRegistry() if settings.shared_furniture else None,
        resource_hashes=ResourceHashes(http),
        signer=sign_in,
    )
