"""Undoing a smooth enlargement: the model matches OpenCV's filters, and fitting finds the grid and pixels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.enlargement import (
    CAPTURE_KERNELS,
    KERNELS,
    AxisGrid,
    Enlargement,
    Span,
    axis_residuals,
    fit,
    interpolation_matrix,
    reconstruct,
    straightened,
    tilts,
)

FILTERS = {"bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC}
BLURRED = [name for name, chosen in KERNELS.items() if chosen.blur > 0]


def blocky(rng: np.random.Generator, size: int) -> np.ndarray:
    """A native picture with sprite-like structure: flat patches of a few colours, hard edges."""
    small = rng.integers(0, 4, (size // 4, size // 4))
    palette = np.array([[248, 232, 176], [222, 106, 57], [16, 16, 16], [90, 160, 220]], dtype=np.uint8)
    image = palette[small.repeat(4, axis=0).repeat(4, axis=1)]
    noise = rng.random((size, size)) < 0.15
    image[noise] = palette[rng.integers(0, 4, int(noise.sum()))]
    return image


def enlarge(native: np.ndarray, scale: float, kernel: str) -> tuple[np.ndarray, float]:
    size = round(native.shape[1] * scale)
    picture = cv2.resize(native, (size, size), interpolation=FILTERS[kernel])
    return picture, size / native.shape[1]


@pytest.mark.parametrize("kernel", sorted(FILTERS))
def test_interpolation_matrix_is_the_enlargement(kernel: str) -> None:
    native = blocky(np.random.default_rng(1), 24).astype(np.float64)
    picture, scale = enlarge(native.astype(np.uint8), 2.7, kernel)
    grid = AxisGrid(0.0, scale)
    matrix = interpolation_matrix(8, 56, grid, Span(0, 23), kernel)
    # OpenCV clips the bicubic filter's overshoot at hard edges.
    predicted = np.clip(np.einsum("yv,vuc,xu->yxc", matrix, native, matrix), 0, 255)
    assert np.abs(predicted - picture[8:56, 8:56]).max() <= 1.0  # OpenCV rounds to whole values


@pytest.mark.parametrize("kernel", sorted(KERNELS))
def test_residuals_of_many_grids_at_once_are_each_grids_own_least_squares(kernel: str) -> None:
    """Grids of several phases and scales, whose picture ranges differ in start and length (one too short
    to fit at all), scored together: each one's residual is that of its own (ridge) least-squares fit."""
    rng = np.random.default_rng(4)
    signals = rng.normal(size=(260, 5)) * 40.0
    span = Span(2, 30)
    grids = [
        AxisGrid(origin, scale)
        for origin, scale in ((3.1, 2.4), (4.9, 2.4), (-0.7, 3.3), (0.2, 5.9), (200.0, 2.0))
    ]
    found = axis_residuals(signals, grids, span, kernel)
    native = Span(span.lo - 3, span.hi + 3)  # the fit's margin
    for grid, value in zip(grids, found, strict=True):
        first = max(int(np.ceil(grid.origin + (native.lo + 2) * grid.scale)), 0)
        last = min(int(np.floor(grid.origin + (native.hi - 1) * grid.scale)), len(signals))
        matrix = interpolation_matrix(first, last, grid, native, kernel)
        if last - first <= matrix.shape[1]:
            assert value == np.inf
            continue
        observed = signals[first:last]
        # The fit's tiny ridge (1e-6) keeps a blur's near-null directions from being fitted to noise.
        gram = matrix.T @ matrix + 1e-6 * np.eye(matrix.shape[1])
        solution = np.linalg.solve(gram, matrix.T @ observed)
        unexplained = (observed**2).sum() - ((matrix.T @ observed) * solution).sum()
        residual = unexplained / ((last - first - matrix.shape[1]) * 5)
        assert value == pytest.approx(residual, rel=1e-4)


@pytest.mark.parametrize(("kernel", "scale"), [("bilinear", 3.37), ("bicubic", 2.21), ("bicubic", 5.6)])
def test_fit_finds_scale_phase_and_filter_from_a_coarse_guess(kernel: str, scale: float) -> None:
    native = blocky(np.random.default_rng(2), 48)
    picture, true_scale = enlarge(native, scale, kernel)
    check_fit(picture, true_scale, kernel, 0.003)


def check_fit(picture: np.ndarray, true_scale: float, kernel: str, scale_tolerance: float) -> None:
    """From a 48-pixel native picture enlarged with its grid at 0: the guess a blurred paint box gives
    (scale 7% off, grid shifted by 0.4 of a game pixel) is fitted to the filter, scale and phase."""
    guess = AxisGrid(0.4 * true_scale, 1.07 * true_scale)
    found = fit(picture, guess, guess, Span(8, 39), Span(8, 39))
    assert found.kernel == kernel
    assert found.x.scale == pytest.approx(true_scale, rel=scale_tolerance)
    for axis in (found.x, found.y):
        phase = (axis.origin / axis.scale) % 1.0
        assert min(phase, 1.0 - phase) < 0.08


def test_an_oblong_enlargement_is_fitted_with_each_axis_own_scale() -> None:
    """A photo's perspective makes game pixels a few percent taller than wide (or wider): without `square`
    each axis finds its own scale, with it both get one between them."""
    native = blocky(np.random.default_rng(2), 48)
    picture = np.asarray(cv2.resize(native, (149, 156), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    scale_x, scale_y = 149 / 48, 156 / 48
    guess = AxisGrid(0.3 * scale_x, 1.05 * scale_x)
    oblong = fit(picture, guess, guess, Span(8, 39), Span(8, 39), square=False)
    assert oblong.x.scale == pytest.approx(scale_x, rel=0.004)
    assert oblong.y.scale == pytest.approx(scale_y, rel=0.004)
    square = fit(picture, guess, guess, Span(8, 39), Span(8, 39))
    assert square.x.scale == square.y.scale


def leaning(picture: np.ndarray, rows: float, columns: float) -> np.ndarray:
    """The picture with its rows leaning by `rows` (y per x) and its columns by `columns` (x per y) about
    its centre."""
    centre_y, centre_x = (np.array(picture.shape[:2]) - 1) / 2
    matrix = np.array([[1.0, columns, -columns * centre_y], [rows, 1.0, -rows * centre_x]])
    size = picture.shape[1::-1]
    moved = cv2.warpAffine(picture, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(moved, dtype=np.uint8)


def test_a_leaning_grid_is_measured_and_straightened() -> None:
    """A grid whose rows lean by 1 degree and columns by -0.75 (a photo's perspective at a sprite): `tilts`
    measures both to the quarter degree it searches in, at a fitted grid and from a coarse one 8% off in
    scale and a game pixel and a half off in place, and the straightened picture gives back the native
    pixels better than the leaning one. An upright grid measures upright."""
    native = blocky(np.random.default_rng(5), 48)
    picture, scale = enlarge(native, 4.0, "bilinear")
    spans = (Span(8, 39), Span(8, 39))
    grid = AxisGrid(0.0, scale)
    upright = fit(picture, grid, grid, *spans, square=False)
    assert tilts(picture, upright.x, upright.y, *spans, upright.kernel, fitted=True).straight()
    rows, columns = np.tan(np.radians(1.0)), np.tan(np.radians(-0.75))
    leant = leaning(picture, rows, columns)
    enlargement = fit(leant, grid, grid, *spans, square=False)
    coarse = AxisGrid(1.5 * scale, 1.08 * scale)
    measured = [
        tilts(leant, enlargement.x, enlargement.y, *spans, "bilinear", fitted=True),
        tilts(leant, coarse, coarse, *spans, "bilinear", fitted=False),
    ]
    for tilt in measured:
        assert tilt.rows == pytest.approx(rows, abs=0.0045)
        assert tilt.columns == pytest.approx(columns, abs=0.0045)
    straight = straightened(leant, measured[0])
    errors = []
    for image in (leant, straight):
        found = fit(image, grid, grid, *spans, square=False)
        pixels = reconstruct(image, found, *spans)
        errors.append(np.abs(pixels - native[8:40, 8:40].astype(np.float32)).mean())
    assert errors[1] < 0.5 * errors[0]


@pytest.mark.parametrize("seed", [0, 2])
def test_a_blurred_leaning_grid_boxed_small_is_measured_by_its_dip(seed: int) -> None:
    """Under a photo's blur, from a coarse grid 10% fine, the least residual of each slope lay at finer
    scales where any slope explains the smear (rows read leaning the wrong way); each slope's deepest dip
    measures the lean to the quarter degree."""
    native = blocky(np.random.default_rng(seed), 48)
    picture, scale = enlarge(native, 2.6, "bilinear")
    rows, columns = 0.02, -0.015
    leant = np.asarray(cv2.GaussianBlur(leaning(picture, rows, columns), (0, 0), 1.0), dtype=np.uint8)
    coarse = AxisGrid(1.5 * scale, 0.9 * scale)
    tilt = tilts(leant, coarse, coarse, Span(8, 39), Span(8, 39), "bilinear, blurred 1.0", fitted=False)
    assert tilt.rows == pytest.approx(rows, abs=0.0045)
    assert tilt.columns == pytest.approx(columns, abs=0.0045)


def test_reconstruct_gives_back_the_native_pixels() -> None:
    native = blocky(np.random.default_rng(3), 48)
    picture, scale = enlarge(native, 2.6, "bilinear")
    grid = AxisGrid(0.0, scale)
    pixels = reconstruct(picture, Enlargement(grid, grid, "bilinear"), Span(6, 41), Span(6, 41))
    error = np.abs(pixels - native[6:42, 6:42].astype(np.float32))
    # Sampling at the game pixels' centres leaves a quarter of each neighbour in; inverting does not.
    assert error.mean() < 3.0
    centres = cv2.resize(picture, (48, 48), interpolation=cv2.INTER_AREA)[6:42, 6:42].astype(np.float32)
    assert error.mean() < 0.5 * np.abs(centres - native[6:42, 6:42]).mean()


def test_native_pixels_off_the_picture_come_out_black() -> None:
    """A grid fitted far off (a photo's screen read at the wrong game pixel) can ask for native pixels no
    picture pixel reaches, on one axis or both: black, as a partly covered span's uncovered pixels are, not
    a failed solve (that raised LinAlgError: a crop of a bench capture at x5.6 searched at x1.5)."""
    native = blocky(np.random.default_rng(3), 48)
    picture, scale = enlarge(native, 2.6, "bilinear")
    grid = AxisGrid(0.0, scale)
    beyond = reconstruct(picture, Enlargement(grid, grid, "bilinear"), Span(80, 90), Span(6, 16))
    assert beyond.shape == (11, 11, 3) and not beyond.any()
    both = reconstruct(picture, Enlargement(grid, grid, "bilinear"), Span(80, 90), Span(80, 90))
    assert both.shape == (11, 11, 3) and not both.any()


# The blurred bilinear filters (a photo's focus and resampling).


def test_the_blurred_kernels_are_bilinear() -> None:
    assert {name: (KERNELS[name].cubic, KERNELS[name].blur) for name in BLURRED} == {
        "bilinear, blurred 0.7": (None, 0.7),
        "bilinear, blurred 1.0": (None, 1.0),
        "bilinear, blurred 1.4": (None, 1.4),
    }


@pytest.mark.parametrize("kernel", BLURRED)
@pytest.mark.parametrize("scale", [2.7, 4.25])
def test_interpolation_matrix_is_the_enlargement_then_the_blur(kernel: str, scale: float) -> None:
    # Float pictures: no rounding, so the only difference left is the Gaussian's tails, which the model
    # cuts at 3 sigma and OpenCV at 4 (a tenth of a level at most).
    native = blocky(np.random.default_rng(1), 24).astype(np.float32)
    size = round(24 * scale)
    picture = cv2.resize(native, (size, size), interpolation=cv2.INTER_LINEAR)
    picture = cv2.GaussianBlur(picture, (0, 0), KERNELS[kernel].blur)
    # Away from the ends, where OpenCV's border handling would take over.
    first, last = 10, size - 10
    matrix = interpolation_matrix(first, last, AxisGrid(0.0, size / 24), Span(0, 23), kernel)
    assert matrix.shape == (last - first, 24)
    predicted = np.einsum("yv,vuc,xu->yxc", matrix, native.astype(np.float64), matrix)
    assert np.abs(predicted - picture[first:last, first:last]).max() < 0.1
    # The blur is not a rounding detail: without it the model is tens of levels off.
    plain = interpolation_matrix(first, last, AxisGrid(0.0, size / 24), Span(0, 23), "bilinear")
    unblurred = np.einsum("yv,vuc,xu->yxc", plain, native.astype(np.float64), plain)
    assert np.abs(unblurred - picture[first:last, first:last]).max() > 20.0


@pytest.mark.parametrize(
    ("blur", "scale", "kernel"),
    [
        (1.4, 3.37, "bilinear, blurred 1.4"),
        (1.4, 5.6, "bilinear, blurred 1.4"),
        (0.7, 2.6, "bilinear, blurred 0.7"),
        (1.0, 4.1, "bilinear, blurred 1.0"),
    ],
)
def test_fit_finds_a_blurred_enlargement(blur: float, scale: float, kernel: str) -> None:
    native = blocky(np.random.default_rng(2), 48)
    picture, true_scale = enlarge(native, scale, "bilinear")
    picture = np.asarray(cv2.GaussianBlur(picture, (0, 0), blur), dtype=np.uint8)
    check_fit(picture, true_scale, kernel, 0.005)


@pytest.mark.parametrize("seed", [0, 2])
def test_a_blurred_enlargement_boxed_small_is_fitted_at_its_scale_not_the_finest(seed: int) -> None:
    """Under a blur of half a game pixel a finer grid explains the picture better the finer it is, and the
    right scale is a narrow dip on that slope: from a guess 8% small, the least residual lay at the
    search's finest scale (0.81 of the true one), the deepest dip at the true one."""
    native = blocky(np.random.default_rng(seed), 48)
    picture, true_scale = enlarge(native, 2.6, "bilinear")
    picture = np.asarray(cv2.GaussianBlur(picture, (0, 0), 1.4), dtype=np.uint8)
    noisy = picture + np.random.default_rng(seed).normal(0.0, 3.0, picture.shape)
    picture = np.clip(noisy, 0, 255).astype(np.uint8)
    guess = AxisGrid(0.4 * true_scale, 0.92 * true_scale)
    found = fit(picture, guess, guess, Span(8, 39), Span(8, 39))
    assert found.x.scale == pytest.approx(true_scale, rel=0.005)


@pytest.mark.parametrize("kernel", ["bilinear", "bicubic"])
def test_a_refined_fit_only_chooses_the_filter(kernel: str) -> None:
    """Given a grid already fitted (another box's fit on the same sprite), the scale is kept and the filter
    chosen for these spans; from a coarse guess it would not move at all."""
    native = blocky(np.random.default_rng(4), 48)
    picture, true_scale = enlarge(native, 3.1, kernel)
    grid = AxisGrid(0.01 * true_scale, true_scale)
    found = fit(picture, grid, grid, Span(10, 37), Span(10, 37), refined=True)
    assert found.kernel == kernel
    assert found.x.scale == true_scale and abs(found.x.origin - grid.origin) <= 0.05 * true_scale
    coarse = AxisGrid(0.4 * true_scale, 1.07 * true_scale)
    assert fit(picture, coarse, coarse, Span(10, 37), Span(10, 37), refined=True).x.scale == coarse.scale


def test_a_blur_between_two_kernels_is_undone_by_the_one_between_them() -> None:
    """A photo's blur of one picture pixel, reconstructed with the 0.7 or the 1.4 kernel, leaves the colours
    further off than with the 1.0 one: too little leaves the outline's dark in the paint beside it, too
    much rings."""
    native = blocky(np.random.default_rng(6), 48)
    picture, true_scale = enlarge(native, 4.1, "bilinear")
    picture = np.asarray(cv2.GaussianBlur(picture, (0, 0), 1.0), dtype=np.uint8)
    grid = AxisGrid(0.0, true_scale)

    def error(kernel: str) -> float:
        rebuilt = reconstruct(picture, Enlargement(grid, grid, kernel), Span(8, 39), Span(8, 39))
        return float(np.abs(rebuilt - native[8:40, 8:40]).mean())

    assert error("bilinear, blurred 1.0") < 0.5 * min(
        error("bilinear, blurred 0.7"), error("bilinear, blurred 1.4")
    )


def test_a_capture_is_fitted_with_the_unblurred_filters_only() -> None:
    """A blurred enlargement is fitted with its blur where every filter may be chosen, and with one of
    the unblurred ones where only those are given (a whole screen's capture, core.detect)."""
    assert CAPTURE_KERNELS == ("bilinear", "bicubic", "catmull-rom")
    native = blocky(np.random.default_rng(2), 48)
    picture, scale = enlarge(native, 3.1, "bilinear")
    picture = np.asarray(cv2.GaussianBlur(picture, (0, 0), KERNELS["bilinear, blurred 1.0"].blur), np.uint8)
    guess = AxisGrid(0.4 * scale, 1.07 * scale)
    assert fit(picture, guess, guess, Span(8, 39), Span(8, 39)).kernel == "bilinear, blurred 1.0"
    found = fit(picture, guess, guess, Span(8, 39), Span(8, 39), kernels=CAPTURE_KERNELS)
    assert found.kernel in CAPTURE_KERNELS
    assert found.x.scale == pytest.approx(scale, rel=0.01)


def test_a_captures_fit_keeps_to_its_scale_and_finds_the_phase() -> None:
    """Where the scale is a whole screen's capture's (its width over the console's), only scales within
    a few thousandths of it are tried: from a guess 5% off the fit stays near the guess, where the full
    search finds the true scale; the phase is still searched in full, so a guess at the right scale a
    third of a game pixel off in place is fitted to the true grid."""
    native = blocky(np.random.default_rng(2), 48)
    picture, scale = enlarge(native, 3.0, "bilinear")
    guess = AxisGrid(0.0, 1.05 * scale)
    assert fit(picture, guess, guess, Span(8, 39), Span(8, 39)).x.scale == pytest.approx(scale, rel=0.003)
    kept = fit(picture, guess, guess, Span(8, 39), Span(8, 39), capture_scale=True)
    assert kept.x.scale == pytest.approx(guess.scale, rel=0.005)
    shifted = AxisGrid(0.35 * scale, scale)
    found = fit(picture, shifted, shifted, Span(8, 39), Span(8, 39), capture_scale=True)
    assert found.x.scale == pytest.approx(scale, rel=0.005)
    phase = found.x.origin / found.x.scale
    assert abs(phase - round(phase)) <= 0.05
