"""Simulated residents for the demo: realistic feedback sent through the REAL HTTP API.

Every post goes through validation, the rate limit, redaction and the group commit like a
real resident's (some comments carry personal data on purpose, so the demo shows it being
removed). Services get different satisfaction so the dashboard has something to compare.

The API never accepts a time, so feedback lands "now"; the demo then spreads it over the
last 90 days with ``backdate_demo_feedback`` (a repository method only the demo uses).
Each simulated resident has an address from the documentation ranges (RFC 5737), sent in
``X-Forwarded-For`` as a reverse proxy would, which the collector trusts from 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from monitor.config import CouncilConfig, ServiceConfig
from monitor.models import utcnow
from monitor.repository import Repository
from monitor.settings import Settings

# How residents rate the demo's services: weights of ratings 1..5, and "page useful" yes.
PROFILES: dict[str, tuple[tuple[int, int, int, int, int], float]] = {
    "report-a-pothole": ((2, 3, 8, 40, 47), 0.85),
    "join-the-library": ((2, 4, 10, 38, 46), 0.82),
    "council-website": ((6, 10, 24, 38, 22), 0.66),
    "school-admissions": ((10, 16, 24, 32, 18), 0.58),
    "apply-for-a-blue-badge": ((24, 26, 20, 20, 10), 0.44),
    "pay-a-parking-fine": ((30, 28, 18, 16, 8), 0.38),
    "my-account": ((8, 12, 22, 36, 22), 0.64),
    "parking-permits": ((14, 18, 24, 28, 16), 0.55),
}

GOOD = [
    "Quick and easy, thank you.",
    "Much simpler than phoning.",
    "Clear instructions, found what I needed straight away.",
    "Worked well on my phone.",
    "Easy to follow.",
]
BAD = [
    "I could not find where to upload my documents.",
    "The page timed out and I had to start again.",
    "Too many questions, some of them twice.",
    "The error messages did not tell me what was wrong.",
    "I could not use it with my screen reader.",
    "Payment page looked different and I was not sure it was the council.",
]
PERSONAL = [
    "Please email me at sam.taylor@example.com about this.",
    "You can ring me on 07700 900123 if you need more details.",
    "I live at 4 Mill Lane, Maidstone ME14 1XQ and the hole is outside.",
    "My reference is POT-104233 and nobody has replied.",
    "My NI number is QQ 12 34 56 C, why do you need it again?",
    "I was born on 12/03/1958 and the date box would not accept it.",
    "Charged twice on card 4111 1111 1111 1111.",
]
DOING = [
    "Trying to report a pothole on my road",
    "Renewing my Blue Badge",
    "Looking for the school admission dates",
    "Joining the library for my daughter",
    "Paying a parking fine",
]
WRONG = [
    "The map did not load.",
    "The continue button did nothing.",
    "I got an error saying the page could not be found.",
    "The text was too small to read and would not zoom.",
]


@dataclass(frozen=True)
class SentFeedback:
    """One simulated post the collector stored, and when the demo says it arrived."""

    id: int
    service: str
    kind: str
    received_at: datetime


def _profile(service: str) -> tuple[tuple[int, int, int, int, int], float]:
    if service in PROFILES:
        return PROFILES[service]
    # A service the demo does not know still gets a stable, plausible profile.
    shift = int(hashlib.sha256(service.encode()).hexdigest(), 16) % 3
    weights = [(5, 8, 15, 40, 32), (10, 15, 25, 30, 20), (20, 25, 20, 20, 15)][shift]
    return (weights[0], weights[1], weights[2], weights[3], weights[4]), 0.75 - 0.1 * shift


def _address(index: int) -> str:
    ranges = ("192.0.2", "198.51.100", "203.0.113")
    return f"{ranges[index % 3]}.{1 + (index // 3) % 254}"


def _service_ids(services: Sequence[str | ServiceConfig]) -> list[str]:
    return [s.id if isinstance(s, ServiceConfig) else s for s in services]


def send_demo_feedback(
    base_url: str,
    services: Sequence[str | ServiceConfig],
    count: int = 400,
    seed: int = 2024,
    *,
    days: int = 90,
    now: datetime | None = None,
) -> list[SentFeedback]:
    """Post ``count`` residents' feedback to the collector; return what was stored."""
    ids = _service_ids(services)
    if not ids:
        return []
    rng = random.Random(seed)
    now = now or utcnow()
    sent: list[SentFeedback] = []
    seen: set[int] = set()
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=30) as client:
        for index in range(count):
            service = ids[index % len(ids)] if index < len(ids) else rng.choice(ids)
            weights, useful_share = _profile(service)
            age = timedelta(days=rng.uniform(0, days), seconds=rng.uniform(0, 3600))
            recent = age < timedelta(days=30)
            base_path = "/" if service == "council-website" else f"/{service}"
            roll = rng.random()
            payload: dict[str, object]
            if roll < 0.45:
                # Residents were a little happier in the last month (the demo's trend).
                adjusted = list(weights)
                if recent:
                    adjusted[3] += 6
                    adjusted[4] += 4
                rating = rng.choices(range(1, 6), weights=adjusted)[0]
                texts = GOOD if rating >= 4 else BAD
                comment = rng.choice(texts) if rng.random() < 0.6 else ""
                if rng.random() < 0.18:
                    comment = (comment + " " + rng.choice(PERSONAL)).strip()
                completed = rng.choices(
                    ["yes", "partly", "no"],
                    weights=[8, 2, 1] if rating >= 4 else [3, 3, 4],
                )[0]
                payload = {
                    "kind": "satisfaction",
                    "page": f"{base_path.rstrip('/')}/done",
                    "rating": rating,
                    "completed": completed,
                    "comment": comment,
                }
            elif roll < 0.85:
                payload = {
                    "kind": "page_useful",
                    "page": base_path,
                    "useful": rng.random() < useful_share,
                }
            else:
                wrong = rng.choice(WRONG)
                if rng.random() < 0.25:
                    wrong += " " + rng.choice(PERSONAL)
                payload = {
                    "kind": "problem",
                    "page": base_path,
                    "what_doing": rng.choice(DOING),
                    "what_wrong": wrong,
                }
            payload["service"] = service
            response = client.post(
                "/api/feedback", json=payload, headers={"X-Forwarded-For": _address(index)}
            )
            response.raise_for_status()
            feedback_id = response.json().get("id")
            if isinstance(feedback_id, int) and feedback_id not in seen:
                seen.add(feedback_id)
                sent.append(SentFeedback(feedback_id, service, str(payload["kind"]), now - age))
    return sent


def backdate_demo_feedback(repository: Repository, sent: Sequence[SentFeedback]) -> None:
    """Spread the simulated feedback over the days the demo says it arrived."""
    repository.backdate_feedback([s.id for s in sent], [s.received_at for s in sent])


def seed_demo_feedback(
    settings: Settings, config: CouncilConfig, count: int = 400, seed: int = 2024
) -> list[SentFeedback]:
    """Start a collector in this process, send the demo's feedback through it, backdate it."""
    from monitor.feedback.app import start_collector_in_thread

    repository = Repository(settings.database_url)
    base_url, stop = start_collector_in_thread(settings, config, "127.0.0.1", 0)
    try:
        sent = send_demo_feedback(base_url, config.services, count=count, seed=seed)
    finally:
        stop()
    backdate_demo_feedback(repository, sent)
    return sent
