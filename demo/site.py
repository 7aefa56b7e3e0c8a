"""The demo council site: two local HTTP servers (the council's host and a supplier's).

``DemoSite`` serves "Example County Council" on ``base_url`` and the supplier-run
"Pay a parking fine" on ``supplier_url`` (by default the next port), from background
threads of the standard library's ``ThreadingHTTPServer``. Every deliberate defect listed
in ``manifest.json`` can be removed and put back at run time (``fix_defect`` /
``restore_defect``), and a paragraph can be added to any page or app route
(``set_page_text``), so the monitor's tests can exercise "issue fixed" and "page changed".

Besides the public services, "My account" (``demo/account.py``) sits behind a sign-in
(``accounts``: its sessions, and what tests change about signing in), and "Parking
permits" (``demo/permits.py``) is a single-page app with a client-side router. Every
request is noted in ``requests`` (method and address), so tests can tell what the monitor
asked for, and what it never did.

Every HTML response carries per-request noise that must not count as a change: a random
CSRF token in each form, a ``<meta name="generated">`` timestamp and a random script nonce.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import logging
import secrets
import threading
from collections import deque
from datetime import UTC, datetime
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

import demo.permits as permits
from demo.account import ACCOUNT_PAGES
from demo.common import Ctx, Handler, Response
from demo.documents import (
    GUIDE_TITLE,
    STANDARDS_LINES,
    STANDARDS_TITLE,
    build_admissions_guide,
)
from demo.hostile import HOSTILE_PAGES
from demo.manifest import load_manifest
from demo.pages import MAIN_PAGES, REPAIR_STANDARDS, not_found
from demo.sessions import Accounts
from demo.supplier import SUPPLIER_PAGES, supplier_not_found

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
GUIDE_PATH = "/documents/admissions-guide.pdf"
SITEMAP_LASTMOD = "2026-10-01"
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
HostKind = Literal["main", "supplier"]


class PortInUseError(RuntimeError):
    """The port the demo site should listen on is already taken."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(
            f"port {port} on {host} is already in use: stop whatever is using it or pass --port"
        )
        self.host = host
        self.port = port


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: DemoSite, kind: HostKind) -> None:
        self.site = site
        self.kind: HostKind = kind
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("demo site: error while serving %s", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "ExampleCouncilDemo/1.0"
    sys_version = ""
    timeout = 60

    def log_message(self, format: str, *args: Any) -> None:  # quiet access log
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        site = self.server.site
        try:
            form: dict[str, str] = {}
            if method == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, 1_000_000)) if length > 0 else b""
                form = _first_values(raw.decode("utf-8", "replace"))
            response = site._respond(
                self.server.kind, method, self.path, form, _cookies(self.headers.get("Cookie"))
            )
        except Exception:
            log.exception("demo site: handler failed for %s %s", method, self.path)
            response = Response(status=500, body=b"Internal error", content_type="text/plain")
        with contextlib.suppress(ConnectionError, TimeoutError, OSError):
            self._send(method, response, site._stopping)

    def _send(self, method: str, response: Response, stopping: threading.Event) -> None:
        if response.delay > 0 and stopping.wait(response.delay):
            return  # shutting down
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.content_type.startswith("text/html"):
            self.send_header("Cache-Control", "no-store")
        if response.chunks is not None:
            self.send_header("Connection", "close")
            self.end_headers()
            if method != "HEAD":
                for chunk in response.chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            self.close_connection = True
            return
        payload = response.payload()
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)


def _cookies(header: str | None) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _first_values(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _static_files() -> dict[str, Path]:
    return {
        f"/static/{p.name}": p
        for p in STATIC_DIR.iterdir()
        if p.is_file() and p.suffix in CONTENT_TYPES
    }


class DemoSite:
    """The local demo of a council's online services (see the module docstring)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8700,
        supplier_port: int | None = None,
        feedback_url: str | None = None,
        slow_page_seconds: float = 2.0,
    ) -> None:
        self.host = host
        self.port = port
        self.supplier_port = supplier_port
        self.feedback_url = feedback_url.rstrip("/") if feedback_url else None
        self.slow_page_seconds = slow_page_seconds
        self.manifest = load_manifest()
        self._defect_ids = {d.id for d in self.manifest.defects}
        self._fixed: set[str] = set()
        self._page_text: dict[str, str] = {}
        self._lock = threading.Lock()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._static = _static_files()
        self._bound: tuple[int, int] | None = None
        self.accounts = Accounts()
        #: ``(host, method, address)`` of every request, newest last.
        self.requests: deque[tuple[HostKind, str, str]] = deque(maxlen=100_000)

    # ----- addresses ---------------------------------------------------------------------

    def _url(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """The council's host, e.g. ``http://127.0.0.1:8700`` (the real port once started)."""
        if self._bound:
            return self._url(self._bound[0])
        if self.port == 0:
            raise RuntimeError("the demo site picks its port when it starts: call start() first")
        return self._url(self.port)

    @property
    def supplier_url(self) -> str:
        """The supplier's host ("Pay a parking fine"), by default on the next port."""
        if self._bound:
            return self._url(self._bound[1])
        if self.port == 0 and not self.supplier_port:
            raise RuntimeError("the demo site picks its port when it starts: call start() first")
        return self._url(self.supplier_port or self.port + 1)

    # ----- life cycle --------------------------------------------------------------------

    def _bind(self, port: int, kind: HostKind) -> _Server:
        try:
            return _Server((self.host, port), self, kind)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortInUseError(self.host, port) from None
            raise

    def start(self) -> DemoSite:
        """Serve both hosts from background threads; raises ``PortInUseError``."""
        if self._servers:
            return self
        self._stopping.clear()
        main = self._bind(self.port, "main")
        try:
            if self.supplier_port is not None:
                supplier_port = self.supplier_port
            else:
                supplier_port = 0 if self.port == 0 else main.server_address[1] + 1
            supplier = self._bind(supplier_port, "supplier")
        except BaseException:
            main.server_close()
            raise
        self._servers = [main, supplier]
        self._bound = (int(main.server_address[1]), int(supplier.server_address[1]))
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"demo-site-{server.kind}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop both servers (slow and never-ending responses are cut short)."""
        self._stopping.set()
        servers, self._servers = self._servers, []
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        self._bound = None

    def serve_forever(self) -> None:
        """Start (if needed) and block until Ctrl-C, then stop."""
        self.start()
        try:
            while self._servers and not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ----- run-time changes --------------------------------------------------------------

    def _check_defect(self, defect_id: str) -> None:
        if defect_id not in self._defect_ids:
            raise KeyError(f"no defect {defect_id!r} in the demo manifest")

    def fix_defect(self, defect_id: str) -> None:
        """Remove one manifest defect from what the site serves."""
        self._check_defect(defect_id)
        with self._lock:
            self._fixed.add(defect_id)

    def restore_defect(self, defect_id: str) -> None:
        """Put a fixed manifest defect back."""
        self._check_defect(defect_id)
        with self._lock:
            self._fixed.discard(defect_id)

    def restore_all(self) -> None:
        with self._lock:
            self._fixed.clear()
            self._page_text.clear()
        self.accounts.reset()

    def defect_active(self, defect_id: str) -> bool:
        self._check_defect(defect_id)
        return defect_id not in self._fixed

    def set_page_text(self, path: str, extra_paragraph: str | None) -> None:
        """Add (or, with ``None``, remove) a paragraph at the end of a page's main content
        (or of an app route's view: ``/parking-permits/prices``, ``/parking-permits#/visitors``)."""
        with self._lock:
            if extra_paragraph is None:
                self._page_text.pop(path, None)
            else:
                self._page_text[path] = extra_paragraph

    # ----- requests ----------------------------------------------------------------------

    def requested(self, path: str) -> list[tuple[HostKind, str, str]]:
        """The requests whose address (path, then query) starts with ``path``."""
        return [r for r in list(self.requests) if r[2].startswith(path)]

    def _context(
        self,
        kind: HostKind,
        method: str,
        path: str,
        query: str,
        form: dict[str, str],
        cookies: dict[str, str] | None = None,
    ) -> Ctx:
        return Ctx(
            path=path,
            host=kind,
            main_url=self.base_url,
            supplier_url=self.supplier_url,
            feedback_url=self.feedback_url,
            active=lambda defect_id: defect_id not in self._fixed,
            csrf=secrets.token_urlsafe(24),
            nonce=secrets.token_urlsafe(16),
            generated=datetime.now(UTC).isoformat(timespec="microseconds"),
            extra_paragraph=self._page_text.get(path),
            method="POST" if method == "POST" else "GET",
            query=_first_values(query),
            form=form,
            slow_seconds=self.slow_page_seconds,
            stopping=self._stopping,
            cookies=cookies or {},
            accounts=self.accounts,
            text_for=self._page_text.get,
        )

    def _respond(
        self,
        kind: HostKind,
        method: str,
        target: str,
        form: dict[str, str],
        cookies: dict[str, str] | None = None,
    ) -> Response:
        self.requests.append((kind, method, target))
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        ctx = self._context(kind, method, path, parts.query, form, cookies)
        pages: dict[str, Handler] = MAIN_PAGES if kind == "main" else SUPPLIER_PAGES
        handler = pages.get(path)
        if kind == "main" and handler is None:
            handler = ACCOUNT_PAGES.get(path) or HOSTILE_PAGES.get(path)
        if kind == "main" and handler is None and method != "POST":
            if path == permits.API:
                handler = permits.view
            elif permits.serves(path):
                handler = permits.shell  # the app's history fallback: every route, one shell
        if method == "POST" and handler is None:
            return Response(
                status=405,
                body=b"Method not allowed\n",
                content_type="text/plain; charset=utf-8",
                headers={"Allow": "GET, HEAD"},
            )
        if handler is not None:
            return handler(ctx)
        files = self._file(kind, path)
        if files is not None:
            return files
        return not_found(ctx) if kind == "main" else supplier_not_found(ctx)

    def _file(self, kind: HostKind, path: str) -> Response | None:
        static = self._static.get(path)
        if static is not None:
            return Response(
                body=static.read_bytes(),
                content_type=CONTENT_TYPES[static.suffix],
                headers={"Cache-Control": "public, max-age=300"},
            )
        if path == "/favicon.ico":
            return Response(
                body=(STATIC_DIR / "favicon.ico").read_bytes(), content_type="image/x-icon"
            )
        if path == "/robots.txt":
            return Response(body=self._robots(kind), content_type="text/plain; charset=utf-8")
        if kind == "main":
            if path == GUIDE_PATH:
                return Response(
                    body=self._guide(),
                    content_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="admissions-guide.pdf"'},
                )
            if path == REPAIR_STANDARDS:
                return Response(
                    body=self._standards(),
                    content_type="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="road-repair-standards.pdf"'},
                )
            if path == "/sitemap.xml":
                return self._xml(self._sitemap_index())
            if path == "/sitemap-services.xml":
                return self._xml(self._urlset("main", services=True))
            if path == "/sitemap-information.xml.gz":
                body = gzip.compress(self._urlset("main", services=False).encode(), mtime=0)
                return Response(body=body, content_type="application/gzip")
        elif path == "/sitemap.xml":
            return self._xml(self._urlset("supplier", services=True))
        return None

    def _guide(self) -> bytes:
        untagged = self.defect_active("school-guide-pdf-untagged")
        untitled = self.defect_active("school-guide-pdf-title")
        if untagged and untitled:
            return (STATIC_DIR / "admissions-guide.pdf").read_bytes()
        return build_admissions_guide(tagged=not untagged, title=None if untitled else GUIDE_TITLE)

    def _standards(self) -> bytes:
        return build_admissions_guide(
            tagged=not self.defect_active("pothole-standards-pdf-untagged"),
            title=None if self.defect_active("pothole-standards-pdf-title") else STANDARDS_TITLE,
            lines=STANDARDS_LINES,
        )

    def _robots(self, kind: HostKind) -> str:
        if kind == "main":
            return (
                f"# robots.txt for {self.manifest.council}\n"
                "User-agent: *\n"
                "Disallow: /private/\n"
                "\n"
                f"Sitemap: {self.base_url}/sitemap.xml\n"
            )
        return (
            "# ParkRight Services\n"
            "User-agent: *\n"
            "Allow: /\n"
            "\n"
            f"Sitemap: {self.supplier_url}/sitemap.xml\n"
        )

    @staticmethod
    def _xml(text: str) -> Response:
        return Response(body=text, content_type="application/xml; charset=utf-8")

    def _sitemap_index(self) -> str:
        entries = "".join(
            f"  <sitemap>\n    <loc>{xml_escape(self.base_url + name)}</loc>\n"
            f"    <lastmod>{SITEMAP_LASTMOD}</lastmod>\n  </sitemap>\n"
            for name in ("/sitemap-services.xml", "/sitemap-information.xml.gz")
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>\n"
        )

    def sitemap_paths(self, kind: HostKind, *, services: bool | None = None) -> list[str]:
        """Paths listed in a host's sitemaps (services=False: the council-website pages)."""
        paths = []
        for page in self.manifest.pages:
            if page.host != kind or not page.in_sitemap:
                continue
            is_info = page.service == "council-website"
            if services is None or (services != is_info):
                paths.append(page.path)
        return paths

    def _urlset(self, kind: HostKind, *, services: bool) -> str:
        base = self.base_url if kind == "main" else self.supplier_url
        entries = "".join(
            f"  <url>\n    <loc>{xml_escape(base + path)}</loc>\n"
            f"    <lastmod>{SITEMAP_LASTMOD}</lastmod>\n  </url>\n"
            for path in self.sitemap_paths(kind, services=services if kind == "main" else None)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</urlset>\n"
        )
