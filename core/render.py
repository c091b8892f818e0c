"""PID -> indexed sprite -> RGBA, with the games' exact spot rule, vectorised over many PIDs.

The rule: each spot's mask, moved by (nibble - 8) on each axis and clipped to the frame, recolours the
pixels it covers whose palette index is 1, 2 or 3 by adding the family's shift. A recoloured pixel leaves
that range, so it is never recoloured twice: the drawn spots are the union of each spot's visible pixels.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import numpy as np
import numpy.typing as npt
from PIL import Image

from core.assets import AssetPack
from core.games import ByteOrder, GameFamily

PidArray = npt.NDArray[np.uint32]
_BATCH = 2048


def spot_cover(family: GameFamily) -> npt.NDArray[np.bool_]:
    """(4, 256, size * size): the frame pixels each spot covers for each value of its byte, clipped."""
    size = family.frame_size
    assert size is not None, f"{family.key} has no sprite geometry"
    cover = np.zeros((4, 256, size * size), dtype=np.bool_)
    for index, shape in enumerate(family.spots):
        offsets = shape.offsets()
        for byte in range(256):
            x = shape.origin[0] + (byte & 0xF) - 8 + offsets[:, 0]
            # The games keep y in an unsigned byte, so a row above the frame wraps far below it: clipped.
            y = shape.origin[1] + (byte >> 4) - 8 + offsets[:, 1]
            inside = (x >= 0) & (x < size) & (y >= 0) & (y < size)
            cover[index, byte, y[inside] * size + x[inside]] = True
    return cover


def as_pid_array(pids: Iterable[int] | npt.ArrayLike) -> PidArray:
    return np.atleast_1d(np.asarray(pids, dtype=np.uint32))


class SpindaRenderer:
    """Renders PIDs with one asset pack. Build once and reuse: the lookup tables cost a few milliseconds."""

    def __init__(self, pack: AssetPack) -> None:
        self.pack = pack
        self.family = pack.family
        self.size: int = pack.sprite.shape[0]
        self._base = pack.sprite.reshape(-1)
        # Only cream pixels can change, so each spot's table keeps just its visible pixels.
        self.visible_by_byte = spot_cover(self.family) & pack.cream.reshape(-1)

    def _spot_bytes(self, pids: PidArray) -> list[npt.NDArray[np.uint8]]:
        raw = pids.astype("<u4").view(np.uint8).reshape(-1, 4)
        if self.family.byte_order is ByteOrder.BIG:
            raw = raw[:, ::-1]
        return [raw[:, i] for i in range(4)]

    def spot_pixels(self, pids: Iterable[int] | npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """(n, size, size): the pixels drawn in spot colours for each PID."""
        values = as_pid_array(pids)
        out = np.empty((len(values), self.size * self.size), dtype=np.bool_)
        for start in range(0, len(values), _BATCH):
            chunk = self._spot_bytes(values[start : start + _BATCH])
            block = self.visible_by_byte[0, chunk[0]]
            for spot in range(1, 4):
                block |= self.visible_by_byte[spot, chunk[spot]]
            out[start : start + _BATCH] = block
        return out.reshape(-1, self.size, self.size)

    def indexed(self, pids: Iterable[int] | npt.ArrayLike) -> npt.NDArray[np.uint8]:
        """(n, size, size) palette indices, exactly as the game leaves them."""
        spots = self.spot_pixels(pids)
        shift = np.uint8(self.family.colour_shift)
        return self._base.reshape(self.size, self.size) + spots.astype(np.uint8) * shift

    @cached_property
    def _rgba_palettes(self) -> dict[bool, npt.NDArray[np.uint32]]:
        # One uint32 per colour, so a pixel's lookup moves four channels at once.
        tables = {}
        for shiny in (False, True):
            if shiny and self.pack.shiny is None:
                continue
            table = np.zeros((256, 4), dtype=np.uint8)
            table[:16, :3] = self.pack.palette(shiny)
            table[1:16, 3] = 255
            tables[shiny] = table.view(np.uint32).reshape(256)
        return tables

    def rgba(self, pids: Iterable[int] | npt.ArrayLike, shiny: bool = False) -> npt.NDArray[np.uint8]:
        """(n, size, size, 4) RGBA with a transparent background."""
        if shiny not in self._rgba_palettes:
            self.pack.palette(shiny)  # raises the pack's own error for the missing palette
        packed = self._rgba_palettes[shiny][self.indexed(pids)]
        return packed.view(np.uint8).reshape(*packed.shape, 4)

    def image(self, pid: int, shiny: bool = False, scale: int = 1) -> Image.Image:
        """One RGBA image, enlarged by `scale` with nearest-neighbour so every game pixel stays sharp."""
        if scale < 1:
            raise ValueError(f"scale must be at least 1, got {scale}")
        pixels = self.rgba([pid], shiny)[0]
        if scale > 1:
            pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
        return Image.fromarray(pixels, "RGBA")

    def indexed_image(self, pid: int) -> Image.Image:
        """A palette image as the game holds it in memory: index 0 transparent, the normal palette."""
        image = Image.fromarray(self.indexed([pid])[0], "P")
        image.putpalette(self.pack.normal.reshape(-1).tolist())
        image.info["transparency"] = 0
        return image
