"""Identification benchmark: accuracy on screenshots of the games' own sprites, no-Spinda rejection, speed.

Screens are synthesised at run time (training/scenes.py) from the reference pack read from --reference
(the games' art; never written anywhere). An answer is right when the PID it gives draws exactly the same
spots as the true PID in the art the picture was drawn with ("look right"); the table also gives how often
the answer has the true PID's fingerprint in the identifier's own pack ("fp right"), which is stricter when
that pack shows pixels the picture's art hides.

    .venv/bin/python -m bench.identify_bench --quick          # a few hundred pictures, a few minutes
    .venv/bin/python -m bench.identify_bench --per-cell 100   # the full run
    .venv/bin/python -m bench.identify_bench --per-cell 30 --configs default --kinds smooth+jpeg photo
    .venv/bin/python -m bench.identify_bench --per-cell 30 --configs default --kinds smooth+jpeg --full-chroma
    .venv/bin/python -m bench.identify_bench --per-cell 30 --configs default --second-frame

Configurations (--configs): "default" (the project's art, the shipped model if present), "decoder" (decoder
only) and "cnn" (CNN only) when a model is present, "reference" (the games' art given as assets), and
"resnet34" (the original design: a ResNet-34 CNN only, with the checkpoints given by --resnet34). The
no-Spinda and confidence rows come with "default"; --no-speed leaves out the speed table. --full-chroma
saves the same pictures' JPEGs with colour at full resolution (4:4:4): what JPEG's usual half-resolution
colour (4:2:0) costs. --second-frame draws the sprites on their second animation frame, where the family
has one (the Gen IV games': a screenshot taken while the sprite moves), and measures those families only."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.machine import describe_machine, peak_memory_mb
from core.assets import PROJECT_ROOT, load_pack, second_frame_pack
from core.detect import Detection, detect
from core.games import GEN3, GEN4
from core.pid import pid_from_coordinates
from core.pipeline import Identifier
from core.render import SpindaRenderer
from training.scenes import KINDS, no_spinda_crops, no_spinda_scenes, scenes

FAMILIES = (GEN3, GEN4)
CONFIGS = ("default", "decoder", "cnn", "reference", "resnet34")
CONFIDENCE_THRESHOLDS = (0.2, 0.4, 0.5, 0.6)


@dataclass
class Tally:
    total: int = 0
    look_right: int = 0
    fingerprint_right: int = 0
    answered: int = 0

    def add(self, look: bool, fingerprint: bool, answered: bool) -> None:
        self.total += 1
        self.look_right += look
        self.fingerprint_right += fingerprint
        self.answered += answered


def same_look(renderer: SpindaRenderer, a: int, b: int) -> bool:
    pixels = renderer.spot_pixels([a, b])
    return bool(np.array_equal(pixels[0], pixels[1]))


# status, PID, game, confidence (None where the configuration gives none)
Answer = Callable[[np.ndarray], tuple[str, int | None, str | None, float | None]]


def identifier_answer(identifier: Identifier) -> Answer:
    def answer(image: np.ndarray) -> tuple[str, int | None, str | None, float | None]:
        result = identifier.identify_array(image)
        return result.status, result.pid, result.game, result.confidence

    return answer


def cnn_only_answer(identifier: Identifier) -> Answer:
    """The original design: the CNN's most likely nibbles on the detected crop, no decoder, no check."""

    def answer(image: np.ndarray) -> tuple[str, int | None, str | None, float | None]:
        detections = detect(image, identifier.colours, identifier.families)
        best: tuple[float, Detection, np.ndarray] | None = None
        for detection in detections:
            model = identifier.models.get(detection.family.key)
            if model is None:
                continue
            proba = model.predict_proba(detection.crop[None])[0]
            belief = float(np.log(proba.max(axis=1)).sum())
            if best is None or belief > best[0]:
                best = (belief, detection, proba)
        if best is None:
            return "no_spinda", None, None, None
        coords = [int(c) for c in best[2].argmax(axis=1)]
        family = best[1].family
        return "ok", pid_from_coordinates(coords, family), family.key, None

    return answer


def accuracy_table(
    name: str,
    identifier: Identifier,
    answer: Answer,
    reference: Path,
    per_cell: int,
    seed: int,
    confidences: list[tuple[float, bool]],
    wanted: Sequence[str] = KINDS,
    full_chroma: bool = False,
    second_frame: bool = False,
) -> list[str]:
    """The table's rows for the `wanted` kinds of picture; each answered picture's (confidence, look right)
    is added to `confidences`. With `second_frame`, the sprites are drawn on their second animation frame,
    and families without one are left out."""
    rows = []
    for family in FAMILIES:
        pack = load_pack(reference / family.key, family)
        drawn = second_frame_pack(pack) if second_frame else pack
        if drawn is None:
            continue
        source = SpindaRenderer(drawn)
        index = identifier.looks.get(family.key)
        for kind in wanted:
            # Seeded by the kind's place in KINDS: a cell's pictures do not depend on which others run.
            rng = np.random.default_rng([seed, family.frame_size or 0, KINDS.index(kind)])
            tally = Tally()
            for pid, scene in scenes(source, kind, per_cell, rng, full_chroma):
                status, found, game, confidence = answer(scene.image)
                ok = status == "ok" and found is not None and game == family.key
                look = ok and found is not None and same_look(source, pid, found)
                fingerprint = (
                    ok
                    and index is not None
                    and found is not None
                    and index.fingerprint(found) == index.fingerprint(pid)
                )
                tally.add(look, fingerprint, status == "ok")
                if status == "ok" and confidence is not None:
                    confidences.append((confidence, look))
            rows.append(
                f"| {name:<16} | {family.key} | {kind:<16} | {tally.total:>5} | "
                f"{100 * tally.look_right / tally.total:6.1f}% | "
                f"{100 * tally.fingerprint_right / tally.total:6.1f}% | "
                f"{100 * tally.answered / tally.total:6.1f}% |"
            )
    return rows


def no_spinda_rate(identifier: Identifier, count: int, seed: int, cropped: bool = False) -> tuple[int, int]:
    """How many of `count` pictures without a Spinda are answered no_spinda: whole screens, or `cropped`
    around the creature."""
    if cropped:
        pictures = no_spinda_crops(count, np.random.default_rng([seed, 98]))
    else:
        pictures = no_spinda_scenes(count, np.random.default_rng([seed, 99]))
    rejected = sum(identifier.identify_array(scene.image).status == "no_spinda" for scene in pictures)
    return rejected, count


def speed(
    identifier: Identifier, reference: Path, count: int, seed: int, answer: Answer | None = None
) -> float:
    """Images per second for 720x480 screenshots (a Gen III screen at x3), answered by `answer` (by default
    the identifier's own pipeline)."""
    answer = answer or identifier_answer(identifier)
    renderer = SpindaRenderer(load_pack(reference / "gen3", GEN3))
    rng = np.random.default_rng([seed, 7])
    images = [scene.image for _, scene in scenes(renderer, "sharp x3", count, rng)]
    assert images[0].shape[:2] == (480, 720)
    answer(images[0])
    start = time.perf_counter()
    for image in images:
        answer(image)
    return count / (time.perf_counter() - start)


def _share(flags: list[bool]) -> str:
    return f"{100 * sum(flags) / len(flags):.0f}%" if flags else "-"


def resnet34(checkpoint: Path | None) -> Identifier:
    """An identifier whose models are the original design's ResNet-34: the checkpoint's (for its family),
    else untrained ones for both families."""
    from core.model import ModelConfig, SpotClassifier, SpotModel

    identifier = Identifier(model_path=checkpoint)
    if checkpoint is None:
        identifier.models = {
            family.key: SpotModel(SpotClassifier(ModelConfig(family.key, "resnet34"))) for family in FAMILIES
        }
    return identifier


def measure(config: str, checkpoint: Path | None, reference: Path, count: int, seed: int) -> dict[str, float]:
    """Build one configuration ("default" or "resnet34") in this process, which should be fresh (a model's
    build includes importing torch, paid once per process), and time it on the speed pictures."""
    start = time.perf_counter()
    identifier = resnet34(checkpoint) if config == "resnet34" else Identifier()
    build_s = time.perf_counter() - start
    answer = cnn_only_answer(identifier) if config == "resnet34" else identifier_answer(identifier)
    rate = speed(identifier, reference, count, seed, answer)
    peak_mb = peak_memory_mb()
    return {"build_s": build_s, "images_per_s": rate, "peak_mb": peak_mb}


def measured_apart(config: str, args: argparse.Namespace, per_cell: int) -> dict[str, float]:
    """`measure` in a fresh interpreter."""
    command = [sys.executable, "-m", "bench.identify_bench", "--measure", config]
    command += ["--reference", str(args.reference), "--seed", str(args.seed), "--per-cell", str(per_cell)]
    if args.resnet34 is not None:
        command += ["--resnet34", str(args.resnet34)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(result.stdout.splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=PROJECT_ROOT.parent / "shared" / "reference")
    parser.add_argument("--quick", action="store_true", help="10 pictures per cell")
    parser.add_argument("--per-cell", type=int, default=50)
    parser.add_argument(
        "--resnet34",
        type=Path,
        help="a ResNet-34 checkpoint, or a folder of spot_<family>.pt ones: the original design, CNN only",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="pictures to measure")
    parser.add_argument(
        "--configs",
        nargs="+",
        choices=CONFIGS,
        help="configurations to measure (default: all; resnet34 only with --resnet34, which it needs)",
    )
    parser.add_argument(
        "--speed", action=argparse.BooleanOptionalAction, default=True, help="time default and resnet34"
    )
    parser.add_argument(
        "--full-chroma",
        action="store_true",
        help="save the JPEG pictures with colour at full resolution (4:4:4) instead of the usual 4:2:0",
    )
    parser.add_argument(
        "--second-frame",
        action="store_true",
        help="draw the sprites on their second animation frame (Gen IV only: Gen III has none)",
    )
    parser.add_argument("--measure", choices=("default", "resnet34"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        count = 3 * (10 if args.quick else args.per_cell)
        print(json.dumps(measure(args.measure, args.resnet34, args.reference, count, args.seed)))
        return 0
    if not (args.reference / "gen3" / "front.png").exists():
        print(f"the games' reference data is not at {args.reference} (use --reference)")
        return 2
    if args.configs is None:
        args.configs = [c for c in CONFIGS if c != "resnet34" or args.resnet34 is not None]
    if "resnet34" in args.configs and args.resnet34 is None:
        parser.error("--configs resnet34 measures trained checkpoints: give them with --resnet34")
    per_cell = 10 if args.quick else args.per_cell

    print(describe_machine())
    default = Identifier()
    print(f"models: {sorted(default.models) or 'none'}")
    configs: list[tuple[str, Identifier, Answer]] = []
    if "default" in args.configs:
        configs.append(("default", default, identifier_answer(default)))
    if default.models and "decoder" in args.configs:
        decoder_only = Identifier()
        decoder_only.models = {}
        configs.append(("decoder only", decoder_only, identifier_answer(decoder_only)))
    if default.models and "cnn" in args.configs:
        configs.append(("CNN only", default, cnn_only_answer(default)))
    if "reference" in args.configs:
        reference_assets = Identifier(assets=args.reference)
        configs.append(("reference assets", reference_assets, identifier_answer(reference_assets)))
    if "resnet34" in args.configs:
        resnet = resnet34(args.resnet34)
        print(f"resnet34 models: {sorted(resnet.models) or 'none'}")
        configs.append(("resnet34 CNN only", resnet, cnn_only_answer(resnet)))

    print("\n| configuration    | game | pictures         | count | look right | fp right | answered |")
    print("|------------------|------|------------------|-------|------------|----------|----------|")
    default_confidences: list[tuple[float, bool]] = []
    for name, identifier, answer in configs:
        confidences: list[tuple[float, bool]] = default_confidences if name == "default" else []
        table = accuracy_table(
            name,
            identifier,
            answer,
            args.reference,
            per_cell,
            args.seed,
            confidences,
            args.kinds,
            args.full_chroma,
            args.second_frame,
        )
        for row in table:
            print(row, flush=True)

    if "default" in args.configs:
        confidence_table(default, default_confidences, per_cell, args.seed)
    if args.speed:
        speed_table(args, per_cell)
    return 0


def confidence_table(
    default: Identifier, default_confidences: list[tuple[float, bool]], per_cell: int, seed: int
) -> None:
    rejected, count = no_spinda_rate(default, 4 * per_cell, seed)
    print("\n| measure                          | value |")
    print("|----------------------------------|-------|")
    print(f"| no-Spinda pictures rejected      | {rejected}/{count} ({100 * rejected / count:.1f}%) |")
    rejected, count = no_spinda_rate(default, 2 * per_cell, seed, cropped=True)
    print(f"| no-Spinda crops rejected         | {rejected}/{count} ({100 * rejected / count:.1f}%) |")
    # How well the default's confidence separates right answers from wrong ones (the bot's LOW_CONFIDENCE).
    for threshold in CONFIDENCE_THRESHOLDS:
        above = [right for confidence, right in default_confidences if confidence >= threshold]
        below = [right for confidence, right in default_confidences if confidence < threshold]
        print(
            f"| confidence >= {threshold:.1f}: right / < it: right | "
            f"{_share(above)} of {len(above)} / {_share(below)} of {len(below)} |"
        )


def speed_table(args: argparse.Namespace, per_cell: int) -> None:
    """Each configuration in a fresh process, on the same 720x480 screenshots. The original design's
    ResNet-34 is timed untrained when no checkpoint is given: its speed does not depend on the weights."""
    ours = measured_apart("default", args, per_cell)
    theirs = measured_apart("resnet34", args, per_cell)
    weights = "" if args.resnet34 is not None else " (untrained)"
    print(f"\n| 720x480 screenshots, a process each | default | resnet34 CNN only{weights} | ratio |")
    print("|---|---|---|---|")
    rows = (("images_per_s", "images/s"), ("build_s", "build s, incl. torch"), ("peak_mb", "peak MB"))
    for key, label in rows:
        print(f"| {label} | {ours[key]:.2f} | {theirs[key]:.2f} | {ours[key] / theirs[key]:.2f} |")


if __name__ == "__main__":
    raise SystemExit(main())
