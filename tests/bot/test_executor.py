from __future__ import annotations

import asyncio
import threading

import pytest

from bot.executor import BoundedExecutor, WorkQueueFull


async def test_runs_blocking_work_and_refuses_beyond_capacity() -> None:
    executor = BoundedExecutor(workers=1, queue_size=1)
    gate = threading.Event()
    try:
        first = asyncio.create_task(executor.run(gate.wait, 5))
        second = asyncio.create_task(executor.run(lambda: threading.current_thread().name))
        await asyncio.sleep(0)
        assert executor.in_flight == 2
        with pytest.raises(WorkQueueFull):
            await executor.run(print, "never")
        gate.set()
        assert await first is True
        assert (await second).startswith("spinda-worker")
        assert executor.in_flight == 0
    finally:
        executor.shutdown()


async def test_a_cancelled_wait_keeps_its_slot_until_the_job_ends() -> None:
    executor = BoundedExecutor(workers=1, queue_size=0)
    gate = threading.Event()
    try:
        waiting = asyncio.create_task(executor.run(gate.wait, 5))
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # The thread is still busy, so the one slot is still taken.
        with pytest.raises(WorkQueueFull):
            await executor.run(print, "never")
        gate.set()
        while executor.in_flight:
            await asyncio.sleep(0.01)
        assert await executor.run(sum, [1, 2]) == 3
    finally:
        executor.shutdown()


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        BoundedExecutor(workers=0, queue_size=4)
