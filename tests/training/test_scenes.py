"""The bundled example screenshots are what `python -m training.scenes` draws from the current art."""

from __future__ import annotations

from pathlib import Path

from core.assets import EXAMPLES_DIR
from training.scenes import main


def test_the_bundled_examples_are_redrawn_exactly(tmp_path: Path) -> None:
    main(["--out", str(tmp_path)])
    drawn = sorted(path.name for path in tmp_path.iterdir())
    assert drawn == sorted(path.name for path in EXAMPLES_DIR.iterdir())
    for name in drawn:
        assert (tmp_path / name).read_bytes() == (EXAMPLES_DIR / name).read_bytes(), name
