"""Screenshot in, exact PID out: load safely, detect the sprite, decode its spots, check the answer.

Build one `Identifier` and reuse it for every picture: it holds the renderers, the look indexes (for
fingerprints and the complete sibling lists), the colour model and, when a checkpoint exists, the CNN.
Building one also holds numpy's BLAS to one thread for the whole process (core.threads).

    identifier = Identifier()                       # auto game, the configured art, the shipped model if any
    result = identifier.identify_path(Path("shot.png"))
    result.status, result.pid, result.confidence, result.to_json()

A picture gets status "ok" (a PID, its look's fingerprint and siblings, next-best distinct looks), "no_spinda"
(nothing in it is explained well by a Spinda's spots; never a guess) or "error" (the file is unusable; the
message says why). Nothing raises for a bad picture.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from core.assets import PROJECT_ROOT, default_pack
from core.decode import (
    SOURCE_TEMPERATURE,
    TEMPERATURE,
    BodyShape,
    Decoded,
    decode,
    envelope,
    observe,
    spinda_shaped,
)
from core.detect import ColourModel, Detection, Measured, detect
from core.fingerprint import LookIndex
from core.games import RENDERABLE, GameFamily, renderable_family
from core.image_io import ImageLoadError, load_rgb_bytes, load_rgb_path
from core.inference import NibbleModel, load_inference_model
from core.pid import format_pid
from core.render import SpindaRenderer
from core.threads import single_threaded_blas

Status = Literal["ok", "no_spinda", "error"]
DEFAULT_MODELS_DIR = PROJECT_ROOT / "models"
# Below this fit (see core.decode), the best explanation is too poor to be a Spinda: answer no_spinda.
MIN_FIT = 0.35
# Spot pixels a sprite's pixel beyond the art's silhouette costs a frame (see _support); on 320 smoothed
# and photographed games' sprites (bench/identify_bench.py's kinds, seeds 5 and 6) 243 were right without
# it, 258 with 0.5 (0.25: 255, 1: 256).
BEYOND_WEIGHT = 0.5
# Spot pixels each pixel of the art's body core outside the sprite's region costs a frame (see _support): a
# frame a game pixel off leaves a line of the core's edge uncovered (Gen IV photo seed 7 picture 35: 5 core
# pixels out at the right frame, 18 at the wrong one, which explained 2.5 spot pixels more). The 600 tuning
# pictures 43 -> 43 wrong at 0.5, 42 at 1.0, 41 at 2.0 (none broken); held-out, pixel-sharp and our art's
# augmented pictures unchanged at 1.0 and at 2.0. With session 10's enlargement filter and networks, 34 -> 33
# (a Gen III photo, seed 5 picture 20; the Gen IV one above now reads right either way).
UNCOVERED_WEIGHT = 2.0
# Below this confidence, a smoothed crop is looked at further, at trial game pixels (core.detect,
# at_screen_pixels, _TRIAL_GAME_PIXELS); a capture of a whole screen is looked at further only where its
# screen's game pixels showed no sprite at all. The bench's 400 cropped captures and photos (seeds 5 and 7),
# predicted from every look recorded: 26 wrong at 0.25 and 0.3, 27 at 0.2 and 0.15, 31 at 0.1 (above 0.3
# more crops take trials, which were not recorded).
UNSURE = 0.3
NO_SPINDA = "no Spinda found: no part of the picture is explained by a Spinda sprite's spots"
# Below this confidence the answer's look holds too little of the belief to be anything but a guess, and
# pictures with no Spinda are what is answered there: of 200 no-Spinda crops (bench/identify_bench.py's,
# seeds 5 and 2026) 4 were answered, at 0.007-0.021, and of the 1200 whole screens 3 of the 5 answered
# at 0.010-0.011 (the others at 0.22 and 0.30);
# of 2500 answers on the games' sprites (session 25's tuning pictures), none right under 0.017.
MIN_CONFIDENCE = 0.015
GUESS = "no Spinda found: the most Spinda-like part of the picture fits no spot pattern better than a guess"


@dataclass(frozen=True)
class Identification:
    path: str
    status: Status
    message: str
    pid: int | None = None
    game: str | None = None
    confidence: float = 0.0
    fingerprint: str | None = None
    siblings: tuple[int, ...] = ()
    candidates: tuple[tuple[int, float], ...] = ()  # next-best distinct looks, best first
    shiny: bool = False
    crop: Image.Image | None = field(default=None, compare=False, repr=False)  # native-resolution sprite

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "status": self.status}
        if self.status == "ok" and self.pid is not None:
            out |= {
                "pid": format_pid(self.pid),
                "game": self.game,
                "confidence": round(self.confidence, 4),
                "fingerprint": self.fingerprint,
                "siblings": [format_pid(p) for p in self.siblings],
                "candidates": [{"pid": format_pid(p), "score": round(s, 4)} for p, s in self.candidates],
            }
        out["message"] = self.message
        return out


def _model_file(model_path: Path | None, family: GameFamily) -> Path | None:
    """A file is one model (used for its own family); a folder holds spot_<family>.npz (spotnet's numpy
    form, preferred: no torch) or spot_<family>.pt files."""
    folder = DEFAULT_MODELS_DIR if model_path is None else model_path
    if model_path is not None and model_path.is_file():
        return model_path
    for suffix in (".npz", ".pt"):
        candidate = folder / f"spot_{family.key}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def load_model(path: Path) -> NibbleModel:
    """A spot model file: spotnet's numpy form (.npz) or a torch checkpoint (anything else)."""
    if path.suffix == ".npz":
        return load_inference_model(path)
    # Imported only for a checkpoint: torch alone costs seconds and most of the decoder's memory.
    from core.model import load_spot_model

    return load_spot_model(path)


# A Spinda-shaped detection, its decode, and how well that explains the picture (`_support`).
Scored = tuple[Detection, Decoded, tuple[bool, float]]


def _best(decoded: list[Scored]) -> tuple[Detection, Decoded] | None:
    """The decoded detection that explains the picture best, if its fit is usable."""
    if not decoded:
        return None
    detection, best, _ = max(decoded, key=lambda item: item[2])
    return (detection, best) if best.fit >= MIN_FIT else None


def _seen_whole(detections: list[Detection], image: npt.NDArray[np.uint8]) -> list[Detection]:
    """The detections whose sprite's paint box lies in the picture, give or take a game pixel (the fit's
    error): a Spinda's spots are read from its whole body, and a frame hanging off the picture reads what
    lies beyond as the reconstruction's padding. Two no-Spinda crops answered in session 25 (seed 2026 #29
    and seed 11 #63 of bench/identify_bench.py's) were such frames, 1.4 and 2.2 game pixels off the
    picture's top."""
    height, width = image.shape[:2]
    kept = []
    for detection in detections:
        frame = detection.frame
        x0, y0, x1, y1 = frame.paint_box_in_picture()
        if (
            min(x0 + frame.scale_x, y0 + frame.scale_y) >= 0
            and x1 - frame.scale_x <= width
            and y1 - frame.scale_y <= height
        ):
            kept.append(detection)
    return kept


def _support(decoded: Decoded, beyond: int, uncovered: int) -> tuple[bool, float]:
    """How well a candidate frame's decode explains the picture, for choosing among frames: a usable fit
    first, then spot pixels explained less pixels wrong, less BEYOND_WEIGHT for each pixel of the sprite's
    region outside the art's silhouette (`beyond`) and UNCOVERED_WEIGHT for each pixel of the art's body
    core outside the region (`uncovered`). A frame a whole game pixel off explains about as well (the spots
    move with it), or better where the art's mouth falls outside the allowed region there, while its belief
    share (the confidence) can even be higher than the right one's; but it puts a column or row of the
    sprite beyond the silhouette, and leaves one of the core's edge outside the sprite."""
    penalty = BEYOND_WEIGHT * beyond + UNCOVERED_WEIGHT * uncovered
    return decoded.fit >= MIN_FIT, decoded.explained - decoded.fit_errors - penalty


class Identifier:
    def __init__(
        self,
        game: str = "auto",
        assets: Path | None = None,
        model_path: Path | None = None,
        top_k: int = 5,
    ) -> None:
        single_threaded_blas()
        keys = RENDERABLE if game == "auto" else (renderable_family(game).key,)
        self.families = [renderable_family(key) for key in keys]
        self.top_k = top_k
        self.looks: dict[str, LookIndex] = {}
        for family in self.families:
            self.looks[family.key] = LookIndex(SpindaRenderer(default_pack(family, assets)))
        self.envelopes = {
            key: envelope(index.family, index.renderer.pack.cream) for key, index in self.looks.items()
        }
        self.bodies = {key: BodyShape.of(index.renderer.pack) for key, index in self.looks.items()}
        self.colours = ColourModel(index.renderer.pack for index in self.looks.values())
        self.models: dict[str, NibbleModel] = {}
        if model_path is not None and not model_path.exists():
            raise FileNotFoundError(f"{model_path}: no such model checkpoint or folder")
        paths = {path for family in self.families if (path := _model_file(model_path, family)) is not None}
        for path in sorted(paths):
            model = load_model(path)
            if model.family.key in self.looks:
                self.models[model.family.key] = model

    def identify_path(self, path: Path) -> Identification:
        try:
            image = load_rgb_path(path)
        except ImageLoadError as exc:
            return Identification(str(path), "error", str(exc))
        return self.identify_array(image, str(path))

    def identify_bytes(self, data: bytes, source: str = "image") -> Identification:
        try:
            image = load_rgb_bytes(data, source)
        except ImageLoadError as exc:
            return Identification(source, "error", str(exc))
        return self.identify_array(image, source)

    def identify_array(self, image: npt.NDArray[np.uint8], source: str = "image") -> Identification:
        """Identify from an (H, W, 3) RGB array."""
        # A smoothed sprite on a background in its own colours can be swallowed by the background the
        # detector takes out; a stricter look parts them (core.detect, strict_background). A capture of a
        # whole screen is searched fastest, and most often right, at the screen's game pixels; where that
        # finds no Spinda, at its own resolution; a smoothed crop the other way round, at its own
        # resolution, then where that finds none or is unsure, at trial game pixels (at_screen_pixels).
        best = None
        measured = Measured(self._spinda_shaped)
        for strict in (False, True):
            found = detect(image, self.colours, self.families, strict_background=strict, measured=measured)
            decoded = self._decoded(_seen_whole(found, image))
            best = _best(decoded)
            if best is None or best[1].confidence < UNSURE:
                more = detect(
                    image,
                    self.colours,
                    self.families,
                    strict_background=strict,
                    at_screen_pixels=False,
                    seen_scale=None if best is None else best[0].frame.scale,
                    measured=measured,
                )
                decoded += self._decoded(_seen_whole(more, image))
                best = _best(decoded)
            if best is not None:
                break
        if best is None:
            # A photo's colour cast can take a sprite's cream out of the paint colours: a photographed
            # screen is looked at brighter where it showed nothing (core.detect), and so, last, is a crop.
            found = detect(image, self.colours, self.families, brighter=True, measured=measured)
            best = _best(self._decoded(_seen_whole(found, image)))
        if best is None:
            return Identification(source, "no_spinda", NO_SPINDA)
        if best[1].confidence < MIN_CONFIDENCE:
            return Identification(source, "no_spinda", GUESS)
        return self._answer(source, *best)

    def _decoded(self, detections: list[Detection]) -> list[Scored]:
        """The Spinda-shaped detections, each with its decode and how well it explains the picture."""
        out: list[Scored] = []
        for found in detections:
            shape = self.bodies[found.family.key]
            detection = self._shaped(found)
            if detection is not None:
                decoded = self._decode(detection)
                out.append(
                    (
                        detection,
                        decoded,
                        _support(decoded, shape.beyond(detection), shape.uncovered(detection)),
                    )
                )
        return out

    def _shaped(self, found: Detection) -> Detection | None:
        """The detection, its body filled (`BodyShape.filled`), where it is Spinda-shaped; else None."""
        shape = self.bodies[found.family.key]
        detection = shape.filled(found)
        return detection if spinda_shaped(detection, shape) else None

    def _spinda_shaped(self, found: Detection) -> bool:
        return self._shaped(found) is not None

    def _decode(self, detection: Detection) -> Decoded:
        model = self.models.get(detection.family.key)
        # Exact source pixels need no prior, and the CNN, trained on the project's art, misleads more than
        # it helps on the games' sprites there (bench/identify_bench.py: "decoder only" was as good as or
        # better than "default" on every pixel-sharp cell); it helps where blur has muddied the colours.
        proba = (
            model.predict_proba(detection.crop[None])[0]
            if model is not None and not detection.source_pixels
            else None
        )
        observation = observe(detection, self.colours, self.envelopes[detection.family.key])
        temperature = SOURCE_TEMPERATURE if detection.source_pixels else TEMPERATURE
        return decode(observation, proba, top_k=4 * self.top_k, temperature=temperature)

    def _answer(self, source: str, detection: Detection, decoded: Decoded) -> Identification:
        index = self.looks[decoded.family.key]
        pid = decoded.pids[0]
        siblings = index.siblings(pid)
        # Alternatives the picture tells apart may still look alike in the configured art: keep one per look.
        seen = {index.look(pid).tobytes()}
        candidates: list[tuple[int, float]] = []
        for other, score in zip(decoded.pids[1:], decoded.scores[1:], strict=True):
            look = index.look(other).tobytes()
            if look not in seen and len(candidates) < self.top_k:
                seen.add(look)
                candidates.append((other, score))
        kind = "shiny " if decoded.shiny else ""
        return Identification(
            path=source,
            status="ok",
            message=f"{kind}Spinda ({decoded.family.key}) at scale {detection.frame.scale:.2f}",
            pid=pid,
            game=decoded.family.key,
            confidence=decoded.confidence,
            fingerprint=index.fingerprint(pid),
            siblings=tuple(siblings),
            candidates=tuple(candidates),
            shiny=decoded.shiny,
            crop=Image.fromarray(detection.crop, "RGB"),
        )
