"""Packs for training tests: the project's default art when it exists, else a small synthetic pack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.assets import AssetPack, load_pack, write_jasc_palette
from core.games import GEN3


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """The networks here are tiny: a second thread only adds synchronisation, which on a busy CI machine
    costs more than the work itself."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def toy_pack(tmp_path_factory: pytest.TempPathFactory) -> AssetPack:
    """A 64x64 gen3 pack drawn here: an ellipse of cream (indices 1..3) with a dark outline (index 4).

    Tests must not depend on art another part of the project is still drawing, and must never read the
    games' own art into the repository, so they draw their own.
    """
    folder = tmp_path_factory.mktemp("toy_gen3")
    yy, xx = np.mgrid[0:64, 0:64]
    inside = ((xx - 34) / 18.0) ** 2 + ((yy - 31) / 24.0) ** 2
    sprite = np.zeros((64, 64), dtype=np.uint8)
    sprite[inside <= 1.15] = 4
    sprite[inside <= 1.0] = 1 + (xx[inside <= 1.0] + yy[inside <= 1.0]) % 3
    image = Image.fromarray(sprite, "P")
    normal = np.zeros((16, 3), dtype=np.uint8)
    normal[1:4] = [(240, 230, 200), (225, 210, 170), (200, 180, 140)]
    normal[4] = (40, 30, 30)
    normal[5:8] = [(222, 139, 74), (222, 106, 57), (180, 90, 41)]
    shiny = normal.copy()
    shiny[5:8] = [(180, 197, 90), (148, 164, 57), (115, 131, 24)]
    image.putpalette(normal.reshape(-1).tolist())
    image.save(folder / "front.png")
    write_jasc_palette(folder / "normal.pal", normal)
    write_jasc_palette(folder / "shiny.pal", shiny)
    return load_pack(Path(folder), GEN3, name="toy")
