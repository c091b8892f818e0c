"""Fixtures for the bot tests; the stand-ins themselves live in bot_fakes.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest
from bot_fakes import FakeDiscordApi, FakeIdentifier, make_settings, user_payload
from discord.webhook.async_ import async_context

from bot.client import SpindaBot
from bot.config import Settings
from bot.executor import BoundedExecutor
from bot.service import SpindaService
from core.assets import DEFAULT_ASSETS_DIR, default_pack
from core.fingerprint import LookIndex
from core.games import GEN3, GEN4
from core.registry import Registry
from core.render import SpindaRenderer


@pytest.fixture(scope="session")
def looks() -> dict[str, LookIndex]:
    # The project's own default art, named explicitly so a user's imported pack never changes the tests.
    return {
        family.key: LookIndex(SpindaRenderer(default_pack(family, DEFAULT_ASSETS_DIR)))
        for family in (GEN3, GEN4)
    }


@pytest.fixture
def identifier(looks: dict[str, LookIndex]) -> FakeIdentifier:
    return FakeIdentifier(looks)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
async def service(
    tmp_path: Path, identifier: FakeIdentifier, settings: Settings
) -> AsyncIterator[SpindaService]:
    service = SpindaService(
        registry=Registry(tmp_path / "registry.db"),
        executor=BoundedExecutor(settings.workers, settings.queue_size),
        identifiers=lambda game: identifier,
        max_attachment_bytes=settings.max_attachment_bytes,
    )
    await service.open()
    yield service
    await service.close()


@pytest.fixture
def discord_api() -> Iterator[FakeDiscordApi]:
    api = FakeDiscordApi()
    token = async_context.set(api)
    yield api
    async_context.reset(token)


@pytest.fixture
async def bot(service: SpindaService, settings: Settings) -> AsyncIterator[SpindaBot]:
    bot = SpindaBot(settings, service)
    await bot.setup_hook()
    # What the READY event would set: the bot's own user.
    bot._connection.user = discord.ClientUser(state=bot._connection, data=user_payload(1))
    yield bot
    await bot.close()  # the service fixture closes the service
