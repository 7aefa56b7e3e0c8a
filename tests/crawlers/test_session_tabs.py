"""The engines' pooled tabs and signed-in sessions, in both engines: a tab given a session
keeps it (cookies and local storage) from page to page, a public page is never opened in
it and never sees it, and the tabs of an expired session are closed once it is renewed."""

from __future__ import annotations

import asyncio

import pytest

from crawlers.browser_state import SessionState
from crawlers.engines import make_engine
from monitor.settings import Settings
from tests.servers import html_site

pytestmark = pytest.mark.browser

#: What the page can see of a session: its (script-readable) cookies and local storage.
PAGE = """<!DOCTYPE html><html lang="en"><head><title>page</title></head><body><main>
<h1>What this tab holds</h1>
<script>
  document.title = 'cookie:' + document.cookie + '|store:' + (localStorage.getItem('k') || '');
</script></main></body></html>"""


def _state(base: str, generation: int, value: str) -> SessionState:
    return SessionState.build(
        "svc",
        generation,
        [{"name": "session", "value": value, "domain": "127.0.0.1", "path": "/"}],
        {base: {"k": f"stored-{value}"}},
        [base],
    )


@pytest.mark.parametrize("engine", ["playwright", "selenium"])
def test_a_tab_holds_one_session_and_public_pages_never_see_it(engine: str) -> None:
    settings = Settings(concurrency=1, network_idle_seconds=0.2, page_timeout_seconds=20)

    async def visit(base: str) -> tuple[list[str], int, list[str], list[int]]:
        first, renewed = _state(base, 1, "one"), _state(base, 2, "two")
        async with make_engine(settings, engine) as pool:
            titles = []
            for session in (first, None, first, None):
                async with pool.open(base + "/page", session=session) as page:
                    titles.append(page.title)
            made = pool.contexts_created  # type: ignore[attr-defined]
            async with pool.open(base + "/page", session=renewed) as page:
                after = [page.title]
            held = [t.session.generation for t in pool._idle if t.session is not None]  # type: ignore[attr-defined]
            return titles, made, after, held

    with html_site(lambda _path: PAGE) as base:
        titles, made, after, held = asyncio.run(visit(base))
    signed, public = "cookie:session=one|store:stored-one", "cookie:|store:"
    assert titles == [signed, public, signed, public]
    # One tab for the session, one for public pages, each used twice.
    assert made == 2
    assert after == ["cookie:session=two|store:stored-two"]
    assert held == [2]  # the expired session's tab was closed, not left idle
