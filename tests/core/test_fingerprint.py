"""Fingerprints and sibling sets, proven against brute force over the renderer's own output."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from core.assets import AssetPack, load_pack
from core.fingerprint import (
    EXAMPLE,
    FingerprintError,
    LookIndex,
    UnknownFingerprintError,
    fingerprint_family,
    parse_fingerprint,
)
from core.games import GEN3, GEN4, GameFamily
from core.render import SpindaRenderer

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def packs(reference_dir: Path | None, family: GameFamily) -> AssetPack:
    return load_pack((reference_dir or ASSETS) / family.key, family)


def brute_force_pair(renderer: SpindaRenderer, pid: int, spots: tuple[int, int]) -> set[int]:
    """Every PID that keeps `pid`'s other two bytes and draws the same spot pixels: all 65536 byte pairs
    drawn from the renderer's per-spot tables (checked against the literal rule in test_render), compared."""
    a, b = spots
    tables = np.packbits(renderer.visible_by_byte, axis=-1)  # (4, 256, bytes)
    fixed = np.zeros(tables.shape[-1], dtype=np.uint8)
    for spot in range(4):
        if spot not in spots:
            fixed |= tables[spot, (pid >> 8 * spot) & 0xFF]
    target = np.packbits(renderer.spot_pixels([pid])[0].reshape(-1))
    looks = tables[a][:, None, :] | tables[b][None, :, :] | fixed
    xs, ys = np.nonzero((looks == target).all(axis=-1))
    keep = pid & ~((0xFF << 8 * a) | (0xFF << 8 * b)) & 0xFFFFFFFF
    return {keep | int(x) << 8 * a | int(y) << 8 * b for x, y in zip(xs, ys, strict=True)}


def sample_pids(index: LookIndex, count: int, seed: int) -> list[int]:
    """Random PIDs, and members of the largest classes among 400 random PIDs (overlaps, hidden spots)."""
    rng = np.random.default_rng(seed)
    pool = [int(p) for p in rng.integers(0, 2**32, 400)]
    by_size = sorted(pool, key=lambda p: len(index.siblings(p)), reverse=True)
    return by_size[: count // 2] + pool[: count - count // 2] + [0x00000000, 0xFFFFFFFF]


@pytest.fixture(params=["gen3-default", "gen4-default", "gen3-game", "gen4-game"])
def index(request: pytest.FixtureRequest) -> LookIndex:
    family_key, art = str(request.param).split("-")
    family = GEN3 if family_key == "gen3" else GEN4
    reference = request.getfixturevalue("reference_dir") if art == "game" else None
    return LookIndex(SpindaRenderer(packs(reference, family)))


def test_siblings_match_brute_force_on_sampled_classes(index: LookIndex) -> None:
    renderer = index.renderer
    for pid in sample_pids(index, 4, seed=11):
        siblings = set(index.siblings(pid))
        for pair in itertools.combinations(range(4), 2):
            shares_other_bytes = {
                q for q in siblings
                if all((q >> 8 * s) & 0xFF == (pid >> 8 * s) & 0xFF for s in range(4) if s not in pair)
            }  # fmt: skip
            assert brute_force_pair(renderer, pid, pair) == shares_other_bytes, f"{pid:08X} spots {pair}"


def test_every_sibling_renders_identically_and_shares_the_fingerprint(index: LookIndex) -> None:
    renderer = index.renderer
    for pid in sample_pids(index, 20, seed=5):
        look = index.classify(pid)
        assert pid in look.pids and look.pids == sorted(set(look.pids))
        looks = renderer.spot_pixels(look.pids[:2000])
        assert (looks == looks[0]).all()
        for sibling in look.pids[:: max(1, len(look.pids) // 5)]:
            assert index.fingerprint(sibling) == look.fingerprint
        assert index.lookup(look.fingerprint) == look.pids


def test_different_looks_have_different_fingerprints(index: LookIndex) -> None:
    rng = np.random.default_rng(21)
    pids = [int(p) for p in rng.integers(0, 2**32, 300)]
    looks: npt.NDArray[np.bool_] = index.renderer.spot_pixels(pids).reshape(len(pids), -1)
    fingerprints = [index.fingerprint(p) for p in pids]
    for i, j in itertools.combinations(range(0, 300, 7), 2):
        assert (fingerprints[i] == fingerprints[j]) == bool((looks[i] == looks[j]).all())


def test_game_facts_hold_for_the_game_art(reference_dir: Path) -> None:
    renderer = SpindaRenderer(packs(reference_dir, GEN3))
    distinct = [len({renderer.visible_by_byte[s, b].tobytes() for b in range(256)}) for s in range(4)]
    assert distinct == [253, 256, 236, 256]
    index = LookIndex(renderer)
    pids = [int(p) for p in np.random.default_rng(0).integers(0, 2**32, 3000)]
    unique = np.mean([len(index.siblings(p)) == 1 for p in pids])
    assert 0.84 < unique < 0.93  # the reference README: sampling suggests about 89% have a look of their own


def test_the_documented_example_is_a_real_fingerprint() -> None:
    index = LookIndex(SpindaRenderer(packs(None, GEN3)))
    assert index.fingerprint(0xF2410A57) == EXAMPLE
    assert index.lookup(EXAMPLE) == [0xF2410A57]


def test_fingerprint_errors_are_specific() -> None:
    index = LookIndex(SpindaRenderer(packs(None, GEN3)))
    good = index.fingerprint(0xF2410A57)
    assert fingerprint_family(good) == "gen3"
    assert index.lookup(good.lower()) == index.siblings(0xF2410A57)
    assert index.lookup(good.replace("1", "I").replace("0", "O")) == index.siblings(0xF2410A57)
    with pytest.raises(FingerprintError, match="malformed"):
        index.lookup("hello")
    with pytest.raises(FingerprintError, match="malformed"):
        parse_fingerprint(good[:-2])
    mistyped = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    with pytest.raises(FingerprintError, match="check digit"):
        index.lookup(mistyped)
    gen4 = LookIndex(SpindaRenderer(packs(None, GEN4)))
    with pytest.raises(UnknownFingerprintError, match="another game family"):
        index.lookup(gen4.fingerprint(1))


def test_fingerprint_from_other_art_or_not_canonical_is_unknown(reference_dir: Path) -> None:
    default = LookIndex(SpindaRenderer(packs(None, GEN3)))
    game = LookIndex(SpindaRenderer(packs(reference_dir, GEN3)))
    assert default.pack_tag != game.pack_tag
    with pytest.raises(UnknownFingerprintError, match="other sprite art"):
        default.lookup(game.fingerprint(0xF2410A57))
    # 00000000 shares its look with 68 other PIDs; naming the look by a larger member is not a fingerprint.
    members = game.siblings(0)
    assert len(members) > 1
    forged = game._format(members[1])
    with pytest.raises(UnknownFingerprintError, match="unknown fingerprint"):
        game.lookup(forged)
