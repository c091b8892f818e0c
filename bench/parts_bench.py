"""Each part of the identifier alone and together on the project's fixed sets: the spot CNN, the decoder,
and the decoder with the CNN's prior, on the validation set (seed 42, clean crops on white) and the
augmented test set (seed 99), both built in memory by training.dataset.make_set from the default art.

    .venv/bin/python -m bench.parts_bench [--limit N]

The crops stand for the detector's output (native resolution, the frame given), so this measures the CNN
and the decoder without the detector's search: the sprite's region is what the detector takes it to be in
a reconstruction (everything its surroundings, joined to the crop's border, do not reach), and the
augmented set's misregistration, blur and noise reach the decoder unrepaired. The whole pipeline, detector
included, is then measured on the augmented test set as screenshots (training.dataset.augmented_screenshots:
the same seed and size, a third each pixel-sharp at x1-6, smoothed + JPEG, phone photos), by kind of picture;
bench/identify_bench.py measures it on screenshots of the games' own sprites. "Right" = the answer draws the
true PID's look in the default art.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from bench.machine import describe_machine
from core.assets import default_pack
from core.decode import decode, envelope, observe
from core.detect import _RECONSTRUCTED_STEP, ColourModel, Detection, Frame, _surroundings
from core.fingerprint import LookIndex
from core.games import GEN3, GEN4, GameFamily
from core.pid import pid_from_coordinates
from core.pipeline import Identifier
from training.dataset import (
    SCREENSHOT_GROUPS,
    TEST_SIZE,
    SpotSet,
    augmented_screenshots,
    make_set,
    training_packs,
)

Answer = Callable[[npt.NDArray[np.uint8]], int]


def answers(identifier: Identifier, family: GameFamily) -> dict[str, Answer]:
    """The three ways of reading a crop, each returning a PID."""
    model = identifier.models.get(family.key)
    colours: ColourModel = identifier.colours
    allowed = envelope(family, default_pack(family).cream)

    def observation(crop: npt.NDArray[np.uint8]) -> Detection:
        size = crop.shape[0]
        distances = colours.class_distances(crop.reshape(-1, 3).astype(np.float32)).reshape(size, size, 4)
        _, near = _surroundings(crop, _RECONSTRUCTED_STEP)
        # Read as a photo's crop is: the augmented set's crops are blurred.
        return Detection(Frame(family, 0.0, 0.0, 1.0, 1.0), crop, distances, ~near, blurred=True)

    def decoder(crop: npt.NDArray[np.uint8], prior: bool = False) -> int:
        proba = model.predict_proba(crop[None])[0] if prior and model is not None else None
        return decode(observe(observation(crop), colours, allowed), proba).pids[0]

    def cnn(crop: npt.NDArray[np.uint8]) -> int:
        assert model is not None
        coordinates = model.predict_proba(crop[None])[0].argmax(axis=1)
        return pid_from_coordinates([int(c) for c in coordinates], family)

    found: dict[str, Answer] = {"decoder": decoder}
    if model is not None:
        found = {"CNN": cnn, "decoder": decoder, "decoder + CNN prior": lambda crop: decoder(crop, True)}
    return found


def right_share(answer: Answer, spot_set: SpotSet, index: LookIndex, limit: int) -> tuple[float, float]:
    """(share with the true look, seconds per crop) over the set's first `limit` crops."""
    count = min(limit, len(spot_set.pids))
    start = time.perf_counter()
    right = sum(
        bool(np.array_equal(index.look(answer(spot_set.crops[i])), index.look(int(spot_set.pids[i]))))
        for i in range(count)
    )
    return right / count, (time.perf_counter() - start) / count


def pipeline_rows(identifier: Identifier, family: GameFamily, count: int) -> list[list[str]]:
    """The whole pipeline on the family's augmented test screenshots: a row per group of kinds, then all."""
    index = identifier.looks[family.key]
    tallies = {group: [0, 0, 0, 0.0] for group in (*SCREENSHOT_GROUPS, "all")}  # pictures, right, ok, s
    for kind, pid, scene in augmented_screenshots(training_packs(family), count):
        start = time.perf_counter()
        result = identifier.identify_array(scene.image)
        seconds = time.perf_counter() - start
        right = (
            result.pid is not None
            and result.game == family.key
            and bool(np.array_equal(index.look(result.pid), index.look(pid)))
        )
        for group in ("sharp" if kind.startswith("sharp") else kind, "all"):
            tally = tallies[group]
            tally[0] += 1
            tally[1] += right
            tally[2] += result.status == "ok"
            tally[3] += seconds
    return [
        [group, str(n), f"{100 * right / n:.1f}%", f"{100 * ok / n:.1f}%", f"{seconds / n:.2f}"]
        for group, (n, right, ok, seconds) in tallies.items()
        if n
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parts_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=1000, help="crops per set at most")
    parser.add_argument(
        "--screenshots", type=int, default=TEST_SIZE, help="test screenshots per family (0: none)"
    )
    args = parser.parse_args(argv)
    print(describe_machine())
    identifier = Identifier()
    print("\n| family | set | part | crops | right look | ms per crop |")
    print("|---|---|---|---|---|---|")
    for family in (GEN3, GEN4):
        index = identifier.looks[family.key]
        for kind in ("val", "test"):
            spot_set = make_set(training_packs(family), kind)
            for name, answer in answers(identifier, family).items():
                share, seconds = right_share(answer, spot_set, index, args.limit)
                count = min(args.limit, len(spot_set.pids))
                row = (family.key, kind, name, str(count), f"{100 * share:.1f}%", f"{1000 * seconds:.1f}")
                print(f"| {' | '.join(row)} |")
    if args.screenshots:
        print("\n| family | augmented test screenshots | pictures | right look | answered | s per picture |")
        print("|---|---|---|---|---|---|")
        for family in (GEN3, GEN4):
            for cells in pipeline_rows(identifier, family, args.screenshots):
                print(f"| {family.key} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
