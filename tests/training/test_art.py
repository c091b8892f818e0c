"""Varied art: what a variant changes (where the sprite lies, its colours) and what it keeps (the spot
geometry in the frame, the palette's layout, one exact stream per seed)."""

from __future__ import annotations

import numpy as np

from core.assets import AssetPack
from core.render import SpindaRenderer, spot_cover
from training.art import ArtVariation, varied_pack, varied_packs
from training.augment import AugmentConfig
from training.dataset import VirtualDataset


def test_a_variant_moves_the_sprite_but_keeps_its_indices_and_size(toy_pack: AssetPack) -> None:
    variant = varied_pack(toy_pack, np.random.default_rng(3), ArtVariation(max_turn=0.0, max_stretch=0.0))
    assert variant.sprite.shape == toy_pack.sprite.shape and variant.family == toy_pack.family
    assert set(np.unique(variant.sprite)) <= set(np.unique(toy_pack.sprite))
    assert not np.array_equal(variant.sprite, toy_pack.sprite)
    # A pure shift of a few pixels: the cream keeps its size, give or take what crosses the frame's edge.
    assert abs(int(variant.cream.sum()) - int(toy_pack.cream.sum())) <= 0.05 * toy_pack.cream.sum()


def test_nothing_to_vary_gives_the_same_sprite(toy_pack: AssetPack) -> None:
    still = ArtVariation(max_shift=0.0, max_stretch=0.0, max_turn=0.0, max_gain=0.0, max_other=0.0)
    variant = varied_pack(toy_pack, np.random.default_rng(0), still)
    np.testing.assert_array_equal(variant.sprite, toy_pack.sprite)
    np.testing.assert_array_equal(variant.normal, toy_pack.normal)


def test_body_colours_keep_their_order_and_spots_stay_in_the_frame(toy_pack: AssetPack) -> None:
    variant = varied_pack(toy_pack, np.random.default_rng(5))
    shift = toy_pack.family.colour_shift
    body = [1, 2, 3, 1 + shift, 2 + shift, 3 + shift]
    brightness = variant.normal[body].astype(int).sum(axis=1)
    assert np.array_equal(np.argsort(brightness), np.argsort(toy_pack.normal[body].astype(int).sum(axis=1)))
    # A spot is drawn on the variant's cream, at the frame position its byte gives, as on any art.
    renderer = SpindaRenderer(variant)
    pid = 0x88888888
    drawn = renderer.spot_pixels([pid])[0].reshape(-1)
    cover = np.zeros_like(drawn)
    for spot, byte in enumerate(toy_pack.family.spot_bytes(pid)):
        cover |= spot_cover(toy_pack.family)[spot, byte]
    np.testing.assert_array_equal(drawn, cover & variant.cream.reshape(-1))


def test_variants_are_one_exact_draw_per_seed(toy_pack: AssetPack) -> None:
    cfg = ArtVariation(variants=3)
    first = varied_packs([toy_pack], cfg, np.random.default_rng(9))
    again = varied_packs([toy_pack], cfg, np.random.default_rng(9))
    assert len(first) == 3
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a.sprite, b.sprite)
        np.testing.assert_array_equal(a.normal, b.normal)
    assert not np.array_equal(first[0].sprite, first[1].sprite)


def test_the_dataset_draws_the_share_asked_for_with_varied_art(toy_pack: AssetPack) -> None:
    plain = VirtualDataset([toy_pack], 4, AugmentConfig.none(), shiny_rate=0.0)
    renders = SpindaRenderer(toy_pack)

    def share_on_plain_art(dataset: VirtualDataset) -> float:
        batch = dataset.batch(40)
        same = 0
        for crop, pid in zip(batch.crops, batch.pids, strict=True):
            rgba = renders.rgba([pid])[0]
            same += bool(np.array_equal(crop, np.where(rgba[..., 3:] > 0, rgba[..., :3], 255)))
        return same / len(batch.pids)

    assert share_on_plain_art(plain) == 1.0
    varied = VirtualDataset(
        [toy_pack], 4, AugmentConfig.none(), shiny_rate=0.0, variation=ArtVariation(share=1.0, variants=4)
    )
    assert share_on_plain_art(varied) == 0.0
    half = ArtVariation(share=0.5, variants=4)
    assert 0.2 <= share_on_plain_art(VirtualDataset([toy_pack], 4, AugmentConfig.none(), 0.0, half)) <= 0.8
    first = VirtualDataset([toy_pack], 6, AugmentConfig(), variation=half).batch(8)
    again = VirtualDataset([toy_pack], 6, AugmentConfig(), variation=half).batch(8)
    np.testing.assert_array_equal(first.crops, again.crops)
