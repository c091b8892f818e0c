"""The project's own default art: the numeric facts it must satisfy, and that its script reproduces it."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from core.assets import DEFAULT_ASSETS_DIR, AssetPack, load_pack, read_jasc_palette
from core.games import GEN3, GEN4, GameFamily
from core.render import SpindaRenderer, spot_cover

FAMILIES = [GEN3, GEN4]
SCRIPT = DEFAULT_ASSETS_DIR / "draw_default_art.py"
PACK_FILES = ("front.png", "normal.pal", "shiny.pal")

# The games' Gen III spot colours (normal, shiny); gen4's art uses close analogues of them.
GEN3_SPOTS = {
    False: [(222, 139, 74), (222, 106, 57), (180, 90, 41)],
    True: [(180, 197, 90), (148, 164, 57), (115, 131, 24)],
}


@cache
def script() -> ModuleType:
    """assets/draw_default_art.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("draw_default_art", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def pack(family: GameFamily) -> AssetPack:
    return load_pack(DEFAULT_ASSETS_DIR / family.key, family, name="default")


def box(mask: npt.NDArray[np.bool_]) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def spot_indices(family: GameFamily) -> list[int]:
    return [index + family.colour_shift for index in (1, 2, 3)]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_files_are_one_indexed_frame_with_a_transparent_index_0(family: GameFamily) -> None:
    with Image.open(DEFAULT_ASSETS_DIR / family.key / "front.png") as image:
        assert image.format == "PNG" and image.mode == "P"
        assert image.size == (family.frame_size, family.frame_size)
        assert getattr(image, "n_frames", 1) == 1
        assert image.info.get("transparency") == 0
        assert len(image.getpalette() or []) == 48  # 16 colours, like the games' 4bpp sprites
        embedded = np.array(image.getpalette(), dtype=np.uint8).reshape(16, 3)
    for name in ("normal.pal", "shiny.pal"):
        assert read_jasc_palette(DEFAULT_ASSETS_DIR / family.key / name).shape == (16, 3)
    assert np.array_equal(embedded, pack(family).normal)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_cream_is_1_to_3_and_the_sprite_leaves_the_spot_entries_to_the_spots(family: GameFamily) -> None:
    used = set(np.unique(pack(family).sprite).tolist())
    assert {0, 1, 2, 3} <= used
    assert not used & set(spot_indices(family)), "the sprite itself must not use the spot colours"
    assert max(used) <= 15


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_silhouette_spans_the_families_boxes_exactly(family: GameFamily) -> None:
    art = pack(family)
    assert family.body_box is not None and family.cream_box is not None
    b, c = family.body_box, family.cream_box
    assert box(art.sprite != 0) == (b.x0, b.y0, b.x1, b.y1)
    assert box(art.cream) == (c.x0, c.y0, c.x1, c.y1)


def test_gen3_spot_entries_are_the_games_spot_colours() -> None:
    art = pack(GEN3)
    for shiny, colours in GEN3_SPOTS.items():
        assert art.palette(shiny)[spot_indices(GEN3)].tolist() == [list(c) for c in colours]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_spot_colours_stand_out(family: GameFamily) -> None:
    art = pack(family)
    spots = spot_indices(family)
    others = [index for index in range(1, 16) if index not in spots]
    for shiny in (False, True):
        palette = art.palette(shiny).astype(int)
        # Close to the games' colours, so the art looks like the games' Spinda to a detector and a person.
        assert np.abs(palette[spots] - np.array(GEN3_SPOTS[shiny])).max() <= 24
        for spot in spots:
            # No other colour the sprite uses can be taken for a spot pixel.
            assert min(np.abs(palette[others] - palette[spot]).sum(axis=1)) >= 12
    # Shininess changes the spot colours.
    assert (art.normal[spots] != art.palette(True)[spots]).any(axis=1).all()


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_spots_land_on_cream_and_are_partly_hidden_by_features(family: GameFamily) -> None:
    art = pack(family)
    cover = spot_cover(family).reshape(4, 256, *art.sprite.shape)
    centred = 0x88
    for spot in range(4):
        covered = art.sprite[cover[spot, centred]]
        cream = ((covered >= 1) & (covered <= 3)).mean()
        features = (covered > 3).mean()  # eyes, ear curls, mouth, lines: non-cream and opaque
        assert cream >= 0.5, f"spot {spot} at its centre is mostly off the cream ({cream:.0%})"
        assert features >= 0.1, f"spot {spot} at its centre covers no feature ({features:.0%})"


def test_gen4_belly_is_not_paintable_as_in_the_games(reference_dir: Path) -> None:
    """The Gen IV face spots reach rows 48 and 49, over the belly, which the games draw in cream at palette
    entries the colour rule leaves alone: a spot shows nothing there. Ours does the same, so what our art
    tells apart (its looks, the decoder's evidence) is what a Gen IV screenshot can show."""
    face_spots = np.asarray(spot_cover(GEN4).reshape(4, 256, 80, 80)[2:].any(axis=(0, 1)))
    assert face_spots[48:].any(), "the face spots reach below row 47"
    # Between the hands (columns 28..50), from row 48 down.
    belly_reach = face_spots[48:, 28:51]
    for art in (load_pack(reference_dir / "gen4", GEN4), pack(GEN4)):
        assert not (belly_reach & art.cream[48:, 28:51]).any()
    # Still cream to the eye: the same colour as the body's.
    belly = pack(GEN4).sprite[50, 38]
    assert belly > 3 and tuple(pack(GEN4).normal[belly]) == tuple(pack(GEN4).normal[2])


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_every_spot_has_many_distinct_visible_shapes(family: GameFamily) -> None:
    # The games give 253, 256, 236 and 256 distinct shapes in gen3: the art must identify PIDs as well.
    visible = SpindaRenderer(pack(family)).visible_by_byte
    for spot in range(4):
        shapes = {visible[spot, byte].tobytes() for byte in range(256)}
        assert len(shapes) >= 200, f"spot {spot}: only {len(shapes)} distinct visible shapes"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_art_is_not_the_games_sprite(reference_dir: Path, family: GameFamily) -> None:
    with Image.open(reference_dir / family.key / "front.png") as image:
        game = np.array(image)[:, : family.frame_size]
    ours = pack(family).sprite
    opaque = (game != 0) | (ours != 0)
    assert (game[opaque] == ours[opaque]).mean() < 0.6


def test_script_reproduces_the_committed_files(tmp_path: Path) -> None:
    script().main(["--out", str(tmp_path)])
    for family in FAMILIES:
        for name in PACK_FILES:
            drawn, committed = tmp_path / family.key / name, DEFAULT_ASSETS_DIR / family.key / name
            if name.endswith(".pal"):
                assert drawn.read_bytes() == committed.read_bytes(), f"{family.key}/{name}"
                continue
            with Image.open(drawn) as new, Image.open(committed) as old:
                assert (new.mode, new.size, new.info.get("transparency")) == (
                    old.mode,
                    old.size,
                    old.info.get("transparency"),
                )
                assert new.getpalette() == old.getpalette(), f"{family.key}: palette"
                assert np.array_equal(np.array(new), np.array(old)), f"{family.key}: pixels differ"


def test_script_is_deterministic() -> None:
    module = script()
    for design in module.DESIGNS.values():
        assert np.array_equal(module.draw(design), module.draw(design))
