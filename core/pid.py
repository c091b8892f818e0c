"""Personality values: parsing, the eight spot coordinates, and the traits the value decides."""

from __future__ import annotations

from dataclasses import dataclass

from core.games import GameFamily

MAX_PID = 0xFFFFFFFF

NATURES = (
    "Hardy", "Lonely", "Brave", "Adamant", "Naughty",
    "Bold", "Docile", "Relaxed", "Impish", "Lax",
    "Timid", "Hasty", "Serious", "Jolly", "Naive",
    "Modest", "Mild", "Quiet", "Bashful", "Rash",
    "Calm", "Gentle", "Sassy", "Careful", "Quirky",
)  # fmt: skip

# The eight coordinates in the order the model and the CLI use: (spot 0 x, spot 0 y, spot 1 x, ...).
COORDINATE_NAMES = ("TL_x", "TL_y", "TR_x", "TR_y", "BL_x", "BL_y", "BR_x", "BR_y")
SPOT_NAMES = ("left ear", "right ear", "left face", "right face")


class InvalidPidError(ValueError):
    pass


def parse_pid(text: str) -> int:
    """Read a PID written in hexadecimal, with or without 0x; at most 32 bits."""
    cleaned = text.strip()
    digits = cleaned[2:] if cleaned.lower().startswith("0x") else cleaned
    if not digits:
        raise InvalidPidError(f"invalid PID {text!r}: it is empty")
    if any(ch not in "0123456789abcdefABCDEF" for ch in digits):
        raise InvalidPidError(f"invalid PID {text!r}: not hexadecimal (use digits 0-9 and A-F)")
    value = int(digits, 16)
    if value > MAX_PID:
        raise InvalidPidError(f"invalid PID {text!r}: more than 32 bits (at most FFFFFFFF)")
    return value


def format_pid(pid: int) -> str:
    return f"{pid:08X}"


def coordinates(pid: int, family: GameFamily) -> tuple[int, ...]:
    """The eight spot nibbles: for spot i, coordinate 2i is x (low nibble), 2i + 1 is y (high nibble)."""
    out: list[int] = []
    for byte in family.spot_bytes(pid):
        out += [byte & 0xF, byte >> 4]
    return tuple(out)


def pid_from_coordinates(coords: tuple[int, ...] | list[int], family: GameFamily) -> int:
    if len(coords) != 8 or any(not 0 <= c <= 15 for c in coords):
        raise ValueError(f"expected eight nibbles 0..15, got {list(coords)}")
    spot_bytes = tuple(coords[2 * i] | coords[2 * i + 1] << 4 for i in range(4))
    return family.value_from_spot_bytes((spot_bytes[0], spot_bytes[1], spot_bytes[2], spot_bytes[3]))


@dataclass(frozen=True)
class Traits:
    """What a Spinda's value decides in one game family. None where the value does not decide it."""

    pid: int
    game: str
    coordinates: tuple[int, ...]
    nature: str | None
    gender: str | None
    ability: str | None
    shiny: bool | None


def traits(pid: int, family: GameFamily, tid: int | None = None, sid: int | None = None) -> Traits:
    if (tid is None) != (sid is None):
        raise ValueError("shininess needs both a trainer ID and a secret ID")
    for name, ident in (("trainer ID", tid), ("secret ID", sid)):
        if ident is not None and not 0 <= ident <= 0xFFFF:
            raise ValueError(f"{name} must be between 0 and 65535, got {ident}")
    if not family.value_decides_traits:
        return Traits(pid, family.key, coordinates(pid, family), None, None, None, None)
    shiny = None
    if tid is not None and sid is not None:
        shiny = (tid ^ sid ^ (pid >> 16) ^ (pid & 0xFFFF)) < family.shiny_threshold
    # Spinda's gender ratio is 50%, so the lowest byte (spot 0's) decides it.
    gender = "female" if (pid & 0xFF) < 127 else "male"
    # Gen III Spinda has one ability; from Gen IV the lowest PID bit picks one of two.
    ability = "Tangled Feet" if family.ability_rule == "gen4" and pid & 1 else "Own Tempo"
    return Traits(pid, family.key, coordinates(pid, family), NATURES[pid % 25], gender, ability, shiny)
