"""Automatic replies in watched channels, with real discord.Message objects built from gateway payloads.

dpytest 0.7.0 cannot build members with discord.py 2.7.1 (its factory leaves the author None), so the
messages are built the way the gateway handler builds them.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from bot_fakes import (
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    FakeIdentifier,
    FakeUpload,
    attachment_payload,
    message_payload,
    serve_uploads,
    user_payload,
)

from bot.client import SpindaBot
from bot.exts.spinda.watch import WATCH_RATE

THREAD_ID = 6161
OTHER_CHANNEL_ID = 7171


def channel(bot: SpindaBot, channel_id: int) -> discord.TextChannel:
    state = bot._connection
    guild = state._get_or_create_unavailable_guild(GUILD_ID)
    data: Any = {"id": str(channel_id), "type": 0, "name": "art", "position": 0, "permission_overwrites": []}
    text = discord.TextChannel(state=state, guild=guild, data=data)
    guild._add_channel(text)
    return text


def thread_in(bot: SpindaBot, parent: discord.TextChannel) -> discord.Thread:
    data: Any = {
        "id": str(THREAD_ID), "type": 11, "name": "shinies", "parent_id": str(parent.id), "owner_id": "1",
        "message_count": 1, "member_count": 1,
        "guild_id": str(GUILD_ID), "thread_metadata": {"archived": False, "auto_archive_duration": 60,
        "archive_timestamp": "2026-11-25T12:00:00+00:00", "locked": False},
    }  # fmt: skip
    return discord.Thread(guild=parent.guild, state=bot._connection, data=data)


def posted(
    bot: SpindaBot,
    where: discord.abc.Messageable,
    uploads: list[FakeUpload],
    message_id: int,
    author_bot: bool = False,
) -> discord.Message:
    attachments = [attachment_payload(u) for u in uploads]
    serve_uploads(bot, *zip(attachments, uploads, strict=True))
    author = user_payload(USER_ID) | {"bot": author_bot}
    data: Any = message_payload(
        message_id, getattr(where, "id", CHANNEL_ID), author=author, attachments=attachments
    )
    return discord.Message(state=bot._connection, channel=where, data=data)  # type: ignore[arg-type]


@pytest.fixture
def sent(bot: SpindaBot) -> AsyncMock:
    mock = AsyncMock(return_value=message_payload(1))
    bot.http.send_message = mock  # type: ignore[method-assign]
    return mock


def watcher(bot: SpindaBot) -> Any:
    # load_extension executes the module afresh, so its class is not the one this file imported.
    cog = bot.get_cog("Watch")
    assert cog is not None
    return cog


async def test_a_spinda_posted_in_a_watched_channel_gets_a_reply(
    bot: SpindaBot, sent: AsyncMock, identifier: FakeIdentifier
) -> None:
    shot = FakeUpload("shot.png", identifier.script(0x12345678))
    await watcher(bot).on_message(posted(bot, channel(bot, CHANNEL_ID), [shot], 9001))
    sent.assert_awaited_once()
    assert sent.await_args is not None
    params = sent.await_args.kwargs["params"]
    assert [f.filename for f in params.files] == ["spinda-12345678.png"]
    assert '"message_reference"' in params.multipart[0]["value"]
    (sighting,) = await bot.service.registry.sightings_for_user(USER_ID)
    assert (sighting.source, sighting.message_id, sighting.channel_id) == ("watch", 9001, CHANNEL_ID)


async def test_threads_of_a_watched_channel_are_watched(
    bot: SpindaBot, sent: AsyncMock, identifier: FakeIdentifier
) -> None:
    thread = thread_in(bot, channel(bot, CHANNEL_ID))
    await watcher(bot).on_message(posted(bot, thread, [FakeUpload("s.png", identifier.script(1))], 9002))
    sent.assert_awaited_once()


async def test_quiet_when_there_is_nothing_to_say(
    bot: SpindaBot, sent: AsyncMock, identifier: FakeIdentifier
) -> None:
    cog = watcher(bot)
    spinda = FakeUpload("s.png", identifier.script(1))
    await cog.on_message(posted(bot, channel(bot, CHANNEL_ID), [FakeUpload("cat.png", b"cat")], 1))
    await cog.on_message(posted(bot, channel(bot, OTHER_CHANNEL_ID), [spinda], 2))
    await cog.on_message(posted(bot, channel(bot, CHANNEL_ID), [spinda], 3, author_bot=True))
    # Without the message content intent Discord delivers no attachments: nothing to do, no error.
    await cog.on_message(posted(bot, channel(bot, CHANNEL_ID), [], 4))
    sent.assert_not_awaited()
    assert identifier.calls == ["cat.png"]


async def test_watching_is_rate_limited_per_user(
    bot: SpindaBot, sent: AsyncMock, identifier: FakeIdentifier
) -> None:
    shot = FakeUpload("s.png", identifier.script(1))
    rate = WATCH_RATE[0]
    for n in range(rate + 1):
        await watcher(bot).on_message(posted(bot, channel(bot, CHANNEL_ID), [shot], 100 + n))
    assert sent.await_count == rate


async def test_missing_permissions_are_logged_not_raised(
    bot: SpindaBot, sent: AsyncMock, identifier: FakeIdentifier, caplog: pytest.LogCaptureFixture
) -> None:
    sent.side_effect = discord.Forbidden(MagicMock(status=403, reason="Forbidden"), "Missing Permissions")
    shots = [FakeUpload(f"{n}.png", identifier.script(n)) for n in (1, 2)]
    await watcher(bot).on_message(posted(bot, channel(bot, CHANNEL_ID), shots, 9003))
    assert sent.await_count == 1  # gave up on the message after the first refusal
    assert f"cannot reply in channel {CHANNEL_ID} (Missing Permissions)" in caplog.text
