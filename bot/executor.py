"""One bounded pool for all blocking work, so the event loop never waits on the pipeline.

The pool's own queue is unbounded; this wrapper counts running plus waiting jobs and refuses new ones
once `workers + queue_size` are in flight, so a burst of uploads gets a "try again" instead of a
reply minutes late.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class WorkQueueFull(RuntimeError):
    """Every worker is busy and the queue is full; the caller should ask the user to retry."""


class BoundedExecutor:
    def __init__(self, workers: int, queue_size: int) -> None:
        if workers < 1 or queue_size < 0:
            raise ValueError(
                f"need at least one worker and a queue of 0 or more, got {workers}, {queue_size}"
            )
        self.capacity = workers + queue_size
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spinda-worker")
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def full(self) -> bool:
        return self._in_flight >= self.capacity

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        # Only the event loop thread touches the counter, so it needs no lock.
        if self.full:
            raise WorkQueueFull(f"all {self.capacity} identification slots are taken")
        loop = asyncio.get_running_loop()
        job = self._pool.submit(functools.partial(fn, *args, **kwargs))
        self._in_flight += 1
        # The slot is freed when the job ends, not when its caller stops waiting: a cancelled wait
        # leaves the thread busy, and the bound must count it.
        job.add_done_callback(lambda _: loop.call_soon_threadsafe(self._release))
        return await asyncio.wrap_future(job)

    def _release(self) -> None:
        self._in_flight -= 1

    def shutdown(self) -> None:
        """Drop queued jobs and wait for the running ones, so no thread outlives the bot."""
        self._pool.shutdown(wait=True, cancel_futures=True)
