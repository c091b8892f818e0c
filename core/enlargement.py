"""Undo a smooth enlargement: where the native pixel grid lies in a smoothed picture, and its pixels' colours.

A screenshot enlarged with a bilinear or bicubic filter (an emulator's or an image editor's) is a known
linear function of the native pixels once the grid is known: along each axis, picture pixel i is a
weighted sum of the native pixels near the point t = (i + 0.5 - origin) / scale - 0.5, with the filter's
weights. So a grid is tested by how well the picture is explained by *some* native image on it: the
least-squares residual of the picture against the span of the interpolation matrix. The residual dips
where scale and phase are right, whatever the sprite shows (under a photo's blur, on a slope that favours
finer grids: `_dips`), and the same fit then gives the native colours (`reconstruct`), sharper than
sampling the picture at game pixel centres, where a bilinear enlargement still mixes a quarter of each
neighbour in.

The axes are separable, so each is fitted on a few random mixtures of the picture's lines across the other
axis (`_signals`): the mixtures obey the same model with fewer columns. The residual says nothing about
whole-pixel shifts (the grid's phase is modulo one game pixel); the caller finds those on the
reconstruction, as for a pixel-sharp capture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Filter:
    """How a native line became picture pixels: interpolated (bilinear, or cubic with this free
    parameter), then blurred by a Gaussian of `blur` picture pixels (a photo's focus and resampling)."""

    cubic: float | None
    blur: float = 0.0


# OpenCV's bicubic uses -0.75, Pillow's and most emulator shaders' (Catmull-Rom) -0.5. A photo of a
# bilinear screen (core.screen) is blurred further by the lens, the phone's and our own resampling; a
# blur between two of those tried is undone only partly, leaving the outline's dark in the paint beside
# it (the 400 tuning photos: 29 wrong with blurs of 0.7 and 1.4 picture pixels, 19 with 1.0 between them,
# 28 -> 22 with session 9's networks; 2.0 and 2.8 beyond them, or 0.35, 0.85 and 1.2 as well, no better).
KERNELS: dict[str, Filter] = {
    "bilinear": Filter(None),
    "bicubic": Filter(-0.75),
    "catmull-rom": Filter(-0.5),
    "bilinear, blurred 0.7": Filter(None, 0.7),
    "bilinear, blurred 1.0": Filter(None, 1.0),
    "bilinear, blurred 1.4": Filter(None, 1.4),
}
# A capture of a whole screen is an emulator's or an editor's enlargement, never blurred further. JPEG's
# loss of fine detail can pass for a blur there, and a blurred filter chosen then is inverted into a
# sharpened checkerboard of noise (a Gen IV capture at x1.6 fitted with the 0.7 blur: the spots read as
# noise, no Spinda found). Session 14, the bench's 1200 smoothed and photographed games' sprites: 48 -> 47
# wrong (two captures right, one wrong; photos unchanged), our art's smoothed test screenshots 25 -> 22;
# 1198 of 1200 no-Spinda pictures answered so (1199 before: a cream blob is now answered at 0.02).
CAPTURE_KERNELS = tuple(name for name, chosen in KERNELS.items() if not chosen.blur)
# Native pixels fitted beyond the span on each side, so the span's own pixels have all their neighbours.
_MARGIN = 3
_SIGNALS = 16
# Scale search: relative steps around the coarse estimate, then fine steps around the best; phases in
# fractions of a game pixel. A box read off blurred paint can be 10% off, a Gen IV photo's 12-17% small
# (its paint's edges lost to the blur): searched 12% either side, a cropped photo boxed 12% small had its
# dip at the search's end and was fitted 5% fine on one axis, read wrong at confidence 0.33.
_COARSE_SCALES = np.linspace(-0.18, 0.18, 25)
_COARSE_PHASES = np.linspace(-0.5, 0.5, 6, endpoint=False)
# Among the coarse scales the one whose residual dips furthest below its neighbours' this many steps
# (3%) either side is chosen, not the least residual: under a photo's blur a finer grid explains the
# picture better the finer it is, and the right scale is a dip about a percent wide on that slope (as a
# lean's is, `tilts`). A Gen IV cropped photo boxed 7% small was fitted at the search's finest scale
# (residual 6.2 there, 8.2 in the dip at the right one) and read as no Gen IV sprite at all. The bench's
# 400 crops (seeds 5 and 7): 24 -> 21 wrong (5 won, 2 lost a few hundredths of a pixel off), searched 18%
# either side 20 (one more lost), with the lean's coarse search by dips too 19 (none lost); with no dip
# at the search's ends 20 (a rising slope beside its one side passed for one: a photo of our art boxed 25%
# large was fitted 1.7% fine, within its screen's hold, and read a game pixel off); 600 photos (seeds
# 5-15) the same answers each time.
_DIP_REACH = 2
_FINE_SCALES = np.linspace(-0.012, 0.012, 9)
_FINE_PHASES = np.linspace(-0.12, 0.12, 7)
# A whole screen's capture: its game pixel is its width over the console's, to the rounding of its sides
# (0.3% at x1) or a tool's corner-to-corner convention ((W - 1) / (w - 1): 0.3% at x3), so its phase is
# searched at that scale and only these steps around it. The bench's 1000 smoothed captures (seeds 5-37),
# against the coarse and fine scale search first: 31 -> 30 wrong (two frames a game pixel off right, one
# lost), 0.14 -> 0.09 s a capture; the fine steps (+-1.2%) in place of these gave the same answers.
_CAPTURE_SCALES = np.linspace(-0.004, 0.004, 3)
# Slopes tried for a leaning grid's rows and columns (see `tilts`): two degrees each way in quarters.
_TILTS = np.tan(np.radians(np.arange(-2.0, 2.01, 0.25)))
# Tikhonov weight of the reconstruction, against the noise a sharpening inverse would amplify.
_RIDGE = 0.002


@dataclass(frozen=True)
class Span:
    """An inclusive range of native pixels on one axis."""

    lo: int
    hi: int


@dataclass(frozen=True)
class AxisGrid:
    """Native pixel u on one axis covers picture coordinates [origin + u * scale, origin + (u+1) * scale)."""

    origin: float
    scale: float


@dataclass(frozen=True)
class Tilt:
    """The slopes of a native grid's rows (y per x) and columns (x per y) in a picture, about a point."""

    rows: float
    columns: float
    centre_x: float
    centre_y: float

    def straight(self) -> bool:
        return self.rows == 0.0 and self.columns == 0.0

    def to_picture(self, x: float, y: float) -> tuple[float, float]:
        """A point of the straightened picture in the picture (to first order in the slopes)."""
        return x + self.columns * (y - self.centre_y), y + self.rows * (x - self.centre_x)


@dataclass(frozen=True)
class Enlargement:
    """A fitted grid on both axes (one scale for both where game pixels are square, as in every capture)
    and the filter that fits best."""

    x: AxisGrid
    y: AxisGrid
    kernel: str


def _weights(
    t: npt.NDArray[np.float64], a: float | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """Filter weights (n, 4) for native pixels floor(t) - 1 .. floor(t) + 2, and floor(t) - 1; `a` is the
    cubic's free parameter, None for the bilinear (triangle) filter."""
    base = np.floor(t)
    x = t - base
    if a is None:
        zero = np.zeros_like(x)
        weights = np.stack([zero, 1.0 - x, x, zero], axis=1)
    else:
        d = np.stack([x + 1.0, x, 1.0 - x, 2.0 - x], axis=1)
        near = ((a + 2.0) * d - (a + 3.0)) * d * d + 1.0
        far = ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
        weights = np.where(d <= 1.0, near, np.where(d < 2.0, far, 0.0))
    return weights, base.astype(np.intp) - 1


def interpolation_matrix(
    first: int, last: int, grid: AxisGrid, native: Span, kernel: str
) -> npt.NDArray[np.float64]:
    """(picture pixels first..last-1, native pixels native.lo..native.hi): each picture pixel's weights."""
    matrices: npt.NDArray[np.float64] = _interpolation_matrices(
        np.array([first]), np.array([last]), [grid], native, kernel
    )[0]
    return matrices


def _interpolation_matrices(
    firsts: npt.NDArray[np.intp],
    lasts: npt.NDArray[np.intp],
    grids: Sequence[AxisGrid],
    native: Span,
    kernel: str,
) -> npt.NDArray[np.float64]:
    """interpolation_matrix for several grids at once: (grids, the longest range, native pixels), each
    grid's rows from its own first picture pixel, rows beyond its own last left zero."""
    chosen = KERNELS[kernel]
    reach = int(np.ceil(3 * chosen.blur))
    length = max(int((lasts - firsts).max()), 0)
    origins = np.array([g.origin for g in grids])[:, None]
    scales = np.array([g.scale for g in grids])[:, None]
    # Rows from first - reach to first + length + reach, for the blur's taps.
    positions = firsts[:, None] + np.arange(-reach, length + reach)[None, :]
    t = (positions + 0.5 - origins) / scales - 0.5 - native.lo
    weights, base = _weights(t.ravel(), chosen.cubic)
    count = native.hi - native.lo + 1
    matrix = np.zeros((t.size, count))
    rows = np.arange(t.size)
    for tap in range(4):
        # A row's four taps fall on four different columns, so plain assignment adds nothing twice.
        columns = base + tap
        ok = (columns >= 0) & (columns < count)
        matrix[rows[ok], columns[ok]] = weights[ok, tap]
    matrix = matrix.reshape(len(grids), length + 2 * reach, count)
    if reach > 0:
        taps = np.exp(-0.5 * (np.arange(-reach, reach + 1) / chosen.blur) ** 2)
        taps /= taps.sum()
        blurred = np.zeros((len(grids), length, count))
        for offset, tap_weight in enumerate(taps):
            blurred += tap_weight * matrix[:, offset : offset + length]
        matrix = blurred
    matrix[np.arange(length)[None, :] >= (lasts - firsts)[:, None]] = 0.0
    return matrix


def _picture_range(grid: AxisGrid, native: Span, length: int) -> tuple[int, int]:
    """The picture pixels whose filter taps all fall on `native`: away from its ends by two native pixels."""
    first = int(np.ceil(grid.origin + (native.lo + 2) * grid.scale))
    last = int(np.floor(grid.origin + (native.hi - 1) * grid.scale))
    return max(first, 0), min(last, length)


def axis_residuals(
    signals: npt.NDArray[np.float64], grids: Sequence[AxisGrid], span: Span, kernel: str
) -> npt.NDArray[np.float64]:
    """For each grid, the squared residual per degree of freedom of `signals` (picture positions x k)
    against the best native signals on it over `span` (plus margin): the part of the picture no native
    image on that grid explains. All grids at once: the phases tried at one scale are thousands of small
    least-squares problems per picture, whose numpy overhead, paid one at a time, was half its time."""
    native = Span(span.lo - _MARGIN, span.hi + _MARGIN)
    count = native.hi - native.lo + 1
    ranges = np.array([_picture_range(grid, native, len(signals)) for grid in grids])
    firsts, lasts = ranges[:, 0], ranges[:, 1]
    out = np.full(len(grids), np.inf)
    usable = lasts - firsts > count
    if not usable.any():
        return out
    firsts, lasts = firsts[usable], lasts[usable]
    matrices = _interpolation_matrices(
        firsts, lasts, [grid for grid, ok in zip(grids, usable, strict=True) if ok], native, kernel
    )
    length = matrices.shape[1]
    rows = np.minimum(firsts[:, None] + np.arange(length)[None, :], len(signals) - 1)
    observed = signals[rows] * (np.arange(length)[None, :] < (lasts - firsts)[:, None])[..., None]
    transposed = matrices.transpose(0, 2, 1)
    gram = transposed @ matrices + 1e-6 * np.eye(count)
    projected = transposed @ observed
    explained = (projected * np.linalg.solve(gram, projected)).sum(axis=(1, 2))
    # Per degree of freedom, so that a finer grid is not favoured just for having more native pixels.
    freedom = ((lasts - firsts - count) * signals.shape[1]).astype(np.float64)
    out[usable] = ((observed * observed).sum(axis=(1, 2)) - explained) / freedom
    return out


def _signals(image: npt.NDArray[np.uint8], axis: int, across: tuple[int, int]) -> npt.NDArray[np.float64]:
    """(picture length along `axis`, _SIGNALS): fixed random mixtures of the lines' values (all channels)
    over the picture pixels `across` on the other axis. Fixed seed: the same picture always fits the same."""
    lines = image if axis == 0 else image.transpose(1, 0, 2)
    lo, hi = max(across[0], 0), min(across[1], lines.shape[1])
    block = lines[:, lo:hi].reshape(lines.shape[0], -1).astype(np.float64)
    mix = np.random.default_rng(0).normal(size=(block.shape[1], _SIGNALS)) / np.sqrt(max(block.shape[1], 1))
    result: npt.NDArray[np.float64] = block @ mix
    return result


def _phase(grid: AxisGrid, centre: float, span: Span) -> float:
    """The grid's phase as `_best_phases` counts it: its shift in game pixels from the grid that has the
    span's middle at the picture point `centre`."""
    return (grid.origin - (centre - (span.lo + span.hi + 1) / 2 * grid.scale)) / grid.scale


def _best_phases(
    signals: npt.NDArray[np.float64],
    centre: float,
    scales: npt.NDArray[np.float64],
    span: Span,
    kernel: str,
    phases: npt.NDArray[np.float64],
    around: float,
) -> list[tuple[float, AxisGrid]]:
    """For each scale, the phase (shift in game pixels of the grid about a fixed picture point `centre`,
    the span's middle) with the least residual, and that residual."""
    middle = (span.lo + span.hi + 1) / 2
    grids = [AxisGrid(centre - middle * s + (around + p) * s, s) for s in scales for p in phases]
    values = axis_residuals(signals, grids, span, kernel).reshape(len(scales), len(phases))
    best = []
    for row, scale in enumerate(scales):
        column = int(np.argmin(values[row]))
        if np.isfinite(values[row, column]):
            best.append((float(values[row, column]), grids[row * len(phases) + column]))
        else:
            best.append((float("inf"), AxisGrid(centre - middle * scale, scale)))
    return best


def _dips(best: list[tuple[float, AxisGrid]]) -> list[tuple[float, AxisGrid]]:
    """`_best_phases`'s list with each residual taken over the mean of its neighbours' _DIP_REACH scales
    either side; none at the ends of the search, where a slope passes for a dip beside its one side."""
    residuals = [value for value, _ in best]
    out = []
    for index, (value, grid) in enumerate(best):
        beside = [
            residuals[other]
            for other in (index - _DIP_REACH, index + _DIP_REACH)
            if 0 <= other < len(residuals) and np.isfinite(residuals[other])
        ]
        out.append(
            (value / float(np.mean(beside)) if len(beside) == 2 and np.isfinite(value) else np.inf, grid)
        )
    return out


def fit(
    image: npt.NDArray[np.uint8],
    x: AxisGrid,
    y: AxisGrid,
    span_x: Span,
    span_y: Span,
    refined: bool = False,
    kernels: Sequence[str] = tuple(KERNELS),
    capture_scale: bool = False,
    square: bool = True,
) -> Enlargement:
    """Refine a coarse grid (scale maybe 15% off, offset anywhere) to the enlargement that best explains the
    picture around the native spans: scale to a few thousandths, phase to a few hundredths of a pixel,
    and the filter among `kernels`. With `refined`, the grids are already that close (another frame's fit
    on the same sprite), and only the filter and the last hundredths of phase are chosen, for these
    spans. With `capture_scale`, the coarse grids' scale is a whole screen's capture's, known to a
    few thousandths (_CAPTURE_SCALES). Without `square`, each axis has its own scale (a photo's
    perspective)."""
    x0, x1 = x.origin + span_x.lo * x.scale, x.origin + (span_x.hi + 1) * x.scale
    y0, y1 = y.origin + span_y.lo * y.scale, y.origin + (span_y.hi + 1) * y.scale
    along_y = _signals(image, 0, _picture_span(x, span_x))
    along_x = _signals(image, 1, _picture_span(y, span_y))
    centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2
    scale = (x.scale + y.scale) / 2

    def search(
        kernel: str,
        steps: npt.NDArray[np.float64],
        phases: npt.NDArray[np.float64],
        around: tuple[AxisGrid, AxisGrid],
        dips: bool = False,
    ) -> tuple[float, AxisGrid, AxisGrid]:
        """The best grids at scales (1 + steps) times `around`'s and phases about theirs; with `dips`,
        judged by how far each scale's residual dips below its neighbours' (`_dips`)."""
        grid_x, grid_y = around
        scales_x, scales_y = grid_x.scale * (1.0 + steps), grid_y.scale * (1.0 + steps)
        phase_x, phase_y = _phase(grid_x, centre_x, span_x), _phase(grid_y, centre_y, span_y)
        best_x = _best_phases(along_x, centre_x, scales_x, span_x, kernel, phases, phase_x)
        best_y = _best_phases(along_y, centre_y, scales_y, span_y, kernel, phases, phase_y)
        if dips:
            best_x, best_y = _dips(best_x), _dips(best_y)
        if not square:
            (rx, gx), (ry, gy) = min(best_x, key=lambda b: b[0]), min(best_y, key=lambda b: b[0])
            return rx + ry, gx, gy
        along = zip(best_x, best_y, strict=True)
        return min(((rx + ry, gx, gy) for (rx, gx), (ry, gy) in along), key=lambda item: item[0])

    # Scale and phase on the middle filter first, then the filter, whose choice moves the best grid little.
    gx, gy = x, y
    if not refined:
        start = AxisGrid(centre_x - (span_x.lo + span_x.hi + 1) / 2 * scale, scale)
        middle = (start, AxisGrid(centre_y - (span_y.lo + span_y.hi + 1) / 2 * scale, scale))
        if capture_scale:
            _, gx, gy = search("bicubic", np.zeros(1), _COARSE_PHASES, middle)
            _, gx, gy = search("bicubic", _CAPTURE_SCALES, _FINE_PHASES, (gx, gy))
        else:
            _, gx, gy = search("bicubic", _COARSE_SCALES, _COARSE_PHASES, middle, dips=True)
            _, gx, gy = search("bicubic", _FINE_SCALES, _FINE_PHASES, (gx, gy))
    fits = {k: search(k, np.zeros(1), _FINE_PHASES / 3, (gx, gy)) for k in kernels}
    kernel = min(fits, key=lambda k: fits[k][0])
    _, fx, fy = fits[kernel]
    return Enlargement(fx, fy, kernel)


def _picture_span(grid: AxisGrid, span: Span) -> tuple[int, int]:
    """The picture pixels a native span covers (whole pixels, for the signals across it)."""
    return int(grid.origin + span.lo * grid.scale), int(np.ceil(grid.origin + (span.hi + 1) * grid.scale))


def _sheared(image: npt.NDArray[np.uint8], slope: float, axis: int, about: float) -> npt.NDArray[np.uint8]:
    """The picture with lines of `slope` made straight: rows (axis 0: y rising by `slope` per x) or columns
    (axis 1: x rising by `slope` per y), each moved about the line through `about` on the other axis."""
    if axis == 0:
        matrix = np.array([[1.0, 0.0, 0.0], [-slope, 1.0, slope * about]])
    else:
        matrix = np.array([[1.0, -slope, slope * about], [0.0, 1.0, 0.0]])
    height, width = image.shape[:2]
    moved = cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    out: npt.NDArray[np.uint8] = np.asarray(moved, dtype=np.uint8)
    return out


def tilts(
    image: npt.NDArray[np.uint8],
    x: AxisGrid,
    y: AxisGrid,
    span_x: Span,
    span_y: Span,
    kernel: str,
    fitted: bool,
) -> Tilt:
    """How far the native grid near `x`, `y` leans in the picture: the slope of its rows and of its columns
    (each among _TILTS) that, once made straight, best explains the picture around the spans. A photo's
    perspective leans a sprite's rows and columns by up to two degrees each way, two game pixels across a
    sprite, and makes its game pixels oblong. A `fitted` grid is right to a few hundredths (a fit upright
    whose axes agree): the lean is searched at its scales. A fit along an axis whose lean smears the
    picture can settle on a scale a tenth too fine, though, so otherwise the grid given is a coarse one
    (scale maybe 15% off, offset anywhere), and the lean is searched together with the scale and
    phase, as far as the coarse search reaches. Each axis's residual depends on the other's lean little."""
    longest = max(span_x.hi - span_x.lo, span_y.hi - span_y.lo)
    reach = _MARGIN + 2 + int(np.ceil((2 * max(_TILTS) + max(_COARSE_SCALES)) * longest))
    x0, x1 = _picture_span(x, Span(span_x.lo - reach, span_x.hi + reach))
    y0, y1 = _picture_span(y, Span(span_y.lo - reach, span_y.hi + reach))
    x0, y0 = max(x0, 0), max(y0, 0)
    part = np.ascontiguousarray(image[y0:y1, x0:x1])
    grid_x, grid_y = AxisGrid(x.origin - x0, x.scale), AxisGrid(y.origin - y0, y.scale)
    across_x = _picture_span(grid_x, span_x)
    across_y = _picture_span(grid_y, span_y)
    centre_x, centre_y = sum(across_x) / 2, sum(across_y) / 2

    straightened_signals: dict[tuple[float, int], npt.NDArray[np.float64]] = {}

    def signals_of(slope: float, axis: int) -> npt.NDArray[np.float64]:
        """The signals of the picture with the lean undone; the best coarse slope's serve the fine stage
        too. Rows lean: the signal along y (each row's mix of the sprite's columns) is what a lean smears."""
        if (slope, axis) not in straightened_signals:
            straight = _sheared(part, slope, axis, centre_x if axis == 0 else centre_y)
            across = (across_x, across_y)[axis]
            straightened_signals[slope, axis] = _signals(straight, axis, across)
        return straightened_signals[slope, axis]

    def residual(slope: float, axis: int, around: AxisGrid | None) -> tuple[float, AxisGrid]:
        """The least residual with the lean undone, and its grid: about the grid given (at its scale if
        `fitted`, else over the coarse scales and phases, where the deepest dip counts: `_dips`), or over
        the fine ones about `around`."""
        signals = signals_of(slope, axis)
        grid, span, centre = (grid_y, span_y, centre_y) if axis == 0 else (grid_x, span_x, centre_x)
        if around is None:
            steps, phases = (np.zeros(1), _FINE_PHASES) if fitted else (_COARSE_SCALES, _COARSE_PHASES)
        else:
            grid, steps, phases = around, _FINE_SCALES, _FINE_PHASES
        scales = grid.scale * (1.0 + steps)
        best = _best_phases(signals, centre, scales, span, kernel, phases, _phase(grid, centre, span))
        if around is None and not fitted:
            best = _dips(best)
        return min(best, key=lambda b: b[0])

    def lean(axis: int) -> float:
        # Every other slope first; then the slopes beside the best, about its grid.
        coarse = {float(s): residual(s, axis, None) for s in _TILTS[::2]}
        slope = min(coarse, key=lambda s: coarse[s][0])
        nearby = _TILTS[np.abs(np.arctan(_TILTS) - np.arctan(slope)) < np.radians(0.3)]
        return float(min(nearby, key=lambda s: residual(s, axis, coarse[slope][1])[0]))

    rows, columns = lean(0), lean(1)
    return Tilt(rows, columns, x0 + centre_x, y0 + centre_y)


def straightened(image: npt.NDArray[np.uint8], tilt: Tilt) -> npt.NDArray[np.uint8]:
    """The picture with a leaning grid's rows and columns made horizontal and vertical about its centre."""
    rows = _sheared(image, tilt.rows, 0, tilt.centre_x)
    return _sheared(rows, tilt.columns, 1, tilt.centre_y)


def _inverse(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Ridge-regularised left inverse: native values from picture values."""
    gram = matrix.T @ matrix
    ridge = _RIDGE * np.trace(gram) / len(gram)
    if ridge == 0.0:
        # No picture pixel at all (a span off the picture's edge, from a grid fitted far off): its native
        # pixels come out black, as a partly covered span's uncovered ones do, where the solve had failed.
        ridge = _RIDGE
    inverse: npt.NDArray[np.float64] = np.linalg.solve(gram + ridge * np.eye(len(gram)), matrix.T)
    return inverse


def reconstruct(
    image: npt.NDArray[np.uint8], enlargement: Enlargement, span_x: Span, span_y: Span
) -> npt.NDArray[np.float32]:
    """(rows of span_y, columns of span_x, 3): the native pixels' colours that best explain the picture."""
    native_x = Span(span_x.lo - _MARGIN, span_x.hi + _MARGIN)
    native_y = Span(span_y.lo - _MARGIN, span_y.hi + _MARGIN)
    height, width = image.shape[:2]
    fx0, fx1 = _picture_range(enlargement.x, native_x, width)
    fy0, fy1 = _picture_range(enlargement.y, native_y, height)
    inverse_x = _inverse(interpolation_matrix(fx0, fx1, enlargement.x, native_x, enlargement.kernel))
    inverse_y = _inverse(interpolation_matrix(fy0, fy1, enlargement.y, native_y, enlargement.kernel))
    block = image[fy0:fy1, fx0:fx1].astype(np.float64)
    native = np.einsum("ay,yxc,bx->abc", inverse_y, block, inverse_x, optimize=True)
    inner = native[_MARGIN : native.shape[0] - _MARGIN, _MARGIN : native.shape[1] - _MARGIN]
    out: npt.NDArray[np.float32] = np.clip(inner, 0.0, 255.0).astype(np.float32)
    return out
