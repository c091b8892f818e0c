"""The one check that a renderer reproduces the games' golden renders, shared by the render and pack tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from core.render import SpindaRenderer


def assert_matches_golden(renderer: SpindaRenderer, reference_dir: Path) -> None:
    """Every golden file of the renderer's family, pixel for pixel, palette indices included."""
    family = renderer.family
    golden = sorted((reference_dir / "golden" / family.key).glob("*.png"))
    assert len(golden) >= 20
    for path in golden:
        with Image.open(path) as image:
            expected = np.array(image)
        actual = renderer.indexed([int(path.stem, 16)])[0]
        assert np.array_equal(actual, expected), (
            f"{family.key} {path.stem}: {(actual != expected).sum()} pixels differ"
        )
