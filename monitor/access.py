"""Who sees what in the dashboard: ``config/access.yaml`` (optional).

    digital_team: [web.team@example.gov.uk]
    owners:
      highways.digital@example.gov.uk: [report-a-pothole]

The digital team sees everything; a service owner sees the comments residents left on
their own services only. The measures themselves (aggregates, no residents' words) are
shown to everyone who may open the dashboard. Without sign-in configured the dashboard is
for local use and shows everything, saying so on every page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from monitor.config import Email, Slug, Strict, _validate
from monitor.yamlsource import ConfigError, read_yaml

ACCESS_FILE = "access.yaml"


class AccessFile(Strict):
    digital_team: list[Email] = Field(default_factory=list)
    owners: dict[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")], list[Slug]] = Field(
        default_factory=dict
    )


def load_access(directory: Path) -> AccessFile:
    """Read ``access.yaml`` from the config folder; an absent file means nobody is listed."""
    file = Path(directory) / ACCESS_FILE
    if not file.is_file():
        return AccessFile()
    doc = read_yaml(file)
    access = _validate(AccessFile, doc, file)
    if access is None:
        raise ConfigError(doc.problems)
    return access


@dataclass(frozen=True)
class Viewer:
    """The person looking at the dashboard, and what they may see."""

    email: str | None
    role: str  # "local" | "digital team" | "service owner" | "signed in"
    sees_everything: bool
    services: frozenset[str] = field(default_factory=frozenset)

    @property
    def protected(self) -> bool:
        return self.role != "local"

    def may_read_comments(self, service_id: str) -> bool:
        return self.sees_everything or service_id in self.services

    def may_acknowledge(self, service_id: str) -> bool:
        return self.may_read_comments(service_id)

    @property
    def may_run_audits(self) -> bool:
        return self.sees_everything


LOCAL_VIEWER = Viewer(email=None, role="local", sees_everything=True)


def viewer_for(email: str | None, access: AccessFile, *, auth_configured: bool) -> Viewer:
    """The viewer for a signed-in email (or the local viewer when sign-in is not set up)."""
    if not auth_configured:
        return LOCAL_VIEWER
    address = (email or "").strip().lower()
    if address and address in {e.lower() for e in access.digital_team}:
        return Viewer(email=address, role="digital team", sees_everything=True)
    owned = {
        service
        for owner, services in access.owners.items()
        if owner.lower() == address
        for service in services
    }
    if address and owned:
        return Viewer(
            email=address, role="service owner", sees_everything=False, services=frozenset(owned)
        )
    return Viewer(email=address or None, role="signed in", sees_everything=False)


def comment_services(viewer: Viewer, service_ids: Iterable[str]) -> list[str]:
    """Of ``service_ids``, those whose residents' comments the viewer may read."""
    return [s for s in service_ids if viewer.may_read_comments(s)]


def filter_comments(viewer: Viewer, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop comments of services the viewer does not own (a second line of defence)."""
    return [row for row in rows if viewer.may_read_comments(str(row.get("service_id")))]
