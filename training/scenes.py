"""Deterministic synthetic pictures: game screens holding a Spinda sprite, phone photos of them, and pictures
with no Spinda, each with its ground truth. Tests, benchmarks and training augmentation all draw from here.

Every function takes a numpy Generator and nothing else random, so a seed reproduces a picture exactly.

- make_screenshot(sprite_rgba, rng, scale, smooth, jpeg_quality, context): a game screen at the console's
  native size (240x160 for a 64x64 Gen III sprite, 256x192 for an 80x80 Gen IV one) with a background, UI
  panels, text-like bars and gradients (colours drawn from a range that includes Spinda's own creams, oranges
  and reds), the sprite pasted at a native pixel, the whole screen enlarged by `scale` (any factor >= 1;
  nearest-neighbour when `smooth` is None, else "bilinear" or "bicubic"), optionally JPEG-compressed.
- make_photo(sprite_rgba, rng, ...): a screenshot photographed: slight perspective, blur, colour cast,
  sensor noise, JPEG.
- make_no_spinda(rng, ...): the same kinds of screens with other creatures (outlined blobs in random colours,
  cream ones with orange patches included) and no Spinda.
- scenes(renderer, kind, count, rng): random PIDs drawn as one of the KINDS of picture the benchmarks and
  tests measure (pixel-sharp at a given scale, smoothed + JPEG as a whole screen or cropped around the
  sprite, phone photo), with their PIDs.
- no_spinda_scenes(count, rng): the benchmarks' pictures without a Spinda, of every kind, as whole screens;
  no_spinda_crops(count, rng): smoothed and photographed ones cropped around the creature.

The truth is the homography from native sprite coordinates (game pixel (u, v)'s top-left corner is the point
(u, v)) to picture coordinates (pixel i spans [i, i + 1)), or None when there is no Spinda.

Run as a script to write the bundled example screenshots from the project's default art (into
core.assets.EXAMPLES_DIR, wherever it is run from; `--out DIR` elsewhere):

    .venv/bin/python -m training.scenes
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from core.assets import EXAMPLES_DIR
from core.render import SpindaRenderer

Smooth = Literal["bilinear", "bicubic"] | None
Context = Literal["summary", "battle", "pokedex", "plain"]
CONTEXTS: tuple[Context, ...] = ("summary", "battle", "pokedex", "plain")
RgbImage = npt.NDArray[np.uint8]
Homography = npt.NDArray[np.float64]

# Colours that make the detector's life hard: Spinda's creams, oranges and reds, and near neighbours.
_HARD_COLOURS = (
    (248, 232, 176), (232, 216, 168), (200, 180, 132), (222, 140, 76), (222, 106, 58), (184, 92, 44),
    (240, 200, 160), (250, 240, 210), (230, 120, 90), (200, 60, 50),
)  # fmt: skip
_SCREEN = {64: (240, 160), 80: (256, 192)}
_INTERPOLATION = {None: cv2.INTER_NEAREST, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC}


@dataclass(frozen=True)
class Scene:
    """A synthetic picture and its truth: where the sprite's native grid lies, and whether it is shiny."""

    image: RgbImage
    homography: Homography | None  # native sprite coordinates -> picture coordinates; None: no Spinda
    shiny: bool = False

    @property
    def has_spinda(self) -> bool:
        return self.homography is not None

    def native_to_picture(self, u: float, v: float) -> tuple[float, float]:
        assert self.homography is not None, "this scene has no Spinda"
        x, y, w = self.homography @ np.array([u, v, 1.0])
        return float(x / w), float(y / w)


def _colour(rng: np.random.Generator, hard: float = 0.35) -> tuple[int, int, int]:
    if rng.random() < hard:
        base = np.array(_HARD_COLOURS[int(rng.integers(len(_HARD_COLOURS)))], dtype=np.int64)
        return tuple(int(v) for v in np.clip(base + rng.integers(-12, 13, 3), 0, 255))  # type: ignore[return-value]
    return tuple(int(v) for v in rng.integers(0, 256, 3))  # type: ignore[return-value]


def _background(rng: np.random.Generator, width: int, height: int) -> RgbImage:
    a = np.array(_colour(rng), dtype=np.float64)
    kind = rng.integers(3)
    if kind == 0:
        return np.broadcast_to(a.astype(np.uint8), (height, width, 3)).copy()
    b = np.array(_colour(rng), dtype=np.float64)
    if kind == 1:  # vertical gradient, as on many menu screens
        t = np.linspace(0.0, 1.0, height)[:, None, None]
        return np.broadcast_to(a * (1 - t) + b * t, (height, width, 3)).astype(np.uint8)
    # Checks or stripes, as on the Pokedex and summary backgrounds.
    cell = int(rng.integers(4, 17))
    y, x = np.mgrid[0:height, 0:width]
    pattern = ((x // cell + y // cell) % 2 == 0) if rng.random() < 0.5 else ((y // cell) % 2 == 0)
    return np.where(pattern[..., None], a, b).astype(np.uint8)


def _panel(canvas: RgbImage, rng: np.random.Generator, x0: int, y0: int, x1: int, y1: int) -> None:
    border = _colour(rng, hard=0.1)
    canvas[y0:y1, x0:x1] = border
    canvas[y0 + 1 : y1 - 1, x0 + 1 : x1 - 1] = _colour(rng)
    _text(canvas, rng, x0 + 3, y0 + 3, x1 - 3, y1 - 3)


def _text(canvas: RgbImage, rng: np.random.Generator, x0: int, y0: int, x1: int, y1: int) -> None:
    """Rows of glyph-sized marks, like the game's text."""
    ink = _colour(rng, hard=0.2) if rng.random() < 0.3 else (40, 40, 40)
    y = y0
    while y + 7 <= y1:
        x = x0
        while x + 5 <= x1 and rng.random() > 0.08:
            glyph = rng.random((7, 5)) < 0.45
            region = canvas[y : y + 7, x : x + 5]
            region[glyph] = ink
            x += 6
        y += 10


def _layout(
    rng: np.random.Generator, context: Context, width: int, height: int, size: int
) -> tuple[int, int]:
    """Panels for the context; returns where the sprite goes (native pixels) so that it is not covered."""
    if context == "plain":
        return int(rng.integers(0, width - size + 1)), int(rng.integers(0, height - size + 1))
    if context == "summary":
        return 8 + int(rng.integers(0, 12)), height - size - 8 - int(rng.integers(0, 20))
    if context == "battle":
        return width - size - 8 - int(rng.integers(0, 30)), 4 + int(rng.integers(0, 12))
    return 12 + int(rng.integers(0, 20)), 20 + int(rng.integers(0, max(1, height - size - 40)))


def _decorate(
    canvas: RgbImage, rng: np.random.Generator, context: Context, keep: tuple[int, int, int, int]
) -> None:
    """Panels and text that stay clear of the sprite's square `keep` (x0, y0, x1, y1)."""
    height, width = canvas.shape[:2]
    for _ in range(int(rng.integers(1, 5)) if context != "plain" else 0):
        w, h = int(rng.integers(30, width // 2)), int(rng.integers(14, height // 2))
        x0, y0 = int(rng.integers(0, width - w)), int(rng.integers(0, height - h))
        if x0 < keep[2] and keep[0] < x0 + w and y0 < keep[3] and keep[1] < y0 + h:
            continue
        _panel(canvas, rng, x0, y0, x0 + w, y0 + h)


def _screen(rng: np.random.Generator, size: int, context: Context) -> tuple[RgbImage, int, int]:
    width, height = _SCREEN[size]
    canvas = _background(rng, width, height)
    x, y = _layout(rng, context, width, height, size)
    _decorate(canvas, rng, context, (x, y, x + size, y + size))
    return canvas, x, y


def _paste(canvas: RgbImage, sprite_rgba: RgbImage, x: int, y: int) -> None:
    size = sprite_rgba.shape[0]
    region = canvas[y : y + size, x : x + size]
    opaque = sprite_rgba[..., 3] > 0
    region[opaque] = sprite_rgba[..., :3][opaque]


def _enlarge(canvas: RgbImage, scale: float, smooth: Smooth) -> RgbImage:
    if scale == 1:
        return canvas
    height, width = canvas.shape[:2]
    size = (round(width * scale), round(height * scale))
    return np.asarray(cv2.resize(canvas, size, interpolation=_INTERPOLATION[smooth]), dtype=np.uint8)


def jpeg(image: RgbImage, quality: int, full_chroma: bool = False) -> RgbImage:
    """JPEG-compressed, as most encoders do it: colour (chroma) kept at half the resolution across and down
    (4:2:0), or, with `full_chroma`, at full resolution (4:4:4)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality, subsampling=0 if full_chroma else 2)
    return np.asarray(Image.open(buffer).convert("RGB"), dtype=np.uint8)


def _scaling(scale_x: float, scale_y: float, x: float, y: float) -> Homography:
    return np.array([[scale_x, 0.0, x], [0.0, scale_y, y], [0.0, 0.0, 1.0]])


def make_screenshot(
    sprite_rgba: RgbImage,
    rng: np.random.Generator,
    scale: float = 1.0,
    smooth: Smooth = None,
    jpeg_quality: int | None = None,
    context: Context = "summary",
    shiny: bool = False,
    full_chroma: bool = False,
) -> Scene:
    """A game screen with the (S, S, 4) sprite on it; `shiny` only records what the sprite shows."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, got {scale}")
    size = sprite_rgba.shape[0]
    canvas, x, y = _screen(rng, size, context)
    _paste(canvas, sprite_rgba, x, y)
    height, width = canvas.shape[:2]
    image = _enlarge(canvas, scale, smooth)
    sx, sy = image.shape[1] / width, image.shape[0] / height
    if jpeg_quality is not None:
        image = jpeg(image, jpeg_quality, full_chroma)
    return Scene(image, _scaling(sx, sy, x * sx, y * sy), shiny)


def _photograph(image: RgbImage, rng: np.random.Generator, warp: float) -> tuple[RgbImage, Homography]:
    """Perspective (each corner moved by up to `warp` of the picture's size), blur, colour cast, noise."""
    height, width = image.shape[:2]
    margin = int(0.06 * max(width, height))
    src = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    jitter = rng.uniform(-warp, warp, (4, 2)) * np.array([width, height])
    dst = (src + margin + jitter).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    surround = tuple(int(v) for v in rng.integers(0, 80, 3))
    out = cv2.warpPerspective(
        image,
        matrix,
        (width + 2 * margin, height + 2 * margin),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=surround,
    )
    sigma = float(rng.uniform(0.4, 1.2))
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    gains = rng.uniform(0.88, 1.12, 3) * rng.uniform(0.9, 1.05)
    noisy = out.astype(np.float64) * gains + rng.normal(0.0, rng.uniform(1.5, 5.0), out.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8), matrix.astype(np.float64)


def make_photo(
    sprite_rgba: RgbImage,
    rng: np.random.Generator,
    scale: float = 4.0,
    warp: float = 0.015,
    jpeg_quality: int = 85,
    context: Context = "summary",
    shiny: bool = False,
    full_chroma: bool = False,
) -> Scene:
    """A phone photo of a screen showing the sprite at `scale`."""
    screen = make_screenshot(sprite_rgba, rng, scale, "bilinear", None, context, shiny)
    assert screen.homography is not None
    image, matrix = _photograph(screen.image, rng, warp)
    return Scene(jpeg(image, jpeg_quality, full_chroma), matrix @ screen.homography, shiny)


def _creature(rng: np.random.Generator, size: int) -> RgbImage:
    """An outlined creature that is not a Spinda: random ellipses, sometimes in Spinda's cream with orange
    patches, in an (S, S, 4) sprite."""
    canvas = np.zeros((size, size, 4), dtype=np.uint8)
    body = np.zeros((size, size), dtype=np.uint8)
    for _ in range(int(rng.integers(2, 6))):
        centre = (int(rng.integers(size // 4, 3 * size // 4)), int(rng.integers(size // 4, 3 * size // 4)))
        axes = (int(rng.integers(4, size // 3)), int(rng.integers(4, size // 3)))
        cv2.ellipse(body, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    outline = (cv2.dilate(body, np.ones((3, 3), np.uint8)) > 0) & (body == 0)
    cream_like = rng.random() < 0.5
    fill = _HARD_COLOURS[int(rng.integers(3))] if cream_like else _colour(rng)
    canvas[body > 0] = (*fill, 255)
    canvas[outline > 0] = (16, 16, 16, 255)
    for _ in range(int(rng.integers(0, 6))):
        patch = np.zeros((size, size), dtype=np.uint8)
        centre = (int(rng.integers(0, size)), int(rng.integers(0, size)))
        cv2.ellipse(patch, centre, (int(rng.integers(2, 8)), int(rng.integers(2, 8))), 0, 0, 360, 1, -1)
        canvas[(patch > 0) & (body > 0)] = (*_HARD_COLOURS[3 + int(rng.integers(3))], 255)
    return canvas


def make_no_spinda(
    rng: np.random.Generator,
    size: int = 64,
    scale: float = 2.0,
    smooth: Smooth = None,
    jpeg_quality: int | None = None,
    context: Context = "summary",
    photo: bool = False,
) -> Scene:
    """A game screen with another creature where the sprite would be, and no Spinda; with `photo`, a phone
    photo of that screen (`smooth` and `jpeg_quality` then unused: a photo's own apply)."""
    creature = _creature(rng, size)
    if photo:
        return Scene(make_photo(creature, rng, scale, context=context).image, None)
    screen = make_screenshot(creature, rng, scale, smooth, jpeg_quality, context)
    return Scene(screen.image, None)


KINDS = (*(f"sharp x{s}" for s in range(1, 7)), "smooth+jpeg", "photo", "smooth+jpeg crop", "photo crop")


def _cropped(scene: Scene, size: int, rng: np.random.Generator) -> Scene:
    """The part of a screenshot or photo around its (size x size) sprite frame that a player might crop: a
    margin of 15% of the frame and up to 1.5 frames more across, up to 0.8 more down, on each side at
    random, within the picture. Such a crop is not a whole screen, so its scale and its kind are unknown."""
    assert scene.homography is not None
    height, width = scene.image.shape[:2]
    corners = np.array([scene.native_to_picture(u, v) for u in (0, size) for v in (0, size)])
    (left, top), (right, bottom) = corners.min(axis=0), corners.max(axis=0)
    across, down = right - left, bottom - top
    x0 = int(max(0.0, left - 0.15 * across - rng.uniform(0.0, 1.5) * across))
    y0 = int(max(0.0, top - 0.15 * across - rng.uniform(0.0, 0.8) * down))
    x1 = int(min(width, right + 0.15 * across + rng.uniform(0.0, 1.5) * across))
    y1 = int(min(height, bottom + 0.15 * across + rng.uniform(0.0, 0.8) * down))
    moved = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]]) @ scene.homography
    return Scene(np.ascontiguousarray(scene.image[y0:y1, x0:x1]), moved, scene.shiny)


def _smoothed_or_photo(
    sprite: RgbImage,
    rng: np.random.Generator,
    photo: bool,
    context: Context,
    shiny: bool = False,
    full_chroma: bool = False,
) -> Scene:
    """The sprite on a screen smoothed (bilinear or bicubic, x1.5-6) and saved as a JPEG (quality 60-94), or
    with `photo`, on a screen photographed at x3-6."""
    if photo:
        scale = float(rng.uniform(3.0, 6.0))
        return make_photo(sprite, rng, scale, context=context, shiny=shiny, full_chroma=full_chroma)
    smooth: Smooth = "bilinear" if rng.random() < 0.5 else "bicubic"
    scale = float(rng.uniform(1.5, 6.0))
    quality = int(rng.integers(60, 95))
    return make_screenshot(sprite, rng, scale, smooth, quality, context, shiny, full_chroma)


def scenes(
    renderer: SpindaRenderer,
    kind: str,
    count: int,
    rng: np.random.Generator,
    full_chroma: bool = False,
) -> list[tuple[int, Scene]]:
    """`count` random PIDs, a quarter shiny where the pack has a shiny palette, each on a random context as
    `kind` (one of KINDS): pixel-sharp at that scale; smoothed (bilinear or bicubic, x1.5-6) and JPEG
    (quality 60-94); or a phone photo of a screen at x3-6; as "smooth+jpeg crop" and "photo crop", only the
    part around the sprite a player might crop (`_cropped`). With `full_chroma`, the JPEGs keep their colour
    at full resolution (4:4:4); the same pictures otherwise."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of picture {kind!r}: one of {', '.join(KINDS)}")
    out = []
    shiny_ok = renderer.pack.shiny is not None
    for _ in range(count):
        pid = int(rng.integers(0, 2**32))
        shiny = shiny_ok and bool(rng.random() < 0.25)
        sprite = renderer.rgba([pid], shiny)[0]
        context = CONTEXTS[int(rng.integers(len(CONTEXTS)))]
        if kind.startswith("sharp x"):
            scene = make_screenshot(sprite, rng, float(kind[len("sharp x") :]), None, None, context, shiny)
        else:
            photo = kind.startswith("photo")
            scene = _smoothed_or_photo(sprite, rng, photo, context, shiny, full_chroma)
        if kind.endswith(" crop"):
            scene = _cropped(scene, sprite.shape[0], rng)
        out.append((pid, scene))
    return out


def no_spinda_scenes(count: int, rng: np.random.Generator) -> Iterator[Scene]:
    """`count` pictures with no Spinda, drawn one at a time: Gen III- and Gen IV-sized creatures in turn, at
    x1-4, half pixel-sharp and half bilinear, on each context in turn, every fourth a phone photo."""
    for i in range(count):
        smooth: Smooth = None if rng.random() < 0.5 else "bilinear"
        scale = float(rng.uniform(1.0, 4.0))
        yield make_no_spinda(
            rng, 64 if i % 2 == 0 else 80, scale, smooth, None, CONTEXTS[i % len(CONTEXTS)], i % 4 == 3
        )


def no_spinda_crops(count: int, rng: np.random.Generator) -> Iterator[Scene]:
    """`count` crops around another creature, as a player crops a picture (`_cropped`): Gen III- and Gen
    IV-sized creatures in turn, on each context in turn, two smoothed screenshots (as "smooth+jpeg") then two
    phone photos (as "photo"). A pixel-sharp crop is left out: its grid takes it back to exact colours,
    searched as a whole pixel-sharp screen is."""
    for i in range(count):
        size = 64 if i % 2 == 0 else 80
        creature = _creature(rng, size)
        scene = _smoothed_or_photo(creature, rng, i % 4 >= 2, CONTEXTS[i % len(CONTEXTS)])
        yield Scene(_cropped(scene, size, rng).image, None)


def _write_examples(out: Path) -> None:
    """A few screenshots of the project's default art, for the README and a first try of the tools."""
    from core.assets import default_pack
    from core.games import GEN3, GEN4, GameFamily

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261125)
    examples: tuple[tuple[GameFamily, int, bool, float, Smooth, int | None, Context], ...] = (
        (GEN3, 0xF2410A57, False, 3.0, None, None, "summary"),
        (GEN3, 0x1234ABCD, True, 2.0, "bilinear", 85, "battle"),
        (GEN4, 0xDEADBEEF, False, 2.0, None, None, "pokedex"),
    )
    for family, pid, shiny, scale, smooth, quality, context in examples:
        renderer = SpindaRenderer(default_pack(family))
        sprite = renderer.rgba([pid], shiny)[0]
        scene = make_screenshot(sprite, rng, scale, smooth, quality, context, shiny)
        suffix = "jpg" if quality else "png"
        name = f"{family.key}_{pid:08X}{'_shiny' if shiny else ''}.{suffix}"
        Image.fromarray(scene.image).save(out / name, quality=quality or 95)
        print(f"wrote {out / name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=EXAMPLES_DIR)
    _write_examples(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
