"""The shipped checkpoints still read the project's default art: a fresh clean sample, scored as in training.

If the default art is redrawn without retraining, or a checkpoint is replaced by a worse one, this fails.
"""

from __future__ import annotations

import json

import pytest

from core.assets import DEFAULT_ASSETS_DIR, PROJECT_ROOT, load_pack
from core.fingerprint import LookIndex
from core.games import renderable_family
from core.model import load_spot_model
from core.render import SpindaRenderer
from training.augment import AugmentConfig
from training.dataset import VirtualDataset
from training.evaluate import score

# Well below the validation figures in the cards, so only a real regression fails.
MIN_EXACT_LOOK = 0.8


@pytest.mark.parametrize("family_key", ["gen3", "gen4"])
def test_shipped_model_reads_fresh_default_art(family_key: str) -> None:
    path = PROJECT_ROOT / "models" / f"spot_{family_key}.pt"
    model = load_spot_model(path)
    family = renderable_family(family_key)
    assert model.family == family
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["backbone"] == model.config.backbone and card["evaluation"]["val"]["samples"] == 1000
    pack = load_pack(DEFAULT_ASSETS_DIR / family.key, family, name="default")
    # A seed the validation set (42) and the test set (99) do not use.
    batch = VirtualDataset([pack], 7, AugmentConfig.none(), shiny_rate=0.5).batch(200)
    scores = score(model.predict_proba(batch.crops), batch.pids, LookIndex(SpindaRenderer(pack)))
    assert scores.exact_look >= MIN_EXACT_LOOK, scores.summary()
