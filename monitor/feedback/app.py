"""The feedback collector: a small HTTP service residents' feedback arrives at.

Ways in: ``POST /api/feedback`` (JSON, used by the widget and by other systems), ``POST
/feedback`` (a plain HTML form that works with JavaScript off and redirects back), ``GET
/feedback`` (the full form, for residents without JavaScript), ``/widget.js`` and
``/widget.css`` (the widget a service page embeds). ``/openapi.json`` describes the API.

What happens to a post, in order: the body is refused if it is too large (before it is
parsed); it is validated; the client's address becomes today's salted hash (the address
itself is never stored or logged); the rate limit is applied; a filled honeypot is
answered as accepted and dropped; personal data is redacted from the page address and
every text field; a repeat of the same words from the same client within the duplicate
window is answered as accepted and dropped; the row is committed (in a group commit with
other posts) and only then is the post answered.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import ipaddress
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from importlib import resources
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import uvicorn
import uvicorn.config
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import Headers, UploadFile
from starlette.requests import ClientDisconnect

from monitor import __version__
from monitor.config import CouncilConfig
from monitor.db import upgrade
from monitor.feedback.pages import form_page, message_page, thanks_page
from monitor.feedback.ratelimit import PENDING, AbuseStore, ClientHasher, abuse_store
from monitor.feedback.redaction import Redactor
from monitor.feedback.submission import (
    FeedbackIn,
    FieldError,
    InvalidSubmission,
    parse_submission,
)
from monitor.feedback.writer import FeedbackWriter, writer_repository
from monitor.models import utcnow
from monitor.ports import bind
from monitor.repository import Repository
from monitor.settings import Settings

log = logging.getLogger("monitor.feedback")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

THANKS_QUERY = "dx-feedback=thanks"
_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# --- the size limit, enforced on the raw body ---------------------------------------------


class BodyTooLarge(Exception):
    """The request body passed ``feedback_max_body_bytes`` while it was being read."""


def _errors_body(errors: list[FieldError]) -> bytes:
    return json.dumps({"detail": [e.as_dict() for e in errors]}).encode()


class BodyLimitMiddleware:
    """Refuse bodies over the limit before anything parses them.

    A declared Content-Length over the limit is refused at once; a chunked body (no
    Content-Length) is counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    await self._refuse(send, declared)
                    return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send: Send, declared: int) -> None:
        if declared < 0:
            status, message = 400, "Content-Length is not a number"
        else:
            status, message = 413, f"at most {self.max_bytes:,} bytes"
        body = _errors_body([FieldError("body", message)])
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# --- residents' posts, straight to the handler ----------------------------------------------


API_PATH = "/api/feedback"


def _route(scope: Scope) -> str:
    """The path FastAPI routes by: without the prefix the collector may be served under."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class ApiHandler(Protocol):
    def __call__(
        self,
        media_type: str,
        read_body: Callable[[], Awaitable[bytes]],
        address: str,
        source: str | None,
        wants_html: bool,
    ) -> Awaitable[Response]: ...


class ApiFastPath:
    """``POST /api/feedback`` handed straight to its handler, past FastAPI's routing.

    FastAPI's exception and exit-stack middlewares, router, request object and parameter
    solving took about 0.1 ms of the event loop's time per post, as much as redacting it
    (README, Benchmarks). The handler is the very function the FastAPI route calls (which
    stays, for the OpenAPI description), so the answers are the same. Everything else goes
    on to FastAPI.
    """

    def __init__(self, app: ASGIApp, handler: ApiHandler) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or _route(scope) != API_PATH:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        client = scope.get("client")

        async def read_body() -> bytes:
            chunks = []
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    return b"".join(chunks)

        response = await self.handler(
            _media_type(headers),
            read_body,
            client[0] if client else "unknown",
            (query.get("source") or [None])[-1],
            _wants_html(headers),
        )
        await response(scope, receive, send)


# --- the collector ------------------------------------------------------------------------


@dataclass
class Counts:
    """What the collector did since it started (``GET /healthz``); never who sent what."""

    accepted: int = 0  # answered as accepted (stored, duplicates and honeypots)
    stored: int = 0
    duplicates: int = 0
    honeypot: int = 0
    rate_limited: int = 0
    rejected: int = 0  # invalid, too large, wrong content type
    failed: int = 0  # could not be stored (answered 503)


@dataclass(frozen=True)
class SubmissionResult:
    status: str  # stored | duplicate | honeypot | rate_limited
    feedback_id: int | None = None


class Collector:
    """The collector's state: config, redactor, abuse controls and the writer."""

    def __init__(self, settings: Settings, config: CouncilConfig, repository: Repository) -> None:
        self.settings = settings
        self.config = config
        self.services = {s.id: s for s in config.services}
        self.redactor = Redactor.for_council(config.feedback)
        self.hasher = ClientHasher(settings.feedback_secret)
        self.writer = FeedbackWriter(repository)
        self.store: AbuseStore | None = None
        self.counts = Counts()
        self.domains = sorted({d.lower().strip(".") for d in config.brand.domains if d})
        self.hosts = sorted({h for s in config.services for h in s.hosts})

    # Where residents' browsers may post from and be sent back to.

    def allowed_origin(self, url: str | None) -> str | None:
        """``scheme://host[:port]`` of the URL if it is one of the council's sites, else None."""
        if not url:
            return None
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            netloc = parts.netloc.lower()
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or not host or "@" in netloc:
            return None
        if netloc in self.hosts or any(host == d or host.endswith("." + d) for d in self.domains):
            return f"{parts.scheme}://{netloc}"
        return None

    def origin_regex(self) -> str:
        domains = "|".join(rf"(?:[a-z0-9-]+\.)*{re.escape(d)}(?::\d+)?" for d in self.domains)
        hosts = "|".join(re.escape(h) for h in self.hosts)
        choices = "|".join(x for x in (domains, hosts) if x) or "(?!)"
        return rf"https?://(?:{choices})"

    def form_action_sources(self) -> str:
        sources = []
        for domain in self.domains:
            sources += [f"http://{domain}:*", f"https://{domain}:*"]
            if not _is_ip(domain):
                sources.append(f"https://*.{domain}:*")
        sources += [f"http://{h}" for h in self.hosts] + [f"https://{h}" for h in self.hosts]
        return " ".join(dict.fromkeys(sources))

    def service_site(self, service_id: str) -> str | None:
        service = self.services.get(service_id)
        if service is None:
            return None
        parts = urlsplit(service.start_urls[0])
        return f"{parts.scheme}://{parts.netloc}"

    # Accepting one submission.

    async def accept(self, submission: FeedbackIn, address: str, source: str) -> SubmissionResult:
        assert self.store is not None, "the collector has not started"
        client = self.hasher(address)
        if not await self.store.allow(client, self.settings.feedback_rate_limit_per_minute):
            self.counts.rate_limited += 1
            return SubmissionResult("rate_limited")
        if submission.website:
            # A robot filled the field people cannot see: say thank you, keep nothing.
            self.counts.honeypot += 1
            self.counts.accepted += 1
            log.info("honeypot field filled: submission for %s discarded", submission.service)
            return SubmissionResult("honeypot")
        page, (comment, what_doing, what_wrong), flags = self.redactor.redact_submission(
            submission.page, (submission.comment, submission.what_doing, submission.what_wrong)
        )
        row = {
            "received_at": utcnow(),
            "service_id": submission.service,
            "page_path": page,
            "kind": submission.kind,
            "rating": submission.rating if submission.kind == "satisfaction" else None,
            "useful": submission.useful if submission.kind == "page_useful" else None,
            "completed": submission.completed if submission.kind == "satisfaction" else None,
            "comment": comment,
            "what_doing": what_doing,
            "what_wrong": what_wrong,
            "redacted": bool(flags),
            "flags": flags,
            "client_hash": client,
            "source": source,
        }
        window = self.settings.feedback_duplicate_window_minutes * 60
        fingerprint = None
        if window:
            key = [client, *(row[k] for k in ("service_id", "page_path", "kind", "rating"))]
            key += [row[k] for k in ("useful", "completed", "comment", "what_doing", "what_wrong")]
            fingerprint = hashlib.sha256(json.dumps(key).encode()).hexdigest()
            held = await self.store.claim(fingerprint, window)
            if held is not None:
                self.counts.duplicates += 1
                self.counts.accepted += 1
                return SubmissionResult("duplicate", None if held == PENDING else int(held))
        try:
            feedback_id = await self.writer.write(row)
        except Exception:
            if fingerprint:
                await self.store.release(fingerprint)
            raise
        if fingerprint:
            await self.store.remember(fingerprint, str(feedback_id), window)
        self.counts.stored += 1
        self.counts.accepted += 1
        return SubmissionResult("stored", feedback_id)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# --- responses ----------------------------------------------------------------------------


def _json_errors(
    status: int, errors: list[FieldError], headers: dict[str, str] | None = None
) -> Response:
    return Response(
        _errors_body(errors), status_code=status, media_type="application/json", headers=headers
    )


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _wants_html(headers: Mapping[str, str]) -> bool:
    return "text/html" in headers.get("accept", "")


def _client_address(request: Request) -> str:
    # uvicorn puts the resident's address here: the connecting address, or, when that is
    # one of MONITOR_FEEDBACK_TRUSTED_PROXIES, the last address in X-Forwarded-For that is
    # not a trusted proxy. It is hashed at once (ratelimit.client_key) and never kept.
    return request.client.host if request.client else "unknown"


def _static(name: str) -> bytes:
    return (resources.files("monitor.feedback") / "static" / name).read_bytes()


_OPENAPI_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": FeedbackIn.model_json_schema()},
    },
}
_FORM_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {"schema": FeedbackIn.model_json_schema()},
    },
}
_ERROR_EXAMPLE = {"detail": [{"field": "comment", "message": "at most 1,200 characters"}]}
_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Not valid JSON, or a malformed form"},
    413: {"description": "The body is over the size limit"},
    415: {"description": "Wrong content type"},
    422: {
        "description": "A field is missing or wrong; each problem names the field and why",
        "content": {"application/json": {"example": _ERROR_EXAMPLE}},
    },
    429: {"description": "Too many posts from this client this minute"},
    503: {"description": "The feedback could not be stored; try again"},
}


def create_app(
    settings: Settings, config: CouncilConfig, *, repository: Repository | None = None
) -> FastAPI:
    """The collector's ASGI app for these settings and this council's config."""
    if repository is None:
        upgrade(settings.database_url)
        repository = Repository(settings.database_url)
    database_url = repository.engine.url.render_as_string(hide_password=False)
    collector = Collector(settings, config, writer_repository(database_url))
    widget_js, widget_css = _static("widget.js"), _static("widget.css")
    council = config.brand.council_name
    csp = (
        "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
        f"form-action 'self' {collector.form_action_sources()}; base-uri 'none'; "
        "frame-ancestors 'none'"
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        collector.store = abuse_store(settings.redis_url)
        collector.writer.start()
        try:
            yield
        finally:
            # Requests still waiting are answered only once their rows are committed.
            await asyncio.to_thread(collector.writer.close)
            await collector.store.close()

    app = FastAPI(
        title=f"{council} feedback collector",
        version=__version__,
        description="Residents' ratings, 'Is this page useful?' answers and problem reports "
        "for the council's online services. Personal data is removed before anything is stored.",
        lifespan=lifespan,
    )
    app.state.collector = collector

    def html(body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            body,
            status_code=status,
            headers={
                "Content-Security-Policy": csp,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "strict-origin-when-cross-origin",
                "Cache-Control": "no-store",
            },
        )

    def too_large() -> Response:
        collector.counts.rejected += 1
        return _json_errors(
            413,
            [FieldError("body", f"at most {settings.feedback_max_body_bytes:,} bytes")],
            {"Connection": "close"},
        )

    async def body_too_large(request: Request, _exc: Exception) -> Response:
        return too_large()

    app.add_exception_handler(BodyTooLarge, body_too_large)

    def rate_limited(request: Request) -> Response:
        return rate_limited_response(_wants_html(request.headers))

    def rate_limited_response(wants_html: bool) -> Response:
        message = "too many posts from this address; try again in a minute"
        if wants_html:
            page = message_page(council=council, title="Too many requests", message=message)
            response: Response = html(page, 429)
            response.headers["Retry-After"] = "60"
            return response
        return _json_errors(429, [FieldError("client", message)], {"Retry-After": "60"})

    def unavailable() -> Response:
        collector.counts.failed += 1
        return _json_errors(
            503,
            [FieldError("body", "could not store feedback just now; please try again")],
            {"Retry-After": "5"},
        )

    @app.post(
        API_PATH,
        status_code=201,
        summary="Send feedback (JSON)",
        responses={
            201: {
                "description": "Accepted",
                "content": {"application/json": {"example": {"status": "accepted", "id": 42}}},
            },
            **_ERROR_RESPONSES,
        },
        openapi_extra={"requestBody": _OPENAPI_BODY},
    )
    async def post_feedback(request: Request, source: str | None = None) -> Response:
        # Normally answered by ApiFastPath before FastAPI routes it (the same function).
        return await api_post(
            _media_type(request.headers),
            request.body,
            _client_address(request),
            source,
            _wants_html(request.headers),
        )

    async def api_post(
        media_type: str,
        read_body: Callable[[], Awaitable[bytes]],
        address: str,
        source: str | None,
        wants_html: bool,
    ) -> Response:
        """``POST /api/feedback``: the JSON API the widget and other systems post to."""
        if media_type not in _JSON_TYPES:
            collector.counts.rejected += 1
            return _json_errors(415, [FieldError("content-type", "expected application/json")])
        try:
            body = await read_body()
        except BodyTooLarge:
            return too_large()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            collector.counts.rejected += 1
            return _json_errors(400, [FieldError("body", "not valid JSON")])
        try:
            submission = parse_submission(data, collector.services)
        except InvalidSubmission as exc:
            collector.counts.rejected += 1
            return _json_errors(422, exc.errors)
        try:
            outcome = await collector.accept(
                submission, address, "widget" if source == "widget" else "api"
            )
        except Exception:
            return unavailable()
        if outcome.status == "rate_limited":
            return rate_limited_response(wants_html)
        return Response(
            json.dumps({"status": "accepted", "id": outcome.feedback_id}).encode(),
            status_code=201,
            media_type="application/json",
        )

    @app.post(
        "/feedback",
        status_code=303,
        summary="Send feedback from a plain HTML form (works without JavaScript)",
        responses={
            303: {"description": "Accepted: back to the page, or to the thank-you page"},
            **_ERROR_RESPONSES,
        },
        openapi_extra={"requestBody": _FORM_BODY},
    )
    async def post_form(request: Request) -> Response:
        if _media_type(request.headers) not in _FORM_TYPES:
            collector.counts.rejected += 1
            return _json_errors(
                415, [FieldError("content-type", "expected application/x-www-form-urlencoded")]
            )
        try:
            form = await request.form()
        except BodyTooLarge:
            raise
        except Exception:
            collector.counts.rejected += 1
            return _json_errors(400, [FieldError("body", "not a readable form")])
        data: dict[str, str] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                collector.counts.rejected += 1
                return _json_errors(400, [FieldError(key, "files are not accepted")])
            data[key] = value
        try:
            submission = parse_submission(data, collector.services)
        except InvalidSubmission as exc:
            collector.counts.rejected += 1
            service_id = data.get("service", "")
            if _wants_html(request.headers) and service_id in collector.services:
                page = form_page(
                    council=council,
                    service_id=service_id,
                    service_name=collector.services[service_id].name,
                    page=data.get("page") or "/",
                    return_to=collector.allowed_origin(data.get("return_to")),
                    kind=data.get("kind"),
                    values=data,
                    errors=exc.errors,
                )
                return html(page, 422)
            return _json_errors(422, exc.errors)
        try:
            outcome = await collector.accept(submission, _client_address(request), "form")
        except Exception:
            return unavailable()
        if outcome.status == "rate_limited":
            return rate_limited(request)
        own = f"{request.url.scheme}://{request.url.netloc}".lower()
        for candidate in (data.get("return_to"), request.headers.get("referer")):
            origin = collector.allowed_origin(candidate)
            if origin and origin != own:
                target = (
                    origin + quote(submission.page, safe="/:@!$&'()*+,;=-._~%") + "?" + THANKS_QUERY
                )
                return RedirectResponse(target, status_code=303)
        query = urlencode({"service": submission.service, "page": submission.page})
        return RedirectResponse(f"/feedback/thanks?{query}", status_code=303)

    @app.get(
        "/feedback", response_class=HTMLResponse, summary="The feedback form (no JavaScript needed)"
    )
    async def get_form(
        request: Request,
        service: str = "",
        page: str = "/",
        kind: str | None = None,
        return_to: str | None = None,
    ) -> Response:
        if service not in collector.services:
            return html(
                message_page(
                    council=council,
                    title="Page not found",
                    message="This feedback link does not name one of the council's services.",
                ),
                404,
            )
        path = page if page.startswith("/") else "/"
        path = urlsplit(path).path or "/"
        origin = collector.allowed_origin(return_to) or collector.allowed_origin(
            request.headers.get("referer")
        )
        return html(
            form_page(
                council=council,
                service_id=service,
                service_name=collector.services[service].name,
                page=path,
                return_to=origin,
                kind=kind,
            )
        )

    @app.get("/feedback/thanks", response_class=HTMLResponse, summary="Thank-you page")
    async def thanks(service: str = "", page: str = "/") -> Response:
        site = collector.service_site(service)
        back = None
        if site is not None:
            path = urlsplit(page).path if page.startswith("/") else "/"
            back = site + quote(path or "/", safe="/:@!$&'()*+,;=-._~%")
        name = collector.services[service].name if service in collector.services else None
        return html(thanks_page(council=council, back_url=back, service_name=name))

    static_headers = {
        "Cache-Control": "public, max-age=300",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }

    @app.get("/widget.js", include_in_schema=False)
    async def get_widget_js() -> Response:
        return Response(
            widget_js, media_type="text/javascript; charset=utf-8", headers=static_headers
        )

    @app.get("/widget.css", include_in_schema=False)
    async def get_widget_css() -> Response:
        return Response(widget_css, media_type="text/css; charset=utf-8", headers=static_headers)

    @app.get("/healthz", summary="Counts since the collector started")
    async def healthz() -> JSONResponse:
        return JSONResponse(
            {
                "status": "ok",
                "counts": asdict(collector.counts),
                "writer": {
                    "batches": collector.writer.batches,
                    "rows": collector.writer.rows,
                    "slowest_commit_ms": round(collector.writer.slowest_commit_seconds * 1000, 1),
                },
            }
        )

    # Innermost: residents' posts skip FastAPI's routing; everything else goes on to it.
    app.add_middleware(ApiFastPath, handler=api_post)
    # Inside CORS, so that a 413 still carries the CORS headers a browser needs to read it.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.feedback_max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=collector.origin_regex(),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )
    return app


# --- running it ---------------------------------------------------------------------------


def logging_config(log_level: str = "info") -> dict[str, Any]:
    """uvicorn's logging, plus the collector's own messages (never a client's address)."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["monitor.feedback"] = {
        "handlers": ["default"],
        "level": log_level.upper(),
        "propagate": False,
    }
    return config


def uvicorn_config(
    app: FastAPI,
    host: str,
    port: int,
    *,
    trusted_proxies: list[str],
    log_level: str = "info",
) -> uvicorn.Config:
    """uvicorn with no access log: an access log line would hold the resident's address.

    X-Forwarded-For is read only from ``trusted_proxies`` (MONITOR_FEEDBACK_TRUSTED_PROXIES):
    anyone else could write any address there and post past the rate limit."""
    return uvicorn.Config(
        app,
        log_config=logging_config(log_level),
        host=host,
        port=port,
        access_log=False,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=15,
        backlog=2048,
    )


def start_collector_in_thread(
    settings: Settings,
    config: CouncilConfig,
    host: str | None = None,
    port: int | None = None,
    *,
    repository: Repository | None = None,
) -> tuple[str, Callable[[], None]]:
    """Run the collector on uvicorn in a background thread; return its URL and a stop function.

    ``port=0`` picks a free port. Stopping waits for queued feedback to be committed.
    Raises ``monitor.ports.PortInUse`` (or ``CannotListen``) if it cannot listen there.
    """
    bind_host = host or settings.feedback_host
    bind_port = settings.feedback_port if port is None else port
    sock = bind(bind_host, bind_port, hint="set MONITOR_FEEDBACK_PORT")
    app = create_app(settings, config, repository=repository)
    server = uvicorn.Server(
        uvicorn_config(
            app,
            bind_host,
            bind_port,
            trusted_proxies=settings.feedback_trusted_proxies,
            log_level="warning",
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="feedback-collector", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the feedback collector could not start on {bind_host}:{bind_port}")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()
    base_url = f"http://{bound[0]}:{bound[1]}"

    def stop() -> None:
        server.should_exit = True
        thread.join(timedelta(seconds=30).total_seconds())

    return base_url, stop
