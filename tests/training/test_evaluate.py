"""Scoring: exact PID, exact look and per-coordinate accuracy, on a tiny set with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import torch

from core.assets import AssetPack
from core.fingerprint import LookIndex
from core.games import GEN3
from core.model import ModelConfig, SpotClassifier, SpotModel, save_spot_model
from core.pid import coordinates
from core.render import SpindaRenderer
from training.augment import AugmentConfig
from training.dataset import DatasetError, SpotSet, VirtualDataset, targets
from training.evaluate import evaluate, main, score


def _one_hot(labels: np.ndarray) -> npt.NDArray[np.float32]:
    rows: npt.NDArray[np.float32] = np.eye(16, dtype=np.float32)[labels]
    return rows


def test_perfect_and_wrong_predictions(toy_pack: AssetPack) -> None:
    index = LookIndex(SpindaRenderer(toy_pack))
    pids = np.array([0x12345678, 0x9ABCDEF0, 0x88888888], dtype=np.uint32)
    proba = _one_hot(targets(pids, GEN3))
    perfect = score(proba, pids, index)
    assert (perfect.exact_pid, perfect.exact_look) == (1.0, 1.0)
    assert set(perfect.per_coordinate.values()) == {1.0}
    proba[0, 0] = _one_hot(np.array((coordinates(0x12345678, GEN3)[0] + 5) % 16))
    wrong = score(proba, pids, index)
    assert wrong.exact_pid == pytest.approx(2 / 3) and wrong.exact_look == pytest.approx(2 / 3)
    assert wrong.per_coordinate["TL_x"] == pytest.approx(2 / 3) and wrong.per_coordinate["TL_y"] == 1.0
    assert wrong.nll > perfect.nll


def test_a_different_pid_with_the_same_look_counts_as_a_look_match(toy_pack: AssetPack) -> None:
    index = LookIndex(SpindaRenderer(toy_pack))
    pid = next(p for p in range(0, 1 << 32, 0x01234567) if len(index.siblings(p)) > 1)
    twin = next(s for s in index.siblings(pid) if s != pid)
    guess = _one_hot(targets(np.array([twin], dtype=np.uint32), GEN3))
    scores = score(guess, np.array([pid], np.uint32), index)
    assert (scores.exact_pid, scores.exact_look) == (0.0, 1.0)


def test_evaluate_checks_families(toy_pack: AssetPack) -> None:
    model = SpotModel(SpotClassifier(ModelConfig("gen4", widths=(4,), hidden=2)))
    batch = VirtualDataset([toy_pack], 0, AugmentConfig.none()).batch(2)
    spot_set = SpotSet("gen3", "toy", "val", 0, batch.crops, batch.pids, batch.shiny)
    with pytest.raises(DatasetError, match="model reads gen4"):
        evaluate(model, spot_set, LookIndex(SpindaRenderer(toy_pack)))


def test_command_line_scores_and_records_the_card(
    toy_pack: AssetPack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torch.manual_seed(0)
    save_spot_model(tmp_path / "m.pt", SpotClassifier(ModelConfig("gen3", widths=(4,), hidden=2)))
    batch = VirtualDataset([toy_pack], 99, AugmentConfig()).batch(20)
    SpotSet("gen3", "toy", "test", 99, batch.crops, batch.pids, batch.shiny).save(tmp_path / "t.npz")
    args = ["--model", str(tmp_path / "m.pt"), "--set", str(tmp_path / "t.npz")]
    args += ["--assets", str(toy_pack.source)]
    assert main([*args, "--card"]) == 0
    assert "n=20 exact_look=" in capsys.readouterr().out
    card = json.loads((tmp_path / "m.json").read_text())
    assert card["evaluation"]["test"]["samples"] == 20
    assert main(["--model", str(tmp_path / "missing.pt"), "--set", str(tmp_path / "t.npz")]) == 2
    assert "no such model checkpoint" in capsys.readouterr().err
