"""Write the fixed evaluation sets: validation (seed 42, 1000 clean sprites on white) and test (seed 99,
500 augmented crops), drawn with the training packs, to data/sets/<family>/{val,test}.npz.

    python -m training.generate_sets --family gen3 [--assets DIR ...] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.assets import AssetPackError, data_dir
from core.games import UnknownGameError, renderable_family
from training.dataset import make_set, training_packs


def sets_dir() -> Path:
    return data_dir() / "sets"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.generate_sets", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--family", default="gen3", help="gen3 or gen4 (or a game name)")
    parser.add_argument("--assets", type=Path, action="append", help="pack folder(s) to draw with")
    parser.add_argument("--out", type=Path, help="folder for the sets (default: data/sets/<family>)")
    args = parser.parse_args(argv)
    try:
        family = renderable_family(args.family)
        packs = training_packs(family, args.assets)
    except (UnknownGameError, AssetPackError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out or sets_dir() / family.key
    for kind in ("val", "test"):
        spot_set = make_set(packs, kind)
        path = out / f"{kind}.npz"
        spot_set.save(path)
        print(f"wrote {path}: {len(spot_set.pids)} {kind} crops, seed {spot_set.seed}, pack {spot_set.pack}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
