"""The game families and their Spinda facts, as data.

Every number here is a published fact of the games' spot algorithm (spot origins, mask bits, the colour
rule, silhouette boxes, trait rules), encoded in the project's own tables. No game art lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
import numpy.typing as npt


class ByteOrder(Enum):
    """Which end of the 32-bit value drives spot 0."""

    LITTLE = "little"
    BIG = "big"


@dataclass(frozen=True)
class SpotShape:
    """One spot: its mask as rows of bits (bit k of row r covers pixel (x + k, y + r)), placed with its
    top-left corner at `origin` when both nibbles are 8."""

    origin: tuple[int, int]
    rows: tuple[int, ...]

    def offsets(self) -> npt.NDArray[np.int16]:
        """The covered pixels relative to the spot's top-left corner, as an (n, 2) array of (x, y)."""
        points = [(k, r) for r, bits in enumerate(self.rows) for k in range(16) if bits >> k & 1]
        return np.array(points, dtype=np.int16)


@dataclass(frozen=True)
class Box:
    """An inclusive pixel box."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0 + 1

    @property
    def height(self) -> int:
        return self.y1 - self.y0 + 1


@dataclass(frozen=True)
class GameFamily:
    """A group of games that draw Spinda's spots with the same geometry and rules."""

    key: str
    title: str
    aliases: tuple[str, ...]
    byte_order: ByteOrder
    # None for games whose sprite geometry is not published (the 3D games): coordinates and traits only.
    frame_size: int | None
    spots: tuple[SpotShape, ...]
    # Palette indices 1..3 (the cream body colours) gain this much where a spot covers them.
    colour_shift: int
    body_box: Box | None
    cream_box: Box | None
    ability_rule: str
    shiny_threshold: int
    # False where the value is an encryption constant that only places the spots (Gen VI onward).
    value_decides_traits: bool = True
    # The console's screen in pixels (one of the DS's two), where the sprite is shown at 1:1.
    screen_size: tuple[int, int] | None = None
    # The sprite's second animation frame (the Gen IV games' front.png holds two): how far left of the
    # first its spots are drawn (its body moved with them), and the first row from which it is drawn
    # differently (its arms, belly and legs, from row 43 down); None where no second frame is known.
    second_frame_shift: int | None = None
    pose_row: int | None = None

    @property
    def renderable(self) -> bool:
        return self.frame_size is not None and bool(self.spots)

    def spot_bytes(self, value: int) -> tuple[int, int, int, int]:
        """The four bytes that drive spots 0..3 (low nibble = x, high nibble = y)."""
        raw = value.to_bytes(4, "little")
        if self.byte_order is ByteOrder.BIG:
            raw = raw[::-1]
        return raw[0], raw[1], raw[2], raw[3]

    def value_from_spot_bytes(self, spot_bytes: tuple[int, int, int, int]) -> int:
        raw = bytes(spot_bytes)
        if self.byte_order is ByteOrder.BIG:
            raw = raw[::-1]
        return int.from_bytes(raw, "little")


# Spot masks (16-bit rows, least significant bit leftmost), from the games' spot graphics.
_GEN3_SPOTS = (
    SpotShape((16, 7), (0x70, 0x1FC, 0x3FE, 0x7FE, 0x7FF, 0xFFF, 0xFFF, 0xFFF, 0x7FE, 0x7FE, 0x3FC, 0x1E0)),
    SpotShape(
        (40, 8), (0x1E0, 0x3F8, 0x7FC, 0xFFE, 0xFFE, 0x1FFF, 0x1FFF, 0x1FFF, 0xFFE, 0xFFE, 0x7FC, 0x7F8, 0xE0)
    ),
    SpotShape((22, 25), (0x1C, 0x3E, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x3E, 0x1C)),
    SpotShape((34, 26), (0x3C, 0x7E, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7E, 0x3C)),
)

# Gen IV spots are pixel lists in the games; the same pixels written as masks at their bounding boxes.
_GEN4_SPOTS = (
    SpotShape((25, 15), (0x3C, 0x7E, 0xFF, 0xFF, 0xFF, 0xFF, 0x7E, 0x3C)),
    SpotShape((49, 17), (0x3C, 0x7E, 0xFF, 0xFF, 0xFF, 0xFF, 0x7E, 0x3C)),
    SpotShape((28, 33), (0x1C, 0x3E, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x3E, 0x1C)),
    SpotShape((40, 33), (0x38, 0xFE, 0x1FF, 0x1FF, 0x1FF, 0x1FF, 0x1FF, 0x1FF, 0xFE, 0x38)),
)

GEN3 = GameFamily(
    key="gen3",
    title="Generation III (Ruby/Sapphire, FireRed/LeafGreen, Emerald)",
    aliases=("rs", "ruby", "sapphire", "frlg", "firered", "leafgreen", "emerald", "e", "g3", "3"),
    byte_order=ByteOrder.LITTLE,
    frame_size=64,
    spots=_GEN3_SPOTS,
    colour_shift=4,
    body_box=Box(16, 7, 52, 55),
    cream_box=Box(17, 8, 51, 54),
    ability_rule="gen3",
    shiny_threshold=8,
    screen_size=(240, 160),
)

GEN4 = GameFamily(
    key="gen4",
    title="Generation IV (Diamond/Pearl, Platinum, HeartGold/SoulSilver)",
    aliases=("dp", "diamond", "pearl", "pt", "platinum", "hgss", "heartgold", "soulsilver", "g4", "4"),
    byte_order=ByteOrder.LITTLE,
    frame_size=80,
    spots=_GEN4_SPOTS,
    colour_shift=5,
    body_box=Box(23, 14, 57, 64),
    cream_box=Box(25, 15, 56, 63),
    ability_rule="gen4",
    shiny_threshold=8,
    screen_size=(256, 192),
    second_frame_shift=14,
    pose_row=43,
)

BDSP = GameFamily(
    key="bdsp",
    title="Brilliant Diamond/Shining Pearl (encryption constant read big-endian; coordinates, traits only)",
    aliases=("bd", "sp", "brilliantdiamond", "shiningpearl"),
    byte_order=ByteOrder.BIG,
    frame_size=None,
    spots=(),
    colour_shift=0,
    body_box=None,
    cream_box=None,
    ability_rule="gen4",
    shiny_threshold=16,
    value_decides_traits=False,
)

FAMILIES: dict[str, GameFamily] = {family.key: family for family in (GEN3, GEN4, BDSP)}
RENDERABLE = tuple(key for key, family in FAMILIES.items() if family.renderable)


class UnknownGameError(ValueError):
    pass


def game_family(name: str) -> GameFamily:
    """Look a family up by key or alias, ignoring case, spaces, dashes and slashes."""
    wanted = "".join(ch for ch in name.lower() if ch.isalnum())
    for family in FAMILIES.values():
        if wanted == family.key or wanted in family.aliases:
            return family
    known = ", ".join(FAMILIES)
    raise UnknownGameError(f"unknown game {name!r}: use one of {known} (or a game name such as emerald)")


def renderable_family(name: str) -> GameFamily:
    family = game_family(name)
    if not family.renderable:
        raise UnknownGameError(
            f"{family.key} has no published sprite geometry: it supports coordinates and traits only; "
            f"use one of {', '.join(RENDERABLE)} to render"
        )
    return family
