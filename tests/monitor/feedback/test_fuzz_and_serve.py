"""Property-based fuzzing of the API (no answer is ever a 5xx), the real ``serve`` command
(no client address in its logs), and the demo's simulated residents."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.feedback import backdate_demo_feedback, send_demo_feedback
from monitor.config import CouncilConfig
from monitor.db import upgrade
from monitor.feedback.submission import FeedbackIn
from monitor.models import utcnow
from monitor.repository import Repository
from tests.conftest import CONFIG_DIR, PROJECT
from tests.monitor.feedback.conftest import Collector, resident
from tests.servers import free_port

#: Every field a post may carry, the robots' trap included.
FIELDS = list(FeedbackIn.model_fields)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
plausible = st.fixed_dictionaries(
    {},
    optional={
        "service": st.sampled_from(["report-a-pothole", "join-the-library", "", "x" * 100])
        | st.text(max_size=20),
        "page": st.text(max_size=30)
        | st.sampled_from(["/", "//evil.example/x", "http://a/b?c", "/a\x00b"]),
        "kind": st.sampled_from(["satisfaction", "page_useful", "problem", "", "other"]),
        "rating": json_values | st.sampled_from(["Satisfied", "5", "very SATISFIED", 3.0, 2.5]),
        "useful": json_values | st.sampled_from(["yes", "no", "on"]),
        "completed": json_values | st.sampled_from(["yes", "no", "partly"]),
        "comment": st.text(max_size=1300),
        "what_doing": st.text(max_size=60),
        "what_wrong": st.text(max_size=60),
        "website": st.sampled_from(["", "spam"]),
    },
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(json_values, plausible, st.dictionaries(st.sampled_from(FIELDS), json_values))
)
def test_no_json_body_gets_a_server_error(collector: Collector, body: Any) -> None:
    response = httpx.post(f"{collector.base_url}/api/feedback", json=body, headers=resident())
    assert response.status_code < 500, response.text
    assert response.status_code in (201, 400, 415, 422), response.text


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "text/plain",
            "",
        ]
    ),
    path=st.sampled_from(["/api/feedback", "/feedback"]),
)
def test_no_raw_body_gets_a_server_error(
    collector: Collector, raw: bytes, content_type: str, path: str
) -> None:
    response = httpx.post(
        f"{collector.base_url}{path}",
        content=raw,
        headers={"Content-Type": content_type, **resident()},
    )
    assert response.status_code < 500, response.text


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    form=st.dictionaries(
        st.sampled_from([*FIELDS, "return_to", "other"]), st.text(max_size=40), max_size=8
    )
)
def test_no_form_body_gets_a_server_error(collector: Collector, form: dict[str, str]) -> None:
    response = httpx.post(
        f"{collector.base_url}/feedback",
        data=form,
        headers={"Referer": "http://127.0.0.1:8700/x", **resident()},
    )
    assert response.status_code in (303, 400, 415, 422), response.text
    if response.status_code == 303:
        location = response.headers["location"]
        assert location.startswith(("http://127.0.0.1:8700/", "/feedback/thanks?"))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"service": "join-the-library", "rating": NaN}',
        b'{"service": "join-the-library", "rating": Infinity}',
        b'{"service": "join-the-library", "rating": 1' + b"0" * 400 + b"}",
        b'{"service": "join-the-library", "rating": 1e400}',
        b'{"service": "join-the-library", "useful": 1' + b"0" * 400 + b"}",
        b'{"service": "join-the-library", "rating": 4, "comment": "\\ud800 lone surrogate"}',
        b'{"service": "join-the-library", "rating": 4, "comment": "nul \\u0000 byte"}',
    ],
)
def test_awkward_json_numbers_and_text_get_a_clear_answer(collector: Collector, raw: bytes) -> None:
    response = httpx.post(
        f"{collector.base_url}/api/feedback",
        content=raw,
        headers={"Content-Type": "application/json", **resident()},
    )
    assert response.status_code in (201, 400, 422), response.text


@pytest.mark.slow
def test_the_serve_command_logs_no_client_address(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    upgrade(url)
    port = free_port()
    env = {**os.environ, "MONITOR_DATABASE_URL": url, "MONITOR_CONFIG_DIR": str(CONFIG_DIR)}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "monitor", "feedback", "serve", "--port", str(port)],
            env=env,
            cwd=PROJECT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
            address = "203.0.113.199"
            headers = {"X-Forwarded-For": address}
            ok = httpx.post(
                f"{base}/api/feedback",
                json={"service": "join-the-library", "rating": 4},
                headers=headers,
            )
            bad = httpx.post(f"{base}/api/feedback", json={"service": "nope"}, headers=headers)
            honeypot = httpx.post(
                f"{base}/api/feedback",
                json={"service": "join-the-library", "rating": 1, "website": "x"},
                headers=headers,
            )
            form = httpx.post(
                f"{base}/feedback",
                data={"service": "join-the-library", "useful": "no"},
                headers=headers,
            )
            assert (ok.status_code, bad.status_code, honeypot.status_code, form.status_code) == (
                201,
                422,
                201,
                303,
            )
        finally:
            server.terminate()
            server.wait(30)
    text = log.read_text()
    assert "Feedback collector on" in text  # the log was captured
    assert address not in text
    assert "honeypot" in text  # counted and logged, without the address
    assert Repository(url).count_feedback() == 2


def test_simulated_residents_go_through_the_real_api(
    collector: Collector, council_config: CouncilConfig
) -> None:
    before = collector.repository.count_feedback()
    services = [s.id for s in council_config.services]
    sent = send_demo_feedback(collector.base_url, services, count=120, seed=7)
    assert collector.repository.count_feedback() == before + len(sent)
    assert len(sent) >= 110  # a few identical "page useful" answers may be kept once
    backdate_demo_feedback(collector.repository, sent)
    rows = {f.id: f for f in collector.repository.feedback(limit=None)}
    ours = [rows[s.id] for s in sent]
    ages = [(utcnow() - f.received_at).days for f in ours]
    assert min(ages) < 30 and max(ages) > 60 and max(ages) <= 90
    assert Counter(f.kind for f in ours).keys() == {"satisfaction", "page_useful", "problem"}
    assert any(f.redacted for f in ours)
    assert all("@example.com" not in (f.comment or "") + (f.what_wrong or "") for f in ours)

    def mean(service: str) -> float:
        ratings = [f.rating for f in ours if f.service_id == service and f.rating]
        return sum(ratings) / len(ratings)

    assert mean("report-a-pothole") > mean("pay-a-parking-fine") + 1


@pytest.mark.parametrize("seed", [1])
def test_the_simulator_is_repeatable(seed: int, council_config: CouncilConfig) -> None:
    # Same seed, same payloads: checked without a server, through the profile table.
    from demo.feedback import PROFILES

    assert set(PROFILES) == {s.id for s in council_config.services}
