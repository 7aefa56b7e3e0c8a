"""Hostile pages under ``/test/`` for the resilience tests of crawlers and browsers.

None of them is linked from a service or listed in a sitemap. Each one misbehaves in one
way: slow, failing, looping, huge, never finishing, opening dialogs or pop-ups, hanging the
renderer, and so on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from demo.common import Ctx, Handler, Response, csrf_input, esc, redirect

MAX_SLOW_SECONDS = 300.0
NEVER_LOADS_SECONDS = 120
HUGE_BYTES = 10 * 1024 * 1024
UNREACHABLE_URL = "http://127.0.0.1:9/unreachable"  # the discard port: nothing listens


def _doc(ctx: Ctx, title: str, body: str, *, head: str = "", status: int = 200) -> Response:
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)} - Test page</title>
<meta name="generated" content="{esc(ctx.generated)}">
{head}
</head>
<body>
<main>
<h1>{esc(title)}</h1>
{body}
</main>
</body>
</html>
"""
    return Response(status=status, body=html)


def slow(ctx: Ctx) -> Response:
    try:
        seconds = float(ctx.query.get("seconds", "5"))
    except ValueError:
        seconds = 5.0
    seconds = min(max(seconds, 0.0), MAX_SLOW_SECONDS)
    response = _doc(ctx, "Slow page", f"<p>This page took {seconds:g} seconds to answer.</p>")
    response.delay = seconds
    return response


def error_500(ctx: Ctx) -> Response:
    return _doc(ctx, "Internal server error", "<p>Something went wrong.</p>", status=500)


def error_404(ctx: Ctx) -> Response:
    return _doc(ctx, "Not found", "<p>This test page does not exist.</p>", status=404)


def redirect_loop(ctx: Ctx) -> Response:
    return redirect("/test/redirect-loop-b", status=302)


def redirect_loop_b(ctx: Ctx) -> Response:
    return redirect("/test/redirect-loop", status=302)


_huge_lock = threading.Lock()
_huge_cache: list[bytes] = []


def _huge_body() -> bytes:
    with _huge_lock:
        if not _huge_cache:
            head = (
                '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
                "<title>Huge page - Test page</title></head>\n<body><main><h1>Huge page</h1>\n"
            )
            tail = "</main></body></html>\n"
            row = (
                "<p>Row {:07d}: this page is about ten megabytes of repeated paragraphs to test "
                "size limits.</p>\n"
            )
            parts = [head]
            size = len(head) + len(tail)
            index = 0
            while size < HUGE_BYTES:
                line = row.format(index)
                parts.append(line)
                size += len(line)
                index += 1
            parts.append(tail)
            _huge_cache.append("".join(parts).encode("ascii"))
        return _huge_cache[0]


def huge(ctx: Ctx) -> Response:
    return Response(body=_huge_body())


def dialog(ctx: Ctx) -> Response:
    script = f"""<script nonce="{esc(ctx.nonce)}">
window.addEventListener('load', function () {{
  alert('This page opens an alert dialog.');
  var answer = confirm('Do you want to continue?');
  document.getElementById('answer').textContent = answer ? 'OK' : 'Cancel';
}});
window.onbeforeunload = function (event) {{
  event.preventDefault(); event.returnValue = ''; return '';
}};
</script>"""
    return _doc(ctx, "Dialogs", '<p>Confirm answer: <span id="answer">none</span></p>', head=script)


def navigate_away(ctx: Ctx) -> Response:
    script = f"""<script nonce="{esc(ctx.nonce)}">
window.addEventListener('load', function () {{
  setTimeout(function () {{ window.location.href = '/test/landing'; }}, 200);
}});
</script>"""
    return _doc(
        ctx, "Navigate away", "<p>This page moves to another page after it loads.</p>", head=script
    )


def popup(ctx: Ctx) -> Response:
    script = f"""<script nonce="{esc(ctx.nonce)}">
window.addEventListener('load', function () {{ window.open('/test/landing', '_blank'); }});
</script>"""
    return _doc(ctx, "Pop-up", "<p>This page opens a pop-up window when it loads.</p>", head=script)


def landing(ctx: Ctx) -> Response:
    return _doc(ctx, "Landing page", "<p>Pages that navigate or open pop-ups end up here.</p>")


def download(ctx: Ctx) -> Response:
    rows = "".join(f"{i},Pothole report {i},open\n" for i in range(200))
    return Response(
        body=("id,title,status\n" + rows).encode(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="pothole-reports.csv"'},
    )


def binary(ctx: Ctx) -> Response:
    """A megabyte to download that is no document (an installer, say): the monitor must
    not read it, let alone call it an audited document."""
    return Response(
        body=bytes(range(256)) * 4096,
        content_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="setup.bin"'},
    )


def never_loads(ctx: Ctx) -> Response:
    def trickle() -> Iterator[bytes]:
        yield (
            b'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
            b"<title>Never loads - Test page</title></head>\n<body><main><h1>Never loads</h1>"
            b"<p>Loading"
        )
        for _second in range(NEVER_LOADS_SECONDS):
            if ctx.stopping.wait(1.0):
                return
            yield b"."
        yield b"</p></main></body></html>\n"

    return Response(chunks=trickle())


def js_loop(ctx: Ctx) -> Response:
    script = f'<script nonce="{esc(ctx.nonce)}">while (true) {{ }}</script>'
    return _doc(ctx, "Script that never ends", f"<p>A script below loops forever.</p>{script}")


def links(ctx: Ctx) -> Response:
    body = f"""
<ul>
  <li><a href="/">A working link to the home page</a></li>
  <li><a href="/test/no-such-page">A link to a page that does not exist</a></li>
  <li><a href="{UNREACHABLE_URL}">A link to a server that is not running</a></li>
  <li><a href="mailto:web.team@example.gov.uk">Email the web team</a></li>
  <li><a href="tel:+443000414141">Call 03000 41 41 41</a></li>
</ul>
"""
    return _doc(ctx, "Links", body)


def csrf(ctx: Ctx) -> Response:
    nonce = esc(ctx.nonce)
    body = f"""
<p>Everything on this page is the same on every request except per-request tokens: the
CSRF token of each form, the script nonce and the generated timestamp.</p>
<form method="post" action="/test/csrf">{csrf_input(ctx)}
  <label for="search">Search</label> <input type="text" id="search" name="q">
  <button type="submit">Search</button>
</form>
<form method="post" action="/test/csrf">{csrf_input(ctx)}
  <button type="submit">Sign out</button>
</form>
<script nonce="{nonce}">document.documentElement.className = 'js';</script>
<script nonce="{nonce}">window.dxReady = true;</script>
"""
    return _doc(ctx, "Per-request tokens", body)


HOSTILE_PAGES: dict[str, Handler] = {
    "/test/slow": slow,
    "/test/500": error_500,
    "/test/404": error_404,
    "/test/redirect-loop": redirect_loop,
    "/test/redirect-loop-b": redirect_loop_b,
    "/test/huge": huge,
    "/test/dialog": dialog,
    "/test/navigate-away": navigate_away,
    "/test/popup": popup,
    "/test/landing": landing,
    "/test/download": download,
    "/test/binary": binary,
    "/test/never-loads": never_loads,
    "/test/js-loop": js_loop,
    "/test/links": links,
    "/test/csrf": csrf,
}
