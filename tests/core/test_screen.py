"""A photographed screen is found in its surroundings and warped back to the game's own rectangle."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from core.screen import ScreenView, find_screen

SIZES = [(240, 160), (256, 192)]
SURROUND = (24, 22, 30)  # a dark bezel or desk
ENLARGEMENT = 4  # the emulator's (bilinear) enlargement of the screen before it is photographed
PHOTO_BLUR = 1.0  # photo pixels: the lens and the phone's processing
SEEDS = (0, 1, 2)

Image = npt.NDArray[np.uint8]
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Photo:
    image: Image
    screen: Image  # the enlarged screen before it was photographed
    to_photo: Matrix  # the enlarged screen's pixel coordinates -> the photo's (OpenCV: centres on integers)
    corners: Matrix  # (4, 2) the screen's outer corners in the photo: top-left, top-right, bottom-right, ...


def blocks(rng: np.random.Generator, width: int, height: int) -> Image:
    """A game screen of 2x2 blocks of random colours, all clearly lighter than the surroundings: fine
    detail, so that a rectification a pixel off shows."""
    small = rng.integers(64, 256, (height // 2, width // 2, 3)).astype(np.uint8)
    return small.repeat(2, axis=0).repeat(2, axis=1)


def photograph(
    rng: np.random.Generator, native: Image, zoom: float = 0.9, jitter: float = 8.0, margin: int = 110
) -> Photo:
    """The screen enlarged, then seen in perspective (each corner moved by up to `jitter` photo pixels)
    against uniform surroundings, blurred and noisy."""
    height, width = native.shape[0] * ENLARGEMENT, native.shape[1] * ENLARGEMENT
    screen = np.asarray(cv2.resize(native, (width, height), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    # The screen's outer edges lie half a pixel outside its first and last pixels' centres.
    edges = np.array([[-0.5, -0.5], [width - 0.5, -0.5], [width - 0.5, height - 0.5], [-0.5, height - 0.5]])
    corners = margin + (edges + 0.5) * zoom - 0.5 + rng.uniform(-jitter, jitter, (4, 2))
    to_photo = cv2.getPerspectiveTransform(edges.astype(np.float32), corners.astype(np.float32))
    size = (round(width * zoom) + 2 * margin, round(height * zoom) + 2 * margin)
    photo = cv2.warpPerspective(
        screen, to_photo, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=SURROUND
    )
    blurred = cv2.GaussianBlur(photo.astype(np.float32), (0, 0), PHOTO_BLUR)
    noisy = np.clip(np.rint(blurred + rng.normal(0.0, 3.0, blurred.shape)), 0, 255).astype(np.uint8)
    return Photo(noisy, screen, to_photo.astype(np.float64), corners)


def true_scale(photo: Photo, size: tuple[int, int]) -> float:
    """Photo pixels per game pixel, averaged over the four sides as a perspective view allows."""
    sides = sum(float(np.linalg.norm(photo.corners[(i + 1) % 4] - photo.corners[i])) for i in range(4))
    return sides / (2 * (size[0] + size[1]))


def rectified_to_screen(photo: Photo, view: ScreenView) -> Matrix:
    """Where each rectified coordinate truly lies on the enlarged screen: the rectified picture spans the
    screen's outer edges from 0 to its size times the scale."""
    height, width = photo.screen.shape[:2]
    sx = width / (view.screen_size[0] * view.scale)
    sy = height / (view.screen_size[1] * view.scale)
    return np.array([[sx, 0.0, -0.5], [0.0, sy, -0.5], [0.0, 0.0, 1.0]])


def apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    p = matrix @ np.array([x, y, 1.0])
    return float(p[0] / p[2]), float(p[1] / p[2])


def found(photo: Photo, sizes: list[tuple[int, int]] = SIZES) -> ScreenView:
    view = find_screen(photo.image, sizes)
    assert view is not None, "no screen found"
    return view


@pytest.mark.parametrize("seed", SEEDS)
def test_finds_the_screen_at_its_scale(seed: int) -> None:
    rng = np.random.default_rng(seed)
    photo = photograph(rng, blocks(rng, 240, 160))
    view = found(photo)
    assert view.screen_size == (240, 160)
    assert view.scale == pytest.approx(true_scale(photo, (240, 160)), rel=0.01)
    height, width = view.image.shape[:2]
    assert (width, height) == (round(240 * view.scale), round(160 * view.scale))


@pytest.mark.parametrize("seed", SEEDS)
def test_to_picture_maps_the_screen_onto_the_photo(seed: int) -> None:
    rng = np.random.default_rng(seed)
    photo = photograph(rng, blocks(rng, 240, 160))
    view = found(photo)
    width, height = 240 * view.scale, 160 * view.scale
    truth = photo.to_photo @ rectified_to_screen(photo, view)
    # The corners come out about half a photo pixel outside the true ones on each axis (blur spreads the
    # bright screen into its surroundings before the outline is traced); inside, that matters less.
    for points, tolerance in (
        ([(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)], 1.5),
        ([(width / 2, height / 2), (0.3 * width, 0.7 * height), (0.8 * width, 0.25 * height)], 0.75),
    ):
        for x, y in points:
            got, expected = view.point_in_picture(x, y), apply(truth, x, y)
            error = float(np.hypot(got[0] - expected[0], got[1] - expected[1]))
            assert error <= tolerance, ((x, y), got, expected)


def middle_difference(view: ScreenView, expected: npt.NDArray[np.float32], shift: int = 0) -> float:
    """Mean absolute difference between the rectified picture and `expected`, away from the edges,
    with `expected` moved by `shift` pixels along x."""
    margin_y, margin_x = view.image.shape[0] // 10, view.image.shape[1] // 10
    moved = np.roll(expected, shift, axis=1)
    middle = (slice(margin_y, -margin_y), slice(margin_x, -margin_x))
    return float(np.abs(view.image[middle].astype(np.float32) - moved[middle]).mean())


@pytest.mark.parametrize("seed", SEEDS)
def test_rectified_picture_is_the_enlarged_screen(seed: int) -> None:
    rng = np.random.default_rng(seed)
    photo = photograph(rng, blocks(rng, 240, 160))
    view = found(photo)
    height, width = view.image.shape[:2]
    # The screen as it should come out: resized to the view's scale (the exact map, not cv2.resize's
    # convention) and blurred as the photo was; what is left is the photo's noise and resampling.
    to_rectified = np.linalg.inv(rectified_to_screen(photo, view))
    sharp = cv2.warpPerspective(photo.screen, to_rectified, (width, height), flags=cv2.INTER_LINEAR)
    expected = np.asarray(cv2.GaussianBlur(sharp.astype(np.float32), (0, 0), PHOTO_BLUR), dtype=np.float32)
    assert middle_difference(view, expected) < 5.0
    # The check can tell: the same picture one pixel out is well above the bound.
    assert min(middle_difference(view, expected, shift) for shift in (-1, 1)) > 6.0


def test_a_4_3_screen_is_matched_to_its_size() -> None:
    rng = np.random.default_rng(3)
    photo = photograph(rng, blocks(rng, 256, 192))
    for sizes in (SIZES, SIZES[::-1]):
        view = found(photo, sizes)
        assert view.screen_size == (256, 192)
        assert view.scale == pytest.approx(true_scale(photo, (256, 192)), rel=0.01)


def test_a_screenshot_has_no_surroundings() -> None:
    rng = np.random.default_rng(4)
    native = blocks(rng, 240, 160)
    screenshot = np.asarray(cv2.resize(native, (960, 640), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    assert find_screen(screenshot, SIZES) is None


def test_surroundings_must_be_one_colour() -> None:
    rng = np.random.default_rng(5)
    photo = photograph(rng, blocks(rng, 240, 160))
    assert find_screen(photo.image, SIZES) is not None
    # Noise added after the blur, so it stays far from any one colour.
    height, width = photo.screen.shape[:2]
    outside = cv2.warpPerspective(
        np.full((height, width), 255, np.uint8),
        photo.to_photo,
        photo.image.shape[1::-1],
        flags=cv2.INTER_NEAREST,
    )
    noisy = photo.image.copy()
    noisy[outside == 0] = rng.integers(0, 256, (int((outside == 0).sum()), 3), dtype=np.uint8)
    assert find_screen(noisy, SIZES) is None


def test_a_photo_cropped_inside_the_screen_is_not_a_screen() -> None:
    rng = np.random.default_rng(6)
    photo = photograph(rng, blocks(rng, 240, 160))
    # Cut the screen's left side off: most of the border is still the surroundings.
    left = int(photo.corners[[0, 3], 0].max()) + 40
    assert find_screen(photo.image[:, left:], SIZES) is None


def test_a_screen_of_another_shape_is_not_taken_for_a_known_one() -> None:
    rng = np.random.default_rng(7)
    photo = photograph(rng, blocks(rng, 320, 160))
    assert find_screen(photo.image, SIZES) is None
    # It is the shape that rules it out: offered its own size, the same photo's screen is found.
    assert found(photo, [*SIZES, (320, 160)]).screen_size == (320, 160)


def test_no_known_sizes_finds_nothing() -> None:
    rng = np.random.default_rng(8)
    photo = photograph(rng, blocks(rng, 240, 160))
    assert find_screen(photo.image, SIZES) is not None
    assert find_screen(photo.image, []) is None


def test_a_full_resolution_photo_is_rectified_at_the_largest_screenshot_scale() -> None:
    """A phone's full resolution spreads a screen pixel over 14 photo pixels here; the screen comes back at
    6 (beyond that the detector looks for nothing), and still maps onto the photo (measured: 0.1-0.9 photo
    pixels inside the screen)."""
    rng = np.random.default_rng(5)
    photo = photograph(rng, blocks(rng, 240, 160), zoom=3.6, jitter=20.0, margin=200)
    view = found(photo)
    assert true_scale(photo, (240, 160)) > 14.0
    assert view.scale == 6.0
    assert view.image.shape[:2] == (960, 1440)
    truth = photo.to_photo @ rectified_to_screen(photo, view)
    for x, y in ((720.0, 480.0), (300.0, 700.0), (1200.0, 200.0)):
        got, expected = view.point_in_picture(x, y), apply(truth, x, y)
        assert np.hypot(got[0] - expected[0], got[1] - expected[1]) < 1.5, (x, y)


def dark_screen(rng: np.random.Generator, lift: tuple[int, int, int]) -> Image:
    """A GBA screen of one dark colour, the surroundings' colour lifted by `lift`, with a lighter patch of
    blocks (a sprite) on it."""
    native = np.broadcast_to(np.add(SURROUND, lift), (160, 240, 3)).astype(np.uint8).copy()
    native[40:100, 60:120] = blocks(rng, 60, 60)
    return native


@pytest.mark.parametrize("seed", SEEDS)
def test_a_dark_screen_beside_a_dark_bezel_is_found(seed: int) -> None:
    """A screen that stands out from its surroundings by less than _SURROUND_DISTANCE (28 levels here, as
    a Gen IV photo's dark teal screen beside a dark bezel, which had not been found) but by more than
    twice their noise is found, at its scale."""
    rng = np.random.default_rng(seed)
    photo = photograph(rng, dark_screen(rng, (-12, 16, 20)))
    view = found(photo)
    assert view.screen_size == (240, 160)
    assert view.scale == pytest.approx(true_scale(photo, (240, 160)), rel=0.01)


def test_a_screen_within_the_surroundings_noise_is_not_looked_for() -> None:
    """Nearer than _FAINT_DISTANCE to the surroundings' colour, a region is not told from their noise."""
    rng = np.random.default_rng(5)
    photo = photograph(rng, dark_screen(rng, (0, 8, 10)))
    assert find_screen(photo.image, SIZES) is None


def fading_screen(rng: np.random.Generator, top: float, bottom: float) -> Image:
    """A DS screen whose picture darkens from `top` to `bottom` levels above the surroundings' colour (in
    each channel), with a lighter patch of blocks (a sprite) in its upper half."""
    lift = np.linspace(top, bottom, 192)[:, None, None]
    native = np.clip(np.add(SURROUND, lift) + np.zeros((192, 256, 3)), 0, 255).astype(np.uint8)
    native[30:90, 100:160] = blocks(rng, 60, 60)
    return native


@pytest.mark.parametrize("seed", SEEDS)
def test_a_screen_fading_into_the_surroundings_is_found_whole(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen whose lower rows darken to within _SURROUND_DISTANCE of the surroundings' colour (a Gen IV
    photo's gradient, read as a GBA screen and its Spinda as a Gen III one) but stay further than their
    noise is found whole, at its size and scale: the outline cut short there has a side with no
    surroundings beyond it."""
    rng = np.random.default_rng(seed)
    photo = photograph(rng, fading_screen(rng, 40.0, 19.0))
    view = found(photo)
    assert view.screen_size == (256, 192)
    assert view.scale == pytest.approx(true_scale(photo, (256, 192)), rel=0.01)
    # The check can tell: taking every side for an edge, the screen is the part above the cut.
    monkeypatch.setattr("core.screen._edged", lambda *args: True)
    cut = find_screen(photo.image, SIZES)
    assert cut is not None and cut.screen_size == (240, 160)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_screen_fading_into_the_surroundings_colour_itself_is_not_guessed(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen whose upper rows fade into the surroundings' very colour has no edge there at any
    distance: its shape is unknown, so no screen is found (the photo is searched as it is), rather than one
    cut short (a Gen IV photo's so cut had the GBA's shape, and its sprite was read as a Gen III one)."""
    rng = np.random.default_rng(seed)
    photo = photograph(rng, fading_screen(rng, 0.0, 60.0))
    assert find_screen(photo.image, SIZES) is None
    # The check can tell: taking every side for an edge, a screen short of its top is found.
    monkeypatch.setattr("core.screen._edged", lambda *args: True)
    cut = find_screen(photo.image, SIZES)
    assert cut is not None
    assert cut.screen_size != (256, 192) or cut.scale < 0.97 * true_scale(photo, (256, 192))
