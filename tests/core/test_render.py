"""The renderer against the games' golden renders and a literal, pixel-by-pixel reading of the rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from golden import assert_matches_golden

from core.assets import AssetPack, AssetPackError, load_pack
from core.games import GEN3, GEN4, GameFamily
from core.render import SpindaRenderer


def literal_render(pack: AssetPack, pid: int) -> npt.NDArray[np.uint8]:
    """The spot rule as the games write it: one pixel at a time, y kept in an unsigned byte."""
    family = pack.family
    size = pack.sprite.shape[0]
    out = pack.sprite.copy()
    for spot, shape in enumerate(family.spots):
        byte = (pid >> (8 * spot)) & 0xFF
        x0 = shape.origin[0] + (byte & 0xF) - 8
        y = (shape.origin[1] + (byte >> 4) - 8) & 0xFF
        for bits in shape.rows:
            for k in range(16):
                x = x0 + k
                if bits >> k & 1 and x < size and y < size and 1 <= out[y, x] <= 3:
                    out[y, x] += family.colour_shift
            y = (y + 1) & 0xFF
    return out


def reference_pack(reference_dir: Path, family: GameFamily) -> AssetPack:
    return load_pack(reference_dir / family.key, family)


@pytest.mark.parametrize("family", [GEN3, GEN4], ids=lambda f: f.key)
def test_golden_renders_are_reproduced_exactly(reference_dir: Path, family: GameFamily) -> None:
    assert_matches_golden(SpindaRenderer(reference_pack(reference_dir, family)), reference_dir)


@pytest.mark.parametrize("family", [GEN3, GEN4], ids=lambda f: f.key)
def test_any_pid_matches_the_literal_rule(reference_dir: Path, family: GameFamily) -> None:
    pack = reference_pack(reference_dir, family)
    renderer = SpindaRenderer(pack)
    rng = np.random.default_rng(7)
    # Random values plus every spot at its extreme positions, where clipping and hiding happen.
    pids = [int(p) for p in rng.integers(0, 2**32, 150)] + [0x00000000, 0xFFFFFFFF, 0x0F0F0F0F, 0xF0F0F0F0]
    batch = renderer.indexed(pids)
    for pid, actual in zip(pids, batch, strict=True):
        assert np.array_equal(actual, literal_render(pack, pid)), f"{pid:08X}"


@pytest.mark.parametrize("family", [GEN3, GEN4], ids=lambda f: f.key)
def test_default_art_follows_the_literal_rule(family: GameFamily) -> None:
    pack = load_pack(Path(__file__).resolve().parents[2] / "assets" / family.key, family)
    renderer = SpindaRenderer(pack)
    pids = [int(p) for p in np.random.default_rng(3).integers(0, 2**32, 60)]
    for pid, actual in zip(pids, renderer.indexed(pids), strict=True):
        assert np.array_equal(actual, literal_render(pack, pid)), f"{pid:08X}"


def test_rgba_uses_the_palettes_and_a_transparent_background(reference_dir: Path) -> None:
    pack = reference_pack(reference_dir, GEN3)
    renderer = SpindaRenderer(pack)
    pid = 0xF2410A57
    indexed = renderer.indexed([pid])[0]
    for shiny in (False, True):
        rgba = renderer.rgba([pid], shiny=shiny)[0]
        palette = pack.palette(shiny)
        assert np.array_equal(rgba[..., :3][indexed > 0], palette[indexed[indexed > 0]])
        assert (rgba[..., 3][indexed == 0] == 0).all() and (rgba[..., 3][indexed > 0] == 255).all()
    # A shiny Spinda is recognisable by its spot colours alone.
    spot_colours = {
        tuple(c) for c in renderer.rgba([pid], shiny=True)[0][..., :3][renderer.spot_pixels([pid])[0]]
    }
    assert spot_colours <= {(180, 197, 90), (148, 164, 57), (115, 131, 24)}


def test_scaling_is_nearest_neighbour(reference_dir: Path) -> None:
    renderer = SpindaRenderer(reference_pack(reference_dir, GEN4))
    small = np.array(renderer.image(0x12345678))
    large = np.array(renderer.image(0x12345678, scale=3))
    assert large.shape == (240, 240, 4)
    assert np.array_equal(large[::3, ::3], small)
    assert np.array_equal(large[2::3, 1::3], small)
    with pytest.raises(ValueError, match="at least 1"):
        renderer.image(1, scale=0)


def test_missing_shiny_palette_is_a_clear_error(reference_dir: Path) -> None:
    renderer = SpindaRenderer(reference_pack(reference_dir, GEN4))  # the gen4 reference has no shiny.pal
    with pytest.raises(AssetPackError, match="no shiny palette"):
        renderer.rgba([1], shiny=True)
