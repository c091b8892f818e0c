"""Owner-only text commands, addressed by mentioning the bot (no message content intent needed)."""

from __future__ import annotations

from typing import Literal

import discord
from discord.ext import commands

from bot.client import SpindaBot


class Admin(commands.Cog):
    def __init__(self, bot: SpindaBot) -> None:
        self.bot = bot

    @commands.command()
    @commands.is_owner()
    @commands.guild_only()
    async def sync(
        self, ctx: commands.Context[SpindaBot], scope: Literal["global", "here", "clear"] = "global"
    ) -> None:
        """Publish the slash commands: `global` everywhere (slow to appear), `here` to this server at once,
        `clear` to remove this server's copies."""
        assert ctx.guild is not None
        guild = discord.Object(ctx.guild.id)
        if scope == "global":
            synced = await self.bot.tree.sync()
        elif scope == "here":
            self.bot.tree.copy_global_to(guild=guild)
            synced = await self.bot.tree.sync(guild=guild)
        else:
            self.bot.tree.clear_commands(guild=guild)
            synced = await self.bot.tree.sync(guild=guild)
        await ctx.reply(f"Synced {len(synced)} commands ({scope}).", mention_author=False)


async def setup(bot: SpindaBot) -> None:
    await bot.add_cog(Admin(bot))
