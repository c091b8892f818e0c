"""Training: the loss falls, a run writes a loadable checkpoint and card, and a paused run resumes exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from core.assets import AssetPack
from core.games import GEN3
from core.model import ModelConfig, SpotClassifier, load_spot_model
from training.augment import AugmentConfig
from training.dataset import SpotSet, VirtualDataset, targets, training_packs
from training.train import TrainOptions, loss_on, main, train

TINY = {"widths": (4, 4), "hidden": 4}


def test_a_few_steps_reduce_the_loss(toy_pack: AssetPack) -> None:
    torch.manual_seed(0)
    network = SpotClassifier(ModelConfig("gen3", **TINY))  # type: ignore[arg-type]
    batch = VirtualDataset([toy_pack], 0, AugmentConfig.none()).batch(32)
    labels = torch.from_numpy(targets(batch.pids, GEN3))
    optimiser = torch.optim.Adam(network.parameters(), lr=3e-3)
    losses = []
    for _ in range(20):
        loss = loss_on(network, batch.crops, labels)
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]


def _options(toy_pack: AssetPack, tmp_path: Path, **changes: object) -> TrainOptions:
    batch = VirtualDataset([toy_pack], 42, AugmentConfig.none(), 0.0).batch(24)
    val_path = tmp_path / "val.npz"
    pack_name = training_packs(GEN3, [toy_pack.source])[0].name
    SpotSet("gen3", pack_name, "val", 42, batch.crops, batch.pids, batch.shiny).save(val_path)
    options = TrainOptions(
        family="gen3",
        steps=4,
        batch_size=8,
        eval_every=2,
        assets=[toy_pack.source],
        val=val_path,
        out=tmp_path / "model.pt",
        run_dir=tmp_path / "run",
        quiet=True,
        **TINY,  # type: ignore[arg-type]
    )
    for name, value in changes.items():
        setattr(options, name, value)
    return options


def test_a_run_writes_a_checkpoint_and_card(toy_pack: AssetPack, tmp_path: Path) -> None:
    result = train(_options(toy_pack, tmp_path))
    assert result.steps == 4 and len(result.history) == 2 and result.best is not None
    model = load_spot_model(tmp_path / "model.pt")
    assert model.family.key == "gen3"
    card = json.loads((tmp_path / "model.json").read_text())
    assert card["backbone"] == "spotnet" and card["steps_run"] == 4
    assert card["evaluation"]["val"]["samples"] == 24
    assert card["data"]["packs"][0]["source"] == str(toy_pack.source)


def test_pause_and_resume_match_an_uninterrupted_run(toy_pack: AssetPack, tmp_path: Path) -> None:
    whole = train(_options(toy_pack, tmp_path / "whole"))
    train(_options(toy_pack, tmp_path / "split", pause_at=2))
    resumed = train(_options(toy_pack, tmp_path / "split", resume=True))
    assert resumed.steps == whole.steps
    a = torch.load(tmp_path / "whole" / "run" / "state.pt", weights_only=True)["model"]["state_dict"]
    b = torch.load(tmp_path / "split" / "run" / "state.pt", weights_only=True)["model"]["state_dict"]
    for key in a:
        torch.testing.assert_close(a[key], b[key], msg=key)
    assert [h["val"]["nll"] for h in resumed.history] == pytest.approx(
        [h["val"]["nll"] for h in whole.history]
    )


def test_a_run_with_worker_processes_is_repeatable(toy_pack: AssetPack, tmp_path: Path) -> None:
    first = train(_options(toy_pack, tmp_path / "first", workers=2))
    again = train(_options(toy_pack, tmp_path / "again", workers=2))
    assert [h["val"]["nll"] for h in first.history] == pytest.approx([h["val"]["nll"] for h in again.history])
    in_process = train(_options(toy_pack, tmp_path / "in_process"))
    assert [h["val"]["nll"] for h in in_process.history] != [h["val"]["nll"] for h in first.history]
    assert json.loads((tmp_path / "first" / "model.json").read_text())["data"]["workers"] == 2


def test_a_run_on_varied_art_resumes_exactly_and_records_the_variation(
    toy_pack: AssetPack, tmp_path: Path
) -> None:
    whole = train(_options(toy_pack, tmp_path / "whole", varied_art=0.5))
    train(_options(toy_pack, tmp_path / "split", varied_art=0.5, pause_at=2))
    resumed = train(_options(toy_pack, tmp_path / "split", varied_art=0.5, resume=True))
    assert [h["val"]["nll"] for h in resumed.history] == pytest.approx(
        [h["val"]["nll"] for h in whole.history]
    )
    plain = train(_options(toy_pack, tmp_path / "plain"))
    assert [h["val"]["nll"] for h in plain.history] != [h["val"]["nll"] for h in whole.history]
    card = json.loads((tmp_path / "whole" / "model.json").read_text())
    assert card["data"]["art_variation"]["share"] == 0.5
    assert json.loads((tmp_path / "plain" / "model.json").read_text())["data"]["art_variation"] is None


def test_a_varied_art_share_outside_0_to_1_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--varied-art", "1.5"])
    assert "--varied-art must be a share between 0 and 1" in capsys.readouterr().err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA device")
def test_a_device_that_is_not_here_is_refused(
    toy_pack: AssetPack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--assets", str(toy_pack.source), "--out", str(tmp_path / "m.pt")]
    assert main([*common, "--device", "cuda"]) == 2
    assert "no CUDA device" in capsys.readouterr().err
    assert main([*common, "--device", "warp-drive"]) == 2
    assert "unknown device 'warp-drive'" in capsys.readouterr().err
    assert main([*common, "--device", "meta"]) == 2
    assert "only cpu and cuda" in capsys.readouterr().err
    assert not (tmp_path / "m.pt").exists()


def test_errors_are_reported_not_raised(
    toy_pack: AssetPack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--family", "gen9"]) == 2
    assert "unknown game 'gen9'" in capsys.readouterr().err
    assert (
        main(
            [
                "--family",
                "gen3",
                "--assets",
                str(toy_pack.source),
                "--run-dir",
                str(tmp_path / "none"),
                "--val",
                str(tmp_path / "v.npz"),
                "--out",
                str(tmp_path / "m.pt"),
                "--resume",
            ]
        )
        == 2
    )
    assert "nothing to resume" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--widths", "a,b"])
    assert "comma-separated integers" in capsys.readouterr().err


def test_a_validation_set_from_other_art_is_refused(toy_pack: AssetPack, tmp_path: Path) -> None:
    options = _options(toy_pack, tmp_path)
    assert options.val is not None
    batch = VirtualDataset([toy_pack], 42, AugmentConfig.none(), 0.0).batch(4)
    SpotSet("gen3", "someone-else", "val", 42, batch.crops, batch.pids, batch.shiny).save(options.val)
    with pytest.raises(ValueError, match="drawn with someone-else"):
        train(options)
    assert not np.any([(tmp_path / "model.pt").exists()])


def test_fine_tuning_starts_from_the_given_weights(toy_pack: AssetPack, tmp_path: Path) -> None:
    train(_options(toy_pack, tmp_path / "first"))
    start = load_spot_model(tmp_path / "first" / "model.pt")
    tuned = train(_options(toy_pack, tmp_path / "tuned", init=tmp_path / "first" / "model.pt", lr=1e-9))
    # With a vanishing learning rate the weights stay those of the starting model.
    model = load_spot_model(tmp_path / "tuned" / "model.pt")
    for key, value in start.network.state_dict().items():
        if not key.endswith(("running_mean", "running_var", "num_batches_tracked")):
            torch.testing.assert_close(model.network.state_dict()[key], value, msg=key)
    assert tuned.best is not None
    card = json.loads((tmp_path / "tuned" / "model.json").read_text())
    assert card["initialised_from"]["steps"] == start.card["steps"]
    wrong = _options(toy_pack, tmp_path / "wrong", init=tmp_path / "first" / "model.pt", hidden=5)
    with pytest.raises(ValueError, match="not the"):
        train(wrong)
