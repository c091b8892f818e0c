"""The virtual dataset and the fixed sets: determinism, labels, file round trip, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.assets import AssetPack
from core.games import GEN3, GEN4
from core.pid import coordinates
from core.render import SpindaRenderer
from training.augment import AugmentConfig
from training.dataset import (
    DatasetError,
    VirtualDataset,
    augmented_screenshots,
    load_set,
    make_set,
    parallel_batches,
    targets,
    training_packs,
)
from training.scenes import jpeg, no_spinda_crops, scenes


def test_same_seed_same_stream_other_seed_other_stream(toy_pack: AssetPack) -> None:
    first = VirtualDataset([toy_pack], 7, AugmentConfig()).batch(16)
    again = VirtualDataset([toy_pack], 7, AugmentConfig()).batch(16)
    other = VirtualDataset([toy_pack], 8, AugmentConfig()).batch(16)
    np.testing.assert_array_equal(first.crops, again.crops)
    np.testing.assert_array_equal(first.pids, again.pids)
    assert not np.array_equal(first.pids, other.pids)
    assert first.crops.shape == (16, 64, 64, 3) and first.crops.dtype == np.uint8


def test_restored_state_continues_the_same_stream(toy_pack: AssetPack) -> None:
    dataset = VirtualDataset([toy_pack], 3, AugmentConfig())
    dataset.batch(4)
    state = dataset.state()
    expected = dataset.batch(4)
    resumed = VirtualDataset([toy_pack], 999, AugmentConfig())
    resumed.restore(state)
    np.testing.assert_array_equal(resumed.batch(4).crops, expected.crops)


def test_worker_batches_are_one_exact_sequence_per_seed_and_step(toy_pack: AssetPack) -> None:
    def first_pids(seed: int, step: int) -> list[list[int]]:
        batches = parallel_batches([toy_pack], seed, step, 4, workers=2, augment_config=AugmentConfig())
        return [next(batches).pids.tolist() for _ in range(4)]

    run = first_pids(5, 0)
    assert first_pids(5, 0) == run
    # The two workers draw different streams, taken in turn.
    assert len({tuple(pids) for pids in run}) == 4
    assert first_pids(5, 100) != run and first_pids(6, 0) != run


def test_clean_samples_are_the_renders_on_white(toy_pack: AssetPack) -> None:
    batch = VirtualDataset([toy_pack], 1, AugmentConfig.none(), shiny_rate=0.5).batch(8)
    renderer = SpindaRenderer(toy_pack)
    assert batch.shiny.any() and not batch.shiny.all()
    for crop, pid, shiny in zip(batch.crops, batch.pids, batch.shiny, strict=True):
        rgba = renderer.rgba([pid], bool(shiny))[0]
        expected = np.where(rgba[..., 3:] > 0, rgba[..., :3], 255)
        np.testing.assert_array_equal(crop, expected)


def test_targets_follow_core_coordinates() -> None:
    pids = np.array([0xF2410A57, 0, 0xFFFFFFFF], dtype=np.uint32)
    labels = targets(pids, GEN3)
    assert labels.shape == (3, 8)
    assert labels[0].tolist() == list(coordinates(0xF2410A57, GEN3)) == [7, 5, 10, 0, 1, 4, 2, 15]


def test_fixed_sets_are_deterministic_and_round_trip(toy_pack: AssetPack, tmp_path: Path) -> None:
    val = make_set([toy_pack], "val")
    assert (val.seed, len(val.pids), val.kind) == (42, 1000, "val")
    assert not val.shiny.any()
    val.save(tmp_path / "val.npz")
    loaded = load_set(tmp_path / "val.npz")
    np.testing.assert_array_equal(loaded.crops, make_set([toy_pack], "val").crops)
    np.testing.assert_array_equal(loaded.pids, val.pids)
    assert (loaded.family, loaded.pack, loaded.kind) == ("gen3", "toy", "val")
    test = make_set([toy_pack], "test")
    assert (test.seed, len(test.pids)) == (99, 500)
    # The test set is augmented: its backgrounds are not all white.
    assert (test.crops[:, 0, 0] != 255).any()


def test_errors_say_what_is_wrong(toy_pack: AssetPack, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="at least one asset pack"):
        VirtualDataset([], 0, AugmentConfig())
    gen4_like = AssetPack(GEN4, "other", tmp_path, np.ones((80, 80), np.uint8), toy_pack.normal, None)
    with pytest.raises(DatasetError, match="one game family"):
        VirtualDataset([toy_pack, gen4_like], 0, AugmentConfig())
    with pytest.raises(DatasetError, match="unknown set 'train'"):
        make_set([toy_pack], "train")
    with pytest.raises(DatasetError, match="generate_sets"):
        load_set(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(DatasetError, match="not a readable spot set"):
        load_set(tmp_path / "junk.npz")


def test_explicit_pack_folders_replace_the_defaults(toy_pack: AssetPack) -> None:
    packs = training_packs(GEN3, [toy_pack.source])
    assert [pack.source for pack in packs] == [toy_pack.source]


def test_test_screenshots_are_fixed_and_mix_the_kinds_of_picture(toy_pack: AssetPack) -> None:
    """The augmented test set as screenshots: the same pictures on every call, each a whole screen with
    the sprite of its PID where its truth says, sharp, smoothed and photographed ones alike."""
    first = list(augmented_screenshots([toy_pack], 24))
    again = list(augmented_screenshots([toy_pack], 24))
    assert [(kind, pid) for kind, pid, _ in first] == [(kind, pid) for kind, pid, _ in again]
    for (_, _, a), (_, _, b) in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.image, b.image)
    kinds = {kind for kind, _, _ in first}
    assert {"smooth+jpeg", "photo"} <= kinds and any(kind.startswith("sharp x") for kind in kinds)
    renderer = SpindaRenderer(toy_pack)
    for kind, pid, scene in first:
        if kind.startswith("sharp x"):
            scale = int(kind[len("sharp x") :])
            x, y = (round(v) for v in scene.native_to_picture(0, 0))
            native = scene.image[y : y + 64 * scale : scale, x : x + 64 * scale : scale]
            sprite = renderer.rgba([pid], scene.shiny)[0]
            opaque = sprite[..., 3] > 0
            np.testing.assert_array_equal(native[opaque], sprite[..., :3][opaque])


def test_scenes_refuse_an_unknown_kind(toy_pack: AssetPack) -> None:
    with pytest.raises(ValueError, match="unknown kind of picture 'sharp x7'"):
        scenes(SpindaRenderer(toy_pack), "sharp x7", 1, np.random.default_rng(0))


def test_jpeg_keeps_colour_detail_only_at_full_chroma() -> None:
    # A checkerboard of two colours of one luminance: at 4:2:0 their colours average out, at 4:4:4 they stay.
    rows, columns = np.mgrid[:32, :32]
    image = np.where(((rows + columns) % 2 == 0)[..., None], [200, 100, 100], [100, 151, 100]).astype(
        np.uint8
    )
    for quality in (60, 90):
        usual = np.abs(jpeg(image, quality).astype(int) - image).mean()
        full = np.abs(jpeg(image, quality, full_chroma=True).astype(int) - image).mean()
        assert full < 6 and usual > 20


def test_full_chroma_draws_the_same_pictures(toy_pack: AssetPack) -> None:
    renderer = SpindaRenderer(toy_pack)
    for kind in ("smooth+jpeg", "photo"):
        usual = scenes(renderer, kind, 3, np.random.default_rng(5))
        full = scenes(renderer, kind, 3, np.random.default_rng(5), full_chroma=True)
        for (pid, picture), (same_pid, full_picture) in zip(usual, full, strict=True):
            assert pid == same_pid and picture.shiny == full_picture.shiny
            assert picture.homography is not None and full_picture.homography is not None
            np.testing.assert_allclose(picture.homography, full_picture.homography)
            assert not np.array_equal(picture.image, full_picture.image)
            # Only the colour's resolution differs: the pictures' brightness agrees closely.
            luma = np.array([0.299, 0.587, 0.114])
            assert np.abs(picture.image @ luma - full_picture.image @ luma).mean() < 3


@pytest.mark.parametrize("kind", ["smooth+jpeg", "photo"])
def test_a_cropped_screenshot_is_the_part_around_its_sprite(toy_pack: AssetPack, kind: str) -> None:
    """ "smooth+jpeg crop" ("photo crop") cuts the screen "smooth+jpeg" (the photo "photo") draws with the
    same random draws to a box around the sprite's frame: the frame whole inside it, the truth moved with
    the cut, the pixels the whole picture's."""
    renderer = SpindaRenderer(toy_pack)
    size = toy_pack.sprite.shape[0]
    for seed in range(5):
        [(pid, crop)] = scenes(renderer, f"{kind} crop", 1, np.random.default_rng(seed))
        [(same_pid, whole)] = scenes(renderer, kind, 1, np.random.default_rng(seed))
        assert pid == same_pid
        height, width = crop.image.shape[:2]
        assert height < whole.image.shape[0] or width < whole.image.shape[1]
        corners = np.array([crop.native_to_picture(u, v) for u in (0, size) for v in (0, size)])
        assert corners.min() >= 0 and corners[:, 0].max() <= width and corners[:, 1].max() <= height
        x0, y0 = (
            round(a - b)
            for a, b in zip(whole.native_to_picture(0, 0), crop.native_to_picture(0, 0), strict=True)
        )
        np.testing.assert_array_equal(crop.image, whole.image[y0 : y0 + height, x0 : x0 + width])


def test_no_spinda_crops_are_the_parts_around_other_creatures() -> None:
    """Crops without a Spinda: drawn again the same from the same seed, none with a truth, each holding at
    least a sprite's frame (the crop's margins around it at x1.5 or more)."""
    first = list(no_spinda_crops(8, np.random.default_rng(3)))
    again = list(no_spinda_crops(8, np.random.default_rng(3)))
    for i, (scene, same) in enumerate(zip(first, again, strict=True)):
        np.testing.assert_array_equal(scene.image, same.image)
        assert not scene.has_spinda and scene.image.ndim == 3
        assert min(scene.image.shape[:2]) >= 64, i
