"""Crop-level augmentations: what a sprite looks like after a detector has cut it out of a screenshot.

A crop arrives at native resolution, resampled from a screen that may have been scaled, filtered by the
emulator, photographed or saved as JPEG. Each step below imitates one of those: random backgrounds behind
the transparent pixels, a sub-pixel misregistration of the crop (shift and slight scale, resampled
bilinearly), blur, the emulator's smoothing filter, a colour cast, sensor noise and JPEG. Every random
draw comes from the generator passed in, so a seed fixes a batch exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

FloatImages = npt.NDArray[np.float32]  # (N, S, S, 3) in [0, 1]


@dataclass(frozen=True)
class AugmentConfig:
    """Probabilities and ranges of each augmentation. `AugmentConfig.none()` leaves a crop clean."""

    background_white: float = 0.1  # the rest are random solid colours, gradients, noise and stripes
    misregister: float = 0.9
    max_shift: float = 0.5  # pixels, each axis: the detector registers crops to a fraction of a pixel
    max_scale: float = 0.03  # relative
    blur: float = 0.3
    max_blur_sigma: float = 0.8
    smoothing: float = 0.2
    colour_cast: float = 0.5
    noise: float = 0.3
    max_noise: float = 0.03
    jpeg: float = 0.3
    jpeg_quality: tuple[int, int] = (40, 95)

    @classmethod
    def none(cls) -> AugmentConfig:
        return cls(
            background_white=1.0,
            misregister=0.0,
            blur=0.0,
            smoothing=0.0,
            colour_cast=0.0,
            noise=0.0,
            jpeg=0.0,
        )


def backgrounds(rng: np.random.Generator, n: int, size: int, white: float) -> FloatImages:
    """Screens behind the sprite: white, solid colours, gradients, textured noise and UI stripes."""
    out = np.ones((n, size, size, 3), dtype=np.float32)
    kind = np.where(rng.random(n) < white, 0, rng.integers(1, 5, n))
    for i in np.flatnonzero(kind):
        base = rng.random(3).astype(np.float32)
        if kind[i] == 1:
            out[i] = base
        elif kind[i] == 2:
            other = rng.random(3).astype(np.float32)
            ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
            grad = base + (other - base) * ramp
            out[i] = grad if rng.random() < 0.5 else grad.transpose(1, 0, 2)
        elif kind[i] == 3:
            coarse = rng.random((size // 8 + 1, size // 8 + 1, 3)).astype(np.float32)
            smooth = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_LINEAR)
            out[i] = np.clip(base * 0.5 + smooth * 0.5, 0.0, 1.0)
        else:
            period = int(rng.integers(2, 9))
            rows = (np.arange(size) // period) % 2 == 0
            other = rng.random(3).astype(np.float32)
            out[i] = np.where(rows[:, None, None], base, other)
    return out


def composite(rgba: npt.NDArray[np.uint8], background: FloatImages) -> FloatImages:
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    return rgba[..., :3].astype(np.float32) / 255.0 * alpha + background * (1.0 - alpha)


def _misregister(rng: np.random.Generator, images: torch.Tensor, cfg: AugmentConfig) -> torch.Tensor:
    n, _, size, _ = images.shape
    scale = 1.0 + rng.uniform(-cfg.max_scale, cfg.max_scale, n)
    shift = rng.uniform(-cfg.max_shift, cfg.max_shift, (n, 2))
    theta = np.zeros((n, 2, 3), dtype=np.float32)
    theta[:, 0, 0] = theta[:, 1, 1] = scale
    # grid_sample works in [-1, 1] over the frame, so one pixel is 2 / size.
    theta[:, :, 2] = shift * 2.0 / size
    grid = F.affine_grid(torch.from_numpy(theta), list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _filter(images: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Filter each image with its own 1-D kernel along both axes; kernels is (N, K), K odd."""
    n, c, h, w = images.shape
    k = kernels.shape[1]
    weight = kernels.repeat_interleave(c, dim=0)[:, None, :]  # (N*C, 1, K)
    flat = images.reshape(1, n * c, h, w)
    flat = F.conv2d(
        F.pad(flat, (k // 2, k // 2, 0, 0), mode="replicate"), weight[:, :, None, :], groups=n * c
    )
    flat = F.conv2d(
        F.pad(flat, (0, 0, k // 2, k // 2), mode="replicate"), weight[:, :, :, None], groups=n * c
    )
    return flat.reshape(n, c, h, w)


def _blur_kernels(rng: np.random.Generator, n: int, cfg: AugmentConfig) -> npt.NDArray[np.float32]:
    """One 5-tap kernel per image: identity, a Gaussian blur, or the emulator's neighbour smoothing."""
    kernels = np.zeros((n, 5), dtype=np.float32)
    kernels[:, 2] = 1.0
    taps = np.arange(-2, 3, dtype=np.float32)
    blurred = rng.random(n) < cfg.blur
    for i in np.flatnonzero(blurred):
        sigma = rng.uniform(0.3, cfg.max_blur_sigma)
        kernels[i] = np.exp(-0.5 * (taps / sigma) ** 2)
    # Emulator smoothing filters mix each pixel with its direct neighbours only.
    smoothed = (rng.random(n) < cfg.smoothing) & ~blurred
    for i in np.flatnonzero(smoothed):
        side = rng.uniform(0.05, 0.3)
        kernels[i] = (0.0, side, 1.0 - 2.0 * side, side, 0.0)
    return np.asarray(kernels / kernels.sum(axis=1, keepdims=True), dtype=np.float32)


def _colour_cast(rng: np.random.Generator, images: FloatImages) -> FloatImages:
    n = len(images)
    gain = rng.uniform(0.85, 1.15, (n, 1, 1, 3)).astype(np.float32)
    offset = rng.uniform(-0.06, 0.06, (n, 1, 1, 3)).astype(np.float32)
    gamma = rng.uniform(0.8, 1.25, (n, 1, 1, 1)).astype(np.float32)
    return np.asarray(np.clip(images * gain + offset, 0.0, 1.0) ** gamma, dtype=np.float32)


def _jpeg(rng: np.random.Generator, images: npt.NDArray[np.uint8], cfg: AugmentConfig) -> None:
    low, high = cfg.jpeg_quality
    for i in np.flatnonzero(rng.random(len(images)) < cfg.jpeg):
        quality = int(rng.integers(low, high + 1))
        ok, encoded = cv2.imencode(".jpg", images[i][..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok, "OpenCV failed to encode a JPEG"
        decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        assert decoded is not None, "OpenCV failed to decode its own JPEG"
        images[i] = decoded[..., ::-1]


def augment(
    rng: np.random.Generator, rgba: npt.NDArray[np.uint8], cfg: AugmentConfig
) -> npt.NDArray[np.uint8]:
    """(N, S, S, 4) rendered sprites -> (N, S, S, 3) uint8 crops as a detector would hand them over.

    Each step touches only the images it was drawn for, which keeps a batch cheap to make."""
    n, size = rgba.shape[0], rgba.shape[1]
    images = composite(rgba, backgrounds(rng, n, size, cfg.background_white))
    moved = np.flatnonzero(rng.random(n) < cfg.misregister)
    if len(moved):
        tensor = torch.from_numpy(images[moved]).permute(0, 3, 1, 2)
        images[moved] = _misregister(rng, tensor, cfg).permute(0, 2, 3, 1).numpy()
    kernels = _blur_kernels(rng, n, cfg)
    filtered = np.flatnonzero(kernels[:, 2] < 1.0)
    if len(filtered):
        tensor = torch.from_numpy(images[filtered]).permute(0, 3, 1, 2)
        images[filtered] = _filter(tensor, torch.from_numpy(kernels[filtered])).permute(0, 2, 3, 1).numpy()
    cast = np.flatnonzero(rng.random(n) < cfg.colour_cast)
    if len(cast):
        images[cast] = _colour_cast(rng, images[cast])
    noisy = np.flatnonzero(rng.random(n) < cfg.noise)
    if len(noisy):
        sigma = rng.uniform(0.0, cfg.max_noise, (len(noisy), 1, 1, 1)).astype(np.float32)
        images[noisy] += rng.standard_normal((len(noisy), size, size, 3), dtype=np.float32) * sigma
    crops: npt.NDArray[np.uint8] = np.clip(np.rint(images * 255.0), 0, 255).astype(np.uint8)
    _jpeg(rng, crops, cfg)
    return crops
