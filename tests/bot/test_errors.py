from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.errors import error_reply
from bot.executor import WorkQueueFull


class _Command:
    """Just enough of a command for CommandInvokeError's message."""

    name = qualified_name = "spinda identify"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.4),
            "you can use this again in 12 s",
        ),
        (app_commands.CommandInvokeError(_Command(), WorkQueueFull()), "try again in a minute"),  # type: ignore[arg-type]
        (app_commands.BotMissingPermissions(["attach_files"]), "I need these permissions here: attach_files"),
        (app_commands.NoPrivateMessage(), "You can't use this command here."),
        (app_commands.CommandInvokeError(_Command(), KeyError("x")), "Something went wrong on my side"),  # type: ignore[arg-type]
    ],
)
def test_each_error_gets_a_short_private_answer(error: app_commands.AppCommandError, expected: str) -> None:
    reply = error_reply(error)
    assert reply.ephemeral and not reply.embeds
    assert reply.content is not None and expected in reply.content
    assert "Traceback" not in reply.content


def test_transformer_errors_quote_the_value() -> None:
    error = app_commands.TransformerError(
        "zz", discord.AppCommandOptionType.integer, app_commands.Transformer()
    )
    assert error_reply(error).content == "I couldn't understand `zz` for this option."
