"""A browser engine without a browser, for fast tests (as httpx ships ``MockTransport``).

``FakeEngine`` serves pages from HTML held in memory, with scripted behaviour: what axe
reports on a page, what each check's in-page script answers, an error instead of the
page. It implements the engine interface, so the page pipeline, the checks' Python side,
recording and the issue lifecycle are tested without Chromium; the pipeline's own
snapshot (links, statement links, the HTML) is read from the HTML here, in Python.

It is not a browser: nothing runs the page's scripts, and the interactive checks
(keyboard, reflow) find they cannot press keys or resize, and say so.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urljoin

from crawlers.base import BrowserEngine, InteractiveTab, LoadedPage, PageError
from crawlers.snapshot import SNAPSHOT_SCRIPT
from monitor.settings import Settings

if TYPE_CHECKING:
    from crawlers.browser_state import SessionState

#: An in-page script's scripted answer: given the script's argument, what it returns.
Answer = Callable[[Any], Any]


@dataclass
class FakeDocument:
    """One address's answer: HTML with what the page says about itself, what axe finds on
    it (axe-core's own result shape: ``{"violations": [...], "incomplete": [...]}``) and
    what in-page scripts answer, by the script (``crawlers.checks._inpage.script(name)``
    for a check's own script)."""

    html: str
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    axe: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    error: PageError | None = None  # raised instead of loading the page
    axe_error: PageError | None = None  # raised when axe runs (a page that breaks axe)


class _Links(HTMLParser):
    """Links and their text, as the snapshot reads them from a rendered page."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[tuple[str, str]] = []
        self._open: list[list[str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self._open.append(
                [urljoin(self.base, values["href"] or ""), values.get("aria-label") or ""]
            )
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, name = self._open.pop()
            self.links.append((href, name.strip()))
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        for link in self._open:
            link[1] += data
        if self._in_title:
            self.title += data


class FakePage(LoadedPage):
    """A page served by ``FakeEngine``."""

    def __init__(self, url: str, document: FakeDocument) -> None:
        self.requested_url = self.url = url
        self.document = document
        self.status = document.status
        self.content_type = document.content_type
        self.load_ms = 1
        self.console_errors = []
        parsed = _Links(url)
        parsed.feed(document.html)
        self.title = parsed.title.strip()
        self._links = parsed.links

    async def evaluate(self, code: str, arg: Any = None) -> Any:
        if code == SNAPSHOT_SCRIPT:
            return json.dumps(
                {
                    "links": [href for href, _ in self._links],
                    "html": self.document.html,
                    "resources": {"resources": [], "icons": [], "frames": 0, "full": False},
                    "statement": [
                        h for h, name in self._links if re.search("accessibility", name, re.I)
                    ],
                    "furniture": None,
                }
            )
        answer = self.document.answers.get(code)
        if answer is None:
            raise PageError(
                "script", f"the fake page has no answer scripted for this script: {code[:60]}"
            )
        return answer(arg)

    async def run_axe_passes(
        self, passes: list[tuple[Any, dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        if self.document.axe_error is not None:
            raise self.document.axe_error
        result = {
            "violations": self.document.axe.get("violations", []),
            "incomplete": self.document.axe.get("incomplete", []),
            "testEngine": {"name": "axe-core", "version": "fake"},
        }
        return [result for _ in passes]

    async def links(self) -> list[str]:
        return [href for href, _ in self._links]

    async def screenshot(self, selector: str) -> bytes | None:
        return None

    async def content(self) -> str:
        return self.document.html


class FakeEngine(BrowserEngine):
    """Serves ``pages`` (address → ``FakeDocument``); any other address is a 404 page."""

    name: ClassVar[str] = "fake"

    def __init__(self, settings: Settings, pages: dict[str, FakeDocument]) -> None:
        super().__init__(settings)
        self.pages = pages
        self.opened: list[str] = []  # every address asked for, in order

    async def start(self) -> None:
        """Nothing to launch."""

    async def close(self) -> None:
        """Nothing to stop."""

    @asynccontextmanager
    async def open(
        self,
        url: str,
        *,
        wait_for_selector: str | None = None,
        session: SessionState | None = None,
    ) -> AsyncIterator[LoadedPage]:
        self.opened.append(url)
        document = self.pages.get(url) or FakeDocument("<html><title>Not found</title></html>", 404)
        if document.error is not None:
            raise document.error
        yield FakePage(url, document)

    def session(self) -> AbstractAsyncContextManager[InteractiveTab]:
        raise NotImplementedError("the fake engine drives no journeys")


__all__ = ["FakeDocument", "FakeEngine", "FakePage"]
