"""The spot CNN: a native-resolution crop in, eight 16-way nibble distributions out.

Coordinate k of the output is core.pid.coordinates' coordinate k: 2i is spot i's x nibble, 2i + 1 its y.
One model serves one game family, because the families' frames differ in size and in where the spots can land.

The default backbone, `spotnet` (see SpotNet), is small enough to train on a 2-core CPU in well under an
hour and to run in a few milliseconds. It never downsamples, because one nibble moves a spot by one pixel,
and it reads spot positions in the crop's own frame: it relies on the detector to register the crop to
within about half a pixel, which is what it is trained for (training.augment's max_shift). The torchvision
backbones are the original design's alternatives; they are built with weights=None (nothing is downloaded)
and with their stems adapted so a 64-pixel crop is not shrunk fourfold before the first block.

A checkpoint is a dict of plain values, so it loads with torch.load(..., weights_only=True):
{"format": CHECKPOINT_FORMAT, "config": ModelConfig.to_dict(), "state_dict": ..., "card": {...}}.
"""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F
from torch import nn

from core.games import GameFamily, renderable_family
from core.inference import INFERENCE_FORMAT, ModelError

COORDINATES = 8
CLASSES = 16
CHECKPOINT_FORMAT = "spinda-spot-model/1"
DEFAULT_BACKBONE = "spotnet"
BACKBONES = ("spotnet", "resnet18", "resnet34", "convnext_tiny")


@dataclass(frozen=True)
class ModelConfig:
    family: str
    backbone: str = DEFAULT_BACKBONE
    # spotnet's full-resolution feature convolutions and its templates' hidden channels; ignored by the
    # torchvision backbones.
    widths: tuple[int, ...] = (16, 16)
    hidden: int = 8

    def __post_init__(self) -> None:
        try:
            renderable_family(self.family)
        except ValueError as exc:
            raise ModelError(f"model config: {exc}") from exc
        if self.backbone not in BACKBONES:
            raise ModelError(f"unknown backbone {self.backbone!r}: use one of {', '.join(BACKBONES)}")
        if not self.widths or any(w < 1 for w in self.widths) or self.hidden < 1:
            raise ModelError(f"spotnet needs positive feature widths and a positive hidden size, got {self}")

    @property
    def game_family(self) -> GameFamily:
        return renderable_family(self.family)

    @property
    def size(self) -> int:
        size = self.game_family.frame_size
        assert size is not None  # renderable families have a frame
        return size

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["widths"] = list(self.widths)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        try:
            return cls(
                family=str(data["family"]),
                backbone=str(data.get("backbone", DEFAULT_BACKBONE)),
                widths=tuple(int(w) for w in data.get("widths", cls.widths)),
                hidden=int(data.get("hidden", cls.hidden)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"model config {data!r} is not valid ({exc})") from exc


def normalise(x: torch.Tensor) -> torch.Tensor:
    """Pixels in [0, 1] -> a centred range, so the first layer starts near its useful regime."""
    return (x - 0.5) * 4.0


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SpotNet(nn.Module):
    """Full-resolution features, then one learned template per spot slid over its 256 possible places.

    A spot at nibbles (x, y) is the same shape moved by (x, y), so each spot gets one small two-layer
    template, evaluated at exactly the 16 x 16 top-left corners the spot can take: the joint score of all 256
    positions comes from one set of weights, which is far cheaper to learn than 256 separate ones. A learned
    bias per position carries what no pixel shows (where a spot is hidden it stays wherever the prior puts
    it). The x and y outputs are the joint scores' marginals, so their softmax is the exact marginal
    probability under the joint distribution.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        family = config.game_family
        size = config.size
        # Each spot's window: the frame pixels its mask can cover over all 256 positions.
        windows = []
        for shape in family.spots:
            height, width = len(shape.rows), max(bits.bit_length() for bits in shape.rows)
            x0, y0 = shape.origin[0] - 8, shape.origin[1] - 8
            windows.append((y0, x0, height, width))
        top = min(w[0] for w in windows)
        left = min(w[1] for w in windows)
        bottom = max(w[0] + 15 + w[2] for w in windows)
        right = max(w[1] + 15 + w[3] for w in windows)
        # Features are computed on the part of the frame the windows touch and zero-padded beyond it
        # (a spot with y nibble 0 starts above the frame).
        self.region = (max(0, top), min(size, bottom), max(0, left), min(size, right))
        self.padding = (max(0, -left), max(0, right - size), max(0, -top), max(0, bottom - size))
        self.windows = [(y0 - top, x0 - left, h, w) for y0, x0, h, w in windows]
        layers: list[nn.Module] = []
        channels = 3
        for width in config.widths:
            layers.append(_conv(channels, width))
            channels = width
        self.features = nn.Sequential(*layers)
        self.templates = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(channels, config.hidden, (h, w)),
                nn.ReLU(inplace=True),
                nn.Conv2d(config.hidden, 1, 1),
            )
            for _, _, h, w in self.windows
        )
        self.position_bias = nn.Parameter(torch.zeros(len(self.windows), CLASSES, CLASSES))

    def joint_logits(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 4, 16, 16) scores of each spot's position, indexed [spot, y nibble, x nibble]."""
        y0, y1, x0, x1 = self.region
        features = F.pad(self.features(x[:, :, y0:y1, x0:x1]), self.padding)
        scores = [
            template(features[:, :, top : top + 15 + h, left : left + 15 + w])[:, 0]
            for template, (top, left, h, w) in zip(self.templates, self.windows, strict=True)
        ]
        return torch.stack(scores, dim=1) + self.position_bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        joint = self.joint_logits(x)
        # Marginal logits: log-sum-exp over the other nibble. Order per spot: x (columns), then y (rows).
        x_logits = torch.logsumexp(joint, dim=2)
        y_logits = torch.logsumexp(joint, dim=3)
        return torch.stack([x_logits, y_logits], dim=2).reshape(-1, COORDINATES * CLASSES)


def _resnet(config: ModelConfig) -> nn.Module:
    # torchvision is imported here, not at the top: the default spotnet does not need it, and the
    # import costs seconds of the model's load time.
    from torchvision import models as tv_models

    build = tv_models.resnet18 if config.backbone == "resnet18" else tv_models.resnet34
    net: nn.Module = build(weights=None, num_classes=COORDINATES * CLASSES)
    # The CIFAR-style stem: a 7x7 stride-2 convolution and a max-pool would average neighbouring nibbles.
    net.conv1 = nn.Conv2d(3, 64, 3, stride=1, padding=1, bias=False)
    net.maxpool = nn.Identity()
    return net


def _convnext(config: ModelConfig) -> nn.Module:
    from torchvision import models as tv_models

    net: nn.Module = tv_models.convnext_tiny(weights=None, num_classes=COORDINATES * CLASSES)
    # A 2x2 patchify instead of 4x4: every pixel still reaches the channels, at twice the resolution.
    features = net.features
    assert isinstance(features, nn.Sequential) and isinstance(features[0], nn.Sequential)
    features[0][0] = nn.Conv2d(3, 96, kernel_size=2, stride=2)
    return net


class SpotClassifier(nn.Module):
    """(N, 3, S, S) floats in [0, 1] -> (N, 8, 16) logits."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        if config.backbone == "spotnet":
            self.body: nn.Module = SpotNet(config)
        elif config.backbone.startswith("resnet"):
            self.body = _resnet(config)
        else:
            self.body = _convnext(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.body(normalise(x))
        return logits.view(-1, COORDINATES, CLASSES)


def crops_to_tensor(crops: npt.NDArray[np.uint8], device: torch.device | None = None) -> torch.Tensor:
    """(N, S, S, 3) uint8 RGB crops -> (N, 3, S, S) float32 in [0, 1], on `device` (default the CPU)."""
    pixels = torch.from_numpy(np.ascontiguousarray(crops)).to(device)
    # Converted after the move: a quarter of the bytes cross to an accelerator.
    return pixels.permute(0, 3, 1, 2).float().div_(255.0)


def device_of(network: nn.Module) -> torch.device:
    return next(network.parameters()).device


class SpotModel:
    """A trained classifier ready for inference."""

    def __init__(self, network: SpotClassifier, card: dict[str, Any] | None = None) -> None:
        self.network = network.eval()
        self.config = network.config
        self.card: dict[str, Any] = card or {}

    @property
    def family(self) -> GameFamily:
        return self.config.game_family

    @property
    def size(self) -> int:
        return self.config.size

    def check_crops(self, crops: np.ndarray) -> None:
        expected = f"(N, {self.size}, {self.size}, 3) uint8 RGB crops for {self.family.key}"
        if not isinstance(crops, np.ndarray):
            raise ModelError(f"expected a numpy array of {expected}, got {type(crops).__name__}")
        if crops.dtype != np.uint8:
            raise ModelError(f"expected {expected}, got dtype {crops.dtype}")
        if crops.ndim != 4 or crops.shape[1:] != (self.size, self.size, 3):
            raise ModelError(f"expected {expected}, got shape {crops.shape}")

    def predict_proba(self, crops: np.ndarray, batch_size: int = 256) -> npt.NDArray[np.float32]:
        """(N, S, S, 3) uint8 crops -> (N, 8, 16) probabilities, each row summing to 1."""
        self.check_crops(crops)
        out = np.empty((len(crops), COORDINATES, CLASSES), dtype=np.float32)
        device = device_of(self.network)
        with torch.inference_mode():
            for start in range(0, len(crops), batch_size):
                logits = self.network(crops_to_tensor(crops[start : start + batch_size], device))
                out[start : start + batch_size] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return out


def checkpoint_payload(network: SpotClassifier, card: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "format": CHECKPOINT_FORMAT,
        "config": network.config.to_dict(),
        # On the CPU whatever device trained it, so the file loads anywhere.
        "state_dict": {key: value.detach().cpu() for key, value in network.state_dict().items()},
        "card": card or {},
    }


def save_spot_model(path: Path, network: SpotClassifier, card: dict[str, Any] | None = None) -> None:
    """The checkpoint at `path`, and for spotnet its numpy inference form beside it (`.npz`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint_payload(network, card), path)
    if isinstance(network.body, SpotNet):
        export_inference(network, path.with_suffix(".npz"))


def export_inference(network: SpotClassifier, path: Path) -> None:
    """Write a spotnet in the form core.inference evaluates without torch: the evaluation-mode batch
    normalisation folded into each convolution's weights and bias, plain arrays only."""
    if not isinstance(network.body, SpotNet):
        raise ModelError(f"only spotnet has a numpy inference form, not {network.config.backbone}")
    body = copy.deepcopy(network.body).cpu()  # a copy: the network may be training on an accelerator
    arrays: dict[str, np.ndarray] = {}
    with torch.no_grad():
        for i, block in enumerate(body.features):
            assert isinstance(block, nn.Sequential)
            conv, norm = block[0], block[1]
            assert isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d)
            assert norm.running_var is not None and norm.running_mean is not None
            gain = norm.weight / torch.sqrt(norm.running_var + norm.eps)
            arrays[f"conv{i}.weight"] = (conv.weight * gain[:, None, None, None]).numpy()
            arrays[f"conv{i}.bias"] = (norm.bias - norm.running_mean * gain).numpy()
        for i, template in enumerate(body.templates):
            assert isinstance(template, nn.Sequential)
            first, second = template[0], template[2]
            assert isinstance(first, nn.Conv2d) and isinstance(second, nn.Conv2d)
            assert first.bias is not None and second.bias is not None
            arrays[f"template{i}.w1"], arrays[f"template{i}.b1"] = first.weight.numpy(), first.bias.numpy()
            arrays[f"template{i}.w2"], arrays[f"template{i}.b2"] = second.weight.numpy(), second.bias.numpy()
        arrays["position_bias"] = body.position_bias.numpy()
    meta = {
        "family": network.config.family,
        "convs": len(body.features),
        "region": list(body.region),
        "padding": list(body.padding),
        "windows": [list(w) for w in body.windows],
    }
    arrays["meta"] = np.array(json.dumps(meta))
    arrays["format"] = np.array(INFERENCE_FORMAT)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        np.savez(file, allow_pickle=False, **arrays)


def network_from_payload(payload: Any, source: Path) -> SpotClassifier:
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ModelError(f"{source}: not a spot model checkpoint (expected format {CHECKPOINT_FORMAT})")
    config = ModelConfig.from_dict(payload["config"])
    network = SpotClassifier(config)
    try:
        network.load_state_dict(payload["state_dict"])
    except (RuntimeError, KeyError) as exc:
        raise ModelError(
            f"{source}: the weights do not fit a {config.backbone} for {config.family} ({exc})"
        ) from exc
    return network


def load_spot_model(path: Path) -> SpotModel:
    """Load a checkpoint written by save_spot_model (or a training checkpoint, which holds the same keys)."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no such model checkpoint") from exc
    except (OSError, RuntimeError, EOFError, pickle.UnpicklingError) as exc:
        raise ModelError(f"{path}: not a readable checkpoint ({exc})") from exc
    network = network_from_payload(payload, path)
    card = payload.get("card")
    return SpotModel(network, card if isinstance(card, dict) else {})
