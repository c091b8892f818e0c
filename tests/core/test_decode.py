"""The decoder on exact renders: our art, and the games' sprites while configured with our art."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

import core.decode as decode_module
from core.assets import AssetPack, default_pack, load_pack
from core.decode import (
    OTHER_PALETTE,
    BodyShape,
    Observation,
    decode,
    envelope,
    observe,
    spinda_shaped,
)
from core.detect import CREAM, SPOT, ColourModel, Detection, Frame
from core.games import GEN3, GEN4, GameFamily
from core.pid import coordinates
from core.pipeline import MIN_FIT
from core.render import SpindaRenderer, spot_cover

FAMILIES = [GEN3, GEN4]


@pytest.fixture(scope="module")
def colours() -> ColourModel:
    return ColourModel(default_pack(f) for f in FAMILIES)


def exact_detection(pack: AssetPack, pid: int, colours: ColourModel, shiny: bool = False) -> Detection:
    """What the detector gives for a perfectly framed sprite: its pixels, over a neutral background."""
    rgba = SpindaRenderer(pack).rgba([pid], shiny)[0]
    crop = np.where(rgba[..., 3:] > 0, rgba[..., :3], 128).astype(np.uint8)
    size = crop.shape[0]
    distances = colours.class_distances(crop.reshape(-1, 3).astype(np.float32)).reshape(size, size, 4)
    return Detection(Frame(pack.family, 0.0, 0.0, 1.0, 1.0), crop, distances, rgba[..., 3] > 0, True)


def decoded_right(pack: AssetPack, pids: list[int], colours: ColourModel, shiny: bool = False) -> int:
    renderer = SpindaRenderer(pack)
    allowed = envelope(pack.family, default_pack(pack.family).cream)
    right = 0
    for pid in pids:
        found = decode(observe(exact_detection(pack, pid, colours, shiny), colours, allowed)).pids[0]
        right += bool(np.array_equal(renderer.spot_pixels([found])[0], renderer.spot_pixels([pid])[0]))
    return right


def random_pids(count: int, seed: int) -> list[int]:
    return [int(p) for p in np.random.default_rng(seed).integers(0, 2**32, count)]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_exact_renders_of_our_art(family: GameFamily, colours: ColourModel) -> None:
    assert decoded_right(default_pack(family), random_pids(25, 1), colours) == 25


def test_shiny_renders_of_our_art(colours: ColourModel) -> None:
    pack = default_pack(GEN3)
    detection = exact_detection(pack, 0x1234ABCD, colours, shiny=True)
    result = decode(observe(detection, colours, envelope(GEN3, pack.cream)))
    assert result.shiny
    assert decoded_right(pack, random_pids(10, 2), colours, shiny=True) == 10


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_the_games_sprites_with_our_art_configured(
    family: GameFamily, colours: ColourModel, reference_dir: Path
) -> None:
    """The games' cream mask differs from our art's; the decoder reads paintable pixels from the crop.
    (Gen IV was 190 of these 200 while paint touching the mouth counted as spot evidence.)"""
    pack = load_pack(reference_dir / family.key, family)
    assert decoded_right(pack, random_pids(200, 3), colours) >= 197


def test_paint_touching_fixed_spot_coloured_parts_is_no_spot_evidence(colours: ColourModel) -> None:
    """Spot-coloured paint outside the allowed region (the mouth, the arms) continues by a pixel into it
    wherever one art's mouth is drawn a pixel wider than another's: that pixel says nothing about spots."""
    pack = default_pack(GEN3)
    detection = exact_detection(pack, 0x12345678, colours)
    allowed = envelope(GEN3, pack.cream)
    painted = detection.crop.copy()
    inside = detection.inside.copy()
    # Spot paint outside the allowed region, right beside an allowed pixel, and an allowed pixel next to it.
    rows, cols = np.nonzero(~allowed[30:] & inside[30:])
    y, x = 30 + int(rows[0]), int(cols[0])
    beside = next(
        (y + dy, x + dx)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if allowed[y + dy, x + dx] and inside[y + dy, x + dx]
    )
    painted[y, x] = painted[beside] = pack.normal[6]
    distances = colours.class_distances(painted.reshape(-1, 3).astype(np.float32)).reshape(64, 64, 4)
    observed = observe(Detection(detection.frame, painted, distances, inside), colours, allowed)
    assert observed.spot.reshape(64, 64)[beside] < 0.01
    # The same paint away from any fixed part is evidence.
    far = detection.crop.copy()
    far[beside] = pack.normal[6]
    distances = colours.class_distances(far.reshape(-1, 3).astype(np.float32)).reshape(64, 64, 4)
    alone = Detection(detection.frame, far, distances, inside)
    assert observe(alone, colours, allowed).spot.reshape(64, 64)[beside] > 0.4


def test_paint_joined_to_a_fixed_part_within_two_pixels_is_no_spot_evidence(colours: ColourModel) -> None:
    """The games' Gen IV mouth reaches two pixels past our art's: a run of spot colour from a fixed part
    into the allowed region is the part for two pixels, and the third is spot evidence again."""
    pack = default_pack(GEN4)
    detection = exact_detection(pack, 0x12345678, colours)
    allowed = envelope(GEN4, pack.cream)
    inside = detection.inside
    size = inside.shape[0]
    ys, xs = np.nonzero(~allowed & inside)
    # A fixed pixel with three allowed pixels in a row to its right or left.
    y, x, step = next(
        (int(y), int(x), step)
        for y, x in zip(ys, xs, strict=True)
        for step in (1, -1)
        if all(
            0 <= x + k * step < size and allowed[y, x + k * step] and inside[y, x + k * step]
            for k in (1, 2, 3)
        )
    )
    painted = detection.crop.copy()
    for k in range(4):
        painted[y, x + k * step] = pack.normal[7]
    distances = colours.class_distances(painted.reshape(-1, 3).astype(np.float32)).reshape(size, size, 4)
    spot = observe(Detection(detection.frame, painted, distances, inside), colours, allowed).spot
    run = [float(spot.reshape(size, size)[y, x + k * step]) for k in (1, 2, 3)]
    assert run[0] < 0.01 and run[1] < 0.01
    assert run[2] > 0.4


def test_known_value_and_confidence(colours: ColourModel) -> None:
    pack = default_pack(GEN3)
    result = decode(observe(exact_detection(pack, 0xF2410A57, colours), colours, envelope(GEN3, pack.cream)))
    assert coordinates(result.pids[0], GEN3) == coordinates(0xF2410A57, GEN3)
    assert result.fit > 0.5 and 0.0 < result.confidence <= 1.0
    assert len(set(result.pids)) == len(result.pids)
    assert all(a >= b for a, b in zip(result.scores, result.scores[1:], strict=False))


def test_a_spotless_cream_blob_fits_badly(colours: ColourModel) -> None:
    """Every PID shows some spots, so all-cream paint has no good explanation."""
    pack = default_pack(GEN3)
    detection = exact_detection(pack, 0, colours)
    cream = detection.crop.copy()
    cream[detection.inside] = pack.normal[2]
    distances = colours.class_distances(cream.reshape(-1, 3).astype(np.float32)).reshape(64, 64, 4)
    blank = Detection(detection.frame, cream, distances, detection.inside)
    assert decode(observe(blank, colours, envelope(GEN3, pack.cream))).fit < 0.35


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_only_spinda_shaped_paint_is_decoded(family: GameFamily, colours: ColourModel) -> None:
    """The paint of any Spinda covers the body's core, whatever its spots, and stays within its silhouette;
    a blob in Spinda's colours that lacks the head, or spreads beyond the silhouette (a creature of cream
    ellipses), does not."""
    pack = default_pack(family)
    shape = BodyShape.of(pack)
    for pid in random_pids(5, 8):
        assert spinda_shaped(exact_detection(pack, pid, colours), shape)
    detection = exact_detection(pack, 0x12345678, colours)
    headless = detection.inside.copy()
    headless[: family.spots[2].origin[1]] = False
    assert not spinda_shaped(replace(detection, inside=headless), shape)
    # The body with a lobe beyond its silhouette: an ellipse over the lower body, as wide as the frame.
    lobed = detection.inside.copy()
    size = lobed.shape[0]
    ellipse = cv2.ellipse(
        np.zeros_like(lobed, dtype=np.uint8),
        (size // 2, 3 * size // 4),
        (size // 2, size // 8),
        0,
        0,
        360,
        1,
        -1,
    )
    lobed |= ellipse > 0
    assert spinda_shaped(replace(detection, inside=detection.inside | (shape.reach & lobed)), shape)
    assert not spinda_shaped(replace(detection, inside=lobed), shape)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_paint_a_twenty_fifth_beyond_the_reach_is_not_spinda_shaped(
    family: GameFamily, colours: ColourModel
) -> None:
    """A region with 4% of its pixels beyond the silhouette's reach (the cropped creatures that had passed
    held 4.5-4.9%) is not a Spinda's; one with 2.5% (the games' sprites' regions in the bench's pictures,
    up to 2.7%) still is."""
    pack = default_pack(family)
    shape = BodyShape.of(pack)
    detection = exact_detection(pack, 0x12345678, colours)
    outside = np.flatnonzero(~shape.reach)  # row by row from the frame's top
    for share, shaped in ((0.025, True), (0.04, False)):
        count = round(share * int(detection.inside.sum()) / (1 - share))
        inside = detection.inside.copy().ravel()
        inside[outside[:count]] = True
        grown = replace(detection, inside=inside.reshape(detection.inside.shape))
        assert spinda_shaped(grown, shape) is shaped, share


def test_the_games_sprites_are_spinda_shaped_for_our_art(colours: ColourModel, reference_dir: Path) -> None:
    for family in FAMILIES:
        pack = load_pack(reference_dir / family.key, family)
        shape = BodyShape.of(default_pack(family))
        assert all(spinda_shaped(exact_detection(pack, pid, colours), shape) for pid in random_pids(5, 9))


def blurred(detection: Detection, colours: ColourModel, sigma: float) -> Detection:
    crop = np.asarray(cv2.GaussianBlur(detection.crop, (0, 0), sigma), dtype=np.uint8)
    size = crop.shape[0]
    distances = colours.class_distances(crop.reshape(-1, 3).astype(np.float32)).reshape(size, size, 4)
    return Detection(detection.frame, crop, distances, detection.inside, blurred=True)


def test_blurred_spot_edges_keep_the_fit(colours: ColourModel) -> None:
    """Blur leaves spot edges halfway between spot and cream, which no answer can get right; they are not
    counted against the fit (without that, one of these ten fitted 0.30 and read as no Spinda)."""
    pack = default_pack(GEN3)
    renderer = SpindaRenderer(pack)
    allowed = envelope(GEN3, pack.cream)
    right = 0
    for pid in random_pids(10, 4):
        result = decode(observe(blurred(exact_detection(pack, pid, colours), colours, 0.6), colours, allowed))
        assert result.fit >= MIN_FIT
        right += bool(
            np.array_equal(renderer.spot_pixels([result.pids[0]])[0], renderer.spot_pixels([pid])[0])
        )
    assert right >= 8


# PIDs whose spots lie mostly off our art's body (the fewest spot pixels of 200,000 random PIDs: 23 and 27
# for Gen III, 11 and 16 for Gen IV), exact or blurred as a smoothed picture's reconstruction is.
FEW_SPOTS = [
    (GEN3, 0xFF10200F, 0.6),
    (GEN3, 0xFF611010, 0.6),
    (GEN4, 0xFF10200F, 0.0),
    (GEN4, 0xFF002C14, 0.6),
]


@pytest.mark.parametrize(("family", "pid", "sigma"), FEW_SPOTS, ids=lambda v: getattr(v, "key", str(v)))
def test_a_spinda_showing_few_spots_keeps_its_fit(
    family: GameFamily, pid: int, sigma: float, colours: ColourModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Spinda always shows some spots, but few where they lie off its body: such a sprite is still a
    Spinda, read right (core.decode.MIN_EXPLAINED)."""
    pack = default_pack(family)
    detection = exact_detection(pack, pid, colours)
    if sigma:
        detection = blurred(detection, colours, sigma)
    observation = observe(detection, colours, envelope(family, pack.cream))
    result = decode(observation)
    assert result.fit >= MIN_FIT
    assert np.array_equal(*SpindaRenderer(pack).spot_pixels([pid, result.pids[0]]))
    # The check can tell: needing 12 explained spot pixels in both families, as before, it had no fit.
    monkeypatch.setattr(decode_module, "MIN_EXPLAINED", {"gen3": 12.0, "gen4": 12.0})
    assert decode(observation).fit < MIN_FIT


def test_cream_darkened_by_the_outline_is_cream_in_a_blurred_crop(
    colours: ColourModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Gen IV photo's body edge: cream mixed with the outline, (167, 136, 89), lies nearer a spot colour
    than any cream. Allowing for the mix, it is cream: a spot placed there would pay for a false spot pixel
    rather than gain a faint one (so had wrong answers moved a hidden spot onto the edge). A pixel-sharp
    crop's colours are exact and keep the plain reading, as do a capture's, whose unblurred enlargement is
    undone exactly; how much the pixel counts as paint is unchanged."""
    detection = exact_detection(default_pack(GEN4), 0x12345678, colours)
    edge = np.array([[167, 136, 89]], dtype=np.float32)
    plain = colours.class_distances(edge)[0]
    assert plain[SPOT] < plain[CREAM]
    ys, xs = np.nonzero(detection.inside)
    y, x = int(ys[0]), int(xs[0])
    crop = detection.crop.copy()
    crop[y, x] = edge[0]
    distances = colours.class_distances(crop.reshape(-1, 3).astype(np.float32)).reshape(80, 80, 4)
    sharp = Detection(detection.frame, crop, distances, detection.inside, source_pixels=True)
    blurred_edge = replace(sharp, source_pixels=False, blurred=True)
    capture = replace(sharp, source_pixels=False)
    pixel = y * 80 + x
    # Both palettes' spot evidence counted fully, on the region's edge too, so the sums below are all the
    # paint evidence.
    monkeypatch.setattr(decode_module, "OTHER_PALETTE", 1.0)
    monkeypatch.setattr(decode_module, "_region_edge", lambda inside: np.zeros_like(inside))
    exact, mixed = observe(sharp, colours), observe(blurred_edge, colours)
    assert exact.spot[pixel] > exact.cream[pixel]
    captured = observe(capture, colours)
    assert captured.spot[pixel] == exact.spot[pixel] and captured.cream[pixel] == exact.cream[pixel]
    assert mixed.cream[pixel] > 2 * mixed.spot[pixel]
    assert mixed.cream[pixel] + mixed.spot[pixel] == pytest.approx(exact.cream[pixel] + exact.spot[pixel])


@pytest.mark.parametrize("shiny", [False, True])
def test_the_other_palettes_spot_colour_counts_less(
    colours: ColourModel, shiny: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Spinda's spots are all one palette's: on a normal sprite, a pixel of a shiny spot colour (a photo's
    colour cast on cream) counts OTHER_PALETTE as much as spot evidence as it would on a shiny one, and
    the other way round."""
    pack = default_pack(GEN3)
    detection = exact_detection(pack, 0x1234ABCD, colours, shiny=shiny)
    spots = SpindaRenderer(pack).spot_pixels([0x1234ABCD])[0]
    y, x = (int(v[0]) for v in np.nonzero(pack.cream & ~spots & detection.inside))
    crop = detection.crop.copy()
    crop[y, x] = pack.palette(not shiny)[2 + GEN3.colour_shift]
    distances = colours.class_distances(crop.reshape(-1, 3).astype(np.float32)).reshape(64, 64, 4)
    changed = replace(detection, crop=crop, class_distance=distances, source_pixels=False)
    evidence = {}
    for weight in (OTHER_PALETTE, 0.0, 1.0):
        monkeypatch.setattr(decode_module, "OTHER_PALETTE", weight)
        obs = observe(changed, colours)
        assert obs.shiny is shiny
        evidence[weight] = float(obs.spot[y * 64 + x])
    own, full = evidence[0.0], evidence[1.0]
    assert own < 0.1 * full
    assert evidence[OTHER_PALETTE] == pytest.approx(own + OTHER_PALETTE * (full - own))


def test_the_other_palettes_spot_colour_counts_nothing_on_the_regions_edge(
    colours: ColourModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the sprite region's edge a capture's background blends with the outline, and a green one so
    darkened reads as the shiny palette's spot colour: there the other palette counts nothing, while two
    pixels inside it counts OTHER_PALETTE."""
    pack = default_pack(GEN4)
    detection = exact_detection(pack, 0x1234ABCD, colours)
    rows = np.flatnonzero(detection.inside.any(axis=1))
    y = int(rows[len(rows) // 2])
    x = int(np.flatnonzero(detection.inside[y])[0])  # the region's leftmost pixel on a middle row
    assert detection.inside[y, x : x + 3].all()
    crop = detection.crop.copy()
    crop[y, x] = crop[y, x + 2] = pack.palette(True)[2 + GEN4.colour_shift]
    distances = colours.class_distances(crop.reshape(-1, 3).astype(np.float32)).reshape(80, 80, 4)
    changed = replace(detection, crop=crop, class_distance=distances, source_pixels=False)
    evidence = {}
    for weight in (0.0, OTHER_PALETTE):
        monkeypatch.setattr(decode_module, "OTHER_PALETTE", weight)
        observed = observe(changed, colours)
        assert not observed.shiny
        evidence[weight] = (float(observed.spot[y * 80 + x]), float(observed.spot[y * 80 + x + 2]))
    assert evidence[OTHER_PALETTE][0] == evidence[0.0][0]
    assert evidence[OTHER_PALETTE][1] > evidence[0.0][1] + 0.1


def test_the_palette_is_judged_on_the_whole_sprite(colours: ColourModel) -> None:
    """A normal Gen IV sprite whose allowed region shows more cream cast to a shiny spot colour than pixels
    of its own spot colours (a photo's yellow cast, spots dimmed towards the outline) is still read as
    normal: its arms and mouth, outside the allowed region, are spot-coloured too and take the palette with
    them, so its real spots keep their full evidence."""
    pack = default_pack(GEN4)
    pid = 0x1234ABCD
    allowed = envelope(GEN4, pack.cream)
    detection = exact_detection(pack, pid, colours)
    spots = SpindaRenderer(pack).spot_pixels([pid])[0]
    shown = int((spots & allowed).sum())
    crop = detection.crop.reshape(-1, 3).copy()
    cast = np.flatnonzero(pack.cream & ~spots & allowed & detection.inside)[: 3 * shown // 2]
    crop[cast] = pack.palette(True)[2 + GEN4.colour_shift]
    distances = colours.class_distances(crop.astype(np.float32)).reshape(80, 80, 4)
    changed = replace(detection, crop=crop.reshape(80, 80, 3), class_distance=distances)
    # Judged on the allowed region alone, the sprite would be shiny.
    assert observe(replace(changed, inside=changed.inside & allowed), colours).shiny
    observed = observe(changed, colours, allowed)
    assert not observed.shiny
    plain = observe(detection, colours, allowed)
    chosen = spots.reshape(-1) & allowed.reshape(-1)
    assert np.allclose(observed.spot[chosen], plain.spot[chosen])


def test_halfway_colours_are_forgiven_only_on_spot_edges(colours: ColourModel) -> None:
    """A body whose lower half is all halfway between cream and spot (a gradient, not a blurred edge) is
    no Spinda: only a share of the explained spot pixels is forgiven (forgiving every halfway pixel, this
    fitted 1.0)."""
    pack = default_pack(GEN3)
    detection = exact_detection(pack, 0x12345678, colours)
    halfway = detection.crop.copy()
    lower = detection.inside.copy()
    lower[:25] = False
    halfway[lower] = (pack.normal[2].astype(int) + pack.normal[7].astype(int)) // 2
    distances = colours.class_distances(halfway.reshape(-1, 3).astype(np.float32)).reshape(64, 64, 4)
    blend = Detection(detection.frame, halfway, distances, detection.inside)
    assert decode(observe(blend, colours, envelope(GEN3, pack.cream))).fit < MIN_FIT


@pytest.mark.parametrize("cap", [decode_module.PRIOR_CAP, np.inf])
def test_the_cnn_prior_cannot_outvote_a_pixel(cap: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """One clear spot pixel that only positions the network calls near-impossible reach (1.5 in score)
    outweighs its certainty, capped at PRIOR_CAP below its favourite; uncapped, its 2.8 wins."""
    monkeypatch.setattr(decode_module, "PRIOR_CAP", cap)
    cover = spot_cover(GEN3)
    favourite = 0x88
    pixel = int(np.flatnonzero(cover[2, 0x00] & ~cover[:, favourite].any(axis=0))[0])
    spot = np.zeros(64 * 64, np.float32)
    spot[pixel] = 1.0
    observation = Observation(GEN3, spot, np.zeros_like(spot), shiny=False)
    proba = np.full((8, 16), 1e-9, np.float32)
    proba[:, favourite & 15] = 1.0
    chosen = GEN3.spot_bytes(decode(observation, proba).pids[0])
    reached = any(cover[i, b, pixel] for i, b in enumerate(chosen))
    assert reached is (cap == decode_module.PRIOR_CAP)


def test_the_belief_weighs_a_spots_distinct_looks_not_its_equal_bytes() -> None:
    """Many bytes put a spot where no pixel shows evidence, and many cover the same evident pixels: the
    looks weighed are each spot's best distinct ones. Two faint spot pixels that one place of a spot
    reaches leave its other places (covering one of them, or neither) nearly as likely; weighing the best
    bytes as they came, all covering both pixels, had given that one look all the belief."""
    cover = spot_cover(GEN4)
    spot = np.zeros(80 * 80, np.float32)
    spot[np.flatnonzero(cover[0, 0x2C])[:2]] = 0.3
    decoded = decode(Observation(GEN4, spot, np.zeros_like(spot), shiny=False))
    assert len(decoded.scores) >= 3
    assert decoded.scores[0] < 0.5
    shown = [
        np.flatnonzero(cover[np.arange(4), list(GEN4.spot_bytes(pid))].any(axis=0) & (spot > 0))
        for pid in decoded.pids
    ]
    assert len({tuple(pixels) for pixels in shown}) == len(shown)


def test_faint_unexplained_spot_evidence_is_not_a_missed_spot(colours: ColourModel) -> None:
    """Outlines blurred or cast towards a spot colour leave faint spot evidence on many pixels no spot
    explains; a right answer keeps its fit over them, while as many clearly spot-coloured pixels left
    unexplained sink it (and halfway spot-cream blends count: test_halfway_colours_...)."""
    pack = default_pack(GEN3)
    pid = 0x12345678
    observed = observe(exact_detection(pack, pid, colours), colours, envelope(GEN3, pack.cream))
    reach = spot_cover(GEN3).any(axis=(0, 1))
    drawn = SpindaRenderer(pack).spot_pixels([pid])[0].reshape(-1)
    # Scattered, so that no placement of the spots explains them.
    unexplained = np.flatnonzero(reach & ~drawn & (observed.cream > 0.5))[::3]

    def with_spot_evidence(level: float) -> Observation:
        spot, cream = observed.spot.copy(), observed.cream.copy()
        spot[unexplained], cream[unexplained] = level, 0.0
        return replace(observed, spot=spot, cream=cream)

    faint = decode(with_spot_evidence(0.3))
    assert faint.fit >= MIN_FIT and faint.pids[0] == pid
    assert decode(with_spot_evidence(0.95)).fit < MIN_FIT


def test_overlapping_spots_are_also_moved_together(colours: ColourModel, reference_dir: Path) -> None:
    """Both face spots of this shiny PID sit one step from where one-at-a-time moves settle them; either
    moved alone uncovers or doubles their shared pixels. Before pairs were also placed jointly, the games'
    sprite decoded as 82AFD126 with confidence 0.82, its true look scoring 2.8 pixels better."""
    pack = load_pack(reference_dir / "gen3", GEN3)
    pid = 0x839ED126
    allowed = envelope(GEN3, default_pack(GEN3).cream)
    result = decode(observe(exact_detection(pack, pid, colours, shiny=True), colours, allowed))
    pixels = SpindaRenderer(pack).spot_pixels([pid, result.pids[0]])
    assert np.array_equal(pixels[0], pixels[1]), f"{result.pids[0]:08X}"


def test_a_smoothed_body_the_background_ran_into_is_taken_back(colours: ColourModel) -> None:
    """Where the art has no outline and a cast brings the cream near the background's colour, the
    background found around a smoothed sprite runs on into its body; the body core is taken back where it
    shows paint colours. Not for exact pixels, nor for a region holding too little of the core to be a
    leaking sprite (a background panel's)."""
    pack = default_pack(GEN3)
    shape = BodyShape.of(pack)
    exact = exact_detection(pack, 0x12345678, colours)
    smoothed = blurred(exact, colours, 0.6)
    leaked = smoothed.inside.copy()
    head = int(np.flatnonzero(shape.core.any(axis=1))[0]) + 20
    leaked[:head] &= ~shape.core[:head]  # the head's cream lost to the flood, its edges and ears kept
    assert 0.33 <= shape.covered(replace(smoothed, inside=leaked)) < 0.85
    assert not spinda_shaped(replace(smoothed, inside=leaked), shape)
    assert spinda_shaped(shape.filled(replace(smoothed, inside=leaked)), shape)
    assert not spinda_shaped(shape.filled(replace(exact, inside=leaked)), shape)
    patch = np.zeros_like(leaked)
    patch[40:48, 20:44] = True
    assert not spinda_shaped(shape.filled(replace(smoothed, inside=patch)), shape)


def test_a_smoothed_body_whose_cream_is_the_screens_is_taken_back(colours: ColourModel) -> None:
    """On a screen of the cream's own colour the background search leaves the outline, the spots and the
    darker shades: a fifth of the core, too little to take back as a leak, but spanning the core, which a
    background panel holding as much of it does not."""
    pack = default_pack(GEN3)
    shape = BodyShape.of(pack)
    smoothed = blurred(exact_detection(pack, 0x12345678, colours), colours, 0.6)
    creamy = smoothed.class_distance.argmin(axis=-1) == CREAM
    outline_and_spots = replace(smoothed, inside=smoothed.inside & ~creamy)
    assert 0.15 <= shape.covered(outline_and_spots) < 0.33
    assert not spinda_shaped(outline_and_spots, shape)
    assert spinda_shaped(shape.filled(outline_and_spots), shape)
    # The same region short of the core's top and bottom rows, as a panel across the body would be.
    rows = np.flatnonzero(shape.core.any(axis=1))
    band = np.zeros_like(smoothed.inside)
    band[rows[0] + 2 : rows[-1] - 2] = outline_and_spots.inside[rows[0] + 2 : rows[-1] - 2]
    assert shape.covered(replace(smoothed, inside=band)) >= 0.15
    assert not spinda_shaped(shape.filled(replace(smoothed, inside=band)), shape)


def test_a_region_short_of_an_ear_is_not_spinda_shaped(colours: ColourModel) -> None:
    """A cream blob with orange patches can cover the body core and stay within the silhouette's reach; a
    Spinda's region also reaches both ears' tips."""
    pack = default_pack(GEN3)
    shape = BodyShape.of(pack)
    exact = exact_detection(pack, 0x12345678, colours)
    assert spinda_shaped(exact, shape)
    top = int(np.flatnonzero(shape.silhouette.any(axis=1))[0])
    columns = np.flatnonzero(shape.silhouette.any(axis=0))
    earless = exact.inside.copy()
    earless[: top + 4, (columns[0] + columns[-1] + 1) // 2 :] = False  # the right ear's tip
    assert shape.covered(replace(exact, inside=earless)) >= 0.85
    assert not spinda_shaped(replace(exact, inside=earless), shape)
