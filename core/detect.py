"""Find a Spinda sprite in a picture and recover its frame: family, scale and offset onto the native grid.

The anchor is PID-independent: the sprite's paint (the cream body together with whatever spots cover it) is
enclosed by the outline, and its bounding box is the family's paint box (17..51 x 8..54 in Gen III,
24..56 x 15..63 in Gen IV) whatever the PID, because spots only recolour cream pixels. So the picture's
pixels are classified by colour (a lookup table over 5-bit colours built once from the packs' cream, spot
and other colours), the paint's 4-connected regions are found, grouped across outline lines of growing
width (art splits ears, head and body), and every group whose box has a family's aspect ratio and fill is a
candidate frame (scale from the height, x from the right edge). The search also runs with each dominant
background colour taken out, for backgrounds in Spinda's own colours, and first without the flat and
gradient backgrounds told apart by colour steps (`_flat_background`). Whether a candidate really is a
Spinda is decided by decoding it.

A pixel-sharp picture (an emulator capture at any whole scale, see `pixel_grid`) is first taken back to
its source pixels, where the frame is exact: scale 1, whole offsets. There the colours are exact too, so
flat and gradient backgrounds are told from the sprite by colour steps (`_flat_background`), even where
the games' spot-coloured arm outline touches a background in Spinda's colours.

A phone photo of a screen is first warped back to the screen's rectangle (core.screen). Any other picture
(smoothed, compressed, a rectified photo) is taken back to native pixels around each candidate by inverting
its enlargement (core.enlargement: scale and phase fitted to a few hundredths of a game pixel, then the
native colours by least squares), its colour cast taken out (`ColourModel.cast`), and the whole-pixel
offset read off the sprite's silhouette, whose box is the family's body box, or else the paint box
(`_native`).

Known weaknesses (bench/identify_bench.py measures them): hard backgrounds (gradients and stripes through
Spinda's colours, whose blur joins the sprite's paint) can hide the sprite from the coarse search, which
is the commonest miss on smoothed pictures and photos.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from core.assets import AssetPack
from core.enlargement import (
    CAPTURE_KERNELS,
    KERNELS,
    AxisGrid,
    Enlargement,
    Span,
    Tilt,
    fit,
    reconstruct,
    straightened,
    tilts,
)
from core.games import Box, GameFamily
from core.screen import ScreenView, find_screen

OTHER, CREAM, SPOT, SHINY_SPOT = 0, 1, 2, 3
PAINT_CLASSES = [CREAM, SPOT, SHINY_SPOT]
# The published Gen III spot colours (normal, shiny): facts of the games, used as extra colour anchors so
# the games' own sprites are recognised whatever art the project is configured with.
_PUBLISHED_SPOTS = {
    SPOT: ((222, 139, 74), (222, 106, 57), (180, 90, 41)),
    SHINY_SPOT: ((180, 197, 90), (148, 164, 57), (115, 131, 24)),
}
# A blurred sprite's edge pixels mix its paint with the outline (the art's darkest colour): cream darkened so
# lies nearer the dark spot colours than any cream. Mixes down to this share of paint are recognised as such
# (`ColourModel.blended_distances`); on 600 smoothed and photographed games' sprites 0.3, 0.5 and 0.7 left
# 67, 68 and 65 wrong, where plain distances left 77.
BLEND_LEAST_PAINT = 0.7
# How far (RGB distance) a colour may stray from the nearest cream or spot colour and still count as paint:
# wide enough for JPEG and a phone's colour cast, narrow enough that the blend of outline and body is not.
PAINT_TOLERANCE = 60.0
_QUANT = 3  # bits dropped per channel for the colour lookup table
# A photo's colour cast: gains estimated in a few rounds, within a phone's range, from enough pixels.
_CAST_ROUNDS = 3
_CAST_RANGE = (0.7, 1.4)
_CAST_MIN_PIXELS = 50
MIN_SCALE = 0.9
MAX_SCALE = 8.0
# Fill of the paint region's box: about 0.40-0.45 for the games' sprites and the project's art; the range
# leaves room for blur, and rejects solid boxes (UI panels) and thin lines.
_FILL_RANGE = (0.22, 0.72)
# Exposures a photographed screen is looked at as if taken at, in turn, until a sprite is found (see
# `_photographed_screen`): a phone's own exposure and colour balance can put a sprite's cream 60 or more
# from the art's (0.8 of it, greener).
_PHOTO_EXPOSURES = (1.2, 0.85)
# A crop has no screen to find the cast on: where no look found a Spinda in it, it is looked at once more,
# this much brighter, at its own resolution. The bench's 400 cropped screenshots and photos (seeds 5 and 7):
# 3 of the 4 cropped photos that were no Spinda read right (1.2); darker (0.85) found none of them.
_CROP_EXPOSURE = 1.2
# How far a paint box's aspect may stray from the family's: a photo's blur and a background piece that
# touches the sprite can widen it by a tenth; the fit and the whole-pixel offset then correct the frame.
_ASPECT_TOLERANCE = 0.15
MAX_CANDIDATES = 6
# A paint colour on more than this share of the picture is taken for a background: a sprite's paint is
# under 2% of a game screen.
_BACKGROUND_SHARE = 0.06
_BACKGROUND_MIN_PIXELS = 2000
_BACKGROUND_COLOURS = 3
_BACKGROUND_TOLERANCE = 24.0
# Dilation widths (picture pixels) for grouping paint regions split by outline lines of 1-2 game pixels.
_GAP_KERNELS = (1, 3, 5, 9, 17)

RgbImage = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Frame:
    """Where the native sprite grid lies in the picture: game pixel (u, v) covers picture pixels
    [origin_x + u * scale_x, origin_x + (u + 1) * scale_x) x the same in y."""

    family: GameFamily
    origin_x: float
    origin_y: float
    scale_x: float
    scale_y: float

    @property
    def scale(self) -> float:
        return (self.scale_x + self.scale_y) / 2

    def paint_box_in_picture(self) -> tuple[float, float, float, float]:
        box = paint_box(self.family)
        return (
            self.origin_x + box.x0 * self.scale_x,
            self.origin_y + box.y0 * self.scale_y,
            self.origin_x + (box.x1 + 1) * self.scale_x,
            self.origin_y + (box.y1 + 1) * self.scale_y,
        )


@dataclass(frozen=True)
class Detection:
    """One candidate sprite: its frame, the native-resolution crop and each crop pixel's colour class."""

    frame: Frame
    crop: RgbImage  # (S, S, 3)
    class_distance: npt.NDArray[np.float32]  # (S, S, 4): RGB distance to each class's nearest colour
    inside: npt.NDArray[np.bool_]  # (S, S): the pixel is in a paint region that lies within the sprite box
    source_pixels: bool = False  # the crop is the picture's own pixels, exact (a pixel-sharp capture)
    # The enlargement searched included blurred filters (a photo, or a picture of unknown origin), so the
    # sprite's edge pixels may mix its paint with the outline (core.decode.observe).
    blurred: bool = False

    @property
    def family(self) -> GameFamily:
        return self.frame.family


class ColourModel:
    """Classifies colours as cream, spot, shiny spot or other, from the packs' colours and the published
    spot colours. Build once: the lookup table costs a few milliseconds."""

    def __init__(self, packs: Iterable[AssetPack]) -> None:
        anchors: list[tuple[tuple[int, int, int], int]] = []
        main_creams: set[tuple[int, int, int]] = set()
        for pack in packs:
            shift = pack.family.colour_shift
            # The cream most of the body shows (index 2 in the games' art and ours).
            main = 1 + int(np.bincount(pack.sprite.ravel(), minlength=4)[1:4].argmax())
            main_creams.add(_rgb(pack.normal[main]))
            paint = {1, 2, 3, 1 + shift, 2 + shift, 3 + shift}
            for index in (1, 2, 3):
                anchors.append((_rgb(pack.normal[index]), CREAM))
                anchors.append((_rgb(pack.normal[index + shift]), SPOT))
                if pack.shiny is not None:
                    anchors.append((_rgb(pack.shiny[index + shift]), SHINY_SPOT))
            # The art's other colours (outline, browns, eyes, mouth) compete for the pixels, so a brown ear
            # curl is not taken for a dark spot. Index 0 is transparent: its colour is never seen.
            # A colour the art also uses for cream or spots (the Gen IV games repeat the creams at 12..14 for
            # an unpaintable belly) stays paint: the pixel's colour cannot tell them apart.
            painted = [anchor for anchor, label in anchors if label != OTHER]
            for palette in (pack.normal, pack.shiny):
                if palette is not None:
                    anchors += [
                        (_rgb(palette[i]), OTHER)
                        for i in range(4, 16)
                        if i not in paint and _rgb(palette[i]) not in painted
                    ]
        for label, colours in _PUBLISHED_SPOTS.items():
            anchors += [(colour, label) for colour in colours]
        self.colours = np.array([c for c, _ in anchors], dtype=np.float32)
        self.labels = np.array([label for _, label in anchors], dtype=np.uint8)
        self.main_creams = np.array(sorted(main_creams), dtype=np.float64).reshape(-1, 3)
        others = self.colours[self.labels == OTHER]
        self.outline = others[others.sum(axis=1).argmin()] if len(others) else np.zeros(3, np.float32)
        levels = 256 >> _QUANT
        grid = (np.arange(levels, dtype=np.float32) + 0.5) * (1 << _QUANT)
        # The centre colour of each lookup-table entry.
        self.cube = np.stack(np.meshgrid(grid, grid, grid, indexing="ij"), axis=-1).reshape(-1, 3)
        labels, distance = self.classify_float(self.cube)
        self._lut_paint = ((labels != OTHER) & (distance <= PAINT_TOLERANCE)).astype(np.uint8)

    def classify_float(
        self, pixels: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]]:
        """(n, 3) colours -> each one's class (of the nearest anchor colour) and distance to that colour."""
        d = self.class_distances(pixels)
        nearest = d.argmin(axis=1)
        return nearest.astype(np.uint8), d[np.arange(len(pixels)), nearest]

    def class_distances_full(self, pixels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """(n, 3) colours -> (n, anchors): distance to every anchor colour."""
        out: npt.NDArray[np.float32] = np.sqrt(np.maximum(_squared_distances(pixels, self.colours), 0.0))
        return out

    def class_distances(self, pixels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """(n, 3) colours -> (n, 4): distance to each class's nearest colour (OTHER, CREAM, SPOT, SHINY)."""
        full = self.class_distances_full(pixels)
        out = np.full((len(pixels), 4), np.inf, dtype=np.float32)
        for label in (OTHER, CREAM, SPOT, SHINY_SPOT):
            columns = self.labels == label
            if columns.any():
                out[:, label] = full[:, columns].min(axis=1)
        return out

    def blended_distances(self, pixels: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """(n, 3) colours -> (n, 3): distance to the nearest colour of each paint class (PAINT_CLASSES, in
        that order) mixed with the outline colour in any share of at least BLEND_LEAST_PAINT paint (the
        nearest point of each such segment; inf for a class without colours)."""
        out = np.full((len(pixels), 3), np.inf, dtype=np.float32)
        p = pixels.astype(np.float64) - self.outline
        for column, label in enumerate(PAINT_CLASSES):
            towards = self.colours[self.labels == label].astype(np.float64) - self.outline  # (k, 3)
            if not len(towards):
                continue
            share = np.clip((p @ towards.T) / (towards**2).sum(axis=1), BLEND_LEAST_PAINT, 1.0)  # (n, k)
            gap = p[:, None, :] - share[..., None] * towards[None]
            out[:, column] = np.sqrt((gap**2).sum(axis=-1)).min(axis=1)
        return out

    def cast(self, pixels: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Per-channel gains that take a sprite's (n, 3) colours, under a photo's colour cast, back onto
        the art's colours. Near 1 for a picture with no cast.

        The art's three creams are nearly multiples of one another, so a darkened sprite's main cream lies
        on the art's dark cream, and gains refined from 1 stay near 1 (a Gen IV photo at 0.87/0.84/0.76 of
        the art's colours was left at 1.02/0.85/0.94, its creams read as 'other'). So the refinement also
        starts from the gains that put the sprite's commonest bright colour on an art's main cream, and the
        gains whose colours lie nearest the art's are kept (the 600 tuning pictures: 31 -> 26 wrong, two sets
        of 240 held-out ones 9 -> 5 and 16 -> 13)."""
        values = pixels.astype(np.float64)
        starts = [np.ones(3)]
        if len(values) < _CAST_MIN_PIXELS:
            return starts[0]
        commonest = _commonest_bright(values)
        if commonest is not None:
            starts += [np.clip(main / np.maximum(commonest, 1.0), *_CAST_RANGE) for main in self.main_creams]
        found = [self._refined_gains(values, gains) for gains in starts]
        return min(found, key=lambda gains: self._mismatch(values, gains))

    def _refined_gains(
        self, values: npt.NDArray[np.float64], gains: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Gains refined in rounds: each corrected pixel matched to its nearest anchor colour, the gains
        solved by least squares over the matched ones."""
        for _ in range(_CAST_ROUNDS):
            d = self.class_distances_full((values * gains).astype(np.float32))
            nearest = d.argmin(axis=1)
            close = d[np.arange(len(values)), nearest] <= PAINT_TOLERANCE
            if close.sum() < _CAST_MIN_PIXELS:
                break
            target = self.colours[nearest[close]].astype(np.float64)
            seen = values[close]
            gains = np.clip(
                (seen * target).sum(axis=0) / np.maximum((seen * seen).sum(axis=0), 1.0), *_CAST_RANGE
            )
        return gains

    def _mismatch(self, values: npt.NDArray[np.float64], gains: npt.NDArray[np.float64]) -> float:
        """Mean distance of the corrected colours to their nearest anchor colours, each at most
        PAINT_TOLERANCE (a background pixel is as far off whatever the gains)."""
        nearest = self.class_distances_full((values * gains).astype(np.float32)).min(axis=1)
        return float(np.minimum(nearest, PAINT_TOLERANCE).mean())

    def paint_mask(self, image: RgbImage) -> npt.NDArray[np.uint8]:
        mask: npt.NDArray[np.uint8] = self._lut_paint[_colour_index(image)]
        return mask


def _commonest_bright(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    """The mean colour of the fullest 16-level colour bin among the pixels brighter than the median (a
    sprite's outline, browns and spots are darker than its creams, under any exposure), if there are enough
    of them to tell."""
    brightness = values.sum(axis=1)
    bright = values[brightness > np.median(brightness)]
    if len(bright) < _CAST_MIN_PIXELS:
        return None
    bins = (bright // 16).astype(np.int32)
    _, which, counts = np.unique(
        bins[:, 0] * 256 + bins[:, 1] * 16 + bins[:, 2], return_inverse=True, return_counts=True
    )
    mean: npt.NDArray[np.float64] = bright[which.ravel() == counts.argmax()].mean(axis=0)
    return mean


def _squared_distances(
    pixels: npt.NDArray[np.float32], colours: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """(n, 3) and (k, 3) colours -> (n, k) squared RGB distances, as |p|^2 + |c|^2 - 2 p.c: one matrix
    product (it can dip a little below zero)."""
    p = pixels.astype(np.float32)
    c = colours.astype(np.float32)
    out: npt.NDArray[np.float32] = (p**2).sum(axis=1)[:, None] + (c**2).sum(axis=1)[None, :] - 2.0 * p @ c.T
    return out


def _colour_index(image: RgbImage) -> npt.NDArray[np.int32]:
    """Each pixel's entry in a lookup table over 5-bit colours."""
    q = image >> _QUANT
    bits = 8 - _QUANT
    index: npt.NDArray[np.int32] = (
        (q[..., 0].astype(np.int32) << (2 * bits)) | (q[..., 1].astype(np.int32) << bits) | q[..., 2]
    )
    return index


def _rgb(colour: npt.NDArray[np.uint8]) -> tuple[int, int, int]:
    return int(colour[0]), int(colour[1]), int(colour[2])


# The box of the pixels that are cream or spot-coloured whatever the PID: the cream box, widened in the Gen IV
# games by the arm, whose spot-coloured pixels reach one column left of the cream (x = 24). A silhouette fact.
_PAINT_BOXES = {"gen3": Box(17, 8, 51, 54), "gen4": Box(24, 15, 56, 63)}


def paint_box(family: GameFamily) -> Box:
    if family.key not in _PAINT_BOXES:
        raise ValueError(f"{family.key} has no sprite geometry to detect")
    return _PAINT_BOXES[family.key]


def _cluster_boxes(
    labels: npt.NDArray[np.int32],
    stats: npt.NDArray[np.int32],
    anchors: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]],
    allowed: npt.NDArray[np.bool_],
    kernel: int,
) -> list[tuple[int, int, int, int, int]]:
    """Boxes (x, y, w, h, paint area) of the allowed paint regions grouped across gaps under `kernel`.
    `anchors` are (ys, xs) of one pixel of each region."""
    members = np.flatnonzero(allowed)
    if kernel > 1:
        mask = allowed[labels].astype(np.uint8)
        grown = cv2.dilate(mask, np.ones((kernel, kernel), np.uint8))
        _, groups = cv2.connectedComponents(grown, connectivity=8)
        # Growing keeps each region inside one group, so any pixel of a region names its group.
        group_of = groups[anchors[0][members], anchors[1][members]]
    else:
        group_of = members.astype(np.int32)
    order = np.argsort(group_of, kind="stable")
    starts = np.flatnonzero(np.diff(group_of[order], prepend=-1))
    part = stats[members[order]]
    x0 = np.minimum.reduceat(part[:, 0], starts)
    y0 = np.minimum.reduceat(part[:, 1], starts)
    x1 = np.maximum.reduceat(part[:, 0] + part[:, 2], starts)
    y1 = np.maximum.reduceat(part[:, 1] + part[:, 3], starts)
    area = np.add.reduceat(part[:, 4], starts)
    return [
        (int(a), int(b), int(c - a), int(d - b), int(e))
        for a, b, c, d, e in zip(x0, y0, x1, y1, area, strict=True)
    ]


@dataclass(frozen=True)
class Candidate:
    """A coarse frame, with the picture's paint regions (a label image and each label's x, y, w, h, area)."""

    frame: Frame
    labels: npt.NDArray[np.int32]
    stats: npt.NDArray[np.int32]


def _background_colours(image: RgbImage, mask: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """(k, 3): the few paint colours that each cover more of the picture than a sprite's paint could: a
    background in Spinda's colours, through which the sprite's own paint would otherwise join it."""
    least = max(_BACKGROUND_MIN_PIXELS, _BACKGROUND_SHARE * mask.size)
    counts = np.bincount(_colour_index(image)[mask > 0], minlength=1)
    bits = 8 - _QUANT
    top = np.argsort(-counts)[:_BACKGROUND_COLOURS]
    top = top[counts[top] >= least]
    levels = 1 << bits
    rgb = np.stack([top // levels**2, top // levels % levels, top % levels], axis=-1).astype(np.float32)
    return (rgb + 0.5) * (1 << _QUANT)


def _packed(image: RgbImage) -> npt.NDArray[np.int32]:
    """Each pixel's exact colour as one integer."""
    rgb = image.astype(np.int32)
    packed: npt.NDArray[np.int32] = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    return packed


# Largest step (per channel) between neighbours of one flat or gradient background; a sprite's own shades
# differ by more (16 and up in the games' palettes).
_FLAT_STEP = 6
# The same in a smoothed or compressed picture: a gradient's steps plus JPEG noise, while a sprite's edges,
# blurred over a few pixels, still step by more.
_SMOOTH_STEP = 12
# The same, for a second look where that found no Spinda: a background in Spinda's own colours (stripes of
# cream and orange) joins a sprite through its blurred edges in steps of 12, while steps of 6 keep them apart
# (and break a gradient into bands, which is why this is only a second look).
_STRICT_STEP = 6
_DENOISE = 3  # median filter aperture (pixels)
_EXACT_PAINT = 16.0  # RGB distance


# Largest table of counts, per pixel counted, for which counting beats sorting.
_COUNTING_TABLE_RATIO = 16


def _fine_index(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.intp]:
    """Each pixel's bits that its 5-bit colour drops, as one integer."""
    low = pixels & ((1 << _QUANT) - 1)
    index: npt.NDArray[np.intp] = (
        (low[..., 0].astype(np.intp) << 2 * _QUANT) | (low[..., 1].astype(np.intp) << _QUANT) | low[..., 2]
    )
    return index


def _distinct_colours(
    pixels: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The distinct colours of (n, 3) pixels (m, 3), each pixel's index among them, and each colour's count.
    Counted by 5-bit colour and then by the bits it drops, in time linear in the pixels and in the table
    of the 5-bit colours present, where sorting the pixels (np.unique) took several times as long on a
    smoothed picture of a million pixels. Sorted where that table would be many times the pixels (noise
    scattered over every 5-bit colour)."""
    coarse = _colour_index(pixels)
    present = np.flatnonzero(np.bincount(coarse, minlength=1))
    if len(present) << 3 * _QUANT > _COUNTING_TABLE_RATIO * len(pixels):
        packed = (coarse.astype(np.intp) << 3 * _QUANT) | _fine_index(pixels)
        _, first, where, counts = np.unique(
            packed, return_index=True, return_inverse=True, return_counts=True
        )
        return pixels[first], where, counts
    rank = np.zeros(1 << 3 * (8 - _QUANT), dtype=np.intp)
    rank[present] = np.arange(len(present))
    compact = (rank[coarse] << 3 * _QUANT) | _fine_index(pixels)
    tally = np.bincount(compact, minlength=1)
    seen = np.flatnonzero(tally)
    position = np.zeros(len(tally), dtype=np.intp)
    position[seen] = np.arange(len(seen))
    # Whichever pixel's write lands, it has that colour.
    holder = np.zeros(len(tally), dtype=np.intp)
    holder[compact] = np.arange(len(pixels))
    return pixels[holder[seen]], position[compact], tally[seen]


def _flat_background(
    image: RgbImage,
    mask: npt.NDArray[np.uint8],
    family_list: list[GameFamily],
    largest_scale: float,
    step: int = _FLAT_STEP,
    keep_exact: ColourModel | None = None,
    repeating: bool = False,
    kept_classes: Sequence[int] = PAINT_CLASSES,
) -> npt.NDArray[np.bool_]:
    """The paint pixels that cannot be the sprite's, being either of a colour that covers more of the
    picture than a sprite's paint could, or in a 4-connected area of one colour (neighbours differing by
    at most `step`: _FLAT_STEP at source pixels, _SMOOTH_STEP in a smoothed picture) or of a repeating
    pattern (with `repeating`: `_periodic`, within twice `step`) wider or taller than a sprite at
    `largest_scale`. With `keep_exact` (a smoothed picture, where blur links the games' sprite's cream,
    which touches the background unoutlined in places, to a gradient behind it), pixels of a flat area
    within _EXACT_PAINT of one of its colours of `kept_classes` (cream and spots unless told) stay: a
    gradient only passes those in a thin band, while the sprite's own colours sit on them. A gradient and
    a checkerboard's squares go, while the sprite's own paint stays whole: its outline, or a colour step,
    parts it from the background, where the searches on colour classes alone let its spot-coloured arm
    outline join a background in Spinda's colours."""
    paint = mask > 0
    least = max(_BACKGROUND_MIN_PIXELS, _BACKGROUND_SHARE * mask.size)
    _, which, counts = _distinct_colours(image[paint])
    common = np.zeros(paint.shape, dtype=np.bool_)
    common[paint] = counts[which] >= least
    labels, stats = _alike_regions(image, step)
    boxes = [paint_box(f) for f in family_list]
    # Doubled-grid sizes: a run of n pixels spans 2n - 1 points.
    too_wide = stats[:, 2] > 2 * largest_scale * max(b.width for b in boxes) + 1
    too_tall = stats[:, 3] > 2 * largest_scale * max(b.height for b in boxes) + 1
    wide = (too_wide | too_tall)[labels] & paint
    if keep_exact is not None:
        # Judged once per distinct colour: far fewer than the pixels of a photo-sized picture.
        colours_seen, which, _ = _distinct_colours(image[wide])
        d = keep_exact.class_distances(colours_seen.astype(np.float32))
        nearest_paint = d[:, list(kept_classes)].min(axis=1)
        exact = (nearest_paint <= _EXACT_PAINT) & (nearest_paint < d[:, OTHER])
        wide[wide] = ~exact[which]
    out: npt.NDArray[np.bool_] = common | wide
    if repeating:
        # A pattern's squares or stripes are each small, but repeat: the repeating pixels joined into an
        # area too big for a sprite are background, while the sprite's own pixels that happen to repeat it
        # lie inside its outline. Not kept for being of an exact paint colour: a pattern's colours may be.
        # (At source pixels a pattern's exact colours are common ones, and the games' spot-coloured arm
        # outlines would join a sprite to a pattern in that colour.)
        out |= _beyond_a_sprite(_periodic(image, 2 * step), boxes, largest_scale) & paint
    return out


def _beyond_a_sprite(
    pixels: npt.NDArray[np.bool_], boxes: Sequence[Box], largest_scale: float
) -> npt.NDArray[np.bool_]:
    """The pixels of `pixels`' 4-connected areas wider or taller than a sprite's paint at `largest_scale`."""
    _, parts, part_stats, _ = cv2.connectedComponentsWithStats(pixels.astype(np.uint8), connectivity=4)
    big = (part_stats[:, 2] > largest_scale * max(b.width for b in boxes)) | (
        part_stats[:, 3] > largest_scale * max(b.height for b in boxes)
    )
    big[0] = False
    beyond: npt.NDArray[np.bool_] = big[parts]
    return beyond


# A background pattern's period is looked for up to this many pixels (a checkerboard of 16-pixel squares
# at scale 6), and is one when shifting by it leaves the picture's differences below this share of what a
# smaller shift left: a pattern of two near colours (two oranges, tan and orange) with a sprite and panels
# over it and JPEG noise leaves 0.57-0.62, while a picture without a pattern grows less alike with the shift.
_LONGEST_PERIOD = 200
_PERIOD_CONTRAST = 0.65
_PROFILE_STRIDE = 3  # rows (columns) sampled for the period profiles


def _period(image: RgbImage, axis: int) -> int | None:
    """The shift along `axis` (0: rows, 1: columns) under which the picture repeats best, if it clearly
    repeats (a checkerboard, or stripes across that axis): shifting by it must leave the picture far more
    alike than some smaller shift did. None for a plain or unpatterned picture, which grows steadily less
    alike with the shift. Root-mean-square differences for all shifts at once, from autocorrelations."""
    lines = np.moveaxis(image, axis, 1)[::_PROFILE_STRIDE].astype(np.float64)  # (lines, length, 3)
    length = lines.shape[1]
    longest = min(_LONGEST_PERIOD, length // 3)
    if longest < 4:
        return None
    # Padded to at least twice the length (no wrap-around), to a length of small prime factors: a large
    # prime factor (2 x 1437 = 2 x 3 x 479) makes the transform several times slower.
    padded = cv2.getOptimalDFTSize(2 * length)
    spectrum = np.fft.rfft(lines, n=padded, axis=1)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum), n=padded, axis=1)
    products = correlation[:, : longest + 1].sum(axis=(0, 2))
    energy = np.cumsum((lines**2).sum(axis=(0, 2)))
    shifts = np.arange(longest + 1)
    head = energy[length - 1 - shifts]  # values that have a partner `shift` further on
    tail = energy[-1] - np.concatenate([[0.0], energy[:longest]])  # values `shift` or more in
    overlap = lines.shape[0] * 3 * (length - shifts)
    profile = np.sqrt(np.maximum(head + tail - 2 * products, 0.0) / overlap)
    peak = np.maximum.accumulate(profile[1:])
    repeats = np.flatnonzero(profile[2:] < _PERIOD_CONTRAST * peak[1:]) + 2
    return int(repeats[np.argmin(profile[repeats])]) if len(repeats) else None


def _alike(a: RgbImage, b: RgbImage, step: int) -> npt.NDArray[np.bool_]:
    """Where two pictures of one size differ by at most `step` on every channel. (OpenCV's saturating
    difference of the bytes: the same as numpy's on wider integers, many times faster.)"""
    difference = cv2.absdiff(a, b)
    largest = np.maximum(np.maximum(difference[..., 0], difference[..., 1]), difference[..., 2])
    alike: npt.NDArray[np.bool_] = largest <= step
    return alike


def _periodic(image: RgbImage, step: int) -> npt.NDArray[np.bool_]:
    """The pixels that repeat a background pattern: alike (within `step`, on every channel) to the pixel a
    period away along a repeating axis, on either side (one side may be the sprite), give or take a
    pixel (an enlargement by a fraction makes the period fractional)."""
    out = np.zeros(image.shape[:2], dtype=np.bool_)
    for axis in (0, 1):
        period = _period(image, axis)
        if period is None:
            continue
        for shift in (period - 1, period, period + 1):
            ahead = image[shift:] if axis == 0 else image[:, shift:]
            behind = image[:-shift] if axis == 0 else image[:, :-shift]
            near = _alike(ahead, behind, step)
            if axis == 0:
                out[shift:] |= near
                out[:-shift] |= near
            else:
                out[:, shift:] |= near
                out[:, :-shift] |= near
    return out


def _lined(image: RgbImage, step: int) -> npt.NDArray[np.bool_]:
    """The pixels alike (within `step`, on every channel) to their row's median colour, in rows mostly
    alike to it, or to their column's, in columns mostly alike to it: stripes across the picture or a
    gradient along it, however unevenly spaced, broken by a sprite and panels."""
    out = np.zeros(image.shape[:2], dtype=np.bool_)
    for axis in (1, 0):
        median = np.median(image, axis=axis, keepdims=True).astype(np.uint8)
        near = _alike(image, np.ascontiguousarray(np.broadcast_to(median, image.shape)), step)
        out |= near & (near.mean(axis=axis, keepdims=True) >= 0.5)
    return out


def _alike_regions(image: RgbImage, step: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Components of near-equal colour (a gradient's bands join up, a sprite's shades do not): each pixel's
    label, and each label's x, y, w, h, area on a doubled grid (a run of n pixels spans 2n - 1 points).
    The pixels are the even points of the doubled grid, linked through the odd points between two
    neighbours that differ by at most `step` on every channel. Every pixel takes part, paint or not: a
    gradient crosses from other colours into paint colours mid-band, and the part past the crossing is
    still background."""
    height, width = image.shape[:2]
    alike_x = _alike(image[:, 1:], image[:, :-1], step)
    alike_y = _alike(image[1:], image[:-1], step)
    grid = np.zeros((2 * height - 1, 2 * width - 1), dtype=np.uint8)
    grid[::2, ::2] = 1
    grid[::2, 1::2] = alike_x
    grid[1::2, ::2] = alike_y
    _, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=4)
    return np.asarray(labels[::2, ::2], dtype=np.int32), np.asarray(stats, dtype=np.int32)


def _surroundings(image: RgbImage, step: int) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """In a window around a sprite with a margin of background all round, the background up to the
    sprite's outline, however it is shaded or patterned: the pixels joined to the window's border through
    neighbours differing by at most `step` (a gradient), and those joined to it through pixels within
    `step` of a colour on the border (a checkerboard, whose squares differ by far more than a step). Then
    the same less the pixels joined through a gradient alone that lie over _REGION_REACH steps from every
    colour on the border (where the sprite's region is read)."""
    labels, _ = _alike_regions(image, step)
    border_labels = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    shaded = np.isin(labels, border_labels)
    edge = np.unique(np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]), axis=0)
    squared = _squared_distances(image.reshape(-1, 3).astype(np.float32), edge.astype(np.float32))
    nearest = squared.min(axis=1).reshape(image.shape[:2])
    like = nearest <= step**2
    _, parts = cv2.connectedComponents(like.astype(np.uint8), connectivity=4)
    touching = np.unique(np.concatenate([parts[0], parts[-1], parts[:, 0], parts[:, -1]]))
    patterned = np.isin(parts, touching[touching > 0])
    return shaded | patterned, (shaded & (nearest <= (_REGION_REACH * step) ** 2)) | patterned


def candidate_frames(
    image: RgbImage,
    colours: ColourModel,
    families: Iterable[GameFamily],
    limit: int = MAX_CANDIDATES,
    background: npt.NDArray[np.bool_] | None = None,
    lined: npt.NDArray[np.bool_] | None = None,
) -> list[Candidate]:
    """Coarse frames for the paint regions shaped like a Spinda's paint box, most plausible first.

    Art may split the paint into parts (ears, head, body) with outline lines between them, so regions are
    also grouped across gaps of growing width; at each width, regions too big to be part of a sprite at the
    scales that width suits (a cream background, a panel) are left out so they cannot swallow it. The games'
    sprites outline their spot-coloured arms in a darker spot colour, so a background in that colour joins
    the sprite's paint: when one colour covers much of the picture, the search runs again without it."""
    family_list = list(families)
    mask = colours.paint_mask(image)
    masks = []
    # Each background colour is taken out on its own: taking out a cream panel's colour too could take
    # the sprite's own cream with it. Which search is right depends on the picture (with the background
    # colour, pieces of a striped background cut by the sprite join its paint; without it, a background
    # in the sprite's own cream takes some of the sprite away), so their best candidates take turns and
    # decoding picks.
    # Where the caller could tell the background from the sprite (`background`: see _flat_background and
    # _surroundings), the search without it goes first; where it also found stripes or a gradient across
    # the picture (`lined`: see _coarse_frames), the search without those follows the plain one.
    if background is not None:
        masks.append(mask & ~background)
    masks.append(mask)
    if lined is not None:
        masks.append(mask & ~lined)
    for colour in _background_colours(image, mask):
        near = np.linalg.norm(colours.cube - colour, axis=-1) <= _BACKGROUND_TOLERANCE
        masks.append(mask & ~near[_colour_index(image)])
    searches = [sorted(_candidates_in(paint, family_list), key=lambda item: -item[0]) for paint in masks]
    ranked: list[Candidate] = []
    frames: set[tuple[str, int, int, int]] = set()
    for turn in itertools.zip_longest(*searches):
        for item in turn:
            if item is None:
                continue
            f = item[1].frame
            key = (
                f.family.key,
                round(f.origin_x / f.scale),
                round(f.origin_y / f.scale),
                round(20 * f.scale),
            )
            if key not in frames:
                frames.add(key)
                ranked.append(item[1])
    return ranked[:limit]


def _regions(mask: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """The paint's 4-connected regions: a label image and each label's x, y, w, h, area (0: no paint)."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    return np.asarray(labels, dtype=np.int32), np.asarray(stats, dtype=np.int32)


def _candidates_in(
    mask: npt.NDArray[np.uint8], family_list: list[GameFamily]
) -> list[tuple[float, Candidate]]:
    labels, stats = _regions(mask)
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return []
    # Whichever pixel's write lands, it lies in that region (label 0, no paint, is never grouped).
    holder = np.zeros(len(stats), dtype=np.intp)
    holder[labels[ys, xs]] = np.arange(len(ys))
    anchors = (ys[holder], xs[holder])
    boxes = [paint_box(f) for f in family_list]
    min_area = 0.2 * min(b.width * b.height for b in boxes) * MIN_SCALE**2
    widest = max(b.width for b in boxes)
    tallest = max(b.height for b in boxes)
    # One entry per box: the narrowest grouping that gives it, so background paint inside the box (between
    # the ears) is left out when the sprite alone already spans the box.
    seen: set[tuple[int, int, int, int]] = set()
    scored: list[tuple[float, Candidate]] = []
    for kernel in _GAP_KERNELS:
        reach = 1.25 * max(kernel, 2)  # the largest scale whose outline gaps this kernel bridges
        allowed = (stats[:, 2] <= widest * reach) & (stats[:, 3] <= tallest * reach)
        allowed[0] = False
        if not allowed.any():
            continue
        for x, y, w, h, area in _cluster_boxes(labels, stats, anchors, allowed, kernel):
            if area < min_area or (x, y, w, h) in seen:
                continue
            seen.add((x, y, w, h))
            if not _FILL_RANGE[0] <= area / (w * h) <= _FILL_RANGE[1]:
                continue
            for family in family_list:
                box = paint_box(family)
                sx, sy = w / box.width, h / box.height
                mismatch = abs(sx / sy - 1.0)
                if mismatch > _ASPECT_TOLERANCE or not MIN_SCALE <= (sx + sy) / 2 <= MAX_SCALE:
                    continue
                # Game pixels are square, and the height is the surer measure: the Gen IV games' arm
                # reaches one column left of the cream, other art may stop at the cream, so x is anchored
                # on the right edge, which all art shares.
                frame = Frame(family, x + w - (box.x1 + 1) * sy, y - box.y0 * sy, sy, sy)
                # Bigger first (the sprite is usually the largest paint in a screen), then the better fit.
                scored.append((area * (1.0 - mismatch), Candidate(frame, labels, stats)))
    return scored


def _sample_grid(
    image: RgbImage, frame: Frame, offsets_x: Iterable[float], offsets_y: Iterable[float]
) -> npt.NDArray[np.float32]:
    """(S, S, k, 3): the picture sampled (bilinear) at points inside each game pixel, given in fractions of
    a game pixel from its centre."""
    size = frame.family.frame_size
    assert size is not None
    points = [(ox, oy) for oy in offsets_y for ox in offsets_x]
    k = len(points)
    u = np.arange(size, dtype=np.float32)
    dx = np.array([p[0] for p in points], dtype=np.float32)
    dy = np.array([p[1] for p in points], dtype=np.float32)
    # Picture array coordinates: pixel i's centre is at i, so a point p in picture space is at p - 0.5.
    map_x = frame.origin_x + (u[None, :, None] + 0.5 + dx[None, None, :]) * frame.scale_x - 0.5
    map_y = frame.origin_y + (u[:, None, None] + 0.5 + dy[None, None, :]) * frame.scale_y - 0.5
    map_x = np.broadcast_to(map_x, (size, size, k)).reshape(size, size * k)
    map_y = np.broadcast_to(map_y, (size, size, k)).reshape(size, size * k)
    sampled = cv2.remap(
        image,
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return sampled.reshape(size, size, k, 3).astype(np.float32)


def extract(image: RgbImage, candidate: Candidate, colours: ColourModel) -> Detection:
    """The native-resolution crop (averaged over the middle of each game pixel), its colour evidence, and
    which of its pixels lie in the sprite's own paint."""
    frame = candidate.frame
    # A few points near the centre average out JPEG noise; further out they would mix in the neighbours.
    inner = (-0.1, 0.0, 0.1) if frame.scale >= 2.5 else (0.0,)
    samples = _sample_grid(image, frame, inner, inner)
    crop_f = samples.mean(axis=2)
    size = crop_f.shape[0]
    distances = colours.class_distances(crop_f.reshape(-1, 3)).reshape(size, size, 4)
    crop = np.clip(np.round(crop_f), 0, 255).astype(np.uint8)
    u = np.arange(size)
    height, width = candidate.labels.shape
    cx = np.clip(np.floor(frame.origin_x + (u + 0.5) * frame.scale_x).astype(np.intp), 0, width - 1)
    cy = np.clip(np.floor(frame.origin_y + (u + 0.5) * frame.scale_y).astype(np.intp), 0, height - 1)
    # The sprite's paint is every paint region that lies within its box (give or take a game pixel); one
    # that reaches beyond it is background, joined to the sprite's box only by where it happens to be.
    x0, y0, x1, y1 = frame.paint_box_in_picture()
    stats = candidate.stats
    contained = (
        (stats[:, 0] >= x0 - frame.scale_x)
        & (stats[:, 1] >= y0 - frame.scale_y)
        & (stats[:, 0] + stats[:, 2] <= x1 + frame.scale_x)
        & (stats[:, 1] + stats[:, 3] <= y1 + frame.scale_y)
    )
    contained[0] = False
    inside = contained[candidate.labels[cy[:, None], cx[None, :]]]
    return Detection(frame, crop, distances, inside)


@dataclass(frozen=True)
class PixelGrid:
    """A picture enlarged by a whole factor with nearest-neighbour: every `scale` x `scale` block starting
    at (phase_x, phase_y) is one source pixel."""

    scale: int
    phase_x: int
    phase_y: int

    def native(self, image: RgbImage) -> RgbImage:
        return np.ascontiguousarray(image[self.phase_y :: self.scale, self.phase_x :: self.scale])

    def to_picture(self, frame: Frame) -> Frame:
        s = self.scale
        return Frame(
            frame.family,
            self.phase_x + frame.origin_x * s,
            self.phase_y + frame.origin_y * s,
            frame.scale_x * s,
            frame.scale_y * s,
        )


# More exact colours than this and a picture is not a game screen's own pixels: the GBA's and each DS 2D
# engine's palettes hold 512 colours, while smoothing and compression make new ones at every edge.
_MAX_SOURCE_COLOURS = 512
# How far from 1 a box measured at source pixels may put the scale: one game pixel short over the height.
_SOURCE_SCALE_TOLERANCE = 0.03
# Below this, a scale other than 1 measured in a picture of few colours is a misread box, not a picture
# enlarged by a fraction.
_FRACTIONAL_SCALE = 1.2
# Colour changes needed on each axis before their spacing is trusted as a pixel grid.
_MIN_GRID_CHANGES = 8


def _grid_axis(changes: npt.NDArray[np.bool_]) -> tuple[int, int, int] | None:
    """(period, phase, closest spacing) of the positions where the picture changes along one axis, or
    None when there are too few."""
    where = np.flatnonzero(changes) + 1  # position i: line i differs from line i - 1
    if len(where) < _MIN_GRID_CHANGES:
        return None
    period = int(np.gcd.reduce(where - where[0]))
    return period, int(where[0] % period), int(np.diff(where).min())


def pixel_grid(image: RgbImage) -> PixelGrid | None:
    """The whole-number nearest-neighbour enlargement of a pixel-sharp picture (an emulator capture; scale
    1 for one at its native size or enlarged by under 2), or None for any other (smoothed, compressed,
    photographed, enlarged by a fraction over 2). In such a picture colours change only between source
    pixels, so the spacing of the changes is the scale and their position modulo it the phase; one change
    anywhere else makes the spacing 1."""
    # Lines compared as flat rows of bytes, columns as bytes three apart along them, each reduced over one
    # axis of a 2-D comparison: reducing the (H, W, 3) comparison, or transposing, costs twenty times more.
    flat = image.reshape(image.shape[0], -1)
    rows = _grid_axis((flat[1:] != flat[:-1]).any(axis=1))
    cols = _grid_axis((flat[:, 3:] != flat[:, :-3]).any(axis=0).reshape(-1, 3).any(axis=1))
    if rows is not None and cols is not None and rows[0] == cols[0] and rows[0] >= 2:
        return PixelGrid(rows[0], cols[1], rows[1])
    # At scale 1 the period says nothing; a capture is told from a smoothed or compressed picture by its
    # few exact colours (a sample of every other pixel is enough and four times cheaper), and from one
    # enlarged by a fraction (2.5: lines come in twos and threes) by neighbouring lines that both change.
    if rows is None or cols is None or rows[2] > 1 or cols[2] > 1:
        return None
    sample = _packed(np.ascontiguousarray(image[::2, ::2]))
    if len(np.unique(sample)) <= _MAX_SOURCE_COLOURS:
        return PixelGrid(1, 0, 0)
    return None


# Native pixels reconstructed around a smoothed sprite's frame, so that its paint box is found inside the
# reconstruction with background all round even when the coarse frame was a few game pixels off.
_RECONSTRUCTION_MARGIN = 4
# A reconstruction's colours are near the art's, so paint is judged strictly there (RGB distance).
_RECONSTRUCTED_PAINT = 40.0
# Whole-pixel offsets decoded: those whose box score is within the slack of the best, at most this many.
_OFFSETS_TRIED = 4
# Pixels a part of the silhouette in a reconstruction has at least to count (see _silhouette_readings).
_SILHOUETTE_PART = 3
_BOX_SCORE_SLACK = 2.0
# Paint outside the box counts this much against an offset, paint inside for it.
_OUTSIDE_WEIGHT = 2.0
# Largest step between neighbours of one background in a reconstruction: its noise (JPEG) reaches 20-30,
# while the sprite's outline differs from anything around it by far more.
_RECONSTRUCTED_STEP = 24
# The sprite's region (what its evidence is read on) leaves a pixel joined to the background only through a
# gradient to the sprite when it lies over this many steps from every colour on the window's border. On a
# brown screen the Gen III games' brown outline is a step from the screen and a spot pixel at the ear's
# edge a step from the outline, though 47 from the screen: the spot was background, and a Gen III capture
# at x4.2 was read with that spot hidden at confidence 0.67. The bench's 1200 smoothed and photographed
# games' sprites: 40 -> 37 wrong (one lost; a photo on a cream-to-green screen, not found before, is
# found and read right; 1.25 steps: 42, 2 steps: 40; 400 fresh pictures unchanged). The frame is still read
# on the plain mask: on the wider one three Gen IV pictures' frames moved a line (40 -> 38 wrong, three lost).
_REGION_REACH = 1.5


def _box_scores(paint: npt.NDArray[np.bool_], box: Box, offsets: int) -> npt.NDArray[np.float64]:
    """(offsets, offsets): for the frame at each whole-pixel offset (y, x) in `paint`, the paint inside the
    box less _OUTSIDE_WEIGHT times the paint outside it."""
    counts = paint.astype(np.float64)
    total = counts.sum()
    inside = cv2.boxFilter(
        counts, -1, (box.width, box.height), anchor=(0, 0), normalize=False, borderType=cv2.BORDER_CONSTANT
    )
    inside = inside[box.y0 : box.y0 + offsets, box.x0 : box.x0 + offsets]
    scores: npt.NDArray[np.float64] = inside - _OUTSIDE_WEIGHT * (total - inside)
    return scores


def _fitted(
    image: RgbImage,
    coarse: Frame,
    kernels: Sequence[str],
    refined: bool = False,
    capture_scale: bool = False,
    square: bool = True,
) -> Enlargement:
    """A smoothed picture's grid around a coarse frame, fitted to a few hundredths of a game pixel with one
    of `kernels` (core.enlargement); with `refined`, the frame is already a fitted grid and only the filter
    is chosen; with `capture_scale`, the coarse frame's scale is a whole screen's capture's; without
    `square`, each axis has its own scale."""
    box = paint_box(coarse.family)
    grids = (AxisGrid(coarse.origin_x, coarse.scale_x), AxisGrid(coarse.origin_y, coarse.scale_y))
    spans = (Span(box.x0, box.x1), Span(box.y0, box.y1))
    return fit(image, *grids, *spans, refined, kernels, capture_scale, square)


@dataclass(frozen=True)
class _Fitted:
    """A picture (maybe straightened: `tilt`) and the enlargement fitted on it around one sprite."""

    picture: RgbImage
    enlargement: Enlargement
    tilt: Tilt | None = None
    found: tuple[Detection, ...] | None = None  # its detections (`_native`), where already read


# A crop of a phone photo keeps the photo's perspective: its sprite's rows and columns lean by up to two
# degrees, two game pixels across the sprite, and its game pixels are a few percent oblong. On the bench's
# 200 cropped photos (seeds 5 and 7), fitted upright and square 68 were read wrong; with the true local
# perspective undone, 11. Fitted with each axis's own scale, 61; also straightened where the grid leans,
# 26 (and 26 offering the straightened fit alone, but then 21 of the 200 cropped captures wrong against
# 11: at x1.5-2.2 a capture's upright grid seemed to lean by half a degree). Under this scale a crop is
# fitted as before, square and upright: the cropped captures 11 -> 10.
_LEAST_LEANING_SCALE = 2.5
# A phone photo's perspective makes a sprite's game pixels up to about 3.5% oblong; a crop's fit whose axes'
# scales differ more found a wrong scale on one of them (a leaning axis's smear read as a finer grid, up to
# 20% off). The bench's first 100 cropped photos (seed 5): the lean measured at such a fit was over half a
# degree off on 11 of 16, from the coarse frame with the scale searched as well on 0 of 16; where the axes
# agree the two ways measure alike (5 and 3 of 63 over half a degree off), at the fit in a quarter the time.
_SQUARE_ENOUGH = 0.04


class Measured:
    """What is measured of one picture's sprites, kept for all the looks at it (core.pipeline makes one per
    picture): each sprite's lean, and each coarse frame's fitted views.

    A lean (core.enlargement.tilts), the costliest step of a crop's search, is measured once for each box
    read on it (_SAME_LEAN_OVERLAP, _SAME_LEAN_SCALE) at any trial game pixel, in any look: a stricter
    background or a brighter exposure moves no sprite. The bench's 400 crops (seeds 5 and 7): shared
    within each look only, 2.45 s a crop; across looks, 2.11 s, the same pictures right (three answers
    another PID of the same look).

    A fit is kept for the same search of the same picture (the very array: a brighter exposure is another)
    around the same coarse frame, which fits the same whatever the look: the stricter background's look
    finds many of the first look's boxes again. Reused only for exactly the same frame: fitted from a
    shared box within 12% instead (as `_smoothed` does within one search), the 400 crops' answers were
    unchanged, and a no-Spinda crop (bench seed [11, 98] #63) was answered at 0.028.

    A sprite is straightened (and its lean measured) only where it reads as Spinda-shaped upright
    (`worth_straightening`, with the pipeline's test `shaped`): a crop's lean is a few percent of its
    game pixels' oblongness, not enough to unshape a Spinda. Of the fits of 50 Gen IV and 50 Gen III
    cropped photos (seed 5), 87% and 88% read Spinda-shaped upright; of 100 no-Spinda crops', 1 of 477.
    Session 26: the 400 crops, 1000 smoothed captures, 600 photos and 500 held-out pictures give the same
    answers, and the no-Spinda crops of seeds 11 and 5 take 1.3 and 1.5 s on average (2.3 and 2.9 s
    straightened wherever they lean), at most 5.7 s (15 and 20 s), answering the same pictures."""

    def __init__(self, shaped: Callable[[Detection], bool] | None = None) -> None:
        self._shaped = shaped
        self._leans: list[tuple[Frame, Tilt]] = []
        self._views: list[tuple[RgbImage, _Search, Frame, list[_Fitted]]] = []

    def lean(self, image: RgbImage, coarse: Frame, upright: Enlargement) -> Tilt:
        """The lean of the sprite a coarse frame reads, fitted upright as `upright`: measured at the fit's
        grid where its axes agree (_SQUARE_ENOUGH), from the coarse frame where they do not."""
        known = next(
            (
                tilt
                for other, tilt in self._leans
                if _same_sprite(other, coarse, _SAME_LEAN_OVERLAP, _SAME_LEAN_SCALE)
            ),
            None,
        )
        if known is None:
            box = paint_box(coarse.family)
            spans = Span(box.x0, box.x1), Span(box.y0, box.y1)
            if abs(upright.x.scale / upright.y.scale - 1.0) <= _SQUARE_ENOUGH:
                known = tilts(image, upright.x, upright.y, *spans, upright.kernel, fitted=True)
            else:
                grid_x = AxisGrid(coarse.origin_x, coarse.scale_x)
                grid_y = AxisGrid(coarse.origin_y, coarse.scale_y)
                known = tilts(image, grid_x, grid_y, *spans, upright.kernel, fitted=False)
            self._leans.append((coarse, known))
        return known

    def worth_straightening(self, upright: Sequence[Detection]) -> bool:
        """Whether a sprite read upright as `upright` may be straightened: where one of them is Spinda-shaped
        (`shaped`, the pipeline's test), any if no test was given."""
        return self._shaped is None or any(self._shaped(detection) for detection in upright)

    def views(self, image: RgbImage, search: _Search, coarse: Frame, colours: ColourModel) -> list[_Fitted]:
        """The picture's views around a coarse frame as its search fits them (`_views`), fitted once."""
        known = next(
            (
                views
                for picture, other_search, other, views in self._views
                if picture is image and other_search == search and other == coarse
            ),
            None,
        )
        if known is None:
            known = _views(image, coarse, search, colours, self)
            self._views.append((image, search, coarse, known))
        return known


def _unknown_origin_fits(
    image: RgbImage, coarse: Frame, kernels: Sequence[str], colours: ColourModel, measured: Measured
) -> list[_Fitted]:
    """A picture of unknown origin (a crop, maybe of a photo) around a coarse frame: its grid fitted with
    each axis's own scale, and where the sprite leans (`Measured.lean`), the picture straightened and
    fitted again as well; both are decoded and the support chooses. Under _LEAST_LEANING_SCALE, the grid
    fitted square and upright."""
    enlargement = _fitted(image, coarse, kernels, square=False)
    if min(enlargement.x.scale, enlargement.y.scale) < _LEAST_LEANING_SCALE:
        return [_Fitted(image, _fitted(image, coarse, kernels))]
    upright = tuple(_native(image, enlargement, coarse.family, colours))
    views = [_Fitted(image, enlargement, found=upright)]
    if not measured.worth_straightening(upright):
        return views
    tilt = measured.lean(image, coarse, enlargement)
    if not tilt.straight():
        straight = straightened(image, tilt)
        views.append(_Fitted(straight, _fitted(straight, coarse, kernels, square=False), tilt))
    return views


# Candidates of one family whose paint boxes overlap this much (intersection over union) and whose scales
# are this close lie on one sprite: the enlargement's scale and phase, properties of the picture, are fitted
# once for them.
_SAME_SPRITE_OVERLAP = 0.7
_SAME_SPRITE_SCALE = 0.12
# A crop's lean, measured from a coarse box (scale and place searched together), is shared only by boxes
# that nearly agree: a box a few game pixels off or at another scale can measure it better, and its views
# are decoded too. The bench's 200 cropped photos (seeds 5 and 7): measured again at every trial game
# pixel, 19 wrong in 4.7 s each; shared within these bounds, 20 in 3.4 s; shared as fits are, 22 in 2.9 s.
_SAME_LEAN_OVERLAP = 0.9
_SAME_LEAN_SCALE = 0.03
# A sprite on a rectified screen is enlarged by the screen's own game-pixel size: fits there land within 1%
# of it, or 7-24% off from a coarse box that took in background or lost a part (36 of 680 fits on 400
# photos of the games' sprites), whose scale search, 12% either side, could not reach the right one (a
# Gen III sprite on stripes of its spot colour fitted at 0.76 of its size: no Spinda found).
_PHOTO_SCALE_SLACK = 0.04
# A smoothed picture that is not a whole screen (a player's crop) is searched at its own resolution, where
# a background in Spinda's colours smaller than a sprite at x8 (MAX_SCALE) is not taken out; at the right
# game pixel it is (the bench's cropped smoothed screenshots, seed 5, searched at their true game pixel:
# Gen III 11 of 50 wrong -> 1, Gen IV 8 -> 6). Where the own resolution finds no Spinda or is unsure, these
# game pixels are tried in turn: seeds 5 and 7, 32 -> 16 wrong of 200, in 1.1 s a crop instead of 0.4 (each
# fit refitted at its trial where it strayed over 4%, as a photo's is: 25). Trials 1.5, 1.8, 2.2, 2.7, 3.3,
# 4.0, 4.9, 6.0 instead: 16. A picture too small to hold a sprite at one is not searched at it.
_TRIAL_GAME_PIXELS = (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0)
_LEAST_NATIVE_SIDE = 48
# A trial at a game pixel much finer than the sprite the look at the crop's own resolution found sees the
# sprite as that look did, at more cost (its picture is reduced less): trials under this share of that
# sprite's scale are left out. On the bench's 400 cropped screenshots and photos (seeds 5 and 7), 26 wrong
# with every trial; 0.75 of the found scale (0.5-0.8 predicted the same from recorded trials; 0.9: 29,
# 1.0: 32).
_FINEST_TRIAL = 0.75
# An enlarged capture's sides are each rounded (or cut) to whole pixels: its height is its width's share
# to within a pixel (a 240x160 screen at x2.37 is 569x379). A crop is rarely that close: 6 of the bench's
# 200 cropped screenshots were within the 1% of the aspect ratio once allowed here, and searched as
# whole screens at a wrong scale, 5 of them read wrong.
_SCREEN_SHAPE_PIXELS = 1.0


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two boxes (x0, y0, x1, y1)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    common = width * height
    return common / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - common)


def _same_sprite(
    a: Frame, b: Frame, overlap: float = _SAME_SPRITE_OVERLAP, scale: float = _SAME_SPRITE_SCALE
) -> bool:
    """Whether two coarse frames read one sprite the same way: their paint boxes overlap by `overlap` and
    their scales agree to `scale`. Only within a family: one family's box read on the other's sprite can
    be 15-20% off in scale, beyond the fit's reach, where the other's is not."""
    return (
        a.family == b.family
        and _overlap(a.paint_box_in_picture(), b.paint_box_in_picture()) >= overlap
        and abs(b.scale / a.scale - 1.0) <= scale
    )


def _rescaled(frame: Frame, scale: float) -> Frame:
    """The frame at another scale, its paint box's centre kept."""
    x0, y0, x1, y1 = frame.paint_box_in_picture()
    box = paint_box(frame.family)
    centre_x, centre_y = (box.x0 + box.x1 + 1) / 2, (box.y0 + box.y1 + 1) / 2
    return Frame(
        frame.family, (x0 + x1) / 2 - centre_x * scale, (y0 + y1) / 2 - centre_y * scale, scale, scale
    )


def _realigned(enlargement: Enlargement, coarse: Frame) -> Frame:
    """A fitted grid moved by whole game pixels to the native pixel nearest a coarse frame's origin: the
    same lattice, numbered from another frame (the other family's, or a box a pixel or two off)."""
    x, y = enlargement.x, enlargement.y
    steps_x = round((coarse.origin_x - x.origin) / x.scale)
    steps_y = round((coarse.origin_y - y.origin) / y.scale)
    return Frame(coarse.family, x.origin + steps_x * x.scale, y.origin + steps_y * y.scale, x.scale, y.scale)


def _silhouette_readings(sprite: npt.NDArray[np.bool_], family: GameFamily) -> tuple[list[int], list[int]]:
    """Whole-pixel offsets of the frame in a reconstruction along x and along y, read off the sprite's
    silhouette: the box of its parts is the family's body box whatever the PID. Along an axis where the
    box has the body box's size, the one offset it gives (the surest anchor: an outline all round); where
    it is one pixel long or short (blur took or gave an edge line), both ends' readings; otherwise none
    (a side lost to a background of near colours)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(sprite.astype(np.uint8), connectivity=4)
    if count < 2:
        return [], []
    # Blur and outline gaps can cut an ear tip off the rest (the largest part alone read a row short in
    # Gen III photos, left the offset to the paint box, and a row off was decoded), so every part of a few
    # pixels counts, the largest always.
    areas = stats[1:, cv2.CC_STAT_AREA]
    parts = stats[1:][areas >= min(_SILHOUETTE_PART, int(areas.max()))]
    x, y = int(parts[:, 0].min()), int(parts[:, 1].min())
    w = int((parts[:, 0] + parts[:, 2]).max()) - x
    h = int((parts[:, 1] + parts[:, 3]).max()) - y
    body = family.body_box
    assert body is not None
    per_axis: list[list[int]] = []
    for start, length, lo, size in ((x, w, body.x0, body.width), (y, h, body.y0, body.height)):
        if length == size:
            per_axis.append([start - lo])
        elif abs(length - size) == 1:
            per_axis.append([start - lo, start + length - size - lo])
        else:
            per_axis.append([])
    return per_axis[0], per_axis[1]


def _reconstruction(
    image: RgbImage, fitted: Enlargement, start_x: int, start_y: int, size: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Native pixels from (start_x, start_y) on a fitted grid, a frame and both margins wide, which of them
    the surroundings do not reach (the sprite, whose frame is read), and the sprite's region (where its
    colours are read; `_surroundings`)."""
    length = size - 1 + 2 * _RECONSTRUCTION_MARGIN
    reconstructed = reconstruct(
        image, fitted, Span(start_x, start_x + length), Span(start_y, start_y + length)
    )
    surroundings, near = _surroundings(np.round(reconstructed).astype(np.uint8), _RECONSTRUCTED_STEP)
    return reconstructed, ~surroundings, ~near


def _native(
    image: RgbImage, fitted: Enlargement, family: GameFamily, colours: ColourModel
) -> list[Detection]:
    """Detections in the native pixels reconstructed on a fitted grid, colour cast taken out: one for each
    whole-pixel offset the silhouette reads (the paint box choosing among readings a line apart), or
    where it reads none, for each where the paint box fits best (along an axis the silhouette does read,
    only at its readings)."""
    size = family.frame_size
    assert size is not None
    reach = range(2 * _RECONSTRUCTION_MARGIN + 1)
    start_x = start_y = -_RECONSTRUCTION_MARGIN
    reconstructed, sprite, region = _reconstruction(image, fitted, start_x, start_y, size)
    readings = _silhouette_readings(sprite, family)
    if any(len(read) == 1 and read[0] not in reach for read in readings):
        # The coarse frame was too far off for the margin: the silhouette gives the frame along an axis,
        # but its box would leave the reconstruction. Reconstructed again around each axis's one reading,
        # rather than decoding the best box inside (a frame a pixel or more off whose spots explain the
        # picture about as well).
        start_x += readings[0][0] - _RECONSTRUCTION_MARGIN if len(readings[0]) == 1 else 0
        start_y += readings[1][0] - _RECONSTRUCTION_MARGIN if len(readings[1]) == 1 else 0
        reconstructed, sprite, region = _reconstruction(image, fitted, start_x, start_y, size)
        readings = _silhouette_readings(sprite, family)
    silhouette = [(x, y) for y in readings[1] for x in readings[0]]
    gains = colours.cast(reconstructed[sprite])
    native = np.clip(np.round(reconstructed * gains), 0, 255).astype(np.uint8)
    box = paint_box(family)
    offsets = [(x, y) for x, y in silhouette if x in reach and y in reach]
    if len(offsets) != 1:
        # The paint box is PID-independent too: at the right whole-pixel offset all the paint lies inside
        # it. Its edge rows hold few paint pixels (an ear tip), so offsets can tie; decoding picks.
        # Paint: colours nearer a cream or spot colour than anything else, and near it; the surroundings
        # are background whatever their colour.
        pixels = native.reshape(-1, 3).astype(np.float32)
        distance = colours.class_distances(pixels).reshape(*native.shape[:2], 4)
        nearest_paint = distance[..., 1:].min(axis=2)
        paint = (nearest_paint <= _RECONSTRUCTED_PAINT) & (nearest_paint < distance[..., OTHER]) & sprite
        scores = _box_scores(paint, box, 2 * _RECONSTRUCTION_MARGIN + 1)
        if offsets:
            # An axis the silhouette left a line in doubt (a faint ear tip or outline lost to a background
            # of near colours) is settled by the paint box among its readings: a reading whose box holds
            # clearly less paint than another's is dropped. A box a line beyond every reading can hold
            # more, where blur leaves a paint-coloured halo on one side (a Gen IV photo's box one column left
            # of its readings, 3 paint pixels ahead, was decoded a column off); the silhouette's extent
            # still bounds the frame.
            floor = max(scores[y, x] for x, y in offsets) - _BOX_SCORE_SLACK
            offsets = sorted(
                ((x, y) for x, y in offsets if scores[y, x] >= floor), key=lambda o: -scores[o[1], o[0]]
            )
        else:
            # An axis the silhouette reads still holds the frame along it, where the other's box lost a
            # side or an ear to a background of near colours.
            for axis, read in enumerate(readings):
                kept = [offset for offset in read if offset in reach]
                if kept:
                    outside = np.ones(len(reach), dtype=bool)
                    outside[kept] = False
                    scores[(slice(None), outside) if axis == 0 else (outside, slice(None))] = -np.inf
            best = np.flatnonzero(scores.ravel() >= scores.max() - _BOX_SCORE_SLACK)
            best = best[np.argsort(-scores.ravel()[best], kind="stable")]
            offsets = [(int(x), int(y)) for y, x in zip(*np.unravel_index(best, scores.shape), strict=True)]
    found: list[Detection] = []
    for x, y in offsets[:_OFFSETS_TRIED]:
        frame = Frame(family, float(x), float(y), 1.0, 1.0)
        # Everything the surroundings do not reach, within the paint box, is the sprite's: an edge pixel
        # blurred towards the outline is still evidence (observed softly, core.decode), though too far from
        # paint colours to count as paint. A background the surroundings missed (steps too big for them:
        # a checkerboard) may join the sprite; the box cuts it off rather than losing the sprite with it.
        within = np.zeros_like(sprite)
        within[y + box.y0 : y + box.y1 + 1, x + box.x0 : x + box.x1 + 1] = True
        candidate = Candidate(frame, *_regions((region & within).astype(np.uint8)))
        detection = extract(native, candidate, colours)
        picture = Frame(
            family,
            fitted.x.origin + (start_x + frame.origin_x) * fitted.x.scale,
            fitted.y.origin + (start_y + frame.origin_y) * fitted.y.scale,
            fitted.x.scale,
            fitted.y.scale,
        )
        found.append(replace(detection, frame=picture))
    return found


def _coarse_frames(
    image: RgbImage,
    colours: ColourModel,
    family_list: list[GameFamily],
    limit: int,
    game_pixel: float | None,
    strict_background: bool,
) -> list[Frame]:
    """Coarse frames in a smoothed picture, searched for at native size where the size of a game pixel is
    known (a rectified photo's screen): there a photo's blur, spread over several picture pixels, no longer
    joins the sprite to its background in steps small enough for a gradient's. A strict look (see
    `detect`) traces the background in finer steps, and keeps a flat area's pixels of exact cream colours
    only, not of spot colours: a gradient through the spot colours passes them in a band, which joins the
    games' Gen IV sprite's spot-coloured arm and leg and leaves no region shaped like a Spinda (a Gen IV
    sprite at x1.6 on an orange-to-magenta gradient was not found), while the games' cream, unoutlined in
    places, still needs its exact colours kept (a Gen III sprite on stripes of cream and orange)."""
    if game_pixel is None:
        # A denoised copy: a photo's sensor noise and JPEG's speckle would link a blurred sprite's gentle
        # edges to a background of near colours; the fit reads the picture itself.
        small: RgbImage = np.asarray(cv2.medianBlur(image, _DENOISE), dtype=np.uint8)
        factor, largest = 1.0, MAX_SCALE
    else:
        height, width = image.shape[:2]
        size = (max(1, round(width / game_pixel)), max(1, round(height / game_pixel)))
        small = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        factor, largest = width / size[0], 1.0
    mask = colours.paint_mask(small)
    step, kept = (_STRICT_STEP, [CREAM]) if strict_background else (_SMOOTH_STEP, PAINT_CLASSES)
    background = _flat_background(
        small, mask, family_list, largest, step, colours, repeating=True, kept_classes=kept
    )
    # Stripes of the games' own creams are kept as paint where the sprite's cream meets them unoutlined,
    # and spaced unevenly they have no period (`_periodic`): the pieces between the picture's edge and
    # the sprite, narrower than a sprite, joined its paint, and no region shaped like a Spinda was left.
    # Taking out every pixel of a row (column) mostly of one colour takes some of the sprite's cream with
    # them where the stripes or a flat background are of it, so that is searched as well, not instead.
    # The bench's 1000 smoothed captures (seeds 5-37): 21 -> 17 wrong (four on such stripes found, none
    # lost; taken out with the background instead: 20, three on cream stripes or flat cream lost), the
    # 400 crops 20 -> 18, at about 8 ms more a capture (a tenth more candidates fitted).
    boxes = [paint_box(f) for f in family_list]
    lined = background | _beyond_a_sprite(_lined(small, 2 * step), boxes, largest)
    return [
        Frame(f.family, f.origin_x * factor, f.origin_y * factor, f.scale_x * factor, f.scale_y * factor)
        for f in (c.frame for c in candidate_frames(small, colours, family_list, limit, background, lined))
    ]


@dataclass(frozen=True)
class _Hold:
    """A game pixel's size known to within `slack` (a rectified photo's screen): a fit that strays further
    found a wrong scale, and is fitted again from a box of that size."""

    scale: float
    slack: float


@dataclass(frozen=True)
class _Search:
    """What is known of how a smoothed picture was made, and so how its sprites are looked for and fitted:
    the size of a game pixel the coarse search runs at (None: the picture's own pixels), the filters its
    enlargement may have used, the size its fits are held to, the size of a whole screen's capture's
    game pixel, and whether its origin is unknown (a crop, maybe of a photo)."""

    game_pixel: float | None = None
    kernels: tuple[str, ...] = tuple(KERNELS)
    hold: _Hold | None = None
    screen_scale: float | None = None
    unknown_origin: bool = False

    @classmethod
    def capture(cls, scale: float, at_game_pixels: bool) -> _Search:
        """A capture of a whole screen, whose game pixel is `scale` picture pixels to a few thousandths,
        enlarged by an emulator or an editor (never blurred further: core.enlargement.CAPTURE_KERNELS)."""
        return cls(scale if at_game_pixels else None, CAPTURE_KERNELS, screen_scale=scale)


def _upright_fit(image: RgbImage, coarse: Frame, kernels: Sequence[str], search: _Search) -> Enlargement:
    """A known-origin picture's enlargement around a coarse frame, upright and square: a whole screen's
    capture fitted at its own scale, anything else searched for one and held to its game pixel's size
    where that is known (`_Hold`)."""
    if search.screen_scale is not None:
        # A whole screen's capture is fitted at its own scale, not searched for one: a box read off blurred
        # paint can be several percent off, and two captures at x1.5 and x1.8 had been fitted 5% large from
        # theirs and read wrong (session 14, when such fits were fitted again at the capture's scale: the
        # bench's 1200 smoothed and photographed games' sprites 47 -> 45 wrong, and a Gen III capture on
        # stripes of its own spot colours found).
        return _fitted(image, _rescaled(coarse, search.screen_scale), kernels, capture_scale=True)
    enlargement = _fitted(image, coarse, kernels)
    hold = search.hold
    if hold is not None and abs(enlargement.x.scale / hold.scale - 1.0) > hold.slack:
        enlargement = _fitted(image, _rescaled(coarse, hold.scale), kernels)
    return enlargement


def _views(
    image: RgbImage, coarse: Frame, search: _Search, colours: ColourModel, measured: Measured
) -> list[_Fitted]:
    """The picture's views around a coarse frame, fitted as its search's origin asks."""
    if search.unknown_origin:
        return _unknown_origin_fits(image, coarse, search.kernels, colours, measured)
    return [_Fitted(image, _upright_fit(image, coarse, search.kernels, search))]


def _smoothed(
    image: RgbImage,
    colours: ColourModel,
    family_list: list[GameFamily],
    limit: int,
    strict_background: bool,
    search: _Search,
    measured: Measured | None = None,
) -> list[Detection]:
    """Detections in a smoothly enlarged picture: each candidate taken back to native pixels, enlarged by
    one of the search's filters, at the scale that is known of it (`_upright_fit`). A picture of unknown
    origin is straightened around each sprite where its grid leans (`_unknown_origin_fits`). Leans and
    fits are kept in `measured`, shared by the looks at one picture."""
    fits: list[tuple[Frame, list[_Fitted]]] = []
    measured = measured if measured is not None else Measured()
    found: list[Detection] = []
    kernels = search.kernels
    blurred = any(KERNELS[name].blur for name in kernels)
    for coarse in _coarse_frames(image, colours, family_list, limit, search.game_pixel, strict_background):
        shared = next((views for other, views in fits if _same_sprite(other, coarse)), None)
        if shared is not None:
            # The filter is still chosen for this box's own spans.
            views = []
            for view in shared:
                realigned = _realigned(view.enlargement, coarse)
                enlargement = _fitted(view.picture, realigned, kernels, refined=True)
                views.append(replace(view, enlargement=enlargement, found=None))
        else:
            views = measured.views(image, search, coarse, colours)
            fits.append((coarse, views))
        # Boxes a pixel or two apart on one sprite give the same detections once their grid is shared.
        seen = {d.frame for d in found}
        for view in views:
            read = view.found
            if read is None:
                read = tuple(_native(view.picture, view.enlargement, coarse.family, colours))
            for detection in read:
                frame = detection.frame
                if view.tilt is not None:
                    origin = view.tilt.to_picture(frame.origin_x, frame.origin_y)
                    frame = replace(frame, origin_x=origin[0], origin_y=origin[1])
                if frame not in seen:
                    found.append(replace(detection, frame=frame, blurred=blurred))
    return found


def _screen_families(image: RgbImage, families: list[GameFamily]) -> list[GameFamily]:
    """The families whose console's screen has the picture's shape, at a scale of 1 or more (within
    _SCREEN_SHAPE_PIXELS): none for any other shape (a crop)."""
    height, width = image.shape[:2]
    named = [
        f
        for f in families
        if f.screen_size is not None
        and width >= f.screen_size[0]
        and abs(width * f.screen_size[1] / f.screen_size[0] - height) <= _SCREEN_SHAPE_PIXELS
    ]
    return named


def _capture_scale(image: RgbImage, family: GameFamily) -> float:
    """The size of a game pixel in a capture of the family's whole screen: its width over the screen's."""
    screen_size = family.screen_size
    assert screen_size is not None
    return float(image.shape[1] / screen_size[0])


def _whole_screen(
    image: RgbImage,
    colours: ColourModel,
    families: list[GameFamily],
    named: list[GameFamily],
    limit: int,
    strict_background: bool,
    measured: Measured,
) -> list[Detection]:
    """Detections in a capture of a whole screen of the `named` families' console at its own resolution,
    for where those at the screen's game pixels were no Spinda. The other families are searched only where
    nothing was found: a capture cropped to the other console's shape by chance, with a candidate of the
    named family on its sprite, is read in that family."""
    scale = _capture_scale(image, named[0])
    search = _Search.capture(scale, False)
    found = _smoothed(image, colours, named, limit, strict_background, search, measured)
    rest = [f for f in families if f not in named]
    if found or not rest:
        return found
    search = _Search(kernels=CAPTURE_KERNELS)
    return _smoothed(image, colours, rest, limit, strict_background, search, measured)


def _at_trial_game_pixels(
    image: RgbImage,
    colours: ColourModel,
    family_list: list[GameFamily],
    limit: int,
    strict_background: bool,
    seen_scale: float | None,
    measured: Measured,
) -> list[Detection]:
    """Detections in a smoothed picture of unknown scale, searched at each of _TRIAL_GAME_PIXELS that
    leaves it at least _LEAST_NATIVE_SIDE game pixels a side, as a photographed screen is at its own, but
    each fit kept at the scale it finds: a sprite between two trials is fitted from either's box. Its lean,
    the costliest step, is measured once (`Measured`). Where a look before found a sprite at `seen_scale`,
    no trial finer than _FINEST_TRIAL of it."""
    found: list[Detection] = []
    finest = 0.0 if seen_scale is None else _FINEST_TRIAL * seen_scale
    for game_pixel in _TRIAL_GAME_PIXELS:
        if min(image.shape[:2]) / game_pixel >= _LEAST_NATIVE_SIDE and game_pixel >= finest:
            search = _Search(game_pixel, unknown_origin=True)
            seen = {d.frame for d in found}
            more = _smoothed(image, colours, family_list, limit, strict_background, search, measured)
            found += [d for d in more if d.frame not in seen]
    return found


def _exposed(image: RgbImage, exposure: float) -> RgbImage:
    exposed: RgbImage = np.clip(image.astype(np.float32) * exposure, 0, 255).astype(np.uint8)
    return exposed


def _photographed_screen(
    view: ScreenView,
    colours: ColourModel,
    family_list: list[GameFamily],
    limit: int,
    strict_background: bool,
    exposed: bool,
) -> list[Detection]:
    """Detections on a photographed screen, rectified (`view`), as frames in the photo: of its console's
    family only (the screen's shape names the console: a Gen IV sprite is not read as a Gen III one, whose
    paint box it fits within the aspect tolerance, and the search costs half), at its game pixels' size.
    As it is, then as if exposed by each of _PHOTO_EXPOSURES in turn, until a sprite is found: an exposure
    far enough off puts the sprite's colours beyond the paint tolerance, so that nothing, or only a part
    of the sprite, is found to estimate its colour cast from. With `exposed` (a further look, where the
    photo showed no Spinda), only as if exposed: what is found in it as it is may be that part."""
    family_list = [f for f in family_list if f.screen_size == view.screen_size]
    search = _Search(view.scale, hold=_Hold(view.scale, _PHOTO_SCALE_SLACK))
    found: list[Detection] = []
    screens = (_exposed(view.image, e) for e in _PHOTO_EXPOSURES)
    for screen in screens if exposed else itertools.chain([view.image], screens):
        found = _smoothed(screen, colours, family_list, limit, strict_background, search)
        if found:
            break
    return [replace(d, frame=_photographed(d.frame, view)) for d in found]


def _photographed(frame: Frame, view: ScreenView) -> Frame:
    """A frame found in a rectified screen, in the photo: its sprite box's corners mapped back, the frame
    the axis-aligned box through them (the photo's grid is slightly turned; the frame only reports it)."""
    size = frame.family.frame_size
    assert size is not None
    x0, y0 = view.point_in_picture(frame.origin_x, frame.origin_y)
    x1, y1 = view.point_in_picture(
        frame.origin_x + size * frame.scale_x, frame.origin_y + size * frame.scale_y
    )
    return Frame(frame.family, x0, y0, (x1 - x0) / size, (y1 - y0) / size)


def detect(
    image: RgbImage,
    colours: ColourModel,
    families: Iterable[GameFamily],
    limit: int = MAX_CANDIDATES,
    strict_background: bool = False,
    at_screen_pixels: bool = True,
    seen_scale: float | None = None,
    brighter: bool = False,
    measured: Measured | None = None,
) -> list[Detection]:
    """Every plausible sprite in the picture, refined and cropped, most plausible first (maybe none).

    A pixel-sharp enlargement is first taken back to its source pixels: there the frame is exact to the
    pixel and the search is cheaper by the scale squared. Any other picture is taken back to native pixels
    by inverting its enlargement around each candidate (core.enlargement). A photographed screen, and a
    smoothed capture of a whole screen (`_screen_families`), are searched for their console's family only,
    at the size of the screen's game pixels (`_coarse_frames`), a capture with the unblurred filters only
    (core.enlargement.CAPTURE_KERNELS) and at its own scale (_Search.screen_scale). Without
    `at_screen_pixels`, where no look before saw a sprite (`seen_scale` None), a smoothed whole screen's
    capture is searched at its own resolution instead, the other families where nothing was found, and a
    photographed screen, which the first look saw as it is (and brighter and darker only where nothing was
    found in it), is looked at brighter and darker (_PHOTO_EXPOSURES); a smoothed picture of another shape
    with no screen in it (a player's crop) is searched at each of _TRIAL_GAME_PIXELS in turn, as a
    photographed screen is at its own, none much finer than a sprite the look before found at
    `seen_scale`; and any other picture gets nothing: it was searched so already. With
    `strict_background`, the background of a picture that is not pixel-sharp is traced in finer steps
    (_STRICT_STEP), keeping only exact cream colours (`_coarse_frames`), and a pixel-sharp picture, whose
    background is exact, gets nothing. Each is a further look, for where the looks before found no
    Spinda or were unsure (core.pipeline). With `brighter`, a picture with no pixel grid and no screen in
    it (a crop) is looked at as if exposed by _CROP_EXPOSURE, at its own resolution, and any other gets
    nothing: the last look, for where none found a Spinda. A picture of unknown origin measures its
    sprites' leans and fits into `measured`, which the looks at one picture share."""
    family_list = list(families)
    named = _screen_families(image, family_list)
    measured = measured if measured is not None else Measured()
    if not at_screen_pixels and named and seen_scale is not None:
        # Where the first look saw a sprite, one at a capture's own resolution had decided little for its
        # cost: of 1000 smoothed captures of the games' sprites (seeds 5-37), 2 read right only with it
        # and 3 wrong only with it (frames a game pixel off), in 0.27 s a capture against 0.15 s without.
        # A pixel-sharp picture gets no further look either, so its grid need not be read.
        return []
    grid = pixel_grid(image)
    screens = [f.screen_size for f in family_list if f.screen_size is not None]
    if brighter:
        if grid is not None or named or find_screen(image, screens) is not None:
            return []
        exposed = _exposed(image, _CROP_EXPOSURE)
        return _smoothed(
            exposed, colours, family_list, limit, strict_background, _Search(unknown_origin=True), measured
        )
    if grid is None:
        if not at_screen_pixels:
            if named:
                return _whole_screen(image, colours, family_list, named, limit, strict_background, measured)
            view = find_screen(image, screens)
            if view is None:
                return _at_trial_game_pixels(
                    image, colours, family_list, limit, strict_background, seen_scale, measured
                )
            if seen_scale is not None:
                return []
            return _photographed_screen(view, colours, family_list, limit, strict_background, True)
        view = find_screen(image, screens)
        if view is not None:
            found = _photographed_screen(view, colours, family_list, limit, strict_background, False)
            if found:
                return found
        if named:
            search = _Search.capture(_capture_scale(image, named[0]), True)
            return _smoothed(image, colours, named, limit, strict_background, search, measured)
        search = _Search(unknown_origin=True)
        return _smoothed(image, colours, family_list, limit, strict_background, search, measured)
    if strict_background or not at_screen_pixels:
        return []
    native = grid.native(image)
    # Scale 1 may also be a picture of few colours enlarged by a fraction under 2, so sprites up to twice
    # the size are looked for there; a whole-number grid has taken the picture back to its source pixels.
    largest = 2.0 if grid.scale == 1 else 1.0
    snapped: list[Candidate] = []
    background = _flat_background(native, colours.paint_mask(native), family_list, largest)
    for c in candidate_frames(native, colours, family_list, limit, background):
        if abs(c.frame.scale - 1.0) <= _SOURCE_SCALE_TOLERANCE:
            # At its source pixels a game sprite lies 1:1 on the pixel grid, at a whole offset.
            whole = Frame(c.frame.family, round(c.frame.origin_x), round(c.frame.origin_y), 1.0, 1.0)
            snapped.append(replace(c, frame=whole))
        elif grid.scale == 1 and c.frame.scale >= _FRACTIONAL_SCALE:
            snapped.append(c)
        # Otherwise another scale is a misreading: a box short of an ear tip, the other family's box.
    seen: set[Frame] = set()
    found = []
    for c in snapped:  # one per frame, the most plausible's entry
        if c.frame not in seen:
            seen.add(c.frame)
            found.append(extract(native, c, colours))
    return [replace(d, frame=grid.to_picture(d.frame), source_pixels=True) for d in found]
