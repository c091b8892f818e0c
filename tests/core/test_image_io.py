"""Every kind of bad or odd input the loader meets, and what it does with each."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.image_io import (
    MAX_PIXELS,
    NEUTRAL_BACKGROUND,
    AnimatedImageError,
    CorruptImageError,
    EmptyImageError,
    ImageLoadError,
    ImageTooLargeError,
    ImageTooSmallError,
    NotAnImageError,
    UnsupportedModeError,
    load_rgb_bytes,
    load_rgb_path,
)


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def colours(size: int = 64) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), "RGB")


def test_rgb_png_round_trips_exactly() -> None:
    image = colours()
    out = load_rgb_bytes(encode(image))
    assert out.dtype == np.uint8 and out.shape == (64, 64, 3)
    assert np.array_equal(out, np.asarray(image))


def test_empty_file() -> None:
    with pytest.raises(EmptyImageError, match="empty"):
        load_rgb_bytes(b"", "shot.png")


def test_not_an_image() -> None:
    with pytest.raises(NotAnImageError, match="not an image"):
        load_rgb_bytes(b"hello, this is text and not a picture at all", "notes.txt")


def test_truncated_png() -> None:
    data = encode(colours())
    with pytest.raises(CorruptImageError, match="truncated or corrupt"):
        load_rgb_bytes(data[: len(data) // 2], "cut.png")


def test_truncated_jpeg() -> None:
    data = encode(colours(), "JPEG", quality=90)
    with pytest.raises(CorruptImageError):
        load_rgb_bytes(data[: len(data) // 2], "cut.jpg")


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height over a few bytes of data: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4))
        + chunk(b"IEND", b"")
    )


def test_huge_picture_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        load_rgb_bytes(_png_with_size(20_000, 20_000), "bomb.png")
    side = int(MAX_PIXELS**0.5) + 1
    with pytest.raises(ImageTooLargeError):
        load_rgb_bytes(_png_with_size(side, side), "big.png")


def test_too_small_to_hold_a_sprite() -> None:
    with pytest.raises(ImageTooSmallError, match="at least"):
        load_rgb_bytes(encode(colours(20)), "tiny.png")


def test_animated_gif_refused() -> None:
    frames = [Image.new("RGB", (64, 64), (80 * i, 40, 200 - 60 * i)) for i in range(3)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(AnimatedImageError, match="3 frames"):
        load_rgb_bytes(data, "anim.gif")


def test_animated_png_refused() -> None:
    frames = [colours(), colours().transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(AnimatedImageError):
        load_rgb_bytes(data, "anim.png")


def test_one_bit_refused() -> None:
    with pytest.raises(UnsupportedModeError, match="1-bit"):
        load_rgb_bytes(encode(Image.new("1", (64, 64), 1)), "bw.png")


def test_sixteen_bit_greyscale_is_scaled() -> None:
    values = np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)
    out = load_rgb_bytes(encode(Image.fromarray(values)), "deep.png")
    assert out[0, 0].tolist() == [0, 0, 0] and out[-1, -1].tolist() == [255, 255, 255]
    assert np.array_equal(out[..., 0], out[..., 2])


def test_cmyk_is_converted() -> None:
    out = load_rgb_bytes(encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG"), "print.jpg")
    assert out.shape == (64, 64, 3)
    assert out[..., 0].mean() > 200 and out[..., 1].mean() < 60  # cyan-free, magenta and yellow: red


def test_palette_is_converted() -> None:
    image = Image.new("P", (64, 64), 1)
    image.putpalette([0, 0, 0, 222, 139, 74] + [0] * 762)
    assert load_rgb_bytes(encode(image))[0, 0].tolist() == [222, 139, 74]


def test_palette_transparency_goes_over_neutral_grey() -> None:
    image = Image.new("P", (64, 64), 0)
    image.putpalette([246, 230, 172] * 256)
    out = load_rgb_bytes(encode(image, transparency=0))
    assert out[0, 0].tolist() == list(NEUTRAL_BACKGROUND)


def test_alpha_is_composited_over_neutral_grey() -> None:
    pixels = np.zeros((64, 64, 4), dtype=np.uint8)
    pixels[:32] = (222, 139, 74, 255)
    out = load_rgb_bytes(encode(Image.fromarray(pixels, "RGBA")))
    assert out[0, 0].tolist() == [222, 139, 74]
    assert out[-1, -1].tolist() == list(NEUTRAL_BACKGROUND)


def test_greyscale_and_la() -> None:
    grey = load_rgb_bytes(encode(Image.new("L", (64, 64), 90)))
    assert grey[0, 0].tolist() == [90, 90, 90]
    la = load_rgb_bytes(encode(Image.new("LA", (64, 64), (200, 255))))
    assert la[0, 0].tolist() == [200, 200, 200]


def test_paths(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError, match="no such file"):
        load_rgb_path(tmp_path / "missing.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_rgb_path(tmp_path)
    (tmp_path / "ok.png").write_bytes(encode(colours()))
    assert load_rgb_path(tmp_path / "ok.png").shape == (64, 64, 3)
