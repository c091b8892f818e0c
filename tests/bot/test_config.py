from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from core.registry import default_registry_path

TOKEN = "MTA4NjQ1NzY4OTEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_defaults_need_only_a_token() -> None:
    settings = load_settings({"DISCORD_TOKEN": f"  {TOKEN}\n"})
    assert settings.token == TOKEN
    assert settings.registry_path == default_registry_path()
    assert (settings.watch_channels, settings.dev_guild, settings.workers) == (frozenset(), None, 2)
    assert settings.max_attachment_bytes == 8 * 1024 * 1024 and settings.log_level == logging.INFO
    assert not settings.message_content_intent
    assert TOKEN not in repr(settings)


def test_every_setting_is_read() -> None:
    settings = load_settings({
        "DISCORD_TOKEN": TOKEN, "SPINDA_REGISTRY": "/tmp/r.db", "SPINDA_WATCH_CHANNELS": "12, 34,",
        "SPINDA_DEV_GUILD": "56", "SPINDA_WORKERS": "3", "SPINDA_QUEUE_SIZE": "0",
        "SPINDA_MAX_ATTACHMENT_MB": "2", "SPINDA_LOG_LEVEL": "debug", "SPINDA_ASSETS": "/packs",
        "SPINDA_MODEL": "/models/spot.pt",
    })  # fmt: skip
    assert settings.registry_path == Path("/tmp/r.db")
    assert settings.watch_channels == frozenset({12, 34}) and settings.message_content_intent
    assert (settings.dev_guild, settings.workers, settings.queue_size) == (56, 3, 0)
    assert settings.max_attachment_bytes == 2 * 1024 * 1024 and settings.log_level == logging.DEBUG
    assert (settings.assets, settings.model_path) == (Path("/packs"), Path("/models/spot.pt"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "   "}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN is malformed"),
        (
            {"DISCORD_TOKEN": TOKEN, "SPINDA_WORKERS": "many"},
            "SPINDA_WORKERS must be a whole number, got 'many'",
        ),
        ({"DISCORD_TOKEN": TOKEN, "SPINDA_WORKERS": "0"}, "SPINDA_WORKERS must be between 1 and 32, got 0"),
        (
            {"DISCORD_TOKEN": TOKEN, "SPINDA_WATCH_CHANNELS": "#general"},
            "SPINDA_WATCH_CHANNELS must hold Discord",
        ),
        ({"DISCORD_TOKEN": TOKEN, "SPINDA_LOG_LEVEL": "loud"}, "SPINDA_LOG_LEVEL must be one of"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_a_malformed_token_is_never_echoed() -> None:
    secret = "secret-value-that-must-not-leak"
    with pytest.raises(ConfigError) as caught:
        load_settings({"DISCORD_TOKEN": secret})
    assert secret not in str(caught.value)


def test_preview_needs_no_token() -> None:
    assert load_settings({}, require_token=False).token == ""


def test_env_example_documents_every_setting_with_valid_values() -> None:
    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text()
    documented = dict(
        line.split("=", 1) for line in example.splitlines() if line.strip() and not line.startswith("#")
    )
    read = set(re.findall(r'"((?:DISCORD|SPINDA)_[A-Z_]+)"', (root / "bot" / "config.py").read_text()))
    assert read == set(documented)
    assert load_settings(documented | {"DISCORD_TOKEN": TOKEN}).workers == 2
