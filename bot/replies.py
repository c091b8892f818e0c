"""What the bot says: replies as plain data (content, embeds, files), built without touching Discord.

The live handlers send a Reply through an interaction or a message; `spinda-bot preview` writes the same
Reply to disk. Keeping the builders pure is what lets the preview show exactly what the bot would send.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord
from PIL import Image

from bot.narrowing import Answer
from core.games import GameFamily
from core.pid import Traits, format_pid
from core.registry import Sighting

# Answers under this are given as a best guess. Of 2000 smoothed, photographed and cropped pictures of the
# games' sprites (bench seeds 5-37), every answer at 0.45 or more was right (414; a cropped photo read a
# game pixel off at 0.40), session 22's decoder, whose CNN prior counts less (core.decode.PRIOR_CAP) and
# so gives lower confidences: session 21's had every answer at 0.5 or more right (385), one wrong at 0.44.
LOW_CONFIDENCE = 0.45
PICTURE_SIDE = 256  # enlarged size of each half of the picture, in screen pixels
PIDS_PER_PAGE = 24
_SIBLINGS_SHOWN = 6
_NORMAL_COLOUR = discord.Colour.from_rgb(222, 139, 74)
_SHINY_COLOUR = discord.Colour.from_rgb(180, 197, 90)
_HISTORY_COLOUR = discord.Colour.from_rgb(150, 150, 150)


@dataclass(frozen=True)
class ReplyFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Reply:
    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()
    files: tuple[ReplyFile, ...] = ()
    ephemeral: bool = False

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Messageable.send / InteractionResponse.send_message / Webhook.send."""
        kwargs: dict[str, Any] = {"embeds": list(self.embeds)}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.files:
            kwargs["files"] = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in self.files]
        return kwargs


async def send_reply(interaction: discord.Interaction[Any], reply: Reply, **extra: Any) -> None:
    """Answer an interaction whether or not it was deferred or already answered."""
    kwargs = reply.send_kwargs() | extra
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=reply.ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=reply.ephemeral, **kwargs)


def problem(text: str) -> Reply:
    """A short, specific answer shown only to the person who asked."""
    return Reply(content=text, ephemeral=True)


def _enlarge(image: Image.Image, side: int) -> Image.Image:
    # Integer nearest-neighbour scaling keeps every game pixel a sharp square.
    scale = max(1, side // max(image.size))
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def side_by_side(crop: Image.Image | None, render: Image.Image) -> bytes:
    """The detected sprite (left) beside the re-rendered answer (right), both enlarged, as a PNG."""
    right = _enlarge(render, PICTURE_SIDE)
    if crop is None:
        return png_bytes(right)
    left = _enlarge(crop.convert("RGBA"), PICTURE_SIDE)
    gap = 16
    canvas = Image.new("RGBA", (left.width + gap + right.width, max(left.height, right.height)))
    canvas.paste(left, (0, (canvas.height - left.height) // 2))
    canvas.paste(right, (left.width + gap, (canvas.height - right.height) // 2))
    return png_bytes(canvas)


def _traits_fields(embed: discord.Embed, decided: Traits) -> None:
    embed.add_field(name="Nature", value=decided.nature or "not decided by this value")
    embed.add_field(name="Gender", value=(decided.gender or "not decided").capitalize())
    embed.add_field(name="Ability", value=decided.ability or "not decided by this value")


def _pid_list(pids: Sequence[int]) -> str:
    return ", ".join(f"`{format_pid(p)}`" for p in pids)


def _siblings_text(look_pids: Sequence[int], fitting: Sequence[int], fingerprint: str) -> str:
    if len(look_pids) == 1:
        return "None: no other PID draws this pattern."
    shown = _pid_list(fitting[:_SIBLINGS_SHOWN])
    more = f" and {len(fitting) - _SIBLINGS_SHOWN} more" if len(fitting) > _SIBLINGS_SHOWN else ""
    fits = "" if len(fitting) == len(look_pids) else f"; {len(fitting)} fit what you told me"
    return (
        f"{len(look_pids)} PIDs draw exactly this pattern{fits}: {shown}{more}. "
        f"All of them: `/spinda lookup fingerprint:{fingerprint}`"
    )


def identified(
    answer: Answer,
    decided: Traits,
    family: GameFamily,
    shiny: bool,
    candidates: Sequence[tuple[int, float]],
    seen_here: int,
    picture: bytes,
) -> Reply:
    pid_text = format_pid(answer.pid)
    picture_name = f"spinda-{pid_text}.png"
    embed = discord.Embed(
        title=f"Spinda {pid_text}{' (shiny)' if shiny else ''}",
        description=answer.note,
        colour=_SHINY_COLOUR if shiny else _NORMAL_COLOUR,
    )
    embed.add_field(name="PID", value=f"`0x{pid_text}`")
    embed.add_field(name="Confidence", value=f"{answer.confidence:.0%}")
    embed.add_field(name="Game", value=family.key)
    _traits_fields(embed, decided)
    embed.add_field(name="Fingerprint", value=f"`{answer.fingerprint}`")
    embed.add_field(
        name="Siblings",
        value=_siblings_text(answer.look_pids, answer.fitting, answer.fingerprint),
        inline=False,
    )
    if answer.confidence < LOW_CONFIDENCE and candidates:
        others = ", ".join(f"`{format_pid(p)}` ({score:.0%})" for p, score in candidates[:4])
        embed.add_field(name="Other possible looks", value=others, inline=False)
    embed.set_image(url=f"attachment://{picture_name}")
    times = "first time" if seen_here <= 1 else f"{seen_here} times"
    embed.set_footer(text=f"Left: your screenshot. Right: this PID re-rendered. Seen here: {times}.")
    content = None
    if answer.confidence < LOW_CONFIDENCE:
        content = (
            f"I'm not sure about this one ({answer.confidence:.0%} confident): here is my best guess. "
            "An uncropped screenshot of the summary screen works best."
        )
    return Reply(content=content, embeds=(embed,), files=(ReplyFile(picture_name, picture),))


def not_found(filename: str, message: str) -> Reply:
    return problem(
        f"I couldn't find a Spinda in `{filename}` ({message}). "
        "Try a screenshot of its summary or battle screen, uncropped and unfiltered."
    )


def unreadable(filename: str, message: str) -> Reply:
    return problem(f"I couldn't read `{filename}`: {message}")


def busy() -> Reply:
    return problem("I'm identifying a lot of Spinda right now. Please try again in a minute.")


def pid_card(
    decided: Traits, family: GameFamily, shiny: bool, fingerprint: str, sibling_count: int, picture: bytes
) -> Reply:
    pid_text = format_pid(decided.pid)
    picture_name = f"spinda-{pid_text}.png"
    embed = discord.Embed(
        title=f"Spinda {pid_text}{' (shiny)' if shiny else ''} in {family.key}",
        colour=_SHINY_COLOUR if shiny else _NORMAL_COLOUR,
    )
    embed.add_field(name="PID", value=f"`0x{pid_text}`")
    _traits_fields(embed, decided)
    embed.add_field(name="Fingerprint", value=f"`{fingerprint}`")
    others = sibling_count - 1
    embed.add_field(
        name="Siblings",
        value="None: no other PID draws this pattern."
        if others == 0
        else f"{others} other PIDs look identical",
    )
    embed.set_image(url=f"attachment://{picture_name}")
    return Reply(embeds=(embed,), files=(ReplyFile(picture_name, picture),))


def lookup_pages(
    fingerprint: str, family: GameFamily, pids: Sequence[int], seen_here: int
) -> list[discord.Embed]:
    """One embed per page of PIDs, so a long list is paged through instead of cut."""
    chunks = [pids[i : i + PIDS_PER_PAGE] for i in range(0, len(pids), PIDS_PER_PAGE)]
    times = "never" if seen_here == 0 else ("once" if seen_here == 1 else f"{seen_here} times")
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        rows = [" ".join(f"{p:08X}" for p in chunk[i : i + 4]) for i in range(0, len(chunk), 4)]
        embed = discord.Embed(
            title=f"{len(pids)} PID{'s' if len(pids) != 1 else ''} with the look {fingerprint}",
            description="```\n" + "\n".join(rows) + "\n```",
            colour=_NORMAL_COLOUR,
        )
        embed.add_field(name="Game", value=family.key)
        embed.add_field(name="Seen in this server", value=times)
        embed.set_footer(text=f"Page {number} of {len(chunks)}")
        pages.append(embed)
    return pages


def history(sightings: Sequence[Sighting]) -> Reply:
    if not sightings:
        return problem("You have no recorded sightings.")
    lines = []
    for s in sightings:
        where = f"<#{s.channel_id}>" if s.channel_id else s.source
        lines.append(
            f"`{format_pid(s.pid)}` {s.game} · {s.confidence:.0%} · `{s.fingerprint}` · {where} · "
            f"{discord.utils.format_dt(s.created_at, 'R')}"
        )
    embed = discord.Embed(
        title="Your latest Spinda sightings", description="\n".join(lines), colour=_HISTORY_COLOUR
    )
    embed.set_footer(text="/spinda forget deletes them all.")
    return Reply(embeds=(embed,), ephemeral=True)


def forgotten(count: int) -> Reply:
    if count == 0:
        return problem("There was nothing to forget: you have no recorded sightings.")
    return problem(f"Done: I deleted your {count} sighting{'s' if count != 1 else ''}.")
