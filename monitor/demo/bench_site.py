"""A generated site of many council-like pages, for benchmarks of crawling and auditing.

``BenchSite(pages=200).start()`` serves the pages on 127.0.0.1 (http.server in a thread) and
returns the base URL. Every page is about 45 KB of realistic markup: a branded header,
navigation, breadcrumbs, a long article, often a form and images, a footer; about one page
in four carries a deliberate accessibility defect. Pages are the same on every run (seeded
by their number); ``change(fraction=0.1)`` edits that share of them, so a second crawl can
measure how much work unchanged pages save.
"""

from __future__ import annotations

import html
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

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


def render_page(index: int, revision: int = 0) -> str:
    """The HTML of page ``index`` at ``revision`` (0 = as first published)."""
    rng = random.Random(index)
    topic = f"{TOPICS[index % len(TOPICS)]} ({index})"
    section = SECTIONS[index % len(SECTIONS)]
    defect = DEFECTS[index % len(DEFECTS)] if index % 4 == 3 else None
    nav = "".join(
        f'<li><a href="/services/page-{(index + step) % 997}">{html.escape(name)}</a></li>'
        for step, name in enumerate(SECTIONS, start=1)
    )
    parts: list[str] = []
    paragraph = 0
    while sum(map(len, parts)) < TARGET_BYTES - 2_400:
        paragraph += 1
        if paragraph % 6 == 1:
            parts.append(f"<h2>{html.escape(_sentence(rng)[:40])}</h2>")
        text = " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))
        link = f' <a href="/services/page-{rng.randint(0, 999)}">Find out more</a>'
        parts.append(f"<p>{text}{link if paragraph % 3 == 0 else ''}</p>")
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
        "link-name": '<a href="/services/page-1"><img src="/static/pothole.png" alt=""></a>',
        "button-name": '<button type="button" class="icon"></button>',
        "heading-order": "<h4>Also on this site</h4>",
    }.get(defect or "", "")
    form = (
        f"""<form method="post" action="/services/page-{index}/submit" class="form">
  {label}
  <fieldset><legend>How would you like to be contacted?</legend>
    <input type="radio" id="c-email" name="contact" value="email">
    <label for="c-email">Email</label>
    <input type="radio" id="c-post" name="contact" value="post">
    <label for="c-post">Post</label></fieldset>
  <button type="submit" class="button">Continue</button>
</form>"""
        if index % 2 == 0
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(topic)} - Example County Council</title>
<link rel="stylesheet" href="/static/council.css"></head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="header" role="banner"><div class="header__inner">
  <a href="/" class="header__logo"><img src="/static/logo.png" alt="Example County Council"
     width="160" height="40"></a>
  <form role="search" action="/search"><label for="q">Search</label>
    <input type="search" id="q" name="q"><button type="submit">Search</button></form>
</div></header>
<nav aria-label="Main"><ul class="nav">{nav}</ul></nav>
<nav aria-label="Breadcrumb" class="breadcrumbs"><ol>
  <li><a href="/">Home</a></li><li><a href="/sections/{index % len(SECTIONS)}">{
        html.escape(section)
    }</a></li>
  <li aria-current="page">{html.escape(topic)}</li></ol></nav>
<main id="main">
<h1>{html.escape(topic)}</h1>
{image}
{"".join(parts)}
{extra}
{form}
</main>
<footer class="footer"><ul>
  <li><a href="/accessibility">Accessibility statement</a></li>
  <li><a href="/privacy">Privacy</a></li><li><a href="/contact">Contact us</a></li>
</ul><p>© Example County Council</p></footer>
</body></html>
"""


class BenchSite:
    """``pages`` generated pages under ``/services/page-N``, an index and a sitemap."""

    def __init__(self, pages: int = 200, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pages = pages
        self.host = host
        self.port = port
        self.revisions: dict[int, int] = {}
        self._cache: dict[int, bytes] = {}
        self._changes = 0
        self._server: ThreadingHTTPServer | None = None
        self.base_url = ""

    @property
    def urls(self) -> list[str]:
        return [f"{self.base_url}/services/page-{n}" for n in range(self.pages)]

    def body(self, index: int) -> bytes:
        if index not in self._cache:
            self._cache[index] = render_page(index, self.revisions.get(index, 0)).encode()
        return self._cache[index]

    def change(self, fraction: float = 0.1) -> list[int]:
        """Edit ``fraction`` of the pages (the same ones for the same call sequence)."""
        self._changes += 1
        rng = random.Random(1000 + self._changes)
        chosen = sorted(rng.sample(range(self.pages), max(1, round(self.pages * fraction))))
        for index in chosen:
            self.revisions[index] = self.revisions.get(index, 0) + 1
            self._cache.pop(index, None)
        return chosen

    def start(self) -> str:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                status, ctype, body = 200, "text/html; charset=utf-8", b""
                if path.startswith("/services/page-") and path[15:].isdigit():
                    index = int(path[15:])
                    if index < site.pages:
                        body = site.body(index)
                    else:
                        status, body = 404, b"<!DOCTYPE html><title>Not found</title>"
                elif path.startswith("/static/") and (STATIC / path[8:]).is_file():
                    file = STATIC / path[8:]
                    body = file.read_bytes()
                    ctype = {".css": "text/css", ".png": "image/png"}.get(
                        file.suffix, "application/octet-stream"
                    )
                elif path == "/sitemap.xml":
                    ctype = "application/xml"
                    locs = "".join(f"<url><loc>{u}</loc></url>" for u in site.urls)
                    body = (
                        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
                    ).encode()
                elif path == "/":
                    links = "".join(f'<li><a href="{u}">{u}</a></li>' for u in site.urls)
                    body = (
                        '<!DOCTYPE html><html lang="en"><head><title>Example County Council'
                        f"</title></head><body><main><h1>Services</h1><ul>{links}</ul></main>"
                        "</body></html>"
                    ).encode()
                else:
                    status, body = 404, b"<!DOCTYPE html><title>Not found</title>"
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True, name="bench-site").start()
        self.base_url = f"http://{self.host}:{server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
