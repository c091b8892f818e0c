"""The spot model's contract: shapes for every backbone, predict_proba, and the checkpoint round trip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from core.inference import ModelError
from core.model import (
    BACKBONES,
    CLASSES,
    COORDINATES,
    ModelConfig,
    SpotClassifier,
    SpotModel,
    SpotNet,
    load_spot_model,
    normalise,
    save_spot_model,
)


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Tiny networks: a second thread only adds synchronisation, costly on a busy CI machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _model(family: str = "gen3", backbone: str = "spotnet") -> SpotClassifier:
    torch.manual_seed(0)
    return SpotClassifier(ModelConfig(family, backbone, widths=(4, 4), hidden=4))


@pytest.mark.parametrize("backbone", BACKBONES)
def test_every_backbone_gives_eight_by_sixteen_logits(backbone: str) -> None:
    network = _model("gen3", backbone).eval()
    # The torchvision backbones take any size, so a tiny input keeps the test quick.
    size = 64 if backbone == "spotnet" else 32
    with torch.inference_mode():
        out = network(torch.rand(2, 3, size, size))
    assert out.shape == (2, COORDINATES, CLASSES)
    assert torch.isfinite(out).all()


def test_spotnet_reads_the_larger_gen4_frame() -> None:
    network = _model("gen4").eval()
    with torch.inference_mode():
        assert network(torch.rand(3, 3, 80, 80)).shape == (3, 8, 16)


def test_spotnet_ignores_pixels_no_spot_can_reach() -> None:
    # No spot of any position covers the frame's left edge.
    network = _model().eval()
    crops = torch.rand(1, 3, 64, 64)
    changed = crops.clone()
    changed[:, :, :3, :3] = 1.0 - changed[:, :, :3, :3]
    with torch.inference_mode():
        assert torch.equal(network(crops), network(changed))
        changed[:, :, 30, 30] += 0.5  # a pixel on the face does matter
        assert not torch.equal(network(crops), network(changed))


def test_spotnet_outputs_are_the_marginals_of_its_joint_scores() -> None:
    network = _model().eval()
    assert isinstance(network.body, SpotNet)
    crops = torch.rand(2, 3, 64, 64)
    with torch.inference_mode():
        network.body.position_bias.copy_(torch.randn(4, 16, 16))  # a prior that is not flat
        marginals = torch.softmax(network(crops), dim=-1)
        joint = torch.softmax(network.body.joint_logits(normalise(crops)).flatten(2), dim=-1).view(
            2, 4, 16, 16
        )
    torch.testing.assert_close(marginals[:, 0::2], joint.sum(dim=2))  # x: summed over y
    torch.testing.assert_close(marginals[:, 1::2], joint.sum(dim=3))  # y: summed over x


def test_predict_proba_returns_distributions() -> None:
    model = SpotModel(_model())
    crops = np.random.default_rng(0).integers(0, 256, (5, 64, 64, 3), dtype=np.uint8)
    proba = model.predict_proba(crops, batch_size=2)
    assert proba.shape == (5, 8, 16) and proba.dtype == np.float32
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0, rtol=1e-5)
    assert model.predict_proba(crops[:0]).shape == (0, 8, 16)
    # Batching does not change the answer (the network is in eval mode, so batch norm is fixed).
    np.testing.assert_allclose(model.predict_proba(crops, batch_size=5), proba, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("crops", "message"),
    [
        (np.zeros((2, 64, 64, 3), dtype=np.float32), "dtype float32"),
        (np.zeros((2, 80, 80, 3), dtype=np.uint8), r"shape \(2, 80, 80, 3\)"),
        (np.zeros((64, 64, 3), dtype=np.uint8), r"shape \(64, 64, 3\)"),
        (np.zeros((1, 64, 64, 4), dtype=np.uint8), "RGB crops for gen3"),
    ],
)
def test_predict_proba_rejects_wrong_crops(crops: np.ndarray, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        SpotModel(_model()).predict_proba(crops)


def test_checkpoint_round_trip_with_weights_only(tmp_path: Path) -> None:
    network = _model("gen4")
    path = tmp_path / "gen4.pt"
    save_spot_model(path, network, {"note": "test"})
    assert isinstance(torch.load(path, weights_only=True), dict)
    loaded = load_spot_model(path)
    assert loaded.family.key == "gen4"
    assert loaded.config == network.config
    assert loaded.card == {"note": "test"}
    crops = np.random.default_rng(1).integers(0, 256, (3, 80, 80, 3), dtype=np.uint8)
    np.testing.assert_array_equal(loaded.predict_proba(crops), SpotModel(network).predict_proba(crops))


def test_loading_bad_checkpoints_says_why(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such model checkpoint"):
        load_spot_model(tmp_path / "missing.pt")
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="not a readable checkpoint"):
        load_spot_model(garbage)
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(ModelError, match="not a spot model checkpoint"):
        load_spot_model(foreign)
    mismatched = tmp_path / "mismatched.pt"
    save_spot_model(mismatched, _model("gen3"))
    payload = torch.load(mismatched, weights_only=True)
    payload["config"]["family"] = "gen4"
    torch.save(payload, mismatched)
    with pytest.raises(ModelError, match="do not fit a spotnet for gen4"):
        load_spot_model(mismatched)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"family": "bdsp"}, "no published sprite geometry"),
        ({"family": "gen9"}, "unknown game"),
        ({"family": "gen3", "backbone": "vgg"}, "unknown backbone 'vgg'"),
        ({"family": "gen3", "widths": ()}, "positive feature widths"),
    ],
)
def test_bad_configs_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError, match=message):
        ModelConfig(**kwargs)  # type: ignore[arg-type]
