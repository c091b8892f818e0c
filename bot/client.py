"""The bot: a commands.Bot whose setup_hook loads the extensions and syncs commands.

The service (pipeline, executor, registry) is opened and closed by whoever built it (bot.__main__), so it
outlives every event handler and is closed even when the bot stops half-way through starting.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.config import Settings
from bot.errors import SpindaTree
from bot.service import SpindaService

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.exts.spinda.commands", "bot.exts.spinda.watch", "bot.exts.admin")


def intents_for(settings: Settings) -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = settings.message_content_intent
    return intents


class SpindaBot(commands.Bot):
    def __init__(self, settings: Settings, service: SpindaService) -> None:
        # The bot never joins voice, so discord.py's start-up warnings about voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # Mention-only prefix: the owner's text commands work without the message content intent.
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(settings),
            tree_cls=SpindaTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        self.service = service

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.dev_guild is not None:
            guild = discord.Object(self.settings.dev_guild)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as exc:
                # Commands already published globally keep working, so the bot starts anyway.
                log.error(
                    "could not sync commands to SPINDA_DEV_GUILD %s (%s): is the bot in that server, "
                    "invited with the applications.commands scope?", guild.id, exc,
                )  # fmt: skip
            else:
                log.info("synced %d commands to the development guild %s", len(synced), guild.id)
        if self.settings.watch_channels:
            log.info(
                "watching %d channels for screenshots (needs the Message Content intent)",
                len(self.settings.watch_channels),
            )
