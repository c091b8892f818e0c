"""Offline stand-ins for Discord and the pipeline, shared by the bot tests.

Interactions and messages are real discord.py objects built from gateway payloads, so the real
CommandTree parses options, resolves attachments and runs checks. Only the network edge is replaced:
`async_context` (where discord.py sends interaction responses and followups) gets a recording adapter,
and the HTTP client's CDN download and message send are mocked.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock

import discord
from PIL import Image

from bot.client import SpindaBot
from bot.config import Settings
from core.fingerprint import LookIndex
from core.pipeline import Identification

GUILD_ID = 4242
CHANNEL_ID = 5151
USER_ID = 777
_ids = count(10_000)


class FakeIdentifier:
    """Answers from a script keyed by the uploaded bytes; unknown pictures hold no Spinda."""

    def __init__(self, looks: dict[str, LookIndex]) -> None:
        self.looks = looks
        self.answers: dict[bytes, Identification] = {}
        self.calls: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def identify_bytes(self, data: bytes, source: str) -> Identification:
        self.release.wait(timeout=10)
        self.calls.append(source)
        return self.answers.get(data, Identification(source, "no_spinda", "no Spinda found"))

    def script(
        self, pid: int, game: str = "gen3", confidence: float = 0.97, candidates: tuple[int, ...] = ()
    ) -> bytes:
        """A screenshot-like PNG of `pid` and the answer the pipeline gives for it."""
        index = self.looks[game]
        crop = index.renderer.image(pid).convert("RGB")
        buffer = io.BytesIO()
        crop.resize((crop.width * 3, crop.height * 3), Image.Resampling.NEAREST).save(buffer, "PNG")
        data = buffer.getvalue()
        self.answers[data] = Identification(
            path="upload",
            status="ok",
            message="Spinda",
            pid=pid,
            game=game,
            confidence=confidence,
            fingerprint=index.fingerprint(pid),
            siblings=tuple(index.siblings(pid)),
            candidates=tuple((c, 0.5 - 0.1 * i) for i, c in enumerate(candidates)),
            shiny=False,
            crop=crop,
        )
        return data


@dataclass
class FakeUpload:
    filename: str
    data: bytes
    content_type: str | None = "image/png"
    size: int = -1
    reads: int = 0

    def __post_init__(self) -> None:
        if self.size < 0:
            self.size = len(self.data)

    async def read(self) -> bytes:
        self.reads += 1
        return self.data


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": "",
        "registry_path": Path("unused.db"),
        "watch_channels": frozenset({CHANNEL_ID}),
        "dev_guild": None,
        "workers": 2,
        "queue_size": 8,
        "max_attachment_bytes": 1024 * 1024,
        "log_level": 20,
        "assets": None,
        "model_path": None,
    }
    return Settings(**(values | overrides))


# -- Discord's network edge ------------------------------------------------------------------------------


@dataclass
class Sent:
    """One thing the bot sent: kind is 'response' (with its callback type), 'followup' or 'edit'."""

    kind: str
    response_type: int | None
    data: dict[str, Any]
    filenames: list[str]
    message_id: int | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.data.get("flags", 0) & 64)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.data.get("embeds", []))

    @property
    def content(self) -> str | None:
        return self.data.get("content")


def _unpack(
    payload: dict[str, Any] | None, multipart: list[dict[str, Any]] | None, files: Any
) -> tuple[dict[str, Any], list[str]]:
    if multipart:
        payload = json.loads(next(part["value"] for part in multipart if part["name"] == "payload_json"))
    return payload or {}, [f.filename for f in files or []]


def message_payload(message_id: int, channel_id: int = CHANNEL_ID, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(message_id), "channel_id": str(channel_id), "type": 0, "content": "",
        "author": {"id": "1", "username": "spinda-bot", "discriminator": "0", "avatar": None, "bot": True},
        "timestamp": "2026-11-25T12:00:00+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": False, "components": [],
    } | extra  # fmt: skip


@dataclass
class FakeDiscordApi:
    """Records what discord.py would have sent to Discord's interaction endpoints."""

    sent: list[Sent] = field(default_factory=list)

    async def create_interaction_response(
        self, interaction_id: int, token: str, *, params: Any, **_: Any
    ) -> Any:
        payload, names = _unpack(params.payload, params.multipart, params.files)
        self.sent.append(Sent("response", payload["type"], payload.get("data") or {}, names))
        return {"interaction": {"id": str(interaction_id), "type": 2}}

    async def execute_webhook(self, *_: Any, payload: Any = None, multipart: Any = None, files: Any = None,
                              **__: Any) -> Any:  # fmt: skip
        data, names = _unpack(payload, multipart, files)
        message_id = next(_ids)
        self.sent.append(Sent("followup", None, data, names, message_id))
        return message_payload(message_id)

    async def get_original_interaction_response(self, *_: Any, **__: Any) -> Any:
        return message_payload(next(_ids))

    async def edit_original_interaction_response(self, *_: Any, payload: Any = None, multipart: Any = None,
                                                 files: Any = None, **__: Any) -> Any:  # fmt: skip
        data, names = _unpack(payload, multipart, files)
        self.sent.append(Sent("edit", None, data, names))
        return message_payload(next(_ids))


def attachment_payload(upload: FakeUpload) -> dict[str, Any]:
    attachment_id = str(next(_ids))
    return {
        "id": attachment_id, "filename": upload.filename, "size": upload.size,
        "url": f"https://cdn.example/{attachment_id}/{upload.filename}",
        "proxy_url": f"https://media.example/{attachment_id}/{upload.filename}",
        "content_type": upload.content_type,
    }  # fmt: skip


def serve_uploads(bot: SpindaBot, *uploads: tuple[dict[str, Any], FakeUpload]) -> AsyncMock:
    """Make the CDN return each upload's bytes; returns the mock so tests can count downloads."""
    by_url = {payload["url"]: upload.data for payload, upload in uploads}

    async def fetch(url: str) -> bytes:
        return by_url[url]

    mock = AsyncMock(side_effect=fetch)
    bot.http.get_from_cdn = mock  # type: ignore[method-assign]
    return mock


def user_payload(user_id: int) -> dict[str, Any]:
    return {"id": str(user_id), "username": f"trainer{user_id}", "discriminator": "0", "avatar": None}


def interaction_payload(
    data: dict[str, Any], user_id: int = USER_ID, guild: bool = True, kind: int = 2, **extra: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(next(_ids)), "application_id": "1", "type": kind, "token": "interaction-token",
        "version": 1, "data": data, "attachment_size_limit": 10 * 1024 * 1024,
        "channel": {"id": str(CHANNEL_ID), "type": 0 if guild else 1, "name": "spinda", "position": 0,
                    "permission_overwrites": [], "guild_id": str(GUILD_ID)},
    }  # fmt: skip
    if guild:
        payload["guild_id"] = str(GUILD_ID)
        payload["member"] = {
            "user": user_payload(user_id), "roles": [], "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False, "mute": False, "flags": 0, "permissions": "2048",
        }  # fmt: skip
    else:
        payload["user"] = user_payload(user_id)
        payload["channel"] = {"id": str(CHANNEL_ID), "type": 1, "recipients": [user_payload(user_id)]}
    return payload | extra


OPTION_TYPES = {str: 3, int: 4, bool: 5}


def slash(
    bot: SpindaBot,
    name: str,
    options: dict[str, Any] | None = None,
    attachments: dict[str, dict[str, Any]] | None = None,
    **extra: Any,
) -> discord.Interaction[SpindaBot]:
    """A /spinda <name> interaction; attachment options are given as payloads and resolved by id."""
    sub_options = [{"type": OPTION_TYPES[type(v)], "name": k, "value": v} for k, v in (options or {}).items()]
    sub_options += [{"type": 11, "name": k, "value": p["id"]} for k, p in (attachments or {}).items()]
    data: dict[str, Any] = {
        "id": "99", "name": "spinda", "type": 1,
        "options": [{"type": 1, "name": name, "options": sub_options}],
    }  # fmt: skip
    if attachments:
        data["resolved"] = {"attachments": {p["id"]: p for p in attachments.values()}}
    return discord.Interaction(data=interaction_payload(data, **extra), state=bot._connection)  # type: ignore[arg-type]


def message_menu(bot: SpindaBot, message: dict[str, Any], **extra: Any) -> discord.Interaction[SpindaBot]:
    data = {
        "id": "98", "name": "Identify Spinda", "type": 3, "target_id": message["id"],
        "resolved": {"messages": {message["id"]: message}},
    }  # fmt: skip
    return discord.Interaction(data=interaction_payload(data, **extra), state=bot._connection)  # type: ignore[arg-type]


def click(
    bot: SpindaBot, message_id: int, custom_id: str, user_id: int = USER_ID
) -> discord.Interaction[SpindaBot]:
    """A button click on a message the bot sent, dispatched the way the gateway handler does it."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = interaction_payload(data, user_id=user_id, kind=3, message=message_payload(message_id))
    interaction = discord.Interaction(data=payload, state=bot._connection)  # type: ignore[arg-type]
    bot._connection._view_store.dispatch_view(2, custom_id, interaction)
    return interaction


async def settle(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for work discord.py scheduled as tasks (button callbacks) to show its effect."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.01)
