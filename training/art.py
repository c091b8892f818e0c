"""Varied art: the default pack drawn a little differently, so the spot CNN learns where spots lie in the
frame rather than what our art looks like.

The spot geometry is fixed in the frame (core.games), but the art under it is not: the games' own sprites
put the head a pixel or two elsewhere, shape it differently and shade it in other colours. A network trained
on one art reads positions relative to that art's face, and carries over badly to another (session 9: a
ResNet-34 reaching 99% on our art read almost none of the games' sprites). A varied pack moves, turns and
stretches the whole sprite (outline, eyes, mouth and cream alike) by a few pixels before the spots are
painted on its cream, and shifts its colours, as another artist's sprite would differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from core.assets import AssetPack, Palette


@dataclass(frozen=True)
class ArtVariation:
    """Ranges of the random changes (uniform, each axis drawn on its own)."""

    max_shift: float = 3.0  # pixels
    max_stretch: float = 0.1  # relative, per axis
    max_turn: float = 8.0  # degrees
    max_gain: float = 0.1  # relative per channel, the body's cream and spot colours
    max_other: float = 24.0  # levels per channel, every other colour (outline, eyes, mouth)
    share: float = 0.9  # of the training samples drawn with a varied pack, the rest with the packs given
    variants: int = 64  # varied packs drawn per pack given, once per stream


def _warped(
    sprite: npt.NDArray[np.uint8], rng: np.random.Generator, cfg: ArtVariation
) -> npt.NDArray[np.uint8]:
    """The index image moved, turned and stretched about its centre, nearest neighbour so every pixel keeps
    a palette index."""
    ys, xs = np.nonzero(sprite)
    centre = (float(xs.mean()), float(ys.mean()))
    turn = cv2.getRotationMatrix2D(centre, float(rng.uniform(-cfg.max_turn, cfg.max_turn)), 1.0)
    stretch = 1.0 + rng.uniform(-cfg.max_stretch, cfg.max_stretch, 2)
    matrix = turn * stretch[:, None]
    matrix[:, 2] += (1.0 - stretch) * np.array(centre) + rng.uniform(-cfg.max_shift, cfg.max_shift, 2)
    size = sprite.shape[1], sprite.shape[0]
    return np.asarray(
        cv2.warpAffine(sprite, matrix, size, flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT),
        dtype=np.uint8,
    )


def varied_pack(pack: AssetPack, rng: np.random.Generator, cfg: ArtVariation = ArtVariation()) -> AssetPack:
    """One random variant of `pack`. Cream (1..3) and its spot colours (shifted by the family's colour shift)
    are scaled by one gain per channel, so their shades keep their order; every other colour is moved on
    its own; the shiny palette takes the same changes as the normal one."""
    sprite = _warped(pack.sprite, rng, cfg)
    shift = pack.family.colour_shift
    body = [1, 2, 3, 1 + shift, 2 + shift, 3 + shift]
    others = [i for i in range(1, len(pack.normal)) if i not in body]
    gain = 1.0 + rng.uniform(-cfg.max_gain, cfg.max_gain, 3)
    moves = rng.uniform(-cfg.max_other, cfg.max_other, (len(others), 3))

    def recoloured(palette: Palette) -> Palette:
        out = palette.astype(np.float64)
        out[body] *= gain
        out[others] += moves
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)

    shiny = None if pack.shiny is None else recoloured(pack.shiny)
    return replace(
        pack, name=f"{pack.name} varied", sprite=sprite, normal=recoloured(pack.normal), shiny=shiny
    )


def varied_packs(packs: list[AssetPack], cfg: ArtVariation, rng: np.random.Generator) -> list[AssetPack]:
    """`cfg.variants` varied packs for each pack given."""
    return [varied_pack(pack, rng, cfg) for pack in packs for _ in range(cfg.variants)]
