"""`spinda-bot` start-up and shutdown: clear one-line errors, no token in any output, clean SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
from bot_fakes import FakeIdentifier, make_settings

from bot import __main__ as entry
from bot.client import SpindaBot
from core.assets import AssetPackError
from core.registry import RegistryError

TOKEN = "MTA4NjQ1NzY4OTEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture(autouse=True)
def scripted_pipeline(monkeypatch: pytest.MonkeyPatch, identifier: FakeIdentifier) -> None:
    """Start-up is tested apart from the pipeline; test_preview runs the real one."""
    monkeypatch.setattr(entry, "pipeline_identifiers", lambda assets, model_path: lambda game: identifier)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory without a .env, an environment without Discord settings, and the root
    logger restored afterwards (main() installs its handler there)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name == "DISCORD_TOKEN" or (name.startswith("SPINDA_") and name != "SPINDA_DATA_DIR"):
            monkeypatch.delenv(name)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield tmp_path
    root.handlers[:] = handlers
    root.setLevel(level)


def test_missing_token_is_one_line_and_exit_status_1(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.main([]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("spinda-bot: error: DISCORD_TOKEN is not set")


def test_token_from_dotenv_and_a_rejected_login_never_print_it(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (env / ".env").write_text(f"DISCORD_TOKEN={TOKEN}\nSPINDA_REGISTRY={env / 'r.db'}\n")

    async def rejected(self: SpindaBot, token: str) -> None:
        assert token == TOKEN
        logging.getLogger("discord.http").error("login failed for %s", token)
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(SpindaBot, "start", rejected)
    assert entry.main([]) == 1
    out, err = capsys.readouterr()
    assert "Discord rejected DISCORD_TOKEN" in err and err.count("spinda-bot: error") == 1
    assert "Traceback" not in err
    assert TOKEN not in out + err and "login failed for [token]" in err


def test_missing_privileged_intent_degrades_to_commands_only(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("SPINDA_WATCH_CHANNELS", "123")
    started_with: list[bool] = []

    async def refuse_the_intent(self: SpindaBot, token: str) -> None:
        started_with.append(self.intents.message_content)
        if self.intents.message_content:
            raise discord.PrivilegedIntentsRequired(None)

    monkeypatch.setattr(SpindaBot, "start", refuse_the_intent)
    assert entry.main([]) == 0
    # Refused with the intent, then started again without it (and without watched channels).
    assert started_with == [True, False]
    err = capsys.readouterr().err
    assert "needs the Message Content intent" in err and "running without watched channels" in err


async def test_sigterm_closes_the_bot_the_registry_and_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[SpindaBot] = []

    async def run_until_closed(self: SpindaBot, token: str) -> None:
        await self.setup_hook()
        started.append(self)
        while not self.is_closed():
            await asyncio.sleep(0.01)

    monkeypatch.setattr(SpindaBot, "start", run_until_closed)
    settings = make_settings(token=TOKEN, registry_path=tmp_path / "r.db")
    loop = asyncio.get_running_loop()
    loop.call_later(0.5, os.kill, os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(entry.run_bot(settings), timeout=30)
    (bot,) = started
    with pytest.raises(RegistryError, match="not open"):
        await bot.service.registry.pids_for("x")
    with pytest.raises(RuntimeError, match="shutdown"):
        await bot.service.executor.run(print, "after shutdown")


def test_a_pipeline_that_cannot_load_stops_the_start_with_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing_art(game: str) -> FakeIdentifier:
        raise AssetPackError("assets/gen3/front.png: missing (every pack needs front.png)")

    monkeypatch.setattr(entry, "pipeline_identifiers", lambda assets, model_path: missing_art)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert entry.main([]) == 1
    assert capsys.readouterr().err == (
        "spinda-bot: error: cannot load the identification pipeline: "
        "assets/gen3/front.png: missing (every pack needs front.png)\n"
    )
