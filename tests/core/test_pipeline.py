"""End to end: bytes or a path in, an Identification out, for Spinda screenshots, other pictures and junk."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from core.assets import EXAMPLES_DIR, default_pack, load_pack, second_frame_pack
from core.decode import BEAM, observe
from core.detect import Detection, Frame, Measured, _screen_families, detect, paint_box
from core.enlargement import Tilt, tilts
from core.games import GEN3, GEN4, GameFamily
from core.pipeline import Identification, Identifier, _best, _seen_whole
from core.render import SpindaRenderer
from training.scenes import (
    CONTEXTS,
    KINDS,
    Scene,
    make_no_spinda,
    make_photo,
    make_screenshot,
    no_spinda_crops,
    no_spinda_scenes,
    scenes,
)

JSON_KEYS = [
    "path",
    "status",
    "pid",
    "game",
    "confidence",
    "fingerprint",
    "siblings",
    "candidates",
    "message",
]


@pytest.fixture(scope="module")
def identifier() -> Identifier:
    return Identifier()


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def same_look(identifier: Identifier, game: str, a: int, b: int) -> bool:
    pixels = identifier.looks[game].renderer.spot_pixels([a, b])
    return bool(np.array_equal(pixels[0], pixels[1]))


@pytest.mark.parametrize("family", [GEN3, GEN4], ids=lambda f: f.key)
def test_screenshots_of_our_art(identifier: Identifier, family: GameFamily) -> None:
    renderer = identifier.looks[family.key].renderer
    rng = np.random.default_rng(11)
    for scale in (2.0, 3.0):
        pid = int(rng.integers(0, 2**32))
        scene = make_screenshot(renderer.rgba([pid])[0], rng, scale, None, None, "plain")
        result = identifier.identify_bytes(png(scene.image), "shot.png")
        assert result.status == "ok", result.message
        assert result.game == family.key
        assert result.pid is not None and same_look(identifier, result.game, result.pid, pid)
        assert result.pid in result.siblings and pid in result.siblings
        assert 0.0 < result.confidence <= 1.0
        assert result.crop is not None and result.crop.size == (renderer.size, renderer.size)


@pytest.mark.parametrize(
    ("name", "pid", "shiny"),
    [
        ("gen3_F2410A57.png", 0xF2410A57, False),
        ("gen4_DEADBEEF.png", 0xDEADBEEF, False),
        ("gen3_1234ABCD_shiny.jpg", 0x1234ABCD, True),
    ],
)
def test_the_bundled_examples(identifier: Identifier, name: str, pid: int, shiny: bool) -> None:
    """The README's examples; the shiny one is smoothed x2 and JPEG-compressed, its spot edges blurred."""
    result = identifier.identify_path(EXAMPLES_DIR / name)
    assert result.status == "ok", result.message
    assert result.pid is not None and result.game is not None
    assert same_look(identifier, result.game, result.pid, pid)
    assert result.shiny == shiny


@pytest.mark.parametrize("family", [GEN3, GEN4], ids=lambda f: f.key)
def test_sharp_captures_of_the_games_sprites(
    identifier: Identifier, family: GameFamily, reference_dir: Path
) -> None:
    """The commonest input: an emulator capture of the games' own sprite, with our art configured. At any
    whole scale the source pixels are recovered exactly, so the answer is right and confident (the bot
    flags answers under 0.5 as unsure)."""
    renderer = SpindaRenderer(load_pack(reference_dir / family.key, family))
    rng = np.random.default_rng(21)
    for scale, context in ((1.0, "summary"), (2.0, "battle"), (4.0, "pokedex")):
        pid = int(rng.integers(0, 2**32))
        scene = make_screenshot(renderer.rgba([pid])[0], rng, scale, None, None, context)  # type: ignore[arg-type]
        result = identifier.identify_array(scene.image)
        assert result.status == "ok" and result.game == family.key, (scale, result.message)
        assert result.pid is not None
        pixels = renderer.spot_pixels([pid, result.pid])
        assert np.array_equal(pixels[0], pixels[1]), (scale, f"{pid:08X}", f"{result.pid:08X}")
        assert result.confidence >= 0.5, (scale, result.confidence)
        assert f"scale {scale:.2f}" in result.message


def test_photos_of_the_games_gen4_sprite_in_game_screens(identifier: Identifier, reference_dir: Path) -> None:
    """Phone photos of a game screen: blur spread over several picture pixels joins the sprite to busy
    screens in gentle steps, so the sprite is looked for in the rectified screen taken down to game pixels.
    (Looked for at the photo's scale, 4 of these 6 were right.)"""
    renderer = SpindaRenderer(load_pack(reference_dir / "gen4", GEN4))
    right = 0
    for seed in range(5, 11):
        rng = np.random.default_rng([seed, 5])
        pid = int(rng.integers(0, 2**32))
        context = CONTEXTS[seed % len(CONTEXTS)]
        scene = make_photo(renderer.rgba([pid])[0], rng, float(rng.uniform(3.0, 6.0)), context=context)
        result = identifier.identify_array(scene.image)
        if result.game == "gen4" and result.pid is not None:
            right += bool(np.array_equal(*renderer.spot_pixels([pid, result.pid])))
    assert right >= 5


def assert_look_right(identifier: Identifier, renderer: SpindaRenderer, pid: int, scene: Scene) -> None:
    """The picture is answered in the renderer's family with a PID that draws `pid`'s look."""
    result = identifier.identify_array(scene.image)
    assert result.game == renderer.pack.family.key and result.pid is not None
    assert np.array_equal(*renderer.spot_pixels([pid, result.pid])), f"{result.pid:08X} for {pid:08X}"


def assert_games_picture_read(
    identifier: Identifier, reference_dir: Path, family: GameFamily, kind: str, seed: int, index: int
) -> None:
    """Picture `index` of `scenes` of the games' sprite (`kind`, seed `seed`) is read right."""
    renderer = SpindaRenderer(load_pack(reference_dir / family.key, family))
    pid, scene = scenes(renderer, kind, index + 1, np.random.default_rng(seed))[index]
    assert_look_right(identifier, renderer, pid, scene)


def test_a_frame_a_game_pixel_off_loses_to_the_right_one(identifier: Identifier, reference_dir: Path) -> None:
    """Smoothed screenshots of the games' Gen IV sprite whose silhouette leaves the whole-pixel offset in
    doubt: the frames one game pixel apart explain the spots about equally (they move with the frame), and
    the one that puts part of the sprite beyond the art's silhouette loses. (Before that counted, both of
    these were read one pixel off, with a wrong look.)"""
    renderer = SpindaRenderer(load_pack(reference_dir / "gen4", GEN4))
    pictures = scenes(renderer, "smooth+jpeg", 32, np.random.default_rng(5))
    for index in (13, 30):
        pid, scene = pictures[index]
        assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("seed", "index"), [(5, 15), (5, 54), (7, 9), (7, 33)])
def test_the_whole_pixel_offset_of_a_smoothed_sprite(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Smoothed screenshots of the games' Gen IV sprite that were read a game pixel off: in the first two
    the coarse frame was too far off for the reconstruction's margin, which left only boxes a pixel off
    (the reconstruction is now moved to where the silhouette puts the sprite); in the other two the
    silhouette lost a faint line against a background of near colours and left a row in doubt, which the
    paint box settles."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "smooth+jpeg", seed, index)


def test_a_photo_is_read_in_its_screens_family(identifier: Identifier, reference_dir: Path) -> None:
    """A phone photo of a DS screen showing the games' Gen IV sprite: its paint box also fits the Gen III
    one's, and read so it had been answered as a Gen III Spinda. The DS screen's shape rules that out."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "photo", 5, 4)


@pytest.mark.parametrize("index", [26, 33])
def test_a_photo_exposed_far_off_is_looked_at_otherwise(
    identifier: Identifier, reference_dir: Path, index: int
) -> None:
    """Phone photos of the games' Gen III sprite whose exposure and colour balance put its cream beyond the
    paint tolerance (one a shiny on a dark orange screen): nothing was found, now the screen is looked at
    brighter (core.detect._PHOTO_EXPOSURES)."""
    assert_games_picture_read(identifier, reference_dir, GEN3, "photo", 7, index)


@pytest.mark.parametrize(("seed", "index"), [(9, 26), (9, 31), (7, 6)])
def test_a_photographed_sprite_whose_ears_part_from_the_head_is_not_read_a_row_off(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos of the games' Gen III sprite whose silhouette came apart in the reconstruction: the
    largest part alone was a few rows short, the offset fell to the paint box, and the answer was read a
    game pixel high (confidence up to 0.4)."""
    assert_games_picture_read(identifier, reference_dir, GEN3, "photo", seed, index)


@pytest.mark.parametrize(("seed", "index"), [(7, 11), (7, 13), (9, 16)])
def test_cream_darkened_at_a_photographed_sprites_edge_holds_no_spot(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos of the games' Gen IV sprite whose answer had moved a spot onto the body's edge, where
    cream blurred with the outline lies nearer a spot colour than any cream (core.decode.observe)."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "photo", seed, index)


@pytest.mark.parametrize(("seed", "index"), [(5, 34), (9, 3), (9, 10)])
def test_a_photographed_sprite_whose_cream_is_the_screens_is_found(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos of the games' Gen III sprite on a screen of its cream's colour: the sprite's region held
    a fifth to a third of the body core, its outline all round, and was not taken for a Spinda
    (core.decode.BodyShape.filled)."""
    assert_games_picture_read(identifier, reference_dir, GEN3, "photo", seed, index)


@pytest.mark.parametrize(("seed", "index"), [(9, 3), (9, 18), (21, 49)])
def test_a_spot_showing_a_blurred_pixel_or_two_is_read_from_the_pixels(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos of the games' Gen IV sprite where one spot shows a pixel or two at the body's edge: the
    pixels favour the right position by less than one, and the CNN, trained on our art, had outweighed them
    (core.decode.PRIOR_WEIGHT), in two of these for a position hidden off the body."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "photo", seed, index)


def test_a_spot_is_not_read_into_the_games_wider_mouth(identifier: Identifier, reference_dir: Path) -> None:
    """A phone photo of the games' Gen IV sprite, whose mouth reaches two pixels past our art's at its lower
    right: a left face spot placed over that second pixel explains it as spot unless paint joined to the
    mouth within two steps is the mouth (core.decode.FIXED_PAINT_STEPS; read F6 with one step)."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "photo", 7, 0)


@pytest.mark.parametrize(("family", "seed", "index"), [(GEN3, 9, 1), (GEN4, 21, 23)])
def test_a_photo_blurred_between_two_filters_is_read_with_the_one_between(
    identifier: Identifier, reference_dir: Path, family: GameFamily, seed: int, index: int
) -> None:
    """Phone photos whose blur the enlargement's filters of 0.7 and 1.4 picture pixels undid only in part
    (core.enlargement.KERNELS): without the 1.0 between them the Gen III one was read in a frame a pixel
    off (57AD9397 for 479D8387) and the Gen IV one wrong at confidence 0.69."""
    assert_games_picture_read(identifier, reference_dir, family, "photo", seed, index)


@pytest.mark.parametrize(("family", "seed", "index"), [(GEN3, 5, 20), (GEN4, 7, 35)])
def test_a_frame_leaving_the_body_cores_edge_out_loses(
    identifier: Identifier, reference_dir: Path, family: GameFamily, seed: int, index: int
) -> None:
    """Phone photos of the games' sprites whose frame one game pixel to the side explains the spots about as
    well but leaves more of the body core outside the sprite (core.pipeline.UNCOVERED_WEIGHT): without that
    cost the Gen III one is read a pixel off in every spot (B44BE846 for B34AE745), as the Gen IV one was
    before session 10's enlargement filter (5 core pixels out at the right frame, 18 at the wrong one)."""
    assert_games_picture_read(identifier, reference_dir, family, "photo", seed, index)


def test_a_background_in_spinda_colours_gets_a_second_stricter_look(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A smoothed screenshot of the games' Gen III sprite on stripes of cream and orange, cut 12 pixels
    narrower than a whole screen (so searched at its own resolution, its scale unknown): the background
    the detector takes out runs into the sprite through its blurred edges (the games' art leaves gaps in
    its outline) and no frame of the right scale is left; the stricter look parts them. (Whole, the
    capture is now read on the first look, at its game pixels and at its own scale.)"""
    renderer = SpindaRenderer(load_pack(reference_dir / "gen3", GEN3))
    pid, scene = scenes(renderer, "smooth+jpeg", 31, np.random.default_rng(5))[30]
    assert scene.homography is not None
    scale = scene.homography[0, 0]
    cut = replace(scene, image=np.ascontiguousarray(scene.image[:, :-12]))

    def right_scale_found(strict: bool) -> bool:
        found = detect(cut.image, identifier.colours, [GEN3], strict_background=strict)
        return any(abs(d.frame.scale / scale - 1) < 0.05 for d in found)

    assert not right_scale_found(False) and right_scale_found(True)
    assert_look_right(identifier, renderer, pid, cut)


@pytest.mark.parametrize("index", [20, 49])
def test_a_pattern_of_near_colours_behind_the_sprite_is_taken_out(
    identifier: Identifier, reference_dir: Path, index: int
) -> None:
    """Smoothed screenshots of the games' Gen III sprite on stripes of tan and orange (20) and on a
    checkerboard of two oranges (49): with a sprite and panels over them and JPEG noise, their period
    leaves the picture only 0.57-0.62 as unlike as a smaller shift did; read as a pattern, they are taken
    out and the sprite stands alone (both were answered no Spinda before)."""
    assert_games_picture_read(identifier, reference_dir, GEN3, "smooth+jpeg", 5, index)


def test_a_gradient_through_the_spot_colours_is_taken_out_on_the_second_look(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A smoothed screenshot (x1.6, JPEG) of the games' Gen IV sprite on an orange-to-magenta gradient: a
    flat area's pixels of exact paint colours stay on the first look (the games' cream touches the
    background unoutlined), and there the gradient's band through the spot colours joins the sprite's
    spot-coloured arm and leg, so nothing was Spinda-shaped; the strict look takes them out too."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "smooth+jpeg", 5, 14)


@pytest.mark.parametrize(("seed", "index"), [(21, 3), (9, 1), (21, 43)])
def test_a_dark_photo_has_its_cast_taken_out(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos of the games' Gen IV sprite at about 0.87/0.84/0.76 of the art's colours: the main cream
    then lies on the art's dark cream, the colour cast estimated from there was left near 1, and cream
    pixels beside a face spot were read as neither cream nor spot (ColourModel.cast)."""
    assert_games_picture_read(identifier, reference_dir, GEN4, "photo", seed, index)


@pytest.mark.parametrize(("seed", "index"), [(5, 47), (9, 42)])
def test_a_photographed_sprite_is_fitted_at_its_screens_game_pixel(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos of the games' Gen III sprite whose coarse box took in background (stripes of its spot
    colour) or lost a part: the fit settled at 0.76 of the screen's game pixel (no Spinda found) and at 1.05
    (read wrong in every spot); fitted again at the screen's own game pixel (_PHOTO_SCALE_SLACK)."""
    assert_games_picture_read(identifier, reference_dir, GEN3, "photo", seed, index)


def test_a_whole_screen_capture_is_read_in_its_consoles_family(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A smoothed capture (x1.7, JPEG) of a whole GBA screen showing the games' Gen III sprite: a Gen IV
    reading, one row off in our Gen IV art's frame, explained the spots better (support 55.8 against the
    right reading's 15.9: our Gen III art's silhouette leaves 87 of the sprite's pixels beyond it, our Gen IV
    art's 30) and was answered; the screen's shape names the family (the bench's held-out seed 13)."""
    renderer, pid, scene = bench_picture(reference_dir, GEN3, "smooth+jpeg", 13, 8)
    assert_look_right(identifier, renderer, pid, scene)


def bench_picture(
    reference_dir: Path, family: GameFamily, kind: str, seed: int, index: int
) -> tuple[SpindaRenderer, int, Scene]:
    """Picture `index` of a cell of the bench's pictures of the games' sprite (bench/identify_bench.py)."""
    renderer = SpindaRenderer(load_pack(reference_dir / family.key, family))
    rng = np.random.default_rng([seed, family.frame_size or 0, KINDS.index(kind)])
    pid, scene = scenes(renderer, kind, index + 1, rng)[index]
    return renderer, pid, scene


def test_a_whole_screen_capture_is_searched_at_its_game_pixels(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A smoothed capture of a whole DS screen (the bench's held-out seed 11) in which the search at its
    own resolution finds no Spinda (it was answered so), and which is read right at the screen's game
    pixels, the picture's width over the console's."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "smooth+jpeg", 11, 35)
    found = detect(scene.image, identifier.colours, identifier.families, at_screen_pixels=False)
    assert _best(identifier._decoded(found)) is None
    assert_look_right(identifier, renderer, pid, scene)


def test_a_whole_screen_capture_is_searched_at_its_own_resolution_where_its_game_pixels_show_none(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A smoothed capture of a whole GBA screen (x2.3, the shiny Gen III sprite on stripes of red and of
    its own spots' green) in which the search at the screen's game pixels finds no Spinda, and at the
    picture's own resolution does. (Session 23's picture, Gen III seed 7 #28, a sprite on a plain peach
    screen, is found at its game pixels since session 24's search without stripes and gradients.)"""
    renderer, pid, scene = bench_picture(reference_dir, GEN3, "smooth+jpeg", 5, 27)
    assert _best(identifier._decoded(detect(scene.image, identifier.colours, identifier.families))) is None
    assert_look_right(identifier, renderer, pid, scene)


def test_a_photo_whose_first_look_shows_a_part_of_the_sprite_is_looked_at_brighter(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A phone photo of the games' Gen III sprite (the bench's seed 25 #16), dim and cast: as it is, a part
    of the sprite is found in paint colours, and its box decodes to no Spinda; that photo was not looked
    at brighter (only one where nothing at all was found was) and was answered no Spinda."""
    renderer, pid, scene = bench_picture(reference_dir, GEN3, "photo", 25, 16)
    found = detect(scene.image, identifier.colours, identifier.families)
    assert found and _best(identifier._decoded(found)) is None
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "index"), [(GEN3, 46), (GEN4, 43)])
def test_a_smoothed_crop_is_searched_at_trial_game_pixels_where_its_own_resolution_shows_none(
    identifier: Identifier, reference_dir: Path, family: GameFamily, index: int
) -> None:
    """Smoothed captures cropped around the sprite (the bench's "smooth+jpeg crop", seed 5): not a whole
    screen, so searched at their own resolution, where nothing is found (a background in Spinda's colours
    that the search, allowing sprites up to x8, keeps); at trial game pixels each is read right."""
    renderer, pid, scene = bench_picture(reference_dir, family, "smooth+jpeg crop", 5, index)
    assert _best(identifier._decoded(detect(scene.image, identifier.colours, identifier.families))) is None
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("seed", "index"), [(5, 45), (7, 18)])
def test_a_crop_shaped_nearly_like_a_screen_is_searched_as_a_crop(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Gen III smoothed captures cropped (the bench's "smooth+jpeg crop") to 640x476 and 566x375, within 1%
    of the DS's and the GBA's aspect ratio: searched as whole screens at the screen's game pixels (x2.5,
    x2.36), their sprites at x3.47 and x3.32 were fitted at a wrong scale and read wrong."""
    renderer, pid, scene = bench_picture(reference_dir, GEN3, "smooth+jpeg crop", seed, index)
    assert _screen_families(scene.image, identifier.families) == []
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "index"), [(GEN3, 12), (GEN4, 35)])
def test_a_cropped_photo_is_straightened_where_its_grid_leans(
    identifier: Identifier,
    reference_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    family: GameFamily,
    index: int,
) -> None:
    """Phone photos cropped around the sprite (the bench's "photo crop", seed 5): no screen is left to
    rectify, so the photo's perspective leans the sprite's grid and makes its game pixels oblong. Fitted
    square and upright, as every crop was, both are read wrong (at confidence 0.08 and 0.15; the Gen IV
    one at 0.64 before session 23's scale fit by dips); fitted with each axis's own scale and
    straightened, right. (Session 23's fit reads Gen III's picture 14, the first one here, right either
    way.)"""
    renderer, pid, scene = bench_picture(reference_dir, family, "photo crop", 5, index)
    assert_look_right(identifier, renderer, pid, scene)
    monkeypatch.setattr("core.detect._LEAST_LEANING_SCALE", float("inf"))
    with pytest.raises(AssertionError):
        assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "seed", "index"), [(GEN3, 7, 24), (GEN4, 5, 49)])
def test_a_cropped_photo_whose_fit_disagrees_between_axes_has_its_lean_searched_with_its_scale(
    identifier: Identifier,
    reference_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    family: GameFamily,
    seed: int,
    index: int,
) -> None:
    """Phone photos cropped around the sprite (the bench's "photo crop") whose leaning grid led the fit
    along one axis to a wrong scale: the lean measured at that fit was off, and both are read wrong (at
    confidence 0.10 and 0.06); measured from the coarse frame with the scale searched as well (their
    fit's axes disagree by more than _SQUARE_ENOUGH), right. (Session 23's scale fit by dips reads the
    first two found, Gen III seed 7 picture 28 and Gen IV seed 7 picture 13, right either way.)"""
    renderer, pid, scene = bench_picture(reference_dir, family, "photo crop", seed, index)
    assert_look_right(identifier, renderer, pid, scene)
    monkeypatch.setattr("core.detect._SQUARE_ENOUGH", float("inf"))
    with pytest.raises(AssertionError):
        assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "seed", "index"), [(GEN3, 5, 10), (GEN4, 7, 8)])
def test_a_cropped_photo_whose_cast_hides_the_cream_is_looked_at_brighter(
    identifier: Identifier,
    reference_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    family: GameFamily,
    seed: int,
    index: int,
) -> None:
    """Phone photos cropped around the sprite (the bench's "photo crop") whose cast puts the sprite's cream
    beyond the paint colours: no screen is left to look at brighter, and every look found no Spinda.
    Looked at brighter last (core.detect._CROP_EXPOSURE), both are read right."""
    renderer, pid, scene = bench_picture(reference_dir, family, "photo crop", seed, index)
    assert_look_right(identifier, renderer, pid, scene)
    monkeypatch.setattr("core.detect._CROP_EXPOSURE", 1.0)
    assert identifier.identify_array(scene.image).status == "no_spinda"


def test_every_look_at_one_picture_shares_what_is_measured_of_it(
    identifier: Identifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crop with no Spinda takes every look (own resolution, trial game pixels, each again with a
    stricter background, then brighter): all of them are given one Measured, so a sprite's lean, the
    costliest step of a crop's search, and a box's fit are measured once for the picture, and the next
    picture starts afresh."""
    given: list[object] = []

    def recorded(*args: Any, **kwargs: Any) -> list[Detection]:
        given.append(kwargs.get("measured"))
        return detect(*args, **kwargs)

    monkeypatch.setattr("core.pipeline.detect", recorded)
    image = np.random.default_rng(0).integers(90, 110, (150, 170, 3), dtype=np.uint8)
    assert identifier.identify_array(image).status == "no_spinda"
    assert len(given) == 5 and isinstance(given[0], Measured)
    assert all(measured is given[0] for measured in given)
    identifier.identify_array(image)
    assert given[5] is not given[0]


def test_a_hidden_spot_is_weighed_against_the_distinct_looks_it_beat(
    identifier: Identifier, reference_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Gen IV capture cropped around the sprite (the bench's "smooth+jpeg crop", seed 5 #35) whose left
    ear spot shows two pixels, one of them lost to JPEG's colour: the spot hidden, the true place and
    another tie within a twentieth of a pixel before the CNN prior. Its beam took the four best bytes as
    they came, all hiding the spot, and the answer hid it at confidence 0.76; weighing each spot's best
    distinct looks (core.decode._distinct_best), the true look is answered, at 0.28."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "smooth+jpeg crop", 5, 35)
    assert_look_right(identifier, renderer, pid, scene)
    monkeypatch.setattr(
        "core.decode._distinct_best", lambda gains, covers: np.argsort(-gains, kind="stable")[:BEAM]
    )
    with pytest.raises(AssertionError):
        assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "index"), [(GEN3, 18), (GEN4, 17)])
def test_a_whole_screen_capture_is_fitted_with_an_unblurred_filter(
    identifier: Identifier, reference_dir: Path, family: GameFamily, index: int
) -> None:
    """Smoothed captures at x1.6 (the bench's seed 5) that JPEG had left looking blurred: fitted with a
    blurred filter, the Gen IV one reconstructed into a checkerboard of noise (no Spinda found) and the
    Gen III one had its left ear spot read two rows off (confidence 0.05). A capture is never blurred
    further (CAPTURE_KERNELS)."""
    renderer, pid, scene = bench_picture(reference_dir, family, "smooth+jpeg", 5, index)
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(
    ("family", "seed", "index"), [(GEN3, 5, 39), (GEN3, 13, 35), (GEN4, 5, 27), (GEN4, 7, 21), (GEN4, 17, 2)]
)
def test_a_captures_edge_colours_are_not_taken_for_blends_with_the_outline(
    identifier: Identifier,
    reference_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    family: GameFamily,
    seed: int,
    index: int,
) -> None:
    """Smoothed JPEG captures (the bench's) where a spot shows a pixel or two beside the outline, their
    colour washed towards cream by JPEG's colour subsampling but their brightness kept. Read as a photo's
    crop is, allowing each edge pixel to be paint blended with the outline, those pixels were darkened
    cream, and the answer hid that spot's edge; a capture's unblurred enlargement is undone exactly and
    they are read as they are (core.decode.observe)."""
    renderer, pid, scene = bench_picture(reference_dir, family, "smooth+jpeg", seed, index)
    assert_look_right(identifier, renderer, pid, scene)
    monkeypatch.setattr("core.pipeline.observe", lambda d, *rest: observe(replace(d, blurred=True), *rest))
    found = identifier.identify_array(scene.image)
    assert found.pid is not None and not same_look(identifier, family.key, pid, found.pid)


@pytest.mark.parametrize(("seed", "index"), [(13, 9), (7, 27)])
def test_a_green_backgrounds_edge_is_not_taken_for_shiny_spots(
    identifier: Identifier, reference_dir: Path, monkeypatch: pytest.MonkeyPatch, seed: int, index: int
) -> None:
    """Smoothed Gen IV captures (the bench's) on a bright green and on a pale green gradient, whose
    background darkened against the outline reads as the shiny palette's spot colour: counted at the
    region's edge, those pixels let a face spot's position hidden off the body (02) claim the head's left
    edge over the true one, showing a pixel or two."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "smooth+jpeg", seed, index)
    assert_look_right(identifier, renderer, pid, scene)
    monkeypatch.setattr("core.decode._region_edge", lambda inside: np.zeros_like(inside))
    found = identifier.identify_array(scene.image)
    assert found.pid is not None and not same_look(identifier, GEN4.key, pid, found.pid)


@pytest.mark.parametrize(("family", "index"), [(GEN3, 27), (GEN4, 29)])
def test_a_whole_screen_capture_is_fitted_at_its_own_scale(
    identifier: Identifier, reference_dir: Path, family: GameFamily, index: int
) -> None:
    """Smoothed captures (the bench's seed 5) whose game pixel is their width over the console's: the Gen
    IV one at x1.52 had been fitted 5% large and read wrong, the Gen III one at x2.3 on stripes of red and
    green was not found. A fit straying from a capture's scale is fitted again at it."""
    renderer, pid, scene = bench_picture(reference_dir, family, "smooth+jpeg", 5, index)
    assert_look_right(identifier, renderer, pid, scene)


def test_a_photo_of_a_dark_screen_beside_a_dark_bezel_is_read_in_its_family(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A phone photo (the bench's seed 5) of a DS screen of dark teal, 27-29 levels from its dark bezel:
    the screen was not found, so the whole photo was searched for both families and the Gen IV sprite read
    as a Gen III one; found against the bezel's noise, the screen names the family."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "photo", 5, 0)
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("seed", "index"), [(5, 21), (15, 47), (19, 32)])
def test_a_photo_of_a_screen_fading_into_its_surroundings_is_read_in_its_family(
    identifier: Identifier, reference_dir: Path, seed: int, index: int
) -> None:
    """Phone photos (the bench's seeds 5, 15 and 19) of DS screens whose picture darkens towards the
    surroundings' colour at a corner, the bottom or the top: the screen's outline was cut there, so it was
    warped back askew (the Gen IV sprite read a column off at confidence 0.40) or took the GBA's shape (read
    as a Gen III one). A cut side has no surroundings beyond it, or no screen within it, and the screen is
    looked for again fainter, or where the picture fades into the surroundings' very colour (seed 19), not
    at all: the photo is searched as it is (core.screen)."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "photo", seed, index)
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(
    ("kind", "index"), [("smooth+jpeg", 2), ("smooth+jpeg", 7), ("photo", 0), ("photo", 2)]
)
def test_the_gen4_sprites_second_animation_frame_is_framed_right(
    identifier: Identifier, reference_dir: Path, kind: str, index: int
) -> None:
    """Pictures (the bench's seed 5 cells, `--second-frame`) of the games' Gen IV sprite on its second
    animation frame, whose arms and legs are drawn elsewhere: pixels of the sprite beyond our art's
    silhouette count for choosing a frame only above row 43 (`GameFamily.pose_row`), where both frames are
    drawn alike. Counting every row, each of these was read a column off (of the cell's first 12: smoothed
    5 right, photos 4; above row 43, 11 and 12)."""
    drawn = second_frame_pack(load_pack(reference_dir / "gen4", GEN4))
    assert drawn is not None
    renderer = SpindaRenderer(drawn)
    rng = np.random.default_rng([5, GEN4.frame_size or 0, KINDS.index(kind)])
    pid, scene = scenes(renderer, kind, index + 1, rng)[index]
    assert_look_right(identifier, renderer, pid, scene)
    every_row = Identifier()
    body = every_row.bodies["gen4"]
    every_row.bodies["gen4"] = replace(body, steady=np.ones_like(body.steady))
    wrong = every_row.identify_array(scene.image).pid
    assert wrong is not None and not np.array_equal(*renderer.spot_pixels([pid, wrong]))


def test_a_gen4_photo_with_few_spots_showing_is_found(identifier: Identifier, reference_dir: Path) -> None:
    """A phone photo (the bench's seed 23) of the games' Gen IV sprite whose spots lie mostly off its body:
    its PID shows 21 spot pixels, explained 11.8 in the photo, and was answered no Spinda while a fit
    needed 12 (core.decode.MIN_EXPLAINED)."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "photo", 23, 9)
    assert int(renderer.spot_pixels([pid]).sum()) <= 21
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "seed", "index"), [(GEN3, 7, 24), (GEN4, 11, 17)])
def test_a_photographed_sprite_is_framed_within_its_silhouettes_readings(
    identifier: Identifier, reference_dir: Path, family: GameFamily, seed: int, index: int
) -> None:
    """Phone photos (the bench's seeds 7 and 11) whose silhouette read a line long (across; the Gen IV one
    down too), and whose paint box held 3 more paint pixels a line beyond every reading (a blurred halo on
    one side): that box had been decoded, every spot a row (Gen III) or a column (Gen IV) off. The box
    only chooses among the readings."""
    renderer, pid, scene = bench_picture(reference_dir, family, "photo", seed, index)
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("kind", "seed", "index"), [("smooth+jpeg", 17, 12), ("photo", 11, 12)])
def test_paint_joined_to_the_screen_only_through_a_gradient_is_the_sprites(
    identifier: Identifier, reference_dir: Path, kind: str, seed: int, index: int
) -> None:
    """Pictures of the games' Gen III sprite (the bench's held-out seeds 17 and 11): a capture at x4.2 on a
    brown screen, whose one spot pixel on the right ear's edge was joined to the screen through the brown
    outline and read as background (the answer hid that spot, at confidence 0.67); a photo on a
    cream-to-green screen, too little of whose body was left to the sprite for it to be found."""
    renderer, pid, scene = bench_picture(reference_dir, GEN3, kind, seed, index)
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("kind", "seed", "index"), [("smooth+jpeg", 5, 40), ("photo", 13, 37)])
def test_the_cnns_certainty_does_not_outvote_the_pixels(
    identifier: Identifier, reference_dir: Path, kind: str, seed: int, index: int
) -> None:
    """Pictures of the games' Gen IV sprite (the bench's seeds 5 and 13) whose left face spot the network,
    trained on other art, placed a pixel off with near certainty: in the capture at x5.25 the pixels
    favoured the truth by 0.8 and the prior the answer by 1.4 (core.decode.PRIOR_CAP)."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, kind, seed, index)
    assert_look_right(identifier, renderer, pid, scene)


def test_a_photo_under_a_yellow_cast_is_read_in_the_normal_palette(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A phone photo (the bench's held-out seed 13) of the games' Gen IV sprite under a yellow cast, its
    face spots beside the mouth dark red: judged on the allowed region alone, the cast cream made the
    sprite shiny, its spot evidence was halved and no Spinda was found. Its arms take the palette too."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, "photo", 13, 48)
    assert_look_right(identifier, renderer, pid, scene)


def test_json_shape(identifier: Identifier) -> None:
    renderer = identifier.looks["gen3"].renderer
    scene = make_screenshot(
        renderer.rgba([0xF2410A57])[0], np.random.default_rng(12), 3.0, None, None, "plain"
    )
    result = identifier.identify_bytes(png(scene.image), "shot.png")
    data = result.to_json()
    assert list(data) == JSON_KEYS
    assert data["pid"] == f"{result.pid:08X}" and data["path"] == "shot.png"
    assert all(len(p) == 8 for p in data["siblings"])
    looks = {identifier.looks["gen3"].look(int(c["pid"], 16)).tobytes() for c in data["candidates"]}
    assert len(looks) == len(data["candidates"])  # distinct looks
    assert identifier.looks["gen3"].look(result.pid or 0).tobytes() not in looks


def test_game_restriction() -> None:
    only_gen4 = Identifier(game="platinum")
    assert [f.key for f in only_gen4.families] == ["gen4"]


def test_no_spinda_pictures(identifier: Identifier) -> None:
    rng = np.random.default_rng(13)
    for i in range(6):
        scene = make_no_spinda(rng, 64 if i % 2 else 80, 2.0)
        result = identifier.identify_array(scene.image, f"other{i}.png")
        assert result.status == "no_spinda", (i, result.pid, result.confidence)
        assert result.pid is None and "no Spinda" in result.message
        assert result.to_json() == {"path": f"other{i}.png", "status": "no_spinda", "message": result.message}


def test_an_earless_cream_blob_with_orange_patches_is_no_spinda(identifier: Identifier) -> None:
    """Two of bench/identify_bench.py's no-Spinda pictures (seed 2026, 200 of them) that had been answered a
    Spinda, at confidence 0.08 and 0.49: blobs covering the body core within its reach, but earless."""
    for i, scene in enumerate(no_spinda_scenes(129, np.random.default_rng([2026, 99]))):
        if i in (120, 128):
            result = identifier.identify_array(scene.image)
            assert result.status == "no_spinda", (i, result.pid, result.confidence)


def test_only_sprites_seen_whole_are_read() -> None:
    """A frame whose paint box hangs off the picture by more than a game pixel is not read (its body lies
    partly beyond the picture); within a game pixel, the fit's error, it is."""
    size = GEN3.frame_size or 0
    picture = np.zeros((300, 400, 3), np.uint8)

    def at(x: float, y: float) -> Detection:
        return Detection(
            Frame(GEN3, x, y, 3.0, 3.0),
            np.zeros((size, size, 3), np.uint8),
            np.zeros((size, size, 4), np.float32),
            np.zeros((size, size), bool),
        )

    box = paint_box(GEN3)  # its top row, 8, lies 24 picture pixels below the frame's
    inside, grazing, above = at(50.0, -23.0), at(50.0, -26.0), at(50.0, -31.0)
    right = at(400.0 - 3.0 * (box.x1 + 1) + 6.0, 10.0)
    assert _seen_whole([inside, grazing, above, right], picture) == [inside, grazing]


def test_a_reading_no_better_than_a_guess_is_no_spinda(
    identifier: Identifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crop around a creature in Spinda's cream (bench/identify_bench.py's no-Spinda crops, seed 2026
    #13) whose best reading passed every shape test and was answered at confidence 0.0096: under
    MIN_CONFIDENCE it is no Spinda, and the message says why."""
    scene = list(no_spinda_crops(14, np.random.default_rng([2026, 98])))[13]
    result = identifier.identify_array(scene.image)
    assert result.status == "no_spinda" and result.pid is None
    assert "better than a guess" in result.message
    monkeypatch.setattr("core.pipeline.MIN_CONFIDENCE", 0.0)
    guessed = identifier.identify_array(scene.image)
    assert guessed.status == "ok" and guessed.confidence is not None and guessed.confidence < 0.015


def test_a_crop_is_straightened_only_where_it_reads_spinda_shaped_upright(
    identifier: Identifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crop with no Spinda (bench/identify_bench.py's no-Spinda crops, seed 11 #0, 909x570) has dozens
    of boxes in Spinda's colours at the trial game pixels: none reads as Spinda-shaped upright, so none
    has its lean measured or is straightened, the costliest steps of its search. Straightened wherever
    its grid leans, its leans are measured many times over."""
    measured: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> Tilt:
        measured.append(args)
        return tilts(*args, **kwargs)

    monkeypatch.setattr("core.detect.tilts", counted)
    scene = next(iter(no_spinda_crops(1, np.random.default_rng([11, 98]))))
    assert identifier.identify_array(scene.image).status == "no_spinda"
    assert measured == []
    monkeypatch.setattr(Identifier, "_spinda_shaped", lambda self, found: True)
    assert identifier.identify_array(scene.image).status == "no_spinda"
    assert len(measured) > 3


def test_a_full_resolution_phone_photo(identifier: Identifier) -> None:
    """About 4000x3100 pixels, each screen pixel over 14 of them (core.screen shrinks it to 6)."""
    renderer = SpindaRenderer(default_pack(GEN4))
    rng = np.random.default_rng(0)
    pid = int(rng.integers(0, 2**32))
    scene = make_photo(renderer.rgba([pid])[0], rng, 14.0, context="plain")
    result = identifier.identify_array(scene.image)
    assert result.status == "ok" and result.pid is not None, result.message
    assert np.array_equal(renderer.spot_pixels([result.pid])[0], renderer.spot_pixels([pid])[0])


def test_photographed_no_spinda_pictures(identifier: Identifier) -> None:
    rng = np.random.default_rng(22)
    for i in range(4):
        scene = make_no_spinda(rng, 64 if i % 2 else 80, 3.0, photo=True)
        assert identifier.identify_array(scene.image).status == "no_spinda", i


def test_bad_files_are_errors_not_exceptions(identifier: Identifier, tmp_path: Path) -> None:
    assert identifier.identify_bytes(b"", "empty.png").status == "error"
    junk = identifier.identify_bytes(b"GIF89a but not really", "junk.gif")
    assert junk.status == "error" and "junk.gif" in junk.message
    missing = identifier.identify_path(tmp_path / "missing.png")
    assert missing.status == "error" and "no such file" in missing.message
    assert isinstance(missing, Identification)


def test_missing_model_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such model"):
        Identifier(model_path=tmp_path / "nope.pt")


@pytest.mark.parametrize(("kind", "seed", "index"), [("photo", 7, 22), ("smooth+jpeg", 7, 20)])
def test_a_gen4_face_spot_over_the_belly_is_not_charged_for_its_cream(
    identifier: Identifier, reference_dir: Path, kind: str, seed: int, index: int
) -> None:
    """Gen IV pictures whose right face spot reaches rows 48-49, where the games' belly stays cream under
    it: while our art's belly was paintable, those cream pixels counted against the true spot position
    (E18FF66A for F18FF66A, E4EF56DF for F4EF56DF, both one row up)."""
    renderer, pid, scene = bench_picture(reference_dir, GEN4, kind, seed, index)
    assert_look_right(identifier, renderer, pid, scene)


@pytest.mark.parametrize(("family", "seed", "index"), [(GEN3, 7, 13), (GEN4, 11, 10)])
def test_a_photos_cast_towards_the_other_palette_counts_less(
    identifier: Identifier, reference_dir: Path, family: GameFamily, seed: int, index: int
) -> None:
    """Photos of normal Spinda where the colour cast brings cream pixels near the shiny spot colours: counted
    fully as spot evidence they drew a spot onto them (7582C650 for 7591C650, B21BFC9C for B21B3E9C)."""
    renderer, pid, scene = bench_picture(reference_dir, family, "photo", seed, index)
    assert_look_right(identifier, renderer, pid, scene)


def test_a_silhouette_read_along_one_axis_holds_the_frame_along_it(
    identifier: Identifier, reference_dir: Path
) -> None:
    """A smoothed Gen III capture at x1.8 (the bench's seed 7 #16) whose background, in the reconstruction,
    took the sprite's lower part: its silhouette has the body's width but not its height. Left wholly to the
    paint box, the frame was a column off and all four spots were read a column off."""
    renderer, pid, scene = bench_picture(reference_dir, GEN3, "smooth+jpeg", 7, 16)
    assert_look_right(identifier, renderer, pid, scene)
