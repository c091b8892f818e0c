"""Draws the project's own Spinda art from geometric shapes: no game pixel is read, traced or copied.

Run it from the project root to rewrite the committed default packs:

    .venv/bin/python assets/draw_default_art.py [--out DIR]

It writes `<DIR>/gen3/{front.png,normal.pal,shiny.pal}` (64x64) and `<DIR>/gen4/...` (80x80). The output is a
pure function of the numbers below, so running it again reproduces the committed files.

The drawing follows the games' numeric facts so that the spot algorithm behaves as it does in the games:
- palette indices 1, 2, 3 are the cream body (light, mid, shade); a spot turns them into 1..3 + shift, so
  those palette entries hold the spot colours and the sprite itself never uses them;
- the non-transparent pixels span exactly the family's body box and the cream pixels its cream box;
- the ears and the face are cream where the spots land, with the swirl eyes, the ear curls and the mouth drawn
  over them as non-cream features, so features hide parts of the spots as they do in the games;
- the Gen IV belly is cream of palette entries outside 1..3, as in the Gen IV games, whose face spots reach
  down over the belly (rows 48 and 49) and paint nothing there.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from core.assets import write_jasc_palette

Mask = npt.NDArray[np.bool_]
Canvas = npt.NDArray[np.uint8]

# Palette roles shared by both families (the spot entries differ: 5..7 in gen3, 6..8 in gen4).
LIGHT, MID, SHADE = 1, 2, 3
OUTLINE = 15


@dataclass(frozen=True)
class Ellipse:
    """A filled ellipse, rotated by `angle` degrees (clockwise on screen), tested at pixel centres."""

    cx: float
    cy: float
    rx: float
    ry: float
    angle: float = 0.0

    def uv(self, size: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Each pixel's position in the ellipse's own unit frame (inside where u^2 + v^2 <= 1)."""
        y, x = np.mgrid[0:size, 0:size].astype(np.float64)
        dx, dy = x - self.cx, y - self.cy
        t = math.radians(self.angle)
        c, s = math.cos(t), math.sin(t)
        return (c * dx + s * dy) / self.rx, (-s * dx + c * dy) / self.ry

    def mask(self, size: int) -> Mask:
        u, v = self.uv(size)
        return np.asarray(u * u + v * v <= 1.0)


@dataclass(frozen=True)
class Swirl:
    """A one-pixel Archimedean spiral line, r = pitch * turn, from the centre outward for `turns` turns."""

    cx: float
    cy: float
    pitch: float
    turns: float
    start: float  # degrees, where the line leaves the centre (0 = right, 90 = down)
    clockwise: bool
    inner: float = 0.5  # the radius the line starts at

    def mask(self, size: int) -> Mask:
        steps = int(self.turns * 720) + 1
        turn = np.linspace(0.0, self.turns, steps)
        angle = math.radians(self.start) + 2 * math.pi * turn * (1 if self.clockwise else -1)
        r = self.inner + self.pitch * turn
        x = np.rint(self.cx + r * np.cos(angle)).astype(np.int64)
        y = np.rint(self.cy + r * np.sin(angle)).astype(np.int64)
        inside = (x >= 0) & (x < size) & (y >= 0) & (y < size)
        on = np.zeros((size, size), dtype=np.bool_)
        on[y[inside], x[inside]] = True
        return on


@dataclass(frozen=True)
class Design:
    size: int
    spot_shift: int
    ears: tuple[Ellipse, Ellipse]
    ear_swirls: tuple[Swirl, Swirl]
    head: Ellipse
    torso: Ellipse
    belly: Ellipse
    arms: tuple[Ellipse, Ellipse]
    hands: tuple[Ellipse, Ellipse]
    legs: tuple[Ellipse, Ellipse]
    feet: tuple[Ellipse, Ellipse]
    eyes: tuple[Swirl, Swirl]
    mouth: Ellipse
    normal: tuple[tuple[int, int, int], ...]
    shiny_changes: dict[int, tuple[int, int, int]]
    # Feature colours (palette indices), chosen per family so that none is a spot entry.
    line: int  # dark brown inner lines and swirls
    ear_line: int  # the lighter brown of the ear curls
    arm: int
    arm_shade: int
    mouth_inside: int
    tongue: int
    # A palette index outside 1..3 holding the mid cream colour, for a belly no spot paints (as in the Gen IV
    # games); None: the belly is shaded in the body's own creams.
    belly_cream: int | None = None


def boundary(mask: Mask) -> Mask:
    """Pixels of `mask` with a 4-neighbour outside it (the frame's edge counts as outside)."""
    padded = np.pad(mask, 1, constant_values=False)
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    return mask & ~inner


def cream_shading(shape: Ellipse, size: int, light_bias: float = 0.0) -> Canvas:
    """Mid cream, a soft light patch up and to the left, shade along the lower right rim."""
    u, v = shape.uv(size)
    t = math.radians(shape.angle)
    # Shade by the screen direction towards the lower right, whatever the ellipse's own rotation.
    su = math.cos(t) * 0.55 + math.sin(t) * 0.85
    sv = -math.sin(t) * 0.55 + math.cos(t) * 0.85
    towards_light = -(u * su + v * sv)
    rho = np.hypot(u, v)
    out = np.full((size, size), MID, dtype=np.uint8)
    out[(towards_light - rho * 0.35) < -0.55] = SHADE
    out[(towards_light + light_bias > 0.25) & (rho < 0.78)] = LIGHT
    return out


class Painter:
    """Paints parts back to front; each part gets its own dark edge where it meets what lies behind it."""

    def __init__(self, size: int, line: int) -> None:
        self.size = size
        self.line = line
        self.canvas = np.zeros((size, size), dtype=np.uint8)

    def part(self, shape: Ellipse, fill: Canvas | int) -> Mask:
        mask = shape.mask(self.size)
        self.canvas[mask] = fill[mask] if isinstance(fill, np.ndarray) else fill
        self.canvas[boundary(mask)] = self.line
        return mask

    def cream_part(self, shape: Ellipse, light_bias: float = 0.0) -> Mask:
        return self.part(shape, cream_shading(shape, self.size, light_bias))

    def features(self, mask: Mask, colour: int, within: Mask) -> None:
        self.canvas[mask & within] = colour

    def silhouette_outline(self) -> None:
        opaque = self.canvas != 0
        self.canvas[boundary(opaque)] = OUTLINE


def draw(design: Design) -> Canvas:
    """The sprite as palette indices: 0 transparent, 1..3 cream, the rest the design's feature colours."""
    size = design.size
    p = Painter(size, design.line)
    # Back to front: arms and hands, legs and feet, torso and belly, ears, head, then the face's features.
    for arm, hand in zip(design.arms, design.hands, strict=True):
        _, v = arm.uv(size)
        p.part(arm, np.where(v > 0.25, design.arm_shade, design.arm).astype(np.uint8))
        p.cream_part(hand)
    for leg in design.legs:
        u, v = leg.uv(size)
        p.part(leg, np.where(u + v > 0.6, design.arm_shade, design.arm).astype(np.uint8))
    for foot in design.feet:
        p.cream_part(foot)
    u, v = design.torso.uv(size)
    torso = p.part(design.torso, np.where(u * 0.5 + v > 0.75, design.arm_shade, design.arm).astype(np.uint8))
    belly = design.belly.mask(size) & ~boundary(torso)
    if design.belly_cream is None:
        p.canvas[belly] = cream_shading(design.belly, size, 0.1)[belly]
        p.canvas[boundary(design.belly.mask(size)) & belly & (design.belly.uv(size)[1] > 0.2)] = SHADE
    else:
        # One flat cream: the palette had two spare entries, browns no pixel used, and the colour model
        # takes every entry that is not cream or spot as an "other" colour (core.detect), so the belly
        # takes one and the other brown stays.
        p.canvas[belly] = design.belly_cream
    ears = [p.cream_part(ear, 0.2) for ear in design.ears]
    head = p.cream_part(design.head, 0.1)
    for ear, swirl in zip(ears, design.ear_swirls, strict=True):
        p.features(swirl.mask(size), design.ear_line, ear & ~boundary(ear) & ~head)
    inside_head = head & ~boundary(head)
    for eye in design.eyes:
        p.features(eye.mask(size), design.line, inside_head)
    # An open mouth: dark inside, the tongue below, a dark upper lip.
    mouth = design.mouth.mask(size)
    _, mv = design.mouth.uv(size)
    p.canvas[mouth] = design.mouth_inside
    p.canvas[mouth & (mv > 0.15)] = design.tongue
    p.canvas[boundary(mouth) & (mv < 0.5)] = design.line
    p.silhouette_outline()
    return p.canvas


# Generation III: 64x64. Body box x 16..52, y 7..55; cream box x 17..51, y 8..54. Spots at nibble 8 centre on
# the ears near (22, 13) and (46, 14) and on the eyes near (25, 29) and (38, 30).
GEN3 = Design(
    size=64,
    spot_shift=4,
    ears=(Ellipse(22.6, 14.9, 6.4, 8.6, -20), Ellipse(46.2, 16.2, 6.4, 8.6, 22)),
    ear_swirls=(
        Swirl(22.4, 14.6, 2.2, 1.5, 90, True),
        Swirl(46.4, 15.4, 2.2, 1.5, 90, False),
    ),
    head=Ellipse(33.0, 28.8, 14.6, 12.0),
    torso=Ellipse(33.0, 44.6, 8.6, 8.4),
    belly=Ellipse(32.6, 45.0, 5.2, 5.4),
    arms=(Ellipse(22.6, 42.4, 5.4, 2.6, 25), Ellipse(43.4, 42.0, 5.4, 2.6, -28)),
    hands=(Ellipse(18.6, 40.4, 1.8, 1.8), Ellipse(47.4, 39.8, 1.8, 1.8)),
    legs=(Ellipse(28.2, 50.6, 3.6, 3.4), Ellipse(38.0, 50.0, 3.6, 3.4)),
    feet=(Ellipse(26.4, 53.0, 3.2, 2.4, -10), Ellipse(39.8, 52.4, 3.2, 2.4, 10)),
    eyes=(
        Swirl(25.8, 29.6, 2.3, 1.75, 180, True),
        Swirl(39.2, 30.0, 2.3, 1.75, 0, False),
    ),
    mouth=Ellipse(32.4, 36.4, 3.0, 2.0),
    normal=(
        (152, 200, 168),
        (248, 236, 196),
        (232, 212, 160),
        (204, 176, 124),
        (168, 132, 92),
        (222, 139, 74),
        (222, 106, 57),
        (180, 90, 41),
        (214, 98, 66),
        (160, 60, 40),
        (232, 124, 140),
        (112, 36, 40),
        (144, 104, 72),
        (112, 76, 52),
        (80, 52, 36),
        (16, 16, 16),
    ),
    # Shininess recolours only the spots and the spot-coloured arms.
    shiny_changes={
        5: (180, 197, 90),
        6: (148, 164, 57),
        7: (115, 131, 24),
        8: (156, 172, 72),
        9: (100, 116, 32),
    },
    line=14,
    ear_line=13,
    arm=8,
    arm_shade=9,
    mouth_inside=11,
    tongue=10,
)

# Generation IV: 80x80. Body box x 23..57, y 14..64; cream box x 25..56, y 15..63. Spots at nibble 8 centre on
# the ears near (28, 18) and (52, 20) and on the eyes near (31, 37) and (44, 37).
GEN4 = Design(
    size=80,
    spot_shift=5,
    ears=(Ellipse(29.6, 21.6, 6.2, 8.4, -18), Ellipse(51.1, 22.6, 6.2, 8.4, 20)),
    ear_swirls=(
        Swirl(29.0, 20.4, 2.2, 1.5, 90, True),
        Swirl(51.8, 21.6, 2.2, 1.5, 90, False),
    ),
    head=Ellipse(38.2, 35.8, 14.2, 12.0),
    torso=Ellipse(39.4, 51.6, 9.6, 8.8),
    belly=Ellipse(38.6, 52.2, 6.0, 5.8),
    arms=(Ellipse(27.6, 49.4, 5.4, 2.7, 20), Ellipse(50.4, 49.6, 5.4, 2.7, -22)),
    hands=(Ellipse(24.8, 47.8, 1.6, 1.6), Ellipse(54.2, 47.6, 1.6, 1.6)),
    legs=(Ellipse(33.6, 58.6, 4.0, 3.6), Ellipse(45.0, 58.2, 4.0, 3.6)),
    feet=(Ellipse(31.6, 61.6, 3.6, 2.6, -10), Ellipse(47.2, 61.2, 3.6, 2.6, 10)),
    eyes=(
        Swirl(31.4, 36.8, 2.3, 1.75, 180, True),
        Swirl(44.6, 37.2, 2.3, 1.75, 0, False),
    ),
    mouth=Ellipse(38.0, 43.6, 3.0, 2.0),
    normal=(
        (144, 200, 160),
        (248, 240, 200),
        (232, 214, 164),
        (206, 170, 118),
        (232, 214, 164),
        (120, 84, 64),
        (230, 140, 82),
        (222, 100, 66),
        (181, 88, 49),
        (216, 96, 72),
        (164, 60, 48),
        (236, 128, 144),
        (112, 36, 44),
        (144, 100, 70),
        (84, 54, 38),
        (16, 16, 16),
    ),
    # Shininess recolours only the spots and the spot-coloured arms.
    shiny_changes={
        6: (181, 198, 90),
        7: (148, 165, 57),
        8: (115, 132, 33),
        9: (156, 176, 80),
        10: (100, 120, 40),
    },
    line=14,
    ear_line=13,
    arm=9,
    arm_shade=10,
    mouth_inside=12,
    tongue=11,
    belly_cream=4,
)

DESIGNS = {"gen3": GEN3, "gen4": GEN4}


def write_pack(design: Design, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.fromarray(draw(design), "P")
    image.putpalette([channel for colour in design.normal for channel in colour])
    image.save(folder / "front.png", transparency=0, optimize=False)
    write_jasc_palette(folder / "normal.pal", np.array(design.normal, dtype=np.uint8))
    shiny = [design.shiny_changes.get(index, colour) for index, colour in enumerate(design.normal)]
    write_jasc_palette(folder / "shiny.pal", np.array(shiny, dtype=np.uint8))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="where to write")
    args = parser.parse_args(argv)
    for key, design in DESIGNS.items():
        write_pack(design, args.out / key)
        print(f"wrote {args.out / key}")


if __name__ == "__main__":
    main()
