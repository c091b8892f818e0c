"""Each augmentation changes crops the way it claims to, and leaves them alone when switched off."""

from __future__ import annotations

import dataclasses

import numpy as np

from core.assets import AssetPack
from core.render import SpindaRenderer
from training.augment import AugmentConfig, augment


def _rgba(pack: AssetPack, n: int = 6) -> np.ndarray:
    return SpindaRenderer(pack).rgba(np.arange(n, dtype=np.uint32) * 0x01010101)


def _only(**on: float) -> AugmentConfig:
    return dataclasses.replace(AugmentConfig.none(), **on)  # type: ignore[arg-type]


def test_no_augmentation_is_the_sprite_on_white(toy_pack: AssetPack) -> None:
    rgba = _rgba(toy_pack)
    crops = augment(np.random.default_rng(0), rgba, AugmentConfig.none())
    np.testing.assert_array_equal(crops, np.where(rgba[..., 3:] > 0, rgba[..., :3], 255))


def test_each_augmentation_changes_the_crop(toy_pack: AssetPack) -> None:
    rgba = _rgba(toy_pack)
    clean = augment(np.random.default_rng(0), rgba, AugmentConfig.none())
    for name in ("misregister", "blur", "smoothing", "colour_cast", "noise", "jpeg"):
        crops = augment(np.random.default_rng(0), rgba, _only(**{name: 1.0}))
        assert crops.shape == clean.shape and crops.dtype == np.uint8
        assert not np.array_equal(crops, clean), name
    backgrounds = augment(np.random.default_rng(0), rgba, _only(background_white=0.0))
    assert (backgrounds[:, 0, 0] != 255).any()


def test_misregistration_moves_the_sprite_by_at_most_the_shift(toy_pack: AssetPack) -> None:
    rgba = _rgba(toy_pack, 20)
    config = _only(misregister=1.0, max_shift=1.0, max_scale=0.0)
    moved = augment(np.random.default_rng(5), rgba, config).astype(np.float64)
    clean = augment(np.random.default_rng(5), rgba, AugmentConfig.none()).astype(np.float64)
    # Bilinear resampling by under one pixel keeps each pixel between itself and a neighbour within 2 pixels.
    for crop, ref in zip(moved, clean, strict=True):
        low = np.full_like(ref, np.inf)
        high = np.full_like(ref, -np.inf)
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                shifted = np.roll(ref, (dy, dx), axis=(0, 1))
                low, high = np.minimum(low, shifted), np.maximum(high, shifted)
        assert ((crop >= low - 1) & (crop <= high + 1)).all()
