"""Web addresses as the crawler sees them: normalised, de-duplicated, in or out of scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMETERS = re.compile(
    r"^(utm_[a-z]+|gclid|gbraid|wbraid|fbclid|msclkid|mc_cid|mc_eid|_ga|_gl|yclid|dclid)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}
DOCUMENT_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".csv", ".ppt",
    ".pptx", ".odp", ".zip", ".txt", ".epub",
)  # fmt: skip


_ABSOLUTE = re.compile(r"^https?://[^/?#]", re.IGNORECASE)


def normalise_url(url: str, base: str | None = None, *, hash_routes: bool = False) -> str | None:
    """One spelling per page: host in lower case, no default port, no fragment, no
    tracking parameters, query parameters sorted. ``None`` for non-web addresses.

    With ``hash_routes`` (a single-page app), a fragment that is a route (``#/visitors``,
    ``#!/visitors``) is kept as ``#/visitors``: it is another page of the app."""
    url = url.strip()
    if base is not None and not _ABSOLUTE.match(url):
        url = urljoin(base, url)  # an absolute address does not depend on its page
    normalised = _normalise(url)
    if hash_routes and normalised is not None and "#" in url:
        fragment = url.partition("#")[2]
        if fragment.startswith("!/"):
            fragment = fragment[1:]
        if fragment.startswith("/") and fragment != "/":
            normalised += "#" + fragment
    return normalised


@lru_cache(maxsize=65_536)
def _normalise(url: str) -> str | None:
    """``normalise_url`` of an address already made absolute (the header and footer
    links of every page of a site are the same few hundred addresses)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(
        sorted(
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not TRACKING_PARAMETERS.match(key)
        )
    )
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    return urlunsplit((scheme, netloc, path, query, ""))


def host_allowed(host: str, domains: Iterable[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d.lower() or host.endswith("." + d.lower().lstrip(".")) for d in domains)


def host_of(url: str) -> str:
    """``host[:port]`` as allowed_hosts lists it."""
    return urlsplit(url).netloc.lower()


#: Media types of the documents residents read (PDF, Word, Excel, PowerPoint, OpenDocument,
#: CSV, RTF, plain text): a link to one is a document of the service; any other file to
#: download (an installer, an archive, a video) is not.
DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument",
    "application/rtf",
    "text/csv",
    "text/plain",
)


def is_document_type(content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.startswith(DOCUMENT_TYPES)


def looks_like_document(url: str) -> bool:
    """A PDF, Word file or the like: recorded as a document, not rendered."""
    return urlsplit(url).path.lower().endswith(DOCUMENT_EXTENSIONS)


@dataclass(frozen=True)
class Scope:
    """Which addresses belong to a service's crawl."""

    hosts: tuple[str, ...]
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    max_depth: int = 5

    @classmethod
    def build(
        cls, hosts: list[str], include: list[str], exclude: list[str], max_depth: int
    ) -> Scope:
        return cls(
            tuple(h.lower() for h in hosts),
            tuple(re.compile(p) for p in include),
            tuple(re.compile(p) for p in exclude),
            max_depth,
        )

    def allows(self, url: str, depth: int = 0) -> bool:
        if depth > self.max_depth:
            return False
        parts = urlsplit(url)
        if parts.netloc.lower() not in self.hosts:
            return False
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if self.include and not any(p.search(target) for p in self.include):
            return False
        return not any(p.search(target) for p in self.exclude)
