"""Train a spot model on the virtual dataset, with resumable checkpoints and early stopping.

    python -m training.train --family gen3 [--backbone spotnet] [--steps 6000] [--out models/gen3.pt]
                             [--assets DIR ...] [--resume] [--device cuda --workers 6]

Every --eval-every steps the model is scored on the fixed validation set (clean sprites on white); the best
score so far (exact-look rate, then lower loss) is written to --out with its JSON card, and the whole
training state (weights, optimiser, schedule, data stream position) to the run folder, so --resume carries
on exactly where an interrupted run stopped. Training stops early after --patience evaluations without a
better score.

On an accelerator (--device cuda) the network trains in bfloat16 autocast with channels-last weights, and
--workers processes render the batches (one process renders 1-2 thousand crops a second, far fewer than a
GPU consumes); see training.dataset.parallel_batches for what that changes about resuming.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from core.assets import PROJECT_ROOT, AssetPack, AssetPackError, data_dir
from core.fingerprint import LookIndex
from core.games import UnknownGameError, renderable_family
from core.inference import ModelError
from core.model import (
    BACKBONES,
    DEFAULT_BACKBONE,
    ModelConfig,
    SpotClassifier,
    SpotModel,
    checkpoint_payload,
    crops_to_tensor,
    device_of,
    load_spot_model,
    network_from_payload,
    save_spot_model,
)
from core.render import SpindaRenderer
from training.art import ArtVariation
from training.augment import AugmentConfig
from training.dataset import (
    Batch,
    DatasetError,
    SpotSet,
    VirtualDataset,
    load_set,
    make_set,
    parallel_batches,
    targets,
    training_packs,
)
from training.evaluate import Scores, evaluate


@dataclass
class TrainOptions:
    family: str = "gen3"
    backbone: str = DEFAULT_BACKBONE
    widths: tuple[int, ...] = ModelConfig.widths
    hidden: int = ModelConfig.hidden
    steps: int = 6000
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    eval_every: int = 250
    patience: int = 8
    seed: int = 0
    threads: int = 0  # 0: leave torch's default
    device: str = "cpu"
    workers: int = 0  # 0: batches rendered in this process
    varied_art: float = 0.0  # share of samples drawn with varied art (training.art); 0: the packs only
    assets: list[Path] = field(default_factory=list)
    out: Path | None = None
    run_dir: Path | None = None
    val: Path | None = None
    resume: bool = False
    init: Path | None = None  # start from this model's weights (fine-tuning), e.g. on an imported pack
    pause_at: int | None = None  # save the state and stop at this step; --resume carries on
    quiet: bool = False


@dataclass
class TrainResult:
    steps: int
    best_step: int
    best: Scores | None
    stopped_early: bool
    wall_seconds: float
    history: list[dict[str, Any]]


def loss_on(network: SpotClassifier, crops: np.ndarray, labels: torch.Tensor) -> torch.Tensor:
    device = device_of(network)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        logits = network(crops_to_tensor(crops, device))
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.to(device).reshape(-1))


def training_device(name: str) -> torch.device:
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ModelError(f"unknown device {name!r}: use cpu, cuda or cuda:N") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"device {name!r}: this machine has no CUDA device (torch {torch.__version__})")
    if device.type not in ("cpu", "cuda"):
        raise ModelError(f"device {name!r}: only cpu and cuda are supported")
    return device


def _validation_set(options: TrainOptions, packs: list[AssetPack], family_key: str) -> SpotSet:
    """The fixed validation set, written on first use; refuses a set drawn with other packs."""
    path = options.val or data_dir() / "sets" / family_key / "val.npz"
    names = "+".join(pack.name for pack in packs)
    if path.exists():
        val = load_set(path)
        if val.family != family_key or val.pack != names or val.kind != "val":
            raise DatasetError(
                f"{path} is a {val.kind} set for {val.family} drawn with {val.pack}; this run trains "
                f"{family_key} with {names}: regenerate it (python -m training.generate_sets) or pass --val"
            )
        return val
    val = make_set(packs, "val")
    val.save(path)
    return val


def _shown(path: Path) -> str:
    """A path as the card records it: relative to the project when inside it, so the card is portable."""
    resolved = path.resolve()
    return str(resolved.relative_to(PROJECT_ROOT)) if resolved.is_relative_to(PROJECT_ROOT) else str(path)


def _better(scores: Scores, best: Scores | None) -> bool:
    return best is None or (scores.exact_look, -scores.nll) > (best.exact_look, -best.nll)


def _progress(step: int, total: int, loss: float, rate: float, note: str = "") -> str:
    done = int(30 * step / max(total, 1))
    return f"[{'#' * done}{'.' * (30 - done)}] {step}/{total} loss {loss:.4f} {rate:.0f} samples/s {note}"


def train(options: TrainOptions) -> TrainResult:
    family = renderable_family(options.family)
    config = ModelConfig(family.key, options.backbone, options.widths, options.hidden)
    device = training_device(options.device)
    if options.threads:
        torch.set_num_threads(options.threads)
    packs = training_packs(family, options.assets)
    val = _validation_set(options, packs, family.key)
    index = LookIndex(SpindaRenderer(packs[0]))
    out = options.out or PROJECT_ROOT / "models" / f"spot_{family.key}.pt"
    run_dir = options.run_dir or data_dir() / "runs" / f"{family.key}-{options.backbone}"
    state_path = run_dir / "state.pt"

    torch.manual_seed(options.seed)
    network = SpotClassifier(config)
    init_card: dict[str, Any] = {}
    if options.init is not None:
        start_model = load_spot_model(options.init)
        if start_model.config != config:
            raise ModelError(f"{options.init} is a {start_model.config}, not the {config} this run trains")
        network.load_state_dict(start_model.network.state_dict())
        init_card = {
            "path": _shown(options.init),
            "steps": start_model.card.get("steps"),
            "wall_seconds": start_model.card.get("wall_seconds"),
        }
    network = on_device(network, device)
    augment_config = AugmentConfig()
    variation = replace(ArtVariation(), share=options.varied_art) if options.varied_art > 0 else None
    dataset = VirtualDataset(packs, options.seed, augment_config, variation=variation)
    optimiser = torch.optim.AdamW(network.parameters(), lr=options.lr, weight_decay=options.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=options.lr, total_steps=options.steps, pct_start=0.1
    )
    step, best_step, stale, elapsed = 0, 0, 0, 0.0
    best: Scores | None = None
    history: list[dict[str, Any]] = []
    if options.resume:
        if not state_path.exists():
            raise DatasetError(f"nothing to resume: {state_path} does not exist")
        state = torch.load(state_path, map_location="cpu", weights_only=True)
        network = network_from_payload(state["model"], state_path)
        if network.config != config:
            raise ModelError(f"{state_path} trains {network.config}, not {config}")
        network = on_device(network, device)
        optimiser = torch.optim.AdamW(network.parameters(), lr=options.lr, weight_decay=options.weight_decay)
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimiser, max_lr=options.lr, total_steps=options.steps, pct_start=0.1
        )
        # After the schedule is built: building it resets the optimiser's learning rate to the first step's.
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        dataset.restore(state["data"])
        torch.set_rng_state(state["torch_rng"])
        step, best_step, stale, elapsed = state["step"], state["best_step"], state["stale"], state["elapsed"]
        history = json.loads(state["history"])
        best = Scores(**history[best_step_index(history, best_step)]["val"]) if history else None
        if not options.quiet:
            print(f"resumed {state_path} at step {step}")

    def card() -> dict[str, Any]:
        return {
            "family": family.key,
            "backbone": options.backbone,
            "config": config.to_dict(),
            "data": {
                "packs": [{"name": p.name, "source": _shown(p.source)} for p in packs],
                "augment": asdict(augment_config),
                "art_variation": asdict(variation) if variation else None,
                "shiny_rate": dataset.shiny_rate,
                "batch_size": options.batch_size,
                "workers": options.workers,
                "samples_seen": best_step * options.batch_size,
                "validation": {"seed": val.seed, "samples": len(val.pids), "pack": val.pack},
            },
            "steps": best_step,
            "initialised_from": init_card or None,
            "steps_run": step,
            "wall_seconds": round(elapsed, 1),
            "machine": {
                "platform": platform.platform(),
                "processor": platform.processor() or platform.machine(),
                "cpus": os.cpu_count(),
                "torch_threads": torch.get_num_threads(),
                "torch": str(torch.__version__),
                "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
                # Other work shares the CPU; the load shows how much of it this run had.
                "load_average": [round(v, 2) for v in os.getloadavg()],
            },
            "evaluation": {"val": asdict(best)} if best else {},
        }

    start = time.perf_counter() - elapsed
    window: list[float] = []
    stopped_early = False
    network.train()
    batches: Iterator[Batch] = (
        parallel_batches(
            packs, options.seed, step, options.batch_size, options.workers, augment_config, variation
        )
        if options.workers
        else iter(lambda: dataset.batch(options.batch_size), None)
    )
    while step < min(options.steps, options.pause_at or options.steps):
        batch = next(batches)
        labels = torch.from_numpy(targets(batch.pids, family))
        loss = loss_on(network, batch.crops, labels)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        schedule.step()
        step += 1
        window = [*window[-49:], loss.item()]
        elapsed = time.perf_counter() - start
        if not options.quiet and (step % 10 == 0 or step == options.steps):
            rate = step * options.batch_size / max(elapsed, 1e-9)
            print("\r" + _progress(step, options.steps, float(np.mean(window)), rate), end="", flush=True)
        if step % options.eval_every == 0 or step in (options.steps, options.pause_at):
            network.eval()
            scores = evaluate(SpotModel(network), val, index)
            network.train()
            history.append(
                {
                    "step": step,
                    "elapsed": round(elapsed, 1),
                    "train_loss": float(np.mean(window)),
                    "val": asdict(scores),
                }
            )
            if _better(scores, best):
                best, best_step, stale = scores, step, 0
                save_spot_model(out, network, card())
                out.with_suffix(".json").write_text(json.dumps(card(), indent=2) + "\n")
            else:
                stale += 1
            if not options.quiet:
                print(f"\nstep {step} {elapsed:.0f}s val {scores.summary()}" + (" *" if stale == 0 else ""))
            run_dir.mkdir(parents=True, exist_ok=True)
            torch.save(
                {
                    "model": checkpoint_payload(network),
                    "optimiser": optimiser.state_dict(),
                    "schedule": schedule.state_dict(),
                    "data": dataset.state(),
                    "torch_rng": torch.get_rng_state(),
                    "step": step,
                    "best_step": best_step,
                    "stale": stale,
                    "elapsed": elapsed,
                    "history": json.dumps(history),
                },
                state_path,
            )
            if stale >= options.patience:
                stopped_early = True
                break
    # The card's wall time covers the whole run, not just up to the best evaluation.
    if out.exists():
        final_card = json.loads(out.with_suffix(".json").read_text())
        final_card.update(steps_run=step, wall_seconds=round(elapsed, 1), stopped_early=stopped_early)
        out.with_suffix(".json").write_text(json.dumps(final_card, indent=2) + "\n")
    return TrainResult(step, best_step, best, stopped_early, elapsed, history)


def on_device(network: SpotClassifier, device: torch.device) -> SpotClassifier:
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # fixed input sizes: let cuDNN pick the fastest kernels
        # Tensor cores read channels-last activations without a transpose per convolution.
        return network.to(device).to(memory_format=torch.channels_last)
    return network.to(device)


def best_step_index(history: list[dict[str, Any]], best_step: int) -> int:
    return next(i for i, entry in enumerate(history) if entry["step"] == best_step)


def _widths(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers such as 16,32,32,48, got {text!r}"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n")[0])
    parser.add_argument("--family", default="gen3", help="gen3 or gen4 (or a game name)")
    parser.add_argument("--backbone", default=DEFAULT_BACKBONE, choices=BACKBONES)
    parser.add_argument("--steps", type=int, default=TrainOptions.steps, help="optimiser steps (the most)")
    parser.add_argument("--batch-size", type=int, default=TrainOptions.batch_size)
    parser.add_argument("--lr", type=float, default=TrainOptions.lr, help="peak learning rate")
    parser.add_argument("--eval-every", type=int, default=TrainOptions.eval_every)
    parser.add_argument(
        "--patience",
        type=int,
        default=TrainOptions.patience,
        help="evaluations without a better validation score before stopping",
    )
    parser.add_argument("--seed", type=int, default=TrainOptions.seed)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for a GPU")
    parser.add_argument(
        "--workers", type=int, default=0, help="processes rendering batches (0: this one; for a GPU, 4-8)"
    )
    parser.add_argument("--assets", type=Path, action="append", help="pack folder(s) to train on")
    parser.add_argument(
        "--varied-art",
        type=float,
        default=TrainOptions.varied_art,
        help="share of samples drawn with randomly varied art, 0..1 (training/art.py)",
    )
    parser.add_argument(
        "--out", type=Path, help="best checkpoint (default models/spot_<family>.pt; card beside it)"
    )
    parser.add_argument(
        "--run-dir", type=Path, help="resumable state (default data/runs/<family>-<backbone>)"
    )
    parser.add_argument("--val", type=Path, help="validation set (default data/sets/<family>/val.npz)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir")
    parser.add_argument("--init", type=Path, help="start from this checkpoint's weights (fine-tune)")
    parser.add_argument("--pause-at", type=int, help="save the state and stop at this step (then --resume)")
    parser.add_argument(
        "--widths",
        type=_widths,
        default=ModelConfig.widths,
        help="spotnet's four channel widths, e.g. 16,32,32,48",
    )
    parser.add_argument("--hidden", type=int, default=ModelConfig.hidden, help="spotnet's dense layer size")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    for name in ("steps", "batch_size", "eval_every", "patience"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.workers < 0:
        parser.error("--workers must be 0 or more")
    if not 0.0 <= args.varied_art <= 1.0:
        parser.error("--varied-art must be a share between 0 and 1")
    options = TrainOptions(
        family=args.family,
        backbone=args.backbone,
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        eval_every=args.eval_every,
        patience=args.patience,
        seed=args.seed,
        threads=args.threads,
        device=args.device,
        workers=args.workers,
        varied_art=args.varied_art,
        widths=args.widths,
        hidden=args.hidden,
        pause_at=args.pause_at,
        init=args.init,
        assets=args.assets or [],
        out=args.out,
        run_dir=args.run_dir,
        val=args.val,
        resume=args.resume,
        quiet=args.quiet,
    )
    try:
        result = train(options)
    except (UnknownGameError, AssetPackError, DatasetError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    best = result.best.summary() if result.best else "none"
    how = "stopped early" if result.stopped_early else "finished"
    print(
        f"{how} after {result.steps} steps in {result.wall_seconds:.0f}s; "
        f"best at step {result.best_step}: {best}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
