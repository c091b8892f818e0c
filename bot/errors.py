"""The one place application-command errors end up: the user gets a short answer, the log gets the context."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.executor import WorkQueueFull
from bot.replies import Reply, busy, problem, send_reply

log = logging.getLogger(__name__)


def error_reply(error: app_commands.AppCommandError) -> Reply:
    """What to tell the user about an error; anything unexpected gets an apology, never a traceback."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return problem(f"Slow down a little: you can use this again in {error.retry_after:.0f} s.")
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, WorkQueueFull):
        return busy()
    if isinstance(error, app_commands.BotMissingPermissions):
        return problem(f"I need these permissions here: {', '.join(error.missing_permissions)}.")
    if isinstance(error, app_commands.CheckFailure):
        return problem("You can't use this command here.")
    if isinstance(error, app_commands.TransformerError):
        return problem(f"I couldn't understand `{error.value}` for this option.")
    return problem("Something went wrong on my side; it has been logged. Please try again later.")


def _expected(error: app_commands.AppCommandError) -> bool:
    return isinstance(error, app_commands.CheckFailure | app_commands.TransformerError) or (
        isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, WorkQueueFull)
    )


class SpindaTree(app_commands.CommandTree[Any]):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        context = (
            f"/{command} by user {interaction.user.id} in guild {interaction.guild_id} channel "
            f"{interaction.channel_id}"
        )
        if _expected(error):
            log.info("%s: %s", context, error)
        else:
            log.error("%s failed", context, exc_info=error)
        try:
            await send_reply(interaction, error_reply(error))
        except discord.HTTPException:
            log.exception("%s: could not tell the user about the error", context)
