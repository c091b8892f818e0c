from __future__ import annotations

import random

import pytest

from bot.narrowing import Wanted, narrow
from core.fingerprint import LookIndex
from core.games import GEN3
from core.pid import traits


def shared_look(looks: LookIndex) -> list[int]:
    """Siblings of some look that several PIDs with different natures share (found, not hard-coded)."""
    rng = random.Random(7)
    for _ in range(5000):
        siblings = looks.siblings(rng.getrandbits(32))
        if len({traits(p, GEN3).nature for p in siblings}) >= 3:
            return siblings
    pytest.fail("no shared look with three natures among 5000 random PIDs")


def test_nothing_wanted_keeps_the_answer(looks: dict[str, LookIndex]) -> None:
    index = looks["gen3"]
    siblings = shared_look(index)
    answer = narrow(siblings[0], index.fingerprint(siblings[0]), siblings, 0.9, [], Wanted(), index)
    assert (answer.pid, answer.look_pids, answer.fitting, answer.note) == (
        siblings[0],
        siblings,
        siblings,
        None,
    )


def test_nature_narrows_the_siblings_and_says_so(looks: dict[str, LookIndex]) -> None:
    index = looks["gen3"]
    siblings = shared_look(index)
    nature = traits(siblings[-1], GEN3).nature
    answer = narrow(
        siblings[0], index.fingerprint(siblings[0]), siblings, 0.9, [], Wanted(nature=nature), index
    )
    expected = [p for p in siblings if traits(p, GEN3).nature == nature]
    assert answer.fitting == expected and answer.pid == expected[0]
    assert answer.fingerprint == index.fingerprint(siblings[0])
    assert answer.note == (
        f"Being {nature} narrowed the {len(siblings)} PIDs with this look to {len(expected)}."
    )


def test_a_candidate_look_is_used_when_no_sibling_fits(looks: dict[str, LookIndex]) -> None:
    index = looks["gen3"]
    best = 0x12345678
    gender = "female" if traits(best, GEN3).gender == "male" else "male"

    # The candidates a pipeline would offer: the first has the wrong gender, the second the wanted one.
    def genders(pid: int) -> set[str | None]:
        return {traits(p, GEN3).gender for p in index.siblings(pid)}

    wrong = next(p for p in range(0x00010000, 0x00020000, 0x101) if gender not in genders(p))
    right = next(p for p in range(0x00030000, 0x00040000, 0x101) if genders(p) == {gender})
    answer = narrow(
        best, index.fingerprint(best), index.siblings(best), 0.9, [(wrong, 0.4), (right, 0.3)],
        Wanted(gender=gender), index,
    )  # fmt: skip
    assert traits(answer.pid, GEN3).gender == gender
    assert answer.pid in index.siblings(right) and answer.fingerprint == index.fingerprint(right)
    assert answer.confidence == 0.3
    assert answer.note is not None and "closest look that fits (score 30%)" in answer.note


def test_when_nothing_fits_the_best_match_stays_with_a_warning(looks: dict[str, LookIndex]) -> None:
    index = looks["gen3"]
    best = 0x12345678
    nature = next(n for n in ("Hardy", "Bold") if n != traits(best, GEN3).nature)
    answer = narrow(
        best, index.fingerprint(best), index.siblings(best), 0.9, [], Wanted(nature=nature), index
    )
    assert answer.pid == best
    assert answer.note is not None and answer.note.startswith(f"No likely look has a {nature} PID")
