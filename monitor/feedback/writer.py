"""Group commit: many residents' posts stored in one transaction, none answered early.

SQLite allows one writer at a time, and a commit per post would cap the collector at a
few hundred posts a second. Instead each request hands its row to one writer thread and
waits; the thread takes everything queued (up to ``max_batch``), inserts it in one
transaction, commits, and only then wakes the waiting requests with their ids. An
accepted post is therefore always a committed row, and ``close()`` drains the queue.

On SQLite the writer's own connections do not checkpoint the write-ahead log (a checkpoint
waits for the disk and would stall every waiting request now and then); a second thread
checkpoints in the background instead, without blocking the writer.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, event, text

from monitor.db import make_engine
from monitor.repository import Repository

log = logging.getLogger("monitor.feedback")

_STOP = object()
CHECKPOINT_EVERY_SECONDS = 0.5


def writer_repository(database_url: str) -> Repository:
    """A repository with its own engine for the writer (SQLite: no automatic checkpoints)."""
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _no_autocheckpoint)
    return Repository(engine=engine)


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def _checkpoint_loop(engine: Engine, stop: threading.Event) -> None:
    while not stop.wait(CHECKPOINT_EVERY_SECONDS):
        try:
            with engine.connect() as connection:
                connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)"))
        except Exception as exc:  # busy now; the next round will do it
            log.debug("WAL checkpoint skipped: %s", exc.__class__.__name__)


class FeedbackWriter:
    """One thread that commits queued feedback rows in small batches."""

    def __init__(self, repository: Repository, *, max_batch: int = 200) -> None:
        self._repository = repository
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._checkpointer: threading.Thread | None = None
        self._stop_checkpoints = threading.Event()
        self.batches = 0
        self.rows = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="feedback-writer", daemon=True)
            self._thread.start()
        engine = self._repository.engine
        if engine.dialect.name == "sqlite" and self._checkpointer is None:
            self._stop_checkpoints.clear()
            self._checkpointer = threading.Thread(
                target=_checkpoint_loop,
                args=(engine, self._stop_checkpoints),
                name="feedback-checkpoint",
                daemon=True,
            )
            self._checkpointer.start()

    async def write(self, row: Mapping[str, Any]) -> int:
        """Store one row; return its id once it is committed."""
        if self._thread is None or not self._thread.is_alive():
            raise RuntimeError("the feedback writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._queue.put((row, future, loop))
        return await future

    def close(self, timeout: float = 30.0) -> None:
        """Store everything queued, then stop the thread."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)
        self._thread = None
        if self._checkpointer is not None:
            self._stop_checkpoints.set()
            self._checkpointer.join(timeout)
            self._checkpointer = None

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            batch = []
            while True:
                if item is _STOP:
                    stopping = True
                else:
                    batch.append(item)
                if stopping or len(batch) >= self._max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[tuple[Mapping[str, Any], asyncio.Future[int], Any]]) -> None:
        try:
            ids = self._repository.add_feedback_batch([row for row, _, _ in batch])
        except Exception as exc:  # the requests answer 503; nothing is claimed as stored
            log.error("could not store %d feedback rows: %s", len(batch), exc.__class__.__name__)
            for _, future, loop in batch:
                loop.call_soon_threadsafe(_settle, future, None, exc)
            return
        self.batches += 1
        self.rows += len(ids)
        for (_, future, loop), row_id in zip(batch, ids, strict=True):
            loop.call_soon_threadsafe(_settle, future, row_id, None)


def _settle(future: asyncio.Future[int], value: int | None, error: BaseException | None) -> None:
    if future.done():  # the client went away; the row is stored all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value if value is not None else 0)
