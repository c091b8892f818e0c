"""Buttons that page through a long list, so nothing is cut to fit one message."""

from __future__ import annotations

import contextlib
from typing import Any

import discord

from bot.replies import Reply

PAGE_TIMEOUT_S = 300.0


class PageView(discord.ui.View):
    """Previous / next buttons over prepared pages (each page shows its number in the footer); only the
    person who asked can turn them."""

    def __init__(self, pages: list[Reply], owner_id: int, timeout: float | None = PAGE_TIMEOUT_S) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("a paged reply needs at least one page")
        self.pages = pages
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.InteractionMessage | None = None
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who ran this lookup can turn its pages; run `/spinda lookup` yourself.",
            ephemeral=True,
        )
        return False

    async def _show(self, interaction: discord.Interaction[Any], index: int) -> None:
        self.index = index
        self._sync_buttons()
        await interaction.response.edit_message(embeds=list(self.pages[index].embeds), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[PageView]
    ) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[PageView]) -> None:
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        # Greyed-out buttons tell people the list stopped listening instead of failing on click.
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            # The message may have been deleted meanwhile; the view is finished either way.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)
