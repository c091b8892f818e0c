"""The /spinda command group and the "Identify Spinda" message menu: thin adapters over SpindaService."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import SpindaBot
from bot.narrowing import Wanted
from bot.paging import PageView
from bot.replies import problem, send_reply
from bot.service import Requester, is_image
from core.fingerprint import EXAMPLE
from core.pid import NATURES

GAMES = [
    app_commands.Choice(name="detect automatically", value="auto"),
    app_commands.Choice(name="Gen III (Ruby/Sapphire, FireRed/LeafGreen, Emerald)", value="gen3"),
    app_commands.Choice(name="Gen IV (Diamond/Pearl, Platinum, HeartGold/SoulSilver)", value="gen4"),
]
RENDER_GAMES = GAMES[1:]
NATURE_CHOICES = [app_commands.Choice(name=nature, value=nature) for nature in NATURES]
GENDERS = [app_commands.Choice(name="male", value="male"), app_commands.Choice(name="female", value="female")]

# Identification is the expensive path; the rest is cheap but still rate-limited against floods.
IDENTIFY_RATE = (3, 30.0)
CHEAP_RATE = (6, 10.0)


def requester_of(
    interaction: discord.Interaction[Any], source: str, message_id: int | None = None
) -> Requester:
    return Requester(source, interaction.user.id, interaction.guild_id, interaction.channel_id, message_id)


class SpindaCommands(
    commands.GroupCog, group_name="spinda", group_description="Identify Spinda from screenshots"
):
    def __init__(self, bot: SpindaBot) -> None:
        self.bot = bot
        self.service = bot.service
        self.menu = app_commands.ContextMenu(name="Identify Spinda", callback=self.identify_message)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def _identify(
        self,
        interaction: discord.Interaction[Any],
        image: discord.Attachment,
        requester: Requester,
        game: str = "auto",
        wanted: Wanted | None = None,
    ) -> None:
        outcome = await self.service.identify(
            image, requester, game, wanted, accepted=lambda: interaction.response.defer(thinking=True)
        )
        await send_reply(interaction, outcome.reply)

    @app_commands.command(name="identify", description="Find the PID of the Spinda in a screenshot")
    @app_commands.describe(
        image="A screenshot showing the Spinda (summary or battle screen)",
        game="Which games the screenshot is from (detected when left out)",
        nature="Its nature, if you know it: narrows down Spinda that look alike",
        gender="Its gender, if you know it: narrows down Spinda that look alike",
    )
    @app_commands.choices(game=GAMES, nature=NATURE_CHOICES, gender=GENDERS)
    @app_commands.checks.cooldown(*IDENTIFY_RATE)
    async def identify(
        self,
        interaction: discord.Interaction[Any],
        image: discord.Attachment,
        game: str = "auto",
        nature: str | None = None,
        gender: str | None = None,
    ) -> None:
        await self._identify(
            interaction, image, requester_of(interaction, "slash"), game, Wanted(nature, gender)
        )

    @app_commands.checks.cooldown(*IDENTIFY_RATE)
    async def identify_message(self, interaction: discord.Interaction[Any], message: discord.Message) -> None:
        images = [attachment for attachment in message.attachments if is_image(attachment)]
        if not images:
            await send_reply(
                interaction, problem("That message has no picture I can read (PNG, JPEG, WebP, GIF or BMP).")
            )
            return
        await self._identify(interaction, images[0], requester_of(interaction, "menu", message.id))

    @app_commands.command(name="lookup", description="List every PID with a fingerprint's look")
    @app_commands.describe(fingerprint=f"A fingerprint from an identification, such as {EXAMPLE}")
    @app_commands.checks.cooldown(*CHEAP_RATE)
    async def lookup(self, interaction: discord.Interaction[Any], fingerprint: str) -> None:
        pages = await self.service.lookup(
            fingerprint, interaction.guild_id, accepted=lambda: interaction.response.defer(thinking=True)
        )
        if len(pages) == 1:
            await send_reply(interaction, pages[0])
            return
        view = PageView(pages, interaction.user.id)
        await send_reply(interaction, pages[0], view=view)
        view.message = await interaction.original_response()

    @app_commands.command(name="pid", description="Show the spot pattern a PID draws, with its traits")
    @app_commands.describe(
        hex="The PID in hexadecimal, such as F2410A57", game="Which games", shiny="Shiny colours"
    )
    @app_commands.choices(game=RENDER_GAMES)
    @app_commands.checks.cooldown(*CHEAP_RATE)
    async def pid(
        self, interaction: discord.Interaction[Any], hex: str, game: str = "gen3", shiny: bool = False
    ) -> None:
        reply = await self.service.render_pid(
            hex, game, shiny, accepted=lambda: interaction.response.defer(thinking=True)
        )
        await send_reply(interaction, reply)

    @app_commands.command(name="history", description="Your latest identifications")
    @app_commands.checks.cooldown(*CHEAP_RATE)
    async def history(self, interaction: discord.Interaction[Any]) -> None:
        await send_reply(interaction, await self.service.history(interaction.user.id))

    @app_commands.command(name="forget", description="Delete every identification recorded for you")
    @app_commands.checks.cooldown(*CHEAP_RATE)
    async def forget(self, interaction: discord.Interaction[Any]) -> None:
        await send_reply(interaction, await self.service.forget(interaction.user.id))


async def setup(bot: SpindaBot) -> None:
    await bot.add_cog(SpindaCommands(bot))
