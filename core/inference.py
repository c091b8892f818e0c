"""The default spot CNN (core.model.SpotNet) evaluated with numpy alone, so identifying needs no torch.

Importing torch takes about two seconds and a few hundred megabytes on the target machine, several times
what the whole decoder needs; spotnet itself is two small convolutions and four sliding templates, a few
milliseconds of numpy. Training writes this form beside each spotnet checkpoint (`spot_<family>.npz`, see
core.model.export_inference): plain arrays, batch normalisation folded into the convolutions, the
geometry stored rather than recomputed, and loaded with allow_pickle=False. The torchvision backbones
still need torch (core.model.load_spot_model).
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from core.games import GameFamily, renderable_family

INFERENCE_FORMAT = "spinda-spotnet-numpy/1"
COORDINATES = 8
CLASSES = 16

FloatArray = npt.NDArray[np.float32]


class NibbleModel(Protocol):
    """What the pipeline needs of a spot model, torch or not."""

    @property
    def family(self) -> GameFamily: ...

    def predict_proba(self, crops: np.ndarray) -> npt.NDArray[np.float32]: ...


class ModelError(ValueError):
    """A model configuration, checkpoint, inference file or input that cannot be used; the message says
    why. (Defined here, with no torch, so the command line and the bot can catch it without importing
    torch.)"""


def _convolve(x: FloatArray, weight: FloatArray, bias: FloatArray) -> FloatArray:
    """Valid cross-correlation of (N, H, W, C) with (out, C, kh, kw) weights: (N, H-kh+1, W-kw+1, out)."""
    out_channels, channels, kh, kw = weight.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))  # (N, H', W', C, kh, kw)
    flat = windows.reshape(-1, channels * kh * kw)
    result = flat @ weight.reshape(out_channels, -1).T + bias
    return result.reshape(*windows.shape[:3], out_channels).astype(np.float32, copy=False)


def _logsumexp(x: FloatArray, axis: int) -> FloatArray:
    top = x.max(axis=axis, keepdims=True)
    total: FloatArray = np.log(np.exp(x - top).sum(axis=axis, keepdims=True)) + top
    return np.squeeze(total, axis=axis)


class InferenceModel:
    """A spotnet's inference form: (N, S, S, 3) uint8 crops in, (N, 8, 16) nibble probabilities out."""

    def __init__(self, arrays: dict[str, np.ndarray], card: dict[str, Any]) -> None:
        meta = json.loads(str(arrays["meta"]))
        self.family: GameFamily = renderable_family(meta["family"])
        self.card = card
        self.region = [int(v) for v in meta["region"]]  # rows y0:y1, columns x0:x1
        self.padding = [int(v) for v in meta["padding"]]  # left, right, top, bottom
        self.windows = [tuple(w) for w in meta["windows"]]
        self.convs = [
            (arrays[f"conv{i}.weight"].astype(np.float32), arrays[f"conv{i}.bias"].astype(np.float32))
            for i in range(int(meta["convs"]))
        ]
        self.templates = [
            tuple(arrays[f"template{i}.{part}"].astype(np.float32) for part in ("w1", "b1", "w2", "b2"))
            for i in range(len(self.windows))
        ]
        self.position_bias = arrays["position_bias"].astype(np.float32)

    @property
    def crop_shape(self) -> tuple[int, int, int]:
        size = self.family.frame_size
        assert size is not None  # renderable families have a frame
        return (size, size, 3)

    def logits(self, crops: npt.NDArray[np.uint8]) -> FloatArray:
        """(N, 8, 16) logits, as core.model.SpotClassifier gives them."""
        x = (crops.astype(np.float32) / 255.0 - 0.5) * 4.0
        y0, y1, x0, x1 = self.region
        features = x[:, y0:y1, x0:x1]
        for weight, bias in self.convs:
            padded = np.pad(features, ((0, 0), (1, 1), (1, 1), (0, 0)))
            features = np.maximum(_convolve(padded, weight, bias), 0.0)
        left, right, top, bottom = self.padding
        features = np.pad(features, ((0, 0), (top, bottom), (left, right), (0, 0)))
        scores = []
        for (w1, b1, w2, b2), (wy, wx, h, w) in zip(self.templates, self.windows, strict=True):
            window = features[:, wy : wy + 15 + h, wx : wx + 15 + w]
            hidden = np.maximum(_convolve(window, w1, b1), 0.0)
            scores.append(_convolve(hidden, w2, b2)[..., 0])  # (N, 16 y, 16 x)
        joint = np.stack(scores, axis=1) + self.position_bias  # (N, 4, y, x)
        marginal_x = _logsumexp(joint, axis=2)
        marginal_y = _logsumexp(joint, axis=3)
        return np.stack([marginal_x, marginal_y], axis=2).reshape(-1, COORDINATES, CLASSES)

    def predict_proba(self, crops: np.ndarray) -> FloatArray:
        if not isinstance(crops, np.ndarray) or crops.dtype != np.uint8 or crops.shape[1:] != self.crop_shape:
            got = f"{crops.dtype} {crops.shape}" if isinstance(crops, np.ndarray) else type(crops).__name__
            expected = f"(N, {', '.join(map(str, self.crop_shape))}) uint8 RGB crops for {self.family.key}"
            raise ModelError(f"expected {expected}, got {got}")
        logits = self.logits(crops)
        exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probabilities: FloatArray = (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)
        return probabilities


def load_inference_model(path: Path) -> InferenceModel:
    """Load a file written by core.model.export_inference; its JSON card, if beside it, comes along."""
    unreadable = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)
    try:
        loaded = np.load(path, allow_pickle=False)
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no such inference file") from exc
    except unreadable as exc:
        raise ModelError(f"{path}: not a readable inference file ({exc})") from exc
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ModelError(f"{path}: not a readable inference file (one array, not an archive of them)")
    with loaded as data:
        try:
            arrays = {name: data[name] for name in data.files}
        except unreadable as exc:
            raise ModelError(f"{path}: not a readable inference file ({exc})") from exc
    if "format" not in arrays or str(arrays["format"]) != INFERENCE_FORMAT:
        raise ModelError(f"{path}: not a spotnet inference file (expected format {INFERENCE_FORMAT})")
    card_path = path.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    try:
        return InferenceModel(arrays, card)
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelError(f"{path}: incomplete inference file ({exc})") from exc
