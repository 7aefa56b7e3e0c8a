"""The collector's HTTP API and no-JavaScript form, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from monitor.config import CouncilConfig
from monitor.feedback.submission import MAX_TEXT
from tests.monitor.feedback.conftest import Collector, resident, resident_address, start_collector
from tests.monitor.feedback.redaction_corpus import PERSONAL

SERVICE = "report-a-pothole"


def post(collector: Collector, payload: Any, **kwargs: Any) -> httpx.Response:
    headers = {**resident(), **kwargs.pop("headers", {})}
    return httpx.post(f"{collector.base_url}/api/feedback", json=payload, headers=headers, **kwargs)


def errors(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["detail"]}


# --- accepted -------------------------------------------------------------------------------


def test_a_satisfaction_rating_is_stored_redacted(collector: Collector) -> None:
    response = post(
        collector,
        {
            "service": SERVICE,
            "page": "/report-a-pothole/done?email=jo@example.com",
            "kind": "satisfaction",
            "rating": "Very satisfied",
            "completed": "partly",
            "comment": "Fine, but email me at jo@example.com or ring 07700 900123",
        },
    )
    assert response.status_code == 201, response.text
    stored = collector.repository.feedback(service_id=SERVICE, limit=None)
    row = next(f for f in stored if f.id == response.json()["id"])
    assert (row.kind, row.rating, row.completed, row.source) == ("satisfaction", 5, "partly", "api")
    assert row.page_path == "/report-a-pothole/done"  # the query string is never kept
    assert row.comment == "Fine, but email me at [email] or ring [phone]"
    assert row.redacted and row.flags == ["email", "phone"]
    assert row.client_hash and len(row.client_hash) == 32


def test_the_page_address_is_redacted_and_published_numbers_are_kept(
    collector: Collector,
) -> None:
    response = post(
        collector,
        {
            "service": SERVICE,
            "page": "/account/jane.doe@example.com/edit?postcode=ME14+1XQ",
            "rating": 2,
            "comment": "I rang 03069 990000 twice; my mobile is 0 7 7 0 0 9 0 0 1 2 3",
        },
    )
    assert response.status_code == 201, response.text
    rows = collector.repository.feedback(limit=None)
    row = next(f for f in rows if f.id == response.json()["id"])
    assert row.page_path == "/account/[email]/edit"
    assert row.comment == "I rang 03069 990000 twice; my mobile is [phone]"
    assert row.flags == ["email", "phone"]


def test_a_page_address_longer_once_redacted_is_stored_cut_to_its_column(
    collector: Collector,
) -> None:
    page = "/9434765919" * 90  # 990 characters; "[nhs-number]" is longer than each number
    response = post(collector, {"service": SERVICE, "page": page, "useful": "yes"})
    assert response.status_code == 201, response.text
    rows = collector.repository.feedback(limit=None)
    row = next(f for f in rows if f.id == response.json()["id"])
    assert len(row.page_path) == 1000 and row.page_path.startswith("/[nhs-number]/[nhs-number]")
    assert "9434765919" not in row.page_path and row.flags == ["nhs-number"]


@pytest.mark.slow
def test_no_piece_of_the_corpus_reaches_the_database(collector: Collector) -> None:
    """Every personal comment of the redaction corpus, sent as each free-text field and
    as the page address through the real collector: none of it is in the SQLite files."""
    secrets: list[str] = []
    for entries in PERSONAL.values():
        for text, found in entries:
            secrets += [secret for secret, _ in found]
            for payload in (
                {"rating": 3, "comment": text},
                {"kind": "problem", "what_doing": text, "what_wrong": text},
                {"useful": "no", "page": "/x/" + quote(text, safe="")},
            ):
                response = post(collector, {"service": SERVICE, "page": "/", **payload})
                assert response.status_code == 201, (payload, response.text)
    raw = collector.repository.engine.url.database
    assert raw is not None
    stored = b"".join(
        Path(name).read_bytes() for name in (raw, raw + "-wal") if Path(name).exists()
    ).decode("utf-8", errors="replace")
    assert [s for s in secrets if s in stored] == []


def test_page_useful_and_problem_reports_are_stored(collector: Collector) -> None:
    useful = post(collector, {"service": SERVICE, "page": "/report-a-pothole", "useful": "no"})
    problem = post(
        collector,
        {
            "service": SERVICE,
            "page": "/report-a-pothole",
            "kind": "problem",
            "what_doing": "Reporting a pothole at ME14 1XQ",
            "what_wrong": "The map did not load",
        },
    )
    assert useful.status_code == problem.status_code == 201
    rows = {f.id: f for f in collector.repository.feedback(limit=None)}
    assert rows[useful.json()["id"]].useful is False
    report = rows[problem.json()["id"]]
    assert report.what_doing == "Reporting a pothole at [postcode]"
    assert report.what_wrong == "The map did not load"
    assert report.flags == ["postcode"]


def test_the_openapi_schema_is_published(collector: Collector) -> None:
    schema = httpx.get(f"{collector.base_url}/openapi.json").json()
    body = schema["paths"]["/api/feedback"]["post"]["requestBody"]
    properties = body["content"]["application/json"]["schema"]["properties"]
    assert {"service", "page", "kind", "rating", "useful", "completed", "comment"} <= set(
        properties
    )
    assert "/feedback" in schema["paths"]


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"service": "no-such-service", "rating": 3},
            "service",
            "unknown service 'no-such-service'",
        ),
        ({"service": SERVICE, "rating": 6}, "rating", "expected 1 to 5"),
        ({"service": SERVICE, "rating": 0}, "rating", "expected 1 to 5"),
        ({"service": SERVICE, "rating": "Quite happy"}, "rating", "expected 1 to 5"),
        ({"service": SERVICE, "rating": True}, "rating", "expected 1 to 5"),
        (
            {"service": SERVICE, "rating": 3, "comment": "x" * (MAX_TEXT + 1)},
            "comment",
            "at most 1,200 characters",
        ),
        (
            {"service": SERVICE, "kind": "problem", "what_wrong": "x" * 1201},
            "what_wrong",
            "at most 1,200 characters",
        ),
        ({"service": SERVICE, "kind": "satisfaction"}, "rating", "required"),
        ({"service": SERVICE, "kind": "page_useful"}, "useful", "required"),
        ({"service": SERVICE, "kind": "problem"}, "what_wrong", "required"),
        ({"service": SERVICE, "kind": "gossip", "rating": 3}, "kind", "expected one of"),
        ({"service": SERVICE, "useful": "maybe"}, "useful", "expected yes or no"),
        ({"service": SERVICE, "rating": 3, "completed": "nearly"}, "completed", "expected one of"),
        ({"service": SERVICE, "rating": 3, "page": "report-a-pothole"}, "page", "starting with /"),
        ({"rating": 3}, "service", "required"),
        ({"service": SERVICE, "rating": 3, "comment": 42}, "comment", "expected text"),
        ([1, 2, 3], "body", "expected a JSON object"),
        ("just text", "body", "expected a JSON object"),
    ],
)
def test_invalid_feedback_is_refused_naming_the_field(
    collector: Collector, payload: Any, field: str, message: str
) -> None:
    before = collector.repository.count_feedback()
    response = post(collector, payload)
    assert response.status_code == 422, response.text
    assert message in errors(response)[field]
    assert collector.repository.count_feedback() == before


def test_a_comment_of_exactly_the_limit_is_accepted(collector: Collector) -> None:
    response = post(collector, {"service": SERVICE, "rating": 2, "comment": "y" * MAX_TEXT})
    assert response.status_code == 201


def test_wrong_content_type_is_refused(collector: Collector) -> None:
    response = httpx.post(
        f"{collector.base_url}/api/feedback",
        content=json.dumps({"service": SERVICE, "rating": 3}),
        headers={"Content-Type": "text/plain", **resident()},
    )
    assert response.status_code == 415
    assert errors(response) == {"content-type": "expected application/json"}
    form = httpx.post(
        f"{collector.base_url}/feedback",
        json={"service": SERVICE, "rating": 3},
        headers=resident(),
    )
    assert form.status_code == 415
    assert "content-type" in errors(form)


def test_malformed_json_is_refused(collector: Collector) -> None:
    for body in (b"{not json", b"[" * 5000 + b"]" * 5000, b"\xff\xfe"):
        response = httpx.post(
            f"{collector.base_url}/api/feedback",
            content=body,
            headers={"Content-Type": "application/json", **resident()},
        )
        assert response.status_code == 400, body[:20]
        assert errors(response) == {"body": "not valid JSON"}


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(collector: Collector) -> None:
    limit = collector.settings.feedback_max_body_bytes
    response = httpx.post(
        f"{collector.base_url}/api/feedback",
        content=b"{" + b" " * limit + b"}",
        headers={"Content-Type": "application/json", **resident()},
    )
    assert response.status_code == 413
    assert errors(response) == {"body": f"at most {limit:,} bytes"}


def test_a_chunked_body_over_the_limit_is_refused(collector: Collector) -> None:
    limit = collector.settings.feedback_max_body_bytes

    def chunks() -> Any:
        for _ in range(limit // 1000 + 5):
            yield b" " * 1000

    for path, content_type in (
        ("/api/feedback", "application/json"),
        ("/feedback", "application/x-www-form-urlencoded"),
    ):
        response = httpx.post(
            f"{collector.base_url}{path}",
            content=chunks(),
            headers={"Content-Type": content_type, **resident()},
        )
        assert response.status_code == 413, path


def test_a_raw_chunked_request_without_content_length_gets_413(collector: Collector) -> None:
    # Written by hand, so there is no doubt that no Content-Length was sent.
    host, port = collector.base_url.removeprefix("http://").split(":")
    chunk = b" " * 4096
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /api/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            for _ in range(10):
                sock.sendall(b"1000\r\n" + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may close the connection once it has answered
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


# --- the no-JavaScript form -----------------------------------------------------------------


def test_a_form_post_redirects_back_to_the_referring_service_page(collector: Collector) -> None:
    response = httpx.post(
        f"{collector.base_url}/feedback",
        data={"service": SERVICE, "page": "/report-a-pothole/where", "useful": "yes"},
        headers={"Referer": "http://127.0.0.1:8700/report-a-pothole/where?x=1", **resident()},
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://127.0.0.1:8700/report-a-pothole/where?dx-feedback=thanks"
    )
    row = collector.repository.feedback(limit=1)[0]
    assert (row.kind, row.useful, row.source) == ("page_useful", True, "form")


def test_a_form_post_from_elsewhere_goes_to_the_collectors_thank_you_page(
    collector: Collector,
) -> None:
    response = httpx.post(
        f"{collector.base_url}/feedback",
        data={
            "service": SERVICE,
            "page": "/report-a-pothole",
            "rating": "2",
            "return_to": "https://evil.example",
        },
        headers={"Referer": "https://evil.example/phish", **resident()},
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/feedback/thanks?")
    thanks = httpx.get(collector.base_url + location)
    assert thanks.status_code == 200
    assert "Thank you for your feedback" in thanks.text
    assert 'href="http://127.0.0.1:8700/report-a-pothole"' in thanks.text
    assert "script-src 'self'" in thanks.headers["content-security-policy"]


def test_the_full_form_page_is_served_with_a_strict_csp(collector: Collector) -> None:
    response = httpx.get(
        f"{collector.base_url}/feedback",
        params={
            "service": SERVICE,
            "page": "/report-a-pothole",
            "return_to": "http://127.0.0.1:8700",
        },
    )
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    text = response.text
    for words in (
        "Is this page useful?",
        "Report a problem with this page",
        "What were you doing?",
        "What went wrong?",
        "Overall, how satisfied were you with this service today?",
        "Neither satisfied or dissatisfied",
        'name="return_to" value="http://127.0.0.1:8700"',
    ):
        assert words in text
    assert "<script" not in text and "style=" not in text
    assert (
        httpx.get(f"{collector.base_url}/feedback", params={"service": "nope"}).status_code == 404
    )


def test_a_bad_form_post_from_a_browser_shows_the_form_again_with_the_error(
    collector: Collector,
) -> None:
    response = httpx.post(
        f"{collector.base_url}/feedback",
        data={"service": SERVICE, "page": "/", "kind": "satisfaction", "comment": "Looking"},
        headers={"Accept": "text/html", **resident()},
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'href="#rating-satisfaction"' in response.text
    assert ">Looking</textarea>" in response.text


def test_a_bad_form_post_from_a_program_gets_json(collector: Collector) -> None:
    response = httpx.post(
        f"{collector.base_url}/feedback",
        data={"service": SERVICE, "rating": "11"},
        headers=resident(),
    )
    assert response.status_code == 422
    assert "rating" in errors(response)


# --- abuse ----------------------------------------------------------------------------------


def test_a_filled_honeypot_is_answered_as_accepted_but_not_stored(collector: Collector) -> None:
    before = collector.repository.count_feedback()
    counts = httpx.get(f"{collector.base_url}/healthz").json()["counts"]
    api = post(collector, {"service": SERVICE, "rating": 5, "website": "http://spam.example"})
    form = httpx.post(
        f"{collector.base_url}/feedback",
        data={"service": SERVICE, "rating": "5", "website": "buy now"},
        headers=resident(),
    )
    assert api.status_code == 201 and api.json()["status"] == "accepted"
    assert form.status_code == 303
    assert collector.repository.count_feedback() == before
    after = httpx.get(f"{collector.base_url}/healthz").json()["counts"]
    assert after["honeypot"] == counts["honeypot"] + 2


def test_the_same_words_from_the_same_client_are_kept_once(collector: Collector) -> None:
    headers = resident()
    payload = {"service": SERVICE, "rating": 1, "comment": "The map never loads for me."}
    first = post(collector, payload, headers=headers)
    second = post(collector, payload, headers=headers)
    other_client = post(collector, payload)
    other_words = post(collector, {**payload, "comment": "Still broken."}, headers=headers)
    assert [r.status_code for r in (first, second, other_client, other_words)] == [201] * 4
    assert second.json()["id"] == first.json()["id"]
    stored = [
        f for f in collector.repository.feedback(limit=None) if f.comment == payload["comment"]
    ]
    assert len(stored) == 2  # once per client


def test_cors_allows_the_councils_sites_only(collector: Collector) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{collector.base_url}/api/feedback",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )

    for origin in ("http://127.0.0.1:8700", "https://www.example.gov.uk", "http://localhost:9000"):
        response = preflight(origin)
        assert response.status_code == 200, origin
        assert response.headers["access-control-allow-origin"] == origin
    for origin in ("https://evil.example", "https://example.gov.uk.evil.example", "null"):
        response = preflight(origin)
        assert response.headers.get("access-control-allow-origin") is None, origin


@pytest.mark.slow
def test_parallel_posts_lose_nothing(collector: Collector) -> None:
    before = collector.repository.count_feedback()

    async def send_all() -> list[int]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(
            base_url=collector.base_url, limits=limits, timeout=60
        ) as client:

            async def one(i: int) -> int:
                response = await client.post(
                    "/api/feedback",
                    json={"service": SERVICE, "rating": 1 + i % 5, "comment": f"post {i}"},
                    headers={"X-Forwarded-For": f"10.9.{i // 250}.{i % 250}"},
                )
                return response.status_code

            return await asyncio.gather(*(one(i) for i in range(500)))

    statuses = asyncio.run(send_all())
    assert statuses == [201] * 500
    assert collector.repository.count_feedback() == before + 500


# --- rate limits (own collectors, with a small limit) -----------------------------------------


def _limited(collector: Collector) -> list[int]:
    headers = resident()
    return [
        post(
            collector, {"service": SERVICE, "rating": 3, "comment": f"try {i}"}, headers=headers
        ).status_code
        for i in range(5)
    ]


def test_rate_limit_in_memory(tmp_path: Path, council_config: CouncilConfig) -> None:
    limited = start_collector(tmp_path, council_config, feedback_rate_limit_per_minute=3)
    try:
        assert _limited(limited) == [201, 201, 201, 429, 429]
        assert (
            post(limited, {"service": SERVICE, "rating": 3}).status_code == 201
        )  # another resident
        assert limited.repository.count_feedback() == 4
    finally:
        limited.stop()


@pytest.mark.redis
def test_rate_limit_in_redis_is_shared_by_collectors(
    tmp_path: Path, council_config: CouncilConfig
) -> None:
    from tests.servers import redis_server

    with redis_server() as redis_url:
        first = start_collector(
            tmp_path / "a", council_config, feedback_rate_limit_per_minute=3, redis_url=redis_url
        )
        second = start_collector(
            tmp_path / "b", council_config, feedback_rate_limit_per_minute=3, redis_url=redis_url
        )
        try:
            headers = resident()
            statuses = [
                post(
                    c, {"service": SERVICE, "rating": 4, "comment": f"n{i}"}, headers=headers
                ).status_code
                for i, c in enumerate([first, second, first, second, first])
            ]
            assert statuses == [201, 201, 201, 429, 429]
            # The duplicate window is shared too: the same words through the other collector.
            again = post(
                second, {"service": SERVICE, "rating": 4, "comment": "n0"}, headers=resident()
            )
            assert again.status_code == 201
        finally:
            first.stop()
            second.stop()


def test_the_raw_address_is_never_stored(collector: Collector) -> None:
    from sqlalchemy import text

    address = "203.0.113.77"
    response = post(
        collector,
        {"service": SERVICE, "rating": 4, "comment": f"sent from {address}"},
        headers={"X-Forwarded-For": address},
    )
    assert response.status_code == 201
    with collector.repository.engine.connect() as connection:
        tables = [
            r[0]
            for r in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
        for table in tables:
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                assert address not in " ".join(str(v) for v in row), table
    raw = collector.repository.engine.url.database
    assert raw is not None
    assert address.encode() not in Path(raw).read_bytes()
    wal = Path(raw + "-wal")
    assert not wal.exists() or address.encode() not in wal.read_bytes()


def test_resident_address_helper_is_in_the_documentation_range() -> None:
    assert resident_address().startswith("198.51.")


def test_the_fast_path_answers_as_the_documented_route_does(
    tmp_path: Path, council_config: CouncilConfig
) -> None:
    """Residents' posts are answered by ApiFastPath, ahead of FastAPI's routing; the FastAPI
    route stays for the OpenAPI description. Both call the same handler, and answer alike:
    the same posts to a collector without the fast path get the same answers."""
    from monitor.db import upgrade
    from monitor.feedback.app import ApiFastPath, create_app
    from monitor.repository import Repository
    from monitor.settings import Settings

    def collector_app(name: str, fast_path: bool) -> tuple[Any, str]:
        url = f"sqlite:///{tmp_path / name}"
        upgrade(url)
        app = create_app(Settings(database_url=url, data_dir=tmp_path), council_config)
        if not fast_path:
            app.user_middleware = [m for m in app.user_middleware if m.cls is not ApiFastPath]
        return app, url

    cases: list[dict[str, Any]] = [
        {"json": {"service": SERVICE, "rating": 4, "comment": "ring 07700 900123"}},
        {"json": {"service": SERVICE, "rating": 9}},
        {"json": {"service": "nope", "useful": "maybe"}},
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"content": b"{}", "headers": {"Content-Type": "text/plain"}},
        {"json": {"service": SERVICE, "rating": 2, "website": "spam"}},
        {"content": b" " * 20_000, "headers": {"Content-Type": "application/json"}},
    ]

    async def answers(app: Any) -> list[tuple[Any, ...]]:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 1234))
        found = []
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://collector") as http,
        ):
            for case in cases:
                response = await http.post("/api/feedback", params={"source": "widget"}, **case)
                found.append((response.status_code, response.json(), response.headers))
        return found

    fast_app, fast_url = collector_app("fast.db", fast_path=True)
    routed_app, routed_url = collector_app("routed.db", fast_path=False)
    fast, routed = asyncio.run(answers(fast_app)), asyncio.run(answers(routed_app))
    assert [(status, body) for status, body, _ in fast] == [
        (status, body) for status, body, _ in routed
    ]
    assert [(h["content-type"], h.get("retry-after")) for _, _, h in fast] == [
        (h["content-type"], h.get("retry-after")) for _, _, h in routed
    ]
    assert [status for status, _, _ in fast] == [201, 422, 422, 400, 415, 201, 413]
    for url in (fast_url, routed_url):
        stored = Repository(url).feedback(limit=None)
        assert [(f.comment, f.source) for f in stored] == [("ring [phone]", "widget")]
