"""Score a spot model on a fixed set: per-coordinate accuracy, exact-PID rate and exact-look rate.

Exact look is what matters to a player: several PIDs can draw the very same pixels (a hidden spot, or
spots whose visible parts coincide), and no image can tell them apart. Two PIDs have the same look exactly
when core.fingerprint.LookIndex gives them the same fingerprint; the index's look bitsets decide that
directly, without formatting the strings.

    python -m training.evaluate --model models/gen3.pt --set data/sets/gen3/test.npz [--assets DIR] [--card]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.assets import AssetPackError, default_pack
from core.fingerprint import LookIndex
from core.games import renderable_family
from core.inference import ModelError
from core.model import SpotModel, load_spot_model
from core.pid import COORDINATE_NAMES, pid_from_coordinates
from core.render import SpindaRenderer
from training.dataset import DatasetError, SpotSet, load_set, targets


@dataclass(frozen=True)
class Scores:
    samples: int
    per_coordinate: dict[str, float]
    exact_pid: float
    exact_look: float
    nll: float  # mean cross-entropy per coordinate, nats

    def summary(self) -> str:
        coords = " ".join(f"{name}={acc:.4f}" for name, acc in self.per_coordinate.items())
        return (
            f"n={self.samples} exact_look={self.exact_look:.4f} exact_pid={self.exact_pid:.4f} "
            f"nll={self.nll:.4f} | {coords}"
        )


def score(proba: npt.NDArray[np.float32], pids: npt.NDArray[np.uint32], index: LookIndex) -> Scores:
    """Scores for (N, 8, 16) probabilities against the true PIDs; looks are judged with `index`'s pack."""
    family = index.family
    truth = targets(pids, family)
    predicted = proba.argmax(axis=-1)
    correct = predicted == truth
    picked = np.take_along_axis(proba, truth[..., None], axis=-1)[..., 0]
    nll = float(-np.log(np.clip(picked, 1e-12, None)).mean()) if len(pids) else 0.0
    same_look = [
        bool((index.look(pid_from_coordinates(guess.tolist(), family)) == index.look(int(pid))).all())
        for guess, pid in zip(predicted, pids, strict=True)
    ]
    count = max(len(pids), 1)
    return Scores(
        samples=len(pids),
        per_coordinate={
            name: float(correct[:, k].mean()) if len(pids) else 0.0 for k, name in enumerate(COORDINATE_NAMES)
        },
        exact_pid=float(correct.all(axis=1).sum() / count),
        exact_look=float(sum(same_look) / count),
        nll=nll,
    )


def evaluate(model: SpotModel, spot_set: SpotSet, index: LookIndex) -> Scores:
    if spot_set.family != model.family.key or index.family.key != model.family.key:
        raise DatasetError(
            f"the set is for {spot_set.family} and the look index for {index.family.key}, "
            f"but the model reads {model.family.key}"
        )
    return score(model.predict_proba(spot_set.crops), spot_set.pids, index)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, required=True, help="checkpoint (.pt) to score")
    parser.add_argument("--set", type=Path, action="append", required=True, help="set file(s) (.npz)")
    parser.add_argument(
        "--assets", type=Path, help="pack that decides which PIDs look alike (default: in use)"
    )
    parser.add_argument("--card", action="store_true", help="record the scores in the model's JSON card")
    args = parser.parse_args(argv)
    try:
        model = load_spot_model(args.model)
        index = LookIndex(SpindaRenderer(default_pack(renderable_family(model.family.key), args.assets)))
        results: dict[str, Scores] = {}
        for path in args.set:
            spot_set = load_set(path)
            start = time.perf_counter()
            results[spot_set.kind] = scores = evaluate(model, spot_set, index)
            elapsed = time.perf_counter() - start
            print(f"{path} ({spot_set.kind}, pack {spot_set.pack}): {scores.summary()} [{elapsed:.1f} s]")
    except (ModelError, DatasetError, AssetPackError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.card:
        card_path = args.model.with_suffix(".json")
        card = json.loads(card_path.read_text()) if card_path.exists() else dict(model.card)
        card.setdefault("evaluation", {}).update({kind: asdict(s) for kind, s in results.items()})
        card_path.write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote {card_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
