"""Abuse controls: who a client is (without keeping their address), how often they may
post, and whether they just sent the same thing.

A client is known only by a salted hash of its address. The salt is an HMAC of today's
date with the installation's secret, so it changes at midnight (UTC): the same resident
cannot be followed from one day to the next, and nobody holding the database can turn a
hash back into an address without the secret. An IPv6 client is its /64 network, since
one household's connection is given a whole /64 and could otherwise post from a new
address each time; an IPv4 address mapped into IPv6 is the IPv4 address.

Counts live in this process's memory by default, or in Redis when ``MONITOR_REDIS_URL``
is set (so several collector processes share one limit).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Protocol


def day_salt(secret: str, day: date) -> bytes:
    """The salt of one day: an HMAC of the date with the secret."""
    return hmac.new(secret.encode(), day.isoformat().encode(), hashlib.sha256).digest()


def client_key(address: str) -> str:
    """What identifies a client for the limits: its IPv4 address, or its IPv6 /64."""
    if ":" not in address:
        return address  # IPv4 (or no address at all): as the server or the proxy wrote it
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a Unix socket's peer): taken as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class ClientHasher:
    """Turns a client address into today's pseudonym for it."""

    def __init__(self, secret: str) -> None:
        self._secret = secret
        self._day: date | None = None
        self._salt = b""

    def __call__(self, address: str, *, today: date | None = None) -> str:
        day = today or datetime.now(UTC).date()
        if day != self._day:
            self._day, self._salt = day, day_salt(self._secret, day)
        return hmac.new(self._salt, client_key(address).encode(), hashlib.sha256).hexdigest()[:32]


class AbuseStore(Protocol):
    """Where rate-limit counts and recently seen submissions are kept."""

    async def allow(self, client: str, limit_per_minute: int) -> bool:
        """Count one post by ``client``; false when it is over the limit this minute."""
        ...

    async def claim(self, fingerprint: str, ttl_seconds: int) -> str | None:
        """Claim a submission's fingerprint; ``None`` if new, else what was remembered."""
        ...

    async def remember(self, fingerprint: str, value: str, ttl_seconds: int) -> None: ...

    async def release(self, fingerprint: str) -> None: ...

    async def close(self) -> None: ...


PENDING = "pending"


class MemoryAbuseStore:
    """Counts in this process: right for one collector process (the embedded default).

    Old entries are dropped a few at a time as posts arrive, never in one sweep: at a
    steady 1,000 posts a second the duplicate window holds hundreds of thousands of
    fingerprints, and walking them all at once held every resident's post up (README,
    Benchmarks)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._minute = -1
        self._counts: dict[str, int] = {}  # client -> posts this minute
        self._seen: dict[str, tuple[float, str]] = {}  # fingerprint -> (expires, value)
        self._expiries: deque[tuple[float, str]] = deque()  # in the order they were set

    def _forget_expired(self, now: float) -> None:
        expiries, seen = self._expiries, self._seen
        while expiries and expiries[0][0] <= now:
            _, fingerprint = expiries.popleft()
            held = seen.get(fingerprint)
            if held is not None and held[0] <= now:
                del seen[fingerprint]

    async def allow(self, client: str, limit_per_minute: int) -> bool:
        minute = int(self._clock() // 60)
        if minute != self._minute:
            self._minute, self._counts = minute, {}
        count = self._counts.get(client, 0) + 1
        self._counts[client] = count
        return count <= limit_per_minute

    def _set(self, fingerprint: str, value: str, ttl_seconds: int) -> None:
        expires = self._clock() + ttl_seconds
        self._seen[fingerprint] = (expires, value)
        self._expiries.append((expires, fingerprint))

    async def claim(self, fingerprint: str, ttl_seconds: int) -> str | None:
        now = self._clock()
        self._forget_expired(now)
        held = self._seen.get(fingerprint)
        if held is not None and held[0] > now:
            return held[1]
        self._set(fingerprint, PENDING, ttl_seconds)
        return None

    async def remember(self, fingerprint: str, value: str, ttl_seconds: int) -> None:
        self._set(fingerprint, value, ttl_seconds)

    async def release(self, fingerprint: str) -> None:
        self._seen.pop(fingerprint, None)

    async def close(self) -> None:
        return None

    def __len__(self) -> int:
        """Fingerprints held (for the tests: memory stays bounded)."""
        return len(self._seen)


class RedisAbuseStore:
    """Counts in Redis, shared by every collector process."""

    def __init__(self, url: str, prefix: str = "monitor:feedback:") -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def allow(self, client: str, limit_per_minute: int) -> bool:
        key = f"{self._prefix}rate:{client}:{int(time.time() // 60)}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 120)
            count, _ = await pipe.execute()
        return int(count) <= limit_per_minute

    async def claim(self, fingerprint: str, ttl_seconds: int) -> str | None:
        key = f"{self._prefix}seen:{fingerprint}"
        if await self._redis.set(key, PENDING, nx=True, ex=max(1, ttl_seconds)):
            return None
        held = await self._redis.get(key)
        return str(held) if held is not None else PENDING

    async def remember(self, fingerprint: str, value: str, ttl_seconds: int) -> None:
        await self._redis.set(f"{self._prefix}seen:{fingerprint}", value, ex=max(1, ttl_seconds))

    async def release(self, fingerprint: str) -> None:
        await self._redis.delete(f"{self._prefix}seen:{fingerprint}")

    async def close(self) -> None:
        await self._redis.aclose()


def abuse_store(redis_url: str | None) -> AbuseStore:
    return RedisAbuseStore(redis_url) if redis_url else MemoryAbuseStore()
