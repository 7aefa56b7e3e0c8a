"""Group commit: many residents' posts stored in one transaction, none answered early.

SQLite allows one writer at a time, and a commit per post would cap the collector at a
few hundred posts a second. Instead each request hands its row to one writer thread and
waits; the thread takes everything queued (up to ``max_batch``), inserts it in one
transaction, commits, and only then wakes the waiting requests with their ids. An
accepted post is therefore always a committed row, and ``close()`` drains the queue.

On SQLite the writer's own connections do not checkpoint the write-ahead log (a checkpoint
waits for the disk and would stall every waiting request now and then); a second thread
checkpoints in the background instead, without blocking the writer. The writer also keeps
one connection of its own and inserts with a prepared statement (``SqliteInserter``): at a
steady 1,000 posts a second a batch holds one or two rows, so the cost of each commit's
machinery, not of the rows, is what the writer spends, and it spends it holding the
interpreter the requests need.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, event, text

from monitor.db import make_engine
from monitor.models import Feedback
from monitor.repository import Repository
from monitor.repository.feedback import FEEDBACK_COLUMNS, FEEDBACK_DEFAULTS

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


class SqliteInserter:
    """Inserts feedback rows over one SQLite connection of its own, with one prepared
    statement, and commits; the same rows and values as ``add_feedback_batch``.

    Values are converted for the database by the columns' own types (dates, JSON flags,
    booleans), so what is stored is exactly what SQLAlchemy would store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        table = Feedback.__table__  # type: ignore[attr-defined]
        # Names from the model, values bound as parameters.
        self._sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            table.name, ", ".join(FEEDBACK_COLUMNS), ", ".join("?" * len(FEEDBACK_COLUMNS))
        )
        self._columns = [
            (name, FEEDBACK_DEFAULTS[name], table.c[name].type.bind_processor(engine.dialect))
            for name in FEEDBACK_COLUMNS
        ]
        self._connection: Any = None

    def __call__(self, rows: list[Mapping[str, Any]]) -> list[int]:
        if self._connection is None:
            self._connection = self._engine.raw_connection()
        values = [
            tuple(
                convert(row.get(name, default)) if convert else row.get(name, default)
                for name, default, convert in self._columns
            )
            for row in rows
        ]
        cursor = self._connection.cursor()
        try:
            cursor.executemany(self._sql, values)
            # One INSERT in one transaction, which holds the only write lock: its rows
            # have consecutive ids, ending at the last one inserted.
            last = int(cursor.execute("SELECT last_insert_rowid()").fetchone()[0])
            self._connection.commit()
        except Exception:
            self.close()
            raise
        finally:
            cursor.close()
        return list(range(last - len(rows) + 1, last + 1))

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.rollback()
                self._connection.close()
            finally:
                self._connection = None


class FeedbackWriter:
    """One thread that commits queued feedback rows in small batches."""

    def __init__(self, repository: Repository, *, max_batch: int = 200) -> None:
        self._repository = repository
        self._sqlite = (
            SqliteInserter(repository.engine)
            if repository.engine.dialect.name == "sqlite"
            else None
        )
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._checkpointer: threading.Thread | None = None
        self._stop_checkpoints = threading.Event()
        self.batches = 0
        self.rows = 0
        self.slowest_commit_seconds = 0.0  # since start: a stalled disk shows here

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
        if self._sqlite is not None:
            self._sqlite.close()

    def _commit(self, batch: list[tuple[Mapping[str, Any], asyncio.Future[int], Any]]) -> None:
        began = time.perf_counter()
        try:
            rows = [row for row, _, _ in batch]
            if self._sqlite is not None:
                ids = self._sqlite(rows)
            else:
                ids = self._repository.add_feedback_batch(rows)
        except Exception as exc:  # the requests answer 503; nothing is claimed as stored
            log.error("could not store %d feedback rows: %s", len(batch), exc.__class__.__name__)
            for _, future, loop in batch:
                loop.call_soon_threadsafe(_settle, future, None, exc)
            return
        self.batches += 1
        self.rows += len(ids)
        self.slowest_commit_seconds = max(self.slowest_commit_seconds, time.perf_counter() - began)
        # One wake-up of each event loop for the whole batch, not one per row.
        settled: dict[Any, list[tuple[asyncio.Future[int], int]]] = {}
        for (_, future, loop), row_id in zip(batch, ids, strict=True):
            settled.setdefault(loop, []).append((future, row_id))
        for loop, results in settled.items():
            loop.call_soon_threadsafe(_settle_all, results)


def _settle_all(results: list[tuple[asyncio.Future[int], int]]) -> None:
    for future, row_id in results:
        _settle(future, row_id, None)


def _settle(future: asyncio.Future[int], value: int | None, error: BaseException | None) -> None:
    if future.done():  # the client went away; the row is stored all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value if value is not None else 0)
