"""Slash commands and the message menu through the real CommandTree, with Discord's network edge faked."""

from __future__ import annotations

import asyncio
import logging
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from bot_fakes import (
    CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    FakeDiscordApi,
    FakeIdentifier,
    FakeUpload,
    attachment_payload,
    click,
    make_settings,
    message_menu,
    message_payload,
    serve_uploads,
    settle,
    slash,
)
from discord import app_commands

from bot.client import SpindaBot, intents_for
from bot.paging import PageView
from bot.replies import PIDS_PER_PAGE, Reply
from bot.service import Requester, SpindaService
from core.games import GEN3
from core.pid import traits

DEFERRED, MESSAGE, UPDATE = 5, 4, 7


def test_the_tree_holds_the_group_and_the_menu_and_serialises(bot: SpindaBot) -> None:
    group = bot.tree.get_command("spinda")
    assert isinstance(group, app_commands.Group)
    assert sorted(c.name for c in group.commands) == ["forget", "history", "identify", "lookup", "pid"]
    assert bot.tree.get_command("Identify Spinda", type=discord.AppCommandType.message) is not None
    # What sync would upload: Discord rejects more than 25 choices or over-long names, so build it all.
    payloads = [command.to_dict(bot.tree) for command in bot.tree.get_commands(type=None)]  # type: ignore[call-overload]
    identify = next(o for o in payloads[0]["options"] if o["name"] == "identify")
    assert [o["name"] for o in identify["options"]] == ["image", "game", "nature", "gender"]
    assert len(next(o for o in identify["options"] if o["name"] == "nature")["choices"]) == 25


async def test_identify_defers_then_answers_with_embed_and_picture(
    bot: SpindaBot, discord_api: FakeDiscordApi, identifier: FakeIdentifier
) -> None:
    pid = 0xF2410A57
    upload = FakeUpload("shot.png", identifier.script(pid))
    image = attachment_payload(upload)
    serve_uploads(bot, (image, upload))
    nature = traits(pid, GEN3).nature
    assert nature is not None
    await bot.tree._call(slash(bot, "identify", {"nature": nature}, attachments={"image": image}))
    deferred, answer = discord_api.sent
    assert (deferred.kind, deferred.response_type) == ("response", DEFERRED)
    assert answer.kind == "followup" and not answer.ephemeral
    assert answer.filenames == ["spinda-F2410A57.png"]
    assert answer.embeds[0]["title"] == "Spinda F2410A57"
    assert answer.embeds[0]["description"].startswith(f"Being {nature} narrowed")
    (sighting,) = await bot.service.registry.sightings_for_user(USER_ID)
    assert (sighting.pid, sighting.guild_id, sighting.channel_id, sighting.source) == (
        pid, GUILD_ID, CHANNEL_ID, "slash"
    )  # fmt: skip


async def test_unsupported_file_is_refused_privately_without_download(
    bot: SpindaBot, discord_api: FakeDiscordApi
) -> None:
    upload = FakeUpload("notes.pdf", b"%PDF", content_type="application/pdf")
    image = attachment_payload(upload)
    cdn = serve_uploads(bot, (image, upload))
    await bot.tree._call(slash(bot, "identify", attachments={"image": image}))
    (answer,) = discord_api.sent
    assert (answer.response_type, answer.ephemeral) == (MESSAGE, True)
    assert "`notes.pdf` is application/pdf" in (answer.content or "")
    cdn.assert_not_awaited()


async def test_message_menu_identifies_the_first_picture(
    bot: SpindaBot, discord_api: FakeDiscordApi, identifier: FakeIdentifier
) -> None:
    upload = FakeUpload("shot.png", identifier.script(0x12345678))
    notes = FakeUpload("notes.txt", b"hi", content_type="text/plain")
    image, text = attachment_payload(upload), attachment_payload(notes)
    serve_uploads(bot, (image, upload), (text, notes))
    message = message_payload(31337, attachments=[text, image])
    await bot.tree._call(message_menu(bot, message))
    assert discord_api.sent[-1].filenames == ["spinda-12345678.png"]
    (sighting,) = await bot.service.registry.sightings_for_user(USER_ID)
    assert (sighting.message_id, sighting.source) == (31337, "menu")
    discord_api.sent.clear()
    await bot.tree._call(message_menu(bot, message_payload(31338)))
    (refusal,) = discord_api.sent
    assert refusal.ephemeral and "no picture I can read" in (refusal.content or "")


async def test_lookup_pages_with_buttons_only_the_asker_can_turn(
    bot: SpindaBot, discord_api: FakeDiscordApi, identifier: FakeIdentifier
) -> None:
    fingerprint = identifier.looks["gen3"].fingerprint(0x12345678)
    await bot.service.registry.record_look(fingerprint, "gen3", range(2 * PIDS_PER_PAGE + 5))
    await bot.tree._call(slash(bot, "lookup", {"fingerprint": fingerprint}))
    first = discord_api.sent[-1]
    assert first.embeds[0]["footer"]["text"] == "Page 1 of 3"
    buttons = {b["label"]: b for row in first.data["components"] for b in row["components"]}
    assert buttons["Previous"]["disabled"] and not buttons["Next"].get("disabled", False)
    assert first.message_id is not None
    click(bot, first.message_id, buttons["Next"]["custom_id"])
    await settle(lambda: discord_api.sent[-1].response_type == UPDATE)
    turned = discord_api.sent[-1]
    assert turned.embeds[0]["footer"]["text"] == "Page 2 of 3"
    assert "00000018" in turned.embeds[0]["description"]
    click(bot, first.message_id, buttons["Next"]["custom_id"], user_id=USER_ID + 1)
    await settle(lambda: discord_api.sent[-1].ephemeral)
    assert "Only the person who ran this lookup" in (discord_api.sent[-1].content or "")


async def test_pid_command_renders_a_card(bot: SpindaBot, discord_api: FakeDiscordApi) -> None:
    await bot.tree._call(slash(bot, "pid", {"hex": "F2410A57", "game": "gen4", "shiny": True}))
    deferred, card = discord_api.sent
    assert deferred.response_type == DEFERRED
    assert card.embeds[0]["title"] == "Spinda F2410A57 (shiny) in gen4"
    assert card.filenames == ["spinda-F2410A57.png"]


async def test_bad_pid_is_answered_privately_at_once(bot: SpindaBot, discord_api: FakeDiscordApi) -> None:
    await bot.tree._call(slash(bot, "pid", {"hex": "123456789"}))
    (answer,) = discord_api.sent
    assert answer.response_type == MESSAGE and answer.ephemeral
    assert "more than 32 bits" in (answer.content or "")


async def test_history_and_forget_are_private(
    bot: SpindaBot, discord_api: FakeDiscordApi, identifier: FakeIdentifier
) -> None:
    await bot.service.registry.add_sighting(
        fingerprint="3BT-0938NKRE",
        pid=0x12345678,
        game="gen3",
        source="slash",
        confidence=0.9,
        user_id=USER_ID,
    )
    await bot.tree._call(slash(bot, "history", guild=False))
    await bot.tree._call(slash(bot, "forget", guild=False))
    history, forgotten = discord_api.sent
    assert history.ephemeral and "`12345678` gen3" in history.embeds[0]["description"]
    assert forgotten.ephemeral and forgotten.content == "Done: I deleted your 1 sighting."


async def test_unexpected_errors_get_an_apology_and_a_log_line_with_context(
    bot: SpindaBot,
    discord_api: FakeDiscordApi,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(user_id: int) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.service, "history", broken)
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await bot.tree._call(slash(bot, "history"))
    (answer,) = discord_api.sent
    assert answer.ephemeral and answer.content == (
        "Something went wrong on my side; it has been logged. Please try again later."
    )
    (record,) = caplog.records
    assert (
        f"/spinda history by user {USER_ID} in guild {GUILD_ID} channel {CHANNEL_ID}" in record.getMessage()
    )
    assert record.exc_info is not None and "disk on fire" in str(record.exc_info[1])


async def test_identify_has_a_per_user_cooldown(bot: SpindaBot, discord_api: FakeDiscordApi) -> None:
    upload = FakeUpload("notes.txt", b"hi", content_type="text/plain")
    image = attachment_payload(upload)
    serve_uploads(bot, (image, upload))
    for _ in range(4):
        await bot.tree._call(slash(bot, "identify", attachments={"image": image}))
    assert "Slow down a little" in (discord_api.sent[-1].content or "")
    assert all("Slow down" not in (s.content or "") for s in discord_api.sent[:3])
    # Someone else is not slowed down by it.
    await bot.tree._call(slash(bot, "identify", attachments={"image": image}, user_id=USER_ID + 1))
    assert "Slow down" not in (discord_api.sent[-1].content or "")


async def test_pages_grey_out_when_the_view_times_out() -> None:
    pages = [Reply(embeds=(discord.Embed(title=str(n)),)) for n in range(2)]
    view = PageView(pages, owner_id=USER_ID)
    message = AsyncMock()
    view.message = message
    await view.on_timeout()
    assert all(getattr(item, "disabled", False) for item in view.children)
    message.edit.assert_awaited_once_with(view=view)
    with pytest.raises(ValueError, match="at least one page"):
        PageView([], owner_id=USER_ID)


def test_only_watching_requests_the_privileged_intent() -> None:
    assert not intents_for(make_settings(watch_channels=frozenset())).message_content
    assert intents_for(make_settings(watch_channels=frozenset({1}))).message_content


async def test_a_development_guild_gets_the_commands_at_start(
    service: SpindaService, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = SpindaBot(make_settings(dev_guild=GUILD_ID), service)
    sync = AsyncMock(return_value=["a", "b"])
    monkeypatch.setattr(bot.tree, "sync", sync)
    await bot.setup_hook()
    sync.assert_awaited_once()
    assert sync.await_args is not None and sync.await_args.kwargs["guild"].id == GUILD_ID
    assert bot.tree.get_command("spinda", guild=discord.Object(GUILD_ID)) is not None
    await bot.close()


@pytest.mark.parametrize(
    ("scope", "synced_guild"), [("global", None), ("here", GUILD_ID), ("clear", GUILD_ID)]
)
async def test_the_owner_sync_command(
    bot: SpindaBot, monkeypatch: pytest.MonkeyPatch, scope: str, synced_guild: int | None
) -> None:
    sync = AsyncMock(return_value=["a"])
    monkeypatch.setattr(bot.tree, "sync", sync)
    command = bot.get_command("sync")
    assert command is not None and command.checks  # owner-only and guild-only
    ctx = MagicMock(guild=MagicMock(id=GUILD_ID), reply=AsyncMock())
    # discord.py types a text command callback as taking a cog that cannot be None.
    await command.callback(command.cog, ctx, scope)  # type: ignore[misc, arg-type]
    guild = sync.await_args.kwargs.get("guild") if sync.await_args else None
    assert (guild.id if guild else None) == synced_guild
    ctx.reply.assert_awaited_once_with(f"Synced 1 commands ({scope}).", mention_author=False)


async def test_a_full_queue_is_answered_privately_before_deferring(
    bot: SpindaBot, discord_api: FakeDiscordApi, identifier: FakeIdentifier
) -> None:
    data = identifier.script(0x12345678)
    identifier.release.clear()
    service = bot.service
    busy = [
        asyncio.create_task(service.identify(FakeUpload(f"{n}.png", data), Requester("slash", n)))
        for n in range(service.executor.capacity)
    ]
    await settle(lambda: service.executor.full)
    upload = FakeUpload("shot.png", data)
    image = attachment_payload(upload)
    cdn = serve_uploads(bot, (image, upload))
    await bot.tree._call(slash(bot, "identify", attachments={"image": image}))
    await bot.tree._call(slash(bot, "pid", {"hex": "1234"}))
    assert [(s.response_type, s.ephemeral) for s in discord_api.sent] == [(MESSAGE, True), (MESSAGE, True)]
    assert all("try again in a minute" in (s.content or "") for s in discord_api.sent)
    cdn.assert_not_awaited()
    identifier.release.set()
    await asyncio.gather(*busy)


async def test_a_failed_development_sync_is_logged_and_the_bot_starts(
    service: SpindaService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot = SpindaBot(make_settings(dev_guild=GUILD_ID), service)
    response = MagicMock(status=403, reason="Forbidden")
    monkeypatch.setattr(
        bot.tree, "sync", AsyncMock(side_effect=discord.Forbidden(response, "Missing Access"))
    )
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        await bot.setup_hook()
    assert (
        "could not sync commands to SPINDA_DEV_GUILD 4242" in caplog.text and "Missing Access" in caplog.text
    )
    assert bot.get_cog("SpindaCommands") is not None
    await bot.close()
