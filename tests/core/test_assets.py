"""Asset packs: loading, palettes, and importing the games' files into the user pack.

Broken packs are made at test time in temporary folders, from the project's own default art (so these tests
run without the games' data) or from copies of the reference files (those tests skip without them).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from golden import assert_matches_golden
from PIL import Image

from core import assets
from core.assets import (
    DEFAULT_ASSETS_DIR,
    AssetPackError,
    PackStatus,
    default_pack,
    import_pack,
    imported_from,
    load_pack,
    pack_status,
    read_jasc_palette,
    remove_imported_pack,
    second_frame_pack,
    user_pack_dir,
)
from core.games import BDSP, GEN3, GEN4, GameFamily
from core.render import SpindaRenderer

FAMILIES = [GEN3, GEN4]


def spot_mask_bytes(family: GameFamily, index: int) -> bytes:
    """A spot mask file as the Gen III games store it, written from the project's own table."""
    rows = list(family.spots[index].rows) + [0] * (16 - len(family.spots[index].rows))
    return b"".join(row.to_bytes(2, "little") for row in rows)


def spot_mask_png(family: GameFamily, index: int, path: Path) -> None:
    rows = list(family.spots[index].rows) + [0] * (16 - len(family.spots[index].rows))
    bits = np.array([[row >> k & 1 for k in range(16)] for row in rows], dtype=np.uint8)
    image = Image.fromarray(bits, "P")
    image.putpalette([255, 255, 255, 0, 0, 0])
    image.save(path)


def spots_json(family: GameFamily) -> dict[str, object]:
    spots = []
    for shape in family.spots:
        spots.append([[shape.origin[0] + int(x), shape.origin[1] + int(y)] for x, y in shape.offsets()])
    return {"spots": spots}


def default_art(family: GameFamily, folder: Path) -> Path:
    """A pack folder holding a copy of the project's default art (valid for import)."""
    shutil.copytree(DEFAULT_ASSETS_DIR / family.key, folder)
    return folder


def gen3_pack_with_spots(folder: Path) -> Path:
    default_art(GEN3, folder)
    for index in range(4):
        (folder / f"spot_{index}.bin").write_bytes(spot_mask_bytes(GEN3, index))
    return folder


def gen4_pack_with_spots(folder: Path) -> Path:
    default_art(GEN4, folder)
    (folder / "spots.json").write_text(json.dumps(spots_json(GEN4)))
    return folder


def save_sprite(path: Path, pixels: np.ndarray, palette: np.ndarray, transparency: bool = True) -> None:
    image = Image.fromarray(pixels.astype(np.uint8), "P")
    image.putpalette(palette.reshape(-1).tolist())
    if transparency:
        image.save(path, transparency=0)
    else:
        image.save(path)


def sprite_of(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    with Image.open(folder / "front.png") as image:
        return np.array(image), np.array(image.getpalette(), dtype=np.uint8).reshape(-1, 3)


def no_leftovers(family: GameFamily) -> bool:
    """Nothing but the pack itself under data/packs: no half-built or backup folder."""
    parent = user_pack_dir(family).parent
    return not parent.exists() or all(not p.name.startswith(".") for p in parent.iterdir())


# --- Successful imports (the project's own art) -------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_import_makes_the_user_pack_the_default(tmp_path: Path, family: GameFamily) -> None:
    assert pack_status(family) == PackStatus("default", DEFAULT_ASSETS_DIR / family.key)
    source = default_art(family, tmp_path / "source")
    pack = import_pack(source, family)
    assert pack.name == "imported" and pack.source == user_pack_dir(family)
    assert pack_status(family) == ("imported", user_pack_dir(family))
    assert imported_from(family) == str(source.resolve())
    used = default_pack(family)
    assert used.name == "imported"
    original = load_pack(DEFAULT_ASSETS_DIR / family.key, family)
    assert np.array_equal(used.sprite, original.sprite)
    assert np.array_equal(used.normal, original.normal)
    assert used.shiny is not None and original.shiny is not None
    assert np.array_equal(used.shiny, original.shiny)
    assert no_leftovers(family)


def test_remove_imported_pack_goes_back_to_the_default_art(tmp_path: Path) -> None:
    assert remove_imported_pack(GEN3) is False
    import_pack(default_art(GEN3, tmp_path / "source"), GEN3)
    assert remove_imported_pack(GEN3) is True
    assert pack_status(GEN3).name == "default" and default_pack(GEN3).name == "default"
    assert imported_from(GEN3) is None


def test_gen3_pack_folder_with_spot_masks(tmp_path: Path) -> None:
    import_pack(gen3_pack_with_spots(tmp_path / "source"), GEN3)
    assert default_pack(GEN3).name == "imported"


def test_gen4_pack_folder_with_spot_lists(tmp_path: Path) -> None:
    import_pack(gen4_pack_with_spots(tmp_path / "source"), GEN4)
    assert default_pack(GEN4).name == "imported"


@pytest.mark.parametrize(
    ("sprite_name", "spot_folder", "spot_suffix"),
    [
        ("front.png", "graphics/spinda_spots", ".bin"),  # pokefirered, older pokeemerald
        ("anim_front.png", "graphics/pokemon/spinda/spots", ".png"),  # pokeemerald: two frames stacked
        ("front.png", "graphics/pokemon/spinda/spots", ".1bpp"),  # a built checkout
    ],
)
def test_gen3_decompilation_checkout(
    tmp_path: Path, sprite_name: str, spot_folder: str, spot_suffix: str
) -> None:
    art = DEFAULT_ASSETS_DIR / "gen3"
    folder = tmp_path / "checkout" / "graphics/pokemon/spinda"
    folder.mkdir(parents=True)
    pixels, palette = sprite_of(art)
    if sprite_name == "anim_front.png":
        pixels = np.vstack([pixels, np.roll(pixels, 1, axis=0)])
    save_sprite(folder / sprite_name, pixels, palette)
    for name in ("normal.pal", "shiny.pal"):
        shutil.copy(art / name, folder / name)
    spots = tmp_path / "checkout" / spot_folder
    spots.mkdir(parents=True, exist_ok=True)
    for index in range(4):
        path = spots / f"spot_{index}{spot_suffix}"
        if spot_suffix == ".png":
            spot_mask_png(GEN3, index, path)
        else:
            path.write_bytes(spot_mask_bytes(GEN3, index))
    pack = import_pack(tmp_path / "checkout", GEN3)
    assert np.array_equal(pack.sprite, sprite_of(art)[0])
    info = json.loads((user_pack_dir(GEN3) / "pack.json").read_text())
    assert info["layout"] == "pret gen3 decompilation"
    assert len(info["files"]) == 7


def test_gen4_decompilation_checkout(tmp_path: Path) -> None:
    art = DEFAULT_ASSETS_DIR / "gen4"
    folder = tmp_path / "checkout" / "res/pokemon/spinda"
    folder.mkdir(parents=True)
    pixels, palette = sprite_of(art)
    save_sprite(folder / "male_front.png", np.hstack([pixels, pixels]), palette, transparency=False)
    shutil.copy(art / "shiny.pal", folder / "shiny.pal")
    pack = import_pack(tmp_path / "checkout", GEN4)
    assert np.array_equal(pack.sprite, pixels) and np.array_equal(pack.normal, palette)
    assert pack.shiny is not None


def test_ruby_sapphire_sprite_is_moved_up_to_the_gen3_frame(tmp_path: Path) -> None:
    source = default_art(GEN3, tmp_path / "source")
    pixels, palette = sprite_of(source)
    save_sprite(source / "front.png", np.roll(pixels, 7, axis=0), palette)  # drawn 7 rows lower
    assert np.array_equal(import_pack(source, GEN3).sprite, pixels)


def test_jasc_palettes_with_crlf_and_more_than_16_colours_are_read(tmp_path: Path) -> None:
    path = tmp_path / "game.pal"
    colours = [f"{i} {i + 1} {i + 2}" for i in range(0, 96, 3)]
    path.write_bytes(("\r\n".join(["JASC-PAL", "0100", "32", *colours]) + "\r\n").encode())
    palette = read_jasc_palette(path)
    assert palette.shape == (16, 3) and palette[1].tolist() == [3, 4, 5]


# --- Every way an import can be refused ---------------------------------------------------------------------

Breaker = Callable[[Path], None]


def _replace_sprite(edit: Callable[[np.ndarray], np.ndarray]) -> Breaker:
    def breaker(folder: Path) -> None:
        pixels, palette = sprite_of(folder)
        save_sprite(folder / "front.png", edit(pixels.copy()), palette)

    return breaker


def _write(name: str, content: bytes | str) -> Breaker:
    def breaker(folder: Path) -> None:
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    return breaker


def _delete(name: str) -> Breaker:
    return lambda folder: (folder / name).unlink()


def _rgb_sprite(folder: Path) -> None:
    with Image.open(folder / "front.png") as image:
        image.convert("RGB").save(folder / "front.png")


def _resize(width: int, height: int) -> Breaker:
    return _replace_sprite(lambda p: np.resize(p, (height, width)))


def _index_over_15(folder: Path) -> None:
    pixels, palette = sprite_of(folder)
    pixels[40, 30] = 16
    save_sprite(folder / "front.png", pixels, np.vstack([palette, np.zeros((1, 3), dtype=np.uint8)]))


def _no_cream_in_top_row(pixels: np.ndarray) -> np.ndarray:
    ys = np.nonzero((pixels >= 1) & (pixels <= 3))[0]
    row = pixels[ys.min()]
    row[(row >= 1) & (row <= 3)] = 4
    return pixels


def _flip_mask_bit(index: int) -> Breaker:
    def breaker(folder: Path) -> None:
        data = bytearray(spot_mask_bytes(GEN3, index))
        data[6] ^= 0x10
        (folder / f"spot_{index}.bin").write_bytes(bytes(data))

    return breaker


def _move_spot_pixel(folder: Path) -> None:
    data = spots_json(GEN4)
    spots = data["spots"]
    assert isinstance(spots, list)
    spots[2][0][0] += 1
    (folder / "spots.json").write_text(json.dumps(data))


def _short_embedded_palette(folder: Path) -> None:
    (folder / "normal.pal").unlink()
    pixels, palette = sprite_of(folder)
    save_sprite(folder / "front.png", np.minimum(pixels, 7), palette[:8])


GEN3_BROKEN: dict[str, tuple[Breaker, str, str]] = {
    # name: (how to break a valid pack, the file the message names, what it says)
    "missing front.png": (_delete("front.png"), "", "no Spinda front sprite"),
    "not a png": (_write("front.png", b"not an image"), "front.png", "not a readable PNG"),
    "not indexed": (_rgb_sprite, "front.png", "indexed"),
    "wrong size": (_resize(64, 60), "front.png", "64x60"),
    "three frames": (_resize(192, 64), "front.png", "192x64"),
    "index over 15": (_index_over_15, "front.png", "index 16"),
    "shifted sprite": (_replace_sprite(lambda p: np.roll(p, 1, axis=1)), "front.png", "non-transparent"),
    "cream box": (_replace_sprite(_no_cream_in_top_row), "front.png", "cream pixels"),
    "palette not jasc": (_write("normal.pal", "GIMP Palette\n"), "normal.pal", "not a JASC-PAL"),
    "palette short": (
        _write("normal.pal", "JASC-PAL\n0100\n8\n" + "1 2 3\n" * 8),
        "normal.pal",
        "8 colours, 16 are needed",
    ),
    "palette bad entry": (
        _write("normal.pal", "JASC-PAL\n0100\n16\n" + "1 2 3\n" * 5 + "1 2\n" + "1 2 3\n" * 10),
        "normal.pal",
        "colour 5 is '1 2'",
    ),
    "palette over 255": (
        _write("normal.pal", "JASC-PAL\n0100\n16\n" + "1 2 300\n" * 16),
        "normal.pal",
        "between 0 and 255",
    ),
    "palette count larger than list": (
        _write("normal.pal", "JASC-PAL\n0100\n20\n" + "1 2 3\n" * 16),
        "normal.pal",
        "declares 20 colours but lists 16",
    ),
    "palette not text": (_write("normal.pal", b"\xff\xfe\x00"), "normal.pal", "cannot read"),
    "shiny short": (_write("shiny.pal", "JASC-PAL\n0100\n2\n1 2 3\n4 5 6\n"), "shiny.pal", "16 are needed"),
    "spot mask size": (_write("spot_1.bin", b"\x00" * 31), "spot_1.bin", "31 bytes"),
    "spot mask differs": (_flip_mask_bit(2), "spot_2.bin", "differs from gen3's in rows 3"),
    "spot masks swapped": (
        _write("spot_0.bin", spot_mask_bytes(GEN3, 1)),
        "spot_0.bin",
        "spot 0's mask differs",
    ),
    "spot mask missing": (_delete("spot_3.bin"), "", "spot_3.bin missing"),
}

GEN4_BROKEN: dict[str, tuple[Breaker, str, str]] = {
    "gen3-sized sprite": (_resize(64, 64), "front.png", "80x80"),
    "short embedded palette": (_short_embedded_palette, "front.png", "fewer than 16 colours"),
    "spots not json": (_write("spots.json", "{"), "spots.json", "not readable JSON"),
    "spots wrong structure": (_write("spots.json", '{"spots": [[1, 2]]}'), "spots.json", "four lists"),
    "spot pixel moved": (_move_spot_pixel, "spots.json", "spot 2 lists 51 pixels that differ"),
}


BROKEN = [pytest.param(case, GEN3, id=f"gen3-{case}") for case in GEN3_BROKEN] + [
    pytest.param(case, GEN4, id=f"gen4-{case}") for case in GEN4_BROKEN
]


@pytest.mark.parametrize(("case", "family"), BROKEN)
def test_broken_packs_are_refused_naming_the_file(tmp_path: Path, case: str, family: GameFamily) -> None:
    make = gen3_pack_with_spots if family is GEN3 else gen4_pack_with_spots
    source = make(tmp_path / "source")
    breaker, file_name, message = (GEN3_BROKEN if family is GEN3 else GEN4_BROKEN)[case]
    breaker(source)
    with pytest.raises(AssetPackError) as raised:
        import_pack(source, family)
    text = str(raised.value)
    assert str(source / file_name) in text and message in text, text
    # Nothing was imported, nothing was left behind.
    assert pack_status(family).name == "default"
    assert not user_pack_dir(family).exists() and no_leftovers(family)


def test_source_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(AssetPackError, match="not a folder"):
        import_pack(tmp_path / "nowhere", GEN3)


def test_a_family_without_geometry_has_no_pack(tmp_path: Path) -> None:
    with pytest.raises(AssetPackError, match="no published sprite geometry"):
        import_pack(default_art(GEN4, tmp_path / "source"), BDSP)


def test_incomplete_checkout_spots_are_refused(tmp_path: Path) -> None:
    art = DEFAULT_ASSETS_DIR / "gen3"
    folder = tmp_path / "checkout" / "graphics/pokemon/spinda"
    shutil.copytree(art, folder)
    spots = tmp_path / "checkout" / "graphics/spinda_spots"
    spots.mkdir()
    (spots / "spot_0.bin").write_bytes(spot_mask_bytes(GEN3, 0))
    with pytest.raises(AssetPackError, match=r"spinda_spots: spot masks incomplete \(spot_1.bin, spot_2.bin"):
        import_pack(tmp_path / "checkout", GEN3)


# --- A failed import leaves the previous pack as it was -----------------------------------------------------


def _pack_files(family: GameFamily) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(user_pack_dir(family).iterdir())}


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_failed_import_keeps_the_previous_pack(tmp_path: Path, family: GameFamily) -> None:
    import_pack(default_art(family, tmp_path / "first"), family)
    before = _pack_files(family)
    broken = default_art(family, tmp_path / "broken")
    (broken / "shiny.pal").write_text("JASC-PAL\n0100\n1\n0 0 0\n")
    with pytest.raises(AssetPackError, match=r"shiny\.pal"):
        import_pack(broken, family)
    assert _pack_files(family) == before
    assert default_pack(family).name == "imported" and imported_from(family) == str(tmp_path / "first")
    assert no_leftovers(family)


def test_a_write_failure_keeps_the_previous_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_pack(default_art(GEN3, tmp_path / "first"), GEN3)
    before = _pack_files(GEN3)
    real_write = assets._write_pack

    def write_then_fail(folder: Path, *args: object, **kwargs: object) -> None:
        real_write(folder, *args, **kwargs)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(assets, "_write_pack", write_then_fail)
    with pytest.raises(AssetPackError, match="cannot write the imported pack"):
        import_pack(default_art(GEN3, tmp_path / "second"), GEN3)
    assert _pack_files(GEN3) == before and no_leftovers(GEN3)


def test_a_failed_swap_puts_the_previous_pack_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_pack(default_art(GEN3, tmp_path / "first"), GEN3)
    before = _pack_files(GEN3)
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self.name.startswith(".gen3.import-"):
            raise OSError(18, "Invalid cross-device link")
        return real_rename(self, target)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "rename", rename)
        with pytest.raises(AssetPackError, match="cannot write the imported pack"):
            import_pack(default_art(GEN3, tmp_path / "second"), GEN3)
    assert _pack_files(GEN3) == before and no_leftovers(GEN3)


# --- The games' own files (skipped without them) ------------------------------------------------------------


def assert_renders_golden(reference_dir: Path, family: GameFamily) -> None:
    assert_matches_golden(SpindaRenderer(default_pack(family)), reference_dir)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.key)
def test_importing_the_reference_renders_every_golden_file(reference_dir: Path, family: GameFamily) -> None:
    pack = import_pack(reference_dir / family.key, family)
    assert pack.name == "imported" and pack_status(family).name == "imported"
    assert_renders_golden(reference_dir, family)
    info = json.loads((user_pack_dir(family) / "pack.json").read_text())
    # The spot data beside the sprite was read and checked.
    assert any(name.endswith(("spot_3.bin", "spots.json")) for name in info["files"])


def test_reference_laid_out_as_a_gen3_checkout(reference_dir: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "pokefirered"
    sprite = checkout / "graphics/pokemon/spinda"
    spots = checkout / "graphics/spinda_spots"
    sprite.mkdir(parents=True)
    spots.mkdir(parents=True)
    for name in ("front.png", "normal.pal", "shiny.pal"):
        shutil.copy(reference_dir / "gen3" / name, sprite / name)
    for index in range(4):
        shutil.copy(reference_dir / "gen3" / f"spot_{index}.bin", spots / f"spot_{index}.bin")
    import_pack(checkout, GEN3)
    assert_renders_golden(reference_dir, GEN3)


def test_reference_as_ruby_draws_it_renders_every_golden_file(reference_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "ruby"
    shutil.copytree(reference_dir / "gen3", source)
    pixels, palette = sprite_of(source)
    save_sprite(source / "front.png", np.roll(pixels, 7, axis=0), palette)
    import_pack(source, GEN3)
    assert_renders_golden(reference_dir, GEN3)


def test_reference_with_a_foreign_gen4_sprite_is_refused_and_keeps_the_pack(
    reference_dir: Path, tmp_path: Path
) -> None:
    import_pack(reference_dir / "gen4", GEN4)
    before = _pack_files(GEN4)
    with pytest.raises(AssetPackError, match="64x64; gen4 needs one 80x80 frame"):
        import_pack(reference_dir / "gen3", GEN4)
    assert _pack_files(GEN4) == before
    assert_renders_golden(reference_dir, GEN4)


def test_the_gen4_games_second_frame_is_drawn_by_their_rule(reference_dir: Path) -> None:
    """The second animation frame of the games' Gen IV sheet, as a pack, draws each PID as the games do:
    spot pixel (x, y) of spots.json lands at (x - 14 + dx, y + dy) on that frame (the reference README),
    where the frame's paint is 1..3. The pack holds the frame moved 14 pixels right, where the first
    frame's rule draws it."""
    second = second_frame_pack(load_pack(reference_dir / "gen4", GEN4))
    assert second is not None
    with Image.open(reference_dir / "gen4" / "front.png") as image:
        sheet = np.array(image, dtype=np.uint8)
    frame = sheet[:, 80:]
    spots = json.loads((reference_dir / "gen4" / "spots.json").read_text())["spots"]
    renderer = SpindaRenderer(second)
    for pid in np.random.default_rng(0).integers(0, 2**32, 20, dtype=np.uint64):
        expected = frame.copy()
        for pixels, byte in zip(spots, GEN4.spot_bytes(int(pid)), strict=True):
            for x, y in pixels:
                px, py = x - 14 + (byte & 15) - 8, y + (byte >> 4) - 8
                if 0 <= px < 80 and 0 <= py < 80 and 1 <= frame[py, px] <= 3:
                    expected[py, px] = frame[py, px] + 5
        drawn = renderer.indexed([int(pid)])[0]
        assert np.array_equal(drawn[:, 14:], expected[:, :66]), f"{int(pid):08X}"
        assert not expected[:, 66:].any()


def test_only_a_sheet_of_two_frames_has_a_second_frame(reference_dir: Path) -> None:
    """Our art draws one frame, and no second frame of the Gen III games' sprite is known."""
    assert second_frame_pack(default_pack(GEN4)) is None
    assert second_frame_pack(load_pack(reference_dir / "gen3", GEN3)) is None
