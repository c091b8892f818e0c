"""Spot model speed: milliseconds per predict_proba call and training samples per second.

.venv/bin/python -m bench.model_bench [--models DIR] [--threads N] [--backbone spotnet]

Uses models/spot_<family>.pt where it exists (else a freshly initialised network of --backbone: speed does
not depend on the weights), and the active art for the training-throughput figure.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import torch

from bench.machine import describe_machine
from core.assets import PROJECT_ROOT
from core.games import GEN3, GEN4, GameFamily
from core.inference import NibbleModel, load_inference_model
from core.model import (
    BACKBONES,
    DEFAULT_BACKBONE,
    ModelConfig,
    SpotClassifier,
    SpotModel,
    export_inference,
    load_spot_model,
)
from training.augment import AugmentConfig
from training.dataset import VirtualDataset, targets, training_packs
from training.train import loss_on


def _best_of(repeats: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def bench_family(family: GameFamily, args: argparse.Namespace) -> None:
    path = args.models / f"spot_{family.key}.pt"
    if path.exists() and args.backbone == DEFAULT_BACKBONE:
        model, source = load_spot_model(path), str(path)
    else:
        model, source = SpotModel(SpotClassifier(ModelConfig(family.key, args.backbone))), "untrained"
    params = sum(p.numel() for p in model.network.parameters())
    rng = np.random.default_rng(0)
    predictors: list[tuple[str, NibbleModel]] = [("torch", model)]
    if model.config.backbone == "spotnet":
        # The form the pipeline uses (core.inference), exported from the same weights.
        with tempfile.TemporaryDirectory() as folder:
            export_inference(model.network, Path(folder) / "spot.npz")
            predictors.append(("numpy", load_inference_model(Path(folder) / "spot.npz")))
    for n in (1, 64):
        crops = rng.integers(0, 256, (n, model.size, model.size, 3), dtype=np.uint8)
        for name, predictor in predictors:
            predictor.predict_proba(crops)
            seconds = _best_of(10, partial(predictor.predict_proba, crops))
            print(
                f"{family.key} {model.config.backbone} ({name}) predict_proba batch {n:3d}: "
                f"{seconds * 1000:8.2f} ms ({seconds * 1000 / n:.2f} ms/crop; {params} parameters; {source})"
            )
    dataset = VirtualDataset(training_packs(family), 0, AugmentConfig())
    data_s = _best_of(3, partial(dataset.batch, args.batch_size))
    network = SpotClassifier(model.config).train()
    optimiser = torch.optim.AdamW(network.parameters())
    batch = dataset.batch(args.batch_size)
    labels = torch.from_numpy(targets(batch.pids, family))

    def step() -> None:
        loss = loss_on(network, batch.crops, labels)
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()

    step_s = _best_of(3, step)
    print(
        f"{family.key} training: data {data_s * 1000:.0f} ms + step {step_s * 1000:.0f} ms per "
        f"{args.batch_size} crops = {args.batch_size / (data_s + step_s):.0f} samples/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=PROJECT_ROOT / "models")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (training used 1)")
    parser.add_argument("--backbone", default=DEFAULT_BACKBONE, choices=BACKBONES)
    parser.add_argument("--batch-size", type=int, default=128, help="training batch")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {describe_machine()}, torch threads {args.threads}")
    for family in (GEN3, GEN4):
        bench_family(family, args)


if __name__ == "__main__":
    main()
