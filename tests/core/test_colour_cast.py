"""A photo's colour cast is measured against the art's colours, so it can be taken off again."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from core.assets import default_pack
from core.detect import ColourModel
from core.games import GEN3, GEN4
from core.render import SpindaRenderer

PIDS = (0xF2410A57, 0x12345678, 0)


@pytest.fixture
def colours() -> ColourModel:
    # As the pipeline builds it: every family's pack, so the other family's colours compete for the pixels.
    return ColourModel(default_pack(family) for family in (GEN3, GEN4))


def sprite_colours(pid: int) -> npt.NDArray[np.float32]:
    """The opaque pixels' colours of a Gen III render, exactly the art's."""
    rgba = SpindaRenderer(default_pack(GEN3)).rgba([pid])[0]
    return rgba[rgba[..., 3] > 0][:, :3].astype(np.float32)


@pytest.mark.parametrize("pid", PIDS)
def test_no_cast_gives_unit_gains(colours: ColourModel, pid: int) -> None:
    gains = colours.cast(sprite_colours(pid))
    assert gains.shape == (3,)
    np.testing.assert_allclose(gains, 1.0, atol=0.02)


@pytest.mark.parametrize("pid", PIDS)
@pytest.mark.parametrize("cast", [(1.1, 0.92, 1.05), (0.9, 1.08, 0.95)])
def test_gains_undo_the_cast(colours: ColourModel, pid: int, cast: tuple[float, float, float]) -> None:
    seen = (sprite_colours(pid) / np.array(cast)).astype(np.float32)
    np.testing.assert_allclose(colours.cast(seen), cast, atol=0.02)


def test_gains_undo_the_cast_through_noise_and_rounding(colours: ColourModel) -> None:
    cast = (1.1, 0.92, 1.05)
    rng = np.random.default_rng(0)
    seen = (sprite_colours(PIDS[0]) / np.array(cast)).astype(np.float32)
    # A photo's pixels: sensor noise, then whole 8-bit values.
    noise = rng.normal(0.0, 4.0, seen.shape).astype(np.float32)
    noisy = np.clip(np.rint(seen + noise), 0.0, 255.0).astype(np.float32)
    np.testing.assert_allclose(colours.cast(noisy), cast, atol=0.02)


@pytest.mark.parametrize("pid", PIDS)
def test_gains_undo_a_dark_cast_that_puts_the_main_cream_on_a_darker_one(
    colours: ColourModel, pid: int
) -> None:
    # A phone's dark, warm exposure (a Gen IV photo's sprite measured at 0.87/0.84/0.76 of the art): the
    # main cream then lies within a few levels of the art's dark cream, where refining from 1 settles.
    cast = (1.15, 1.19, 1.32)
    seen = (sprite_colours(pid) / np.array(cast)).astype(np.float32)
    np.testing.assert_allclose(colours.cast(seen), cast, atol=0.02)
