"""Asset packs: the indexed front sprite and palettes a family is drawn with.

A pack is a folder holding `front.png` (indexed; one frame of the family's size, or two frames side by side)
and the palettes `normal.pal` and `shiny.pal` (JASC-PAL, 16 colours). Where `normal.pal` is missing the
PNG's own palette is used; where `shiny.pal` is missing the pack renders normal colours only.

Packs are looked up in this order: a folder given explicitly, the user's imported pack under
`data/packs/<family>`, then the project's own default art under `assets/<family>`.

`import_pack` turns the games' own files (a folder laid out like a pack, or a pret decompilation checkout)
into the user pack, after validating every file against the family's facts; `pack_status` says which pack
`default_pack` uses.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from core.games import GameFamily

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ASSETS_DIR = PROJECT_ROOT / "assets"
# The bundled example screenshots (drawn by training.scenes; the README and `make demo` identify them).
EXAMPLES_DIR = DEFAULT_ASSETS_DIR / "examples"

Palette = npt.NDArray[np.uint8]  # (16, 3) RGB


class AssetPackError(ValueError):
    """A pack folder that cannot be used; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class AssetPack:
    family: GameFamily
    name: str
    source: Path
    sprite: npt.NDArray[np.uint8]  # (size, size) palette indices, 0 transparent
    normal: Palette
    shiny: Palette | None

    def palette(self, shiny: bool) -> Palette:
        if not shiny:
            return self.normal
        if self.shiny is None:
            raise AssetPackError(f"{self.source}: this asset pack has no shiny palette (shiny.pal)")
        return self.shiny

    @property
    def cream(self) -> npt.NDArray[np.bool_]:
        """Pixels a spot may recolour: palette indices 1, 2 and 3."""
        return (self.sprite >= 1) & (self.sprite <= 3)


def data_dir() -> Path:
    """Where user state lives (imported packs, the registry): $SPINDA_DATA_DIR or the project's data/."""
    configured = os.environ.get("SPINDA_DATA_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "data"


def user_pack_dir(family: GameFamily) -> Path:
    return data_dir() / "packs" / family.key


def read_jasc_palette(path: Path) -> Palette:
    """The first 16 colours of a JASC-PAL file (the format of the decompilations' .pal files)."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise AssetPackError(f"{path}: missing") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AssetPackError(f"{path}: cannot read the palette ({exc})") from exc
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines[:2] != ["JASC-PAL", "0100"] or len(lines) < 3 or not lines[2].isdigit():
        raise AssetPackError(f"{path}: not a JASC-PAL palette (expected 'JASC-PAL', '0100' and a count)")
    count = int(lines[2])
    entries = lines[3:]
    if count < 16 or len(entries) < 16:
        raise AssetPackError(f"{path}: the palette has {min(count, len(entries))} colours, 16 are needed")
    if len(entries) < count:
        raise AssetPackError(f"{path}: the palette declares {count} colours but lists {len(entries)}")
    rgb = np.zeros((16, 3), dtype=np.int64)
    for number, line in enumerate(entries[:16]):
        fields = line.split()
        if len(fields) != 3 or not all(field.isdigit() for field in fields):
            raise AssetPackError(f"{path}: colour {number} is {line!r}, not three whole numbers 'R G B'")
        rgb[number] = [int(field) for field in fields]
    if rgb.max() > 255:
        raise AssetPackError(f"{path}: palette values must be between 0 and 255")
    return rgb.astype(np.uint8)


def write_jasc_palette(path: Path, palette: Palette) -> None:
    rows = [" ".join(str(int(v)) for v in colour) for colour in palette]
    path.write_text("\n".join(["JASC-PAL", "0100", str(len(rows)), *rows]) + "\n", encoding="ascii")


def read_indexed_sprite(
    path: Path, family: GameFamily, second: bool = False
) -> tuple[npt.NDArray[np.uint8], Palette]:
    """The first frame of an indexed sprite, or with `second` its second, and its embedded palette (padded
    to 16 colours)."""
    size = family.frame_size
    assert size is not None
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode != "P":
                raise AssetPackError(
                    f"{path}: the sprite must be an indexed (palette) PNG, not mode {image.mode}"
                )
            width, height = image.size
            pixels = np.array(image, dtype=np.uint8)
            embedded = np.array(image.getpalette() or [], dtype=np.uint8)
    except (OSError, UnidentifiedImageError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise AssetPackError(f"{path}: missing (every pack needs front.png)") from exc
        raise AssetPackError(f"{path}: not a readable PNG ({exc})") from exc
    if height != size or width not in (size, 2 * size):
        raise AssetPackError(
            f"{path}: the sprite is {width}x{height}; {family.key} needs {size}x{size} "
            f"(or two frames, {2 * size}x{size})"
        )
    if second and width != 2 * size:
        raise AssetPackError(f"{path}: the sprite has one frame, not two")
    frame = pixels[:, size:] if second else pixels[:, :size]
    if frame.max() > 15:
        raise AssetPackError(
            f"{path}: pixels use palette index {frame.max()}; a sprite has 16 colours (0..15)"
        )
    palette = np.zeros((16, 3), dtype=np.uint8)
    colours = embedded[: 48 - len(embedded) % 3].reshape(-1, 3)[:16]
    palette[: len(colours)] = colours
    return np.ascontiguousarray(frame), palette


def load_pack(folder: Path, family: GameFamily, name: str | None = None) -> AssetPack:
    if not folder.is_dir():
        raise AssetPackError(f"{folder}: not a folder")
    sprite, embedded = read_indexed_sprite(folder / "front.png", family)
    normal_path = folder / "normal.pal"
    normal = read_jasc_palette(normal_path) if normal_path.exists() else embedded
    shiny_path = folder / "shiny.pal"
    shiny = read_jasc_palette(shiny_path) if shiny_path.exists() else None
    if not ((sprite >= 1) & (sprite <= 3)).any():
        raise AssetPackError(
            f"{folder / 'front.png'}: no pixel uses the cream indices 1..3, so no spot can show"
        )
    return AssetPack(family, name or folder.name, folder, sprite, normal, shiny)


def second_frame_pack(pack: AssetPack) -> AssetPack | None:
    """The pack's second animation frame as a pack of its own (the Gen IV games' front.png holds two),
    moved right by `GameFamily.second_frame_shift`, the distance the games draw its spots left of the
    first frame's, so the first frame's spot rule draws it. None where the family has no known second frame
    or the pack's sprite has one frame."""
    shift = pack.family.second_frame_shift
    if shift is None:
        return None
    try:
        frame, _ = read_indexed_sprite(pack.source / "front.png", pack.family, second=True)
    except AssetPackError:
        return None
    moved = np.zeros_like(frame)
    moved[:, shift:] = frame[:, :-shift]
    return replace(pack, name=f"{pack.name} (second frame)", sprite=moved)


def default_pack(family: GameFamily, assets: Path | None = None) -> AssetPack:
    """The pack to draw `family` with: `assets` if given, else the imported user pack, else the default
    art."""
    if assets is not None:
        # An explicit folder may be a pack for one family or hold one folder per family.
        folder = assets / family.key if (assets / family.key).is_dir() else assets
        return load_pack(folder, family, name=f"custom:{folder}")
    imported = user_pack_dir(family)
    if (imported / "front.png").exists():
        return load_pack(imported, family, name="imported")
    return load_pack(DEFAULT_ASSETS_DIR / family.key, family, name="default")


# --- Importing the games' own files -------------------------------------------------------------------------

SPOT_MASK_BYTES = 32  # 16 rows of 16 bits, little-endian, bit k of a row = column k
PACK_INFO = "pack.json"  # where an imported pack records what it was imported from


class PackStatus(NamedTuple):
    """Which pack `default_pack(family)` draws with: its name ('imported' or 'default') and folder."""

    name: str
    path: Path


@dataclass(frozen=True)
class PackSources:
    """The files an import reads, found in one of the layouts `find_pack_sources` knows."""

    layout: str
    front: Path
    normal: Path | None
    shiny: Path | None
    # Gen III: the four spot masks (.bin / .1bpp: 32 bytes; .png: 16x16). Gen IV: one spots.json. Or none.
    spots: tuple[Path, ...]


# Where pret's decompilations keep Spinda's files. Gen III: pokefirered / pokeruby / older pokeemerald have
# front.png and graphics/spinda_spots/spot_N.bin; newer pokeemerald has anim_front.png (two frames stacked)
# and graphics/pokemon/spinda/spots/spot_N.png (built into .1bpp). Gen IV: pokeplatinum's res/pokemon/spinda.
_GEN3_CHECKOUT = Path("graphics/pokemon/spinda")
_GEN3_SPRITES = ("front.png", "anim_front.png")
_GEN3_SPOT_LAYOUTS = (
    ("graphics/spinda_spots", ".bin"),
    ("graphics/pokemon/spinda/spots", ".png"),
    ("graphics/pokemon/spinda/spots", ".1bpp"),
)
_GEN4_CHECKOUT = Path("res/pokemon/spinda")


def _first_existing(paths: Sequence[Path]) -> Path | None:
    return next((path for path in paths if path.is_file()), None)


def _optional(path: Path) -> Path | None:
    return path if path.is_file() else None


def _spot_masks(folder: Path, suffix: str) -> tuple[Path, ...]:
    """spot_0..3 with `suffix` in `folder`: all four, or none; some but not all is an error."""
    files = tuple(folder / f"spot_{index}{suffix}" for index in range(4))
    missing = [path.name for path in files if not path.is_file()]
    if len(missing) == 4:
        return ()
    if missing:
        raise AssetPackError(
            f"{folder}: spot masks incomplete ({', '.join(missing)} missing; all four are needed)"
        )
    return files


def _gen3_spot_files(root: Path) -> tuple[Path, ...]:
    for folder, suffix in _GEN3_SPOT_LAYOUTS:
        files = _spot_masks(root / folder, suffix)
        if files:
            return files
    return ()


def find_pack_sources(source: Path, family: GameFamily) -> PackSources:
    """Find Spinda's files under `source`: a pack folder (front.png beside normal.pal / shiny.pal and the spot
    data: spot_0..3.bin for gen3, spots.json for gen4), a pret gen3 checkout (pokeemerald, pokefirered,
    pokeruby) or a pret gen4 checkout (pokeplatinum)."""
    if not source.is_dir():
        raise AssetPackError(f"{source}: not a folder")
    if (source / "front.png").is_file():
        if family.key == "gen3":
            spots = _spot_masks(source, ".bin")
        else:
            spots = tuple(path for path in [source / "spots.json"] if path.is_file())
        return PackSources(
            "pack folder",
            source / "front.png",
            _optional(source / "normal.pal"),
            _optional(source / "shiny.pal"),
            spots,
        )
    if family.key == "gen3":
        folder = source / _GEN3_CHECKOUT
        front = _first_existing([folder / name for name in _GEN3_SPRITES])
        if front is not None:
            return PackSources(
                "pret gen3 decompilation",
                front,
                _optional(folder / "normal.pal"),
                _optional(folder / "shiny.pal"),
                _gen3_spot_files(source),
            )
    if family.key == "gen4":
        folder = source / _GEN4_CHECKOUT
        if (folder / "male_front.png").is_file():
            return PackSources(
                "pret gen4 decompilation",
                folder / "male_front.png",
                _optional(folder / "normal.pal"),
                _optional(folder / "shiny.pal"),
                (),
            )
    expected = {
        "gen3": "front.png (a pack folder) or graphics/pokemon/spinda/front.png or anim_front.png "
        "(a pokeemerald / pokefirered / pokeruby checkout)",
        "gen4": "front.png (a pack folder) or res/pokemon/spinda/male_front.png (a pokeplatinum checkout)",
    }.get(family.key, "front.png")
    raise AssetPackError(f"{source}: no Spinda front sprite for {family.key} found: expected {expected}")


def _read_source_sprite(path: Path, family: GameFamily) -> tuple[npt.NDArray[np.uint8], Palette | None]:
    """Frame 1 of an indexed sprite (one frame, or two side by side or stacked) and its embedded palette
    (None where it has fewer than 16 colours)."""
    size = family.frame_size
    assert size is not None
    try:
        with Image.open(path) as image:
            image.load()
            mode, (width, height) = image.mode, image.size
            pixels = np.array(image, dtype=np.uint8) if mode == "P" else None
            embedded = (image.getpalette() or []) if mode == "P" else []
    except FileNotFoundError as exc:
        raise AssetPackError(f"{path}: missing") from exc
    except (OSError, UnidentifiedImageError) as exc:
        raise AssetPackError(f"{path}: not a readable PNG ({exc})") from exc
    if pixels is None:
        raise AssetPackError(
            f"{path}: the sprite must be an indexed (palette) PNG, not mode {mode}: use the game's own "
            "16-colour file, not a screenshot or a converted copy"
        )
    if (width, height) not in ((size, size), (2 * size, size), (size, 2 * size)):
        raise AssetPackError(
            f"{path}: the sprite is {width}x{height}; {family.key} needs one {size}x{size} frame "
            f"(or two: {2 * size}x{size} or {size}x{2 * size})"
        )
    frame = np.ascontiguousarray(pixels[:size, :size])
    if frame.max() > 15:
        raise AssetPackError(
            f"{path}: pixels use palette index {frame.max()}; a sprite has 16 colours (0..15)"
        )
    palette = np.array(embedded[:48], dtype=np.uint8).reshape(-1, 3) if len(embedded) >= 48 else None
    return frame, palette


def _box_of(mask: npt.NDArray[np.bool_]) -> tuple[int, int, int, int] | None:
    if not mask.any():
        return None
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def _describe_box(box: tuple[int, int, int, int] | None) -> str:
    return "nothing" if box is None else f"x {box[0]}..{box[2]}, y {box[1]}..{box[3]}"


# Ruby/Sapphire draw Spinda 7 rows lower than FireRed/LeafGreen/Emerald, with the spot origins 7 rows lower
# too: relative to the face the geometry is identical, so such a sprite is moved up to the gen3 frame.
_RUBY_SAPPHIRE_DROP = 7


def _check_silhouette(path: Path, frame: npt.NDArray[np.uint8], family: GameFamily) -> npt.NDArray[np.uint8]:
    assert family.body_box is not None and family.cream_box is not None
    body, cream = family.body_box, family.cream_box
    want_body = (body.x0, body.y0, body.x1, body.y1)
    want_cream = (cream.x0, cream.y0, cream.x1, cream.y1)
    got_body = _box_of(frame != 0)
    if family.key == "gen3" and got_body == (
        body.x0,
        body.y0 + _RUBY_SAPPHIRE_DROP,
        body.x1,
        body.y1 + _RUBY_SAPPHIRE_DROP,
    ):
        frame = np.roll(frame, -_RUBY_SAPPHIRE_DROP, axis=0)
        got_body = _box_of(frame != 0)
    got_cream = _box_of((frame >= 1) & (frame <= 3))
    if got_body != want_body:
        raise AssetPackError(
            f"{path}: its non-transparent pixels span {_describe_box(got_body)}, but {family.key}'s Spinda "
            f"spans {_describe_box(want_body)}: this is not Spinda's {family.key} front sprite"
        )
    if got_cream != want_cream:
        raise AssetPackError(
            f"{path}: its cream pixels (palette indices 1..3) span {_describe_box(got_cream)}, but "
            f"{family.key}'s Spinda's span {_describe_box(want_cream)}: this is not Spinda's {family.key} "
            "front sprite, or its colours are in a different order"
        )
    return frame


def _expected_rows(family: GameFamily, index: int) -> list[int]:
    rows = list(family.spots[index].rows)
    return rows + [0] * (16 - len(rows))


def _read_mask_bits(path: Path) -> list[int]:
    """A gen3 spot mask as 16 rows of bits (bit k = column k)."""
    if path.suffix == ".png":
        try:
            with Image.open(path) as image:
                image.load()
                if image.size != (16, 16):
                    raise AssetPackError(
                        f"{path}: a spot mask image is 16x16, this one is {image.size[0]}x{image.size[1]}"
                    )
                values = np.array(image.convert("L") if image.mode not in ("P", "L", "1") else image)
        except (OSError, UnidentifiedImageError) as exc:
            raise AssetPackError(f"{path}: not a readable PNG ({exc})") from exc
        # Set pixels are those unlike the top-left one: no Spinda spot covers its mask's first pixel.
        covered = values != values[0, 0]
        return [sum(1 << k for k in range(16) if covered[r, k]) for r in range(16)]
    data = path.read_bytes()
    if len(data) != SPOT_MASK_BYTES:
        raise AssetPackError(
            f"{path}: {len(data)} bytes; a spot mask is {SPOT_MASK_BYTES} bytes (16 rows of 16 bits)"
        )
    return [int.from_bytes(data[2 * r : 2 * r + 2], "little") for r in range(16)]


def _check_gen3_spots(paths: tuple[Path, ...], family: GameFamily) -> None:
    for index, path in enumerate(paths):
        got, want = _read_mask_bits(path), _expected_rows(family, index)
        if got != want:
            differ = [str(row) for row in range(16) if got[row] != want[row]]
            raise AssetPackError(
                f"{path}: spot {index}'s mask differs from {family.key}'s in rows {', '.join(differ)}: "
                "these are not Spinda's spot masks (or they are in another order)"
            )


def _spot_pixels_at_origin(family: GameFamily, index: int) -> set[tuple[int, int]]:
    shape = family.spots[index]
    return {(shape.origin[0] + int(x), shape.origin[1] + int(y)) for x, y in shape.offsets()}


def _check_gen4_spots(path: Path, family: GameFamily) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssetPackError(f"{path}: not readable JSON ({exc})") from exc
    spots = data.get("spots") if isinstance(data, dict) else data
    shape_ok = (
        isinstance(spots, list)
        and len(spots) == 4
        and all(
            isinstance(spot, list)
            and all(
                isinstance(point, list) and len(point) == 2 and all(type(v) is int for v in point)
                for point in spot
            )
            for spot in spots
        )
    )
    if not shape_ok:
        raise AssetPackError(
            f'{path}: expected {{"spots": [four lists of [x, y] pixels]}}, absolute for nibble 8'
        )
    assert isinstance(spots, list)
    for index, spot in enumerate(spots):
        got = {(point[0], point[1]) for point in spot}
        want = _spot_pixels_at_origin(family, index)
        if got != want or len(spot) != len(want):
            raise AssetPackError(
                f"{path}: spot {index} lists {len(spot)} pixels that differ from {family.key}'s spot {index} "
                f"({len(want)} pixels, {len(got ^ want)} differ): these are not Spinda's spot pixel lists"
            )


def _write_pack(
    folder: Path,
    frame: npt.NDArray[np.uint8],
    normal: Palette,
    shiny: Palette | None,
    info: dict[str, object],
) -> None:
    image = Image.fromarray(frame, "P")
    image.putpalette(normal.reshape(-1).tolist())
    image.save(folder / "front.png", transparency=0)
    write_jasc_palette(folder / "normal.pal", normal)
    if shiny is not None:
        write_jasc_palette(folder / "shiny.pal", shiny)
    (folder / PACK_INFO).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")


def _swap_in(built: Path, destination: Path) -> None:
    """Replace `destination` by `built` (a folder beside it); the old pack comes back if the move fails."""
    old = destination.with_name(f".{destination.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if destination.exists():
        destination.rename(old)
    try:
        built.rename(destination)
    except OSError:
        if old.exists():
            old.rename(destination)
        raise
    shutil.rmtree(old, ignore_errors=True)


def import_pack(source: Path, family: GameFamily) -> AssetPack:
    """Validate Spinda's files under `source` (see `find_pack_sources`) and make them the user pack that
    `default_pack(family)` uses. Every problem raises AssetPackError naming the file; the pack that was in
    place before stays as it was."""
    if not family.renderable:
        raise AssetPackError(f"{family.key} has no published sprite geometry, so it has no asset pack")
    found = find_pack_sources(source, family)
    frame, embedded = _read_source_sprite(found.front, family)
    frame = _check_silhouette(found.front, frame, family)
    if found.normal is not None:
        normal = read_jasc_palette(found.normal)
    elif embedded is not None:
        normal = embedded
    else:
        raise AssetPackError(
            f"{found.front}: its embedded palette has fewer than 16 colours and there is no normal.pal"
        )
    shiny = read_jasc_palette(found.shiny) if found.shiny is not None else None
    if len(found.spots) == 1:
        _check_gen4_spots(found.spots[0], family)
    elif found.spots:
        _check_gen3_spots(found.spots, family)
    destination = user_pack_dir(family)
    info: dict[str, object] = {
        "family": family.key,
        "imported_from": str(source.resolve()),
        "layout": found.layout,
        "files": [
            str(path.resolve()) for path in (found.front, found.normal, found.shiny, *found.spots) if path
        ],
    }
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Built beside the destination (same file system), so the swap is two renames.
        built = Path(tempfile.mkdtemp(prefix=f".{family.key}.import-", dir=destination.parent))
    except OSError as exc:
        raise AssetPackError(f"{destination.parent}: cannot write the imported pack there ({exc})") from exc
    try:
        built.chmod(0o755)
        _write_pack(built, frame, normal, shiny, info)
        load_pack(built, family)  # what default_pack will read must load
        _swap_in(built, destination)
    except OSError as exc:
        raise AssetPackError(f"{destination}: cannot write the imported pack ({exc})") from exc
    finally:
        if built.exists():
            shutil.rmtree(built, ignore_errors=True)
    return load_pack(destination, family, name="imported")


def pack_status(family: GameFamily) -> PackStatus:
    """The pack `default_pack(family)` draws with when no folder is given: the imported one, else the
    default art."""
    imported = user_pack_dir(family)
    if (imported / "front.png").exists():
        return PackStatus("imported", imported)
    return PackStatus("default", DEFAULT_ASSETS_DIR / family.key)


def imported_from(family: GameFamily) -> str | None:
    """Where the imported pack came from (as recorded at import), or None without an imported pack."""
    try:
        info = json.loads((user_pack_dir(family) / PACK_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    source = info.get("imported_from") if isinstance(info, dict) else None
    return source if isinstance(source, str) else None


def remove_imported_pack(family: GameFamily) -> bool:
    """Delete the imported pack so the default art is used again; False where there was none."""
    imported = user_pack_dir(family)
    if not imported.exists():
        return False
    shutil.rmtree(imported)
    return True
