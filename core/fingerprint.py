"""Fingerprints: one short string per look, decodable into the complete set of PIDs that share it.

A look is the set of pixels drawn in spot colours. Spot i at byte value b shows the pixels V_i(b) (its
mask, moved and clipped, intersected with the pack's cream pixels), and a PID's look is the union of its
four V_i. So a PID q has the look L exactly when V_i(q_i) is a subset of L for every spot and their union
is L. Listing a class therefore needs no database: keep, for each spot, the byte values whose pixels fit
inside L (at most 256 subset tests), then test the few combinations of those for a union equal to L. The
subset filter is exact, not a heuristic: every sibling passes it by definition.

The fingerprint names the class by its smallest PID, so it is the same for every member:

    <family digit><pack tag>-<smallest PID, 7 Crockford base-32 digits><check digit>     e.g. 3BT-3S422JQ1

The pack tag (two digits) is a hash of the pack's cream pixels, the only part of the art that decides
which PIDs look alike: a fingerprint made with other art is recognised instead of silently misread. The
check digit (a weighted sum with odd weights, mod 32) catches any single mistyped character.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.games import ByteOrder
from core.render import SpindaRenderer

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_READ_AS = {"I": "1", "L": "1", "O": "0"}
_FAMILY_DIGITS = {"gen3": "3", "gen4": "4"}
_SHAPE = re.compile(r"^([0-9])([0-9A-Z]{2})-([0-9A-Z]{7})([0-9A-Z])$")
EXAMPLE = "3BT-3S422JQ1"  # F2410A57 drawn with the default art; a test keeps it valid


class FingerprintError(ValueError):
    """A fingerprint that cannot be read; the message says why."""


class UnknownFingerprintError(FingerprintError):
    """A well-formed fingerprint that names no look in this family and pack."""


def _encode(value: int, digits: int) -> str:
    return "".join(ALPHABET[value >> (5 * (digits - 1 - i)) & 31] for i in range(digits))


def _check_digit(body: str) -> str:
    total = sum((2 * i + 1) * ALPHABET.index(ch) for i, ch in enumerate(body) if ch != "-")
    return ALPHABET[total % 32]


@dataclass(frozen=True)
class ParsedFingerprint:
    family_digit: str
    pack_tag: str
    smallest_pid: int


def parse_fingerprint(text: str) -> ParsedFingerprint:
    """Check a fingerprint's shape and check digit; tolerant of case, spaces and Crockford look-alikes."""
    normalised = "".join(_READ_AS.get(ch, ch) for ch in text.strip().upper().replace(" ", ""))
    match = _SHAPE.match(normalised)
    if not match or any(ch not in ALPHABET for ch in normalised if ch != "-"):
        raise FingerprintError(f"malformed fingerprint {text!r}: expected a form like {EXAMPLE}")
    digit, tag, code, check = match.groups()
    if check != _check_digit(normalised[:-1]):
        raise FingerprintError(f"fingerprint {text!r} fails its check digit: a character is mistyped")
    value = int("".join(f"{ALPHABET.index(ch):05b}" for ch in code), 2)
    if value > 0xFFFFFFFF:
        raise FingerprintError(f"malformed fingerprint {text!r}: its number is larger than 32 bits")
    return ParsedFingerprint(digit, tag, value)


@dataclass(frozen=True)
class LookClass:
    fingerprint: str
    pids: list[int]


def fingerprint_family(text: str) -> str:
    """The family key a well-formed fingerprint belongs to."""
    digit = parse_fingerprint(text).family_digit
    for key, known in _FAMILY_DIGITS.items():
        if known == digit:
            return key
    raise UnknownFingerprintError(f"fingerprint {text!r} names no known game family (digit {digit})")


class LookIndex:
    """Fingerprints and sibling sets for one family drawn with one asset pack."""

    def __init__(self, renderer: SpindaRenderer) -> None:
        self.renderer = renderer
        self.family = renderer.family
        if self.family.key not in _FAMILY_DIGITS:
            raise FingerprintError(f"{self.family.key} has no fingerprints: its sprite geometry is not known")
        self.family_digit = _FAMILY_DIGITS[self.family.key]
        visible = renderer.visible_by_byte  # (4, 256, pixels)
        pad = (-visible.shape[-1]) % 64
        padded = np.pad(visible, ((0, 0), (0, 0), (0, pad)))
        # Looks as bitsets of 64-bit words, so subset and union tests are a few vector operations.
        self._words: npt.NDArray[np.uint64] = np.packbits(padded, axis=-1).view(np.uint64)
        # Each spot's distinct visible shapes, and which byte values draw each of them.
        shape_count = 0
        self._bytes_of_shape: list[list[npt.NDArray[np.intp]]] = []
        distinct: list[npt.NDArray[np.uint64]] = []
        for spot in range(4):
            unique, inverse = np.unique(self._words[spot], axis=0, return_inverse=True)
            distinct.append(unique)
            self._bytes_of_shape.append([np.flatnonzero(inverse == g) for g in range(len(unique))])
            shape_count = max(shape_count, len(unique))
        # Padded with an all-ones row that never fits inside a look, so the table is rectangular.
        self._shape_words = np.full((4, shape_count, self._words.shape[-1]), ~np.uint64(0), dtype=np.uint64)
        for spot, unique in enumerate(distinct):
            self._shape_words[spot, : len(unique)] = unique
        self._shape_pixels = np.unpackbits(self._shape_words.view(np.uint8), axis=-1).astype(np.bool_)
        self._byte_shifts = [
            8 * i if self.family.byte_order is ByteOrder.LITTLE else 8 * (3 - i) for i in range(4)
        ]
        digest = hashlib.sha256(
            self.family.key.encode() + np.packbits(renderer.pack.cream).tobytes()
        ).digest()
        self.pack_tag = _encode(int.from_bytes(digest[:2], "big") >> 6, 2)

    def look(self, pid: int) -> npt.NDArray[np.uint64]:
        b = self.family.spot_bytes(pid)
        union: npt.NDArray[np.uint64] = np.bitwise_or.reduce(self._words[np.arange(4), list(b)], axis=0)
        return union

    def class_of_look(self, look: npt.NDArray[np.uint64]) -> list[int]:
        """Every PID whose look is exactly `look`, ascending."""
        outside = ~look
        # Byte values that show the same pixels (for instance every position where a spot is hidden) are
        # interchangeable, so combinations are tested per distinct shape and expanded afterwards.
        shapes: list[npt.NDArray[np.intp]] = []
        for spot in range(4):
            fits = ~(self._shape_words[spot] & outside).any(axis=1)
            shapes.append(np.flatnonzero(fits))
        # Every fitting shape lies inside the look, so only the look's own pixels need comparing: packing
        # just those makes the combination test a few words wide instead of the whole frame.
        inside = np.flatnonzero(np.unpackbits(look.view(np.uint8)))
        target = self._packed_subset(np.ones((1, len(inside)), dtype=np.bool_))[0]
        packed = [self._packed_subset(self._shape_pixels[s, shapes[s]][:, inside]) for s in range(4)]
        # Spots with few fitting shapes first; after each, drop partial unions that the remaining spots
        # cannot complete even together, so the combinations never multiply out in full.
        order = sorted(range(4), key=lambda s: len(shapes[s]))
        unions = np.zeros((1, len(target)), dtype=np.uint64)
        chosen = np.zeros((1, 0), dtype=np.intp)
        for step, spot in enumerate(order):
            extra = packed[spot]
            unions = (unions[:, None, :] | extra[None, :, :]).reshape(-1, unions.shape[-1])
            chosen = np.concatenate(
                [np.repeat(chosen, len(extra), axis=0), np.tile(shapes[spot], len(chosen))[:, None]], axis=1
            )
            reach = np.zeros_like(target)
            for later in order[step + 1 :]:
                reach |= np.bitwise_or.reduce(packed[later], axis=0)
            completable = ~((target & ~unions & ~reach) != 0).any(axis=-1)
            unions, chosen = unions[completable], chosen[completable]
        by_spot = np.empty_like(chosen)
        by_spot[:, order] = chosen
        pids = [self._expand(combo) for combo in by_spot]
        members: list[int] = np.sort(np.concatenate(pids)).tolist() if pids else []
        return members

    @staticmethod
    def _packed_subset(pixels: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint64]:
        # At least one word, so an empty look (every spot hidden) still compares.
        pad = (-pixels.shape[-1]) % 64 or (64 if pixels.shape[-1] == 0 else 0)
        packed = np.packbits(np.pad(pixels, ((0, 0), (0, pad))), axis=-1)
        return np.ascontiguousarray(packed).view(np.uint64).reshape(len(pixels), -1)

    def _expand(self, combo: npt.NDArray[np.intp]) -> npt.NDArray[np.uint64]:
        """All PIDs whose spot i has shape combo[i]."""
        grids = np.meshgrid(*(self._bytes_of_shape[s][combo[s]] for s in range(4)), indexing="ij")
        total = np.zeros(grids[0].size, dtype=np.uint64)
        for grid, shift in zip(grids, self._byte_shifts, strict=True):
            total |= grid.reshape(-1).astype(np.uint64) << np.uint64(shift)
        return total

    def siblings(self, pid: int) -> list[int]:
        """The complete set of PIDs that look exactly like `pid`, itself included, ascending."""
        return self.class_of_look(self.look(pid))

    def _format(self, smallest: int) -> str:
        body = f"{self.family_digit}{self.pack_tag}-{_encode(smallest, 7)}"
        return body + _check_digit(body)

    def classify(self, pid: int) -> LookClass:
        """The fingerprint of `pid`'s look together with all of its PIDs."""
        members = self.siblings(pid)
        return LookClass(self._format(members[0]), members)

    def fingerprint(self, pid: int) -> str:
        return self.classify(pid).fingerprint

    def lookup(self, text: str) -> list[int]:
        """The complete set of PIDs with this fingerprint; errors say exactly why a string names none."""
        parsed = parse_fingerprint(text)
        if parsed.family_digit != self.family_digit:
            raise UnknownFingerprintError(
                f"fingerprint {text!r} is for another game family (digit {parsed.family_digit}); "
                f"this is {self.family.key} (digit {self.family_digit})"
            )
        if parsed.pack_tag != self.pack_tag:
            raise UnknownFingerprintError(
                f"fingerprint {text!r} was made with other sprite art (pack tag {parsed.pack_tag}); "
                f"the {self.renderer.pack.name} pack in use has tag {self.pack_tag}"
            )
        members = self.siblings(parsed.smallest_pid)
        if members[0] != parsed.smallest_pid:
            raise UnknownFingerprintError(
                f"unknown fingerprint {text!r}: no look has it (its PID {parsed.smallest_pid:08X} belongs to "
                f"the look {self._format(members[0])})"
            )
        return members
