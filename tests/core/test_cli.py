"""The `spinda` command line contract: outputs other tools parse, and one-line errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.assets import EXAMPLES_DIR
from core.cli import main
from core.games import GEN3
from core.pid import format_pid, traits
from core.registry import Registry


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own exits
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_render_one_pid_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "one.png"
    code, _, err = run(capsys, "render", "0xF2410A57", "-o", str(target))
    assert code == 0, err
    with Image.open(target) as image:
        assert image.mode == "RGBA" and image.size == (64, 64)
        assert np.array(image)[0, 0, 3] == 0  # transparent background


def test_render_many_pids_writes_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "render", "1", "0xabc", "--game", "gen4", "--scale", "2", "--shiny", "-o", str(tmp_path)
    )
    assert code == 0
    for name in ("00000001.png", "00000ABC.png"):
        with Image.open(tmp_path / name) as image:
            assert image.size == (160, 160)
    assert out.split() == [str(tmp_path / "00000001.png"), str(tmp_path / "00000ABC.png")]


def test_fingerprint_and_lookup_round_trip(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fingerprint", "00000000", "F2410A57", "--json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["pid"] for r in records] == ["00000000", "F2410A57"]
    code, out, _ = run(capsys, "lookup", records[0]["fingerprint"], "--json")
    assert code == 0
    found = json.loads(out)
    assert found["game"] == "gen3" and found["fingerprint"] == records[0]["fingerprint"]
    assert "00000000" in found["pids"] and found["pids"] == sorted(found["pids"])
    code, out, _ = run(capsys, "lookup", records[0]["fingerprint"])
    assert code == 0 and "00000000" in out and "with this look" in out


def test_traits_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "traits", "F2410A57", "--tid", "1", "--sid", "2", "--json")
    record = json.loads(out)
    expected = traits(0xF2410A57, GEN3, 1, 2)
    assert code == 0
    assert (record["nature"], record["gender"], record["ability"], record["shiny"]) == (
        expected.nature, expected.gender, expected.ability, expected.shiny)  # fmt: skip
    assert list(record["coordinates"].values()) == [7, 5, 10, 0, 1, 4, 2, 15]
    code, out, _ = run(capsys, "traits", "F2410A57", "--game", "platinum")
    assert code == 0 and "Tangled Feet" in out and "Generation IV" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["traits", "xyz"], "not hexadecimal"),
        (["traits", "1FFFFFFFF"], "more than 32 bits"),
        (["render", "1", "--game", "gen9", "-o", "x.png"], "unknown game"),
        (["render", "1", "--game", "bdsp", "-o", "x.png"], "coordinates and traits only"),
        (["render", "1", "--scale", "0", "-o", "x.png"], "invalid scale"),
        (["lookup", "not-a-fingerprint"], "malformed fingerprint"),
        (["traits", "1", "--tid", "5"], "both --tid and --sid"),
        (["render", "1", "--assets", "/nonexistent", "-o", "x.png"], "not a folder"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code != 0
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_assets_import_status_and_reset(
    reference_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "assets", "status")
    assert code == 0 and "default" in out and "imported" not in out
    code, out, err = run(capsys, "assets", "import", str(reference_dir / "gen3"), "--game", "emerald")
    assert code == 0, err
    assert "imported gen3 pack" in out
    code, out, _ = run(capsys, "assets", "status")
    assert "imported" in out and str((reference_dir / "gen3").resolve()) in out
    # Renders now use the game's art by default: the golden file comes out without --assets.
    code, _, _ = run(capsys, "render", "F2410A57", "-o", str(tmp_path / "r.png"))
    with (
        Image.open(tmp_path / "r.png") as mine,
        Image.open(reference_dir / "golden/gen3/F2410A57.png") as golden,
    ):
        opaque = np.array(mine)[..., 3] > 0
        assert np.array_equal(opaque, np.array(golden) > 0)
    # A failed import names the file and keeps the imported pack.
    code, _, err = run(capsys, "assets", "import", str(reference_dir / "gen4"), "--game", "gen3")
    assert code == 1 and "front.png" in err and err.count("\n") == 1
    assert "imported" in run(capsys, "assets", "status")[1]
    code, out, _ = run(capsys, "assets", "reset", "--game", "gen3")
    assert code == 0 and "removed" in out
    assert "imported" not in run(capsys, "assets", "status")[1]


def test_identify_json_contract_and_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    registry = tmp_path / "registry.db"
    example = EXAMPLES_DIR / "gen3_F2410A57.png"
    code, out, _ = run(
        capsys, "identify", "--json", "--registry", str(registry), str(empty), str(example), str(text)
    )
    records = [json.loads(line) for line in out.splitlines()]
    # A bad file is answered with a reason and does not stop the others; the exit status reports it.
    assert code == 1
    assert [r["status"] for r in records] == ["error", "ok", "error"]
    assert "empty" in records[0]["message"] and "not an image" in records[2]["message"]
    found = records[1]
    assert found["path"] == str(example) and found["pid"] == "F2410A57" and found["game"] == "gen3"
    assert 0.0 <= found["confidence"] <= 1.0 and "F2410A57" in found["siblings"]
    assert set(found) == {
        "path",
        "status",
        "pid",
        "game",
        "confidence",
        "fingerprint",
        "siblings",
        "candidates",
        "message",
    }
    assert all(set(c) == {"pid", "score"} for c in found["candidates"])
    code, out, _ = run(capsys, "lookup", found["fingerprint"], "--json")
    assert json.loads(out)["pids"] == found["siblings"]

    async def recorded() -> tuple[list[int], int]:
        async with Registry(registry) as opened:
            return await opened.pids_for(found["fingerprint"]), await opened.seen_count(
                found["fingerprint"], None
            )

    pids, seen = asyncio.run(recorded())
    assert [format_pid(p) for p in pids] == found["siblings"] and seen == 1


def test_identify_table_and_no_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = str(EXAMPLES_DIR / "gen4_DEADBEEF.png")
    code, out, _ = run(capsys, "identify", "--no-registry", "--top", "2", example)
    assert code == 0
    header, row = out.splitlines()
    assert header.split()[:3] == ["IMAGE", "STATUS", "PID"] and row.split()[1:4] == ["ok", "DEADBEEF", "gen4"]
    assert not any(tmp_path.iterdir())


def test_identify_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "identify", "--game", "bdsp", "x.png")
    assert code == 2 and "coordinates and traits only" in err
    code, _, err = run(capsys, "identify", "--model", "/nonexistent.pt", "x.png")
    assert code == 1 and "/nonexistent.pt" in err and err.count("\n") == 1
