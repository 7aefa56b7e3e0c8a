"""The in-process abuse store: limits per minute, duplicates within the window, and old
entries forgotten as posts arrive (memory stays bounded without a stop-the-world sweep)."""

from __future__ import annotations

import asyncio

from monitor.feedback.ratelimit import PENDING, MemoryAbuseStore, client_key


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_counts_each_client_per_minute() -> None:
    clock = Clock()
    store = MemoryAbuseStore(clock)

    async def posts(client: str, count: int) -> list[bool]:
        return [await store.allow(client, 3) for _ in range(count)]

    assert asyncio.run(posts("a", 4)) == [True, True, True, False]
    assert asyncio.run(posts("b", 1)) == [True]
    clock.now += 60
    assert asyncio.run(posts("a", 1)) == [True]


def test_fingerprints_are_held_for_the_window_then_forgotten() -> None:
    clock = Clock()
    store = MemoryAbuseStore(clock)

    async def scenario() -> None:
        assert await store.claim("first", 600) is None
        assert await store.claim("first", 600) == PENDING
        await store.remember("first", "41", 600)
        assert await store.claim("first", 600) == "41"
        for n in range(1000):
            assert await store.claim(f"other-{n}", 600) is None
        assert len(store) == 1001
        clock.now += 599
        assert await store.claim("first", 600) == "41"  # still within the window
        clock.now += 2
        assert await store.claim("late", 600) is None  # arriving posts clear what expired
        assert len(store) == 1
        assert await store.claim("first", 600) is None
        await store.release("first")
        assert await store.claim("first", 600) is None

    asyncio.run(scenario())


def test_an_ipv6_client_is_its_64_and_a_mapped_ipv4_client_its_ipv4_address() -> None:
    assert (
        client_key("2001:db8:1:2::10") == client_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    )
    assert client_key("2001:db8:1:3::10") != client_key("2001:db8:1:2::10")
    assert client_key("::ffff:198.51.100.7") == client_key("198.51.100.7") == "198.51.100.7"
    assert client_key("unix-socket") == "unix-socket"
