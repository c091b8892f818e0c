"""Narrowing an identification with what the player knows: the nature and gender the PID decides.

The picture fixes a look, not a PID: every sibling draws the same pixels. The nature (PID mod 25) and the
gender (the lowest byte) split that set further. When no sibling of the best look fits, the next-best
looks the pipeline offered are tried in score order, because a screenshot may be slightly misread while
the player's summary screen is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.fingerprint import LookIndex
from core.games import GameFamily
from core.pid import traits


@dataclass(frozen=True)
class Wanted:
    nature: str | None = None
    gender: str | None = None

    def __bool__(self) -> bool:
        return self.nature is not None or self.gender is not None

    def describe(self) -> str:
        return " ".join(part for part in (self.nature, self.gender) if part)

    def accepts(self, pid: int, family: GameFamily) -> bool:
        decided = traits(pid, family)
        return (self.nature is None or decided.nature == self.nature) and (
            self.gender is None or decided.gender == self.gender
        )


@dataclass(frozen=True)
class Answer:
    """The PID to show and the look it belongs to."""

    pid: int
    fingerprint: str
    look_pids: Sequence[int]  # every PID with this look, whether or not it fits
    fitting: Sequence[int]  # the look's PIDs that fit what the player told us (all of them when nothing was)
    confidence: float
    note: str | None  # how the nature and gender narrowed it, for the reply


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def narrow(
    pid: int,
    fingerprint: str,
    siblings: Sequence[int],
    confidence: float,
    candidates: Sequence[tuple[int, float]],
    wanted: Wanted,
    looks: LookIndex,
) -> Answer:
    family = looks.family
    if not wanted:
        return Answer(pid, fingerprint, siblings, siblings, confidence, None)
    fitting = [p for p in siblings if wanted.accepts(p, family)]
    if fitting:
        best = pid if pid in fitting else fitting[0]
        note = (
            f"Being {wanted.describe()} narrowed the {_plural(len(siblings), 'PID')} with this look "
            f"to {len(fitting)}."
        )
        return Answer(best, fingerprint, siblings, fitting, confidence, note)
    for candidate, score in candidates:
        look_pids = looks.siblings(candidate)
        fitting = [p for p in look_pids if wanted.accepts(p, family)]
        if fitting:
            note = (
                f"No PID with the best-matching look is {wanted.describe()}; the closest look that fits "
                f"(score {score:.0%}) has {_plural(len(fitting), 'such PID')}."
            )
            return Answer(fitting[0], looks.fingerprint(candidate), look_pids, fitting, score, note)
    note = (
        f"No likely look has a {wanted.describe()} PID, so this is the best match regardless: "
        "check the nature and gender you gave."
    )
    return Answer(pid, fingerprint, siblings, siblings, confidence, note)
