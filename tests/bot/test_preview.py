"""`spinda-bot preview` builds the reply the live handlers send, from the same code path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from bot_fakes import (
    FakeDiscordApi,
    FakeIdentifier,
    FakeUpload,
    attachment_payload,
    make_settings,
    serve_uploads,
    slash,
)
from PIL import Image

from bot import __main__ as entry
from bot.client import SpindaBot
from bot.preview import preview
from core.assets import default_pack
from core.fingerprint import LookIndex
from core.games import GEN3
from core.render import SpindaRenderer


async def test_preview_json_matches_what_the_bot_sends(
    bot: SpindaBot, discord_api: FakeDiscordApi, identifier: FakeIdentifier, tmp_path: Path
) -> None:
    data = identifier.script(0xF2410A57, candidates=(0x1234,))
    upload = FakeUpload("shot.png", data)
    image = attachment_payload(upload)
    serve_uploads(bot, (image, upload))
    await bot.tree._call(slash(bot, "identify", attachments={"image": image}))
    live = discord_api.sent[-1]

    shot = tmp_path / "shot.png"
    shot.write_bytes(data)
    stdout, stderr = io.StringIO(), io.StringIO()
    out = tmp_path / "out"
    status = await preview(
        [shot], out, True, make_settings(), stdout, stderr, identifiers=lambda game: identifier
    )
    assert status == 0 and stderr.getvalue() == ""
    (line,) = stdout.getvalue().splitlines()
    shown = json.loads(line)
    assert shown["content"] == live.content and shown["embeds"] == live.embeds
    assert shown["files"] == [str(out / "shot--spinda-F2410A57.png")]
    with Image.open(shown["files"][0]) as picture:
        assert picture.format == "PNG" and picture.width > picture.height


async def test_preview_reports_each_image_and_missing_files(
    identifier: FakeIdentifier, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    shot = tmp_path / "shot.png"
    shot.write_bytes(identifier.script(0x12345678))
    stdout, stderr = io.StringIO(), io.StringIO()
    status = await preview(
        [shot, tmp_path / "gone.png", text], tmp_path / "out", False, make_settings(), stdout, stderr,
        identifiers=lambda game: identifier,
    )  # fmt: skip
    assert status == 1
    assert stderr.getvalue() == f"spinda-bot preview: {tmp_path / 'gone.png'}: no such file\n"
    printed = stdout.getvalue()
    assert f"== {shot}\n[Spinda 12345678]" in printed and "  PID: `0x12345678`" in printed
    assert f"== {text}\n`notes.txt` is text/plain" in printed


def test_the_command_line_runs_the_real_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The pipeline's accuracy is measured by its own tests and benchmarks; this checks the wiring: the
    # real Identifier's answer reaches the reply, and the reply agrees with itself.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    looks = LookIndex(SpindaRenderer(default_pack(GEN3)))
    shot = tmp_path / "render.png"
    sprite = looks.renderer.image(0xF2410A57, scale=3)
    canvas = Image.new("RGB", (sprite.width + 60, sprite.height + 60), (30, 40, 60))
    canvas.paste(sprite, (30, 30), sprite)
    canvas.save(shot)
    assert entry.main(["preview", "--json", "--out", str(tmp_path / "out"), str(shot)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    shown = json.loads(line)
    assert set(shown) == {"content", "embeds", "files", "ephemeral"}
    (embed,) = shown["embeds"]
    pid = int(embed["title"].removeprefix("Spinda "), 16)
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Fingerprint"] == f"`{looks.fingerprint(pid)}`"
    assert [Path(path).name for path in shown["files"]] == [f"render--spinda-{pid:08X}.png"]
    assert all(Path(path).is_file() for path in shown["files"])
