"""Safe image loading: bytes or a path in, an (H, W, 3) RGB uint8 array out, or a specific error.

Users post arbitrary files, so nothing is decoded before its header has been checked: the pixel count is
capped before decoding (a decompression bomb is refused without allocating it), and every refusal says what
is wrong in words a user can act on.

Odd modes and what happens to them:
- palette (P), grayscale (L, I;16, I, F), CMYK, YCbCr, LAB, HSV: converted to RGB (16-bit and float
  grayscale are scaled to 0..255 from their own range, so a 16-bit PNG keeps its look);
- alpha (RGBA, LA, PA, P with a transparent colour): composited over a neutral mid grey, a colour no Spinda
  sprite uses, so transparent pixels can neither pass for the cream body nor for the dark outline;
- 1-bit (mode "1"): refused, it cannot hold a sprite's colours;
- more than one frame (animated GIF, APNG, WebP, multi-page TIFF): refused, because which frame shows the
  Spinda is ambiguous; the message asks for a single still screenshot.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

# 40 megapixels: larger than any phone photo in common use, far smaller than a decompression bomb.
MAX_PIXELS = 40_000_000
# The smallest picture that can hold a Gen III sprite's body (37x49 game pixels) at scale 1.
MIN_SIDE = 37
MAX_FILE_BYTES = 50 * 1024 * 1024
NEUTRAL_BACKGROUND = (128, 128, 128)

RgbImage = npt.NDArray[np.uint8]


class ImageLoadError(ValueError):
    """A file that cannot be used as a picture; the message says why."""


class EmptyImageError(ImageLoadError):
    pass


class NotAnImageError(ImageLoadError):
    pass


class CorruptImageError(ImageLoadError):
    pass


class ImageTooLargeError(ImageLoadError):
    pass


class ImageTooSmallError(ImageLoadError):
    pass


class AnimatedImageError(ImageLoadError):
    pass


class UnsupportedModeError(ImageLoadError):
    pass


def load_rgb_bytes(data: bytes, source: str = "image") -> RgbImage:
    """Decode one still picture to RGB; `source` names it in error messages."""
    if not data:
        raise EmptyImageError(f"{source}: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLargeError(
            f"{source}: the file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 1_000_000} MB"
        )
    try:
        # Pillow's own bomb check only warns below twice its limit; ours refuses before decoding.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise NotAnImageError(f"{source}: not an image file (use PNG or JPEG)") from exc
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(
            f"{source}: the picture is too large to decode safely "
            f"(the limit is {MAX_PIXELS // 1_000_000} megapixels)"
        ) from exc
    except OSError as exc:
        raise CorruptImageError(f"{source}: the image header is damaged ({exc})") from exc
    with image:
        return _to_rgb(image, source)


def load_rgb_path(path: Path) -> RgbImage:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImageLoadError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ImageLoadError(f"{path}: is a folder, not an image file") from exc
    except OSError as exc:
        raise ImageLoadError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    return load_rgb_bytes(data, str(path))


def _to_rgb(image: Image.Image, source: str) -> RgbImage:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageTooLargeError(
            f"{source}: the picture is {width}x{height} ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {MAX_PIXELS // 1_000_000} megapixels"
        )
    if min(width, height) < MIN_SIDE:
        raise ImageTooSmallError(
            f"{source}: the picture is {width}x{height}; "
            f"a Spinda sprite needs at least {MIN_SIDE}x{MIN_SIDE} pixels"
        )
    frames = int(getattr(image, "n_frames", 1))
    if frames > 1:
        raise AnimatedImageError(
            f"{source}: the picture has {frames} frames (animated); post a single still screenshot"
        )
    if image.mode == "1":
        raise UnsupportedModeError(
            f"{source}: a black-and-white (1-bit) picture cannot show Spinda's colours"
        )
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as exc:
        raise CorruptImageError(f"{source}: the image data is truncated or corrupt ({exc})") from exc
    return _convert(image, source)


def _convert(image: Image.Image, source: str) -> RgbImage:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        span = high - low if high > low else 1.0
        grey = np.round((values - low) * (255.0 / span)).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if (mode == "P" and "transparency" in image.info) or mode == "PA":
        image = image.convert("RGBA")
    elif mode == "P":
        image = image.convert("RGB")
    if image.mode in ("RGBA", "LA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, NEUTRAL_BACKGROUND)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        image = canvas
    try:
        rgb = image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise UnsupportedModeError(f"{source}: pictures in mode {mode} are not supported ({exc})") from exc
    return np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8))
