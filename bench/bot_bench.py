"""Bot-path benchmark: event-loop lag while identifications run at once, and throughput against the pipeline.

    .venv/bin/python bench/bot_bench.py [--concurrent 20] [--workers 2] [--rounds 2] [--images DIR]

Screenshots are synthesised from the configured art (random PIDs, scaled 2-4x onto a plain background)
unless --images gives a folder of pictures. Prints:
  - bare pipeline: Identifier.identify_bytes from 1 thread and from --workers threads, pictures per second;
  - bot path: SpindaService.identify for --concurrent uploads at once (the executor, narrowing, the
    picture, the registry writes), pictures per second;
  - their ratio (bot path over bare pipeline with as many threads): the bot path's overhead;
  - the event loop's worst and 99th-percentile lag during the bot path, sampled every 5 ms. The target
    is a worst lag under 100 ms: a lagging loop misses Discord's heartbeats and 3-second reply windows.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe_machine
from bot.executor import BoundedExecutor
from bot.service import Requester, SpindaService, pipeline_identifiers
from core.assets import default_pack
from core.games import GEN3, GEN4
from core.pipeline import Identifier
from core.registry import Registry
from core.render import SpindaRenderer

LAG_TARGET_S = 0.100
TICK_S = 0.005


@dataclass(frozen=True)
class Shot:
    filename: str
    data: bytes
    content_type: str | None = "image/png"

    @property
    def size(self) -> int:
        return len(self.data)

    async def read(self) -> bytes:
        return self.data


def synthetic_shots(count: int, seed: int) -> list[Shot]:
    rng = random.Random(seed)
    renderers = [SpindaRenderer(default_pack(family)) for family in (GEN3, GEN4)]
    shots = []
    for n in range(count):
        renderer = renderers[n % 2]
        scale = rng.choice((2, 3, 4))
        sprite = renderer.image(rng.getrandbits(32), scale=scale)
        canvas = Image.new("RGB", (sprite.width + 80, sprite.height + 60), (rng.randrange(40), 60, 90))
        canvas.paste(sprite, (40, 30), sprite)
        buffer = io.BytesIO()
        canvas.save(buffer, "PNG")
        shots.append(Shot(f"synthetic-{n}.png", buffer.getvalue()))
    return shots


def folder_shots(folder: Path, count: int) -> list[Shot]:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg", ".webp"})
    if not paths:
        raise SystemExit(f"bot_bench: {folder}: no PNG, JPEG or WebP pictures")
    chosen = [paths[n % len(paths)] for n in range(count)]
    return [Shot(f"{n}-{path.name}", path.read_bytes()) for n, path in enumerate(chosen)]


async def watch_lag(stop: asyncio.Event, lags: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(TICK_S)
        lags.append(loop.time() - start - TICK_S)


async def bot_path(shots: list[Shot], workers: int, scratch: Path) -> tuple[float, list[float], int]:
    service = SpindaService(
        registry=Registry(scratch / "bench.db"),
        executor=BoundedExecutor(workers, queue_size=len(shots)),
        identifiers=pipeline_identifiers(None, None),
        max_attachment_bytes=64 * 2**20,
    )
    async with service:
        stop, lags = asyncio.Event(), list[float]()
        ticker = asyncio.create_task(watch_lag(stop, lags))
        start = time.perf_counter()
        requests = [
            service.identify(shot, Requester("bench", user_id=n, guild_id=1)) for n, shot in enumerate(shots)
        ]
        outcomes = await asyncio.gather(*requests)
        elapsed = time.perf_counter() - start
        stop.set()
        await ticker
    return elapsed, lags, sum(outcome.identified for outcome in outcomes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="repeat and report the best round")
    parser.add_argument("--images", type=Path, help="a folder of screenshots instead of synthetic ones")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.images:
        shots = folder_shots(args.images, args.concurrent)
    else:
        shots = synthetic_shots(args.concurrent, args.seed)
    print(describe_machine())
    print(f"{len(shots)} pictures, {args.workers} workers, best of {args.rounds} rounds")

    identifier = Identifier()
    identifier.identify_bytes(shots[0].data, shots[0].filename)  # warm-up: lazy tables, allocator

    def bare_round(workers: int) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda shot: identifier.identify_bytes(shot.data, shot.filename), shots))
        elapsed = time.perf_counter() - start
        assert all(result.status != "error" for result in results)
        return elapsed

    bare_rates = {}
    for workers in sorted({1, args.workers}):
        bare_rates[workers] = len(shots) / min(bare_round(workers) for _ in range(args.rounds))
        print(f"bare pipeline, {workers} thread(s): {bare_rates[workers]:6.2f} pictures/s")

    worst_lags, p99_lags, bot_rates = [], [], []
    for round_number in range(args.rounds):
        with tempfile.TemporaryDirectory() as scratch:
            elapsed, lags, identified = asyncio.run(bot_path(shots, args.workers, Path(scratch)))
        worst_lags.append(max(lags))
        p99_lags.append(statistics.quantiles(lags, n=100)[98] if len(lags) >= 2 else max(lags))
        bot_rates.append(len(shots) / elapsed)
        print(
            f"bot path round {round_number + 1}: {bot_rates[-1]:6.2f} pictures/s  ({identified}/{len(shots)} "
            f"identified), loop lag worst {1000 * worst_lags[-1]:.1f} ms, p99 {1000 * p99_lags[-1]:.1f} ms "
            f"over {len(lags)} ticks"
        )
    worst = max(worst_lags)
    print(
        f"bot path / bare pipeline with the same {args.workers} threads: "
        f"{max(bot_rates) / bare_rates[args.workers]:.2f}x"
    )
    verdict = "PASS" if worst < LAG_TARGET_S else "FAIL"
    print(
        f"worst event-loop lag over all rounds: {1000 * worst:.1f} ms "
        f"(target < {1000 * LAG_TARGET_S:.0f} ms): {verdict}"
    )
    return 0 if worst < LAG_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
