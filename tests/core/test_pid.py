from __future__ import annotations

import pytest

from core.games import BDSP, GEN3, GEN4, UnknownGameError, game_family, renderable_family
from core.pid import InvalidPidError, coordinates, format_pid, parse_pid, pid_from_coordinates, traits


@pytest.mark.parametrize(
    ("text", "value"),
    [("F2410A57", 0xF2410A57), ("0xf2410a57", 0xF2410A57), (" 0X1 ", 1), ("ffffffff", 0xFFFFFFFF), ("0", 0)],
)
def test_parse_pid_accepts_hex(text: str, value: int) -> None:
    assert parse_pid(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("0x", "empty"), ("12G4", "not hexadecimal"), ("-1", "not hexadecimal"),
     ("100000000", "more than 32 bits"), ("1.5", "not hexadecimal")],
)  # fmt: skip
def test_parse_pid_names_the_problem(text: str, reason: str) -> None:
    with pytest.raises(InvalidPidError, match=reason):
        parse_pid(text)


def test_known_spot_offsets_from_libpkmn() -> None:
    # 0xF2410A57 gives spot offsets (7,5) (10,0) (1,4) (2,15) in the games.
    assert coordinates(0xF2410A57, GEN3) == (7, 5, 10, 0, 1, 4, 2, 15)
    assert format_pid(0xA) == "0000000A"


def test_coordinates_follow_the_hex_digit_convention() -> None:
    digits = format_pid(0x12345678)
    coords = coordinates(0x12345678, GEN4)
    # coordinate 0 is the last hex digit, coordinate 7 the first.
    assert [int(digits[-1 - i], 16) for i in (0, 1, 2, 3)] == [coords[0], coords[1], coords[2], coords[3]]
    assert (coords[4], coords[5], coords[6], coords[7]) == (
        int(digits[3], 16),
        int(digits[2], 16),
        int(digits[1], 16),
        int(digits[0], 16),
    )


@pytest.mark.parametrize("family", [GEN3, GEN4, BDSP])
@pytest.mark.parametrize("pid", [0, 1, 0xF2410A57, 0x80000000, 0xFFFFFFFF, 0x0C5C7FD0])
def test_coordinates_round_trip(family: object, pid: int) -> None:
    assert pid_from_coordinates(coordinates(pid, family), family) == pid  # type: ignore[arg-type]


def test_bdsp_reads_the_value_big_endian() -> None:
    assert coordinates(0x12345678, BDSP) == coordinates(0x78563412, GEN4)
    assert coordinates(0x12345678, BDSP)[:2] == (0x2, 0x1)


def test_pid_from_coordinates_rejects_bad_nibbles() -> None:
    with pytest.raises(ValueError, match="eight nibbles"):
        pid_from_coordinates((1, 2, 3), GEN3)
    with pytest.raises(ValueError, match="eight nibbles"):
        pid_from_coordinates((0, 0, 0, 0, 0, 0, 0, 16), GEN3)


def test_traits_gen3_and_gen4() -> None:
    found = traits(0xF2410A57, GEN3)
    assert found.nature == "Lax"  # 0xF2410A57 % 25 == 9
    assert found.gender == "female"  # 0x57 < 127
    assert found.ability == "Own Tempo"
    assert found.shiny is None
    assert traits(0xF2410A57, GEN4).ability == "Tangled Feet"  # odd PID
    assert traits(0xF2410A56, GEN4).ability == "Own Tempo"
    assert traits(0x0000007F, GEN3).gender == "male"
    assert traits(0x0000007E, GEN3).gender == "female"


def test_shininess_needs_both_ids_and_uses_the_threshold() -> None:
    pid = 0x12345678
    tid = 0x1234 ^ 0x5678
    assert traits(pid, GEN3, tid, 0).shiny is True
    assert traits(pid, GEN3, tid ^ 8, 0).shiny is False
    assert traits(pid, BDSP, tid ^ 8, 0).shiny is None  # the encryption constant decides no traits
    with pytest.raises(ValueError, match="both"):
        traits(pid, GEN3, tid, None)


def test_game_names_and_aliases() -> None:
    assert game_family("Emerald") is GEN3
    assert game_family(["Ruby", "Sapphire"][0]) is GEN3
    assert game_family("HG-SS") is GEN4
    assert game_family("bdsp") is BDSP
    with pytest.raises(UnknownGameError, match="unknown game 'gen9'"):
        game_family("gen9")
    with pytest.raises(UnknownGameError, match="coordinates and traits only"):
        renderable_family("bdsp")
