"""Asset packs: the indexed front sprite and palettes a family is drawn with.

A pack is a folder holding `front.png` (indexed; one frame of the family's size, or two frames side by side)
and the palettes `normal.pal` and `shiny.pal` (JASC-PAL, 16 colours). Where `normal.pal` is missing the
PNG's own palette is used; where `shiny.pal` is missing the pack renders normal colours only.

Packs are looked up in this order: a folder given explicitly, the user's imported pack under
`data/packs/<family>`, then the project's own default art under `assets/<family>`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from core.games import GameFamily

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ASSETS_DIR = PROJECT_ROOT / "assets"

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
    try:
        lines = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssetPackError(f"{path}: cannot read the palette ({exc})") from exc
    if lines[:2] != ["JASC-PAL", "0100"] or len(lines) < 3 or not lines[2].isdigit():
        raise AssetPackError(f"{path}: not a JASC-PAL palette (expected 'JASC-PAL', '0100' and a count)")
    count = int(lines[2])
    values = lines[3:]
    if count < 16 or len(values) < 48:
        raise AssetPackError(f"{path}: the palette has {min(count, len(values) // 3)} colours, 16 are needed")
    try:
        rgb = np.array([int(v) for v in values[:48]], dtype=np.int64).reshape(16, 3)
    except ValueError as exc:
        raise AssetPackError(f"{path}: a palette entry is not a number") from exc
    if rgb.min() < 0 or rgb.max() > 255:
        raise AssetPackError(f"{path}: palette values must be between 0 and 255")
    return rgb.astype(np.uint8)


def write_jasc_palette(path: Path, palette: Palette) -> None:
    rows = [" ".join(str(int(v)) for v in colour) for colour in palette]
    path.write_text("\n".join(["JASC-PAL", "0100", str(len(rows)), *rows]) + "\n", encoding="ascii")


def read_indexed_sprite(path: Path, family: GameFamily) -> tuple[npt.NDArray[np.uint8], Palette]:
    """The first frame of an indexed sprite and its embedded palette (padded to 16 colours)."""
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
    frame = pixels[:, :size]
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


def default_pack(family: GameFamily, assets: Path | None = None) -> AssetPack:
    """The pack to draw `family` with: `assets` if given, else the imported user pack, else the default art."""
    if assets is not None:
        # An explicit folder may be a pack for one family or hold one folder per family.
        folder = assets / family.key if (assets / family.key).is_dir() else assets
        return load_pack(folder, family, name=f"custom:{folder}")
    imported = user_pack_dir(family)
    if (imported / "front.png").exists():
        return load_pack(imported, family, name="imported")
    return load_pack(DEFAULT_ASSETS_DIR / family.key, family, name="default")
