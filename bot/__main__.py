"""`spinda-bot`: run the Discord bot, or `spinda-bot preview IMAGE...` to see its replies offline.

Configuration errors end the program with one line on stderr and status 1, never a traceback, and no
message ever contains the token.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord
from dotenv import find_dotenv, load_dotenv

from bot.client import SpindaBot
from bot.config import ConfigError, Settings, load_settings
from bot.executor import BoundedExecutor
from bot.preview import preview
from bot.service import ServiceError, SpindaService, pipeline_identifiers
from core.registry import Registry, RegistryError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
log = logging.getLogger("bot")


class RedactToken(logging.Filter):
    """Belt and braces: should any library ever log the token, it is masked before it is written."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "[token]")
            record.args = None
        return True


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactToken(settings.token))
    discord.utils.setup_logging(handler=handler, level=settings.log_level, root=True)


def build_service(settings: Settings) -> SpindaService:
    return SpindaService(
        registry=Registry(settings.registry_path),
        executor=BoundedExecutor(settings.workers, settings.queue_size),
        identifiers=pipeline_identifiers(settings.assets, settings.model_path),
        max_attachment_bytes=settings.max_attachment_bytes,
    )


async def run_bot(settings: Settings) -> None:
    service = build_service(settings)
    bot = SpindaBot(settings, service)
    loop = asyncio.get_running_loop()
    # Closing the bot ends start(); the service is closed after it, whichever way the bot stopped.
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, lambda: loop.create_task(bot.close()))
    try:
        async with service, bot:
            await bot.start(settings.token)
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)


def _fail(message: str) -> int:
    print(f"spinda-bot: error: {message}", file=sys.stderr)
    return 1


def _run(settings: Settings) -> int:
    setup_logging(settings)
    try:
        try:
            asyncio.run(run_bot(settings))
        except discord.PrivilegedIntentsRequired:
            # Slash commands and the context menu need no privileged intent: keep serving them.
            log.warning(
                "SPINDA_WATCH_CHANNELS needs the Message Content intent, which is not enabled for this bot "
                "(Developer Portal, Bot tab, Privileged Gateway Intents); running without watched channels"
            )
            asyncio.run(run_bot(dataclasses.replace(settings, watch_channels=frozenset())))
    except discord.LoginFailure:
        return _fail(
            "Discord rejected DISCORD_TOKEN (reset it in the Developer Portal, Bot tab, and update .env)"
        )
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        return _fail(f"cannot reach Discord ({type(exc).__name__}); check the network and try again")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spinda-bot",
        description="Run the Spinda Discord bot. Settings come from the environment or a .env file found "
        "from the working directory; .env.example documents each one.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{preview}")
    shown = commands.add_parser(
        "preview",
        help="build offline the reply the bot would send for local images",
        description="Build offline, through the live handlers' code, the reply the bot would send for "
        "each image. Needs no token and records nothing.",
    )
    shown.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    shown.add_argument("--json", action="store_true", help="one JSON object per image per line")
    shown.add_argument(
        "--out",
        type=Path,
        default=Path("out/preview"),
        help="where reply files are written (default: %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(find_dotenv(usecwd=True))
    try:
        settings = load_settings(os.environ, require_token=args.command is None)
    except ConfigError as exc:
        return _fail(str(exc))
    try:
        if args.command == "preview":
            return asyncio.run(preview(args.images, args.out, args.json, settings, sys.stdout, sys.stderr))
        return _run(settings)
    except (RegistryError, ServiceError) as exc:
        return _fail(str(exc))


if __name__ == "__main__":
    sys.exit(main())
