"""Render and fingerprint throughput: prints PIDs rendered per second and milliseconds per sibling listing.

.venv/bin/python bench/render_bench.py [--count 20000] [--assets DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bench.machine import describe_machine
from core.assets import default_pack
from core.fingerprint import LookIndex
from core.games import GEN3, GEN4
from core.render import SpindaRenderer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000, help="PIDs per render timing")
    parser.add_argument("--classes", type=int, default=2000, help="PIDs per sibling-listing timing")
    parser.add_argument("--assets", type=Path, help="asset pack folder (default: the active pack)")
    args = parser.parse_args()
    print(f"machine: {describe_machine()}")
    rng = np.random.default_rng(1)
    for family in (GEN3, GEN4):
        renderer = SpindaRenderer(default_pack(family, args.assets))
        pids = rng.integers(0, 2**32, args.count, dtype=np.uint64).astype(np.uint32)
        renderer.rgba(pids[:100])  # warm the palette tables
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            renderer.rgba(pids)
            best = min(best, time.perf_counter() - start)
        print(f"{family.key} render RGBA   : {args.count / best:10.0f} PIDs/s ({renderer.pack.name} pack)")

        index = LookIndex(renderer)
        sample = [int(p) for p in pids[: args.classes]]
        times = []
        sizes = []
        for pid in sample:
            start = time.perf_counter()
            sizes.append(len(index.siblings(pid)))
            times.append(time.perf_counter() - start)
        ms = np.array(times) * 1000
        largest = sample[int(np.argmax(sizes))]
        start = time.perf_counter()
        index.siblings(largest)
        largest_ms = (time.perf_counter() - start) * 1000
        print(
            f"{family.key} list a class  : mean {ms.mean():.2f} ms, p99 {np.percentile(ms, 99):.2f} ms, "
            f"max {ms.max():.2f} ms; largest class seen {max(sizes)} PIDs in {largest_ms:.2f} ms; "
            f"{np.mean(np.array(sizes) == 1):.1%} of PIDs have a look of their own"
        )


if __name__ == "__main__":
    main()
