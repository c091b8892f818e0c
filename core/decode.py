"""Decode a native-resolution crop into spot positions, by analysis by synthesis.

Each crop pixel has a probability of being spot-coloured and of being cream (from its colour distances,
core.detect). Which pixels a spot can recolour depends on the art (the cream mask), and the art in a user's
screenshot is usually the games' own, not the pack the project is configured with, so the decoder never
assumes a pack's cream mask: spot i at byte b is predicted to show `cover(i, b)` wherever the crop itself
shows paint. The configured pack only supplies a loose envelope (see `envelope`) that keeps the mouth, arms
and feet, which are spot-coloured in the games' art, out of the evidence. A choice of four bytes predicts the
union of the four covers, scored per pixel as

    (1 + MISS) * P(spot) - FALSE_SPOT * P(cream)   summed over the predicted pixels,

which equals, up to a constant, matches minus false spots minus MISS per spot-coloured pixel left
unexplained; misses cost less because fixed spot-coloured parts explain some. The best four bytes are found
by greedy placement in several orders (spots overlap: an ear spot can reach the brow, where a face spot can
too) followed by coordinate ascent, each step one matrix product per spot; each overlapping pair is then
placed jointly among its best bytes (a move neither spot gains from alone), and the few best bytes per spot
are combined exhaustively and scored exactly. An optional CNN adds its nibble log-probabilities, lightly
weighted, as a prior.

Confidence: the best choice's share of a softmax over the distinguishable alternatives, times its fit
(near 1 while its expected wrong pixels, less those no choice could avoid on blurred spot edges, stay
within ERROR_ALLOWANCE and it explains some spot pixels), so a near tie or a poor fit (no Spinda) gives a
low value. The softmax is sharper for exact source pixels (SOURCE_TEMPERATURE), where one pixel of evidence
is decisive. It is a score, not a calibrated
probability; bench/identify_bench.py prints how often answers above and below a few thresholds are right.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt

from core.assets import AssetPack
from core.detect import CREAM, OTHER, PAINT_CLASSES, SHINY_SPOT, SPOT, ColourModel, Detection
from core.games import GameFamily
from core.pid import pid_from_coordinates
from core.render import spot_cover

MISS = 0.5
FALSE_SPOT = 1.0
# A colour this far (RGB) from every cream and spot colour is as likely 'something else' (outline, eyes,
# background); COLOUR_SIGMA is how fast a class's likelihood falls with distance.
PAINT_DISTANCE = 62.0
COLOUR_SIGMA = 20.0
BEAM = 4
PAIR_BEAM = 16
MAX_ROUNDS = 6
# Softmax temperature over scores (in pixels): alternatives this much worse share e^-1 of the belief.
# A crop of exact source pixels (a pixel-sharp capture) has certain colours, so one pixel of evidence is
# decisive there; blur and compression make a pixel or two of evidence unreliable.
TEMPERATURE = 2.0
SOURCE_TEMPERATURE = 0.5
# Expected wrong pixels a right answer may have (the art's fixed spot-coloured parts, blur), and how fast
# the fit falls beyond that.
ERROR_ALLOWANCE = 22.0
ERROR_SCALE = 10.0
# Spot pixels explained at or under which a choice has no fit (it is full from twice as many): a Spinda
# always shows some spots, a cream blob need not. But spots can lie mostly off the body: the fewest spot
# pixels of 200,000 random PIDs are 23 in our Gen III art and 11 in our Gen IV art (22 and 10 in the games'
# art), an exact spot colour is about 0.7 likely spot, and blur spreads a few spot pixels over their edges
# (a Gen IV photo whose PID shows 21 in the games' art explained 11.8, the bench's seed 23 #9). At 12 for
# both families, as before, such Spindas were no Spinda; at 6 and 3 they are read, and the bench's 1200
# no-Spinda pictures and 1200 smoothed and photographed Spinda pictures got the same answers as at 12.
MIN_EXPLAINED = {"gen3": 6.0, "gen4": 3.0}
# A pixel no spot explains whose spot evidence is under this and which is mostly neither spot nor cream is
# an outline blurred or cast towards a spot colour (the Gen IV games' spiral eyes in a photo), not a spot
# missed: it does not count against the fit (photos of Gen IV: 11 of 40 wrong without, 9 with). A blend
# of spot and cream still counts: a gradient in Spinda's colours must not fit.
FAINT_SPOT = 0.35
# A Spinda's spots are all of one palette's colours, normal or shiny (whichever has more evidence): the
# other palette's spot colours, where a photo's colour cast or blur has brought cream or the outline's
# blend near them, count this much as spot evidence. Session 13, the bench's 1200 smoothed and
# photographed games' sprites (500 tuning, 400 held-out smoothed, 300 held-out photos): 52 wrong at 1
# (counted fully, as before), 48 at 0.5, 49 at 0.
OTHER_PALETTE = 0.5
# Except at the sprite region's edge (a pixel with a side outside it), where the other palette's colours
# count nothing: there a capture's background blends with the outline, and a green one so darkened reads as
# the shiny palette's spot colour. Gen IV captures on green had a face spot read hidden off the body, its
# position claiming a column of such pixels at the head's left edge (where our art's head is a pixel wider
# than the games'), the true one showing a pixel or two. The bench's 1000 smoothed captures (seeds 5-37):
# 34 -> 31 wrong, none lost; its 600 photos (seeds 5-15), 400 crops (seeds 5 and 7) and 600 pixel-sharp
# screens (seed 12): the same pictures wrong (8, 25, none).
# Blur-ambiguous pixels forgiven, as a share of the explained spot pixels (see `decode`).
BLURRED_EDGE_SHARE = 0.3
# Share of the art's body core a Spinda's paint covers at least; pixels the art's silhouette is grown by,
# and the share of the paint that may lie beyond (`BodyShape`).
MIN_BODY_COVER = 0.85
SILHOUETTE_REACH = 2
MAX_BEYOND_REACH = 0.035
# Rows below the art's silhouette's top within which a Spinda's region reaches on each side: the games' ear
# tips lie 0-2 rows below our art's.
EAR_SLACK = 3
# Taking a smoothed sprite's body core back (`BodyShape.filled`): only for a region already covering this
# share of it (the leaks seen left 0.36-0.45; background regions with no Spinda, 0-0.28, would otherwise
# pass the core test), or this smaller share for a region that spans the core from side to side and top
# to bottom (an outline all round, its cream lost to a screen of the same colour: 0.18-0.30 seen); and only
# its pixels within this RGB distance of a paint colour.
MIN_COVER_TO_FILL = 0.33
MIN_COVER_TO_FILL_SPANNING = 0.15
FILL_PAINT_DISTANCE = 40.0
# The CNN is a tie-breaker: its log-probabilities count a tenth of a pixel each. Where a spot shows one or
# two blurred pixels at the body's edge, the pixel scores of two positions differ by less than one, and the
# CNN's preference decides them. Session 8's network, trained on our art only, misled on the games' sprites
# about as often as it helped, so its weight was cut to a twentieth (the games' smoothed and photographed
# sprites: 53 wrong of 600 at a tenth, 49 at a twentieth, 56 without it). The varied-art networks (session
# 10) read the games' sprites far better and earn the tenth back: with the 1.0 blur filter, 33 -> 31 wrong
# of those 600, 11 -> 9 and 17 -> 16 of two sets of 240 held-out ones (0.08: 32, 10, 16; 0.15: 35 of 600).
PRIOR_WEIGHT = 0.1
# A tie-breaker may not outvote the pixels: a byte's prior is at most PRIOR_CAP pixels below its spot's
# likeliest byte's. The network can be sure and wrong on the games' sprites: a Gen IV capture at x5.25, its
# frame right and its reconstruction clean, had its left face spot read a pixel off, the pixels favouring
# the truth by 0.8 and the prior the answer by 1.4. Session 15, the bench's 1200 smoothed and photographed
# games' sprites: 42 -> 40 wrong at 0.5, none lost (0.3: 40, one answer swapped; 1.0: 42, unchanged).
# Session 22, the decoder since weighing each spot's distinct looks: where the pixels leave two positions
# within a few tenths of a pixel (a spot's edge blurred into the outline), the network trained on our art
# chose wrong more often than right. The bench's 1000 smoothed captures (seeds 5-37), session 21's fits:
# 31 wrong at 0.5, 35 at 1.0, 27 at 0.25, 24 at 0.15 (7 won, none lost), 28 with no prior (9 won, 6
# lost); with session 22's capture fits (core.detect), 30 -> 23 at 0.15, the same 7 won. At 0.15, the 600
# photos (seeds 5-15) 8 -> 7 and the 400 crops (5, 7) 25 -> 24, none lost; held out, 300 smoothed
# captures (seeds 41, 43, 47) and 200 photos (17, 19), 19 -> 17 with both changes, none lost. Confidences
# fall with it: the prior no longer adds up to half a pixel to an answer it agrees with.
PRIOR_CAP = 0.15
# Spot-coloured pixels joined to a fixed part (mouth, arm) within this many steps are that part
# (`_touching_fixed_paint`).
FIXED_PAINT_STEPS = 2
_NEIGHBOURS = np.ones((3, 3), np.uint8)
ENVELOPE_MARGIN = 1


@dataclass(frozen=True)
class Observation:
    """A crop's evidence, flattened (S*S): each pixel's probability of being spot-coloured and cream."""

    family: GameFamily
    spot: npt.NDArray[np.float32]
    cream: npt.NDArray[np.float32]
    shiny: bool


@dataclass(frozen=True)
class Decoded:
    """Spot bytes for one crop: the best PIDs (one per distinguishable look, best first) with scores."""

    family: GameFamily
    pids: tuple[int, ...]
    scores: tuple[float, ...]  # belief in each, 0..1
    confidence: float
    fit: float  # 0..1: how well the best choice explains the crop; low means no Spinda
    fit_errors: float  # expected pixels the best choice gets wrong, less those blur makes unavoidable
    explained: float  # expected spot pixels it explains
    shiny: bool


def envelope(
    family: GameFamily, cream: npt.NDArray[np.bool_], margin: int = ENVELOPE_MARGIN
) -> npt.NDArray[np.bool_]:
    """Where any Spinda art may plausibly be paintable, from a configured pack's cream mask: the whole upper
    head (ears and brow, where art differs most and nothing but spots is spot-coloured), and below the face
    spots' top row only the pack's cream grown by `margin` pixels. It keeps the mouth, arms and feet, which
    are spot-coloured in the games' art, from attracting spots, without assuming the picture's art is the
    pack's."""
    grown = cv2.dilate(cream.astype(np.uint8), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)) > 0
    face_top = family.spots[2].origin[1]
    grown[:face_top] = True
    return np.asarray(grown)


@dataclass(frozen=True)
class BodyShape:
    """Where any Spinda's paint lies, whatever its PID, from one pack's art: its cream body less the edge
    pixels (`core`, which the paint covers, spots being recoloured cream), its `silhouette`, and that grown
    by SILHOUETTE_REACH pixels (`reach`, which the paint stays in). The margins absorb where one art's body
    differs from another's and a blurred edge. `steady` holds the frame's rows that every animation frame
    draws alike (those above `GameFamily.pose_row`; all where it is None)."""

    core: npt.NDArray[np.bool_]
    silhouette: npt.NDArray[np.bool_]
    reach: npt.NDArray[np.bool_]
    steady: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, pack: AssetPack) -> BodyShape:
        core = cv2.erode(pack.cream.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        silhouette = pack.sprite > 0
        side = 2 * SILHOUETTE_REACH + 1
        reach = cv2.dilate(silhouette.astype(np.uint8), np.ones((side, side), np.uint8)) > 0
        steady = np.zeros_like(silhouette)
        steady[: pack.family.pose_row] = True
        return cls(np.asarray(core), silhouette, np.asarray(reach), steady)

    def filled(self, detection: Detection) -> Detection:
        """A smoothed or photographed detection with its body core taken back wherever it shows paint
        colours. Where the games' art has no outline and a photo's cast brings the cream within a few
        levels of the background, the background found around the sprite runs on into its body, leaving a
        region that covers 40% of the core (Gen III photos: 5 of 40 wrong without this, 3 with). Where the
        screen is the cream's own colour, all the background search leaves is the outline, the spots and
        the darker shades: a fifth to a third of the core, but spanning it, which a panel does not (Gen
        III photos: 3 of 200 not found without this). Exact pixels have exact colours and need none of
        this."""
        if detection.source_pixels:
            return detection
        covered = self.covered(detection)
        if covered < MIN_COVER_TO_FILL and not (
            covered >= MIN_COVER_TO_FILL_SPANNING and self._spans_core(detection.inside)
        ):
            return detection
        distance = detection.class_distance
        nearest = distance[..., 1:].min(axis=-1)
        paint = (nearest <= FILL_PAINT_DISTANCE) & (nearest < distance[..., OTHER])
        return replace(detection, inside=detection.inside | (self.core & paint))

    def _spans_core(self, region: npt.NDArray[np.bool_]) -> bool:
        """Whether the region reaches the body core's outermost columns and rows."""
        rows, columns = np.flatnonzero(region.any(axis=1)), np.flatnonzero(region.any(axis=0))
        core_rows, core_columns = np.flatnonzero(self.core.any(axis=1)), np.flatnonzero(self.core.any(axis=0))
        return bool(
            len(rows)
            and rows[0] <= core_rows[0]
            and rows[-1] >= core_rows[-1]
            and columns[0] <= core_columns[0]
            and columns[-1] >= core_columns[-1]
        )

    def reaches_both_ears(self, region: npt.NDArray[np.bool_]) -> bool:
        """Whether the region reaches within EAR_SLACK rows of the silhouette's top on both sides of its
        middle, as a Spinda's two ears do whatever its PID."""
        top = int(np.flatnonzero(self.silhouette.any(axis=1))[0])
        columns = np.flatnonzero(self.silhouette.any(axis=0))
        middle = (columns[0] + columns[-1] + 1) // 2
        band = region[: top + EAR_SLACK + 1]
        return bool(band[:, :middle].any() and band[:, middle:].any())

    def covered(self, detection: Detection) -> float:
        """The share of the body core within the sprite's region."""
        return 1.0 - self.uncovered(detection) / max(float(self.core.sum()), 1.0)

    def beyond(self, detection: Detection) -> int:
        """The sprite's region's pixels outside the art's silhouette, in the rows every animation frame
        draws alike: the Gen IV games' second frame holds its arms and legs elsewhere, and a frame a column
        off had put fewer of them beyond ours (smoothed captures of that frame: 8 of 40 read right
        counting every row, 37 of 40 counting those above row 43)."""
        return int((detection.inside & ~self.silhouette & self.steady).sum())

    def uncovered(self, detection: Detection) -> int:
        """The art's body core's pixels outside the sprite's region."""
        return int((self.core & ~detection.inside).sum())


def spinda_shaped(detection: Detection, shape: BodyShape) -> bool:
    """Whether the sprite's own paint covers the body's core and stays within its reach (`BodyShape`), as a
    Spinda's does whatever its PID. Checked before decoding: a creature in Spinda's colours with orange
    patches can explain spots well, but is rarely shaped like one. The games' paint covers 0.94 of the
    project's art's core, a smoothed or photographed sprite's region (paint and outline) all of it; at
    most 0.03 of a games' sprite's region lies beyond the reach in pictures of every kind (0.027 at most
    of the 2500 tuning pictures' answers in session 25), 0.07-0.11 of the cream blobs that had passed the
    core test (bench/identify_bench.py's no-Spinda pictures), 0.045-0.049 of creatures cropped by a player
    that passed under the 0.05 allowed before (3 of 100 no-Spinda crops, answered at confidence 0.013-0.017:
    a cream panel, a cream blob with orange patches, a cream creature with one). And it
    has two ears: an earless cream blob with two orange patches had passed both tests (2 of 800 no-Spinda
    pictures, answered at confidence 0.08 and 0.49)."""
    inside = detection.inside
    beyond = float((inside & ~shape.reach).sum()) / max(float(inside.sum()), 1.0)
    return (
        shape.covered(detection) >= MIN_BODY_COVER
        and beyond <= MAX_BEYOND_REACH
        and shape.reaches_both_ears(inside)
    )


def observe(
    detection: Detection, colours: ColourModel, allowed: npt.NDArray[np.bool_] | None = None
) -> Observation:
    """Soft colour evidence for the crop's pixels inside the sprite's own paint (and `allowed`, if given).

    Each class's likelihood falls off with the distance to its nearest colour (a Gaussian of COLOUR_SIGMA),
    and a colour far from all of them is 'something else' with the likelihood of PAINT_DISTANCE, so a blend
    of spot and outline counts partly, and a background colour not at all. In a crop that may have been
    blurred (`Detection.blurred`: a photo's), which paint a pixel is (cream or spot) is then judged
    allowing for the outline mixed in at the sprite's edges (`ColourModel.blended_distances`): darkened
    cream there is cream, not a faint spot that a wrong spot position could claim; how much it counts as
    paint is unchanged, so the fit (see `decode`) is too. A capture's unblurred enlargement is undone
    exactly, and its edge pixels keep their own brightness: there a spot's pixel beside the outline, its
    colour washed towards its neighbours' by JPEG, had been taken for darkened cream.
    Spot-coloured paint outside `allowed` (a mouth, an arm) takes the spot evidence from its neighbours
    (`_touching_fixed_paint`). The spot evidence is that of the palette (normal or shiny) with more of it
    over the whole sprite, plus OTHER_PALETTE times the other's, except on the region's edge."""
    d = detection.class_distance.reshape(-1, 4).astype(np.float64)
    far = np.full((len(d), 1), PAINT_DISTANCE)
    likelihood = np.exp(-0.5 * (np.concatenate([d, far], axis=1) / COLOUR_SIGMA) ** 2)
    p = likelihood / np.maximum(likelihood.sum(axis=1, keepdims=True), 1e-300)
    if detection.blurred:
        mixed = colours.blended_distances(detection.crop.reshape(-1, 3).astype(np.float32))
        paint_likelihood = np.exp(-0.5 * (mixed.astype(np.float64) / COLOUR_SIGMA) ** 2)
        shares = paint_likelihood / np.maximum(paint_likelihood.sum(axis=1, keepdims=True), 1e-300)
        p[:, PAINT_CLASSES] = p[:, PAINT_CLASSES].sum(axis=1, keepdims=True) * shares
    keep = detection.inside.reshape(-1)
    normal, shiny = p[:, SPOT], p[:, SHINY_SPOT]
    # The palette is judged on the whole sprite, its fixed spot-coloured parts (mouth, arms) included: the
    # shiny palette recolours them too, and they outnumber the spots a PID may show. Judged on the allowed
    # region alone, a photo's dark red face spots (nearer the outline's colours than any spot colour) had
    # lost to cream cast towards the shiny spot colours, and their halved evidence to no Spinda found.
    is_shiny = bool((shiny * keep).sum() > (normal * keep).sum())
    if allowed is not None:
        outside = keep & ~allowed.reshape(-1)
        touching = _touching_fixed_paint(normal + shiny, outside, detection.inside.shape)
        normal, shiny = normal * (1.0 - touching), shiny * (1.0 - touching)
        keep = keep & allowed.reshape(-1)
    normal, shiny = normal * keep, shiny * keep
    other_palette = np.where(_region_edge(detection.inside).reshape(-1), 0.0, OTHER_PALETTE)
    return Observation(
        detection.family,
        spot=(shiny + other_palette * normal if is_shiny else normal + other_palette * shiny).astype(
            np.float32
        ),
        cream=(p[:, CREAM] * keep).astype(np.float32),
        shiny=is_shiny,
    )


def _region_edge(inside: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """The region's pixels with a side on a pixel outside it (or on the crop's border)."""
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)
    core = cv2.erode(inside.astype(np.uint8), cross, borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0
    edge: npt.NDArray[np.bool_] = inside & ~core
    return edge


def _touching_fixed_paint(
    spot: npt.NDArray[np.float64], outside: npt.NDArray[np.bool_], shape: tuple[int, ...]
) -> npt.NDArray[np.float32]:
    """How much each pixel touches spot-coloured paint outside the allowed region, 0..1, directly or through
    spot-coloured pixels up to FIXED_PAINT_STEPS away. Where the picture's art draws a mouth or an arm wider
    than the configured pack's, those pixels are the part, not a spot (the games' Gen IV mouth: 10 of 200
    exact sprites misread with no silencing; smoothed Gen IV screenshots 17 of 70 wrong without, 13 with;
    its lower right reaches two pixels past our art's, which a spot placed there had claimed: the 600
    tuning pictures 45 -> 43 wrong with two steps instead of one). Blur also spreads a real spot at the
    body's edge into the outline beyond, whose neighbours then lose some evidence: on photos it lost about
    as much as it won. An exact spot colour is only about 0.6 likely spot (it lies near the other palette's
    spot colours too), so doubled: an exact one silences fully."""
    grid = spot.reshape(shape)
    touching = cv2.dilate(
        np.minimum(2.0 * grid * outside.reshape(shape), 1.0).astype(np.float32), _NEIGHBOURS
    )
    for _ in range(FIXED_PAINT_STEPS - 1):
        # A spot-coloured pixel beside the part is the part too, so its own neighbours are silenced next.
        joined = np.minimum(2.0 * grid * touching, 1.0).astype(np.float32)
        touching = np.maximum(touching, cv2.dilate(joined, _NEIGHBOURS))
    return np.asarray(touching.reshape(-1), dtype=np.float32)


def _placement_orders() -> list[tuple[int, ...]]:
    """One greedy order for each way of ranking the overlapping pairs (ear and face spot on each side, the
    two face spots): 8 orders instead of 24, the same choices of who claims a shared blob first."""
    seen: dict[tuple[bool, bool, bool], tuple[int, ...]] = {}
    for order in itertools.permutations(range(4)):
        rank = {spot: position for position, spot in enumerate(order)}
        seen.setdefault((rank[0] < rank[2], rank[1] < rank[3], rank[2] < rank[3]), order)
    return list(seen.values())


_ORDERS = _placement_orders()
# Spots whose reaches overlap: each ear spot with the face spot below it, and the two face spots.
_OVERLAPPING = ((0, 2), (1, 3), (2, 3))


@cache
def _covers(family: GameFamily) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """The pixels any spot can reach, and (4, 256, reach) covers over them as float32, so a spot's gains
    for all 256 bytes are one small matrix product."""
    cover = spot_cover(family)
    reach = np.flatnonzero(cover.any(axis=(0, 1)))
    return reach, np.ascontiguousarray(cover[:, :, reach], dtype=np.float32)


def _prior(proba: npt.NDArray[np.float32] | None) -> npt.NDArray[np.float32]:
    """(4, 256) prior score in pixels per spot byte from (8, 16) nibble probabilities: PRIOR_WEIGHT times its
    log-probability, at most PRIOR_CAP below its spot's likeliest byte's; zeros without a model."""
    if proba is None:
        return np.zeros((4, 256), dtype=np.float32)
    logp = np.log(np.clip(proba, 1e-6, 1.0)).astype(np.float32)
    byte = np.arange(256)
    per_byte = np.stack([logp[2 * i, byte & 15] + logp[2 * i + 1, byte >> 4] for i in range(4)])
    weighted = PRIOR_WEIGHT * per_byte
    capped: npt.NDArray[np.float32] = np.maximum(weighted, weighted.max(axis=1, keepdims=True) - PRIOR_CAP)
    return capped


def decode(
    obs: Observation,
    proba: npt.NDArray[np.float32] | None = None,
    top_k: int = 5,
    temperature: float = TEMPERATURE,
) -> Decoded:
    reach, all_covers = _covers(obs.family)
    # Pixels with no paint evidence carry no score, so the search looks at nothing else.
    spot_all, cream_all = obs.spot[reach], obs.cream[reach]
    evident = (spot_all + cream_all) > 0.05
    covers = all_covers.compress(evident, axis=2)  # a copy, ten times faster than fancy indexing here
    spot, cream = spot_all[evident], cream_all[evident]
    weights = ((1.0 + MISS) * spot - FALSE_SPOT * cream).astype(np.float32)
    prior = _prior(proba)

    def covered(chosen: list[int | None], skip: int | None = None) -> npt.NDArray[np.float32]:
        """The pixels the chosen spots cover (None: not chosen), leaving out spot `skip`."""
        union = np.zeros(covers.shape[-1], dtype=np.float32)
        for j, b in enumerate(chosen):
            if j != skip and b is not None:
                np.maximum(union, covers[j, b], out=union)
        return union

    def gains(i: int, chosen: list[int | None]) -> npt.NDArray[np.float32]:
        """Spot i's score for each byte, given the other spots' choices."""
        result: npt.NDArray[np.float32] = covers[i] @ (weights * (1.0 - covered(chosen, i))) + prior[i]
        return result

    def total(chosen: list[int | None]) -> float:
        return float(covered(chosen) @ weights) + sum(
            float(prior[i, b]) for i, b in enumerate(chosen) if b is not None
        )

    # Spots overlap (an ear spot can reach the forehead, where a face spot can too), so whichever spot is
    # placed first may take another's pixels. Greedy placement in every order, then coordinate ascent.
    best_choice: list[int | None] = []
    best_total = -np.inf
    for order in _ORDERS:
        chosen: list[int | None] = [None] * 4
        for i in order:
            chosen[i] = int(np.argmax(gains(i, chosen)))
        for _ in range(MAX_ROUNDS):
            previous = list(chosen)
            for i in range(4):
                chosen[i] = int(np.argmax(gains(i, chosen)))
            if chosen == previous:
                break
        value = total(chosen)
        if value > best_total:
            best_total, best_choice = value, chosen
    chosen = best_choice
    # One spot at a time cannot move two overlapping spots together (each alone would uncover or double
    # the shared pixels), so each overlapping pair is also placed jointly among its best bytes.
    for i, j in _OVERLAPPING:
        partial = list(chosen)
        partial[i] = partial[j] = None
        top_i = np.argsort(-gains(i, partial), kind="stable")[:PAIR_BEAM]
        top_j = np.argsort(-gains(j, partial), kind="stable")[:PAIR_BEAM]
        rest = covered(partial) > 0
        pairs = (covers[i, top_i] > 0)[:, None, :] | (covers[j, top_j] > 0)[None, :, :] | rest
        joint = pairs.astype(np.float32) @ weights + prior[i, top_i][:, None] + prior[j, top_j][None, :]
        best_i, best_j = np.unravel_index(int(np.argmax(joint)), joint.shape)
        candidate = list(partial)
        candidate[i], candidate[j] = int(top_i[best_i]), int(top_j[best_j])
        if total(candidate) > total(chosen) + 1e-4:
            chosen = candidate
    # The few best bytes per spot given the others, combined exhaustively and scored exactly.
    beams = [_distinct_best(gains(i, chosen), covers[i]) for i in range(4)]
    combos = np.array(list(itertools.product(*beams)), dtype=np.intp)  # (C, 4)
    unions = covers[0, combos[:, 0]] > 0
    for i in range(1, 4):
        unions |= covers[i, combos[:, i]] > 0
    scores = unions.astype(np.float32) @ weights + prior[np.arange(4), combos].sum(axis=1)
    # One entry per distinguishable prediction: combos that predict the same pixels tie for good.
    ranked = np.argsort(-scores, kind="stable")
    seen: set[bytes] = set()
    keep: list[int] = []
    for c in ranked:
        key = np.packbits(unions[c]).tobytes()
        if key not in seen:
            seen.add(key)
            keep.append(int(c))
    kept_scores = scores[keep]
    belief = np.exp((kept_scores - kept_scores[0]) / temperature)
    belief /= belief.sum()
    best = unions[keep[0]]
    false_spots = float(cream[best].sum())
    unexplained_spot, unexplained_cream = spot[~best], cream[~best]
    other = (unexplained_spot < FAINT_SPOT) & (unexplained_spot + unexplained_cream < 0.5)
    misses = float(unexplained_spot[~other].sum())
    explained = float(spot[best].sum())
    # Fixed spot-coloured parts (mouth, arms) cost a real Spinda a roughly constant number of errors
    # whatever its spots, so errors are judged in pixels, not per explained pixel; and a Spinda always
    # shows some spots, so a fit needs some explained pixels.
    # A pixel blurred halfway between spot and cream costs a right answer about half a pixel whichever way
    # it is predicted. Those unavoidable errors lie on the spots' edges, so they are forgiven up to a share
    # of the spot pixels explained: a blurred Spinda keeps its fit, a picture of gradients does not gain one.
    unavoidable = float(np.minimum(spot, cream).sum())
    errors = false_spots + misses - min(unavoidable, BLURRED_EDGE_SHARE * explained)
    fit = float(np.exp(-max(0.0, errors - ERROR_ALLOWANCE) / ERROR_SCALE))
    least = MIN_EXPLAINED[obs.family.key]
    fit *= float(np.clip((explained - least) / least, 0.0, 1.0))
    pids = tuple(_pid(obs.family, combos[c]) for c in keep[:top_k])
    return Decoded(
        family=obs.family,
        pids=pids,
        scores=tuple(float(b) for b in belief[:top_k]),
        confidence=float(belief[0]) * fit,
        fit=fit,
        fit_errors=errors,
        explained=explained,
        shiny=obs.shiny,
    )


def _distinct_best(gains: npt.NDArray[np.float32], covers: npt.NDArray[np.float32]) -> npt.NDArray[np.intp]:
    """The BEAM best bytes of one spot that each cover a different set of the evident pixels. Bytes that
    place a spot off the body, or where no pixel shows evidence, cover the same (none): taking the best
    bytes as they come, a beam of such equals had left the distinct looks behind them out of the belief,
    whose share then went to the one left (a Gen IV capture's hidden ear spot answered at 0.76, the true
    look, showing two pixels, as likely before the CNN prior but not among the looks weighed)."""
    chosen: list[int] = []
    seen: set[bytes] = set()
    for byte in np.argsort(-gains, kind="stable"):
        key = np.packbits(covers[byte] > 0).tobytes()
        if key not in seen:
            seen.add(key)
            chosen.append(int(byte))
            if len(chosen) == BEAM:
                break
    return np.array(chosen, dtype=np.intp)


def _pid(family: GameFamily, spot_bytes: npt.NDArray[np.intp]) -> int:
    coords: list[int] = []
    for b in spot_bytes:
        coords += [int(b) & 15, int(b) >> 4]
    return pid_from_coordinates(coords, family)
