"""The bot's settings, read from the environment (main() first loads a .env found from the working directory).

Every setting is documented in .env.example. Errors name the variable and never echo the token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.registry import default_registry_path

# Three base64url parts separated by dots: the shape of every Discord bot token.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
_MIB = 1024 * 1024


class ConfigError(ValueError):
    """A setting that is missing or malformed; the message names the variable and how to fix it."""


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    registry_path: Path
    watch_channels: frozenset[int]
    dev_guild: int | None
    workers: int
    queue_size: int
    max_attachment_bytes: int
    log_level: int
    assets: Path | None
    model_path: Path | None

    @property
    def message_content_intent(self) -> bool:
        """Only watching channels needs the privileged message content intent."""
        return bool(self.watch_channels)


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def _snowflake(name: str, raw: str) -> int:
    if not raw.isdigit():
        raise ConfigError(f"{name} must hold Discord ids (digits only), got {raw!r}")
    return int(raw)


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser() if raw else None


def check_token(raw: str | None) -> str:
    token = (raw or "").strip()
    if not token:
        raise ConfigError("DISCORD_TOKEN is not set: put it in .env (see .env.example) or the environment")
    if not _TOKEN_SHAPE.match(token):
        raise ConfigError(
            "DISCORD_TOKEN is malformed: a bot token is three dot-separated parts "
            "(copy it again from the Developer Portal, Bot tab)"
        )
    return token


def load_settings(env: Mapping[str, str], *, require_token: bool = True) -> Settings:
    """Settings from `env`; `require_token=False` for offline use (preview), where no token is needed."""
    token = check_token(env.get("DISCORD_TOKEN")) if require_token else ""
    channels = frozenset(
        _snowflake("SPINDA_WATCH_CHANNELS", part.strip())
        for part in env.get("SPINDA_WATCH_CHANNELS", "").split(",")
        if part.strip()
    )
    dev_guild_raw = env.get("SPINDA_DEV_GUILD", "").strip()
    level_name = env.get("SPINDA_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    level = logging.getLevelNamesMapping().get(level_name)
    if level is None:
        raise ConfigError(f"SPINDA_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got {level_name!r}")
    return Settings(
        token=token,
        registry_path=_path(env, "SPINDA_REGISTRY") or default_registry_path(),
        watch_channels=channels,
        dev_guild=_snowflake("SPINDA_DEV_GUILD", dev_guild_raw) if dev_guild_raw else None,
        workers=_int(env, "SPINDA_WORKERS", 2, 1, 32),
        queue_size=_int(env, "SPINDA_QUEUE_SIZE", 32, 0, 10_000),
        max_attachment_bytes=_int(env, "SPINDA_MAX_ATTACHMENT_MB", 8, 1, 500) * _MIB,
        log_level=level,
        assets=_path(env, "SPINDA_ASSETS"),
        model_path=_path(env, "SPINDA_MODEL"),
    )
