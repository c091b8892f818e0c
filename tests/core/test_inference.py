"""Spotnet's numpy form (core.inference) against the torch network it is exported from, and its file."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from core.assets import PROJECT_ROOT
from core.inference import InferenceModel, ModelError, load_inference_model
from core.model import (
    ModelConfig,
    SpotClassifier,
    SpotModel,
    export_inference,
    load_spot_model,
    save_spot_model,
)
from core.pipeline import Identifier


def _network(family: str) -> SpotClassifier:
    """A spotnet whose batch normalisation has statistics and gains far from their defaults, so folding
    them into the convolutions is really checked."""
    torch.manual_seed(1)
    network = SpotClassifier(ModelConfig(family, widths=(6, 5), hidden=3))
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                assert module.running_mean is not None and module.running_var is not None
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.3, 3.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)
        network.body.position_bias.uniform_(-1.0, 1.0)  # type: ignore[operator]
    return network.eval()


def _crops(size: int, count: int = 4) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, (count, size, size, 3), dtype=np.uint8)


@pytest.mark.parametrize(("family", "size"), [("gen3", 64), ("gen4", 80)])
def test_numpy_form_gives_the_networks_probabilities(family: str, size: int, tmp_path: Path) -> None:
    network = _network(family)
    export_inference(network, tmp_path / "spot.npz")
    crops = _crops(size)
    expected = SpotModel(network).predict_proba(crops)
    found = load_inference_model(tmp_path / "spot.npz").predict_proba(crops)
    assert found.shape == (len(crops), 8, 16)
    np.testing.assert_allclose(found, expected, atol=1e-5)


@pytest.mark.parametrize(("family", "size"), [("gen3", 64), ("gen4", 80)])
def test_shipped_numpy_forms_match_the_shipped_checkpoints(family: str, size: int) -> None:
    """The pipeline reads the .npz; it must be the export of the .pt beside it, not a stale one."""
    crops = _crops(size, 8)
    checkpoint = load_spot_model(PROJECT_ROOT / "models" / f"spot_{family}.pt")
    numpy_form = load_inference_model(PROJECT_ROOT / "models" / f"spot_{family}.npz")
    np.testing.assert_allclose(numpy_form.predict_proba(crops), checkpoint.predict_proba(crops), atol=1e-5)
    assert numpy_form.card["backbone"] == "spotnet"


def test_saving_a_spotnet_writes_its_numpy_form_and_only_spotnet_has_one(tmp_path: Path) -> None:
    save_spot_model(tmp_path / "spot.pt", _network("gen3"))
    assert (tmp_path / "spot.npz").is_file()
    resnet = SpotClassifier(ModelConfig("gen3", "resnet18"))
    with pytest.raises(ModelError, match="only spotnet"):
        export_inference(resnet, tmp_path / "resnet.npz")


def test_identifying_does_not_import_torch() -> None:
    """The shipped models load as numpy: torch's import alone would cost seconds and hundreds of MB."""
    code = (
        "import sys\nfrom core.pipeline import Identifier\nidentifier = Identifier()\n"
        "assert sorted(identifier.models) == ['gen3', 'gen4'], identifier.models\n"
        "assert 'torch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)


def test_bad_inference_files_say_why(tmp_path: Path) -> None:
    text = tmp_path / "text.npz"
    text.write_text("not an archive")
    with pytest.raises(ModelError, match="not a readable inference file"):
        load_inference_model(text)
    with pytest.raises(ModelError, match="no such inference file"):
        load_inference_model(tmp_path / "missing.npz")
    other = tmp_path / "other.npz"
    np.savez(other, weights=np.zeros(3))
    with pytest.raises(ModelError, match="not a spotnet inference file"):
        load_inference_model(other)
    good = tmp_path / "good.npz"
    export_inference(_network("gen3"), good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ModelError, match="not a readable inference file"):
        load_inference_model(truncated)
    incomplete = tmp_path / "incomplete.npz"
    with np.load(good, allow_pickle=False) as data:
        np.savez(incomplete, **{name: data[name] for name in data.files if name != "position_bias"})
    with pytest.raises(ModelError, match="incomplete inference file"):
        load_inference_model(incomplete)


def test_pickled_arrays_are_never_loaded(tmp_path: Path) -> None:
    """An object array in the archive would need unpickling: refused, not run."""
    path = tmp_path / "pickled.npz"
    np.savez(path, format=np.array("spinda-spotnet-numpy/1"), meta=np.array([{"x": 1}], dtype=object))
    with zipfile.ZipFile(path) as archive:
        assert "meta.npy" in archive.namelist()
    with pytest.raises(ModelError, match="not a readable inference file"):
        load_inference_model(path)


def test_wrong_crops_are_refused(tmp_path: Path) -> None:
    export_inference(_network("gen3"), tmp_path / "spot.npz")
    model = load_inference_model(tmp_path / "spot.npz")
    with pytest.raises(ModelError, match="uint8 RGB crops for gen3"):
        model.predict_proba(np.zeros((1, 80, 80, 3), np.uint8))
    with pytest.raises(ModelError, match="got float64"):
        model.predict_proba(np.zeros((1, 64, 64, 3)))


def test_a_models_folder_prefers_the_numpy_form(tmp_path: Path) -> None:
    save_spot_model(tmp_path / "spot_gen3.pt", _network("gen3"))
    assert isinstance(Identifier(game="gen3", model_path=tmp_path).models["gen3"], InferenceModel)
    (tmp_path / "spot_gen3.npz").unlink()
    assert isinstance(Identifier(game="gen3", model_path=tmp_path).models["gen3"], SpotModel)
    single = tmp_path / "single.npz"
    np.save(tmp_path / "single.npy", np.zeros(3))
    (tmp_path / "single.npy").rename(single)
    with pytest.raises(ModelError, match="one array"):
        load_inference_model(single)
