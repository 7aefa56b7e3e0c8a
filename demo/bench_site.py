"""A generated site of many council-like pages, for benchmarks of crawling and auditing.

``BenchSite(pages=200).start()`` serves the pages on 127.0.0.1 (http.server in a thread) and
returns the base URL. Every page is about 45 KB of realistic markup, laid out as council
sites are (``layout="council"``, the default): a cookie banner, a header with the logo,
search and main navigation (and its closed mega-menu), breadcrumbs, the page's own content
(from a short notice to a long guide, often with a form and images), a "Was this page
useful?" block and a large footer with inline icons. Everything but the breadcrumbs and
the content is the same markup on every page, as on a real council site, and the footer
carries one template defect (a social link with no name). About one page in four carries
a deliberate defect of its own, and one in five a link that hides keyboard focus.
``layout="varying"`` is the council layout as real council sites vary it from page to
page: the main navigation marks the page's section
(an "active" class and ``aria-current``), a "related pages" aside differs on every page,
the footer says when the page was last updated and the feedback block carries the page's
id. ``layout="article"`` is the worst case for shared furniture: a long article fills
almost all of every page and the navigation differs on each. Pages are the same on every
run (seeded by their number); ``change(fraction=0.1)`` edits that share of them, so a
second crawl can measure how much work unchanged pages save.

``start()`` serves the site from a process of its own, as a council's web server is
elsewhere: its work does not compete with the monitor's for this process's interpreter
(``in_process=True`` serves it from a thread, for tests).

``CouncilSite(pages=10_000)`` is a whole county council's estate built from the same
pages: ten sections (one service each) with landing and A to Z pages, a sitemap index,
per-page furniture beside the shared furniture, links between pages, and ``change`` for a
night's content updates (see the class).
"""

from __future__ import annotations

import html
import json
import random
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

STATIC = Path(__file__).resolve().parent / "static"
TARGET_BYTES = 45_000

TOPICS = [
    "Report a pothole",
    "Apply for a Blue Badge",
    "School admissions",
    "Join the library",
    "Bin collection days",
    "Council Tax bands",
    "Register a birth",
    "Book a tip visit",
    "Apply for a bus pass",
    "Adult social care",
    "Planning applications",
    "Road closures",
    "Foster a child",
    "Electoral register",
    "Flood risk",
    "Public rights of way",
]
SECTIONS = [
    "Roads, highways and transport",
    "Education and children",
    "Libraries, registrations and archives",
    "Waste and recycling",
    "Social care and health",
    "Council and democracy",
]
WORDS = [
    "resident",
    "service",
    "council",
    "apply",
    "online",
    "form",
    "eligibility",
    "evidence",
    "payment",
    "decision",
    "appointment",
    "document",
    "address",
    "postcode",
    "application",
    "support",
    "contact",
    "county",
    "library",
    "school",
    "road",
    "pavement",
    "repair",
    "report",
    "progress",
    "update",
    "weeks",
    "days",
    "request",
    "information",
    "guidance",
]
DEFECTS = ["image-alt", "label", "color-contrast", "link-name", "button-name", "heading-order"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 18))]
    return " ".join(words).capitalize() + "."


Layout = Literal["council", "varying", "article"]
LAYOUTS: tuple[Layout, ...] = ("council", "varying", "article")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

ICON = (
    '<svg class="icon" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" '
    'focusable="false"><path fill="currentColor" d="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 '
    "10-4.48 10-10S17.52 2 12 2zm1 15h-2v-6h2v6zm0-8h-2V7h2v2zm-1 13c-5.51 0-10-4.49-10-10S6.49 "
    '2 12 2s10 4.49 10 10-4.49 10-10 10z"/></svg>'
)


def _links(names: list[str], prefix: str) -> str:
    return "".join(
        f'<li><a href="/{prefix}/{n}">{html.escape(name)}</a></li>' for n, name in enumerate(names)
    )


def _head(topic: str) -> str:
    """A page's document head and the opening of its body."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(topic)} - Example County Council</title>
<link rel="stylesheet" href="/static/council.css"></head>
<body>
"""


def _cookie_banner() -> str:
    return """<div class="cookie-banner" id="cookie-banner" role="region"
  aria-label="Cookies on Example County Council"><div class="width-container">
  <h2>Cookies on our website</h2>
  <p>We use some essential cookies to make this website work.</p>
  <p>We would like to set additional cookies to understand how you use the website, remember
  your settings and improve our services for residents.</p>
  <div class="button-group"><button type="button" class="button">Accept analytics
  cookies</button><button type="button" class="button">Reject analytics cookies</button>
  <a href="/cookies">View cookies</a></div></div></div>"""


def _header(nav: str) -> str:
    mega = "".join(
        f'<div class="mega-menu__section"><h2>{html.escape(section)}</h2><ul>'
        + "".join(
            f'<li><a href="/services/{n}/{k}">{html.escape(TOPICS[(n + k) % len(TOPICS)])}</a>'
            f"<p>{html.escape(_sentence(random.Random(n * 10 + k)))}</p></li>"
            for k in range(10)
        )
        + "</ul></div>"
        for n, section in enumerate(SECTIONS)
    )
    return f"""<header class="site-header" role="banner"><div class="width-container">
  <a href="/" class="council-logo"><img src="/static/logo.png" alt="Example County Council"
     width="240" height="60"></a>
  <form role="search" action="/search" class="header-search"><label for="q">Search this
  site</label> <input type="search" id="q" name="q"> <button type="submit"
  class="button">Search</button></form>
  <ul class="header-links site-nav"><li><a href="/account">Sign in to your account</a></li>
  <li><a href="/contact">Contact us</a></li><li><a href="/translate">Translate</a></li></ul>
</div>
<nav aria-label="Main" class="site-nav"><div class="width-container"><ul>{nav}</ul>
  <button type="button" class="button" aria-expanded="false" aria-controls="mega-menu">All
  services</button>
  <div id="mega-menu" class="mega-menu" hidden>{mega}</div></div></nav></header>"""


def _feedback(page: int | None = None) -> str:
    marker = f' id="feedback-{page}" data-page="{page}"' if page is not None else ""
    return f"""<div class="width-container"><section class="dx-feedback"{marker}
  aria-label="Page feedback"><h2>Was this page useful?</h2>
  <form action="/feedback" method="post"><button type="submit" name="useful" value="yes"
  class="button">Yes</button> <button type="submit" name="useful" value="no"
  class="button">No</button></form>
  <p><a href="/feedback/problem">Report a problem with this page</a></p></section></div>"""


def _footer(updated: str = "") -> str:
    columns = "".join(
        f"<div><h2>{html.escape(section)}</h2><ul>{_links(TOPICS[n : n + 8], f'topics/{n}')}"
        "</ul></div>"
        for n, section in enumerate(SECTIONS[:4])
    )
    social = "".join(
        f'<li><a href="https://social.example/{name.lower()}" class="icon-link">{ICON}'
        f'<span class="visually-hidden">{name}</span></a></li>'
        for name in ("Facebook", "Instagram", "LinkedIn", "YouTube")
    )
    # The template's own defect: one icon link with no name, on every page.
    social += f'<li><a href="https://social.example/news" class="icon-link">{ICON}</a></li>'
    meta = _links(
        ["Accessibility statement", "Privacy", "Cookies", "Terms", "Modern slavery", "Jobs"],
        "about",
    )
    return f"""<footer class="site-footer" role="contentinfo"><div class="width-container">
  <div class="columns">{columns}</div>
  <h2>Follow us</h2><ul class="social">{social}</ul>
  <ul class="meta-links">{meta}</ul>
  {updated}<address>Example County Council, County Hall, Example Street, Exampleton</address>
  <p>All content is available under the Open Government Licence v3.0, except where
  otherwise stated. © Example County Council</p></div></footer>"""


def _section_nav(current: int | None) -> str:
    """The main navigation; on the varying layout the page's section is marked current,
    as council sites do (an "active" class and ``aria-current``)."""
    names = [*SECTIONS, "Council Tax", "Jobs", "Your council", "Contact us"]
    items = []
    for n, name in enumerate(names):
        if n == current:
            items.append(
                f'<li class="active"><a href="/sections/{n}" aria-current="true">'
                f"{html.escape(name)}</a></li>"
            )
        else:
            items.append(f'<li><a href="/sections/{n}">{html.escape(name)}</a></li>')
    return "".join(items)


def _related(index: int) -> str:
    """A per-page "related" aside: three to five other pages."""
    rng = random.Random(index * 7 + 3)
    picks = rng.sample(range(len(TOPICS)), rng.randint(3, 5))
    links = "".join(
        f'<li><a href="/services/page-{(index + k * 17) % 997}">{html.escape(TOPICS[k])}</a></li>'
        for k in picks
    )
    return (
        f'<aside class="related" aria-labelledby="related-{index}"><h2 id="related-{index}">'
        f"Related pages</h2><ul>{links}</ul></aside>"
    )


def _updated(index: int, revision: int) -> str:
    rng = random.Random(index * 31 + revision)
    day, month, year = rng.randint(1, 28), MONTHS[rng.randint(0, 11)], rng.randint(2021, 2026)
    return f'<p class="last-updated">Page last updated: {day} {month} {year}</p>\n  '


def _main(
    index: int,
    revision: int,
    defect: str | None,
    body_bytes: int,
    aside: str = "",
    link: Callable[[int], str] | None = None,
) -> str:
    rng = random.Random(index)
    link = link or (lambda n: f"/services/page-{n}")
    parts: list[str] = []
    paragraph = 0
    while sum(map(len, parts)) < body_bytes:
        paragraph += 1
        if paragraph % 6 == 1:
            parts.append(f"<h2>{html.escape(_sentence(rng)[:40])}</h2>")
        text = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        more = f' <a href="{link(rng.randint(0, 999))}">Find out more</a>'
        parts.append(f"<p>{text}{more if paragraph % 3 == 0 else ''}</p>")
        if paragraph % 9 == 0:
            items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(4))
            parts.append(f"<ul>{items}</ul>")
    if revision:
        parts.insert(0, f'<p class="notice">Updated: revision {revision} of this page.</p>')
    image = (
        '<img src="/static/pothole.png" width="120" height="80">'
        if defect == "image-alt"
        else '<img src="/static/pothole.png" width="120" height="80" alt="A pothole in a road">'
    )
    label = (
        '<input type="text" id="ref" name="ref">'
        if defect == "label"
        else '<label for="ref">Your reference</label><input type="text" id="ref" name="ref">'
    )
    extra = {
        "color-contrast": '<p style="color:#c8c8c8;background:#ffffff">Opening times vary.</p>',
        "link-name": f'<a href="{link(1)}"><img src="/static/pothole.png" alt=""></a>',
        "button-name": '<button type="button" class="icon"></button>',
        "heading-order": "<h4>Also on this site</h4>",
    }.get(defect or "", "")
    if index % 5 == 2:
        # A link styled by hand that loses the site's focus style: keyboard users cannot
        # see where they are (2.4.7), on every fifth page.
        extra += (
            '<p><a href="/services/opening-hours" style="outline:none;background:none;'
            'box-shadow:none;color:#1d5fa8;text-decoration:underline">Opening hours</a></p>'
        )
    form = (
        f"""<form method="post" action="{link(index)}/submit" class="form">
  {label}
  <fieldset><legend>How would you like to be contacted?</legend>
    <input type="radio" id="c-email" name="contact" value="email">
    <label for="c-email">Email</label>
    <input type="radio" id="c-post" name="contact" value="post">
    <label for="c-post">Post</label></fieldset>
  <button type="submit" class="button">Continue</button>
</form>"""
        if index % 2 == 0 or defect == "label"
        else ""
    )
    topic = f"{TOPICS[index % len(TOPICS)]} ({index})"
    return f"""<main id="main"><div class="width-container">
<h1>{html.escape(topic)}</h1>
{image}
{"".join(parts)}
{extra}
{form}
{aside}
</div></main>"""


def render_page(index: int, revision: int = 0, layout: Layout = "council") -> str:
    """The HTML of page ``index`` at ``revision`` (0 = as first published)."""
    topic = f"{TOPICS[index % len(TOPICS)]} ({index})"
    section = SECTIONS[index % len(SECTIONS)]
    defect = DEFECTS[index % len(DEFECTS)] if index % 4 == 3 else None
    aside = ""
    if layout in ("council", "varying"):
        # Council pages: the furniture is about half of every page; the content itself
        # ranges from a short notice to a long guide. The varying layout marks the page's
        # section in the navigation and carries a related-links aside, a "last updated"
        # date and a per-page id on the feedback block, as real council sites do.
        varying = layout == "varying"
        nav = _section_nav(index % len(SECTIONS) if varying else None)
        body_bytes = random.Random(-index).randint(6_000, 45_000)
        top = f"{_cookie_banner()}<a class='skip-link' href='#main'>Skip to main content</a>"
        top += _header(nav)
        if varying:
            aside = _related(index)
            bottom = f"{_feedback(index)}{_footer(_updated(index, revision))}"
        else:
            bottom = f"{_feedback()}{_footer()}"
    else:
        # Articles: nearly all of every page is its own text; the navigation differs too.
        nav = "".join(
            f'<li><a href="/services/page-{(index + step) % 997}">{html.escape(name)}</a></li>'
            for step, name in enumerate(SECTIONS, start=1)
        )
        body_bytes = TARGET_BYTES - 2_400
        top = "<a class='skip-link' href='#main'>Skip to main content</a>" + (
            '<header class="site-header" role="banner"><a href="/" class="council-logo">'
            '<img src="/static/logo.png" alt="Example County Council" width="240" '
            f'height="60"></a></header><nav aria-label="Main"><ul>{nav}</ul></nav>'
        )
        bottom = (
            '<footer class="site-footer"><ul><li><a href="/accessibility">Accessibility '
            'statement</a></li><li><a href="/privacy">Privacy</a></li></ul>'
            "<p>© Example County Council</p></footer>"
        )
    return (
        _head(topic)
        + f"""{top}
<nav aria-label="Breadcrumb" class="breadcrumbs"><div class="width-container"><ol>
  <li><a href="/">Home</a></li><li><a href="/sections/{index % len(SECTIONS)}">{
            html.escape(section)
        }</a></li>
  <li aria-current="page">{html.escape(topic)}</li></ol></div></nav>
{_main(index, revision, defect, body_bytes, aside)}
{bottom}
</body></html>
"""
    )


class BenchSite:
    """``pages`` generated pages under ``/services/page-N``, an index and a sitemap."""

    def __init__(
        self,
        pages: int = 200,
        host: str = "127.0.0.1",
        port: int = 0,
        layout: Layout = "council",
        *,
        in_process: bool = False,
    ) -> None:
        self.pages = pages
        self.layout = layout
        self.host = host
        self.port = port
        self.in_process = in_process
        self.revisions: dict[int, int] = {}
        self._cache: dict[int, bytes] = {}
        self._changes = 0
        self._server: ThreadingHTTPServer | None = None
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    @property
    def urls(self) -> list[str]:
        return [f"{self.base_url}/services/page-{n}" for n in range(self.pages)]

    def body(self, index: int) -> bytes:
        if index not in self._cache:
            self._cache[index] = render_page(
                index, self.revisions.get(index, 0), self.layout
            ).encode()
        return self._cache[index]

    def change(self, fraction: float = 0.1) -> list[int]:
        """Edit ``fraction`` of the pages (the same ones for the same call sequence)."""
        self._changes += 1
        rng = random.Random(1000 + self._changes)
        chosen = sorted(rng.sample(range(self.pages), max(1, round(self.pages * fraction))))
        for index in chosen:
            self.revisions[index] = self.revisions.get(index, 0) + 1
            self._cache.pop(index, None)
        if self._process is not None:
            self._tell({str(k): v for k, v in self.revisions.items()})
        return chosen

    def _tell(self, revisions: dict[str, int]) -> None:
        assert self._process is not None
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(revisions) + "\n")
        self._process.stdin.flush()
        self._process.stdout.readline()  # the edit has landed

    def start(self) -> str:
        if self.in_process:
            server = _serve_in_thread(
                self.host, self.port, lambda m, p: _bench_answer(self, m, p), "bench-site"
            )
            self._server = server
            self.base_url = f"http://{self.host}:{server.server_address[1]}"
            return self.base_url
        # A process of its own (``python -m demo.bench_site``), told of page edits on its
        # standard input, one JSON line each.
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "demo.bench_site",
                str(self.pages),
                self.layout,
                self.host,
                str(self.port),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://"):
            process.kill()
            raise RuntimeError("the benchmark site did not start")
        self._process = process
        self.base_url = line
        return self.base_url

    def stop(self) -> None:
        _stop_server(self._server)
        self._server = None
        if self._process is not None:
            with suppress(OSError, ValueError):
                assert self._process.stdin is not None
                self._process.stdin.close()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


def _serve(argv: list[str]) -> None:
    """The site's own process: serve until standard input closes, taking page edits."""
    pages, layout, host, port = int(argv[0]), argv[1], argv[2], int(argv[3])
    if layout not in LAYOUTS:
        raise SystemExit(f"unknown layout {layout!r}: one of {', '.join(LAYOUTS)}")
    site = BenchSite(pages=pages, host=host, port=port, layout=layout, in_process=True)
    print(site.start(), flush=True)
    for line in sys.stdin:
        site.revisions = {int(k): v for k, v in json.loads(line).items()}
        site._cache.clear()
        print("ok", flush=True)
    site.stop()


NOT_FOUND = b"<!DOCTYPE html><title>Not found</title>"


def _bench_answer(site: BenchSite, method: str, raw_path: str) -> tuple[int, str, bytes]:
    """What the generated site answers: its pages, static files, sitemap and index."""
    path = raw_path.split("?", 1)[0]
    html_type = "text/html; charset=utf-8"
    if path.startswith("/services/page-") and path[15:].isdigit():
        index = int(path[15:])
        return (
            (200, html_type, site.body(index))
            if index < site.pages
            else (404, html_type, NOT_FOUND)
        )
    if path.startswith("/static/") and (STATIC / path[8:]).is_file():
        file = STATIC / path[8:]
        kind = {".css": "text/css", ".png": "image/png"}.get(
            file.suffix, "application/octet-stream"
        )
        return 200, kind, file.read_bytes()
    if path == "/sitemap.xml":
        locs = "".join(f"<url><loc>{u}</loc></url>" for u in site.urls)
        return 200, "application/xml", (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
        ).encode()  # fmt: skip
    if path == "/":
        links = "".join(f'<li><a href="{u}">{u}</a></li>' for u in site.urls)
        return 200, html_type, (
            '<!DOCTYPE html><html lang="en"><head><title>Example County Council'
            f"</title></head><body><main><h1>Services</h1><ul>{links}</ul></main>"
            "</body></html>"
        ).encode()  # fmt: skip
    return 404, html_type, NOT_FOUND


def _serve_in_thread(
    host: str, port: int, answer: Callable[[str, str], tuple[int, str, bytes]], name: str
) -> ThreadingHTTPServer:
    """An HTTP/1.1 server on a thread of this process, answering GET, HEAD and POST with
    ``answer(method, path)``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, method: str) -> None:
            status, ctype, body = answer(method, self.path)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)

        def do_GET(self) -> None:
            self._reply("GET")

        def do_HEAD(self) -> None:
            self._reply("HEAD")

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._reply("POST")

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    threading.Thread(target=server.serve_forever, daemon=True, name=name).start()
    return server


def _stop_server(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()


#: A county council's sections, one online service each: (address, name).
COUNCIL_SECTIONS = [
    ("roads-and-transport", "Roads, highways and transport"),
    ("schools", "Education and children"),
    ("libraries", "Libraries, registrations and archives"),
    ("waste", "Waste and recycling"),
    ("social-care", "Social care and health"),
    ("council", "Council and democracy"),
    ("planning", "Planning and environment"),
    ("business", "Business and jobs"),
    ("leisure", "Leisure, culture and the countryside"),
    ("community", "Community and safety"),
]
#: Links on each of a section's A to Z pages.
A_TO_Z_PAGE = 100


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class CouncilSite:
    """A county council's estate: ``pages`` generated council pages in ten sections.

    Each page is built like ``render_page``'s council layout (cookie banner, header with
    search and mega-menu, footer with its one template defect, "Was this page useful?")
    plus furniture of its own: breadcrumbs to its section, an "In this section" list of
    its neighbours and a "Related pages" list, and its section's contact box (two
    sections' boxes carry a defect of their own, shared by every page of the section).
    Pages live at ``/<section>/<topic>-<n>``; each section has a landing page and A to Z
    pages linking every page of it, and its own sitemap under a sitemap index
    (``/sitemap.xml``), as council sites publish them. ``change(0.05)`` edits 5 % of the
    pages, as a night of content updates does; ``POST /__bench/change?fraction=0.05`` does
    the same from another process (``python -m demo.bench_site --council N`` serves one).
    """

    def __init__(self, pages: int = 10_000, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages = pages
        self.host = host
        self.port = port
        self.revisions: dict[int, int] = {}
        self._cache: dict[int, bytes] = {}
        self._changes = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.base_url = ""

    # --- addresses ------------------------------------------------------------------------

    @staticmethod
    def section_of(index: int) -> int:
        return index % len(COUNCIL_SECTIONS)

    def path(self, index: int) -> str:
        slug = COUNCIL_SECTIONS[self.section_of(index)][0]
        topic = _slug(TOPICS[(index // len(COUNCIL_SECTIONS)) % len(TOPICS)])
        return f"/{slug}/{topic}-{index}"

    def index_of(self, path: str) -> int | None:
        head, _, tail = path.rpartition("-")
        if not tail.isdigit() or head.count("/") != 2:
            return None
        index = int(tail)
        return index if index < self.pages and self.path(index) == path else None

    def section_pages(self, section: int) -> range:
        return range(section, self.pages, len(COUNCIL_SECTIONS))

    @property
    def urls(self) -> list[str]:
        return [self.base_url + self.path(n) for n in range(self.pages)]

    # --- pages ----------------------------------------------------------------------------

    def body(self, index: int) -> bytes:
        with self._lock:
            cached = self._cache.get(index)
        if cached is None:
            cached = self.render(index, self.revisions.get(index, 0)).encode()
            with self._lock:
                self._cache[index] = cached
        return cached

    def render(self, index: int, revision: int = 0) -> str:
        section = self.section_of(index)
        slug, name = COUNCIL_SECTIONS[section]
        topic = f"{TOPICS[(index // len(COUNCIL_SECTIONS)) % len(TOPICS)]} ({index})"
        defect = DEFECTS[index % len(DEFECTS)] if index % 4 == 3 else None
        siblings = list(self.section_pages(section))
        place = index // len(COUNCIL_SECTIONS)
        near = siblings[max(0, place - 5) : place + 6]
        rng = random.Random(-index)
        related = [rng.randrange(self.pages) for _ in range(4)]
        # The main navigation marks the page's section, as council sites do.
        nav = "".join(
            f'<li class="active"><a href="/{s}" aria-current="true">{html.escape(n)}</a></li>'
            if k == section
            else f'<li><a href="/{s}">{html.escape(n)}</a></li>'
            for k, (s, n) in enumerate(COUNCIL_SECTIONS)
        )
        in_section = "".join(
            f'<li><a href="{self.path(n)}"'
            + (' aria-current="page"' if n == index else "")
            + f">{html.escape(TOPICS[(n // len(COUNCIL_SECTIONS)) % len(TOPICS)])} ({n})</a></li>"
            for n in near
        )
        related_links = "".join(
            f'<li><a href="{self.path(n)}">{html.escape(TOPICS[n % len(TOPICS)])} ({n})</a></li>'
            for n in related
        )
        # The section's contact box: the same on every page of the section; two sections'
        # boxes have a defect of their own (an image link with no name, a low contrast).
        contact_defect = {
            2: '<a href="/libraries/contact"><img src="/static/logo.png" alt=""></a>',
            7: '<p style="color:#b0b0b0;background:#ffffff">Open 9am to 5pm.</p>',
        }.get(section, "")
        aside = f"""<aside class="sidebar" aria-label="In this section">
  <h2>In this section</h2><ul>{in_section}</ul>
  <h2>Related pages</h2><ul>{related_links}</ul>
  <div class="contact-box"><h2>Contact {html.escape(name)}</h2>
  <p>Phone 03000 41 41 41, Monday to Friday.</p>{contact_defect}
  <p><a href="/{slug}/contact">All the ways to contact us</a></p></div></aside>"""
        body_bytes = random.Random(-index).randint(6_000, 45_000)
        main = _main(index, revision, defect, body_bytes, link=lambda n: self.path(n % self.pages))
        skip = "<a class='skip-link' href='#main'>Skip to main content</a>"
        return (
            _head(topic)
            + f"""{_cookie_banner()}{skip}{_header(nav)}
<nav aria-label="Breadcrumb" class="breadcrumbs"><div class="width-container"><ol>
  <li><a href="/">Home</a></li><li><a href="/{slug}">{html.escape(name)}</a></li>
  <li aria-current="page">{html.escape(topic)}</li></ol></div></nav>
{main}
<div class="width-container">{aside}</div>
{_feedback(index)}{_footer(_updated(index, revision))}
</body></html>
"""
        )

    def landing(self, section: int, letter_page: int | None = None) -> str:
        slug, name = COUNCIL_SECTIONS[section]
        pages = list(self.section_pages(section))
        chunks = max(1, -(-len(pages) // A_TO_Z_PAGE))
        if letter_page is None:
            items = "".join(
                f'<li><a href="/{slug}/a-to-z/{k}">Services {k * A_TO_Z_PAGE + 1} to '
                f"{min(len(pages), (k + 1) * A_TO_Z_PAGE)}</a></li>"
                for k in range(chunks)
            )
            heading = name
        else:
            chosen = pages[letter_page * A_TO_Z_PAGE : (letter_page + 1) * A_TO_Z_PAGE]
            items = "".join(f'<li><a href="{self.path(n)}">Page {n}</a></li>' for n in chosen)
            heading = f"{name}: A to Z, part {letter_page + 1}"
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(heading)} - Example County Council</title></head><body>"
            f"<main><h1>{html.escape(heading)}</h1><ul>{items}</ul></main></body></html>"
        )

    def change(self, fraction: float = 0.05) -> list[int]:
        """Edit ``fraction`` of the pages (the same ones for the same call sequence)."""
        self._changes += 1
        rng = random.Random(2000 + self._changes)
        chosen = sorted(rng.sample(range(self.pages), max(1, round(self.pages * fraction))))
        with self._lock:
            for index in chosen:
                self.revisions[index] = self.revisions.get(index, 0) + 1
                self._cache.pop(index, None)
        return chosen

    # --- serving --------------------------------------------------------------------------

    def _answer(self, method: str, raw_path: str) -> tuple[int, str, bytes]:
        path, _, query = raw_path.partition("?")
        xml = "application/xml"
        if method == "POST" and path == "/__bench/change":
            fraction = float(dict(p.split("=", 1) for p in query.split("&") if "=" in p).get(
                "fraction", "0.05"
            ))  # fmt: skip
            changed = [self.base_url + self.path(n) for n in self.change(fraction)]
            return 200, "application/json", json.dumps(changed).encode()
        if path == "/sitemap.xml":
            locs = "".join(
                f"<sitemap><loc>{self.base_url}/sitemaps/{slug}.xml</loc></sitemap>"
                for slug, _ in COUNCIL_SECTIONS
            )
            return 200, xml, (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
            ).encode()  # fmt: skip
        slugs = [slug for slug, _ in COUNCIL_SECTIONS]
        if path.startswith("/sitemaps/") and path[10:-4] in slugs:
            section = slugs.index(path[10:-4])
            locs = "".join(
                f"<url><loc>{self.base_url}{self.path(n)}</loc></url>"
                for n in self.section_pages(section)
            )
            return 200, xml, (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
            ).encode()  # fmt: skip
        if path.startswith("/static/") and (STATIC / path[8:]).is_file():
            file = STATIC / path[8:]
            kind = {".css": "text/css", ".png": "image/png"}.get(file.suffix, "text/plain")
            return 200, kind, file.read_bytes()
        parts = path.strip("/").split("/")
        if parts[0] in slugs and len(parts) == 1:
            return 200, "text/html; charset=utf-8", self.landing(slugs.index(parts[0])).encode()
        if parts[0] in slugs and len(parts) == 3 and parts[1] == "a-to-z" and parts[2].isdigit():
            page = self.landing(slugs.index(parts[0]), int(parts[2]))
            return 200, "text/html; charset=utf-8", page.encode()
        index = self.index_of(path)
        if index is not None:
            return 200, "text/html; charset=utf-8", self.body(index)
        return 404, "text/html; charset=utf-8", NOT_FOUND

    def start(self) -> str:
        server = _serve_in_thread(self.host, self.port, self._answer, "council-site")
        self._server = server
        self.base_url = f"http://{self.host}:{server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        _stop_server(self._server)
        self._server = None


def _serve_council(argv: list[str]) -> None:
    """``python -m demo.bench_site --council N [--port P]``: serve a council estate from
    this process (benchmarks run it apart from the monitor, as a real site is), print its
    address on one line, and serve until stopped."""
    pages = int(argv[argv.index("--council") + 1])
    port = int(argv[argv.index("--port") + 1]) if "--port" in argv else 0
    site = CouncilSite(pages=pages, port=port)
    print(site.start(), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    if "--council" in sys.argv:
        _serve_council(sys.argv[1:])
    else:
        _serve(sys.argv[1:])
