from __future__ import annotations

import asyncio
import io
import sqlite3
from collections.abc import Mapping
from typing import Any

from bot_fakes import FakeIdentifier, FakeUpload
from PIL import Image

from bot.executor import BoundedExecutor
from bot.narrowing import Wanted
from bot.replies import PICTURE_SIDE, PIDS_PER_PAGE
from bot.service import Requester, SpindaService
from core.games import GEN3
from core.pid import format_pid, traits

SLASH = Requester("slash", user_id=7, guild_id=70, channel_id=700)


def fields(reply_embed: Mapping[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in reply_embed["fields"]}


async def test_identified_reply_is_recorded_and_shows_both_pictures(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    pid = 0xF2410A57
    upload = FakeUpload("shot.png", identifier.script(pid))
    outcome = await service.identify(upload, SLASH)
    assert outcome.identified and not outcome.reply.ephemeral and outcome.reply.content is None
    embed = outcome.reply.embeds[0].to_dict()
    shown = fields(embed)
    decided = traits(pid, GEN3)
    assert decided.gender is not None
    assert shown["PID"] == "`0xF2410A57`" and shown["Confidence"] == "97%"
    assert (shown["Nature"], shown["Gender"], shown["Ability"]) == (
        decided.nature,
        decided.gender.capitalize(),
        decided.ability,  # type: ignore[union-attr]
    )
    fingerprint = identifier.looks["gen3"].fingerprint(pid)
    assert shown["Fingerprint"] == f"`{fingerprint}`"
    assert embed["image"]["url"] == "attachment://spinda-F2410A57.png"  # type: ignore[index]
    assert "Seen here: first time" in embed["footer"]["text"]  # type: ignore[index]
    (picture,) = outcome.reply.files
    assert picture.filename == "spinda-F2410A57.png"
    with Image.open(io.BytesIO(picture.data)) as image:
        # The 64-pixel crop and the 64-pixel render, each enlarged four times, with a gap between.
        assert image.size == (2 * PICTURE_SIDE + 16, PICTURE_SIDE)
    history = await service.registry.sightings_for_user(7)
    assert [(s.pid, s.fingerprint, s.guild_id, s.channel_id, s.source) for s in history] == [
        (pid, fingerprint, 70, 700, "slash")
    ]
    assert await service.registry.pids_for(fingerprint) == identifier.looks["gen3"].siblings(pid)
    again = await service.identify(upload, SLASH)
    assert "Seen here: 2 times" in again.reply.embeds[0].to_dict()["footer"]["text"]  # type: ignore[index]


async def test_no_spinda_and_unreadable_pictures_get_private_specific_answers(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    outcome = await service.identify(FakeUpload("cat.png", b"not a spinda"), SLASH)
    assert not outcome.identified and outcome.reply.ephemeral
    assert (
        outcome.reply.content is not None and "couldn't find a Spinda in `cat.png`" in outcome.reply.content
    )
    from core.pipeline import Identification

    identifier.answers[b"broken"] = Identification("x", "error", "the file is truncated")
    broken = await service.identify(FakeUpload("broken.png", b"broken"), SLASH)
    assert (
        broken.reply.ephemeral
        and broken.reply.content == "I couldn't read `broken.png`: the file is truncated"
    )
    assert await service.registry.sightings_for_user(7) == []


async def test_uploads_are_checked_before_download(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    accepted: list[bool] = []

    async def accept() -> None:
        accepted.append(True)

    big = FakeUpload("huge.png", b"x", size=5 * 1024 * 1024)
    text = FakeUpload("notes.txt", b"hello", content_type="text/plain")
    unnamed = FakeUpload("shot.png", identifier.script(0x12345678), content_type=None)
    too_big = await service.identify(big, SLASH, accepted=accept)
    wrong_type = await service.identify(text, SLASH, accepted=accept)
    assert too_big.reply.content == (
        "`huge.png` is 5.0 MB; I read pictures up to 1 MB. A plain screenshot is far smaller."
    )
    assert wrong_type.reply.content is not None and "`notes.txt` is text/plain" in wrong_type.reply.content
    assert too_big.reply.ephemeral and wrong_type.reply.ephemeral
    assert big.reads == text.reads == 0 and identifier.calls == [] and accepted == []
    # No declared type: the file name decides.
    assert (await service.identify(unnamed, SLASH, accepted=accept)).identified
    assert accepted == [True]


async def test_a_full_queue_answers_busy_at_once(service: SpindaService, identifier: FakeIdentifier) -> None:
    data = identifier.script(0x12345678)
    identifier.release.clear()
    capacity = service.executor.capacity
    waiting = [
        asyncio.create_task(service.identify(FakeUpload(f"{n}.png", data), SLASH)) for n in range(capacity)
    ]
    while service.executor.in_flight < capacity:
        await asyncio.sleep(0.01)
    refused = await service.identify(FakeUpload("late.png", data), SLASH)
    assert refused.reply.ephemeral and not refused.identified
    assert refused.reply.content is not None and "try again in a minute" in refused.reply.content
    identifier.release.set()
    assert all(outcome.identified for outcome in await asyncio.gather(*waiting))


async def test_nature_narrowing_is_explained_in_the_reply(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    index = identifier.looks["gen3"]
    pid = next(
        p for p in range(0, 2**32, 0x01010101) if len({traits(q, GEN3).nature for q in index.siblings(p)}) > 1
    )
    siblings = index.siblings(pid)
    nature = traits(siblings[-1], GEN3).nature
    outcome = await service.identify(
        FakeUpload("s.png", identifier.script(pid)), SLASH, wanted=Wanted(nature=nature)
    )
    embed = outcome.reply.embeds[0].to_dict()
    assert embed["description"].startswith(f"Being {nature} narrowed the {len(siblings)} PIDs")  # type: ignore[union-attr]
    assert traits(int(fields(embed)["PID"].strip("`"), 16), GEN3).nature == nature


async def test_low_confidence_says_so_and_lists_other_looks(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    data = identifier.script(0x12345678, confidence=0.3, candidates=(0x11111111, 0x22222222))
    outcome = await service.identify(FakeUpload("blurry.png", data), SLASH)
    assert (
        outcome.reply.content is not None
        and "not sure" in outcome.reply.content
        and "30%" in outcome.reply.content
    )
    others = fields(outcome.reply.embeds[0].to_dict())["Other possible looks"]
    assert others == "`11111111` (50%), `22222222` (40%)"


async def test_fifty_concurrent_identifications_are_all_recorded_once(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    # A queue long enough for all fifty: this test is about the writes, not about refusing work.
    service.executor.shutdown()
    service.executor = BoundedExecutor(workers=2, queue_size=48)
    pids = [0x01000193 * n & 0xFFFFFFFF for n in range(1, 11)]
    shots = [identifier.script(pid) for pid in pids]
    requesters = [
        Requester("watch", user_id=n % 5, guild_id=1, channel_id=2, message_id=1000 + n) for n in range(50)
    ]
    outcomes = await asyncio.gather(
        *(service.identify(FakeUpload(f"{n}.png", shots[n % 10]), requesters[n]) for n in range(50))
    )
    assert all(outcome.identified for outcome in outcomes)
    with sqlite3.connect(service.registry.path) as db:
        messages = sorted(row[0] for row in db.execute("SELECT message_id FROM sightings"))
        look_rows = db.execute("SELECT COUNT(*) FROM looks").fetchone()[0]
    assert messages == list(range(1000, 1050))
    index = identifier.looks["gen3"]
    assert look_rows == len({(index.fingerprint(p), q) for p in pids for q in index.siblings(p)})


async def test_lookup_fills_the_registry_and_pages_long_lists(
    service: SpindaService, identifier: FakeIdentifier
) -> None:
    index = identifier.looks["gen3"]
    fingerprint = index.fingerprint(0)
    (page,) = await service.lookup(fingerprint.lower(), guild_id=70)
    assert await service.registry.pids_for(fingerprint) == index.siblings(0)
    listed = page.embeds[0].to_dict()["description"]
    assert all(format_pid(p) in listed for p in index.siblings(0))  # type: ignore[operator]
    # A look recorded with more PIDs than one page holds comes back as several pages.
    long_list = index.fingerprint(0x12345678)
    await service.registry.record_look(long_list, "gen3", range(2 * PIDS_PER_PAGE + 1))
    pages = await service.lookup(long_list, guild_id=70)
    assert len(pages) == 3
    assert [p.embeds[0].to_dict()["footer"]["text"] for p in pages] == [
        "Page 1 of 3",
        "Page 2 of 3",
        "Page 3 of 3",
    ]  # type: ignore[index]


async def test_lookup_errors_are_specific(service: SpindaService) -> None:
    (bad,) = await service.lookup("not-a-fingerprint", guild_id=None)
    assert bad.ephemeral and bad.content is not None and "malformed fingerprint" in bad.content


async def test_render_pid_card_and_its_errors(service: SpindaService, identifier: FakeIdentifier) -> None:
    card = await service.render_pid("0xF2410A57", "gen3", shiny=True)
    shown = fields(card.embeds[0].to_dict())
    assert shown["Nature"] == traits(0xF2410A57, GEN3).nature
    assert shown["Fingerprint"] == f"`{identifier.looks['gen3'].fingerprint(0xF2410A57)}`"
    with Image.open(io.BytesIO(card.files[0].data)) as image:
        assert image.size == (256, 256)
    bad_hex = await service.render_pid("xyz", "gen3", shiny=False)
    assert bad_hex.ephemeral and bad_hex.content is not None and "not hexadecimal" in bad_hex.content
    bdsp = await service.render_pid("1234", "bdsp", shiny=False)
    assert bdsp.ephemeral and bdsp.content is not None and "no published sprite geometry" in bdsp.content


async def test_history_and_forget(service: SpindaService, identifier: FakeIdentifier) -> None:
    assert (await service.history(7)).content == "You have no recorded sightings."
    await service.identify(FakeUpload("a.png", identifier.script(0x12345678)), SLASH)
    shown = await service.history(7)
    assert shown.ephemeral and "`12345678` gen3" in shown.embeds[0].to_dict()["description"]  # type: ignore[operator]
    assert (await service.forget(7)).content == "Done: I deleted your 1 sighting."
    assert (await service.forget(7)).content == "There was nothing to forget: you have no recorded sightings."
