"""A photo of a game screen taken back to the screen's own rectangle.

A phone photo shows the console's screen as a quadrilateral (perspective: each corner moved a little)
inside its surroundings (bezel, desk, wall), blurred and colour cast. Across a sprite, the perspective turns
the game's square pixel grid by a degree or two and stretches one axis by a percent or two: enough to put
the grid a whole game pixel out at the sprite's far side, which no axis-aligned fit of the enlargement can
absorb. But the screen's edges are straight lines over hundreds of picture pixels, so they give the
perspective precisely: the screen's outline is found against the surroundings (which reach the picture's
border), its four sides are fitted as lines, and the picture is warped back so that the screen is an
axis-aligned rectangle of its known size (`GameFamily.screen_size`), at the photo's own scale up to the
largest a screenshot is enlarged by. What comes out is a smoothly enlarged screenshot, which core.detect
handles as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

RgbImage = npt.NDArray[np.uint8]
Homography = npt.NDArray[np.float64]

# RGB distance from the surroundings' colour beyond which a pixel belongs to the screen: above a phone's
# noise and JPEG's ringing, below the difference between a lit screen and its bezel.
_SURROUND_DISTANCE = 40.0
# Share of the picture's border pixels that must be near the surroundings' colour: a photo's border is the
# surroundings, a screenshot's is the game's own picture.
_SURROUND_SHARE = 0.6
# Where no screen stands out by _SURROUND_DISTANCE, one is looked for again at this multiple of the
# surroundings' noise (the distance that _NOISE_SHARE of the border's pixels stay within, 11-12 in the
# bench's photos), but never nearer than _FAINT_DISTANCE.
_NOISE_SHARE = 0.99
_NOISE_MARGIN = 2.0
_FAINT_DISTANCE = 16.0
# The screen fills most of a photo of it, and stays clear of the picture's border by this many pixels.
_MIN_SCREEN_SHARE = 0.3
_BORDER_CLEARANCE = 2
# How far the outline's sides may be from the four-cornered polygon's (fraction of its perimeter).
_POLYGON_TOLERANCE = 0.02
# A side's line is fitted on its middle part only: corners are rounded by blur and the outline's tracing.
_SIDE_TRIM = 0.08
_SIDE_BAND = 4.0  # picture pixels from the polygon's side that count as that side's outline
_MIN_SIDE_POINTS = 20
# Picture pixels either side of a side at which the surroundings and the screen must show, for the side to
# be the screen's edge (`_edged`): past the blur of a photo's edge (a few pixels).
_EDGE_OFFSET = 8.0
_EDGE_SAMPLES = 20  # points along a side (its trimmed middle) where the surroundings are looked for
# Largest log-ratio between the quadrilateral's aspect and a known screen's that still counts as a view of
# that screen under slight perspective.
_ASPECT_TOLERANCE = 0.08
# Largest scale a screen is rectified at: the largest a screenshot is enlarged by.
_LARGEST_SCALE = 6.0


@dataclass(frozen=True)
class ScreenView:
    """The screen warped back to a rectangle: `screen_size` screen pixels at `scale` picture pixels each
    (at most _LARGEST_SCALE); `to_picture` maps the rectified picture's coordinates to the photo's."""

    image: RgbImage
    screen_size: tuple[int, int]
    scale: float
    to_picture: Homography

    def point_in_picture(self, x: float, y: float) -> tuple[float, float]:
        p = self.to_picture @ np.array([x, y, 1.0])
        return float(p[0] / p[2]), float(p[1] / p[2])


def _surroundings(image: RgbImage) -> tuple[npt.NDArray[np.float32], float] | None:
    """The colour of the surroundings along the picture's border and their noise (the distance from it
    that _NOISE_SHARE of the border's pixels stay within), or None when the border is not one colour (a
    screenshot, or a photo cropped inside the screen)."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]).astype(np.float32)
    colour = np.median(border, axis=0)
    distance = np.linalg.norm(border - colour, axis=1)
    if (distance <= _SURROUND_DISTANCE).mean() < _SURROUND_SHARE:
        return None
    return colour, float(np.quantile(distance, _NOISE_SHARE))


def _distance_map(image: RgbImage, surround: npt.NDArray[np.float32]) -> npt.NDArray[np.int32]:
    """Each pixel's squared RGB distance from the surroundings' colour."""
    # A channel at a time, in int32: a 12-megapixel photo as float (H, W, 3) arrays would cost half a
    # gigabyte.
    squared = np.zeros(image.shape[:2], dtype=np.int32)
    for channel in range(3):
        step = image[..., channel].astype(np.int32) - round(float(surround[channel]))
        squared += step * step
    return squared


def _outline(squared: npt.NDArray[np.int32], threshold: float) -> npt.NDArray[np.int32] | None:
    """The outline (n, 2) of the largest region unlike the surroundings (further than `threshold` from
    their colour, given each pixel's squared distance), if it is big enough and clear of the picture's
    border."""
    height, width = squared.shape
    unlike = squared > threshold**2
    # Closing joins a screen whose content touches the surroundings' colour in places (a dark UI line).
    mask = cv2.morphologyEx(unlike.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h, area = (int(v) for v in stats[largest])
    if area < _MIN_SCREEN_SHARE * height * width:
        return None
    clear = _BORDER_CLEARANCE
    if x < clear or y < clear or x + w > width - clear or y + h > height - clear:
        return None
    contours, _ = cv2.findContours(
        (labels == largest).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    outline: npt.NDArray[np.int32] = max(contours, key=cv2.contourArea).reshape(-1, 2)
    return outline


def _corners(outline: npt.NDArray[np.int32]) -> npt.NDArray[np.float64] | None:
    """The screen's four corners (top-left, top-right, bottom-right, bottom-left), each the crossing of
    two sides fitted as lines through the outline's points, or None if the outline is not four-sided."""
    hull = cv2.convexHull(outline)
    polygon = cv2.approxPolyDP(hull, _POLYGON_TOLERANCE * cv2.arcLength(hull, True), True).reshape(-1, 2)
    if len(polygon) != 4:
        return None
    points = outline.astype(np.float64)
    lines = []
    for i in range(4):
        a, b = polygon[i].astype(np.float64), polygon[(i + 1) % 4].astype(np.float64)
        along = b - a
        length = float(np.linalg.norm(along))
        normal = np.array([-along[1], along[0]]) / length
        t = (points - a) @ along / length**2
        side = (t > _SIDE_TRIM) & (t < 1 - _SIDE_TRIM) & (np.abs((points - a) @ normal) <= _SIDE_BAND)
        if side.sum() < _MIN_SIDE_POINTS:
            return None
        # Huber: a few outline points pulled in where the screen's own content matches the surroundings.
        line = cv2.fitLine(points[side].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((line[2:].astype(np.float64), line[:2].astype(np.float64)))
    crossings = []
    for (p1, d1), (p2, d2) in zip(lines[-1:] + lines[:-1], lines, strict=True):
        s = np.linalg.solve(np.stack([d1, -d2], axis=1), p2 - p1)
        crossings.append(p1 + s[0] * d1)
    c = np.array(crossings)
    total, diff = c.sum(axis=1), c[:, 0] - c[:, 1]
    ordered = c[[np.argmin(total), np.argmax(diff), np.argmax(total), np.argmin(diff)]]
    return ordered if len({tuple(p) for p in ordered.round(3)}) == 4 else None


def _edged(squared: npt.NDArray[np.int32], corners: npt.NDArray[np.float64], faint: float) -> bool:
    """Whether every side of the quadrilateral is the screen's edge: along most of its length, the
    surroundings (within `faint` of their colour) lie just beyond it, and the screen, at least half that
    further from them, just within. A side traced across a picture that fades into the surroundings'
    colour has a gradient on both sides of it instead."""
    height, width = squared.shape
    centre = corners.mean(axis=0)
    t = np.linspace(_SIDE_TRIM, 1 - _SIDE_TRIM, _EDGE_SAMPLES)[:, None]

    def distance(points: npt.NDArray[np.float64]) -> float:
        x = np.clip(np.rint(points[:, 0]).astype(np.intp), 0, width - 1)
        y = np.clip(np.rint(points[:, 1]).astype(np.intp), 0, height - 1)
        return float(np.sqrt(np.median(squared[y, x])))

    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        along = b - a
        normal = np.array([-along[1], along[0]]) / float(np.linalg.norm(along))
        if normal @ (a - centre) < 0:
            normal = -normal
        outside = distance(a + t * along + _EDGE_OFFSET * normal)
        inside = distance(a + t * along - _EDGE_OFFSET * normal)
        if outside > faint or inside - outside < faint / 2:
            return False
    return True


def _screen_corners(
    squared: npt.NDArray[np.int32], threshold: float, faint: float
) -> npt.NDArray[np.float64] | None:
    """The corners of the screen outlined `threshold` from the surroundings (see `_outline`), if the outline
    is four-sided and every side is the screen's edge (`_edged`)."""
    outline = _outline(squared, threshold)
    corners = None if outline is None else _corners(outline)
    return corners if corners is not None and _edged(squared, corners, faint) else None


def find_screen(image: RgbImage, screen_sizes: Iterable[tuple[int, int]]) -> ScreenView | None:
    """The photographed screen, rectified, or None when the picture does not show a whole screen of one of
    `screen_sizes` inside its surroundings (any screenshot, and photos cropped inside the screen)."""
    sizes = list(screen_sizes)
    surroundings = _surroundings(image) if sizes else None
    if surroundings is None:
        return None
    surround, noise = surroundings
    squared = _distance_map(image, surround)
    faint = max(_FAINT_DISTANCE, _NOISE_MARGIN * noise)
    corners = _screen_corners(squared, _SURROUND_DISTANCE, faint)
    if corners is None and faint < _SURROUND_DISTANCE:
        # A dark screen beside a dark bezel (a Gen IV photo: 27-29 from it) stands out from the
        # surroundings by less than _SURROUND_DISTANCE, but still by more than their own noise; so does
        # the part of a screen whose picture darkens towards the surroundings' colour, which the outline
        # at _SURROUND_DISTANCE leaves out (its side there is no edge: the screen goes on beyond it).
        corners = _screen_corners(squared, faint, faint)
    if corners is None:
        # Also a screen fading into the surroundings' colour itself, which has no edge to find there: its
        # shape is unknown, and the photo is searched as it is (a Gen IV photo so cut had the GBA's shape).
        return None
    top, right, bottom, left = (np.linalg.norm(corners[(i + 1) % 4] - corners[i]) for i in range(4))
    aspect = (top + bottom) / (left + right)
    size = min(sizes, key=lambda s: abs(np.log(s[0] / s[1] / aspect)))
    if abs(np.log(size[0] / size[1] / aspect)) > _ASPECT_TOLERANCE:
        return None
    scale = float((top + bottom + left + right) / (2 * (size[0] + size[1])))
    # A full-resolution phone photo spreads each screen pixel over 10-20 picture pixels: beyond the scales
    # the detector looks for, and slower to fit for nothing. It is shrunk by area averaging first (the warp
    # alone would alias); `unshrink` takes the shrunk picture's coordinates back to the photo's.
    unshrink = np.eye(3)
    if scale > _LARGEST_SCALE:
        factor = _LARGEST_SCALE / scale
        image = np.asarray(
            cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), dtype=np.uint8
        )
        # Pixel centres: x in the photo is at (x + 0.5) * factor - 0.5 in the shrunk picture.
        corners = (corners + 0.5) * factor - 0.5
        shift = 0.5 / factor - 0.5
        unshrink = np.array([[1 / factor, 0.0, shift], [0.0, 1 / factor, shift], [0.0, 0.0, 1.0]])
        scale = _LARGEST_SCALE
    width, height = size[0] * scale, size[1] * scale
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    to_screen = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    # Cubic: the warp's own resampling should blur the picture as little as possible.
    rectified = cv2.warpPerspective(
        image,
        to_screen,
        (round(width), round(height)),
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_REPLICATE,
    )
    to_picture: Homography = unshrink @ np.linalg.inv(to_screen.astype(np.float64))
    return ScreenView(np.asarray(rectified, dtype=np.uint8), size, scale, to_picture)
