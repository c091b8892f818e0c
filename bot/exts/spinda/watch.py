"""Automatic replies to screenshots posted in the channels listed in SPINDA_WATCH_CHANNELS.

Reading other people's attachments needs the privileged Message Content intent. Without it Discord sends
empty messages (except those that mention the bot), so this listener simply finds nothing to do: the bot
keeps working through its commands. It answers only when it found a Spinda, so a busy art channel is not
flooded with "no Spinda here".
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.client import SpindaBot
from bot.service import Requester, is_image

log = logging.getLogger(__name__)

WATCH_RATE = (3, 60.0)
IMAGES_PER_MESSAGE = 4


def watched_channel_id(message: discord.Message) -> int:
    """Threads count as their parent channel, so watching a channel covers its threads."""
    channel = message.channel
    return channel.parent_id if isinstance(channel, discord.Thread) and channel.parent_id else channel.id


class Watch(commands.Cog):
    def __init__(self, bot: SpindaBot) -> None:
        self.bot = bot
        self.cooldowns = commands.CooldownMapping.from_cooldown(*WATCH_RATE, commands.BucketType.user)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or watched_channel_id(message) not in self.bot.settings.watch_channels:
            return
        images = [attachment for attachment in message.attachments if is_image(attachment)]
        if not images:
            return
        bucket = self.cooldowns.get_bucket(message)
        if bucket is not None and bucket.update_rate_limit():
            log.info(
                "watch: user %s is over the rate limit, message %s skipped", message.author.id, message.id
            )
            return
        requester = Requester(
            "watch",
            message.author.id,
            message.guild.id if message.guild else None,
            message.channel.id,
            message.id,
        )
        for image in images[:IMAGES_PER_MESSAGE]:
            outcome = await self.bot.service.identify(image, requester)
            if not outcome.identified:
                log.info("watch: no answer for %s in message %s: %s", image.filename, message.id,
                         outcome.reply.content)  # fmt: skip
                continue
            try:
                await message.reply(mention_author=False, **outcome.reply.send_kwargs())
            except discord.Forbidden as exc:
                # A channel set up without the bot's permissions: say what is missing, once per message.
                log.warning(
                    "watch: cannot reply in channel %s (%s); the bot needs Send Messages, Embed Links and "
                    "Attach Files there", message.channel.id, exc.text,
                )  # fmt: skip
                return


async def setup(bot: SpindaBot) -> None:
    await bot.add_cog(Watch(bot))
