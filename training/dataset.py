"""The virtual training set and the fixed evaluation sets.

Training never sees the same sprite twice on purpose: every sample is a fresh random PID, rendered with
one of the packs given (the project's default art, or a pack the user imported), normal or shiny, then
augmented. The evaluation sets are the same generator with a fixed seed, written to disk once so every
run is scored on identical pixels.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from core.assets import DEFAULT_ASSETS_DIR, AssetPack, default_pack, load_pack, user_pack_dir
from core.games import GameFamily
from core.pid import coordinates
from core.render import SpindaRenderer
from training.art import ArtVariation, varied_packs
from training.augment import AugmentConfig, augment
from training.scenes import Scene, scenes

VAL_SEED, VAL_SIZE = 42, 1000
TEST_SEED, TEST_SIZE = 99, 500
SCREENSHOT_GROUPS = ("sharp", "smooth+jpeg", "photo")
SET_FORMAT = "spinda-spot-set/1"


class DatasetError(ValueError):
    """A pack list or a set file that cannot be used; the message says why."""


def training_packs(family: GameFamily, assets: list[Path] | None = None) -> list[AssetPack]:
    """The packs to draw with: the folders given, else the default art plus the user's imported pack."""
    if assets:
        return [default_pack(family, folder) for folder in assets]
    packs = [load_pack(DEFAULT_ASSETS_DIR / family.key, family, name="default")]
    if (user_pack_dir(family) / "front.png").exists():
        packs.append(load_pack(user_pack_dir(family), family, name="imported"))
    return packs


def targets(pids: npt.NDArray[np.uint32], family: GameFamily) -> npt.NDArray[np.int64]:
    """(N, 8) nibble labels in core.pid.coordinates order."""
    return np.array([coordinates(int(pid), family) for pid in pids], dtype=np.int64).reshape(-1, 8)


@dataclass
class Batch:
    crops: npt.NDArray[np.uint8]  # (N, S, S, 3)
    pids: npt.NDArray[np.uint32]
    shiny: npt.NDArray[np.bool_]


class VirtualDataset:
    """An endless stream of freshly rendered, augmented crops; one seed gives one exact stream."""

    def __init__(
        self,
        packs: list[AssetPack],
        seed: int | Sequence[int],
        augment_config: AugmentConfig,
        shiny_rate: float = 0.3,
        variation: ArtVariation | None = None,
    ) -> None:
        if not packs:
            raise DatasetError("the dataset needs at least one asset pack")
        families = {pack.family.key for pack in packs}
        if len(families) != 1:
            raise DatasetError(f"all packs must be for one game family, got {sorted(families)}")
        self.family = packs[0].family
        self.augment_config = augment_config
        self.shiny_rate = shiny_rate
        self.variation = variation
        self.rng = np.random.default_rng(seed)
        self.given_packs = len(packs)
        # The varied packs come from the stream's own generator, so one seed still gives one exact stream.
        if variation is not None:
            packs = [*packs, *varied_packs(packs, variation, self.rng)]
        self.renderers = [SpindaRenderer(pack) for pack in packs]

    def batch(self, n: int) -> Batch:
        rng = self.rng
        pids = rng.integers(0, 1 << 32, n, dtype=np.uint32)
        which = rng.integers(0, self.given_packs, n)
        if self.variation is not None:
            varied = rng.random(n) < self.variation.share
            which[varied] = self.given_packs + rng.integers(
                0, len(self.renderers) - self.given_packs, int(varied.sum())
            )
        shiny = rng.random(n) < self.shiny_rate
        size = self.renderers[0].size
        rgba = np.empty((n, size, size, 4), dtype=np.uint8)
        for index in np.unique(which):
            renderer = self.renderers[index]
            for is_shiny in (False, True):
                chosen = (which == index) & (shiny == is_shiny)
                if is_shiny and renderer.pack.shiny is None:
                    shiny[chosen] = False  # a pack without a shiny palette draws normal colours only
                    rgba[chosen] = renderer.rgba(pids[chosen], False)
                elif chosen.any():
                    rgba[chosen] = renderer.rgba(pids[chosen], is_shiny)
        return Batch(augment(rng, rgba, self.augment_config), pids, shiny)

    def state(self) -> dict[str, object]:
        """The generator's position, so a resumed run continues the same stream."""
        return dict(self.rng.bit_generator.state)

    def restore(self, state: dict[str, object]) -> None:
        self.rng.bit_generator.state = state


class _WorkerStreams(IterableDataset[Batch]):
    """Endless batches in a DataLoader worker: each worker draws its own VirtualDataset stream."""

    def __init__(
        self,
        packs: list[AssetPack],
        seed: Sequence[int],
        batch_size: int,
        augment_config: AugmentConfig,
        variation: ArtVariation | None,
    ) -> None:
        self.packs, self.seed, self.batch_size = packs, seed, batch_size
        self.augment_config, self.variation = augment_config, variation

    def __iter__(self) -> Iterator[Batch]:
        info = get_worker_info()
        dataset = VirtualDataset(
            self.packs, [*self.seed, info.id if info else 0], self.augment_config, variation=self.variation
        )
        while True:
            yield dataset.batch(self.batch_size)


def parallel_batches(
    packs: list[AssetPack],
    seed: int,
    start_step: int,
    batch_size: int,
    workers: int,
    augment_config: AugmentConfig,
    variation: ArtVariation | None = None,
) -> Iterator[Batch]:
    """Training batches drawn by `workers` processes, for an accelerator that consumes them faster than one
    process renders. Each worker's stream is seeded by (seed, start_step, worker) and the loader takes the
    workers' batches in turn, so one seed and step give one exact sequence; a run resumed at another step
    draws fresh streams, not the interrupted ones (only the single-process stream resumes exactly)."""
    loader = DataLoader(
        _WorkerStreams(packs, [seed, start_step], batch_size, augment_config, variation),
        batch_size=None,
        num_workers=workers,
        prefetch_factor=4,
    )
    return iter(loader)


@dataclass
class SpotSet:
    """A fixed evaluation set as written by training.generate_sets."""

    family: str
    pack: str
    kind: str
    seed: int
    crops: npt.NDArray[np.uint8]
    pids: npt.NDArray[np.uint32]
    shiny: npt.NDArray[np.bool_]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": SET_FORMAT,
            "family": self.family,
            "pack": self.pack,
            "kind": self.kind,
            "seed": self.seed,
        }
        with path.open("wb") as handle:
            np.savez_compressed(
                handle, meta=json.dumps(meta), crops=self.crops, pids=self.pids, shiny=self.shiny
            )


def make_set(packs: list[AssetPack], kind: str) -> SpotSet:
    """The validation set (clean sprites on white, seed 42) or the augmented test set (seed 99)."""
    if kind == "val":
        seed, size, config, shiny_rate = VAL_SEED, VAL_SIZE, AugmentConfig.none(), 0.0
    elif kind == "test":
        seed, size, config, shiny_rate = TEST_SEED, TEST_SIZE, AugmentConfig(), 0.3
    else:
        raise DatasetError(f"unknown set {kind!r}: use val or test")
    batch = VirtualDataset(packs, seed, config, shiny_rate).batch(size)
    names = "+".join(pack.name for pack in packs)
    return SpotSet(packs[0].family.key, names, kind, seed, batch.crops, batch.pids, batch.shiny)


def load_set(path: Path) -> SpotSet:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != SET_FORMAT:
                raise DatasetError(f"{path}: not a spot set (expected format {SET_FORMAT})")
            return SpotSet(
                meta["family"],
                meta["pack"],
                meta["kind"],
                int(meta["seed"]),
                data["crops"],
                data["pids"].astype(np.uint32),
                data["shiny"].astype(np.bool_),
            )
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such set; create it with python -m training.generate_sets") from exc
    except (OSError, ValueError, KeyError) as exc:
        if isinstance(exc, DatasetError):
            raise
        raise DatasetError(f"{path}: not a readable spot set ({exc})") from exc


def augmented_screenshots(packs: list[AssetPack], count: int = TEST_SIZE) -> Iterator[tuple[str, int, Scene]]:
    """The augmented test set at the level a user posts it, drawn one picture at a time (they are large):
    the test set's seed and size, each a whole game screen drawn with one of the packs, a third each
    pixel-sharp at a scale of 1 to 6, smoothed + JPEG, or a phone photo (training.scenes.scenes). Yields
    (kind, PID, scene)."""
    rng = np.random.default_rng(TEST_SEED)
    renderers = [SpindaRenderer(pack) for pack in packs]
    for _ in range(count):
        renderer = renderers[int(rng.integers(len(renderers)))]
        group = SCREENSHOT_GROUPS[int(rng.integers(len(SCREENSHOT_GROUPS)))]
        kind = f"sharp x{int(rng.integers(1, 7))}" if group == "sharp" else group
        ((pid, scene),) = scenes(renderer, kind, 1, rng)
        yield kind, pid, scene
